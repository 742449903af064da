"""CandleChart on real BTCUSDT 1-minute bars (pytest-qt, offscreen)."""

from __future__ import annotations

import csv
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from app.core.models import Bar, Tick
from app.market.bars import BarSeries
from app.ui.chart import DEFAULT_DOWN_COLOR, DEFAULT_UP_COLOR, CandleChart, LevelSet
from app.ui.chart_items import lod_step, merge_bars

CSV = Path("/work/shared/data/market/crypto/binance_spot_BTCUSDT_1m_2025-03.csv")
UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
N_ROWS = 300

pytestmark = pytest.mark.skipif(not CSV.exists(), reason="shared market data not present")


def read_bars(n: int = N_ROWS) -> list[Bar]:
    """First n rows; the file's timestamps are naive UTC bar-open times."""
    out = []
    with CSV.open(newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if i >= n:
                break
            t = datetime.strptime(r["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            out.append(
                Bar(
                    "BTCUSDT",
                    t,
                    float(r["open"]),
                    float(r["high"]),
                    float(r["low"]),
                    float(r["close"]),
                    float(r["volume"]),
                )
            )
    return out


@pytest.fixture
def series() -> BarSeries:
    s = BarSeries("BTCUSDT", UTC)
    s.load(read_bars())
    return s


@pytest.fixture
def chart(qtbot) -> CandleChart:
    w = CandleChart()
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def next_bar_ticks(s: BarSeries, prices: list[float]) -> list[Tick]:
    """Ticks inside the bucket right after the last bar."""
    t = s.time_at(s.last_index) + timedelta(seconds=60)
    return [Tick(s.symbol, t + timedelta(seconds=5 * k), p, 0.5) for k, p in enumerate(prices)]


def x_range(w: CandleChart) -> tuple[float, float]:
    x0, x1 = w.price_plot.vb.viewRange()[0]
    return x0, x1


def test_items_cover_data_index_and_price_range(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    n = len(series)
    # Default view: the newest ~120 bars, and the cached picture spans (at least) that.
    x0, x1 = x_range(chart)
    assert x0 <= n - chart.INITIAL_BARS and x1 >= n - 1
    w0, w1 = chart.candle_history.window
    assert w0 <= max(0, x0) and w1 == n - 1

    chart.price_plot.vb.setXRange(0, n - 1, padding=0)  # show everything
    hist = chart.candle_history.boundingRect()
    both = hist.united(chart.candle_forming.boundingRect())
    lows, highs = series.low, series.high
    assert hist.left() <= -0.5 + 1e-9 and hist.right() >= n - 1.5 - 1e-9
    assert both.left() <= 0 and both.right() >= n - 1
    assert both.top() <= lows.min() and both.bottom() >= highs.max()
    assert hist.top() == pytest.approx(lows[:-1].min())
    assert hist.bottom() == pytest.approx(highs[:-1].max())
    # y is fitted to the visible candles.
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    assert y0 <= lows.min() < highs.max() <= y1
    assert (y1 - y0) < 1.5 * (highs.max() - lows.min())


def test_new_bar_moves_forming_item_and_view_follows(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    last = series.last_index
    assert chart.candle_forming.index == last and chart.is_following
    x0, x1 = x_range(chart)
    for tk in next_bar_ticks(series, [90000.0, 90100.0, 89950.0, 90050.0]):
        series.add_tick(tk)
    chart.refresh()

    new = last + 1
    assert chart.candle_forming.index == new
    assert chart.volume_forming.index == new
    r = chart.candle_forming.boundingRect()
    assert r.center().x() == pytest.approx(new)
    assert (r.top(), r.bottom()) == (89950.0, 90100.0)
    nx0, nx1 = x_range(chart)
    assert nx1 >= new and (nx0, nx1) == pytest.approx((x0 + 1, x1 + 1))
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    assert y0 <= 89950.0 and y1 >= 90100.0  # the jump is in view: y refitted
    assert chart.readout_text.find("90050.00") >= 0


def test_panned_back_view_stays_put(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    chart.price_plot.vb.setXRange(10, 80, padding=0)
    before = x_range(chart)
    assert not chart.is_following
    for _ in range(3):
        for tk in next_bar_ticks(series, [86000.0, 86010.0]):
            series.add_tick(tk)
        chart.refresh()
    assert x_range(chart) == pytest.approx(before)
    assert chart.candle_forming.index == series.last_index
    # Scrolling back to the newest bar resumes following.
    chart.scroll_to_latest()
    assert chart.is_following


def test_refresh_without_changes_does_not_rebuild(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    hist, vol = chart.candle_history, chart.volume_history
    built = (hist.rebuild_count, vol.rebuild_count)
    for _ in range(5):
        chart.refresh()
    assert (hist.rebuild_count, vol.rebuild_count) == built

    # A tick on the forming bar moves only the forming items.
    last = series.bar(-1)
    series.add_tick(Tick(series.symbol, last.time + timedelta(seconds=30), last.high + 50, 2.0))
    chart.refresh()
    assert (hist.rebuild_count, vol.rebuild_count) == built
    assert chart.candle_forming.boundingRect().bottom() == last.high + 50
    assert chart.volume_forming.boundingRect().height() == pytest.approx(last.volume + 2.0)

    # Panning inside the cached window replays the picture...
    x0, x1 = x_range(chart)
    chart.price_plot.vb.setXRange(x0 - 20, x1 - 20, padding=0)
    assert hist.rebuild_count == built[0]
    # ...a new bar (history grew) rebuilds exactly once.
    for tk in next_bar_ticks(series, [86000.0]):
        series.add_tick(tk)
    chart.refresh()
    chart.refresh()
    assert hist.rebuild_count == built[0] + 1


def test_only_forming_updates_are_cheap(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    last = series.bar(-1)
    t0 = time.perf_counter()
    for k in range(300):
        series.add_tick(
            Tick(series.symbol, last.time + timedelta(seconds=k / 10), last.close + k % 7, 0.1)
        )
        chart.refresh()
    # Generous bound for 2 shared cores: ~1 ms per refresh would be 0.3 s.
    assert time.perf_counter() - t0 < 3.0
    assert chart.candle_history.rebuild_count == 1


def pen_rgb(item) -> str:
    return item.pen.color().name()


def test_levels_lines_colours_and_removal(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    p = series.last_price
    assert p is not None
    tp, sl, e0, e1 = p + 100, p - 100, p - 40, p - 20
    chart.set_levels(
        [
            LevelSet("swing", take_profit=tp, stop_loss=sl, entry_min=e0, entry_max=e1),
            LevelSet("dip", entry_min=p - 60, highlighted=True),
        ]
    )
    import pyqtgraph as pg

    items = chart.level_items
    lines = [i for i in items if isinstance(i, pg.InfiniteLine)]
    regions = [i for i in items if isinstance(i, pg.LinearRegionItem)]
    by_value = {round(ln.value(), 6): ln for ln in lines}
    # The entry band is drawn between two lines of its own (each draggable for a saved rule).
    assert set(by_value) == {round(v, 6) for v in (tp, sl, e0, e1, p - 60)}
    assert all(ln.angle == 0 and not ln.movable for ln in lines)  # no rule id: drawn only

    tp_line, sl_line = by_value[round(tp, 6)], by_value[round(sl, 6)]
    assert pen_rgb(tp_line) == "#22c55e" and tp_line.pen.style() == QtCore.Qt.PenStyle.DashLine
    assert pen_rgb(sl_line) == "#ef4444" and sl_line.pen.style() == QtCore.Qt.PenStyle.DashLine
    assert "TP" in tp_line.label.toPlainText() and "swing" in tp_line.label.toPlainText()
    assert f"{tp:.10g}" in tp_line.label.toPlainText()

    assert len(regions) == 1
    region = regions[0]
    assert region.getRegion() == pytest.approx((e0, e1))
    assert region.orientation == "horizontal" and not region.movable
    assert region.brush.color().name() == "#3b82f6" and region.brush.color().alpha() < 255

    single = by_value[round(p - 60, 6)]
    assert pen_rgb(single) == "#3b82f6" and single.pen.width() == 2  # highlighted

    # Nearby levels are pulled into the y range.
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    assert y0 <= sl and y1 >= tp

    chart.set_levels([])
    assert chart.level_items == []
    vb_children = chart.price_plot.vb.childGroup.childItems()
    assert not any(i in vb_children for i in items)
    assert all(i.scene() is None for i in items)


def test_new_rule_levels_are_drawn(chart: CandleChart, series: BarSeries) -> None:
    """Crossing level, % take-profit / stop-loss resolved from the cost, and the
    trailing activations (dashed) are lines on the chart."""
    from app.monitors.rules import validate_rule

    chart.set_series(series)
    p = float(series.slice_arrays(series.last_index, series.last_index + 1).close[0])
    rule = validate_rule({
        "task_name": "all", "stock_code": "BTC/USDT", "cost_price": p, "take_profit_pct": 1,
        "stop_loss_pct": 1, "cross_level": p + 10, "cross_direction": "up",
        "trailing_activation": p + 20, "trailing_pct": 0.5, "rebound_activation": p - 20,
        "rebound_amount": 5,
    })
    chart.set_levels([LevelSet.from_rule(rule)])
    lines = {round(item.value(), 6): item for item in chart.level_items}
    assert set(lines) == {round(v, 6) for v in (p * 1.01, p * 0.99, p + 10, p + 20, p - 20)}
    assert lines[round(p + 10, 6)].label.format.startswith("Cross ↑")
    assert "from cost" in lines[round(p * 1.01, 6)].label.format
    assert lines[round(p + 20, 6)].pen.style() == QtCore.Qt.PenStyle.DashLine
    assert lines[round(p - 20, 6)].pen.style() == QtCore.Qt.PenStyle.DashLine
    assert lines[round(p + 10, 6)].pen.style() == QtCore.Qt.PenStyle.DashDotLine


def test_far_levels_do_not_squash_candles(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    y_before = chart.price_plot.vb.viewRange()[1]
    p = series.last_price
    assert p is not None
    chart.set_levels([LevelSet("moon", take_profit=p * 2, stop_loss=p / 2)])
    assert chart.price_plot.vb.viewRange()[1] == pytest.approx(y_before)


def test_axis_labels_use_series_timezone(chart: CandleChart) -> None:
    start = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    bars = [Bar("X", start + timedelta(minutes=i), 1, 2, 0.5, 1.5, 1) for i in range(60)]
    sh = BarSeries("X", SH)
    sh.load(bars)
    chart.set_series(sh)
    axis = chart.time_axis
    assert axis.tickStrings([30.0], 1.0, 1.0) == ["09:30"]  # 01:30 UTC
    assert axis.label_for_index(0) == "2025-03-03"  # first bar carries the date

    utc = BarSeries("X", UTC)
    utc.load(bars)
    chart.set_series(utc)
    assert chart.time_axis.tickStrings([30.0], 1.0, 1.0) == ["01:30"]

    # Across local midnight the first bar of the new day is labelled with its date.
    late = datetime(2025, 3, 3, 15, 50, tzinfo=UTC)  # 23:50 Shanghai
    sh2 = BarSeries("X", SH)
    sh2.load([Bar("X", late + timedelta(minutes=i), 1, 2, 0.5, 1.5, 1) for i in range(30)])
    chart.set_series(sh2)
    labels = [chart.time_axis.label_for_index(i) for i in (9, 10, 11)]
    assert labels == ["23:59", "03-04", "00:01"]


def test_axis_ticks_do_not_overlap(chart: CandleChart, series: BarSeries) -> None:
    chart.set_series(series)
    axis = chart.time_axis
    for width_bars in (30, 120, 299):
        levels = axis.tickValues(0, width_bars, 800)
        values = levels[0][1]
        assert values, width_bars
        px_per_bar = 800 / width_bars
        fm = QtGui.QFontMetricsF(axis.font())
        widest = max(fm.horizontalAdvance(s) for s in axis.tickStrings(values, 1, 1))
        gaps = np.diff(values) * px_per_bar
        assert (gaps > widest).all()
        # Ticks fall on round local times (UTC series: minutes divisible by 5 here).
        minutes = {series.time_at(int(v)).minute for v in values[1:]}
        assert all(m % 5 == 0 for m in minutes)


def count_near(img: QtGui.QImage, color: str, tol: int = 10) -> int:
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    arr = buf.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4)
    c = QtGui.QColor(color)
    target = np.array([c.blue(), c.green(), c.red()])  # RGB32 is BGRA in memory
    return int((np.abs(arr[:, :, :3].astype(int) - target) <= tol).all(axis=2).sum())


def test_grab_shows_up_and_down_candles(chart: CandleChart, series: BarSeries, qtbot) -> None:
    chart.set_series(series)
    qtbot.wait(10)
    img = chart.grab().toImage()
    assert count_near(img, DEFAULT_UP_COLOR) > 200
    assert count_near(img, DEFAULT_DOWN_COLOR) > 200


def test_custom_colours(qtbot, series: BarSeries) -> None:
    w = CandleChart(up_color="#00ff00", down_color="#ff00ff")
    qtbot.addWidget(w)
    w.resize(800, 500)
    w.show()
    qtbot.waitExposed(w)
    w.set_series(series)
    img = w.grab().toImage()
    assert count_near(img, "#00ff00") > 200 and count_near(img, "#ff00ff") > 200
    assert count_near(img, DEFAULT_UP_COLOR) == 0


def test_placeholder_and_empty_series(chart: CandleChart, qtbot) -> None:
    label = chart._placeholder
    assert label.isVisible()
    chart.set_placeholder("waiting for data")
    assert label.text() == "waiting for data"

    s = BarSeries("BTCUSDT", UTC)
    chart.set_series(s)
    assert label.isVisible()
    s.load(read_bars(50))
    chart.refresh()
    assert not label.isVisible()
    assert chart.candle_forming.index == 49 and chart.is_following
    chart.set_series(None)
    assert label.isVisible()
    assert chart.readout_text == ""
    chart.refresh()  # no series: a no-op


def test_readout_follows_hover(chart: CandleChart, series: BarSeries, qtbot) -> None:
    chart.set_series(series)
    last = series.bar(-1)
    assert f"{last.close:.2f}" in chart.readout_text
    i = series.last_index - 10
    b = series.bar(i)
    vb = chart.price_plot.vb
    pos = vb.mapViewToScene(QtCore.QPointF(i, (b.low + b.high) / 2))
    chart._glw.scene().sigMouseMoved.emit(pos)
    qtbot.waitUntil(
        lambda: (
            f"{b.open:.2f}" in chart.readout_text and b.time.strftime("%H:%M") in chart.readout_text
        )
    )
    chart.leaveEvent(QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert f"{last.close:.2f}" in chart.readout_text


class FakeWheel:
    """Just what ViewBox.wheelEvent reads from a QGraphicsSceneWheelEvent."""

    def __init__(self, delta: int, pos: QtCore.QPointF) -> None:
        self._delta, self._pos, self.accepted = delta, pos, False

    def delta(self) -> int:
        return self._delta

    def pos(self) -> QtCore.QPointF:
        return self._pos

    def accept(self) -> None:
        self.accepted = True

    def ignore(self) -> None:
        self.accepted = False


def test_wheel_zoom_keeps_newest_bar_while_following(
    chart: CandleChart, series: BarSeries, qtbot
) -> None:
    chart.set_series(series)
    qtbot.wait(20)  # a paint, so the ViewBoxes' pixel->data transforms are current
    vb = chart.price_plot.vb
    x0, x1 = x_range(chart)
    middle = QtCore.QPointF(vb.width() / 2, vb.height() / 2)
    ev = FakeWheel(240, middle)  # zoom in with the mouse mid-chart
    vb.wheelEvent(ev)
    assert ev.accepted
    nx0, nx1 = x_range(chart)
    assert nx1 == pytest.approx(x1) and (nx1 - nx0) < (x1 - x0)
    assert chart.is_following
    assert chart.volume_plot.vb.viewRange()[0] == pytest.approx([nx0, nx1])

    # Panned back: zoom is about the mouse again (pyqtgraph's default).
    vb.setXRange(20, 120, padding=0)
    qtbot.wait(20)
    chart.volume_plot.vb.wheelEvent(FakeWheel(240, middle))
    zx0, zx1 = x_range(chart)
    assert zx0 > 20 and zx1 < 120


def test_merge_bars_matches_hand_grouping(series: BarSeries) -> None:
    a = series.slice_arrays(8, 30)  # 22 bars from index 8: groups 8-15, 16-23, 24-29
    d = merge_bars(a, 8, 8)
    bars = [series.bar(i) for i in range(8, 30)]
    groups = [bars[0:8], bars[8:16], bars[16:22]]
    assert list(d.x) == [11.5, 19.5, 26.5]
    assert list(d.open) == [g[0].open for g in groups]
    assert list(d.close) == [g[-1].close for g in groups]
    assert list(d.high) == [max(b.high for b in g) for g in groups]
    assert list(d.low) == [min(b.low for b in g) for g in groups]
    assert list(d.volume) == pytest.approx([sum(b.volume for b in g) for g in groups])
    assert lod_step(0.2) == 1 and lod_step(3.0) == 8 and lod_step(40) == 128


def test_zoomed_out_draws_merged_candles_fast(chart: CandleChart) -> None:
    s = BarSeries("BTCUSDT", UTC)
    s.load(read_bars(6000))
    chart.set_series(s)
    t0 = time.perf_counter()
    chart.price_plot.vb.setXRange(0, len(s) - 1, padding=0)
    elapsed = time.perf_counter() - t0
    hist = chart.candle_history
    assert hist.step > 1
    r = hist.boundingRect()
    assert r.left() <= 0 and r.right() >= len(s) - 2
    assert r.top() == pytest.approx(s.low[:-1].min()) and r.bottom() == pytest.approx(
        s.high[:-1].max()
    )
    assert elapsed < 2.0  # unmerged this is seconds; merged, tens of ms
    # Zooming back in returns to one candle per bar.
    chart.scroll_to_latest()
    assert hist.step == 1
