"""The main window around the chart: timeframe switch, close to the tray, settings used
at once, alert markers, the crosshair — on the real app (demo feed, worker, SQLite)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QSystemTrayIcon

from app.core.models import AlertKind, Bar, TaskStatus, Tick
from app.market.bars import BarSeries
from app.market.resample import resample, resample_series
from app.ui.application import Session, build_session
from app.ui.chart import DEFAULT_DOWN_COLOR, DEFAULT_UP_COLOR
from app.ui.settings import AppSettings

SYMBOL = "BTC/USDT"
STOCK = "600519.SH"


@pytest.fixture
def tray(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *args: shown.append(args))
    return shown


def start(qtbot: Any, tmp_path: Path, **settings: Any) -> Session:
    stored = AppSettings(tmp_path / "s.ini")
    for name, value in settings.items():
        setattr(stored, name, value)
    s = build_session(db_path=tmp_path / "monitor.db", settings=stored, speed=16.0,
                      history_bars=400)
    s.window.resize(1400, 900)
    s.window.show()
    qtbot.waitExposed(s.window)
    qtbot.waitUntil(lambda: s.feed is not None and s.feed.ticks_sent > 0, timeout=20_000)
    return s


@pytest.fixture
def sessions() -> Any:
    started: list[Session] = []
    yield started
    for s in started:
        s.window.quit_app()
        s.shutdown()


def test_timeframe_switch_folds_the_minutes_and_keeps_up_with_ticks(
    qtbot: Any, tmp_path: Path, sessions: list
) -> None:
    session = start(qtbot, tmp_path)
    sessions.append(session)
    window, chart = session.window, session.window.chart
    window.show_symbol(STOCK)
    minutes = window.series[STOCK]
    window.timeframe_box.setCurrentIndex(window.timeframe_box.findData("15m"))
    shown = chart.series
    assert shown is not None and shown.timeframe_s == 900 and shown.symbol == STOCK
    # The 15-minute bars are the minutes folded on the exchange's own grid.
    expected = resample(minutes.times, minutes.open, minutes.high, minutes.low, minutes.close,
                        minutes.volume, code=STOCK, timeframe="15m")
    n = min(len(expected[0]), len(shown)) - 1  # the last bar may have grown meanwhile
    assert np.array_equal(shown.times[:n], expected[0][:n])
    assert np.allclose(shown.high[:n], expected[2][:n])
    # Live ticks reach the shown 15m series, not only the minutes.
    before = shown.version
    qtbot.waitUntil(lambda: shown.version > before, timeout=10_000)
    session.feed.stop()
    qtbot.wait(100)
    assert shown.close[-1] == minutes.close[-1]
    assert shown.high[-1] >= minutes.high[-1]
    # Remembered for the next start; 1m shows the minutes themselves again.
    assert AppSettings(tmp_path / "s.ini").chart_timeframe == "15m"
    window.set_timeframe("1m")
    assert chart.series is minutes


def test_ashare_daily_bars_are_beijing_days() -> None:
    sh = ZoneInfo("Asia/Shanghai")
    minutes = BarSeries(STOCK, sh)
    minutes.load([
        Bar(STOCK, datetime(2026, 3, 23, 9, 30, tzinfo=sh), 10, 11, 9, 10.5, 100),
        Bar(STOCK, datetime(2026, 3, 23, 14, 59, tzinfo=sh), 10.5, 12, 10, 11, 100),
        Bar(STOCK, datetime(2026, 3, 24, 9, 30, tzinfo=sh), 11, 11, 10, 10.2, 50),
    ])
    days = resample_series(minutes, "1d")
    assert [days.time_at(i).strftime("%m-%d %H:%M") for i in range(len(days))] == [
        "03-23 00:00", "03-24 00:00"]
    assert list(days.high) == [12, 11] and list(days.volume) == [200, 50]
    # A tick at 14:00 Beijing (06:00 UTC) belongs to that Beijing day's bar.
    assert days.add_tick(Tick(STOCK, datetime(2026, 3, 24, 14, 0, tzinfo=sh), 12.5, 1)) == "updated"
    assert days.high[-1] == 12.5


def test_closing_the_window_keeps_monitoring_in_the_tray_with_a_one_time_hint(
    qtbot: Any, tmp_path: Path, sessions: list, tray: list
) -> None:
    session = start(qtbot, tmp_path)
    sessions.append(session)
    window = session.window
    quit_asked: list[bool] = []
    window.closed.connect(lambda: quit_asked.append(True))
    window.close()
    assert not window.isVisible() and quit_asked == []
    assert len(tray) == 1 and "tray" in tray[0][1].lower()
    assert AppSettings(tmp_path / "s.ini").tray_hint_shown
    sent = session.feed.ticks_sent
    qtbot.waitUntil(lambda: session.feed.ticks_sent > sent, timeout=5_000)  # still running
    window.bring_to_front()
    assert window.isVisible()
    window.close()
    assert len(tray) == 1  # the hint is given once
    window.quit_app()
    assert quit_asked == [True]


def test_without_close_to_tray_closing_quits(
    qtbot: Any, tmp_path: Path, sessions: list, tray: list
) -> None:
    session = start(qtbot, tmp_path, close_to_tray=False)
    sessions.append(session)
    quit_asked: list[bool] = []
    session.window.closed.connect(lambda: quit_asked.append(True))
    session.window.close()
    assert quit_asked == [True] and tray == []


def test_settings_dialog_changes_apply_at_once(
    qtbot: Any, tmp_path: Path, sessions: list, tray: list
) -> None:
    session = start(qtbot, tmp_path)
    sessions.append(session)
    window = session.window
    dialog = window.open_preferences()
    assert dialog.isVisible() and not dialog.isModal()  # alerts keep coming meanwhile
    values = {"popup_seconds": 25, "snooze_minutes": 12, "stop_loss_repeat": True,
              "stop_loss_repeat_s": 7, "tray_balloons": False, "up_color_convention": "green_up",
              "chart_timeframe": "5m"}
    for name, value in values.items():
        setattr(window.settings, name, value)
    window.apply_preferences(set(values))
    assert window.popups.duration_s == 25
    assert window.popups.snooze_minutes == 12
    assert window.repeater.enabled and window.repeater.interval_s == 7
    assert window.tray.balloons is False
    up, down = window.chart.palette_colors
    assert (up.name(), down.name()) == (DEFAULT_DOWN_COLOR, DEFAULT_UP_COLOR)  # green up
    assert window.watchlist.up_colour.name() == "#1b7f3b"  # the watchlist follows
    assert window.timeframe == "5m" and window.chart.series.timeframe_s == 300
    dialog.close()


def test_a_new_alert_is_marked_on_its_bar_and_markers_survive_a_timeframe_switch(
    qtbot: Any, tmp_path: Path, sessions: list
) -> None:
    session = start(qtbot, tmp_path)
    sessions.append(session)
    window, chart = session.window, session.window.chart
    window.show_symbol(SYMBOL)
    price = window.quotes[SYMBOL].last
    assert price is not None
    worker = session.monitor.worker
    with qtbot.waitSignal(worker.rule_saved, timeout=5_000):
        worker.save_requested.emit("t", {"task_name": "mark", "stock_code": SYMBOL,
                                         "take_profit": round(price * 0.999, 2)}, None)
    qtbot.waitUntil(lambda: len(chart.alert_markers.marks) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.rules and window.rules[0].status is TaskStatus.TRIGGERED)
    mark = chart.alert_markers.marks[0]
    assert mark.kind is AlertKind.TAKE_PROFIT and mark.alert_id is not None
    assert "mark" in mark.text and "Fired by price" in mark.text  # hover shows the receipt
    series = chart.series
    assert series is not None
    assert chart.alert_markers.indices == [series.index_of_time(mark.epoch)]
    window.set_timeframe("1h")
    hourly = chart.series
    assert hourly is not None and chart.alert_markers.indices == [hourly.index_of_time(mark.epoch)]
    # After a restart of the view the marks come back from the database.
    window._alert_marks.clear()
    window.show_symbol(STOCK)
    window.show_symbol(SYMBOL)
    qtbot.waitUntil(lambda: len(chart.alert_markers.marks) == 1, timeout=5_000)
    assert chart.alert_markers.marks[0].alert_id == mark.alert_id


def test_crosshair_shows_the_price_under_the_mouse(
    qtbot: Any, tmp_path: Path, sessions: list
) -> None:
    session = start(qtbot, tmp_path)
    sessions.append(session)
    chart = session.window.chart
    session.window.show_symbol(SYMBOL)
    session.feed.stop()  # the y range stays put
    qtbot.wait(200)
    vb = chart.price_plot.vb
    (x0, x1), (y0, y1) = vb.viewRange()
    y = (y0 + y1) / 2
    chart._glw.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF((x0 + x1) / 2, y)))
    qtbot.waitUntil(lambda: chart.crosshair.visible, timeout=2_000)
    assert chart.crosshair.line.value() == pytest.approx(y)
    assert chart.crosshair.line.label.format == f"{y:.2f}"
