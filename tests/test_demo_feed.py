"""Tests for the demo replay feed, its Qt bridge and the tick-rate meter."""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QObject, QThread, Slot

from app.core.models import Bar, Tick
from app.feeds.base import Feed, Instrument
from app.feeds.bridge import FeedBridge
from app.feeds.demo import (
    BAR_WALL_SECONDS,
    DEFAULT_SERIES,
    MAX_CATCHUP_SECONDS,
    RESOURCE_DIR,
    WAKE_SECONDS,
    DemoFeed,
    DemoGap,
    DemoSeries,
    bar_to_ticks,
    to_replay_bars,
)
from app.market.bars import BarSeries
from app.market.csv_bars import load_bars
from app.market.gaps import Gap, GapCount, GapTracker, find_gaps, merge_bars
from app.market.quality_types import RawTick
from app.market.rate import TickRateMeter
from app.monitors.sessions import market_timezone

UTC = ZoneInfo("UTC")
SH = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)
BTC_SERIES, MOUTAI_SERIES = DEFAULT_SERIES
T0 = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)


class Collector:
    """Thread-safe sink that records every batch."""

    def __init__(self) -> None:
        self.batches: list[list[Tick]] = []  # converted back to ticks in the market's zone
        self.raw: list[RawTick] = []
        self.lock = threading.Lock()

    def __call__(self, batch: list[RawTick]) -> None:
        ticks = [Tick(r.symbol, datetime.fromtimestamp(r.time, tz=market_timezone(r.symbol)),
                      r.price, r.volume) for r in batch]
        with self.lock:
            self.raw.extend(batch)
            self.batches.append(ticks)

    def ticks(self) -> list[Tick]:
        with self.lock:
            return [t for b in self.batches for t in b]

    def count(self) -> int:
        with self.lock:
            return sum(len(b) for b in self.batches)


def wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def by_symbol(ticks: list[Tick]) -> dict[str, list[Tick]]:
    out: dict[str, list[Tick]] = defaultdict(list)
    for t in ticks:
        out[t.symbol].append(t)
    return out


def assert_strictly_increasing(ticks: list[Tick]) -> None:
    for a, b in itertools.pairwise(ticks):
        assert a.time < b.time, (a, b)


def write_series(tmp_path: Path, text: str, *, stamp: str, market: str, tz=UTC) -> DemoSeries:
    path = tmp_path / f"{market}_{stamp}.csv"
    path.write_text(text, encoding="utf-8")
    symbol = "T/USDT" if market == "crypto" else "000001.SZ"
    return DemoSeries(symbol, "test", path, tz, stamp, market)  # type: ignore[arg-type]


@pytest.fixture
def feeds():
    """Track feeds so each test stops them even when it fails."""
    created: list[DemoFeed] = []

    def make(*args, **kwargs) -> DemoFeed:
        feed = DemoFeed(*args, **kwargs)
        created.append(feed)
        return feed

    yield make
    for feed in created:
        feed.stop()


# --------------------------------------------------------------------------- bar_to_ticks


def test_up_bar_goes_open_low_high_close() -> None:
    ticks = bar_to_ticks(T0, MINUTE, 10, 12, 9, 11, 8)
    assert [p for _, p, _ in ticks] == [10, 9, 12, 11]
    times = [t for t, _, _ in ticks]
    assert all(T0 <= t < T0 + MINUTE for t in times)
    assert all(a < b for a, b in itertools.pairwise(times))
    assert math.isclose(sum(v for _, _, v in ticks), 8)


def test_down_bar_goes_open_high_low_close() -> None:
    ticks = bar_to_ticks(T0, MINUTE, 11, 12, 9, 10, 3.3)
    assert [p for _, p, _ in ticks] == [11, 12, 9, 10]
    assert math.isclose(sum(v for _, _, v in ticks), 3.3)


