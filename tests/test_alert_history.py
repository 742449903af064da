"""The alert history panel: receipts as tooltips, jump to the chart, copy the receipt."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.core.models import AlertKind, AlertSource
from app.storage.repository import AlertRecord
from app.ui.alert_history import AlertHistoryPanel
from app.ui.formatting import alert_receipt, format_time

SHANGHAI = timezone(timedelta(hours=8))


def record(
    id_: int = 1,
    *,
    kind: AlertKind = AlertKind.STOP_LOSS,
    source: AlertSource = AlertSource.LIVE,
    prev_price: float | None = 1433.5,
) -> AlertRecord:
    return AlertRecord(
        id=id_,
        task_id=4,
        task_name="Moutai swing",
        stock_code="600519.SH",
        kind=kind,
        event_time=datetime(2026, 3, 9, 10, 15, 0, tzinfo=SHANGHAI),
        price=1433.33,
        level=1433.4,
        prev_price=prev_price,
        source=source,
        created_at=datetime(2026, 3, 9, 2, 15, 1, tzinfo=timezone.utc),
        acknowledged=False,
    )


@pytest.fixture
def panel(qtbot: Any) -> AlertHistoryPanel:
    widget = AlertHistoryPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    widget.show_page(0, [record(1), record(2, kind=AlertKind.ENTRY, source=AlertSource.BACKFILL)], 2)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def tooltip(panel: AlertHistoryPanel, row: int, column: int = 0) -> str:
    return panel.model.data(panel.model.index(row, column), Qt.ItemDataRole.ToolTipRole)


def test_row_tooltip_is_the_receipt_and_when_it_was_recorded(panel: AlertHistoryPanel) -> None:
    text = tooltip(panel, 0)
    receipt = alert_receipt(record(1))
    assert text.startswith(receipt)
    recorded = format_time(record(1).created_at.astimezone())
    assert text.endswith(f"Recorded at {recorded}")
    for part in ("1433.33", "Level: 1433.4 (stop-loss level)", "Crossed from 1433.5 to 1433.33",
                 "2026-03-09 10:15:00 (UTC+08:00)", "live data"):
        assert part in text
    assert tooltip(panel, 0, column=5) == text  # every cell of the row


def test_backfill_row_says_backfill(panel: AlertHistoryPanel) -> None:
    text = tooltip(panel, 1)
    assert "backfill" in text and "live data" not in text
    assert "Entry zone" in text and "entry-zone bound" in text


def cell_centre(panel: AlertHistoryPanel, row: int, column: int = 1):
    return panel.table.visualRect(panel.model.index(row, column)).center()


def test_double_click_emits_alert_activated_with_the_record(qtbot: Any, panel: AlertHistoryPanel) -> None:
    viewport, at = panel.table.viewport(), cell_centre(panel, 1)
    seen: list[AlertRecord] = []
    panel.alert_activated.connect(seen.append)
    with qtbot.waitSignal(panel.alert_activated, timeout=1000) as activated:
        # What a real double-click delivers: press, release, then the double-click.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at)
    assert activated.args == [record(2, kind=AlertKind.ENTRY, source=AlertSource.BACKFILL)]
    qtbot.wait(50)
    assert len(seen) == 1  # one jump per double-click


def test_single_click_does_not_jump(qtbot: Any, panel: AlertHistoryPanel) -> None:
    with qtbot.assertNotEmitted(panel.alert_activated, wait=100):
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=cell_centre(panel, 0))


def test_enter_on_the_current_row_emits_alert_activated(qtbot: Any, panel: AlertHistoryPanel) -> None:
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(panel.alert_activated, timeout=1000) as activated:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert activated.args == [record(1)]


def test_context_menu_shows_on_chart_and_copies_the_receipt(qtbot: Any, panel: AlertHistoryPanel) -> None:
    panel.table.customContextMenuRequested.emit(cell_centre(panel, 0))
    menu = panel.row_menu
    assert menu is not None
    texts = [action.text() for action in menu.actions()]
    assert texts == ["Show on chart", "Copy receipt"]
    assert panel.table.currentIndex().row() == 0  # the row the menu is about is selected
    with qtbot.waitSignal(panel.alert_activated, timeout=1000) as activated:
        menu.actions()[0].trigger()
    assert activated.args == [record(1)]
    menu.hide()

    QGuiApplication.clipboard().clear()
    menu.actions()[1].trigger()
    assert QGuiApplication.clipboard().text() == tooltip(panel, 0)


def test_context_menu_on_empty_space_does_nothing(panel: AlertHistoryPanel) -> None:
    below = panel.table.visualRect(panel.model.index(1, 1)).bottomLeft()
    below.setY(below.y() + 100)
    panel.table.customContextMenuRequested.emit(below)
    assert panel.row_menu is None
