"""Rule levels on the chart: lines and bands a trader can grab and drag.

A saved rule's take-profit, stop-loss, entry zone, crossing level and trailing
activations are drawn as horizontal lines (the entry zone as a band between two
lines). Each line knows which rule and which field it stands for, so dragging one
reports ``(rule id, field, price)``: while moving (for the dry run) and once on
release (to save). The layer never saves anything itself: the window validates and
saves through the monitor worker and calls ``reset_positions`` when a drop is refused,
which puts every line back where its rule says.

Dragged prices snap to the instrument's price step, so a stop is never saved at
1689.4837 on a stock that trades in fen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui
from PySide6.QtCore import QCoreApplication

from app.monitors.rules import Rule

TAKE_PROFIT_COLOR = "#22c55e"
STOP_LOSS_COLOR = "#ef4444"
ENTRY_COLOR = "#3b82f6"
CROSS_COLOR = "#a855f7"
TRAILING_COLOR = "#f97316"  # 回落卖出 activation
REBOUND_COLOR = "#06b6d4"  # 反弹买入 activation


# The chart's strings are translated under the CandleChart context (where they were first
# written). Every call below is a literal ``QCoreApplication.translate("CandleChart", ...)``:
# lupdate extracts only literal strings, and drops from the catalogue what it cannot see.


@dataclass(frozen=True, slots=True)
class LevelSet:
    """The alert levels of one monitor task, as the chart should draw them.

    ``label`` is the task's display name; ``highlighted`` draws it bolder (the
    task selected in the monitor panel). Any level may be None (not set).
    ``rule_id`` makes the lines draggable: without it they are only drawn.
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
    rule_id: int | None = None

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
            rule_id=rule.id,
        )


def escape_format(text: str) -> str:
    """InfLineLabel runs ``str.format`` on its text; a task named "{x}" must not break it."""
    return text.replace("{", "{{").replace("}", "}}")


class LevelStyles:
    """Pens/brushes for level lines, built once (normal and highlighted variants)."""

    def __init__(self) -> None:
        self.tp_color = QtGui.QColor(TAKE_PROFIT_COLOR)
        self.sl_color = QtGui.QColor(STOP_LOSS_COLOR)
        self.entry_color = QtGui.QColor(ENTRY_COLOR)
        self.cross_color = QtGui.QColor(CROSS_COLOR)
        self.trailing_color = QtGui.QColor(TRAILING_COLOR)
        self.rebound_color = QtGui.QColor(REBOUND_COLOR)
        dash, dot = QtCore.Qt.PenStyle.DashLine, QtCore.Qt.PenStyle.DashDotLine
        solid = QtCore.Qt.PenStyle.SolidLine
        self.tp_pen = {h: self._pen(self.tp_color, h, dash) for h in (False, True)}
        self.sl_pen = {h: self._pen(self.sl_color, h, dash) for h in (False, True)}
        self.entry_pen = {h: self._pen(self.entry_color, h, solid) for h in (False, True)}
        self.cross_pen = {h: self._pen(self.cross_color, h, dot) for h in (False, True)}
        self.trailing_pen = {h: self._pen(self.trailing_color, h, dash) for h in (False, True)}
        self.rebound_pen = {h: self._pen(self.rebound_color, h, dash) for h in (False, True)}
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
    def _pen(color: QtGui.QColor, highlighted: bool, style: QtCore.Qt.PenStyle) -> QtGui.QPen:
        pen = QtGui.QPen(color)
        pen.setCosmetic(True)
        pen.setWidth(2 if highlighted else 1)
        pen.setStyle(style)
        return pen

    @staticmethod
    def hover_pen(pen: QtGui.QPen) -> QtGui.QPen:
        """The same line, thicker: says "you can grab this" under the mouse."""
        hover = QtGui.QPen(pen)
        hover.setWidth(pen.width() + 2)
        return hover


class LevelLine(pg.InfiniteLine):
    """One level of one rule. ``field`` is the rule field it draws (``stop_loss`` ...)."""

    def __init__(
        self,
        value: float,
        pen: QtGui.QPen,
        color: QtGui.QColor,
        fill: QtGui.QBrush,
        text: Callable[[float], str] | None,
        *,
        rule_id: int | None,
        field: str,
        movable: bool,
    ) -> None:
        super().__init__(
            pos=value,
            angle=0,
            pen=pen,
            hoverPen=LevelStyles.hover_pen(pen),
            movable=movable,
            label=escape_format(text(value)) if text is not None else None,
            labelOpts={"position": 0.98, "color": color, "anchors": [(1, 0), (1, 1)], "fill": fill},
        )
        self.rule_id = rule_id
        self.field = field
        self.saved_value = float(value)
        self._text = text
        self.setZValue(10)
        if movable:
            self.setCursor(QtCore.Qt.CursorShape.SizeVerCursor)
            self.setToolTip(QCoreApplication.translate(
                "CandleChart", "Drag to move this level; release to save it"))

    def show_value(self, value: float) -> None:
        """Move the label's price with the line while it is dragged."""
        if self._text is not None and self.label is not None:
            self.label.setFormat(escape_format(self._text(value)))