def test_flat_bars() -> None:
    single = bar_to_ticks(T0, MINUTE, 10, 10, 10, 10, 5)
    assert len(single) == 1 and single[0][1:] == (10, 5)
    assert T0 <= single[0][0] < T0 + MINUTE
    # close == open but a range: treated as closed up (low first)
    assert [p for _, p, _ in bar_to_ticks(T0, MINUTE, 10, 11, 9, 10, 1)] == [10, 9, 11, 10]


def test_consecutive_duplicate_prices_are_merged() -> None:
    assert [p for _, p, _ in bar_to_ticks(T0, MINUTE, 10, 12, 10, 12, 6)] == [10, 12]
    assert [p for _, p, _ in bar_to_ticks(T0, MINUTE, 10, 12, 10, 11, 6)] == [10, 12, 11]
    ticks = bar_to_ticks(T0, MINUTE, 12, 12, 9, 9, 7)
    assert [p for _, p, _ in ticks] == [12, 9]
    assert sum(v for _, _, v in ticks) == 7


def test_zero_duration_is_a_single_print_at_the_time() -> None:
    assert bar_to_ticks(T0, timedelta(0), 10, 10, 10, 10, 227) == [(T0, 10, 227)]


# --------------------------------------------------------------------------- A-share stamps


def moutai_replay() -> tuple[list[Bar], list]:
    raw = load_bars(MOUTAI_SERIES.file, MOUTAI_SERIES.symbol, SH)
    return raw, to_replay_bars(raw, MOUTAI_SERIES)


def at(day: int, hh: int, mm: int) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=SH)


def test_ashare_end_stamps_become_start_times() -> None:
    raw, replay = moutai_replay()
    starts = {r.time: rb for r, rb in zip(raw, replay, strict=True)}
    auction = starts[at(23, 9, 30)]
    assert auction.bar.time == at(23, 9, 30) and auction.duration == timedelta(0)
    for stamp, start in [
        (at(23, 9, 31), at(23, 9, 30)),
        (at(23, 11, 30), at(23, 11, 29)),
        (at(23, 13, 1), at(23, 13, 0)),
        (at(23, 15, 0), at(23, 14, 59)),
    ]:
        assert starts[stamp].bar.time == start and starts[stamp].duration == MINUTE


def ticks_of(replay_bar) -> list:
    b = replay_bar.bar
    return bar_to_ticks(b.time, replay_bar.duration, b.open, b.high, b.low, b.close, b.volume)


def test_ashare_auction_tick_shares_the_0930_minute_with_first_continuous_bar() -> None:
    raw, replay = moutai_replay()
    (auction_tick,) = ticks_of(replay[0])
    assert auction_tick == (at(23, 9, 30), 1433.33, 227.0)
    first_minute = ticks_of(replay[1])  # the row stamped 09:31
    assert all(at(23, 9, 30) < t < at(23, 9, 31) for t, _, _ in first_minute)
    assert first_minute[-1][1] == raw[1].close
    by_stamp = {r.time: rb for r, rb in zip(raw, replay, strict=True)}
    for stamp in (at(23, 11, 30), at(23, 13, 1), at(23, 15, 0)):
        times = [t for t, _, _ in ticks_of(by_stamp[stamp])]
        assert all(stamp - MINUTE <= t < stamp for t in times), stamp
    all_ticks = [t for rb in replay for t, _, _ in ticks_of(rb)]
    assert all(a < b for a, b in itertools.pairwise(all_ticks))


def test_btc_start_stamps_are_kept() -> None:
    bars = [Bar("B", T0, 1, 2, 1, 2), Bar("B", T0 + MINUTE, 2, 2, 2, 2)]
    replay = to_replay_bars(bars, BTC_SERIES)
    assert [rb.bar.time for rb in replay] == [T0, T0 + MINUTE]
    assert all(rb.duration == MINUTE for rb in replay)


# --------------------------------------------------------------------------- DemoFeed


def test_resources_resolved_independent_of_cwd(monkeypatch, tmp_path: Path, feeds) -> None:
    assert RESOURCE_DIR.is_absolute()
    assert all(s.file.is_file() for s in DEFAULT_SERIES)
    monkeypatch.chdir(tmp_path)
    feed = feeds(Collector(), series=(MOUTAI_SERIES,))
    assert len(feed.history("600519.SH")) == 239


