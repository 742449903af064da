"""pyqtgraph graphics items for the candle chart.

Two kinds of item, following piker/finplot:

* ``*HistoryItem``: every bar except the forming one, turned once into numpy arrays of
  rectangles (wicks, bodies, volume bars; one array per colour) over a window of
  indices around the visible range. A paint (pan, zoom, repaint timer)
  hands the visible part of each array to QPainter in one call; the arrays are rebuilt
  only when the zoom level changes, the view leaves the window or an older bar
  changes. A bar that closes at the right edge goes into a small tail instead, so the
  once-a-minute close does not redo the window.
* ``Forming*Item``: the last bar alone, a tiny item repainted on every refresh, so a
  tick never costs more than drawing one candle.

Why arrays and not a recorded ``QPicture`` (measured on a 2-core box, 1400x800):
``QPicture.play`` decodes every recorded primitive on every paint (2-3x the cost of
drawing from the arrays) and replays the two off-screen thirds of the window too; and a
``QPainterPath`` of many tall rectangles (merged volume bars) hits a slow case of Qt's
path rasterizer, 165 ms for 400 bars, where ``drawRects`` takes 1-2 ms.

The axes here (``TimeIndexAxis``, and ``PriceAxis`` for value axes) draw like
pyqtgraph's but blit their translucent grid lines, and the time axis computes its ticks
and drawing specs with far fewer Python calls: with pyqtgraph's own, the four axes cost
more per frame than all the candles.

The x coordinate is the bar INDEX, not time, so nights, lunch breaks and weekends
take no space.
"""

from __future__ import annotations

import bisect
import math
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from app.market.bars import BarArrays, BarSeries

BODY_WIDTH = 0.7
"""Candle body / volume bar width as a fraction of the bar spacing."""