class LevelLayer(QtCore.QObject):
    """The level lines of the shown rules on one plot; reports drags, saves nothing."""

    drag_started = QtCore.Signal(int, str)  # rule id, field
    dragged = QtCore.Signal(int, str, float)  # rule id, field, snapped price
    dropped = QtCore.Signal(int, str, float)  # rule id, field, snapped price (release)

    def __init__(self, plot: pg.PlotItem, fmt_level: Callable[[float], str]) -> None:
        super().__init__()
        self._plot = plot
        self._fmt = fmt_level
        self.styles = LevelStyles()
        self.levels: list[LevelSet] = []
        self.items: list[pg.GraphicsObject] = []
        self.editable = True
        self.snap: Callable[[float], float] = lambda v: v
        self._regions: dict[int, tuple[pg.LinearRegionItem, LevelLine, LevelLine]] = {}
        self._dragging: LevelLine | None = None

    # ------------------------------------------------------------------ public
    def set_levels(self, levels: list[LevelSet]) -> bool:
        """Replace the drawn levels; False (nothing redrawn) when they did not change."""
        levels = list(levels)
        if levels == self.levels:
            return False
        self.clear()
        self.levels = levels
        for lv in levels:
            self._add(lv)
        return True

    def clear(self) -> None:
        for item in self.items:
            self._plot.removeItem(item)
        self.items = []
        self._regions = {}
        self._dragging = None

    def values(self) -> list[float]:
        """Every level price now drawn (a dragged line at its current place)."""
        out = []
        for item in self.items:
            if isinstance(item, LevelLine):
                out.append(float(item.value()))
        return out

    def lines(self) -> list[LevelLine]:
        return [item for item in self.items if isinstance(item, LevelLine)]

    def line_for(self, rule_id: int, field: str) -> LevelLine | None:
        """The line of ``rule_id``'s ``field`` (tests and the window's snap-back)."""
        for line in self.lines():
            if line.rule_id == rule_id and line.field == field:
                return line
        return None

    @property
    def dragging(self) -> LevelLine | None:
        return self._dragging

    def reset_positions(self) -> None:
        """Every line back at its rule's saved value (a refused drop snaps back)."""
        for line in self.lines():
            line.setValue(line.saved_value)
            line.show_value(line.saved_value)
        for region, low, high in self._regions.values():
            region.setRegion((low.value(), high.value()))
        self._dragging = None

    # ------------------------------------------------------------------ building
    def _text(self, lv: LevelSet, make: Callable[[float], str]) -> Callable[[float], str]:
        if not lv.label:
            return make
        template = QCoreApplication.translate("CandleChart", "{level} · {name}")
        return lambda v: template.format(level=make(v), name=lv.label)

    def _priced(self, template: str, level: float, pct: float | None) -> Callable[[float], str]:
        """Label of a take-profit / stop-loss line: "TP 1800" plus "(+10% from cost)" while
        the line is where the rule's % put it (once dragged, the level is a price)."""
        fmt = self._fmt
        from_cost = QCoreApplication.translate("CandleChart", "{level} ({pct} from cost)")

        def text(v: float) -> str:
            shown = template.format(price=fmt(v))
            if pct is None or v != level:
                return shown
            return from_cost.format(level=shown, pct=f"{pct:+.6g}%".replace("-", "\u2212"))

        return text

    def _add(self, lv: LevelSet) -> None:
        st = self.styles
        h = lv.highlighted
        fmt = self._fmt
        if lv.take_profit is not None:
            self._line(lv, "take_profit", lv.take_profit, st.tp_pen[h], st.tp_color,
                       self._priced(QCoreApplication.translate("CandleChart", "TP {price}"),
                                    lv.take_profit, lv.take_profit_pct))
        if lv.stop_loss is not None:
            self._line(lv, "stop_loss", lv.stop_loss, st.sl_pen[h], st.sl_color,
                       self._priced(QCoreApplication.translate("CandleChart", "SL {price}"),
                                    lv.stop_loss, lv.stop_loss_pct))
        if lv.cross_level is not None:
            if lv.cross_direction == "up":
                template = QCoreApplication.translate("CandleChart", "Cross ↑ {price}")
            elif lv.cross_direction == "down":
                template = QCoreApplication.translate("CandleChart", "Cross ↓ {price}")
            else:
                template = QCoreApplication.translate("CandleChart", "Cross {price}")
            self._line(lv, "cross_level", lv.cross_level, st.cross_pen[h], st.cross_color,
                       lambda v: template.format(price=fmt(v)))
        if lv.trailing_activation is not None:
            self._line(lv, "trailing_activation", lv.trailing_activation, st.trailing_pen[h],
                       st.trailing_color,
                       lambda v: QCoreApplication.translate(
                           "CandleChart", "Trailing stop from {price}").format(price=fmt(v)))
        if lv.rebound_activation is not None:
            self._line(lv, "rebound_activation", lv.rebound_activation, st.rebound_pen[h],
                       st.rebound_color,
                       lambda v: QCoreApplication.translate(
                           "CandleChart", "Trailing entry from {price}").format(price=fmt(v)))
        self._add_entry(lv)

    def _add_entry(self, lv: LevelSet) -> None:
        st = self.styles
        h = lv.highlighted
        fmt = self._fmt
        bounds = [(f, v) for f, v in (("entry_min", lv.entry_min), ("entry_max", lv.entry_max))
                  if v is not None]
        if len(bounds) == 1:
            field, value = bounds[0]
            self._line(lv, field, value, st.entry_pen[h], st.entry_color,
                       lambda v: QCoreApplication.translate(
                           "CandleChart", "Entry {price}").format(price=fmt(v)))
            return
        if len(bounds) != 2:
            return
        (low_field, lo), (high_field, hi) = sorted(bounds, key=lambda b: b[1])
        region = pg.LinearRegionItem(
            values=(lo, hi), orientation="horizontal", brush=st.entry_brush[h],
            pen=pg.mkPen(None), movable=False,
        )
        region.setZValue(-10)  # the fill goes under the candles; its lines do not
        self._plot.addItem(region, ignoreBounds=True)
        self.items.append(region)
        low = self._line(lv, low_field, lo, st.entry_pen[h], st.entry_color, None)

        def zone_text(v: float) -> str:  # v: the upper line's price; the lower one's is live
            a, b = sorted((float(low.value()), v))
            return QCoreApplication.translate("CandleChart", "Entry {low}–{high}").format(
                low=fmt(a), high=fmt(b))

        high = self._line(lv, high_field, hi, st.entry_pen[h], st.entry_color, zone_text)
        self._regions[id(region)] = (region, low, high)

        def follow(_line: object = None) -> None:
            region.setRegion(sorted((low.value(), high.value())))
            high.show_value(high.value())

        low.sigPositionChanged.connect(follow)
        high.sigPositionChanged.connect(follow)

    def _line(
        self,
        lv: LevelSet,
        field: str,
        value: float,
        pen: QtGui.QPen,
        color: QtGui.QColor,
        text: Callable[[float], str] | None,
    ) -> LevelLine:
        line = LevelLine(
            value, pen, color, self.styles.label_fill,
            self._text(lv, text) if text is not None else None,
            rule_id=lv.rule_id, field=field,
            movable=self.editable and lv.rule_id is not None,
        )
        line.sigDragged.connect(self._on_dragged)
        line.sigPositionChangeFinished.connect(self._on_finished)
        self._plot.addItem(line, ignoreBounds=True)
        self.items.append(line)
        return line

    # ------------------------------------------------------------------ dragging
    def _on_dragged(self, line: LevelLine) -> None:
        value = self.snap(float(line.value()))
        if not math.isfinite(value) or value <= 0:
            value = line.saved_value
        if value != line.value():
            line.setValue(value)
        line.show_value(value)
        assert line.rule_id is not None  # only a rule's lines are movable
        if self._dragging is not line:
            self._dragging = line
            self.drag_started.emit(line.rule_id, line.field)
        self.dragged.emit(line.rule_id, line.field, value)

    def _on_finished(self, line: LevelLine) -> None:
        if self._dragging is not line or line.rule_id is None:
            return
        self._dragging = None
        # Also when dropped where it was (or cancelled by a right-click): the window
        # then just clears the dry run.
        self.dropped.emit(line.rule_id, line.field, float(line.value()))