def test_default_feed_history_then_live_replay_of_real_prices(feeds) -> None:
    sink = Collector()
    feed = feeds(sink, speed=1000)
    assert isinstance(feed, Feed)
    assert feed.instruments() == [
        Instrument("BTC/USDT", "Bitcoin", "UTC", "crypto", 2, None),
        Instrument("600519.SH", "贵州茅台", "Asia/Shanghai", "ashare", 2, None),
    ]
    btc_bars = load_bars(BTC_SERIES.file, "BTC/USDT", UTC)
    moutai_raw, _ = moutai_replay()

    btc_hist = feed.history("BTC/USDT")
    assert len(btc_hist) == 240 and btc_hist == btc_bars[:240]
    moutai_hist = feed.history("600519.SH")
    assert len(moutai_hist) == 239  # 240 rows; the 09:30 auction is merged into 09:30
    assert [b.time for b in moutai_hist[:2]] == [at(23, 9, 30), at(23, 9, 31)]
    auction, first_minute = moutai_raw[0], moutai_raw[1]
    assert moutai_hist[0] == Bar(
        "600519.SH",
        at(23, 9, 30),
        auction.open,
        max(auction.high, first_minute.high),
        min(auction.low, first_minute.low),
        first_minute.close,
        auction.volume + first_minute.volume,
    )
    assert moutai_hist[1] == dataclasses.replace(moutai_raw[2], time=at(23, 9, 31))
    assert moutai_hist[-1].time == at(23, 14, 58)  # the 14:59 row, shifted
    assert all(a.time < b.time for a, b in itertools.pairwise(moutai_hist))
    with pytest.raises(KeyError, match="unknown demo symbol"):
        feed.history("ETH/USDT")

    feed.start()
    wait_for(lambda: sink.count() >= 3000)
    feed.stop()

    per_symbol = by_symbol(sink.ticks())
    assert set(per_symbol) == {"BTC/USDT", "600519.SH"}
    for ticks in per_symbol.values():
        assert_strictly_increasing(ticks)
        assert all(t.time.tzinfo is not None for t in ticks)

    btc = per_symbol["BTC/USDT"]
    assert btc[0].time > btc_hist[-1].time and btc[0].price == btc_bars[240].open
    btc_by_start = {b.time: b for b in btc_bars}
    for tick in btc:
        bar = btc_by_start[tick.time.replace(second=0, microsecond=0)]
        assert tick.price in (bar.open, bar.high, bar.low, bar.close)

    moutai = per_symbol["600519.SH"]
    assert moutai[0].time >= at(23, 14, 59)  # live starts right after the history
    by_stamp = {b.time: b for b in moutai_raw}
    last_stamp = moutai_raw[-1].time
    for tick in moutai:
        t = tick.time
        while t > last_stamp:  # undo lap shifts (whole weeks)
            t -= timedelta(weeks=1)
        is_auction = t.time() == datetime(2000, 1, 1, 9, 30).time()
        stamp = t if is_auction else t.replace(second=0, microsecond=0) + MINUTE
        bar = by_stamp[stamp]
        assert tick.price in (bar.open, bar.high, bar.low, bar.close), (tick, bar)
    assert feed.ticks_sent == sink.count()
    assert feed.error_count == 0


def test_batches_are_nonempty_and_large_at_high_speed(feeds) -> None:
    sink = Collector()
    feed = feeds(sink, speed=1000, series=(MOUTAI_SERIES,))
    feed.start()
    wait_for(lambda: len(sink.batches) >= 4)
    feed.stop()
    assert all(len(batch) >= 1 for batch in sink.batches)
    assert max(len(batch) for batch in sink.batches) >= 50
    assert feed.batches_sent == len(sink.batches)


