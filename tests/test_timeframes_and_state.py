"""Bar windows per market, the persisted tracking format, and restart idempotence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.core.models import AlertKind, Tick
from app.market.timeframes import bar_window, timeframe_refusal
from app.monitors.conditions import format_state, parse_state
from app.monitors.engine import RuleEngine
from app.monitors.rules import RuleValidationError, validate_rule

SH = timezone(timedelta(hours=8))


def sh(h: int, m: int, s: int = 0) -> float:
    return datetime(2026, 3, 23, h, m, s, tzinfo=SH).timestamp()


@pytest.mark.parametrize(
    ("when", "start", "end"),
    [
        ((9, 25), (9, 30), (10, 30)),  # call auction joins the first bar
        ((10, 29, 59), (9, 30), (10, 30)),
        ((10, 30), (10, 30), (13, 0)),  # the morning's last hour runs into the break
        ((11, 30), (10, 30), (13, 0)),  # the 11:30 closing print
        ((13, 0), (13, 0), (14, 0)),
        ((14, 59), (14, 0), None),  # the day's last bar holds the 15:00 close and after
        ((15, 0, 1), (14, 0), None),
    ],
)
def test_ashare_hour_bars_follow_trading_time(when: tuple, start: tuple, end: tuple | None) -> None:
    got_start, got_end = bar_window("600519.SH", "1h", sh(*when))
    assert got_start == sh(*start)
    assert got_end == (sh(*end) if end else datetime(2026, 3, 24, tzinfo=SH).timestamp())


def test_crypto_bars_follow_the_utc_clock() -> None:
    t = datetime(2026, 3, 1, 5, 7, 30, tzinfo=timezone.utc).timestamp()
    assert bar_window("BTC/USDT", "5m", t) == (t - 150, t + 150)
    assert bar_window("BTC/USDT", "4h", t)[0] == datetime(2026, 3, 1, 4, tzinfo=timezone.utc).timestamp()


def test_four_hour_bars_are_refused_for_ashares_only() -> None:
    assert timeframe_refusal("BTC/USDT", "4h") is None
    assert "4h" in (timeframe_refusal("600519.SH", "4h") or "")
    with pytest.raises(RuleValidationError) as refused:
        validate_rule({"task_name": "x", "stock_code": "600519.SH", "take_profit": 10,
                       "trigger_mode": "once_per_bar", "bar_timeframe": "4h"})
    assert refused.value.field == "bar_timeframe"


T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def ticks(*prices: float, start: int = 0) -> list[Tick]:
    return [Tick("BTC/USDT", T0 + timedelta(seconds=60 * (start + i)), float(p)) for i, p in enumerate(prices)]


def test_engine_state_text_is_the_canonical_format() -> None:
    rule = validate_rule({"task_name": "t", "stock_code": "BTC/USDT", "trailing_pct": 5,
                          "cross_level": 100, "trigger_mode": "rearm", "rearm_band": 1}).with_changes(id=3)
    engine = RuleEngine([rule])
    result = engine.on_ticks(ticks(99, 101, 100.5))  # crossed up, still inside the band
    text = engine.rules()[0].state
    assert text == format_state(parse_state(text))
    state = parse_state(text)
    assert state.conditions[AlertKind.TRAILING_STOP].extreme == 101.0
    assert state.conditions[AlertKind.CROSS_UP].rearm == (99.0, 101.0)
    assert state.seen == (T0 + timedelta(minutes=2)).timestamp()
    assert [a.kind for a in result.alerts] == [AlertKind.CROSS_UP]


def test_tracking_only_changes_are_reported_as_states() -> None:
    rule = validate_rule({"task_name": "t", "stock_code": "BTC/USDT", "trailing_pct": 5}).with_changes(id=7)
    engine = RuleEngine([rule])
    first = engine.on_ticks(ticks(100, 101))
    assert first.alerts == [] and first.changed == []
    assert parse_state(first.states[7]).conditions[AlertKind.TRAILING_STOP].extreme == 101.0
    assert engine.on_ticks(ticks(100.5, start=2)).states == {}, "no new high, nothing to write"


def test_prices_already_in_a_restored_state_are_not_counted_twice() -> None:
    """A feed that replays after a restart must not make the trail or the crossing move twice."""
    rule = validate_rule({"task_name": "t", "stock_code": "BTC/USDT", "trailing_amount": 10,
                          "cross_level": 100, "trigger_mode": "every_time"}).with_changes(id=1)
    stream = ticks(99, 101, 120, 99, 111, 98, 101)
    whole = [(a.kind, a.time) for a in RuleEngine([rule]).on_ticks(stream).alerts]
    first = RuleEngine([rule])
    part = [(a.kind, a.time) for a in first.on_ticks(stream[:4]).alerts]
    restarted = RuleEngine(first.rules())
    rest = [(a.kind, a.time) for a in restarted.on_ticks(stream).alerts]  # replayed from the start
    assert part + rest == whole
    assert AlertKind.TRAILING_STOP in {k for k, _ in whole}


def test_previous_close_from_the_feed_or_from_the_day_before() -> None:
    rule = validate_rule({"task_name": "t", "stock_code": "BTC/USDT", "change_up_pct": 5,
                          "trigger_mode": "every_time"})
    engine = RuleEngine([rule])
    assert engine.on_ticks(ticks(100, 106)).alerts == [], "no previous close known yet"
    engine.set_previous_close("BTC/USDT", 100.0)
    assert [a.level for a in engine.on_ticks(ticks(104, 105, start=2)).alerts] == [105.0]
    next_day = [Tick("BTC/USDT", T0 + timedelta(days=1, minutes=m), p)
                for m, p in ((0, 108.0), (1, 110.0), (2, 110.5))]
    alerts = engine.on_ticks(next_day).alerts  # yesterday's last price, 105, is the new base
    assert [(a.price, round(a.level, 6)) for a in alerts] == [(110.5, 110.25)]
