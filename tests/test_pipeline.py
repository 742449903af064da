"""The market-data path end to end: feed → validation → bars → gaps → backfill → health,
on the real demo data, through the Qt bridge and in the whole app (issue 4)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.core.models import AlertKind, AlertSource, Bar
from app.feeds.bridge import FeedBridge
from app.feeds.demo import DEFAULT_SERIES, DemoFeed, DemoGap
from app.market.gaps import Gap
from app.market.pipeline import MarketPipeline
from app.market.quality_types import DropReason, QualityNote, RawTick
from app.monitors import sessions
from app.services.monitoring import MonitorService
from app.storage.db import open_database
from app.storage.repository import Store
from app.ui.application import Session, build_session
from app.ui.settings import AppSettings

BTC = "BTC/USDT"
UTC = ZoneInfo("UTC")


def setup_module() -> None:
    sessions.warm_up()


def replay(feed: DemoFeed, pipeline: MarketPipeline, steps: int) -> list:
    """Drive the demo by hand (no thread): each step delivers what became due, then the
    clock closes bars and finds gaps, as the app's 1 s timer does."""
    gaps: list[Gap] = []
    for _ in range(steps):
        feed._step(0.05)
        gaps += pipeline.on_clock().gaps
    return gaps


def test_a_simulated_outage_is_found_backfilled_and_counted() -> None:
    pipeline = MarketPipeline("demo", clock=lambda s: feed.clock(s), replay=True)
    delivered: list[Any] = []

    def sink(batch: list[RawTick]) -> None:
        delivered.extend(pipeline.process(batch).ticks)

    feed = DemoFeed(sink, speed=16, history_bars=10, series=DEFAULT_SERIES[:1],
                    gap=DemoGap(BTC, after_bars=20, bars=4))
    pipeline.watch([BTC])
    gaps = replay(feed, pipeline, 40)  # 40 × 0.05 s × 16 = 32 bars
    assert feed.skipped_ticks > 0
    # an outage still growing when the clock looks is reported as far as it goes, and the
    # rest later: together, exactly the four dropped minutes, one after the other
    assert sum(g.missing for g in gaps) == 4
    assert all(a.end == b.start for a, b in zip(gaps, gaps[1:]))
    start, end = gaps[0].start, gaps[-1].end
    assert not any(start <= t.time.timestamp() < end for t in delivered)
    assert delivered[-1].time.timestamp() > end  # the feed went on after the outage
    snap = pipeline.health.snapshot()
    assert (snap.gaps_open, snap.gaps_filled) == (len(gaps), 0)
    for gap in gaps:
        recorded = feed.backfill(BTC, datetime.fromtimestamp(gap.start, UTC),
                                 datetime.fromtimestamp(gap.end, UTC))
        assert len(recorded) == gap.missing
        assert pipeline.backfill_requested(gap)
        pipeline.backfilled(gap, recorded)
    snap = pipeline.health.snapshot()
    assert (snap.gaps_open, snap.gaps_filled, snap.gaps_missing) == (0, len(gaps), 0)
    assert snap.accepted == len(delivered) and snap.dropped == 0
    assert replay(feed, pipeline, 5) == []  # reported once, never again


def test_a_backfill_that_returns_nothing_leaves_the_minutes_marked_missing() -> None:
    pipeline = MarketPipeline("demo", clock=lambda s: feed.clock(s), replay=True)
    feed = DemoFeed(lambda b: pipeline.process(b), speed=16, history_bars=10,
                    series=DEFAULT_SERIES[:1], gap=DemoGap(BTC, after_bars=5, bars=2))
    gaps = replay(feed, pipeline, 20)
    assert sum(g.missing for g in gaps) == 2
    for gap in gaps:
        pipeline.backfill_requested(gap)
        pipeline.backfilled(gap, [])
    snap = pipeline.health.snapshot()
    assert (snap.gaps_open, snap.gaps_filled, snap.gaps_missing) == (0, 0, len(gaps))


