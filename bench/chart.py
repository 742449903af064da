"""Chart frame times at 10k, 100k and 1M one-minute bars, against a naive painter.

A real ``CandleChart`` (1400x800, shown, offscreen) draws a synthetic random-walk series
of each size; every scenario is timed frame by frame, a frame being "apply one change,
then let Qt do all the work it causes, painting included" (see ``Frames.run``):

* pan 200 / pan n/8: a 200-bar view, then a view of an eighth of the series (merged
  candles), moved right by 1/10 of its width per frame;
* zoom: the view widened by 10 % per frame about a cursor at 60 % of the data, from
  100 bars up to the whole series, then narrowed back to 100 bars;
* tick: a new price on the forming bar + ``refresh()``, following the newest bar with
  120 bars (the default view) or n/8 bars in view;
* new bar: a tick that opens the next minute (the last bar closes, history grows by
  one) + ``refresh()``, same two views.

The naive baseline is what a first pyqtgraph chart does: default pyqtgraph axes with
the same grid, and an item that draws every visible bar with QPainter calls on each
paint (no cached drawing, no merging of bars when zoomed out), y fitted to the visible
bars. It runs the same scenarios in the same process, on ``NAIVE_FRAMES`` frames spread
over each, and only up to ``--naive-max`` bars (at 1M one zoomed-out frame takes
seconds).

Prints one table: median / p95 / max wall-clock frame time in ms per size and
scenario, the median CPU time of the GUI thread per frame (the same work without the
waits for a core when other processes load the machine; the load average is printed
too), the naive figures and the ratio of the medians. The target is a median <= 16 ms
(60 Hz) at 1M bars for pan and zoom.

Building the series is timed apart (numpy columns through ``BarSeries.load_arrays``,
well under a second for 1M bars; ``load`` of 1M ``Bar`` objects took ~35 s).

Usage: uv run python bench/chart.py [--sizes 10000,100000,1000000] [--naive-max 100000]
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NamedTuple  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

from app.core.models import Tick  # noqa: E402
from app.market.bars import BarSeries  # noqa: E402
from app.ui.chart import DEFAULT_DOWN_COLOR, DEFAULT_UP_COLOR, CandleChart  # noqa: E402

SYMBOL = "BTCUSDT"
T0 = datetime(2023, 1, 2, tzinfo=timezone.utc)
WIDTH, HEIGHT = 1400, 800
PAN_FRAMES = 60
TICK_FRAMES = 60
BAR_FRAMES = 30
NAIVE_FRAMES = 8  # per scenario, spread over it: enough for a median, and the run stays short


# ---------------------------------------------------------------------- data
class Columns(NamedTuple):
    """Bars as columns, what ``BarSeries.load_arrays`` takes."""

    times: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def head(self, n: int) -> Columns:
        return Columns(*(c[:n] for c in self))


def make_bars(n: int, seed: int = 7) -> Columns:
    """``n`` one-minute bars of a random walk around 100."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    spread = np.abs(rng.normal(0.0, 0.0006, (2, n))) * close
    high = np.maximum(open_, close) + spread[0]
    low = np.minimum(open_, close) - spread[1]
    volume = rng.gamma(2.0, 50.0, n)
    times = T0.timestamp() + 60.0 * np.arange(n, dtype=np.float64)
    return Columns(times, open_, high, low, close, volume)


def load_series(bars: Columns) -> BarSeries:
    s = BarSeries(SYMBOL, timezone.utc)
    s.load_arrays(*bars)
    return s


