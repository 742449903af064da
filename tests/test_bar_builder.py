"""Bars of every timeframe from ticks: session edges, the clock, late prints, real data."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.models import Bar
from app.feeds.demo import DEFAULT_SERIES, _merge_same_start, bar_to_ticks, to_replay_bars
from app.market.bar_builder import BarBuilder, BarEvent
from app.market.csv_bars import load_bars
from app.market.resample import resample_bars
from tests.reference_market import ReferenceBars

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
MOUTAI = "600519.SH"


def at(hour: int, minute: int, second: float = 0.0, day: int = 23) -> float:
    """Epoch seconds of a Shanghai time on Monday 2026-03-2x (a trading week)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SH).timestamp() + second


def feed(builder: BarBuilder, symbol: str, *ticks: tuple[float, float, float]) -> list[BarEvent]:
    times, prices, volumes = (np.array(column, float) for column in zip(*ticks))
    return builder.add([symbol] * len(ticks), times, prices, volumes)


def closed(events: list[BarEvent], timeframe: str) -> list[Bar]:
    return [e.bar for e in events if e.timeframe == timeframe and e.kind == "closed"]


def local(bar: Bar) -> str:
    return bar.time.astimezone(SH).strftime("%H:%M")


def test_the_0925_auction_print_opens_the_0930_bar_of_every_timeframe() -> None:
    builder = BarBuilder()
    feed(builder, MOUTAI, (at(9, 25), 100.0, 50.0), (at(9, 30, 20), 101.0, 5.0))
    for tf in ("1m", "5m", "15m", "30m", "1h"):
        bar = builder.forming(MOUTAI, tf)
        assert bar is not None and local(bar) == "09:30", tf
        assert (bar.open, bar.high, bar.close, bar.volume) == (100.0, 101.0, 101.0, 55.0)
    day = builder.forming(MOUTAI, "1d")
    assert day is not None and day.time == datetime(2026, 3, 23, tzinfo=SH)
    assert builder.forming(MOUTAI, "4h") is None  # A-shares have no 4h bars


@pytest.mark.parametrize("vector_from", [1, 10**9], ids=["segments", "per-tick"])
def test_bars_close_on_the_clock_at_1130_and_1500_without_a_next_tick(vector_from: int) -> None:
    builder = BarBuilder()
    builder.vector_from = vector_from
    feed(builder, MOUTAI, (at(11, 29, 50), 100.0, 1.0))
    assert builder.close_due(at(11, 29, 59)) == []
    events = builder.close_due(at(11, 30))
    assert {(e.timeframe, local(e.bar)) for e in events} == {
        ("1m", "11:29"), ("5m", "11:25"), ("15m", "11:15"), ("30m", "11:00"), ("1h", "10:30"),
    }
    assert builder.forming(MOUTAI, "1d") is not None  # the day bar runs until 15:00
    feed(builder, MOUTAI, (at(14, 59, 59), 102.0, 1.0))
    events = builder.close_due(at(15, 0))
    assert {(e.timeframe, local(e.bar)) for e in events} == {
        ("1m", "14:59"), ("5m", "14:55"), ("15m", "14:45"), ("30m", "14:30"), ("1h", "14:00"),
        ("1d", "00:00"),
    }
    day = closed(events, "1d")[0]
    assert (day.open, day.high, day.low, day.close, day.volume) == (100.0, 102.0, 100.0, 102.0, 2.0)


@pytest.mark.parametrize("vector_from", [1, 10**9], ids=["segments", "per-tick"])
def test_no_bar_is_opened_in_the_lunch_break_a_late_print_revises_the_closed_bar(
    vector_from: int,
) -> None:
    builder = BarBuilder()
    builder.vector_from = vector_from
    feed(builder, MOUTAI, (at(11, 29, 10), 100.0, 1.0))
    builder.close_due(at(11, 30))
    events = feed(builder, MOUTAI, (at(11, 30, 2), 99.0, 3.0))  # the 11:30 closing print
    revised = [e for e in events if e.kind == "revised"]
    assert {e.timeframe for e in revised} == {"1m", "5m", "15m", "30m", "1h"}
    one = next(e.bar for e in revised if e.timeframe == "1m")
    assert local(one) == "11:29" and one.low == 99.0 and one.volume == 4.0
    assert one.close == 100.0  # a late print is not known to be the bar's last trade
    assert builder.forming(MOUTAI, "1m") is None  # nothing forming over lunch
    feed(builder, MOUTAI, (at(13, 0, 1), 101.0, 1.0))
    assert local(builder.forming(MOUTAI, "1m")) == "13:00"
    assert local(builder.forming(MOUTAI, "1h")) == "13:00"
    assert builder.revised == 5


