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
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from app.market.bars import BarSeries
from app.monitors.rules import Rule
from app.ui.chart_items import (
    CandleHistoryItem,
    CandlePalette,
    ChartViewBox,
    FormingCandleItem,
    FormingVolumeItem,
    TimeIndexAxis,
    VolumeHistoryItem,
    lod_step,
)

DEFAULT_UP_COLOR = "#f23645"  # red: price went up (Chinese convention)
DEFAULT_DOWN_COLOR = "#089981"  # green: price went down
TAKE_PROFIT_COLOR = "#22c55e"
STOP_LOSS_COLOR = "#ef4444"
ENTRY_COLOR = "#3b82f6"
CROSS_COLOR = "#a855f7"
TRAILING_COLOR = "#f97316"  # 回落卖出 activation
REBOUND_COLOR = "#06b6d4"  # 反弹买入 activation


@dataclass(frozen=True, slots=True)
class LevelSet:
    """The alert levels of one monitor task, as the chart should draw them.

    ``label`` is the task's display name; ``highlighted`` draws it bolder (the
    task selected in the monitor panel). Any level may be None (not set).
    """

    label: str
    take_profit: float | None = None
    stop_loss: float | None = None
    entry_min: float | None = None
    entry_max: float | None = None
    highlighted: bool = False
    cross_level: float | None = None
    cross_direction: str = "either"  # "up", "down" or "either" (CrossDirection values)
    trailing_activation: float | None = None
    rebound_activation: float | None = None
    # When take-profit / stop-loss were given as % from a cost price, the signed %
    # (e.g. +10, -5) for the label; the level itself is the resolved price.
    take_profit_pct: float | None = None
    stop_loss_pct: float | None = None

    @classmethod
    def from_rule(cls, rule: Rule, *, highlighted: bool = False) -> LevelSet:
        """Every price level of a rule; % take-profit / stop-loss resolved from the cost."""
        tp_sign = -1.0 if rule.is_short else 1.0
        return cls(
            label=rule.task_name,
            take_profit=rule.take_profit_level,
            stop_loss=rule.stop_loss_level,
            entry_min=rule.entry_min,
            entry_max=rule.entry_max,
            highlighted=highlighted,
            cross_level=rule.cross_level,
            cross_direction=rule.cross_direction.value,
            trailing_activation=rule.trailing_activation if rule.has_trailing_stop else None,
            rebound_activation=rule.rebound_activation if rule.has_trailing_entry else None,
            take_profit_pct=(
                tp_sign * rule.take_profit_pct
                if rule.take_profit is None and rule.take_profit_pct is not None
                else None
            ),
            stop_loss_pct=(
                -tp_sign * rule.stop_loss_pct
                if rule.stop_loss is None and rule.stop_loss_pct is not None
                else None
            ),
        )


def _escape_format(text: str) -> str:
    """InfLineLabel runs ``str.format`` on its text; a task named "{x}" must not break it."""
    return text.replace("{", "{{").replace("}", "}}")


class _LevelStyles:
    """Pens/brushes for level lines, built once (normal and highlighted variants)."""

    def __init__(self) -> None:
        self.tp_color = QtGui.QColor(TAKE_PROFIT_COLOR)
        self.sl_color = QtGui.QColor(STOP_LOSS_COLOR)
        self.entry_color = QtGui.QColor(ENTRY_COLOR)
        self.tp_pen = {h: self._pen(self.tp_color, h, dashed=True) for h in (False, True)}
        self.sl_pen = {h: self._pen(self.sl_color, h, dashed=True) for h in (False, True)}
        self.entry_pen = {h: self._pen(self.entry_color, h, dashed=False) for h in (False, True)}
        self.cross_color = QtGui.QColor(CROSS_COLOR)
        self.trailing_color = QtGui.QColor(TRAILING_COLOR)
        self.rebound_color = QtGui.QColor(REBOUND_COLOR)
        self.cross_pen = {
            h: self._pen(self.cross_color, h, style=QtCore.Qt.PenStyle.DashDotLine) for h in (False, True)
        }
        self.trailing_pen = {h: self._pen(self.trailing_color, h, dashed=True) for h in (False, True)}
        self.rebound_pen = {h: self._pen(self.rebound_color, h, dashed=True) for h in (False, True)}
        # Labels sit over candles; a dark backing keeps green text readable on a green body.
        self.label_fill = QtGui.QBrush(QtGui.QColor(0, 0, 0, 170))
        self.entry_brush = {
            h: QtGui.QBrush(self._alpha(self.entry_color, 70 if h else 40)) for h in (False, True)
        }

    @staticmethod
    def _alpha(color: QtGui.QColor, alpha: int) -> QtGui.QColor:
        c = QtGui.QColor(color)
        c.setAlpha(alpha)
        return c

    @staticmethod
    def _pen(
        color: QtGui.QColor,
        highlighted: bool,
        *,
        dashed: bool = False,
        style: QtCore.Qt.PenStyle | None = None,
    ) -> QtGui.QPen:
        pen = QtGui.QPen(color)
        pen.setCosmetic(True)
        pen.setWidth(2 if highlighted else 1)
        if style is not None:
            pen.setStyle(style)
        elif dashed:
            pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        return pen


