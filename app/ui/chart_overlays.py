"""Things drawn over the candles: alert markers, the dry run, the crosshair, a jump flash.

Alerts are remembered by time, not by bar index: the same alert sits on a 1-minute
bar or on the daily bar that contains it, and stays on the right bar when a backfill
inserts bars before it. Indices are worked out again whenever the series or its
history changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from app.core.models import AlertKind
from app.market.bars import BarSeries
from app.ui.formatting import kind_color

#: Kinds that end or protect a position point down at the bar; the rest point up.
_DOWN_KINDS = frozenset({AlertKind.STOP_LOSS, AlertKind.TAKE_PROFIT, AlertKind.TRAILING_STOP,
                         AlertKind.CROSS_DOWN, AlertKind.CHANGE_DOWN})


@dataclass(frozen=True, slots=True)
class AlertMark:
    """One fired alert: when (epoch seconds), at what price, which kind, and its receipt."""

    epoch: float
    price: float
    kind: AlertKind
    text: str = ""
    alert_id: int | None = None


def bar_index_at(series: BarSeries, epoch: float) -> int | None:
    """The bar holding ``epoch``, or the last bar before it (a gap hides the exact one)."""
    n = len(series)
    if n == 0:
        return None
    bucket = series.bucket(epoch)
    i = int(np.searchsorted(series.times, bucket, side="right")) - 1
    return i if i >= 0 else None


class AlertMarkers:
    """Triangles in the kind's colour at the price that fired, on the bar that fired it."""

    MAX_MARKS = 2_000  # the newest; a chart with more markers than that says nothing

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = pg.ScatterPlotItem(
            size=13, pxMode=True, hoverable=True, tip=lambda x, y, data: data,
            hoverSize=17,
        )
        self.item.setZValue(15)
        plot.addItem(self.item, ignoreBounds=True)
        self.marks: list[AlertMark] = []
        self.indices: list[int] = []

    def set_marks(self, marks: Sequence[AlertMark], series: BarSeries | None) -> None:
        self.marks = sorted(marks, key=lambda m: m.epoch)[-self.MAX_MARKS:]
        self.place(series)

    def place(self, series: BarSeries | None) -> None:
        """Put every mark on its bar of ``series`` (after a timeframe switch or a backfill)."""
        spots = []
        self.indices = []
        if series is not None and len(series):
            white = pg.mkPen("#ffffff", width=1)
            for mark in self.marks:
                i = bar_index_at(series, mark.epoch)
                if i is None:
                    continue
                self.indices.append(i)
                spots.append({
                    "pos": (i, mark.price),
                    "brush": pg.mkBrush(kind_color(mark.kind)),
                    "pen": white,
                    "symbol": "t" if mark.kind in _DOWN_KINDS else "t1",
                    "data": mark.text,
                })
        self.item.setData(spots)


class DryRunMarks:
    """Hollow rings where a dragged level would have fired, and how often."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = pg.ScatterPlotItem(
            size=15, pxMode=True, symbol="o", brush=pg.mkBrush(None),
            pen=pg.mkPen("#facc15", width=2),
        )
        self.item.setZValue(16)
        plot.addItem(self.item, ignoreBounds=True)
        self.label = pg.TextItem(color="#facc15", fill=pg.mkBrush(0, 0, 0, 190), anchor=(0, 1))
        self.label.setZValue(31)
        plot.addItem(self.label, ignoreBounds=True)
        self.clear()

    def show(self, indices: Sequence[int], prices: Sequence[float], text: str,
             at: tuple[float, float]) -> None:
        self.item.setData(x=list(indices), y=list(prices))
        self.label.setText(text)
        self.label.setPos(*at)
        self.label.setVisible(True)

    def clear(self) -> None:
        self.item.setData(x=[], y=[])
        self.label.setText("")
        self.label.setVisible(False)

    @property
    def count(self) -> int:
        return len(self.item.data)


class Crosshair:
    """A horizontal price line with its price on the left edge (the vertical one is the
    chart's hover line): where the trader would put a level."""

    def __init__(self, plot: pg.PlotItem) -> None:
        pen = pg.mkPen("#9ca3af", style=QtCore.Qt.PenStyle.DotLine)
        self.line = pg.InfiniteLine(
            angle=0, movable=False, pen=pen, label="{value}",
            labelOpts={"position": 0.0, "color": "#e5e7eb", "fill": pg.mkBrush(55, 65, 81, 230),
                        "anchors": [(0, 0.5), (0, 0.5)]},
        )
        self.line.setZValue(20)
        self.line.setVisible(False)
        plot.addItem(self.line, ignoreBounds=True)

    def show(self, price: float, text: str) -> None:
        self.line.setValue(price)
        self.line.label.setFormat(text.replace("{", "{{").replace("}", "}}"))
        self.line.setVisible(True)

    def hide(self) -> None:
        self.line.setVisible(False)

    @property
    def visible(self) -> bool:
        return self.line.isVisible()


class JumpFlash:
    """A bright band on the bar the chart jumped to, fading out, so the eye finds it."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = pg.InfiniteLine(angle=90, movable=False,
                                    pen=pg.mkPen(QtGui.QColor(250, 204, 21, 200), width=9))
        self.item.setZValue(-5)
        self.item.setVisible(False)
        plot.addItem(self.item, ignoreBounds=True)
        self._timer = QtCore.QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.item.setVisible(False))

    def flash(self, index: int, ms: int = 4000) -> None:
        self.item.setValue(index)
        self.item.setVisible(True)
        self._timer.start(ms)

    @property
    def index(self) -> int | None:
        return int(self.item.value()) if self.item.isVisible() else None