# ---------------------------------------------------------------------- naive chart
class NaiveCandles(pg.GraphicsObject):
    """Every visible bar drawn with QPainter calls on each paint: no cache, no merging."""

    def __init__(self, series: BarSeries, volume: bool) -> None:
        super().__init__()
        self.series = series
        self.volume = volume
        self.up_pen = pg.mkPen(DEFAULT_UP_COLOR)
        self.down_pen = pg.mkPen(DEFAULT_DOWN_COLOR)
        self.up_brush = pg.mkBrush(DEFAULT_UP_COLOR)
        self.down_brush = pg.mkBrush(DEFAULT_DOWN_COLOR)
        self._rect = QtCore.QRectF()
        self.data_changed()

    def data_changed(self) -> None:
        s = self.series
        top = float(s.volume.max()) if self.volume else float(s.high.max())
        bottom = 0.0 if self.volume else float(s.low.min())
        self.prepareGeometryChange()
        self._rect = QtCore.QRectF(-0.5, bottom, len(s), top - bottom)
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)

    def paint(self, p: QtGui.QPainter, *args: object) -> None:
        vb = self.getViewBox()
        if vb is None:
            return
        x0, x1 = vb.viewRange()[0]
        a = self.series.slice_arrays(math.floor(x0), math.ceil(x1) + 1)
        i0 = max(0, math.floor(x0))
        for k, (o, h, lo, c, v) in enumerate(
            zip(a.open.tolist(), a.high.tolist(), a.low.tolist(), a.close.tolist(),
                a.volume.tolist())
        ):
            x = float(i0 + k)
            up = c >= o
            p.setPen(self.up_pen if up else self.down_pen)
            p.setBrush(self.up_brush if up else self.down_brush)
            if self.volume:
                p.drawRect(QtCore.QRectF(x - 0.35, 0.0, 0.7, v))
            else:
                p.drawLine(QtCore.QPointF(x, lo), QtCore.QPointF(x, h))
                p.drawRect(QtCore.QRectF(x - 0.35, min(o, c), 0.7, abs(c - o)))


class NaiveChart(QtWidgets.QWidget):
    """Price + volume panes like ``CandleChart``, drawn by ``NaiveCandles``."""

    def __init__(self, series: BarSeries) -> None:
        super().__init__()
        self.series = series
        self._glw = pg.GraphicsLayoutWidget()
        self.price_plot = self._glw.addPlot(row=0, col=0)
        self.volume_plot = self._glw.addPlot(row=1, col=0)
        self.volume_plot.setXLink(self.price_plot)
        for plot in (self.price_plot, self.volume_plot):
            plot.vb.disableAutoRange()
            plot.showGrid(x=True, y=True, alpha=0.15)
        self.candles = NaiveCandles(series, volume=False)
        self.volumes = NaiveCandles(series, volume=True)
        self.price_plot.addItem(self.candles)
        self.volume_plot.addItem(self.volumes)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._glw)
        self._seen = (series.version, len(series))
        self.price_plot.vb.sigXRangeChanged.connect(self.fit_y)

    def scroll_to_latest(self, bars: int) -> None:
        n = len(self.series)
        self.price_plot.vb.setXRange(n - bars, n + 2.5, padding=0)

    def refresh(self) -> None:
        s = self.series
        if (s.version, len(s)) == self._seen:
            return
        grew = len(s) - self._seen[1]
        self._seen = (s.version, len(s))
        self.candles.data_changed()
        self.volumes.data_changed()
        if grew:
            x0, x1 = self.price_plot.vb.viewRange()[0]
            self.price_plot.vb.setXRange(x0 + grew, x1 + grew, padding=0)
        self.fit_y()

    def fit_y(self, *_args: object) -> None:
        x0, x1 = self.price_plot.vb.viewRange()[0]
        a = self.series.slice_arrays(math.ceil(x0 - 0.5), math.floor(x1 + 0.5) + 1)
        if len(a.low):
            self.price_plot.vb.setYRange(float(a.low.min()), float(a.high.max()), padding=0.05)
            self.volume_plot.vb.setYRange(0.0, float(a.volume.max()) * 1.08, padding=0)


# ---------------------------------------------------------------------- timing
class Timings(NamedTuple):
    """ms per frame: wall clock (what the trader sees) and this thread's CPU time (the
    same work without the waits for a core when other processes load the machine)."""

    wall: list[float]
    cpu: list[float]


