"""How the chart draws history: closed bars appended without a rebuild, rebuilds when
older bars change, merged (LOD) candles and the y fit when zoomed far out.

Synthetic one-minute bars (no shared data needed), pytest-qt, offscreen.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from app.core.models import Bar, Tick
from app.market.bars import BarSeries
from app.ui.chart import DEFAULT_UP_COLOR, CandleChart
from app.ui.chart_items import _period_starts

UTC = timezone.utc
T0 = datetime(2025, 3, 3, tzinfo=UTC)
SYMBOL = "BTCUSDT"


def make_bars(n: int, seed: int = 5, skip: int | None = None) -> list[Bar]:
    """A random walk of ``n`` one-minute bars; ``skip`` leaves that minute out (a gap)."""
    rng = np.random.default_rng(seed)
    close = 100.0 + np.cumsum(rng.normal(0.0, 0.3, n))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) + rng.uniform(0.0, 0.4, n)
    low = np.minimum(open_, close) - rng.uniform(0.0, 0.4, n)
    volume = rng.uniform(1.0, 50.0, n)
    return [
        Bar(SYMBOL, T0 + timedelta(minutes=i), float(open_[i]), float(high[i]), float(low[i]),
            float(close[i]), float(volume[i]))
        for i in range(n)
        if i != skip
    ]


def series_of(bars: list[Bar]) -> BarSeries:
    s = BarSeries(SYMBOL, UTC)
    s.load(bars)
    return s


BIG = 20_000 + 13  # history 20,012 bars: the last group is partial at any power of two


@pytest.fixture(scope="module")
def big() -> BarSeries:
    """Read-only 20k-bar series shared by the zoom-out tests (building it takes ~0.4 s)."""
    return series_of(make_bars(BIG, seed=9))


@pytest.fixture
def chart(qtbot) -> CandleChart:
    w = CandleChart()
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def open_next_bar(s: BarSeries, price: float, volume: float = 1.0) -> None:
    """A tick in the minute after the last bar: the last bar closes, a new one opens."""
    t = s.time_at(s.last_index) + timedelta(seconds=60)
    s.add_tick(Tick(SYMBOL, t, price, volume))


def tick_on_last(s: BarSeries, price: float, volume: float = 1.0) -> None:
    s.add_tick(Tick(SYMBOL, s.time_at(s.last_index) + timedelta(seconds=20), price, volume))


def widget_point(chart: CandleChart, x: float, y: float) -> QtCore.QPoint:
    """Chart-widget pixel of a point of the price pane's data coordinates."""
    scene = chart.price_plot.vb.mapViewToScene(QtCore.QPointF(x, y))
    view = chart._glw.mapFromScene(scene)
    return chart._glw.mapTo(chart, view)


# ---------------------------------------------------------------------- incremental append
def test_closed_bar_goes_into_the_tail_without_a_rebuild(chart: CandleChart, qtbot) -> None:
    s = series_of(make_bars(300))
    chart.set_series(s)
    hist, vol = chart.candle_history, chart.volume_history
    full = (hist.full_rebuild_count, vol.full_rebuild_count)
    appended = (hist.append_count, vol.append_count)

    # The forming bar becomes a tall up candle, then a tick opens the next minute.
    closing = s.last_index
    last = s.bar(-1)
    tick_on_last(s, last.open - 8.0)
    tick_on_last(s, last.open + 12.0, volume=40.0)
    open_next_bar(s, last.open + 11.0)
    chart.refresh()

    assert (hist.full_rebuild_count, vol.full_rebuild_count) == full
    assert (hist.append_count, vol.append_count) == (appended[0] + 1, appended[1] + 1)
    assert hist.rebuild_count == hist.full_rebuild_count + hist.append_count
    assert hist.covers(s, *chart.price_plot.vb.viewRange()[0], step=hist.step)
    assert hist.window[1] == closing + 1 == s.last_index
    assert hist.tail_start <= closing

    # The drawn candles hold the closed bar with its final values...
    bar = s.bar(closing)
    d = hist.drawn()
    k = int(np.flatnonzero(d.x == closing)[0])
    assert (d.open[k], d.high[k], d.low[k], d.close[k]) == (bar.open, bar.high, bar.low, bar.close)
    assert vol.drawn().volume[k] == pytest.approx(bar.volume)
    rect = hist.boundingRect()
    assert rect.right() >= closing + 0.35 and rect.top() <= bar.low and rect.bottom() >= bar.high
    # ...and it is painted: the middle of its body is the up colour on screen.
    qtbot.wait(10)
    img = chart.grab().toImage()
    mid = widget_point(chart, closing, (bar.open + bar.close) / 2)
    assert img.pixelColor(mid).name() == QtGui.QColor(DEFAULT_UP_COLOR).name()

    # More closes keep appending until the tail is long, then one rebuild folds it in.
    for k in range(hist.TAIL_MAX_GROUPS + 1):
        open_next_bar(s, 100.0 + k % 5)
        chart.refresh()
    assert hist.full_rebuild_count == full[0] + 1
    assert hist.tail_start >= s.last_index - hist.TAIL_MAX_GROUPS