def test_speed_validation_and_set_speed_while_running(feeds) -> None:
    sink = Collector()
    for bad in (0, 0.05, 1000.5, float("nan"), float("inf"), -1, True, "2"):
        with pytest.raises(ValueError, match="speed"):
            DemoFeed(sink, speed=bad, series=(MOUTAI_SERIES,))  # type: ignore[arg-type]
    feed = feeds(sink, speed=0.1, series=(MOUTAI_SERIES,))  # 1 bar per 2.5 s
    with pytest.raises(ValueError, match=r"0\.1 to 1000"):
        feed.set_speed(5000)
    feed.start()
    time.sleep(0.3)
    assert sink.count() <= 4  # at most the first bar's ticks
    feed.set_speed(1000)
    assert feed.speed == 1000
    wait_for(lambda: sink.count() >= 500)
    feed.stop()
    assert_strictly_increasing(sink.ticks())


def test_failing_sink_does_not_stop_the_feed(feeds) -> None:
    calls = 0
    delivered: list[Tick] = []
    errors: list[Exception] = []

    def flaky(batch: list[Tick]) -> None:
        nonlocal calls
        calls += 1
        if calls % 2 == 1:
            raise RuntimeError(f"boom {calls}")
        delivered.extend(batch)

    def bad_handler(exc: Exception) -> None:
        errors.append(exc)
        raise ValueError("handler bug")  # must be survived too

    feed = feeds(flaky, speed=1000, series=(MOUTAI_SERIES,), on_error=bad_handler)
    feed.start()
    wait_for(lambda: calls >= 6)
    assert feed.is_running
    feed.stop()
    assert feed.error_count >= 3 and len(errors) == feed.error_count
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert feed.ticks_sent == len(delivered) > 0
    assert_strictly_increasing(delivered)


def test_stop_joins_is_idempotent_and_restart_resumes(feeds) -> None:
    workers: set[threading.Thread] = set()
    collector = Collector()

    def sink(batch: list[Tick]) -> None:
        workers.add(threading.current_thread())
        collector(batch)

    feed = feeds(sink, speed=1000, series=(MOUTAI_SERIES,))
    feed.stop()  # before start: no-op
    feed.start()
    with pytest.raises(RuntimeError, match="already running"):
        feed.start()
    wait_for(lambda: collector.count() > 0)
    feed.stop()
    assert not feed.is_running
    (worker,) = workers  # ONE worker thread, daemon, joined by stop()
    assert worker.daemon and not worker.is_alive()
    assert worker is not threading.main_thread()
    sink = collector  # type: ignore[assignment]
    frozen = sink.count()
    time.sleep(0.2)
    assert sink.count() == frozen  # nothing after stop() returned
    feed.stop()
    feed.start()  # resumes
    wait_for(lambda: sink.count() > frozen)
    feed.stop()
    assert_strictly_increasing(sink.ticks())


def test_stop_from_inside_the_sink(feeds) -> None:
    holder: list[DemoFeed] = []

    def sink(batch: list[Tick]) -> None:
        holder[0].stop()

    feed = feeds(sink, speed=1000, series=(MOUTAI_SERIES,))
    holder.append(feed)
    feed.start()
    wait_for(lambda: not feed.is_running)
    assert feed.batches_sent == 1 and feed.error_count == 0


def test_laps_shift_by_whole_weeks_and_keep_time_increasing(tmp_path: Path, feeds) -> None:
    # Mon 09:30 auction, two minutes, Tue close: span ~1.2 days -> next lap one week later.
    series = write_series(
        tmp_path,
        "datetime,open,close,high,low,volume\n"
        "2026-03-23 09:30:00,0,10,10,10,100\n"
        "2026-03-23 09:31:00,10,11,12,9,50\n"
        "2026-03-23 09:32:00,11,10,11.5,9.5,50\n"
        "2026-03-24 15:00:00,10,10.5,10.5,10,80\n",
        stamp="end",
        market="ashare",
        tz=SH,
    )
    sink = Collector()
    feed = feeds(sink, speed=1000, history_bars=0, series=(series,))
    assert feed.history(series.symbol) == []
    feed.start()
    wait_for(lambda: sink.count() >= 60)
    feed.stop()
    ticks = sink.ticks()
    assert_strictly_increasing(ticks)
    auctions = [t for t in ticks if t.time.time() == datetime(2000, 1, 1, 9, 30).time()]
    assert len(auctions) >= 3
    for k, tick in enumerate(auctions):
        assert tick.time == at(23, 9, 30) + timedelta(weeks=k)
        assert tick.time.weekday() == 0 and tick.price == 10 and tick.volume == 100


