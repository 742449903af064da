"""Rules on the chart, end to end: drag a level line with the mouse, right-click a price,
click an alert in the history — against the real window, monitor worker and SQLite file.

The demo feed is stopped once the chart has bars, so prices stand still and every level
is placed relative to a known last price.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu

from app.core.models import AlertKind, Bar, Direction, TaskStatus, Tick
from app.storage.db import open_database
from app.storage.repository import Store
from app.ui.application import Session, build_session
from app.ui.chart import CandleChart
from app.ui.chart_levels import LevelLine
from app.ui.settings import AppSettings

SYMBOL = "BTC/USDT"


@pytest.fixture
def session(qtbot: Any, tmp_path: Path) -> Any:
    s = build_session(db_path=tmp_path / "monitor.db", settings=AppSettings(tmp_path / "s.ini"),
                      speed=16.0, history_bars=200)
    s.window.resize(1400, 900)
    s.window.show()
    qtbot.waitExposed(s.window)
    qtbot.waitUntil(lambda: s.feed is not None and s.feed.ticks_sent > 0, timeout=20_000)
    s.window.show_symbol(SYMBOL)
    s.feed.stop()
    qtbot.wait(100)
    yield s
    s.window.quit_app()
    s.shutdown()


def last_price(session: Session) -> float:
    price = session.window.quotes[SYMBOL].last
    assert price is not None
    return price


def save_rule(session: Session, qtbot: Any, **fields: Any) -> int:
    """A rule saved the way the form saves it; returns its id once the window has it."""
    worker = session.monitor.worker
    data = {"task_name": "chart", "stock_code": SYMBOL, **fields}
    with qtbot.waitSignal(worker.rule_saved, timeout=5_000) as saved:
        worker.save_requested.emit("test", data, None)
    rule_id = saved.args[1].id
    qtbot.waitUntil(lambda: any(r.id == rule_id for r in session.window.rules), timeout=5_000)
    return rule_id


def stored_rule(tmp_path: Path, rule_id: int) -> Any:
    db = open_database(tmp_path / "monitor.db")
    try:
        return Store(db).get_rule(rule_id)
    finally:
        db.close()


def line_of(chart: CandleChart, qtbot: Any, rule_id: int, field: str) -> LevelLine:
    qtbot.waitUntil(lambda: chart.level_layer.line_for(rule_id, field) is not None, timeout=5_000)
    line = chart.level_layer.line_for(rule_id, field)
    assert line is not None
    return line


def _send(chart: CandleChart, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton,
          buttons: Qt.MouseButton) -> None:
    viewport = chart._glw.viewport()
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(viewport.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


def drag_line(chart: CandleChart, qtbot: Any, line: LevelLine, to_price: float,
              *, during: Any = None) -> None:
    """Press on the line, move in steps to ``to_price``, release: a real mouse drag."""
    vb = chart.price_plot.vb
    x0, x1 = vb.viewRange()[0]
    x = x0 + (x1 - x0) * 0.4
    start = chart._glw.mapFromScene(vb.mapViewToScene(QPointF(x, line.value())))
    end = chart._glw.mapFromScene(vb.mapViewToScene(QPointF(x, to_price)))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send(chart, QEvent.Type.MouseMove, start, none, none)
    _send(chart, QEvent.Type.MouseButtonPress, start, left, left)
    steps = 8
    for k in range(1, steps + 1):
        p = QPoint(start.x(), start.y() + (end.y() - start.y()) * k // steps)
        _send(chart, QEvent.Type.MouseMove, p, none, left)
        qtbot.wait(15)
    if during is not None:
        during()
    _send(chart, QEvent.Type.MouseButtonRelease, end, left, none)


def test_dragging_a_triggered_stop_saves_it_and_rearms_the_rule(
    session: Session, qtbot: Any, tmp_path: Path
) -> None:
    window, chart = session.window, session.window.chart
    price = last_price(session)
    # A stop above the price fires on the next price: the rule is triggered.
    rule_id = save_rule(session, qtbot, stop_loss=round(price * 1.002, 2),
                        take_profit=round(price * 1.5, 2))
    tick = Tick(SYMBOL, window.series[SYMBOL].time_at(-1), price, 0.0)
    session.monitor.worker.ticks_received.emit([tick])
    qtbot.waitUntil(lambda: next(r for r in window.rules if r.id == rule_id).status
                    is TaskStatus.TRIGGERED, timeout=5_000)

    window.monitor_panel.table.selectRow(0)  # the trader selects it: its lines show
    line = line_of(chart, qtbot, rule_id, "stop_loss")
    assert line.movable
    target = round(price * 0.97, 2)
    seen: dict[str, Any] = {}

    def look_during_drag() -> None:
        qtbot.waitUntil(lambda: chart.dry_run_marks.label.isVisible(), timeout=3_000)
        seen["label"] = chart.dry_run_marks.label.textItem.toPlainText()

    drag_line(chart, qtbot, line, target, during=look_during_drag)
    assert "Would have fired" in seen["label"]
    qtbot.waitUntil(lambda: next(r for r in window.rules if r.id == rule_id).stop_loss
                    is not None and abs(next(r for r in window.rules if r.id == rule_id).stop_loss
                                        - target) < price * 0.004, timeout=5_000)
    rule = next(r for r in window.rules if r.id == rule_id)
    assert rule.stop_loss == round(rule.stop_loss, 2)  # snapped to the price's decimals
    assert rule.status is TaskStatus.RUNNING and AlertKind.STOP_LOSS not in rule.fired
    on_disk = stored_rule(tmp_path, rule_id)
    assert on_disk.stop_loss == rule.stop_loss and on_disk.status is TaskStatus.RUNNING
    assert not chart.dry_run_marks.label.isVisible()  # the dry run ends with the drag


def test_an_invalid_drop_snaps_back_with_the_reason_and_saves_nothing(
    session: Session, qtbot: Any, tmp_path: Path
) -> None:
    window, chart = session.window, session.window.chart
    price = last_price(session)
    y0, y1 = chart.price_plot.vb.viewRange()[1]
    # Both lines on screen (a line is grabbed where it is drawn).
    stop, target = round(price - 0.2 * (price - y0), 2), round(price + 0.3 * (y1 - price), 2)
    rule_id = save_rule(session, qtbot, stop_loss=stop, take_profit=target)
    line = line_of(chart, qtbot, rule_id, "take_profit")
    seen: dict[str, Any] = {}

    def look_during_drag() -> None:
        qtbot.waitUntil(lambda: chart.dry_run_marks.label.isVisible(), timeout=3_000)
        seen["label"] = chart.dry_run_marks.label.textItem.toPlainText()

    low = y0 + 0.05 * (price - y0)  # under the stop: a long's target below its stop
    drag_line(chart, qtbot, line, low, during=look_during_drag)
    assert seen["label"].startswith("✗")  # said while dragging, before the drop
    qtbot.waitUntil(lambda: line.value() == target, timeout=3_000)
    message = window.statusBar().currentMessage()
    assert "must be below the take profit" in message, message  # the validator's reason
    assert stored_rule(tmp_path, rule_id).take_profit == target
    assert next(r for r in window.rules if r.id == rule_id).take_profit == target


def test_right_click_opens_the_price_menu_and_creates_a_rule(
    session: Session, qtbot: Any, tmp_path: Path
) -> None:
    window, chart = session.window, session.window.chart
    price = last_price(session)
    vb = chart.price_plot.vb
    (x0, x1), (y0, y1) = vb.viewRange()
    click_price = y0 + (price - y0) * 0.5  # under the last price, on screen
    assert click_price < price
    pos = chart._glw.mapFromScene(vb.mapViewToScene(QPointF((x0 + x1) / 2, click_price)))
    with qtbot.waitSignal(chart.price_menu_requested, timeout=3_000) as asked:
        right = Qt.MouseButton.RightButton
        _send(chart, QEvent.Type.MouseButtonPress, pos, right, right)
        _send(chart, QEvent.Type.MouseButtonRelease, pos, right, Qt.MouseButton.NoButton)
    menu_price = asked.args[0]
    assert menu_price == pytest.approx(click_price, rel=0.002)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3_000)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    actions = window.chart_rules.actions(menu)
    assert set(actions) == {("new", "stop_loss"), ("new", "take_profit"), ("new", "cross_level")}
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000) as saved:
        actions[("new", "stop_loss")].trigger()
    menu.close()
    rule = saved.args[1]
    assert rule.stop_loss == menu_price and rule.direction is Direction.LONG
    assert rule.stock_code == SYMBOL and rule.status is TaskStatus.RUNNING
    assert stored_rule(tmp_path, rule.id).stop_loss == menu_price

    # The only rule of the symbol is now the target: "take-profit here" sets its target.
    qtbot.waitUntil(lambda: len(window.rules) == 1, timeout=5_000)
    above = round(price * 1.05, 2)
    menu = window.chart_rules.menu_for(above)
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000):
        window.chart_rules.actions(menu)[("set", "take_profit")].trigger()
    assert stored_rule(tmp_path, rule.id).take_profit == above


def test_clicking_an_alert_in_the_history_jumps_the_chart_to_its_bar(
    session: Session, qtbot: Any
) -> None:
    window, chart = session.window, session.window.chart
    series = window.series[SYMBOL]
    old = len(series) - 150
    bar = series.bar(old)

    # A backfilled bar far back reaches the stop: the alert belongs on that old bar.
    rule_id = save_rule(session, qtbot, stop_loss=round(bar.low * 1.0001, 2))
    low_bar = Bar(SYMBOL, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume)
    session.monitor.worker.bars_received.emit([low_bar])
    qtbot.waitUntil(lambda: window.history_panel.model.rowCount() >= 1, timeout=5_000)
    record = window.history_panel.model.row(0)
    assert record is not None and record.task_id == rule_id
    qtbot.waitUntil(lambda: len(chart.alert_markers.indices) >= 1, timeout=5_000)
    assert old in chart.alert_markers.indices  # the marker sits on the bar that fired

    window.show_symbol("600519.SH")
    window.tabs.setCurrentWidget(window.history_panel)
    table = window.history_panel.table
    index = window.history_panel.model.index(0, 0)
    table.scrollTo(index)
    rect = table.visualRect(index)
    # QTest's double-click only counts as one after a click at the same place.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current_symbol == SYMBOL, timeout=3_000)
    x0, x1 = chart.price_plot.vb.viewRange()[0]
    assert x0 < old < x1 and chart.jump_flash.index == old
    assert not chart.is_following  # looking at the past: new bars do not scroll it away
