"""Live candlestick chart: price pane + volume pane over one ``BarSeries``.

The chart never listens to ticks. The main window's repaint timer (<= 30 Hz)
calls ``refresh()``, which compares the series' version counters with what was
drawn last time and does the least work that is correct:

* nothing changed            -> return at once;
* only the forming bar moved -> move the two tiny forming items, refit y;
* history changed / new bar  -> re-record the cached history pictures (about
  once per bar), follow the newest bar if the user is looking at it.

Colours follow the Chinese convention by default: RED = up (close >= open),
GREEN = down -- the opposite of Western charts. Pass ``up_color``/``down_color``
to change it (e.g. for users who expect green-up).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from app.market.bars import BarSeries
from app.ui.chart_items import (
    CandleHistoryItem,
    CandlePalette,
    ChartViewBox,
    FormingCandleItem,
    FormingVolumeItem,
    PriceAxis,
    TimeIndexAxis,
    VolumeHistoryItem,
    lod_step,
)
from app.ui.chart_levels import (
    CROSS_COLOR,
    ENTRY_COLOR,
    REBOUND_COLOR,
    STOP_LOSS_COLOR,
    TAKE_PROFIT_COLOR,
    TRAILING_COLOR,
    LevelLayer,
    LevelSet,
)
from app.ui.chart_overlays import (
    AlertMark,
    AlertMarkers,
    Crosshair,
    DryRunMarks,
    JumpFlash,
    bar_index_at,
)

DEFAULT_UP_COLOR = "#f23645"  # red: price went up (Chinese convention)
DEFAULT_DOWN_COLOR = "#089981"  # green: price went down

__all__ = [
    "CROSS_COLOR", "DEFAULT_DOWN_COLOR", "DEFAULT_UP_COLOR", "ENTRY_COLOR", "REBOUND_COLOR",
    "STOP_LOSS_COLOR", "TAKE_PROFIT_COLOR", "TRAILING_COLOR", "AlertMark", "CandleChart",
    "LevelSet",
]


class CandleChart(QtWidgets.QWidget):
    """Candles + volume of one series, with alert levels, hover readout and auto-follow.

    Level lines of saved rules can be dragged: ``level_dragged`` while moving (the
    window answers with ``show_dry_run``), ``level_dropped`` on release (the window
    saves, or calls ``reset_levels`` with the reason when the rule is refused). A
    right-click asks for the price menu with ``price_menu_requested``.
    """

    level_drag_started = QtCore.Signal(int, str)  # rule id, field
    level_dragged = QtCore.Signal(int, str, float)  # rule id, field, price
    level_dropped = QtCore.Signal(int, str, float)  # rule id, field, price
    price_menu_requested = QtCore.Signal(float, QtCore.QPoint)  # price, global position

    INITIAL_BARS = 120
    RIGHT_PAD_BARS = 3
    LEVEL_MARGIN = 0.2  # include a level in the y fit only within 20% of the visible range
    Y_PAD = 0.05
    AXIS_WIDTH = 72  # both left axes equally wide, so candles and volume bars line up

    def __init__(
        self,
        parent: QtWidgets.QWidget | None = None,
        *,
        up_color: QtGui.QColor | str = DEFAULT_UP_COLOR,
        down_color: QtGui.QColor | str = DEFAULT_DOWN_COLOR,
        price_decimals: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._series: BarSeries | None = None
        self._price_decimals = price_decimals
        self._palette = CandlePalette(up_color, down_color)
        self._level_values: list[float] = []
        self._seen_version: int | None = None
        self._seen_len = 0
        self._fitted_price: tuple[float, float] | None = None
        self._fitted_volume: tuple[float, float] | None = None
        self._hover_index: int | None = None
        self._in_refresh = False

        self._build_plots()
        self._build_items()

        self._placeholder = QtWidgets.QLabel(self.tr("Waiting for data…"), self)
        self._placeholder.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._placeholder.setStyleSheet("color: #9ca3af; font-size: 16px; background: transparent;")

        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._glw, 0, 0)
        layout.addWidget(self._placeholder, 0, 0)  # same cell: an overlay, centred

        self.price_plot.vb.sigXRangeChanged.connect(self._on_x_range_changed)
        # Mouse moves arrive at hundreds per second; 30 Hz is plenty for a readout.
        self._mouse_proxy = pg.SignalProxy(
            self._glw.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )
        self._placeholder.raise_()

    # ------------------------------------------------------------------ building
    def _build_plots(self) -> None:
        self._glw = pg.GraphicsLayoutWidget()
        self.time_axis = TimeIndexAxis("bottom")
        # The price pane gets its own (label-less) time axis only for the vertical grid.
        self._price_time_axis = TimeIndexAxis("bottom", showValues=False)
        price_vb, volume_vb = ChartViewBox(), ChartViewBox()
        # Left axes with cached grid lines: pyqtgraph's own drew each translucent grid line
        # afresh on every pan frame (a third of a frame at 1M bars, bench/chart.py).
        self.price_plot: pg.PlotItem = self._glw.addPlot(
            row=0, col=0, viewBox=price_vb,
            axisItems={"bottom": self._price_time_axis, "left": PriceAxis("left")},
        )
        self.volume_plot: pg.PlotItem = self._glw.addPlot(
            row=1, col=0, viewBox=volume_vb,
            axisItems={"bottom": self.time_axis, "left": PriceAxis("left")},
        )
        price_vb.zoom_anchor = volume_vb.zoom_anchor = self._zoom_anchor
        layout = self._glw.ci.layout
        layout.setRowStretchFactor(0, 3)
        layout.setRowStretchFactor(1, 1)
        self._glw.ci.setSpacing(0)
        self.volume_plot.setXLink(self.price_plot)
        for plot in (self.price_plot, self.volume_plot):
            # pyqtgraph's context menu and "A" button are English-only and would let
            # the user switch on y auto-range fights with our own fit: off.
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.vb.setMouseEnabled(x=True, y=False)
            plot.vb.disableAutoRange()
            left = plot.getAxis("left")
            left.setWidth(self.AXIS_WIDTH)
            # Major ticks only: minor grid lines tripled the paint time for no information.
            left.setStyle(maxTickLevel=0)
            plot.showGrid(x=True, y=True, alpha=0.15)
        self._price_time_axis.setHeight(1)
        self.volume_plot.showGrid(x=True, y=False, alpha=0.15)

    def _build_items(self) -> None:
        pal = self._palette
        self.candle_history = CandleHistoryItem(pal)
        self.candle_forming = FormingCandleItem(pal)
        self.volume_history = VolumeHistoryItem(pal)
        self.volume_forming = FormingVolumeItem(pal)
        for item in (self.candle_history, self.candle_forming):
            self.price_plot.addItem(item, ignoreBounds=True)
        for item in (self.volume_history, self.volume_forming):
            self.volume_plot.addItem(item, ignoreBounds=True)

        self._hover_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#9ca3af", style=QtCore.Qt.PenStyle.DotLine)
        )
        self._hover_line.setVisible(False)
        self._hover_line.setZValue(20)
        self.price_plot.addItem(self._hover_line, ignoreBounds=True)

        # Child of the ViewBox itself (not of its zoomed child group): stays at the
        # top-left corner in pixels while the data pans underneath.
        self._readout = QtWidgets.QGraphicsSimpleTextItem(self.price_plot.vb)
        self._readout.setPos(6, 4)
        self._readout.setZValue(30)

        self.level_layer = LevelLayer(self.price_plot, self._fmt_level)
        self.level_layer.snap = self._snap_price
        self.level_layer.drag_started.connect(self.level_drag_started)
        self.level_layer.dragged.connect(self._on_level_dragged)
        self.level_layer.dropped.connect(self._on_level_dropped)
        self.alert_markers = AlertMarkers(self.price_plot)
        self.dry_run_marks = DryRunMarks(self.price_plot)
        self.crosshair = Crosshair(self.price_plot)
        self.jump_flash = JumpFlash(self.price_plot)
        self._marks_placed_for: tuple[int, int] | None = None
        self._glw.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # ------------------------------------------------------------------ public API
    @property
    def series(self) -> BarSeries | None:
        return self._series

    @property
    def levels(self) -> list[LevelSet]:
        return list(self.level_layer.levels)

    @property
    def level_items(self) -> list[pg.GraphicsObject]:
        """The graphics items currently drawing levels (for tests and debugging)."""
        return list(self.level_layer.items)

    @property
    def palette_colors(self) -> tuple[QtGui.QColor, QtGui.QColor]:
        """(up, down) candle colours in use."""
        return QtGui.QColor(self._palette.up_color), QtGui.QColor(self._palette.down_color)

    @property
    def readout_text(self) -> str:
        return self._readout.text()

    def set_up_color_convention(self, convention: str) -> None:
        """``red_up`` (A-share habit, the default) or ``green_up`` (Western charts)."""
        up, down = DEFAULT_UP_COLOR, DEFAULT_DOWN_COLOR
        if convention == "green_up":
            up, down = down, up
        self.set_candle_colors(up, down)

    def set_candle_colors(self, up: QtGui.QColor | str, down: QtGui.QColor | str) -> None:
        """Repaint every candle and volume bar with new up/down colours."""
        if (QtGui.QColor(up), QtGui.QColor(down)) == self.palette_colors:
            return
        self._palette = CandlePalette(up, down)
        for item in (self.candle_history, self.candle_forming, self.volume_history,
                     self.volume_forming):
            item.palette = self._palette
        for item in (self.candle_history, self.volume_history):
            item.clear()  # re-recorded in the new colours by the refresh below
        self._seen_version = None
        self.refresh()
        for item in (self.candle_forming, self.volume_forming):
            item.update()

    def set_placeholder(self, text: str) -> None:
        """Message shown centred while there is no series or it has no bars yet."""
        self._placeholder.setText(text)

    def set_series(self, series: BarSeries | None) -> None:
        """Show another series (or none). Resets the view to its newest bars."""
        self._series = series
        self._seen_version = None
        self._seen_len = 0
        self._fitted_price = None
        self._fitted_volume = None
        self._hover_index = None
        self._hover_line.setVisible(False)
        self.crosshair.hide()
        self.dry_run_marks.clear()
        self._marks_placed_for = None
        self.time_axis.set_series(series)
        self._price_time_axis.set_series(series)
        self._clear_bar_items()
        if series is None or len(series) == 0:
            self._placeholder.show()
        if series is not None:
            self.refresh()

    def refresh(self) -> None:
        """Bring the drawing up to date with the series; cheap when nothing changed."""
        s = self._series
        if s is None or s.version == self._seen_version:
            return
        self._seen_version = s.version
        n = len(s)
        if n == 0:
            self._clear_bar_items()
            self._seen_len = 0
            self._placeholder.show()
            return
        self._placeholder.hide()
        prev_n = self._seen_len
        if n != prev_n:
            self._seen_len = n
            # Limits and the follow shift each move the view; redraw once, below.
            self._in_refresh = True
            try:
                self._update_limits(n)
                if prev_n == 0 or n < prev_n:
                    self._show_latest(s, self.INITIAL_BARS)
                elif self._is_following(prev_n - 1):
                    x0, x1 = self.price_plot.vb.viewRange()[0]
                    d = n - prev_n
                    self.price_plot.vb.setXRange(x0 + d, x1 + d, padding=0)
            finally:
                self._in_refresh = False
            self.time_axis.invalidate()
            self._price_time_axis.invalidate()
        self._update_forming(s)
        self._ensure_history(s)
        self._fit_y()
        self._place_marks(s)
        if self._hover_index is None or self._hover_index >= n - 1:
            self._update_readout()

    # ------------------------------------------------------------------ alerts and jumps
    def set_alert_marks(self, marks: list[AlertMark]) -> None:
        """Markers for the shown symbol's alerts (any timeframe: placed by time)."""
        self.alert_markers.set_marks(marks, self._series)
        s = self._series
        self._marks_placed_for = (id(s), s.history_version) if s is not None else None

    def _place_marks(self, s: BarSeries) -> None:
        key = (id(s), s.history_version)
        if key != self._marks_placed_for:
            self._marks_placed_for = key
            self.alert_markers.place(s)

    def jump_to_time(self, epoch: float) -> int | None:
        """Centre the bar holding ``epoch`` (an alert's time) and flash it; its index.

        The view keeps its zoom and stops following, so the trader can look around the
        alert while new bars come in; ``scroll_to_latest`` resumes following.
        """
        s = self._series
        if s is None or len(s) == 0:
            return None
        i = bar_index_at(s, epoch)
        if i is None:
            i = 0
        x0, x1 = self.price_plot.vb.viewRange()[0]
        half = max((x1 - x0) / 2, 20.0)
        if i + half >= s.last_index + self.RIGHT_PAD_BARS:  # near the end: keep following
            self._show_latest(s, int(2 * half) - self.RIGHT_PAD_BARS)
        else:
            self.price_plot.vb.setXRange(i - half, i + half, padding=0)
        self._ensure_history(s)
        self._fit_y()
        self.jump_flash.flash(i)
        return i

    # ------------------------------------------------------------------ dry run
    def show_dry_run(self, indices: list[int], prices: list[float], text: str) -> None:
        """Rings where the dragged level would have fired, and a line saying how often."""
        line = self.level_layer.dragging
        y = float(line.value()) if line is not None else (prices[-1] if prices else 0.0)
        x0, x1 = self.price_plot.vb.viewRange()[0]
        # Clear of the crosshair's price tag on the left edge.
        self.dry_run_marks.show(indices, prices, text, (x0 + 0.12 * (x1 - x0), y))

    def clear_dry_run(self) -> None:
        self.dry_run_marks.clear()

    def _on_level_dragged(self, rule_id: int, field: str, value: float) -> None:
        self._level_values = self.level_layer.values()
        self.level_dragged.emit(rule_id, field, value)

    def _on_level_dropped(self, rule_id: int, field: str, value: float) -> None:
        self.level_dropped.emit(rule_id, field, value)

    # ------------------------------------------------------------------ right-click
    def price_at(self, scene_pos: QtCore.QPointF) -> float | None:
        """The price under a scene point of the price pane (None outside it)."""
        vb = self.price_plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return float(vb.mapSceneToView(scene_pos).y())

    def _on_scene_clicked(self, event: object) -> None:
        if event.button() != QtCore.Qt.MouseButton.RightButton:  # type: ignore[attr-defined]
            return
        if self.level_layer.dragging is not None:
            return  # a right-click during a drag cancels the drag (pyqtgraph's own rule)
        price = self.price_at(event.scenePos())  # type: ignore[attr-defined]
        if price is None or price <= 0:
            return
        screen = event.screenPos()  # type: ignore[attr-defined]
        self.price_menu_requested.emit(
            self._snap_price(price), QtCore.QPoint(int(screen.x()), int(screen.y())))

    def scroll_to_latest(self, bars: int | None = None) -> None:
        """Show the newest ``bars`` bars (default ~120) and so resume auto-follow."""
        s = self._series
        if s is None or len(s) == 0:
            return
        self._show_latest(s, bars or self.INITIAL_BARS)
        self._ensure_history(s)
        self._fit_y()

    def _show_latest(self, s: BarSeries, bars: int) -> None:
        x1 = s.last_index + 0.5 + self.RIGHT_PAD_BARS
        self.price_plot.vb.setXRange(x1 - bars - self.RIGHT_PAD_BARS, x1, padding=0)

    @property
    def is_following(self) -> bool:
        """True while the newest bar is in view, i.e. new bars will scroll the view."""
        s = self._series
        return s is not None and len(s) > 0 and self._is_following(s.last_index)

    def set_levels(self, levels: list[LevelSet]) -> None:
        """Replace the drawn alert levels (take-profit, stop-loss, entry zone, crossing, activations)."""
        if not self.level_layer.set_levels(levels):
            return
        self._level_values = self.level_layer.values()
        self._fitted_price = None
        self._fit_y()

    def reset_levels(self) -> None:
        """Every level line back where its rule says (a refused drag snaps back)."""
        self.level_layer.reset_positions()
        self._level_values = self.level_layer.values()

    # ------------------------------------------------------------------ formatting
    def _fmt_price(self, v: float) -> str:
        """Readout prices with fixed decimals so the numbers do not jitter in width.

        Without ``price_decimals``: 2 decimals from 1 up (A-share and USDT ticks),
        4 significant digits below 1 (small altcoins).
        """
        d = self._price_decimals
        if d is None:
            a = abs(v)
            d = 2 if a >= 1 or a == 0 else min(10, 3 - math.floor(math.log10(a)))
        return f"{v:.{d}f}"

    def _fmt_level(self, v: float) -> str:
        """Levels are typed by the user: show them as typed (86000, not 86000.00)."""
        if self._price_decimals is not None:
            return f"{v:.{self._price_decimals}f}"
        return f"{v:.10g}"

    @staticmethod
    def _fmt_volume(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"

    def set_price_decimals(self, decimals: int | None) -> None:
        """Decimals of the shown instrument's prices: readout width and where a drag snaps."""
        self._price_decimals = decimals
        self.level_layer.snap = self._snap_price

    def _snap_price(self, v: float) -> float:
        """A dragged level lands on the instrument's price step (fen for A-shares)."""
        d = self._price_decimals
        if d is None:
            if not math.isfinite(v) or v <= 0:
                return v
            d = max(0, 4 - math.floor(math.log10(abs(v))))  # 5 significant digits
        return round(v, d)

    # ------------------------------------------------------------------ drawing
    def _clear_bar_items(self) -> None:
        for item in (
            self.candle_history,
            self.volume_history,
            self.candle_forming,
            self.volume_forming,
        ):
            item.clear()
        self._readout.setText("")

    def _update_limits(self, n: int) -> None:
        """Keep panning/zooming near the data (at most 60 empty bars on the right)."""
        self.price_plot.vb.setLimits(
            xMin=-0.5 - self.INITIAL_BARS,
            xMax=n - 0.5 + self.INITIAL_BARS // 2,
            minXRange=10,
        )

    def _zoom_anchor(self) -> float | None:
        """While following, wheel zoom pins the right edge so the newest bar stays in view."""
        return self.price_plot.vb.viewRange()[0][1] if self.is_following else None

    def _is_following(self, last_index: int) -> bool:
        return self.price_plot.vb.viewRange()[0][1] >= last_index

    def _update_forming(self, s: BarSeries) -> None:
        i = s.last_index
        a = s.slice_arrays(i, i + 1)
        o, h, low, c, v = (
            float(a.open[0]),
            float(a.high[0]),
            float(a.low[0]),
            float(a.close[0]),
            float(a.volume[0]),
        )
        self.candle_forming.set_bar(i, o, h, low, c, v)
        self.volume_forming.set_bar(i, o, h, low, c, v)

    def _ensure_history(self, s: BarSeries) -> None:
        """Bring the history items up to date: nothing to do, add newly closed bars to
        their tails, or rebuild them (an older bar changed, the zoom level changed, or
        the view left their window).

        The window is the visible range plus one view-width each side (finplot's
        ~3x), so ordinary panning reuses the cached drawing instead of redrawing. A
        minute closing at the right edge only redoes the items' small tail, not the
        window (re-recording it once a minute took ~150 ms at large windows on a
        loaded PC).
        """
        v0, v1 = self.price_plot.vb.viewRange()[0]
        step = self._lod_step(v1 - v0)
        span = max(v1 - v0, 50.0)
        i0 = math.floor(v0 - span)
        i1 = math.ceil(v1 + span) + 1
        for item in (self.candle_history, self.volume_history):
            if item.covers(s, v0, v1, step):
                continue
            if item.append_closed(s, step) and item.covers(s, v0, v1, step):
                continue
            item.rebuild(s, i0, i1, step)

    def _lod_step(self, visible_bars: float) -> int:
        px = self.price_plot.vb.width()
        return lod_step(visible_bars / px) if px > 10 else 1

    def _visible_slice(self) -> tuple[int, int]:
        s = self._series
        if s is None:
            return 0, 0
        v0, v1 = self.price_plot.vb.viewRange()[0]
        i0 = max(0, math.ceil(v0 - 0.5))
        i1 = min(len(s), math.floor(v1 + 0.5) + 1)
        return i0, max(i0, i1)

    def _fit_y(self) -> None:
        """Fit y to the visible bars' low..high (and nearby levels); volume to 0..max.

        The extremes come from the candles the history items drew (``extent``): zoomed
        out over 1M bars that is a few hundred merged candles instead of a pass over
        every visible bar (~5 ms a frame). A merged candle at the view's edge counts
        whole, as it is drawn whole, so no drawn wick is cut; merged volume bars show
        sums, so the volume pane fits the sums.
        """
        s = self._series
        if s is None or len(s) == 0:
            return
        i0, i1 = self._visible_slice()
        if i1 <= i0:
            return  # panned into the void: keep the current y range
        last = s.last_index  # the forming bar, drawn unmerged by the forming items
        h1 = min(i1, last)
        lo, hi, vmax = math.inf, -math.inf, 0.0
        if h1 > i0:
            price = self.candle_history.extent(s, i0, h1)
            volume = self.volume_history.extent(s, i0, h1)
            if price is not None and volume is not None:
                (lo, hi), vmax = price, volume[1]
            else:  # the items are stale or hold other bars: read the series, O(bars)
                a = s.slice_arrays(i0, h1)
                lo, hi, vmax = float(a.low.min()), float(a.high.max()), float(a.volume.max())
                step = self.volume_history.step
                if step > 1:  # merged bars show summed volume: fit to the sums
                    vols = s.slice_arrays(i0 - i0 % step, h1).volume
                    sums = np.add.reduceat(vols, np.arange(0, len(vols), step))
                    vmax = max(vmax, float(sums.max()))
        if i1 > last:
            f = s.slice_arrays(last, i1)
            lo, hi = min(lo, float(f.low[0])), max(hi, float(f.high[0]))
            vmax = max(vmax, float(f.volume[0]))
        span = hi - lo if hi > lo else max(abs(hi) * 1e-3, 1e-9)
        margin = self.LEVEL_MARGIN * span
        near = [v for v in self._level_values if lo - margin <= v <= hi + margin]
        if near:
            lo, hi = min(lo, *near), max(hi, *near)
        if hi <= lo:
            lo, hi = lo - span / 2, hi + span / 2
        if (lo, hi) != self._fitted_price:
            self._fitted_price = (lo, hi)
            self.price_plot.vb.setYRange(lo, hi, padding=self.Y_PAD)
        vol = (0.0, vmax * 1.08 if vmax > 0 else 1.0)
        if vol != self._fitted_volume:
            self._fitted_volume = vol
            self.volume_plot.vb.setYRange(*vol, padding=0)
        # pyqtgraph applies a new range to the view transform in prepareForPaint, i.e.
        # inside the paint, which makes Qt paint the whole chart a second time right
        # after; applying it here, once x and y are final, makes it one paint a frame.
        self.price_plot.vb.updateMatrix()
        self.volume_plot.vb.updateMatrix()

    def _on_x_range_changed(self, *_args: object) -> None:
        s = self._series
        if self._in_refresh or s is None or len(s) == 0:
            return
        self._ensure_history(s)
        self._fit_y()

    # ------------------------------------------------------------------ hover readout
    def _on_mouse_moved(self, evt: tuple[QtCore.QPointF]) -> None:
        pos = evt[0]
        s = self._series
        price = self.price_at(pos) if s is not None and len(s) > 0 else None
        if price is None:
            self.crosshair.hide()
        else:
            self.crosshair.show(price, self._fmt_price(price))
        index: int | None = None
        if s is not None and len(s) > 0:
            for plot in (self.price_plot, self.volume_plot):
                if plot.vb.sceneBoundingRect().contains(pos):
                    i = round(plot.vb.mapSceneToView(pos).x())
                    if 0 <= i < len(s):
                        index = i
                    break
        self._set_hover(index)

    def _set_hover(self, index: int | None) -> None:
        if index == self._hover_index:
            return
        self._hover_index = index
        if index is None:
            self._hover_line.setVisible(False)
        else:
            self._hover_line.setValue(index)
            self._hover_line.setVisible(True)
        self._update_readout()

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        self._set_hover(None)
        self.crosshair.hide()
        super().leaveEvent(event)

    def _update_readout(self) -> None:
        s = self._series
        if s is None or len(s) == 0:
            self._readout.setText("")
            return
        i = self._hover_index if self._hover_index is not None else s.last_index
        i = min(i, s.last_index)
        b = s.bar(i)
        fmt = "%Y-%m-%d" if s.timeframe_s >= 86400 else "%Y-%m-%d %H:%M"
        text = self.tr("{time}  O {open}  H {high}  L {low}  C {close}  V {volume}").format(
            time=b.time.strftime(fmt),
            open=self._fmt_price(b.open),
            high=self._fmt_price(b.high),
            low=self._fmt_price(b.low),
            close=self._fmt_price(b.close),
            volume=self._fmt_volume(b.volume),
        )
        self._readout.setText(text)
        self._readout.setBrush(
            self._palette.up_brush if b.close >= b.open else self._palette.down_brush
        )
