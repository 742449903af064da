"""The alert semantics, exactly as docs/alerts.md states them, on ticks and on bars."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from app.core.models import AlertKind, AlertSource, Bar, TaskStatus, Tick
from app.monitors.engine import RuleEngine
from app.monitors.rules import Rule

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
SH = timezone(timedelta(hours=8))


def rule(**fields: object) -> Rule:
    defaults: dict[str, object] = {"task_name": "r", "stock_code": "BTC/USDT", "id": 1}
    return Rule(**{**defaults, **fields})  # type: ignore[arg-type]


def ticks(*prices: float, symbol: str = "BTC/USDT", start: datetime = T0) -> list[Tick]:
    return [Tick(symbol, start + timedelta(seconds=i), p) for i, p in enumerate(prices)]


def bar(i: int, o: float, h: float, l: float, c: float, symbol: str = "BTC/USDT") -> Bar:  # noqa: E741
    return Bar(symbol, T0 + timedelta(minutes=i), o, h, l, c)


def kinds(alerts: list) -> list[AlertKind]:
    return [a.kind for a in alerts]


# ----- ticks ---------------------------------------------------------------

def test_stop_loss_fires_at_or_below_the_level_once() -> None:
    engine = RuleEngine([rule(stop_loss=100.0)])
    result = engine.on_ticks(ticks(101, 100.5, 100.0, 99, 98))
    assert kinds(result.alerts) == [AlertKind.STOP_LOSS]
    alert = result.alerts[0]
    assert (alert.price, alert.level, alert.prev_price) == (100.0, 100.0, 100.5)
    assert alert.time == T0 + timedelta(seconds=2)
    assert [r.status for r in result.changed] == [TaskStatus.TRIGGERED]
    assert engine.on_ticks(ticks(90, 110, 90)).alerts == []


def test_take_profit_fires_at_or_above_the_level() -> None:
    engine = RuleEngine([rule(take_profit=200.0, stop_loss=100.0)])
    result = engine.on_ticks(ticks(150, 199.99, 200.0, 250))
    assert kinds(result.alerts) == [AlertKind.TAKE_PROFIT]
    assert result.alerts[0].price == 200.0
    assert engine.on_ticks(ticks(50)).alerts == [], "triggered rule never fires the stop after TP"


@pytest.mark.parametrize(
    ("zone", "prices", "fires_at"),
    [((95.0, 105.0), [110, 106, 105, 100], 105), ((None, 105.0), [110, 104], 104),
     ((95.0, None), [90, 94.9, 95, 200], 95), ((95.0, 105.0), [90, 110], None)],
)
def test_entry_zone_inclusive_and_open_ended(zone: tuple, prices: list, fires_at: float | None) -> None:
    engine = RuleEngine([rule(entry_min=zone[0], entry_max=zone[1])])
    alerts = engine.on_ticks(ticks(*prices)).alerts
    assert [a.price for a in alerts] == ([] if fires_at is None else [fires_at])


def test_entry_fires_once_and_is_independent_of_exits() -> None:
    engine = RuleEngine([rule(entry_min=95.0, entry_max=105.0, stop_loss=90.0, take_profit=120.0)])
    first = engine.on_ticks(ticks(100, 101, 99))
    assert kinds(first.alerts) == [AlertKind.ENTRY]
    assert first.changed[0].status is TaskStatus.RUNNING
    assert first.changed[0].fired == {AlertKind.ENTRY}
    later = engine.on_ticks(ticks(100, 121))
    assert kinds(later.alerts) == [AlertKind.TAKE_PROFIT]


def test_entry_reported_before_exit_caused_by_the_same_price() -> None:
    engine = RuleEngine([rule(entry_max=100.0, stop_loss=100.0)])
    alerts = engine.on_ticks(ticks(120, 99)).alerts
    assert kinds(alerts) == [AlertKind.ENTRY, AlertKind.STOP_LOSS]
    assert all(a.price == 99 for a in alerts)


def test_entry_only_rule_is_triggered_after_it_fires() -> None:
    engine = RuleEngine([rule(entry_min=1.0, entry_max=2.0)])
    result = engine.on_ticks(ticks(1.5))
    assert result.changed[0].status is TaskStatus.TRIGGERED


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0, -1.0])
def test_bad_price_never_fires(bad: float) -> None:
    engine = RuleEngine([rule(stop_loss=100.0, entry_max=200.0)])
    assert engine.on_ticks(ticks(bad)).alerts == []


def test_stopped_and_triggered_rules_do_not_fire() -> None:
    engine = RuleEngine([
        rule(id=1, stop_loss=100.0, status=TaskStatus.STOPPED),
        rule(id=2, stop_loss=100.0, status=TaskStatus.TRIGGERED),
        rule(id=3, stop_loss=100.0, fired=frozenset({AlertKind.STOP_LOSS})),
    ])
    assert engine.on_ticks(ticks(50)).alerts == []


def test_only_rules_for_the_tick_symbol_are_evaluated() -> None:
    engine = RuleEngine([rule(id=1, stop_loss=100.0, stock_code="600519.SH")])
    assert engine.on_ticks(ticks(50)).alerts == []
    assert len(engine.on_ticks(ticks(50, symbol="600519.SH")).alerts) == 1


def test_check_interval_limits_how_often_a_rule_is_evaluated() -> None:
    engine = RuleEngine([rule(stop_loss=100.0, check_interval=10)])
    # seen at t=0 (101), t=1..9 skipped (the dip to 99 at t=3 is not looked at), t=10 checked
    prices = [101, 101, 101, 99, 101, 101, 101, 101, 101, 101, 100]
    alerts = engine.on_ticks(ticks(*prices)).alerts
    assert [(a.price, a.time) for a in alerts] == [(100, T0 + timedelta(seconds=10))]


def test_trading_hours_only_ignores_prices_outside_the_session() -> None:
    engine = RuleEngine([rule(stop_loss=1400.0, stock_code="600519.SH", trading_hours_only=True)])
    lunch = datetime(2026, 3, 24, 12, 0, tzinfo=SH)
    auction = datetime(2026, 3, 24, 9, 25, tzinfo=SH)
    saturday = datetime(2026, 3, 28, 10, 0, tzinfo=SH)
    session = datetime(2026, 3, 24, 13, 0, 5, tzinfo=SH)
    quiet = [Tick("600519.SH", t, 1300.0) for t in (auction, lunch, saturday)]
    assert engine.on_ticks(quiet).alerts == []
    assert len(engine.on_ticks([Tick("600519.SH", session, 1300.0)]).alerts) == 1


def test_changed_rules_carry_state_for_persistence_and_anonymous_rules_are_not_reported() -> None:
    engine = RuleEngine([rule(id=None, stop_loss=100.0), rule(id=5, stop_loss=100.0)])
    result = engine.on_ticks(ticks(99))
    assert len(result.alerts) == 2
    assert [r.id for r in result.changed] == [5]


def test_upsert_replaces_a_rule_and_the_receipt_keeps_the_instruments_previous_price() -> None:
    engine = RuleEngine([rule(stop_loss=100.0)])
    engine.on_ticks(ticks(150))
    engine.upsert(rule(stop_loss=140.0))
    alert = engine.on_ticks(ticks(139)).alerts[0]
    assert alert.prev_price == 150.0 and alert.level == 140.0
    engine.remove(1)
    assert engine.rules() == [] and engine.on_ticks(ticks(1)).alerts == []


# ----- bars ----------------------------------------------------------------

def test_bar_stop_loss_at_level_or_gap_open() -> None:
    touch = RuleEngine([rule(stop_loss=100.0)]).on_bars([bar(0, 105, 106, 104, 105), bar(1, 104, 105, 99, 101)])
    assert [(a.kind, a.price, a.time) for a in touch.alerts] == [
        (AlertKind.STOP_LOSS, 100.0, T0 + timedelta(minutes=1))]
    gap = RuleEngine([rule(stop_loss=100.0)]).on_bars([bar(0, 105, 106, 104, 105), bar(1, 95, 97, 94, 96)])
    assert gap.alerts[0].price == 95.0, "a gap through the stop fills at the open"


def test_bar_take_profit_at_level_or_gap_open() -> None:
    touch = RuleEngine([rule(take_profit=110.0)]).on_bars([bar(0, 105, 111, 104, 109)])
    assert touch.alerts[0].price == 110.0
    gap = RuleEngine([rule(take_profit=110.0)]).on_bars([bar(0, 115, 120, 113, 118)])
    assert gap.alerts[0].price == 115.0


def test_bar_reaching_both_reports_only_the_stop_and_ends_the_rule() -> None:
    engine = RuleEngine([rule(stop_loss=100.0, take_profit=110.0)])
    result = engine.on_bars([bar(0, 105, 111, 99, 105), bar(1, 105, 120, 90, 100)])
    assert kinds(result.alerts) == [AlertKind.STOP_LOSS]
    assert result.alerts[0].price == 100.0
    assert result.changed[0].status is TaskStatus.TRIGGERED


@pytest.mark.parametrize(
    ("open_", "high", "low", "expected"),
    [(100.0, 101.0, 99.0, 100.0), (110.0, 112.0, 104.0, 105.0), (90.0, 96.0, 89.0, 95.0)],
)
def test_bar_entry_fills_at_open_clipped_into_zone(open_: float, high: float, low: float, expected: float) -> None:
    engine = RuleEngine([rule(entry_min=95.0, entry_max=105.0)])
    alerts = engine.on_bars([bar(0, open_, high, low, (high + low) / 2)]).alerts
    assert [(a.kind, a.price) for a in alerts] == [(AlertKind.ENTRY, expected)]


def test_bar_entry_first_then_exit_in_the_same_bar_and_only_first_bar_counts() -> None:
    engine = RuleEngine([rule(entry_min=95.0, entry_max=100.0, stop_loss=90.0)])
    bars = [bar(0, 110, 112, 108, 110), bar(1, 101, 101, 85, 88), bar(2, 97, 99, 96, 98)]
    result = engine.on_bars(bars, AlertSource.BACKFILL)
    assert [(a.kind, a.price, a.time) for a in result.alerts] == [
        (AlertKind.ENTRY, 100.0, bars[1].time),
        (AlertKind.STOP_LOSS, 90.0, bars[1].time),
    ]
    assert {a.source for a in result.alerts} == {AlertSource.BACKFILL}


def test_bar_entry_that_never_meets_the_zone() -> None:
    engine = RuleEngine([rule(entry_min=95.0, entry_max=100.0)])
    assert engine.on_bars([bar(0, 110, 112, 100.01, 111), bar(1, 90, 94.99, 80, 90)]).alerts == []


# ----- validity ------------------------------------------------------------

def test_a_price_after_valid_until_expires_the_rule_instead_of_firing() -> None:
    until = T0 + timedelta(seconds=2)
    engine = RuleEngine([rule(stop_loss=100.0, valid_until=until)])
    assert engine.on_ticks(ticks(150, 140, 130)).alerts == [], "prices up to and at valid_until are seen"
    result = engine.on_ticks(ticks(90, start=T0 + timedelta(seconds=3)))
    assert result.alerts == []
    assert [r.status for r in result.changed] == [TaskStatus.EXPIRED]
    assert engine.on_ticks(ticks(80, start=T0 + timedelta(seconds=4))).alerts == []


def test_price_exactly_at_valid_until_still_fires() -> None:
    engine = RuleEngine([rule(stop_loss=100.0, valid_until=T0)])
    assert kinds(engine.on_ticks(ticks(99)).alerts) == [AlertKind.STOP_LOSS]


def test_validity_compares_across_time_zones_and_naive_bar_times_use_the_market_clock() -> None:
    until = datetime(2026, 3, 23, 15, 0, tzinfo=SH)  # 07:00 UTC
    engine = RuleEngine([rule(stop_loss=100.0, stock_code="600519.SH", valid_until=until)])
    naive_before = Bar("600519.SH", datetime(2026, 3, 23, 14, 59), 101, 101, 101, 101)
    naive_after = Bar("600519.SH", datetime(2026, 3, 24, 9, 31), 99, 99, 99, 99)
    assert engine.on_bars([naive_before]).alerts == []
    result = engine.on_bars([naive_after])
    assert result.alerts == [] and result.changed[0].status is TaskStatus.EXPIRED