def test_the_pipeline_refuses_bad_prints_and_counts_them_in_health() -> None:
    pipeline = MarketPipeline("test", live=False)
    t0 = datetime(2025, 3, 3, 12, tzinfo=UTC).timestamp()
    raw = [RawTick(BTC, t0, 100.0, volume=1), RawTick(BTC, t0 + 1, 0.0),
           RawTick(BTC, t0 + 1, math.nan), RawTick(BTC, t0 - 5, 101.0),
           RawTick(BTC, t0 + 2, 101.0, bid=102.0, ask=101.5), RawTick(BTC, t0 + 3, 100.5)]
    processed = pipeline.process(raw)
    assert [t.price for t in processed.ticks] == [100.0, 100.5]
    snap = pipeline.health.snapshot()
    assert snap.accepted == 2 and snap.dropped == 4
    assert snap.dropped_by_reason[DropReason.BAD_PRICE] == 2
    assert snap.dropped_by_reason[DropReason.OUT_OF_ORDER] == 1
    assert snap.dropped_by_reason[DropReason.CROSSED_BOOK] == 1


def test_the_bridge_emits_only_accepted_ticks_and_clock_closed_bars(qtbot: Any) -> None:
    now = {"t": datetime(2025, 3, 3, 12, 0, 30, tzinfo=UTC).timestamp()}
    pipeline = MarketPipeline("test", clock=lambda s: now["t"], grace_s=2.0)
    bridge = FeedBridge(pipeline)
    received: list[Any] = []
    bars: list[Any] = []
    bridge.ticks_received.connect(received.extend)
    bridge.bars_changed.connect(bars.extend)
    t0 = now["t"] - 20
    bridge.publish([RawTick(BTC, t0, 100.0, volume=2), RawTick(BTC, t0 + 1, -1.0),
                    RawTick(BTC, t0 + 2, 99.0, volume=1)])
    qtbot.waitUntil(lambda: len(received) == 2, timeout=5000)
    assert [t.price for t in received] == [100.0, 99.0]
    now["t"] = datetime(2025, 3, 3, 12, 1, 1, tzinfo=UTC).timestamp()  # within the grace
    bridge.tick_clock()
    assert not [e for e in bars if e.timeframe == "1m"]
    now["t"] += 2.0
    bridge.tick_clock()
    qtbot.waitUntil(lambda: any(e.timeframe == "1m" for e in bars), timeout=5000)
    one = next(e.bar for e in bars if e.timeframe == "1m")
    assert (one.open, one.high, one.low, one.close, one.volume) == (100.0, 100.0, 99.0, 99.0, 3.0)
    assert one.time == datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def test_a_stop_crossed_inside_a_gap_is_reported_from_the_backfill(tmp_path: Path) -> None:
    """The live feed never delivered the crash; the backfilled bar did: the stop fires once,
    marked as found in backfill."""
    database = open_database(tmp_path / "m.db")
    try:
        service = MonitorService(Store(database))
        rule = service.save_rule({"task_name": "stop", "stock_code": BTC, "stop_loss": 80_000})
        service.start([rule.id])
        t = datetime(2025, 3, 3, 12, tzinfo=UTC)
        live = Bar(BTC, t, 85_000.0, 85_100.0, 84_900.0, 85_000.0)
        service.process_bars([live], AlertSource.LIVE)
        hidden = Bar(BTC, t.replace(minute=5), 84_000.0, 84_100.0, 79_500.0, 84_050.0)
        stored = service.process_bars([hidden])
        assert [(s.alert.kind, s.alert.source) for s in stored] == [
            (AlertKind.STOP_LOSS, AlertSource.BACKFILL)
        ]
        assert list(service.process_bars([hidden])) == []  # merged again: not twice
    finally:
        database.close()


@pytest.fixture
def app_sessions() -> Any:
    started: list[Session] = []
    yield started
    for session in started:
        session.window.close()
        session.shutdown()