def test_merged_zoom_appends_into_the_partial_last_group(chart: CandleChart) -> None:
    s = series_of(make_bars(5000))
    chart.set_series(s)
    chart.scroll_to_latest(4000)  # following, zoomed out: merged candles
    hist = chart.candle_history
    step = hist.step
    assert step > 1
    full = hist.full_rebuild_count
    for k in range(3):
        open_next_bar(s, 99.0 + k)
        chart.refresh()
    assert hist.full_rebuild_count == full
    n_hist = s.last_index
    d = hist.drawn()
    g0 = (n_hist - 1) // step * step  # the group holding the newest closed bar
    a = s.slice_arrays(g0, n_hist)
    assert d.x[-1] == pytest.approx((g0 + n_hist - 1) / 2)
    assert (d.open[-1], d.close[-1]) == (a.open[0], a.close[-1])
    assert (d.high[-1], d.low[-1]) == (a.high.max(), a.low.min())


def test_view_before_the_data_edge_ignores_appended_bars(chart: CandleChart) -> None:
    s = series_of(make_bars(2000))
    chart.set_series(s)
    chart.price_plot.vb.setXRange(200, 300, padding=0)  # panned back: not following
    hist = chart.candle_history
    before = (hist.rebuild_count, hist.window)
    open_next_bar(s, 101.0)
    chart.refresh()
    assert (hist.rebuild_count, hist.window) == before
    assert hist.built_history_version == s.history_version


# ---------------------------------------------------------------------- full rebuilds
def test_late_tick_on_an_older_bar_rebuilds(chart: CandleChart) -> None:
    s = series_of(make_bars(300))
    chart.set_series(s)
    hist = chart.candle_history
    full = hist.full_rebuild_count
    i = s.last_index - 5
    new_high = s.bar(i).high + 25.0
    # A late print on an older bar plus a new minute: one history bump more than new
    # bars, so it cannot pass for an append.
    assert s.add_tick(Tick(SYMBOL, s.time_at(i) + timedelta(seconds=30), new_high, 1.0)) == "late"
    open_next_bar(s, 100.0)
    chart.refresh()
    assert hist.full_rebuild_count == full + 1
    d = hist.drawn()
    assert d.high[int(np.flatnonzero(d.x == i)[0])] == new_high
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    assert y1 >= new_high


def test_backfilled_bar_inserted_in_the_middle_rebuilds(chart: CandleChart) -> None:
    gap = 250
    bars = make_bars(300, skip=gap)
    s = series_of(bars)
    chart.set_series(s)
    hist = chart.candle_history
    full = hist.full_rebuild_count
    # One bar merged into the gap: one history bump and one more bar, exactly like an
    # append, but every later index shifted.
    filler = Bar(SYMBOL, T0 + timedelta(minutes=gap), 150.0, 151.0, 149.0, 150.5, 7.0)
    assert s.merge([filler]) == 1
    chart.refresh()
    assert hist.full_rebuild_count == full + 1
    d = hist.drawn()
    k = int(np.flatnonzero(d.x == gap)[0])
    assert (d.open[k], d.close[k]) == (150.0, 150.5)
    after = s.bar(gap + 1)
    assert (d.open[k + 1], d.close[k + 1]) == (after.open, after.close)


def test_reload_that_rewrites_older_bars_and_adds_one_rebuilds(chart: CandleChart) -> None:
    """What the main window's refold of a shown 5m/1h series after a backfill can do:
    the same times plus one more bar, one history bump, but an older bar changed."""
    s = series_of(make_bars(300))
    chart.set_series(s)
    hist = chart.candle_history
    full = hist.full_rebuild_count
    cols = [np.array(c) for c in (s.times, s.open, s.high, s.low, s.close, s.volume)]
    cols = [np.append(c, c[-1] + (60.0 if k == 0 else 0.0)) for k, c in enumerate(cols)]
    i = s.last_index - 40
    cols[2][i] += 30.0  # that bar's high
    s.load_arrays(*cols)
    chart.refresh()
    assert hist.full_rebuild_count == full + 1
    d = hist.drawn()
    assert d.high[int(np.flatnonzero(d.x == i)[0])] == cols[2][i]


# ---------------------------------------------------------------------- LOD and y fit
def expected_groups(s: BarSeries, i0: int, i1: int, step: int) -> dict[str, np.ndarray]:
    """Groups of ``step`` bars from ``i0`` (a multiple of ``step``), the last one partial."""
    a = s.slice_arrays(i0, i1)
    starts = list(range(0, len(a.open), step))
    parts = [(k, min(k + step, len(a.open))) for k in starts]
    return {
        "x": np.array([i0 + (b0 + b1 - 1) / 2 for b0, b1 in parts]),
        "open": np.array([a.open[b0] for b0, _ in parts]),
        "high": np.array([a.high[b0:b1].max() for b0, b1 in parts]),
        "low": np.array([a.low[b0:b1].min() for b0, b1 in parts]),
        "close": np.array([a.close[b1 - 1] for _, b1 in parts]),
        "volume": np.array([a.volume[b0:b1].sum() for b0, b1 in parts]),
    }