class CandleChart(QtWidgets.QWidget):
    """Candles + volume of one series, with alert levels, hover readout and auto-follow."""

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
        self._level_styles = _LevelStyles()
        self._levels: list[LevelSet] = []
        self._level_items: list[pg.GraphicsObject] = []
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
        self.price_plot: pg.PlotItem = self._glw.addPlot(
            row=0, col=0, viewBox=price_vb, axisItems={"bottom": self._price_time_axis}
        )
        self.volume_plot: pg.PlotItem = self._glw.addPlot(
            row=1, col=0, viewBox=volume_vb, axisItems={"bottom": self.time_axis}
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

    # ------------------------------------------------------------------ public API
    @property
    def series(self) -> BarSeries | None:
        return self._series

    @property
    def levels(self) -> list[LevelSet]:
        return list(self._levels)

    @property
    def level_items(self) -> list[pg.GraphicsObject]:
        """The graphics items currently drawing levels (for tests and debugging)."""
        return list(self._level_items)

    @property
    def palette_colors(self) -> tuple[QtGui.QColor, QtGui.QColor]:
        """(up, down) candle colours in use."""
        return QtGui.QColor(self._palette.up_color), QtGui.QColor(self._palette.down_color)

    @property
    def readout_text(self) -> str:
        return self._readout.text()

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
        if self._hover_index is None or self._hover_index >= n - 1:
            self._update_readout()

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
        levels = list(levels)
        if levels == self._levels:
            return
        for item in self._level_items:
            self.price_plot.removeItem(item)
        self._level_items = []
        self._level_values = []
        self._levels = levels
        for lv in levels:
            self._add_level_items(lv)
        self._fitted_price = None
        self._fit_y()

    # ------------------------------------------------------------------ levels
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

    def _with_name(self, text: str, name: str) -> str:
        return self.tr("{level} · {name}").format(level=text, name=name) if name else text

    @staticmethod
    def _fmt_pct(pct: float) -> str:
        return f"{pct:+.6g}%".replace("-", "\u2212")

    def _add_level_items(self, lv: LevelSet) -> None:
        st = self._level_styles
        h = lv.highlighted
        if lv.take_profit is not None:
            text = self.tr("TP {price}").format(price=self._fmt_level(lv.take_profit))
            if lv.take_profit_pct is not None:
                text = self.tr("{level} ({pct} from cost)").format(
                    level=text, pct=self._fmt_pct(lv.take_profit_pct)
                )
            self._add_line(
                lv.take_profit, st.tp_pen[h], st.tp_color, self._with_name(text, lv.label)
            )
        if lv.stop_loss is not None:
            text = self.tr("SL {price}").format(price=self._fmt_level(lv.stop_loss))
            if lv.stop_loss_pct is not None:
                text = self.tr("{level} ({pct} from cost)").format(
                    level=text, pct=self._fmt_pct(lv.stop_loss_pct)
                )
            self._add_line(lv.stop_loss, st.sl_pen[h], st.sl_color, self._with_name(text, lv.label))
        if lv.cross_level is not None:
            price = self._fmt_level(lv.cross_level)
            if lv.cross_direction == "up":
                text = self.tr("Cross ↑ {price}").format(price=price)
            elif lv.cross_direction == "down":
                text = self.tr("Cross ↓ {price}").format(price=price)
            else:
                text = self.tr("Cross {price}").format(price=price)
            self._add_line(
                lv.cross_level, st.cross_pen[h], st.cross_color, self._with_name(text, lv.label)
            )
        if lv.trailing_activation is not None:
            text = self.tr("Trailing stop from {price}").format(
                price=self._fmt_level(lv.trailing_activation)
            )
            self._add_line(
                lv.trailing_activation,
                st.trailing_pen[h],
                st.trailing_color,
                self._with_name(text, lv.label),
            )
        if lv.rebound_activation is not None:
            text = self.tr("Trailing entry from {price}").format(
                price=self._fmt_level(lv.rebound_activation)
            )
            self._add_line(
                lv.rebound_activation,
                st.rebound_pen[h],
                st.rebound_color,
                self._with_name(text, lv.label),
            )
        bounds = [b for b in (lv.entry_min, lv.entry_max) if b is not None]
        if len(bounds) == 1:
            text = self.tr("Entry {price}").format(price=self._fmt_level(bounds[0]))
            self._add_line(
                bounds[0], st.entry_pen[h], st.entry_color, self._with_name(text, lv.label)
            )
        elif len(bounds) == 2:
            lo, hi = min(bounds), max(bounds)
            text = self.tr("Entry {low}–{high}").format(
                low=self._fmt_level(lo), high=self._fmt_level(hi)
            )
            region = pg.LinearRegionItem(
                values=(lo, hi),
                orientation="horizontal",
                brush=st.entry_brush[h],
                pen=st.entry_pen[h],
                movable=False,
            )
            region.setZValue(-10)  # the fill goes under the candles...
            self.price_plot.addItem(region, ignoreBounds=True)
            self._level_items.append(region)
            self._level_values.append(lo)
            # ...but its label must not: a label is stacked with its parent item, so
            # the upper bound gets its own line (over the candles) to carry it.
            self._add_line(hi, st.entry_pen[h], st.entry_color, self._with_name(text, lv.label))

    def _add_line(self, value: float, pen: QtGui.QPen, color: QtGui.QColor, text: str) -> None:
        line = pg.InfiniteLine(
            pos=value,
            angle=0,
            pen=pen,
            movable=False,
            label=_escape_format(text),
            labelOpts={
                "position": 0.98,
                "color": color,
                "anchors": [(1, 0), (1, 1)],
                "fill": self._level_styles.label_fill,
            },
        )
        line.setZValue(10)
        self.price_plot.addItem(line, ignoreBounds=True)
        self._level_items.append(line)
        self._level_values.append(value)

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
        """Re-record the history pictures if stale, the zoom level changed, or the view
        left their window.

        The window is the visible range plus one view-width each side (finplot's
        ~3x), so ordinary panning replays the cached picture instead of redrawing.
        """
        v0, v1 = self.price_plot.vb.viewRange()[0]
        step = self._lod_step(v1 - v0)
        span = max(v1 - v0, 50.0)
        i0 = math.floor(v0 - span)
        i1 = math.ceil(v1 + span) + 1
        for item in (self.candle_history, self.volume_history):
            if not item.covers(s, v0, v1, step):
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
        """Fit y to the visible bars' low..high (and nearby levels); volume to 0..max."""
        s = self._series
        if s is None or len(s) == 0:
            return
        i0, i1 = self._visible_slice()
        if i1 <= i0:
            return  # panned into the void: keep the current y range
        a = s.slice_arrays(i0, i1)
        lo, hi = float(a.low.min()), float(a.high.max())
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
        vmax = float(a.volume.max())
        step = self.volume_history.step
        if step > 1:  # merged bars show summed volume: fit to the sums
            j0 = i0 - i0 % step
            vols = s.slice_arrays(j0, i1).volume
            vmax = max(vmax, float(np.add.reduceat(vols, np.arange(0, len(vols), step)).max()))
        vol = (0.0, vmax * 1.08 if vmax > 0 else 1.0)
        if vol != self._fitted_volume:
            self._fitted_volume = vol
            self.volume_plot.vb.setYRange(*vol, padding=0)

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