def test_the_app_backfills_a_demo_gap_into_the_chart_and_shows_health(
    qtbot: Any, tmp_path: Path, app_sessions: list[Session]
) -> None:
    session = build_session(
        db_path=tmp_path / "monitor.db", settings=AppSettings(tmp_path / "settings.ini"),
        speed=64.0, history_bars=60, demo_gap=DemoGap(BTC, after_bars=30, bars=3),
    )
    app_sessions.append(session)
    session.window.show()
    done: list[tuple[Gap, list[Bar], str]] = []
    session.bridge.backfill_done.connect(lambda g, b, e: done.append((g, b, e)))
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    qtbot.waitUntil(lambda: sum(g.missing for g, _, _ in done) == 3, timeout=30_000)
    bars = [bar for _, part, _ in done for bar in part]
    assert all(error == "" and gap.symbol == BTC for gap, _, error in done)
    assert len(bars) == 3
    series = session.window.series[BTC]
    qtbot.waitUntil(lambda: all(series.index_of_time(b.time.timestamp()) is not None
                                for b in bars), timeout=10_000)
    times = series.times
    assert np.all(np.diff(times) > 0)  # merged in order, no duplicates
    snap = session.pipeline.health.snapshot()
    assert snap.gaps_filled == len(done) and snap.gaps_open == 0 and snap.accepted > 0 and snap.latency_p99_ms is not None
    panel = session.window.health_panel
    qtbot.waitUntil(lambda: panel.feed_table.rowCount() == 1, timeout=5000)
    assert "demo" in session.window.feed_status.text()


def test_a_late_print_revises_its_closed_bar_and_is_counted_in_health() -> None:
    now = {"t": datetime(2025, 3, 3, 12, 0, 50, tzinfo=UTC).timestamp()}
    pipeline = MarketPipeline("test", clock=lambda s: now["t"], grace_s=0.0)
    t0 = datetime(2025, 3, 3, 12, 0, 10, tzinfo=UTC).timestamp()
    pipeline.process([RawTick(BTC, t0, 100.0, volume=1)])
    now["t"] = t0 + 55
    closed = pipeline.on_clock().events
    assert [e.bar.close for e in closed if e.timeframe == "1m"] == [100.0]
    processed = pipeline.process([RawTick(BTC, t0 + 45, 98.0, volume=2)])  # sent before 12:01
    revised = [e.bar for e in processed.events if e.timeframe == "1m"]
    assert [(b.low, b.close, b.volume) for b in revised] == [(98.0, 100.0, 3.0)]
    assert [t.price for t in processed.ticks] == [98.0]  # the rules still see the price
    snap = pipeline.health.snapshot()
    assert snap.notes[QualityNote.LATE_PRINT] == 1


def test_whole_market_pipeline_looks_for_gaps_in_watched_symbols_only() -> None:
    """Every print is validated and built into bars, but a quiet unwatched stock is not
    a gap to download: only the watchlist is checked."""
    start = datetime(2026, 3, 24, 10, 0, tzinfo=sessions.SHANGHAI).timestamp()
    now = [start]
    pipeline = MarketPipeline("QMT", ["600519.SH"], clock=lambda _s: now[0], watched_only=True,
                              grace_s=0.0)
    for minute in (0, 5):  # both symbols trade at 10:00 and 10:05, nothing in between
        t = start + 60 * minute + 1
        now[0] = t
        processed = pipeline.process([RawTick("600519.SH", t, 1400.0 + minute),
                                      RawTick("000002.SZ", t, 8.0 + minute * 0.01)])
        assert len(processed.ticks) == 2
    now[0] = start + 6 * 60 + 1
    gaps = pipeline.on_clock().gaps
    assert {g.symbol for g in gaps} == {"600519.SH"}
    assert [s.symbol for s in pipeline.health.snapshot().symbols] == ["600519.SH"]
