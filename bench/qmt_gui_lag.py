"""GUI event-loop lag while QMT pushes the whole A-share market (5,500 codes).

The whole app runs offscreen (``Session``: window, monitor thread with rules, bridge,
pipeline, QMT feed) on the fake ``xtdata`` of the tests, subscribed to the whole
'沪深A股' sector. A 10 ms Qt timer on the GUI thread records how late it fires: that
lateness is what a trader feels as a stuck window (a click or a repaint waits for it).

Runs, in one process, each ``--seconds`` long:

* no data: the same window with the terminal down (the floor);
* 1×: the fake pushes the whole market every 3 s, QMT's real L1 cadence;
* 10×: every 0.3 s;
* naive 1×: the same pushes, but the bridge emits one Qt signal per tick instead of one
  per batch (what a first adapter would do), to show what batching buys.

Prints per run the ticks/s the rules received, the feed's backlog of unprocessed pushes
(start → end of the run: growing means the feed cannot keep up), p50 / p99 / max lag in ms
and the ratio of p99 to the no-data floor.

Usage: QT_QPA_PLATFORM=offscreen uv run python bench/qmt_gui_lag.py [--seconds 20] [--rules 2000]
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.feeds.bridge import FeedBridge  # noqa: E402
from app.feeds.qmt_feed import QmtConfig  # noqa: E402
from app.market.quality_types import RawTick  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from app.storage.repository import Store  # noqa: E402
from app.ui.application import build_session, share_the_gil_finely  # noqa: E402
from app.ui.settings import AppSettings  # noqa: E402
from bench.engine import make_rule  # noqa: E402
from tests.helpers.fake_qmt import load_fake_xtdata  # noqa: E402

TIMER_MS = 10
WARMUP_S = 8.0
WATCHLIST = ("600519.SH", "000001.SZ", "300750.SZ", "000300.SH")


class NaiveBridge(FeedBridge):
    """One Qt signal per accepted tick: the baseline batching is measured against."""

    def publish(self, ticks: Sequence[RawTick]) -> None:  # type: ignore[override]
        processed = self.pipeline.process(ticks)
        for tick in processed.ticks:
            self.ticks_received.emit([tick])
        if processed.events:
            self.bars_changed.emit(processed.events)


def seed_rules(db_path: Path, codes: list[str], prices: dict[str, float], count: int) -> None:
    rng = random.Random(7)
    with open_database(db_path) as database:
        repository = Store(database)
        for index in range(count):
            code = codes[index % len(codes)]
            repository.save_rule(make_rule(index, code, prices[code], rng).with_changes(id=None))


def measure(app: QApplication, seconds: float) -> np.ndarray:
    """Lateness (ms) of a 10 ms timer over ``seconds`` of the running event loop."""
    late: list[float] = []
    last = [time.perf_counter()]

    def on_timer() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000.0 - TIMER_MS))
        last[0] = now

    timer = QTimer()
    timer.setInterval(TIMER_MS)
    timer.timeout.connect(on_timer)
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    timer.start()
    loop.exec()
    timer.stop()
    return np.array(late[1:], dtype=np.float64)


def run(app: QApplication, label: str, seconds: float, *, speed: float | None, naive: bool,
        db_path: Path, settings_path: Path) -> tuple[str, np.ndarray, dict]:
    """``speed`` None: the same window with the terminal down (no data: the floor)."""
    xtdata = load_fake_xtdata()
    market = xtdata.fake_reset(speed=speed or 1.0, terminal_up=speed is not None)
    settings = AppSettings(settings_path)
    qmt = QmtConfig(codes=WATCHLIST, whole_market=True)
    if naive:
        import app.ui.application as application
        original = application.FeedBridge
        application.FeedBridge = NaiveBridge  # type: ignore[misc]
    try:
        session = build_session(db_path=db_path, settings=settings, qmt=qmt,
                                qmt_sdk=lambda: xtdata, exchange_clock=market.clock)
    finally:
        if naive:
            application.FeedBridge = original  # type: ignore[misc]
    session.window.show()
    warm = time.monotonic() + 120
    while speed is not None and session.pipeline.health.snapshot().accepted < 5000:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if time.monotonic() > warm:
            snap = session.pipeline.health.snapshot()
            raise SystemExit(f"{label}: the QMT feed never delivered the whole market "
                             f"({snap.state}: {snap.detail}; accepted {snap.accepted}, "
                             f"dropped {dict(snap.dropped_by_reason)})")
    settle = time.monotonic() + WARMUP_S  # start-up work (history, calendar) is not lag
    while time.monotonic() < settle:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    before = session.pipeline.health.snapshot().accepted
    backlog_before = session.qmt_feed.backlog if session.qmt_feed else 0
    lag = measure(app, seconds)
    after = session.pipeline.health.snapshot().accepted
    backlog = session.qmt_feed.backlog if session.qmt_feed else 0
    session.shutdown()
    session.window.close()
    app.processEvents()
    return label, lag, {"ticks/s": (after - before) / seconds,
                        "backlog": f"{backlog_before}→{backlog}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rules", type=int, default=2000)
    parser.add_argument("--only", type=int, nargs="*", default=None,
                        help="run only these runs (0 = no data, always run; 1 = 1x, 2 = 10x, 3 = naive)")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="GIL switch interval in s (default: what the app sets, 0.001)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    if args.switch_interval is None:
        share_the_gil_finely()  # as run_gui does
    else:
        sys.setswitchinterval(args.switch_interval)
    xtdata = load_fake_xtdata()
    xtdata.enable_hello = False
    xtdata.fake_reset(paused=True)
    codes = list(xtdata.get_stock_list_in_sector("沪深A股"))
    ticks = xtdata.get_full_tick(codes)
    prices = {c: t["lastPrice"] or t["lastClose"] for c, t in ticks.items()}
    work = Path(tempfile.mkdtemp(prefix="qmt-bench-"))
    db_path = work / "bench.db"
    seed_rules(db_path, [c for c in codes if prices.get(c)], prices, args.rules)
    print(f"whole market: {len(codes)} codes, {args.rules} rules, {args.seconds:g} s per run, "
          f"{TIMER_MS} ms timer, GIL switch interval {sys.getswitchinterval() * 1000:g} ms")
    runs = [("no data (terminal down)", None, False), ("QMT 1x (push every 3 s)", 1.0, False),
            ("QMT 10x (push every 0.3 s)", 10.0, False),
            ("naive 1x (one signal per tick)", 1.0, True)]
    results = []
    for i, (label, speed, naive) in enumerate(runs):
        if args.only is not None and i not in args.only and i != 0:
            continue
        results.append(run(app, label, args.seconds, speed=speed, naive=naive,
                           db_path=db_path, settings_path=work / f"s{i}.ini"))
    floor = float(np.percentile(results[0][1], 99)) or 0.1
    print(f"{'run':34} {'ticks/s':>8} {'backlog':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'p99/floor':>9}")
    for label, lag, extra in results:
        p50, p99 = np.percentile(lag, [50, 99])
        print(f"{label:34} {extra['ticks/s']:8.0f} {extra['backlog']:>9} {p50:7.1f} {p99:7.1f} "
              f"{lag.max():7.1f} {p99 / floor:9.1f}")


if __name__ == "__main__":
    main()