class CandlePalette:
    """Pens and brushes for up/down bars, created once (not per paint).

    Pens are cosmetic (1 device pixel whatever the zoom) so wicks stay thin and
    a body that is narrower than a pixel at a far zoom-out still shows as a line. The
    history items draw the same pixels as fills grown by one device pixel (cheaper;
    see ``_fill_rects``), the forming items with the pens.
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

    def rows(self, k0: int, k1: int) -> DrawBars:
        """Candles ``k0 <= k < k1`` (views, no copy)."""
        return DrawBars(*(f[k0:k1] for f in self))


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
        # Copies: the series' arrays are views that its next change may rewrite or drop.
        x = np.arange(i0, i0 + n, dtype=np.float64)
        cols = (np.array(c, dtype=np.float64) for c in (a.open, a.high, a.low, a.close, a.volume))
        return DrawBars(x, *cols, np.full(n, BODY_WIDTH / 2))
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


class _MergeMemo:
    """The last ``merge_bars`` of a series window, so the candle and the volume item
    (rebuilt one after the other for the same window) merge it once: zoomed out over
    1M bars one merge is ~7 ms."""

    def __init__(self) -> None:
        self._series: weakref.ref[BarSeries] | None = None
        self._key: tuple[int, int, int, int, int] | None = None
        self._value: DrawBars | None = None

    def merged(self, series: BarSeries, i0: int, i1: int, step: int) -> DrawBars:
        key = (series.history_version, len(series), i0, i1, step)
        if self._series is not None and self._series() is series and key == self._key:
            assert self._value is not None
            return self._value
        value = merge_bars(series.slice_arrays(i0, i1), i0, step)
        self._series, self._key, self._value = weakref.ref(series), key, value
        return value


_MEMO = _MergeMemo()


# --------------------------------------------------------------------------- primitives
# Every history primitive is a rectangle (a wick is one of zero width) filled without a
# pen, grown by one device pixel at paint time. That draws what the palette's 1-px
# cosmetic pen drew (a wick is 1 px wide, a body narrower than a pixel or a doji still
# shows as a 1-px line) at a fifth of the cost: Qt strokes a cosmetic rectangle outline
# edge by edge, while a plain fill is one span per row (800 candles: 2.0 -> 0.4 ms).
#
# PySide's drawRects(const QRectF*, int) overload takes a pointer: a C-contiguous (k, 4)
# float64 array has exactly the layout of k QRectF (x, y, w, h), so it is passed without
# one Python object per candle (pyqtgraph's BarGraphItem does the same).
def _fill_rects(p: QtGui.QPainter, rects: np.ndarray, px_w: float, px_h: float) -> None:
    """Fill ``rects`` grown by one device pixel (``px_w`` x ``px_h`` in item units)."""
    grown = rects + (-0.5 * px_w, -0.5 * px_h, px_w, px_h)
    p.drawRects(shiboken6.wrapInstance(grown.ctypes.data, QtCore.QRectF), len(grown))


def _rows(*columns: np.ndarray) -> np.ndarray:
    """Columns -> a C-contiguous (k, len(columns)) float64 array of primitives."""
    return np.ascontiguousarray(np.column_stack(columns), dtype=np.float64)


class _Layer(NamedTuple):
    """One draw call: rectangles (x, y, w, h) of one colour, ordered by ``x``."""

    brush: QtGui.QBrush
    x: np.ndarray  # centre of each rectangle, ascending: cuts the visible part out
    rects: np.ndarray


def _fingerprint(series: BarSeries, i0: int, i1: int) -> tuple[float, ...]:
    """Sums of the OHLCV columns of bars ``i0 <= i < i1``: a change to any of those
    bars changes them (short of changes that cancel out exactly)."""
    a = series.slice_arrays(i0, i1)
    return tuple(float(np.add.reduce(c)) for c in (a.times, a.open, a.high, a.low, a.close,
                                                     a.volume))


class _Drawn(NamedTuple):
    """Candles of bars ``i0 <= i < i1`` as merged and as drawn."""

    i0: int
    i1: int
    bars: DrawBars
    layers: list[_Layer]
    rect: QtCore.QRectF


class _HistoryItem(pg.GraphicsObject):
    """Bars ``[0, last_index)`` of a series over an index window, as cached primitives.

    The window is drawn as a *base* (bars ``[window[0], tail_start)``) and a *tail*
    (``[tail_start, window[1])``). When the only change since the last build is bars
    appended at the end (a minute closed) and the window reached the data's edge, only
    the tail is redone, up to ``TAIL_MAX_GROUPS`` drawn candles; anything else (an older
    bar changed, a backfilled bar inserted, another zoom level) rebuilds the window.
    At a merged zoom level the base stops at the last whole group, so the partial group
    at the edge, which a new bar changes, is in the tail.

    ``rebuild_count`` counts every re-recording, whole window or tail (a refresh with
    nothing new must not add to it); ``full_rebuild_count`` and ``append_count`` split
    it, so tests (and a profiler) can check which path a change took.
    """

    TAIL_MAX_GROUPS = 64

    def __init__(self, palette: CandlePalette) -> None:
        super().__init__()
        self.palette = palette
        # paint() is told the exposed part of the item, to draw only the visible third.
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.step = 1
        self.rebuild_count = 0
        self.full_rebuild_count = 0
        self.append_count = 0
        self._reset()

    def _reset(self) -> None:
        self._base: _Drawn | None = None
        self._tail: _Drawn | None = None
        self._rect = QtCore.QRectF()
        self.window: tuple[int, int] = (0, 0)
        self.built_history_version: int | None = None
        # What the drawing was built from, to recognise "bars were only appended".
        self._seen_series: weakref.ref[BarSeries] | None = None
        self._seen_len = 0
        self._seen_last_time = math.nan
        self._base_range = (0, 0)  # bars the base was drawn from, and their column sums
        self._base_sums: tuple[float, ...] = ()

    # Subclasses say what to draw and how tall it is.
    def _layers(self, d: DrawBars) -> list[_Layer]:
        raise NotImplementedError

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        raise NotImplementedError

    @property
    def tail_start(self) -> int:
        """First bar of the tail (== ``window[1]`` when the tail is empty)."""
        return self._tail.i0 if self._tail is not None else self.window[1]

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._reset()
        self.update()

    # ------------------------------------------------------------------ state
    def covers(self, series: BarSeries, v0: float, v1: float, step: int = 1) -> bool:
        """True if the cached drawing is current, at this zoom level, and spans the view.

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

    def _appended_only(self, series: BarSeries) -> bool:
        """True if, since the drawing was built, bars were only appended to ``series``
        (as far as the base of the drawing can tell: its bars are unchanged).

        BarSeries bumps ``history_version`` once per appended bar (a tick opening a new
        minute), once per late tick on an older bar (length unchanged) and once per
        ``merge``/``load``/``load_arrays`` (any number of bars). So "as many bumps as new
        bars" plus "the bar that was last still has its start time" (an insertion before
        it would have shifted it) means appends, unless a reload also rewrote older bars
        (the main window refolds a shown 5m/1h series with ``load_arrays`` after a
        backfill): the column sums of the base's bars, taken when it was built, catch
        that. Summing is O(bars in the base), ~2 ms for 1M bars, once per closed bar.
        """
        seen = self._seen_series() if self._seen_series is not None else None
        if seen is not series or self.built_history_version is None or self._seen_len < 1:
            return False
        added = len(series) - self._seen_len
        return (
            added >= 1
            and series.history_version - self.built_history_version == added
            and float(series.times[self._seen_len - 1]) == self._seen_last_time
            and _fingerprint(series, *self._base_range) == self._base_sums
        )

    def _mark_built(self, series: BarSeries) -> None:
        self.built_history_version = series.history_version
        self._seen_series = weakref.ref(series)
        self._seen_len = len(series)
        self._seen_last_time = float(series.times[-1]) if len(series) else math.nan

    # ------------------------------------------------------------------ building
    def _draw(self, d: DrawBars, i0: int, i1: int) -> _Drawn | None:
        if i1 <= i0 or len(d.x) == 0:
            return None
        lo, hi = self._y_extent(d)
        return _Drawn(i0, i1, d, self._layers(d), QtCore.QRectF(i0 - 0.5, lo, i1 - i0, hi - lo))

    def _install(self, base: _Drawn | None, tail: _Drawn | None, w0: int, w1: int) -> None:
        self.prepareGeometryChange()
        self._base, self._tail = base, tail
        rect = QtCore.QRectF()
        for part in (base, tail):
            if part is not None:
                rect = part.rect if rect.isNull() else rect.united(part.rect)
        self._rect = rect
        self.window = (w0, w1)
        self.update()

    def rebuild(self, series: BarSeries, i0: int, i1: int, step: int = 1) -> None:
        """Rebuild the drawing for history bars ``i0 <= i < i1``, merged by ``step``.

        ``i0`` is rounded down to a whole group, and ``i1`` up unless it is the data's
        edge: a drawn candle then always stands for a whole group (pan stable), except
        the partial last group at the edge, which goes into the tail.
        """
        n_hist = max(0, len(series) - 1)  # the last bar belongs to the forming item
        step = max(1, int(step))
        i0 = max(0, min(i0, n_hist))
        i0 -= i0 % step
        i1 = max(i0, min(i1, n_hist))
        if i1 < n_hist:
            i1 = min(n_hist, -(-i1 // step) * step)
        t0 = i1 if i1 < n_hist else max(i0, i1 - i1 % step)
        base = self._draw(_MEMO.merged(series, i0, t0, step), i0, t0)
        tail = self._draw(merge_bars(series.slice_arrays(t0, i1), t0, step), t0, i1)
        self.step = step
        self._install(base, tail, i0, i1)
        self._mark_built(series)
        self._base_range = (i0, t0)
        self._base_sums = _fingerprint(series, i0, t0)
        self.rebuild_count += 1
        self.full_rebuild_count += 1

    def append_closed(self, series: BarSeries, step: int) -> bool:
        """Bring the drawing up to date after bars were appended, without a rebuild.

        Returns False (the caller rebuilds) when the drawing is at another zoom level,
        something other than an append happened, or the tail would pass
        ``TAIL_MAX_GROUPS`` candles. A window that ended before the data's edge has
        nothing to add: the new bars are outside it.
        """
        if step != self.step or not self._appended_only(series):
            return False
        n_hist = len(series) - 1
        w0, w1 = self.window
        if w1 < self._seen_len - 1:
            self._mark_built(series)
            return True
        t0 = self.tail_start
        if n_hist - t0 > self.TAIL_MAX_GROUPS * step:
            return False
        tail = self._draw(merge_bars(series.slice_arrays(t0, n_hist), t0, step), t0, n_hist)
        self._install(self._base, tail, w0, n_hist)
        self._mark_built(series)
        self.rebuild_count += 1
        self.append_count += 1
        return True

    # ------------------------------------------------------------------ queries
    def drawn(self) -> DrawBars:
        """Every candle of the drawing, base then tail (copies; for tests and debugging)."""
        parts = [p.bars for p in (self._base, self._tail) if p is not None]
        if not parts:
            return DrawBars(*(np.empty(0) for _ in DrawBars._fields))
        if len(parts) == 1:
            return parts[0]
        return DrawBars(*(np.concatenate(cols) for cols in zip(*parts)))

    def extent(self, series: BarSeries, i0: int, i1: int) -> tuple[float, float] | None:
        """``_y_extent`` of the drawn candles that hold bars ``i0 <= i < i1``.

        O(candles) instead of O(bars): zoomed out, a candle stands for up to thousands of
        bars. A merged candle at the edge of the range counts whole (it is drawn whole).
        None when the drawing is stale or does not hold all of those bars (the caller
        then reads the series).
        """
        if self.built_history_version != series.history_version:
            return None
        w0, w1 = self.window
        if i1 <= i0 or i0 < w0 or i1 > w1:
            return None
        step = self.step
        lo, hi = math.inf, -math.inf
        for part in (self._base, self._tail):
            if part is None:
                continue
            a, b = max(i0, part.i0), min(i1, part.i1)
            if b <= a:
                continue
            k0, k1 = (a - part.i0) // step, -(-(b - part.i0) // step)
            plo, phi = self._y_extent(part.bars.rows(k0, k1))
            lo, hi = min(lo, plo), max(hi, phi)
        return (lo, hi) if lo <= hi else None

    # ------------------------------------------------------------------ painting
    def paint(
        self,
        p: QtGui.QPainter,
        opt: QtWidgets.QStyleOptionGraphicsItem | None = None,
        widget: QtWidgets.QWidget | None = None,
    ) -> None:
        exposed = opt.exposedRect if opt is not None else QtCore.QRectF()
        if exposed.isValid():  # + a group: a candle whose body reaches in from outside
            xa, xb = exposed.left() - self.step, exposed.right() + self.step
        else:
            xa, xb = -math.inf, math.inf
        dt = QtGui.QTransform(p.deviceTransform())  # a copy: PySide hands out a reference
        if dt.m12() or dt.m21() or not dt.m11() or not dt.m22():
            return  # pyqtgraph never rotates a view box; a degenerate one shows nothing
        px_w, px_h = 1.0 / abs(dt.m11()), 1.0 / abs(dt.m22())
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        for part in (self._base, self._tail):
            if part is None:
                continue
            for layer in part.layers:
                j0 = int(np.searchsorted(layer.x, xa))
                j1 = int(np.searchsorted(layer.x, xb, side="right"))
                if j1 > j0:
                    p.setBrush(layer.brush)
                    _fill_rects(p, layer.rects[j0:j1], px_w, px_h)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)


class CandleHistoryItem(_HistoryItem):
    """Wicks then bodies, one array per colour, so there are four draw calls in all."""

    def _layers(self, d: DrawBars) -> list[_Layer]:
        up = d.close >= d.open
        pal = self.palette
        layers: list[_Layer] = []
        for mask, brush in ((up, pal.up_brush), (~up, pal.down_brush)):
            if not mask.any():
                continue
            x, o, c, half = d.x[mask], d.open[mask], d.close[mask], d.half[mask]
            lo, hi = d.low[mask], d.high[mask]
            layers.append(_Layer(brush, x, _rows(x, lo, np.zeros(len(x)), hi - lo)))
            body = _rows(x - half, np.minimum(o, c), 2 * half, np.abs(c - o))
            layers.append(_Layer(brush, x, body))
        return layers

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        return float(d.low.min()), float(d.high.max())


class VolumeHistoryItem(_HistoryItem):
    """Volume bars from 0, coloured like the candle of the same bar (summed when merged)."""

    def _layers(self, d: DrawBars) -> list[_Layer]:
        up = d.close >= d.open
        pal = self.palette
        layers: list[_Layer] = []
        for mask, brush in ((up, pal.up_brush), (~up, pal.down_brush)):
            if mask.any():
                x, half = d.x[mask], d.half[mask]
                rects = _rows(x - half, np.zeros(len(x)), 2 * half, d.volume[mask])
                layers.append(_Layer(brush, x, rects))
        return layers

    def _y_extent(self, d: DrawBars) -> tuple[float, float]:
        return 0.0, float(d.volume.max())


class _FormingItem(pg.GraphicsObject):
    """The last bar only; ``set_bar`` is called on each refresh that changed it."""

    def __init__(self, palette: CandlePalette) -> None:
        super().__init__()
        self.palette = palette
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
        pen, brush = self.palette.for_bar(o, c)
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
        pen, brush = self.palette.for_bar(o, c)
        half = BODY_WIDTH / 2
        p.setPen(pen)
        p.setBrush(brush)
        p.drawRect(QtCore.QRectF(self.index - half, 0.0, BODY_WIDTH, v))


class _FastLinesAxis(pg.AxisItem):
    """pyqtgraph's AxisItem, but straight 1-px lines (the axis line, ticks and the grid)
    are blitted as cached 1-px wide (or tall) images instead of stroked.

    Why (measured on a 2-core box, 1400x800 chart): the grid is translucent (15 %), and
    Qt's raster engine blends a translucent line or 1-px rectangle one pixel row at a
    time (~1 ms per horizontal line, 0.3-1 ms per vertical one), 15-30 ms a frame for
    the four axes; an untransformed image is blended in one call (~0.03 ms a line).
    The images are drawn on each paint, not recorded in the axis' QPicture: replaying
    an image from a QPicture decodes it again every time. Same pixels: an aliased 1-px
    line at x covers the pixel column right of x, as does the image placed at x.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._line_images: list[tuple[QtCore.QPointF, QtGui.QImage]] = []

    def paint(self, p: QtGui.QPainter, *args: object) -> None:
        if self.picture is None:
            self._line_images = []
            picture = QtGui.QPicture()
            painter = QtGui.QPainter(picture)
            try:
                if self.style["tickFont"]:
                    painter.setFont(self.style["tickFont"])
                specs = self.generateDrawSpecs(painter)
                if specs is not None:
                    self.drawPicture(painter, *specs)
            finally:
                painter.end()
            self.picture = picture
        for pos, image in self._line_images:
            p.drawImage(pos, image)
        self.picture.play(p)

    def updateAutoSIPrefix(self) -> None:
        """pyqtgraph re-lays out the axis label's HTML on every range change, even when no
        label is shown (~0.2 ms each time, 4 axes, every frame); without a visible label
        there is no SI prefix to update, only the stale picture to drop."""
        if self.label.isVisible():
            super().updateAutoSIPrefix()
            return
        self.autoSIPrefixScale = 1.0
        self.labelUnitPrefix = ""
        self.picture = None
        self.update()

    def drawPicture(  # type: ignore[override]
        self, p: QtGui.QPainter, axisSpec: tuple, tickSpecs: list, textSpecs: list
    ) -> None:
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        plain: dict[int, int | None] = {}  # id(pen) -> its rgba if it can be blitted
        for pen, p1, p2 in (axisSpec, *tickSpecs):
            key = id(pen)  # the ticks of a level share one pen: check it once
            if key not in plain:
                plain[key] = _plain_pen_rgba(pen)
            rgba = plain[key]
            blit = _line_image(rgba, p1, p2) if rgba is not None else None
            if blit is not None:
                self._line_images.append(blit)
            else:
                p.setPen(pen)
                p.drawLine(p1, p2)
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        p.setPen(self.textPen())
        p.setClipRect(self.boundingRect().toAlignedRect())
        for rect, flags, text in textSpecs:
            p.drawText(rect, int(flags), text)


_LINE_IMAGES: dict[tuple[int, int, int], QtGui.QImage] = {}


def _plain_pen_rgba(pen: QtGui.QPen) -> int | None:
    """The colour (QRgb) of a solid pen at most 1 px wide, else None."""
    if (
        pen.style() != QtCore.Qt.PenStyle.SolidLine
        or pen.widthF() > 1.0
        or pen.brush().style() != QtCore.Qt.BrushStyle.SolidPattern
    ):
        return None
    return pen.color().rgba()


def _line_image(
    rgba: int, p1: QtCore.QPointF, p2: QtCore.QPointF
) -> tuple[QtCore.QPointF, QtGui.QImage] | None:
    """(top-left, image) drawing a horizontal or vertical 1-px line of colour ``rgba``;
    None for any other line. Images are cached by size and colour (a few dozen)."""
    x1, y1, x2, y2 = p1.x(), p1.y(), p2.x(), p2.y()
    if x1 == x2:
        pos, w, h = QtCore.QPointF(x1, min(y1, y2)), 1, round(abs(y2 - y1)) + 1
    elif y1 == y2:
        pos, w, h = QtCore.QPointF(min(x1, x2), y1), round(abs(x2 - x1)) + 1, 1
    else:
        return None
    key = (w, h, rgba)
    image = _LINE_IMAGES.get(key)
    if image is None:
        if len(_LINE_IMAGES) > 256:
            _LINE_IMAGES.clear()
        image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QtGui.QColor.fromRgba(rgba))
        _LINE_IMAGES[key] = image
    return pos, image


class PriceAxis(_FastLinesAxis):
    """A value axis (the price and volume panes' left axes) with the fast grid lines."""


class TimeIndexAxis(_FastLinesAxis):
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
        self._labels: dict[int, str] = {}
        self._labels_key: tuple[int, int, int, float] | None = None  # id, history, len, last

    def set_series(self, series: BarSeries | None) -> None:
        self._series = series
        self._labels_key = None
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
        """Labels of tick indices, remembered while the bars they come from are unchanged
        (a label only depends on its bar's and the previous bar's start, so appended
        bars keep them): panning keeps most ticks, and two datetimes and a strftime per
        tick were ~0.7 ms a frame."""
        s = self._series
        if s is None:
            return ["" for _ in values]
        n = len(s)
        key = (id(s), s.history_version, n, float(s.times[-1]) if n else math.nan)
        old = self._labels_key
        if old != key:
            appended = (
                old is not None
                and old[0] == key[0]
                and 0 < n - old[2] == s.history_version - old[1]
                and float(s.times[old[2] - 1]) == old[3]
            )
            if not appended or len(self._labels) > 4096:
                self._labels = {}
            self._labels_key = key
        labels = self._labels
        out = []
        for v in values:
            i = round(v)
            text = labels.get(i)
            if text is None:
                text = self.label_for_index(i)
                if text:  # "" is outside the data, which appended bars may fill
                    labels[i] = text
            out.append(text)
        return out

    # ------------------------------------------------------------------ placement
    def _min_label_px(self) -> float:
        if self._label_px is None:
            font = self.style.get("tickFont") or self.font()
            fm = QtGui.QFontMetricsF(font)
            self._label_px = fm.horizontalAdvance("0000-00-00") + self.LABEL_GAP_PX
        return self._label_px

    def _offset(self, epoch: float) -> float:
        """UTC offset (seconds) of the series' tz at ``epoch``."""
        assert self._series is not None
        delta = datetime.fromtimestamp(epoch, self._series.tz).utcoffset()
        return delta.total_seconds() if delta is not None else 0.0

    def _local_seconds(self, times: np.ndarray) -> np.ndarray:
        """Epoch seconds shifted to wall-clock seconds of the series' tz.

        One offset for the whole slice when the zone does not change offset inside
        it (always for Asia/Shanghai and UTC); per bar only across a DST switch.
        """
        o0, o1 = self._offset(float(times[0])), self._offset(float(times[-1]))
        if o0 == o1:
            return times + o0
        return times + np.array([self._offset(float(t)) for t in times])

    # ------------------------------------------------------------------ drawing
    def generateDrawSpecs(self, p: QtGui.QPainter) -> tuple | None:  # type: ignore[override]
        """pyqtgraph's drawing specs for a bottom axis with one tick level (what
        ``tickValues`` returns), computed with a tenth of the Python calls.

        pyqtgraph's general version (four orientations, several tick levels, fill
        limits) measured 2-3 ms per axis per frame here; this one keeps its geometry
        (tick length or grid, text offset, labels centred under their tick, kept inside
        the axis, the 0.8 text height, the grid alpha) and hands anything else to it.
        """
        st = self.style
        if (
            self.orientation != "bottom"
            or self._tickLevels is not None
            or self.logMode
            or st["tickAlpha"] is not None
            or any(st["stopAxisAtTick"])
        ):
            return super().generateDrawSpecs(p)
        if st["tickFont"] is not None:
            p.setFont(st["tickFont"])
        bounds = self.mapRectFromParent(self.geometry())
        view = self.linkedView()
        grid = self.grid is not False and view is not None
        tick_start = view.mapRectToItem(self, view.boundingRect()).top() if grid else bounds.top()
        tick_stop = bounds.top()
        span = (bounds.topLeft() + QtCore.QPointF(-1.0, 1.0),
                bounds.topRight() + QtCore.QPointF(1.0, 1.0))
        d0, d1 = self.mapToDevice(span[0]), self.mapToDevice(span[1])
        if d0 is None or d1 is None:
            return None
        length_px = math.hypot(d1.x() - d0.x(), d1.y() - d0.y())
        if length_px == 0:
            return None
        levels = self.tickValues(self.range[0], self.range[1], length_px)
        if len(levels) > 1:
            return super().generateDrawSpecs(p)
        r0, r1 = self.range
        dif = r1 - r0
        scale = bounds.width() / dif if dif else 1.0
        offset = r0 * scale if dif else 0.0
        x_min, x_max = sorted((r0 * scale - offset, r1 * scale - offset))
        spacing, values = levels[0] if levels else (None, [])
        alpha = 255.0
        if self.grid is not False:
            alpha *= self.grid / 255.0 * min(1.0, max(0.0, 0.05 * length_px / (len(values) + 1)))
        pen = self.tickPen()
        if pen.brush().style() == QtCore.Qt.BrushStyle.SolidPattern:
            pen = QtGui.QPen(pen)
            color = QtGui.QColor(pen.color())
            color.setAlpha(int(alpha))
            pen.setColor(color)
        stop = tick_stop if self.grid is not False else tick_stop + st["tickLength"]
        shown: list[tuple[float, float]] = []  # (value, x) of ticks inside the axis
        tick_specs = []
        for v in values:
            x = v * scale - offset
            if x_min <= x <= x_max:
                shown.append((v, x))
                tick_specs.append((pen, QtCore.QPointF(x, tick_start), QtCore.QPointF(x, stop)))
        axis_spec = (self.pen(), span[0], span[1])
        text_specs: list[tuple[QtCore.QRectF, int, str]] = []
        if not st["showValues"]:
            return axis_spec, tick_specs, text_specs
        if st["maxTextLevel"] < 0 or not shown:
            self._updateMaxTextSize(0)
            return axis_spec, tick_specs, text_specs
        strings = self.tickStrings([v for v, _x in shown], self.autoSIPrefixScale * self.scale,
                                   spacing)
        fm = QtGui.QFontMetricsF(p.font())
        box = QtCore.QRectF(0, 0, 100, 100)
        centre = int(QtCore.Qt.AlignmentFlag.AlignCenter)
        flags = int(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop
                    | QtCore.Qt.TextFlag.TextDontClip)
        top = tick_stop + max(0, st["tickLength"]) + st["tickTextOffset"][1]
        br = self.boundingRect()
        text_h = 0.0
        for (_v, x), text in zip(shown, strings):
            size = fm.boundingRect(box, centre, text)
            w, h = size.width(), size.height() * 0.8
            text_h = max(text_h, h)
            rect = QtCore.QRectF(x - w / 2.0, top, w, h)
            if br & rect == rect:
                text_specs.append((rect, flags, text))
        self._updateMaxTextSize(text_h)
        return axis_spec, tick_specs, text_specs

    # The price pane's time axis (grid only) and the volume pane's (labels) ask for the
    # same ticks on every frame: the last answer is shared.
    _last_ticks: tuple[weakref.ref[BarSeries], tuple, list] | None = None

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # type: ignore[override]
        s = self._series
        if s is None:
            return []
        key = (len(s), s.history_version, minVal, maxVal, size, self._min_label_px())
        last = TimeIndexAxis._last_ticks
        if last is not None and last[0]() is s and last[1] == key:
            return last[2]
        ticks = self._tick_values(minVal, maxVal, size)
        TimeIndexAxis._last_ticks = (weakref.ref(s), key, ticks)
        return ticks

    def _tick_values(self, minVal: float, maxVal: float, size: float) -> list:
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
        want_s = min_bars * s.timeframe_s
        step_s = next((st for st in self.STEPS_S if st >= want_s), None)
        if step_s is None:
            step_s = 86400 * math.ceil(want_s / 86400)
        times = s.times
        col = times[j0 : i1 + 1]
        o0, o1 = self._offset(float(col[0])), self._offset(float(col[-1]))
        if o0 == o1:  # one offset (always for Asia/Shanghai and UTC)
            day_change = _period_starts(col, j0, i0, o0, 86400)
            bucket_change = _period_starts(col, j0, i0, o0, step_s)
        else:  # a DST switch in view: per-bar offsets, and local time is not monotonic
            local = self._local_seconds(col)
            day_change = _period_starts(local, j0, i0, 0.0, 86400, search=False)
            bucket_change = _period_starts(local, j0, i0, 0.0, step_s, search=False)
        chosen = _spaced(day_change.tolist(), [], min_bars)
        chosen = _spaced(bucket_change.tolist(), chosen, min_bars)
        return [(float(min_bars), [float(v) for v in chosen])]


def _period_starts(
    col: np.ndarray, j0: int, i0: int, offset: float, period: float, *, search: bool = True
) -> np.ndarray:
    """Bars that open a new period (a day, a round 30 min, ...) of local time, ascending.

    ``col`` holds the times of bars ``j0..i1`` (local time is ``col + offset``). ``j0``
    is the bar before the view (it tells whether ``i0`` opens a period) or ``i0`` itself
    when the view starts at bar 0, which then opens one.

    With fewer period boundaries than bars (zoomed out: ~700 days over 1M one-minute
    bars) each boundary is found by binary search instead of a pass over every bar in
    view, which took ~20 ms a frame at 1M bars. ``search=False`` forces the pass (local
    time that is not monotonic, across a DST switch).
    """
    k0 = math.floor((float(col[0]) + offset) / period) + 1
    k1 = math.floor((float(col[-1]) + offset) / period)
    if search and k1 - k0 + 1 <= len(col) - 1:
        bounds = np.arange(k0, k1 + 1, dtype=np.float64) * period - offset
        idx = np.unique(np.searchsorted(col, bounds, side="left")) + j0
    else:
        per = np.floor((col + offset) / period)
        idx = np.flatnonzero(per[1:] != per[:-1]) + j0 + 1
    if j0 == i0:
        idx = np.concatenate([[i0], idx])
    return idx.astype(np.int64)


def _nice_count(k: int) -> int:
    """Smallest 1/2/5 x 10^n that is >= k (tick spacing in bars for daily bars)."""
    mag = 1
    while True:
        for m in (1, 2, 5):
            if m * mag >= k:
                return m * mag
        mag *= 10


def _spaced(candidates: Sequence[int], chosen: list[int], min_gap: int) -> list[int]:
    """Add candidates (ascending) that are at least ``min_gap`` from every chosen one,
    greedily in order.

    With nothing chosen yet only the last pick can be too close, so the next pick is a
    binary search away: zoomed out there are thousands of day starts and room for ~15.
    """
    if not chosen:
        c = np.asarray(candidates, dtype=np.int64)
        picks: list[int] = []
        k = 0
        while k < len(c):
            v = int(c[k])
            picks.append(v)
            k = int(np.searchsorted(c, v + min_gap, side="left"))
        return picks
    out = sorted(chosen)
    for c in candidates:
        pos = bisect.bisect_left(out, c)
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

    A new view transform (pan, zoom, y fit) repaints the whole viewport as one
    rectangle. Left to QGraphicsView's minimal updates, the dirty region is the union of
    every moved item's rectangle, and Qt then clips each fill span by span against that
    region: measured 20x slower for the grid lines, ~2x for the whole frame.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.zoom_anchor: Callable[[], float | None] | None = None

    def updateMatrix(self, changed: object = None) -> None:
        before = self.childGroup.transform()
        super().updateMatrix(changed)
        scene = self.scene()
        if scene is not None and self.childGroup.transform() != before:
            for view in scene.views():
                view.viewport().update()

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