class PaintCounter(QtCore.QObject):
    """Counts paint events reaching the chart's viewport (to prove a frame painted)."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Paint:
            self.paints += 1
        return False


class Frames:
    """Times frames of one chart widget (a ``CandleChart`` or a ``NaiveChart``).

    How a frame is made to paint: after the change, ``processEvents`` is called until a
    pass paints nothing more. That is exactly what the app's event loop does between two
    repaint-timer ticks: pyqtgraph defers the view transform to the paint
    (``prepareForPaint``) and QGraphicsScene defers dirty-item processing to a queued
    call, which posts the viewport's UpdateRequest; a lone ``viewport().repaint()`` would
    paint once but leave that queued work (and, with pyqtgraph, a second paint) for the
    next frame to pay. The paint counter checks that every frame did paint; if none
    happened (nothing visible changed) ``repaint()`` forces one so no frame is free.
    """

    def __init__(self, app: QtWidgets.QApplication, widget: QtWidgets.QWidget) -> None:
        self.app = app
        self.widget = widget
        self.viewport = widget._glw.viewport()  # type: ignore[attr-defined]
        self.counter = PaintCounter()
        self.viewport.installEventFilter(self.counter)
        self.paints = 0
        self.frames = 0

    def settle(self) -> None:
        for _ in range(6):
            before = self.counter.paints
            self.app.processEvents()
            self.app.processEvents()  # a queued call may post the UpdateRequest
            if self.counter.paints == before:
                break

    def run(self, changes: Iterable[Callable[[], None]]) -> Timings:
        """Wall-clock and CPU ms per frame, one frame per change."""
        out = Timings([], [])
        self.settle()
        for change in changes:
            before = self.counter.paints
            t0, c0 = time.perf_counter(), time.thread_time()
            change()
            self.settle()
            if self.counter.paints == before:
                self.viewport.repaint()
            out.wall.append((time.perf_counter() - t0) * 1000)
            out.cpu.append((time.thread_time() - c0) * 1000)
            self.paints += self.counter.paints - before
            self.frames += 1
        return out


def pan_changes(vb: pg.ViewBox, n: int, width: float) -> list[Callable[[], None]]:
    x0 = max(0.0, n * 0.5 - 3 * width)
    xs = [x0 + k * width / 10 for k in range(PAN_FRAMES)]
    return [lambda x=x: vb.setXRange(x, x + width, padding=0) for x in xs]


def zoom_ranges(n: int) -> list[tuple[float, float]]:
    """10 % wider per frame about a cursor at 60 % of the data, 100 bars -> all -> 100."""
    c = 0.6 * (n - 1)
    x0, x1 = c - 60.0, c + 40.0
    out = [(x0, x1)]
    while x1 - x0 < n - 1:
        x0 = max(-0.5, c - (c - x0) * 1.1)
        x1 = min(n - 0.5, c + (x1 - c) * 1.1)
        out.append((x0, x1))
    return out + out[-2::-1]


def zoom_changes(vb: pg.ViewBox, n: int) -> list[Callable[[], None]]:
    return [lambda r=r: vb.setXRange(r[0], r[1], padding=0) for r in zoom_ranges(n)]


class Ticker:
    """Ticks for the series' forming bar (``tick``) or opening the next one (``new_bar``)."""

    def __init__(self, series: BarSeries, chart: QtWidgets.QWidget) -> None:
        self.s = series
        self.chart = chart
        self.rng = np.random.default_rng(11)
        self.k = 0

    def _price(self) -> float:
        last = self.s.last_price or 100.0
        return round(last * (1 + float(self.rng.normal(0, 0.0005))), 4)

    def tick(self) -> None:
        self.k = (self.k + 1) % 59
        t = self.s.time_at(self.s.last_index).replace(second=self.k)
        self.s.add_tick(Tick(SYMBOL, t, self._price(), 1.5))
        self.chart.refresh()  # type: ignore[attr-defined]

    def new_bar(self) -> None:
        t = self.s.time_at(self.s.last_index) + timedelta(seconds=60)
        self.s.add_tick(Tick(SYMBOL, t, self._price(), 3.0))
        self.chart.refresh()  # type: ignore[attr-defined]


def stats(ms: list[float]) -> tuple[float, float, float]:
    a = np.asarray(ms)
    return float(np.median(a)), float(np.quantile(a, 0.95)), float(a.max())