def test_lap_shift_rounds_up_when_span_is_exactly_a_week(tmp_path: Path, feeds) -> None:
    series = write_series(
        tmp_path,
        "timestamp,open,high,low,close\n2025-03-01 00:00:00,5,5,5,5\n2025-03-08 00:00:00,6,6,6,6\n",
        stamp="start",
        market="crypto",
    )
    sink = Collector()
    feed = feeds(sink, speed=1000, history_bars=0, series=(series,))
    feed.start()
    wait_for(lambda: sink.count() >= 6)
    feed.stop()
    ticks = sink.ticks()
    assert_strictly_increasing(ticks)
    fives = [t.time for t in ticks if t.price == 5]
    assert fives[1] - fives[0] == timedelta(weeks=2)


def test_history_bars_validation_and_larger_than_file(tmp_path: Path, feeds) -> None:
    series = write_series(
        tmp_path,
        "timestamp,open,high,low,close\n2025-03-01 00:00:00,5,5,5,5\n2025-03-01 00:01:00,6,6,6,6\n",
        stamp="start",
        market="crypto",
    )
    with pytest.raises(ValueError, match="history_bars"):
        DemoFeed(Collector(), history_bars=-1, series=(series,))
    sink = Collector()
    feed = feeds(sink, speed=1000, history_bars=10, series=(series,))
    assert len(feed.history(series.symbol)) == 2
    feed.start()
    wait_for(lambda: sink.count() >= 2)
    feed.stop()
    first = sink.ticks()[0]
    assert first.time > datetime(2025, 3, 1, 0, 1, tzinfo=UTC) and first.price == 5


# --------------------------------------------------------------------------- Qt bridge


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[Tick]] = []
        self.errors: list[str] = []
        self.wrong_thread = 0

    def _check_thread(self) -> None:
        app_thread = QCoreApplication.instance().thread()
        on_gui = QThread.currentThread() is app_thread
        if not on_gui or threading.current_thread() is not threading.main_thread():
            self.wrong_thread += 1

    @Slot(object)
    def on_ticks(self, batch: list[Tick]) -> None:
        self._check_thread()
        self.batches.append(batch)

    @Slot(str)
    def on_error(self, text: str) -> None:
        self._check_thread()
        self.errors.append(text)


def test_bridge_delivers_batches_on_the_gui_thread(qtbot, feeds) -> None:
    bridge = FeedBridge()
    receiver = Receiver()
    plain_threads: list[bool] = []
    bridge.ticks_received.connect(receiver.on_ticks)
    bridge.ticks_received.connect(
        lambda _b: plain_threads.append(
            QThread.currentThread() is QCoreApplication.instance().thread()
        )
    )
    bridge.error.connect(receiver.on_error)
    feed = feeds(
        bridge.make_sink(),
        speed=1000,
        series=(MOUTAI_SERIES,),
        on_error=bridge.make_error_handler(),
    )
    feed.start()
    qtbot.waitUntil(lambda: len(receiver.batches) >= 3, timeout=15000)
    feed.stop()
    assert receiver.wrong_thread == 0
    assert plain_threads and all(plain_threads)
    assert all(isinstance(t, Tick) for b in receiver.batches for t in b)
    assert_strictly_increasing([t for b in receiver.batches for t in b])

    worker = threading.Thread(target=bridge.publish_error, args=(RuntimeError("bad\nthing"),))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: receiver.errors == ["RuntimeError: bad thing"], timeout=5000)
    assert receiver.wrong_thread == 0


# --------------------------------------------------------------------------- rate meter


