"""BarSeries: tick aggregation, late/dropped ticks, growth, version counters."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.core.models import Bar, Tick
from app.market.bars import BarSeries

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def tick(seconds: float, price: float, volume: float = 1.0, sym: str = "X") -> Tick:
    return Tick(sym, T0 + timedelta(seconds=seconds), price, volume)


def bar(minute: int, o: float, h: float, low: float, c: float, v: float = 1.0) -> Bar:
    return Bar("X", T0 + timedelta(minutes=minute), o, h, low, c, v)


def expected_ohlcv(stream: list[tuple[float, float, float]], tf: int) -> list[tuple]:
    """Reference aggregation written independently of BarSeries (dict of buckets, in order)."""
    t0 = T0.timestamp()
    out: dict[int, list[float]] = {}
    for sec, price, vol in stream:
        key = math.floor((t0 + sec) / tf) * tf
        if key not in out:
            out[key] = [price, price, price, price, vol]
        else:
            o, h, low, _c, v = out[key]
            out[key] = [o, max(h, price), min(low, price), price, v + vol]
    return [(float(k), *vals) for k, vals in sorted(out.items())]


def as_rows(s: BarSeries) -> list[tuple]:
    a = s.slice_arrays(0, len(s))
    return list(zip(a.times, a.open, a.high, a.low, a.close, a.volume))


@pytest.mark.parametrize("tf", [60, 300])
def test_tick_stream_aggregates_to_hand_computed_ohlcv(tf: int) -> None:
    rng = random.Random(7)
    stream = []
    sec, price = 0.0, 100.0
    for _ in range(2000):
        sec += rng.choice([0.2, 1.5, 7.0, 30.0, 95.0])  # some gaps skip whole buckets
        price = round(price + rng.uniform(-0.5, 0.5), 2)
        stream.append((sec, price, round(rng.uniform(0, 3), 3)))
    s = BarSeries("X", SH, timeframe_s=tf)
    results = [s.add_tick(tick(t, p, v)) for t, p, v in stream]

    expected = expected_ohlcv(stream, tf)
    got = as_rows(s)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g == pytest.approx(e)
    assert results.count("new") == len(expected)
    assert set(results) <= {"new", "updated"}
    assert s.last_price == stream[-1][1]


def test_new_updated_late_dropped() -> None:
    s = BarSeries("X", UTC)
    assert s.add_tick(tick(0, 10.0, 1)) == "new"
    assert s.add_tick(tick(30, 12.0, 2)) == "updated"
    assert s.add_tick(tick(59.9, 9.0, 3)) == "updated"
    assert s.add_tick(tick(60, 11.0, 4)) == "new"  # bucket boundary opens the next bar
    assert s.add_tick(tick(185, 11.5, 1)) == "new"  # minute 3; minute 2 has no bar
    assert len(s) == 3
    assert s.bar(0) == bar(0, 10.0, 12.0, 9.0, 9.0, 6.0)

    # A late print for minute 0: high and volume grow, close stays the bar's own.
    assert s.add_tick(tick(10, 13.0, 5)) == "late"
    b0 = s.bar(0)
    assert (b0.high, b0.low, b0.close, b0.volume) == (13.0, 9.0, 9.0, 11.0)
    assert s.add_tick(tick(70, 8.0, 1)) == "late"
    assert s.bar(1).low == 8.0 and s.bar(1).close == 11.0

    before = as_rows(s)
    assert s.add_tick(tick(-1, 50.0)) == "dropped"  # older than the first bar
    assert s.add_tick(tick(130, 50.0)) == "dropped"  # minute 2: a hole we never fill
    assert s.add_tick(tick(200, math.nan)) == "dropped"
    assert as_rows(s) == before


def test_versions() -> None:
    s = BarSeries("X", UTC)
    assert (s.version, s.history_version) == (0, 0)
    s.add_tick(tick(0, 1.0))
    assert (s.version, s.history_version) == (1, 1)  # a bar was appended
    s.add_tick(tick(5, 2.0))
    assert (s.version, s.history_version) == (2, 1)  # only the forming bar changed
    s.add_tick(tick(61, 2.0))
    assert (s.version, s.history_version) == (3, 2)
    s.add_tick(tick(3, 0.5))  # late: an earlier bar changed
    assert (s.version, s.history_version) == (4, 3)
    s.add_tick(tick(-100, 0.5))  # dropped: nothing changed
    assert (s.version, s.history_version) == (4, 3)
    s.load([bar(0, 1, 2, 0.5, 1.5)])
    assert (s.version, s.history_version) == (5, 4)


def test_growth_beyond_initial_capacity_keeps_data() -> None:
    s = BarSeries("X", UTC)
    cap0 = s.capacity
    n = cap0 * 3 + 5
    for i in range(n):
        assert s.add_tick(tick(i * 60, float(i), 1.0)) == "new"
        s.add_tick(tick(i * 60 + 1, float(i) + 0.5, 1.0))
    assert len(s) == n and s.capacity >= n
    np.testing.assert_array_equal(s.open, np.arange(n, dtype=float))
    np.testing.assert_array_equal(s.close, np.arange(n, dtype=float) + 0.5)
    np.testing.assert_array_equal(np.diff(s.times), np.full(n - 1, 60.0))
    assert s.last_index == n - 1


def test_load_sorts_buckets_and_replaces() -> None:
    s = BarSeries("X", SH)
    s.add_tick(tick(0, 999.0))
    bars = [bar(2, 3, 4, 2, 3.5, 30), bar(0, 1, 2, 0.5, 1.5, 10), bar(1, 2, 3, 1, 2.5, 20)]
    s.load(bars)
    assert len(s) == 3
    assert [s.bar(i).open for i in range(3)] == [1, 2, 3]
    assert s.bar(-1).close == 3.5
    assert s.time_at(0) == T0 and s.time_at(0).tzinfo is SH
    assert s.time_at(0).strftime("%H:%M") == "09:30"
    # Ticks continue the loaded history.
    assert s.add_tick(tick(2 * 60 + 5, 5.0, 1)) == "updated"
    assert s.bar(2) == Bar("X", T0.astimezone(SH) + timedelta(minutes=2), 3, 5.0, 2, 5.0, 31)
    s.load([])
    assert len(s) == 0 and s.last_price is None and s.last_index == -1


def test_slice_arrays_is_clipped_and_read_only() -> None:
    s = BarSeries("X", UTC)
    s.load([bar(i, i, i + 1, i - 1, i + 0.5) for i in range(10)])
    a = s.slice_arrays(-5, 3)
    assert list(a.open) == [0, 1, 2]
    assert len(s.slice_arrays(8, 100).close) == 2
    assert len(s.slice_arrays(20, 30).close) == 0
    with pytest.raises(ValueError):
        a.close[0] = 1.0
    with pytest.raises(IndexError):
        s.bar(10)


def test_naive_times_are_refused() -> None:
    s = BarSeries("X", UTC)
    with pytest.raises(ValueError):
        s.add_tick(Tick("X", datetime(2025, 1, 1, 9, 30), 1.0))


def test_load_arrays_replaces_the_bars_and_refuses_bad_columns() -> None:
    s = BarSeries("BTC/USDT", timezone.utc)
    t = np.array([0.0, 60.0, 120.0]) + 1_700_000_040.0
    s.load_arrays(t, [1, 2, 3], [2, 3, 4], [0.5, 1, 2], [1.5, 2.5, 3.5], [10, 20, 30])
    assert len(s) == 3 and s.bar(1).high == 3 and s.bar(2).volume == 30
    version = s.history_version
    with pytest.raises(ValueError, match="same length"):
        s.load_arrays(t, [1, 2], [2, 3, 4], [0.5, 1, 2], [1.5, 2.5, 3.5], [10, 20, 30])
    with pytest.raises(ValueError, match="strictly increasing"):
        s.load_arrays(t[::-1], [1, 2, 3], [2, 3, 4], [0.5, 1, 2], [1.5, 2.5, 3.5], [1, 2, 3])
    assert len(s) == 3 and s.history_version == version  # a refused load changes nothing