def test_zoomed_out_candles_are_merged_groups_with_correct_ohlcv(
    chart: CandleChart, big: BarSeries
) -> None:
    s, n = big, BIG
    chart.set_series(s)
    chart.price_plot.vb.setXRange(0, n - 1, padding=0)
    hist, vol = chart.candle_history, chart.volume_history
    step = hist.step
    assert step >= 32 and vol.step == step
    n_hist = s.last_index
    assert n_hist % step != 0
    w0, w1 = hist.window
    assert w0 == 0 and w1 == n_hist
    want = expected_groups(s, 0, n_hist, step)
    d = hist.drawn()
    assert len(d.x) == math.ceil(n_hist / step)
    np.testing.assert_allclose(d.x, want["x"])
    for field in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(getattr(d, field), want[field], err_msg=field)
    np.testing.assert_allclose(vol.drawn().volume, want["volume"])
    # The partial last group: first open, max high, min low, last close of what there is.
    tail = s.slice_arrays(n_hist - n_hist % step, n_hist)
    assert (d.open[-1], d.high[-1], d.low[-1], d.close[-1]) == (
        tail.open[0], tail.high.max(), tail.low.min(), tail.close[-1])
    assert vol.drawn().volume[-1] == pytest.approx(tail.volume.sum())


@pytest.mark.parametrize("view", [(0.0, 20_012.0), (3_333.3, 15_555.5), (7_001.6, 7_950.2)])
def test_y_fit_covers_every_visible_bar_when_zoomed_out(
    chart: CandleChart, big: BarSeries, view: tuple[float, float]
) -> None:
    s = big
    chart.set_series(s)
    chart.price_plot.vb.setXRange(*view, padding=0)
    v0, v1 = chart.price_plot.vb.viewRange()[0]
    i0, i1 = max(0, math.ceil(v0 - 0.5)), min(len(s), math.floor(v1 + 0.5) + 1)
    a = s.slice_arrays(i0, i1)
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    assert y0 <= a.low.min() and y1 >= a.high.max()
    # Not padded beyond the drawn candles (whole merged groups at the view's edges).
    step = chart.candle_history.step
    g = s.slice_arrays(i0 - i0 % step, min(len(s) - 1, -(-i1 // step) * step))
    span = max(g.high.max(), s.high[-1]) - min(g.low.min(), s.low[-1])
    assert y1 - y0 <= span * (1 + 2 * chart.Y_PAD) + 1e-9
    # Volume: merged bars show sums, and the pane fits the largest drawn sum.
    sums = chart.volume_history.drawn()
    visible = (sums.x + sums.half >= v0) & (sums.x - sums.half <= v1)
    _vy0, vy1 = chart.volume_plot.vb.viewRange()[1]
    assert vy1 >= sums.volume[visible].max()


# ---------------------------------------------------------------------- time axis
def test_period_starts_binary_search_matches_a_pass_over_every_bar() -> None:
    rng = np.random.default_rng(3)
    # Minutes with gaps of up to ~3 days, as A-share nights and weekends make.
    steps = np.where(rng.random(5000) < 0.02, rng.integers(60, 260_000, 5000), 60)
    times = 1.7e9 + np.cumsum(steps).astype(np.float64)
    for _ in range(200):
        i0 = int(rng.integers(0, 4000))
        i1 = int(rng.integers(i0, 4999))
        j0 = max(0, i0 - 1) if rng.random() < 0.9 else i0
        j0 = min(j0, i0)
        col = times[j0 : i1 + 1]
        for period in (300, 1800, 86400, 3 * 86400):
            fast = _period_starts(col, j0, i0, 28800.0, period)
            scan = _period_starts(col, j0, i0, 28800.0, period, search=False)
            np.testing.assert_array_equal(fast, scan)


def test_axis_labels_follow_an_inserted_bar(chart: CandleChart) -> None:
    gap = 100
    s = series_of(make_bars(300, skip=gap))
    chart.set_series(s)
    axis = chart.time_axis
    before = axis.tickStrings([gap + 5.0, 250.0], 1.0, 1.0)
    assert before == [axis.label_for_index(gap + 5), axis.label_for_index(250)]
    open_next_bar(s, 100.0)  # appended: the cached labels stay right
    assert axis.tickStrings([gap + 5.0, 250.0], 1.0, 1.0) == before
    s.merge([Bar(SYMBOL, T0 + timedelta(minutes=gap), 1.0, 1.0, 1.0, 1.0, 1.0)])
    after = axis.tickStrings([gap + 5.0, 250.0], 1.0, 1.0)
    assert after == [s.time_at(gap + 5).strftime("%H:%M"), s.time_at(250).strftime("%H:%M")]
    assert after != before