def test_rate_meter_sliding_window() -> None:
    meter = TickRateMeter(window_s=2.0)
    assert meter.rate(now=0.0) == 0.0
    meter.add(10, now=0.0)
    meter.add(30, now=1.0)
    assert meter.rate(now=1.0) == 20.0  # 40 events / 2 s
    assert meter.rate(now=2.0) == 15.0  # the t=0 batch left the (0, 2] window
    assert meter.rate(now=3.5) == 0.0
    meter.add(0, now=4.0)
    assert meter.rate(now=4.0) == 0.0
    meter.add(5, now=4.0)
    meter.reset()
    assert meter.rate(now=4.0) == 0.0


def test_rate_meter_validation() -> None:
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            TickRateMeter(window_s=bad)
    with pytest.raises(ValueError):
        TickRateMeter().add(-1, now=0.0)
    assert TickRateMeter(5).window_s == 5.0


def test_rate_meter_default_clock() -> None:
    meter = TickRateMeter(window_s=1.0)
    meter.add(100)
    assert meter.rate() == 100.0


# --------------------------------------------------------------------------- gaps, backfill, clock


def advance(feed: DemoFeed, bars: float) -> None:
    """Drive the replay by ``bars`` bars without the worker thread (deterministic)."""
    feed._step(bars * BAR_WALL_SECONDS / feed.speed)


def rebuilt(ticks: list[Tick], series: DemoSeries, history: list[Bar] = ()) -> BarSeries:
    bars = BarSeries(series.symbol, series.tz)
    bars.load(history)
    for tick in ticks:
        if tick.symbol == series.symbol:
            bars.add_tick(tick)
    return bars


def test_backfill_is_the_recorded_bars_of_any_lap(feeds) -> None:
    feed = feeds(Collector(), speed=500)
    for series in DEFAULT_SERIES:
        hist = feed.history(series.symbol)
        assert feed.backfill(series.symbol, hist[0].time, hist[-1].time + MINUTE) == hist
    # The 600519 week spans under 7 days, so each lap is shifted by exactly one week.
    raw, replay = moutai_replay()
    assert replay[-1].bar.time + MINUTE - replay[0].bar.time < timedelta(weeks=1)
    week = timedelta(weeks=1)
    lap0 = feed.backfill("600519.SH", at(23, 0, 0), at(28, 0, 0))
    assert len(lap0) == len(raw) - 5  # five 09:30 auction rows merged into their minute
    assert [b.time for b in lap0] == sorted({rb.bar.time for rb in replay})
    lap1 = feed.backfill("600519.SH", at(23, 0, 0) + week, at(28, 0, 0) + week)
    assert lap1 == [dataclasses.replace(b, time=b.time + week) for b in lap0]
    both = feed.backfill("600519.SH", at(27, 14, 58), at(23, 9, 31) + week)
    assert [b.time for b in both] == [
        at(27, 14, 58), at(27, 14, 59), at(23, 9, 30) + week
    ]
    assert feed.backfill("600519.SH", at(20, 0, 0), at(23, 9, 30)) == []
    assert feed.backfill("600519.SH", at(24, 10, 0), at(24, 10, 0)) == []
    with pytest.raises(KeyError, match=r"unknown demo symbol 'ETH/USDT' \(known: BTC/USDT"):
        feed.backfill("ETH/USDT", at(23, 0, 0), at(24, 0, 0))
    with pytest.raises(ValueError, match="tz-aware"):
        feed.backfill("600519.SH", datetime(2026, 3, 23), at(24, 0, 0))