def test_a_tick_of_a_later_bar_closes_the_forming_one_and_a_too_late_tick_is_counted() -> None:
    builder = BarBuilder(("1m",))
    events = feed(builder, "BTC/USDT", *[(60.0 * k + 1, 10.0 + k, 1.0) for k in range(6)])
    assert [b.close for b in closed(events, "1m")] == [10.0, 11.0, 12.0, 13.0, 14.0]
    events = feed(builder, "BTC/USDT", (1.0, 9.0, 1.0))  # five bars back: beyond the kept ones
    assert events == [] and builder.too_late == 1


def test_crypto_4h_and_1d_bars_follow_the_utc_clock() -> None:
    builder = BarBuilder(("4h", "1d"))
    t = datetime(2025, 3, 1, 23, 59, tzinfo=UTC).timestamp()
    feed(builder, "BTC/USDT", (t, 1.0, 1.0))
    assert builder.forming("BTC/USDT", "4h").time == datetime(2025, 3, 1, 20, tzinfo=UTC)
    events = builder.close_due(t + 60)
    assert {e.timeframe for e in events} == {"4h", "1d"}
    assert closed(events, "1d")[0].time == datetime(2025, 3, 1, tzinfo=UTC)


@st.composite
def tick_paths(draw: st.DrawFn) -> list[tuple[str, float, float, float]]:
    out = []
    clocks = {MOUTAI: at(9, 25), "BTC/USDT": at(9, 25)}
    for _ in range(draw(st.integers(1, 120))):
        symbol = draw(st.sampled_from(sorted(clocks)))
        step = draw(st.sampled_from([0.0, 2.0, 3.0, 20.0, 61.0, 700.0, 3700.0, -30.0]))
        clocks[symbol] = t = clocks[symbol] + step
        price = draw(st.floats(1.0, 2.0))
        out.append((symbol, t, price, draw(st.sampled_from([0.0, 1.0, 2.5]))))
    return out


@settings(max_examples=60, deadline=None)
@given(tick_paths(), st.integers(1, 7), st.sampled_from([1, 10**9]))
def test_bars_equal_the_per_tick_reference_for_every_timeframe(ticks, batches, vector_from) -> None:
    builder = BarBuilder()
    builder.vector_from = vector_from  # 1: always numpy segments; huge: always per tick
    chunks = np.array_split(np.arange(len(ticks)), batches)
    events: list[BarEvent] = []
    for chunk in chunks:
        part = [ticks[i] for i in chunk]
        if part:
            symbols, times, prices, volumes = zip(*part)
            events += builder.add(list(symbols), np.array(times), np.array(prices), np.array(volumes))
    for tf in builder.timeframes:
        reference = ReferenceBars(tf)
        for symbol, t, p, v in ticks:
            if tf == "4h" and symbol == MOUTAI:
                continue
            reference.add(symbol, t, p, v)
        for symbol, want in reference.bars.items():
            got: dict[float, Bar] = {}
            for e in events:
                if e.timeframe == tf and e.bar.symbol == symbol:
                    got[e.bar.time.timestamp()] = e.bar  # a revision replaces the closed bar
            forming = builder.forming(symbol, tf)
            if forming is not None:
                got[forming.time.timestamp()] = forming
            assert sorted(got) == [b.start for b in want], (tf, symbol)
            for b in want:
                g = got[b.start]
                assert (g.open, g.high, g.low, g.close) == (b.open, b.high, b.low, b.close)
                assert g.volume == pytest.approx(b.volume)


@pytest.mark.parametrize("series", DEFAULT_SERIES, ids=lambda s: s.symbol)
def test_real_bars_replayed_as_ticks_rebuild_the_recorded_bars(series) -> None:
    """The demo's ticks of the shipped files, folded by the builder and closed by the clock,
    give back the recorded 1-minute bars; the coarser bars equal resampling those."""
    replay = to_replay_bars(load_bars(series.file, series.symbol, series.tz), series)[:1300]
    builder = BarBuilder()
    events: list[BarEvent] = []
    for item in replay:
        bar = item.bar
        ticks = bar_to_ticks(bar.time, item.duration, bar.open, bar.high, bar.low, bar.close,
                             bar.volume)
        times = np.array([t.timestamp() for t, _, _ in ticks])
        events += builder.add([series.symbol] * len(ticks), times,
                              np.array([p for _, p, _ in ticks]), np.array([v for _, _, v in ticks]))
        events += builder.close_due(times[-1])
    last = replay[-1].bar.time + timedelta(days=1)
    events += builder.close_due(last.timestamp())
    recorded = _merge_same_start([r.bar for r in replay])
    built = closed(events, "1m")
    assert [b.time for b in built] == [b.time for b in recorded]
    for got, want in zip(built, recorded):
        assert (got.open, got.high, got.low, got.close) == (want.open, want.high, want.low, want.close)
        assert got.volume == pytest.approx(want.volume)
    for tf in ("5m", "1h", "1d"):
        expected = resample_bars(recorded, series.symbol, tf)
        got = closed(events, tf)
        assert [b.time for b in got] == [b.time for b in expected], tf
        assert [b.close for b in got] == [b.close for b in expected], tf
        assert [b.high for b in got] == [b.high for b in expected], tf
