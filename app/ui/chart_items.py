"""pyqtgraph graphics items for the candle chart.

Two kinds of item, following piker/finplot:

* ``*HistoryItem``: every bar except the forming one, drawn once into a cached
  ``QPicture`` that covers a window of indices around the visible range. Painting
  (pan, zoom, repaint timer) just replays the picture; it is re-recorded only when
  the history changes (about once per bar) or the view leaves the window.
* ``Forming*Item``: the last bar alone, a tiny item repainted on every refresh, so a
  tick never costs more than drawing one candle.

The x coordinate is the bar INDEX, not time, so nights, lunch breaks and weekends
take no space.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from app.market.bars import BarArrays, BarSeries

BODY_WIDTH = 0.7
"""Candle body / volume bar width as a fraction of the bar spacing."""


class CandlePalette:
    """Pens and brushes for up/down bars, created once (not per paint).

    Pens are cosmetic (1 device pixel whatever the zoom) so wicks stay thin and
    a body that is narrower than a pixel at a far zoom-out still shows as a line.
    """

    def __init__(self, up_color: QtGui.QColor | str, down_color: QtGui.QColor | str) -> None:
        self.up_color = QtGui.QColor(up_color)
        self.down_color = QtGui.QColor(down_color)
        self.up_pen = self._pen(self.up_color)
        self.down_pen = self._pen(self.down_color)
        self.up_brush = QtGui.QBrush(self.up_color)
        self.down_brush = QtGui.QBrush(self.down_color)

    @staticmethod
    def _pen(color: QtGui.QColor) -> QtGui.QPen:
        pen = QtGui.QPen(color)
        pen.setCosmetic(True)
        pen.setWidth(1)
        return pen

    def for_bar(self, open_: float, close: float) -> tuple[QtGui.QPen, QtGui.QBrush]:
        """Up (close >= open) or down styling of one bar."""
        if close >= open_:
            return self.up_pen, self.up_brush
        return self.down_pen, self.down_brush


class DrawBars(NamedTuple):
    """Bars as drawn: x centres, OHLCV and body half-widths (merged when zoomed out)."""

    x: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    half: np.ndarray


def lod_step(bars_per_px: float) -> int:
    """How many bars to merge into one drawn candle at this zoom (a power of two).

    finplot's lesson: with thousands of bars on screen, drawing each one costs
    seconds and shows nothing more; merging keeps every drawn candle >= ~2 px wide.
    Powers of two give stable groups, so zooming a little does not rebuild.
    """
    if bars_per_px <= 0.5:
        return 1
    return 1 << math.ceil(math.log2(2.0 * bars_per_px))


def merge_bars(a: BarArrays, i0: int, step: int) -> DrawBars:
    """Group ``step`` consecutive bars (first open, max high, min low, last close, sum volume).

    ``i0`` must be a multiple of ``step`` so groups do not shift while panning.
    """
    n = len(a.open)
    if step <= 1 or n == 0:
        x = np.arange(i0, i0 + n, dtype=np.float64)
        return DrawBars(x, a.open, a.high, a.low, a.close, a.volume, np.full(n, BODY_WIDTH / 2))
    starts = np.arange(0, n, step)
    ends = np.minimum(starts + step, n) - 1
    count = (ends - starts + 1).astype(np.float64)
    return DrawBars(
        x=i0 + (starts + ends) / 2.0,
        open=a.open[starts],
        high=np.maximum.reduceat(a.high, starts),
        low=np.minimum.reduceat(a.low, starts),
        close=a.close[ends],
        volume=np.add.reduceat(a.volume, starts),
        half=count * (BODY_WIDTH / 2),
    )


def _rects_path(
    x: np.ndarray, y0: np.ndarray, y1: np.ndarray, half: np.ndarray
) -> QtGui.QPainterPath:
    """One path holding a closed rectangle per bar, built with numpy (no per-bar objects)."""
    m = len(x)
    if m == 0:
        return QtGui.QPainterPath()
    xl = x - half
    xr = x + half
    px = np.column_stack([xl, xr, xr, xl, xl]).ravel()
    py = np.column_stack([y0, y0, y1, y1, y0]).ravel()
    connect = np.tile(np.array([1, 1, 1, 1, 0], dtype=np.int32), m)
    return pg.arrayToQPath(px, py, connect=connect, finiteCheck=False)


def _wicks_path(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> QtGui.QPainterPath:
    if len(x) == 0:
        return QtGui.QPainterPath()
    px = np.repeat(x, 2)
    py = np.column_stack([low, high]).ravel()
    return pg.arrayToQPath(px, py, connect="pairs", finiteCheck=False)


PathSpec = tuple[QtGui.QPen, QtGui.QBrush, QtGui.QPainterPath]


class _HistoryPictureItem(pg.GraphicsObject):
    """Bars ``[0, last_index)`` of a series, cached as a QPicture over an index window.

    ``rebuild_count`` exists so tests (and a profiler) can check that a refresh
    with nothing new does not re-record the picture.
    """

    def __init__(self, palette: CandlePalette) -> None:
        super().__init__()
        self._palette = palette
        self._picture = QtGui.QPicture()
        self._rect = QtCore.QRectF()
        self.window: tuple[int, int] = (0, 0)
        self.step = 1
        self.built_history_version: int | None = None
        self.rebuild_count = 0
        self._no_brush = QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush)

    # Subclasses say what to draw and how tall it is.
    def _paths(self, d: DrawBars) -> list[PathSpec]:
        raise NotImplementedError

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        raise NotImplementedError

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._picture = QtGui.QPicture()
        self._rect = QtCore.QRectF()
        self.window = (0, 0)
        self.built_history_version = None
        self.update()

    def covers(self, series: BarSeries, v0: float, v1: float, step: int = 1) -> bool:
        """True if the cached picture is current, at this zoom level, and spans the view.

        A window edge that sits on the data's own edge counts as covering
        anything beyond it (there is nothing there to draw).
        """
        if self.built_history_version != series.history_version or self.step != step:
            return False
        w0, w1 = self.window
        n_hist = max(0, len(series) - 1)
        left_ok = w0 <= 0 or w0 <= v0
        right_ok = w1 >= n_hist or w1 >= v1 + 1
        return left_ok and right_ok

    def rebuild(self, series: BarSeries, i0: int, i1: int, step: int = 1) -> None:
        """Re-record the picture for history bars ``i0 <= i < i1``, merged by ``step``."""
        n_hist = max(0, len(series) - 1)  # the last bar belongs to the forming item
        step = max(1, int(step))
        i0 = max(0, min(i0, n_hist))
        i0 -= i0 % step
        i1 = max(i0, min(i1, n_hist))
        d = merge_bars(series.slice_arrays(i0, i1), i0, step)
        pic = QtGui.QPicture()
        if i1 > i0:
            painter = QtGui.QPainter(pic)
            try:
                for pen, brush, path in self._paths(d):
                    painter.setPen(pen)
                    painter.setBrush(brush)
                    painter.drawPath(path)
            finally:
                painter.end()
            lo, hi = self._y_extent(d)
            rect = QtCore.QRectF(i0 - 0.5, lo, i1 - i0, hi - lo)
        else:
            rect = QtCore.QRectF()
        self.prepareGeometryChange()
        self._picture = pic
        self._rect = rect
        self.window = (i0, i1)
        self.step = step
        self.built_history_version = series.history_version
        self.rebuild_count += 1
        self.update()

    def paint(self, p: QtGui.QPainter, *args: object) -> None:
        if self.window[1] > self.window[0]:
            self._picture.play(p)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)


class CandleHistoryItem(_HistoryPictureItem):
    """Wicks then bodies, one path per colour, so there are four draw calls in all."""

    def _paths(self, d: DrawBars) -> list[PathSpec]:
        up = d.close >= d.open
        pal = self._palette
        specs: list[PathSpec] = []
        for mask, pen, brush in (
            (up, pal.up_pen, pal.up_brush),
            (~up, pal.down_pen, pal.down_brush),
        ):
            if not mask.any():
                continue
            specs.append((pen, self._no_brush, _wicks_path(d.x[mask], d.low[mask], d.high[mask])))
            specs.append(
                (pen, brush, _rects_path(d.x[mask], d.open[mask], d.close[mask], d.half[mask]))
            )
        return specs

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        return float(d.low.min()), float(d.high.max())


class VolumeHistoryItem(_HistoryPictureItem):
    """Volume bars from 0, coloured like the candle of the same bar (summed when merged)."""

    def _paths(self, d: DrawBars) -> list[PathSpec]:
        up = d.close >= d.open
        pal = self._palette
        zeros = np.zeros(len(d.x))
        specs: list[PathSpec] = []
        for mask, pen, brush in (
            (up, pal.up_pen, pal.up_brush),
            (~up, pal.down_pen, pal.down_brush),
        ):
            if mask.any():
                specs.append(
                    (pen, brush, _rects_path(d.x[mask], zeros[mask], d.volume[mask], d.half[mask]))
                )
        return specs

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        return 0.0, float(d.volume.max())


class _FormingItem(pg.GraphicsObject):
    """The last bar only; ``set_bar`` is called on each refresh that changed it."""

    def __init__(self, palette: CandlePalette) -> None:
        super().__init__()
        self._palette = palette
        self.index: int | None = None
        self._ohlcv = (0.0, 0.0, 0.0, 0.0, 0.0)
        self._rect = QtCore.QRectF()

    def set_bar(self, index: int, o: float, h: float, low: float, c: float, v: float) -> None:
        rect = self._rect_for(index, o, h, low, c, v)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.index = index
        self._ohlcv = (o, h, low, c, v)
        self.update()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self.index = None
        self._rect = QtCore.QRectF()
        self.update()

    def _rect_for(
        self, i: int, o: float, h: float, low: float, c: float, v: float
    ) -> QtCore.QRectF:
        raise NotImplementedError

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)


class FormingCandleItem(_FormingItem):
    def _rect_for(
        self, i: int, o: float, h: float, low: float, c: float, v: float
    ) -> QtCore.QRectF:
        return QtCore.QRectF(i - 0.5, low, 1.0, h - low)

    def paint(self, p: QtGui.QPainter, *args: object) -> None:
        if self.index is None:
            return
        o, h, low, c, _v = self._ohlcv
        x = float(self.index)
        pen, brush = self._palette.for_bar(o, c)
        half = BODY_WIDTH / 2
        p.setPen(pen)
        p.drawLine(QtCore.QPointF(x, low), QtCore.QPointF(x, h))
        p.setBrush(brush)
        p.drawRect(QtCore.QRectF(x - half, min(o, c), BODY_WIDTH, abs(c - o)))


class FormingVolumeItem(_FormingItem):
    def _rect_for(
        self, i: int, o: float, h: float, low: float, c: float, v: float
    ) -> QtCore.QRectF:
        return QtCore.QRectF(i - 0.5, 0.0, 1.0, v)

    def paint(self, p: QtGui.QPainter, *args: object) -> None:
        if self.index is None:
            return
        o, _h, _low, c, v = self._ohlcv
        pen, brush = self._palette.for_bar(o, c)
        half = BODY_WIDTH / 2
        p.setPen(pen)
        p.setBrush(brush)
        p.drawRect(QtCore.QRectF(self.index - half, 0.0, BODY_WIDTH, v))


class TimeIndexAxis(pg.AxisItem):
    """Bottom axis for an index-based x: ticks at bar indices, labelled with bar times.

    Labels are the bar start in the series' tz (an A-share series reads Beijing
    time whatever the PC's zone is): ``HH:MM`` inside a day, the date on the first
    bar of a day. Ticks are placed where the local time crosses a round step
    (5 min, 30 min, 1 h, ...) chosen from the pixel width so labels never overlap;
    day starts are preferred over round times when both compete for the space.
    """

    # Round label steps (seconds) for intraday timeframes; beyond a day, whole days.
    STEPS_S = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400)
    LABEL_GAP_PX = 16

    def __init__(self, orientation: str = "bottom", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self._series: BarSeries | None = None
        self._label_px: float | None = None

    def set_series(self, series: BarSeries | None) -> None:
        self._series = series
        self.invalidate()

    def invalidate(self) -> None:
        """Forget the cached axis picture (new series, or bars appended under the view)."""
        self.picture = None
        self.update()

    # ------------------------------------------------------------------ labels
    def label_for_index(self, i: int) -> str:
        """Text for the tick at bar ``i`` (empty outside the data)."""
        s = self._series
        if s is None or not 0 <= i < len(s):
            return ""
        dt = s.time_at(i)
        if s.timeframe_s >= 86400:
            return dt.strftime("%Y-%m-%d")
        prev = s.time_at(i - 1) if i > 0 else None
        if prev is None or prev.year != dt.year:
            return dt.strftime("%Y-%m-%d")
        if prev.date() != dt.date():
            return dt.strftime("%m-%d")
        return dt.strftime("%H:%M")

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self.label_for_index(round(v)) for v in values]

    # ------------------------------------------------------------------ placement
    def _min_label_px(self) -> float:
        if self._label_px is None:
            font = self.style.get("tickFont") or self.font()
            fm = QtGui.QFontMetricsF(font)
            self._label_px = fm.horizontalAdvance("0000-00-00") + self.LABEL_GAP_PX
        return self._label_px

    def _local_seconds(self, times: np.ndarray) -> np.ndarray:
        """Epoch seconds shifted to wall-clock seconds of the series' tz.

        One offset for the whole slice when the zone does not change offset inside
        it (always for Asia/Shanghai and UTC); per bar only across a DST switch.
        """
        s = self._series
        assert s is not None
        tz = s.tz

        def off(t: float) -> float:
            delta = datetime.fromtimestamp(t, tz).utcoffset()
            return delta.total_seconds() if delta is not None else 0.0

        o0, o1 = off(float(times[0])), off(float(times[-1]))
        if o0 == o1:
            return times + o0
        return times + np.array([off(float(t)) for t in times])

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # type: ignore[override]
        s = self._series
        if s is None or len(s) == 0 or size <= 0 or maxVal <= minVal:
            return []
        n = len(s)
        i0 = max(0, math.ceil(minVal))
        i1 = min(n - 1, math.floor(maxVal))
        if i1 < i0:
            return []
        min_bars = max(1, math.ceil(self._min_label_px() * (maxVal - minVal) / size))
        if s.timeframe_s >= 86400:
            step = _nice_count(min_bars)
            first = math.ceil(i0 / step) * step
            return [(float(step), [float(v) for v in range(first, i1 + 1, step)])]

        # Include the bar before the view so a change at i0 itself is detected.
        j0 = i0 - 1 if i0 > 0 else i0
        local = self._local_seconds(s.times[j0 : i1 + 1])
        want_s = min_bars * s.timeframe_s
        step_s = next((st for st in self.STEPS_S if st >= want_s), None)
        if step_s is None:
            step_s = 86400 * math.ceil(want_s / 86400)
        day = np.floor(local / 86400)
        bucket = np.floor(local / step_s)
        if j0 < i0:
            day_change = np.flatnonzero(day[1:] != day[:-1]) + i0
            bucket_change = np.flatnonzero(bucket[1:] != bucket[:-1]) + i0
        else:  # the view starts at bar 0: it opens both a day and a bucket
            day_change = np.concatenate([[i0], np.flatnonzero(day[1:] != day[:-1]) + i0 + 1])
            bucket_change = np.concatenate(
                [[i0], np.flatnonzero(bucket[1:] != bucket[:-1]) + i0 + 1]
            )
        chosen = _spaced(day_change.tolist(), [], min_bars)
        chosen = _spaced(bucket_change.tolist(), chosen, min_bars)
        return [(float(min_bars), [float(v) for v in chosen])]


def _nice_count(k: int) -> int:
    """Smallest 1/2/5 x 10^n that is >= k (tick spacing in bars for daily bars)."""
    mag = 1
    while True:
        for m in (1, 2, 5):
            if m * mag >= k:
                return m * mag
        mag *= 10


def _spaced(candidates: list[int], chosen: list[int], min_gap: int) -> list[int]:
    """Add candidates (in order) that are at least ``min_gap`` from every chosen one."""
    out = sorted(chosen)
    for c in candidates:
        pos = int(np.searchsorted(out, c))
        if pos > 0 and c - out[pos - 1] < min_gap:
            continue
        if pos < len(out) and out[pos] - c < min_gap:
            continue
        out.insert(pos, c)
    return out


class ChartViewBox(pg.ViewBox):
    """ViewBox whose wheel zoom can be pinned to an x anchor.

    pyqtgraph zooms about the mouse; on a live chart that would push the newest
    bar off the right edge and silently stop auto-follow. While ``zoom_anchor``
    returns an x (the chart returns the right edge while following), zoom keeps
    that x fixed instead.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.zoom_anchor: Callable[[], float | None] | None = None

    def wheelEvent(self, ev: object, axis: int | None = None) -> None:  # type: ignore[override]
        anchor = self.zoom_anchor() if self.zoom_anchor is not None else None
        if anchor is None or axis == 1 or not self.state["mouseEnabled"][0]:
            super().wheelEvent(ev, axis)
            return
        s = 1.02 ** (ev.delta() * self.state["wheelScaleFactor"])  # type: ignore[attr-defined]
        self._resetTarget()
        self.scaleBy([s, None], pg.Point(anchor, 0.0))
        ev.accept()  # type: ignore[attr-defined]
        self.sigRangeChangedManually.emit([True, False])