def subsample(changes: list[Callable[[], None]], k: int | None) -> list[Callable[[], None]]:
    """``k`` changes spread evenly over ``changes`` (all of them when ``k`` is None)."""
    if k is None or len(changes) <= k:
        return changes
    return [changes[round(j * (len(changes) - 1) / (k - 1))] for j in range(k)]


def scenarios(
    app: QtWidgets.QApplication, make_chart: Callable[[BarSeries], QtWidgets.QWidget],
    s: BarSeries, frames_cap: int | None = None,
) -> tuple[dict[str, Timings], float]:
    """Every scenario on series ``s`` (ticks and bars are added to it); ms per frame by
    name, and paints per frame. ``frames_cap`` limits each scenario to that many frames
    spread over it (the naive chart: its zoomed-out frames take seconds)."""
    n = len(s)
    chart = make_chart(s)
    chart.resize(WIDTH, HEIGHT)
    chart.show()
    frames = Frames(app, chart)
    frames.settle()
    if isinstance(chart, CandleChart):  # after show: the zoom level depends on the width
        chart.set_series(s)
        frames.settle()
    vb = chart.price_plot.vb  # type: ignore[attr-defined]
    out: dict[str, Timings] = {}

    def run(name: str, changes: list[Callable[[], None]]) -> None:
        out[name] = frames.run(subsample(changes, frames_cap))

    run("pan 200 bars", pan_changes(vb, n, 200.0))
    run(f"pan n/8 ({n // 8:,} bars)", pan_changes(vb, n, n / 8))
    run("zoom 100 <-> all", zoom_changes(vb, n))
    ticker = Ticker(s, chart)
    for label, bars_in_view in (("120", 120), ("n/8", n // 8)):
        chart.scroll_to_latest(bars_in_view)  # type: ignore[attr-defined]
        frames.settle()
        run(f"tick, {label} in view", [ticker.tick] * TICK_FRAMES)
        run(f"new bar, {label} in view", [ticker.new_bar] * BAR_FRAMES)
    chart.close()
    chart.deleteLater()
    app.processEvents()
    return out, frames.paints / max(1, frames.frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--naive-max", type=int, default=100_000,
                        help="largest size the naive baseline runs at")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    t_start = time.perf_counter()

    t0 = time.perf_counter()
    all_bars = make_bars(max(sizes))
    make_s = time.perf_counter() - t0
    series: dict[int, BarSeries] = {}
    load_s: list[str] = []
    for n in sizes:
        t0 = time.perf_counter()
        series[n] = load_series(all_bars.head(n))
        load_s.append(f"{n:,} in {time.perf_counter() - t0:.1f} s")
    print(f"setup (not part of the frame figures): {len(all_bars.times):,} bars made in "
          f"{make_s:.1f} s; BarSeries.load_arrays {', '.join(load_s)}")
    print(f"chart {WIDTH}x{HEIGHT}, offscreen; frame = change + all the Qt work it causes, "
          f"painting included; ms; load average at start {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    header = (f"{'bars':>9}  {'scenario':<26}{'median':>8}{'p95':>8}{'max':>8}{'cpu med':>9}"
              f"{'naive med':>11}{'naive p95':>11}{'ratio':>8}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        ours, paints = scenarios(app, lambda _s: CandleChart(), series.pop(n))
        naive: dict[str, Timings] = {}
        if n <= args.naive_max:
            naive, _ = scenarios(app, NaiveChart, load_series(all_bars.head(n)),
                                  NAIVE_FRAMES)
        for name, ms in ours.items():
            med, p95, mx = stats(ms.wall)
            cpu = float(np.median(ms.cpu))
            row = f"{n:>9,}  {name:<26}{med:8.1f}{p95:8.1f}{mx:8.1f}{cpu:9.1f}"
            if name in naive:
                nmed, np95, _ = stats(naive[name].wall)
                row += f"{nmed:11.1f}{np95:11.1f}{nmed / med:7.1f}x"
            print(row, flush=True)
        print(f"{'':>9}  ({paints:.2f} paints per frame; load average now "
              f"{os.getloadavg()[0]:.2f})")
    print(f"total {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