def test_backfill_from_another_thread_while_the_worker_runs(feeds) -> None:
    feed = feeds(Collector(), speed=1000)
    start, end = at(23, 9, 0), at(25, 15, 0)
    want = feed.backfill("600519.SH", start, end)
    results: list[list[Bar]] = []

    def call() -> None:
        for _ in range(20):
            results.append(feed.backfill("600519.SH", start, end))

    feed.start()
    workers = [threading.Thread(target=call) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    feed.stop()
    assert len(results) == 40 and all(r == want for r in results)


@pytest.mark.parametrize(
    ("series", "history_bars"),
    [(BTC_SERIES, 240), (MOUTAI_SERIES, 1100)],  # 600519: replays across a lap boundary
    ids=["btc", "600519-lap"],
)
def test_bars_rebuilt_from_ticks_equal_backfill(series, history_bars, feeds) -> None:
    sink = Collector()
    feed = feeds(sink, speed=500, history_bars=history_bars, series=(series,))
    for _ in range(100):
        advance(feed, 4)
    bars = rebuilt(sink.ticks(), series)
    built = [bars.bar(i) for i in range(len(bars) - 1)]  # the last bar may still be forming
    assert len(built) >= 300
    assert built == feed.backfill(series.symbol, built[0].time, bars.bar(-1).time)
    if series is MOUTAI_SERIES:
        raw, _ = moutai_replay()
        assert built[0].time < raw[-1].time < built[-1].time  # both laps were compared


def test_clock_follows_the_replay_per_symbol(feeds) -> None:
    sink = Collector()
    feed = feeds(sink, speed=500)
    btc_bars = load_bars(BTC_SERIES.file, "BTC/USDT", UTC)
    _, moutai_replay_bars = moutai_replay()
    first_btc = btc_bars[240].time.timestamp()
    first_moutai = moutai_replay_bars[240].bar.time.timestamp()  # history_bars=240 rows
    assert feed.clock("BTC/USDT") == first_btc
    assert feed.clock("600519.SH") == first_moutai
    with pytest.raises(KeyError, match="unknown demo symbol"):
        feed.clock("ETH/USDT")
    last = {s.symbol: feed.clock(s.symbol) for s in DEFAULT_SERIES}
    longest_jump = 0.0
    for step in range(1, 61):
        seen = len(sink.batches)
        advance(feed, 5)
        per_symbol = by_symbol([t for batch in sink.batches[seen:] for t in batch])
        for symbol, before in last.items():
            now = feed.clock(symbol)
            assert now >= before
            assert max(t.time.timestamp() for t in per_symbol[symbol]) <= now + 1e-6
            last[symbol] = now
            if symbol == "600519.SH":
                longest_jump = max(longest_jump, now - before)
        assert feed.clock("BTC/USDT") == pytest.approx(first_btc + step * 5 * 60, abs=1e-3)
    # after 300 bars each clock stands at the start of the 300th live bar
    row = moutai_replay_bars[240 + 300].bar.time.timestamp()
    assert feed.clock("600519.SH") == pytest.approx(row, abs=1e-3)
    assert longest_jump > 12 * 3600  # from a day's close straight to the next day's session


def test_demo_gap_drops_one_run_of_one_symbol_once(feeds) -> None:
    for bad in ({"after_bars": -1, "bars": 1}, {"after_bars": 0, "bars": 0}):
        with pytest.raises(ValueError, match="DemoGap"):
            DemoGap("600519.SH", **bad)
    with pytest.raises(ValueError, match="not a series"):
        DemoFeed(Collector(), gap=DemoGap("ETH/USDT", 1, 1))
    plain, gapped = Collector(), Collector()
    gap = DemoGap("600519.SH", after_bars=30, bars=6)
    feed_plain = feeds(plain, speed=500)
    feed_gap = feeds(gapped, speed=500, gap=gap)
    for _ in range(40):
        advance(feed_plain, 3)
        advance(feed_gap, 3)
    assert feed_plain.skipped_ticks == 0
    a, b = by_symbol(plain.ticks()), by_symbol(gapped.ticks())
    assert a["BTC/USDT"] == b["BTC/USDT"]  # the other symbol is unaffected
    _, replay = moutai_replay()
    skipped_rows = replay[240 + gap.after_bars : 240 + gap.after_bars + gap.bars]
    dropped = [t for rb in skipped_rows for t in ticks_of(rb)]
    assert feed_gap.skipped_ticks == len(dropped) > 0
    dropped_times = {when for when, _, _ in dropped}
    assert b["600519.SH"] == [t for t in a["600519.SH"] if t.time not in dropped_times]
    assert feed_gap.ticks_sent == feed_plain.ticks_sent - len(dropped)


def find_start(replay: list, when: datetime) -> int:
    """Index of the replay row whose (relabelled) start is ``when`` (the later of two)."""
    return max(i for i, rb in enumerate(replay) if rb.bar.time == when)


@pytest.mark.parametrize("symbol", ["BTC/USDT", "600519.SH"])
def test_gap_is_detected_backfilled_and_merged_without_holes(symbol: str, feeds) -> None:
    series = BTC_SERIES if symbol == "BTC/USDT" else MOUTAI_SERIES
    replay = to_replay_bars(load_bars(series.file, symbol, series.tz), series)
    if symbol == "BTC/USDT":
        history_bars, gap = 240, DemoGap(symbol, after_bars=50, bars=7)
    else:  # no history; drop the 11:27 .. 13:01 minutes of the first day: across lunch
        history_bars = 0
        gap = DemoGap(symbol, after_bars=find_start(replay, at(23, 11, 27)), bars=5)
    sink = Collector()
    feed = feeds(sink, speed=500, history_bars=history_bars, series=(series,), gap=gap)
    history = feed.history(symbol)
    tracker = GapTracker()
    bars = rebuilt([], series, history)
    closed = 0  # bars[:closed] were told to the tracker
    reported: list[Gap] = []
    fills: list[Bar] = []
    delivered = 0
    for _ in range(100):
        advance(feed, 3)
        ticks = sink.ticks()
        for tick in ticks[delivered:]:
            bars.add_tick(tick)
        delivered = len(ticks)
        now = feed.clock(symbol)
        # the app closes a 1-minute bar on the clock, once its minute is over
        while closed < len(bars) and bars.times[closed] + 60 <= now:
            tracker.observe_bar(symbol, float(bars.times[closed]))
            closed += 1
        for found in tracker.check(symbol, now):
            assert tracker.backfill_requested(found)
            got = feed.backfill(
                symbol,
                datetime.fromtimestamp(found.start, series.tz),
                datetime.fromtimestamp(found.end, series.tz),
            )
            tracker.backfilled(symbol, [b.time.timestamp() for b in got], gap=found)
            reported.append(found)
            fills.extend(got)

    first = history_bars + gap.after_bars  # live bar r is replay row history_bars + r
    dropped = replay[first : first + gap.bars]
    dropped_minutes = {rb.bar.time for rb in dropped}
    assert feed.skipped_ticks > 0 and reported
    assert {b.time for b in fills} == dropped_minutes  # found exactly the dropped minutes
    assert sum(g.missing for g in reported) == len(dropped_minutes)
    assert tracker.filled.minutes == len(dropped_minutes)
    assert tracker.open == GapCount(0, 0) and tracker.missing == GapCount(0, 0)
    if symbol == "600519.SH":
        assert min(dropped_minutes) < at(23, 11, 30) and max(dropped_minutes) >= at(23, 13, 0)

    live = [bars.bar(i) for i in range(len(bars) - 1)]  # the last bar may still be forming
    merged = merge_bars(live, fills)
    assert merged.added == len(dropped_minutes) and merged.replaced == 0
    whole = feed.backfill(symbol, live[0].time, bars.bar(-1).time)
    assert merged.bars == whole  # no holes, no duplicates, the exchange's bars
    starts = np.array([b.time.timestamp() for b in merged.bars])
    assert find_gaps(symbol, starts, starts[0], starts[-1] + 60) == []


def test_replayed_ticks_carry_the_wall_time_they_waited_as_latency(feeds) -> None:
    """``received - time`` is how long a tick really waited in the replay: never negative,
    never more than a few wake periods (the latency the health view shows)."""
    sink = Collector()
    feed = feeds(sink, speed=16)
    feed.start()
    wait_for(lambda: sink.count() >= 200)
    feed.stop()
    waits = np.array([r.received - r.time for r in sink.raw])
    assert np.all(waits >= 0)
    assert np.all(waits <= MAX_CATCHUP_SECONDS + 4 * WAKE_SECONDS)
    assert waits.max() > 0  # ticks really are batched: some waited
