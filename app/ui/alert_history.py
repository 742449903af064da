"""The alert history: every alert ever fired, newest first, a page at a time.

Pages are read by the monitor worker (off the GUI thread); the panel only asks
for a page and shows what comes back, so a long history never slows the window.

Each row's tooltip is the alert's receipt (what fired it, from where). Double-click
or Enter on a row, or "Show on chart" in its context menu, emits
``alert_activated(record)`` so the window can jump the chart to the alert's bar;
"Copy receipt" puts the receipt on the clipboard.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.models import AlertKind, AlertSource
from app.storage.repository import AlertRecord
from app.ui.formatting import alert_receipt, format_price, format_time, kind_color, kind_label

_KIND_COLOURS = {
    AlertKind.STOP_LOSS: QColor("#d32f2f"),
    AlertKind.TAKE_PROFIT: QColor("#1b7f3b"),
    AlertKind.ENTRY: QColor("#1565c0"),
}


class AlertTableModel(QAbstractTableModel):
    COLUMNS = ("event_time", "stock_code", "task_name", "kind", "price", "level", "prev_price", "source", "acknowledged")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AlertRecord] = []

    def set_rows(self, rows: list[AlertRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> AlertRecord | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            "event_time": self.tr("Time"),
            "stock_code": self.tr("Symbol"),
            "task_name": self.tr("Task"),
            "kind": self.tr("Alert"),
            "price": self.tr("Price"),
            "level": self.tr("Level"),
            "prev_price": self.tr("Previous price"),
            "source": self.tr("Data"),
            "acknowledged": self.tr("Acknowledged"),
        }[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row(index.row())
        if record is None:
            return None
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "kind":
            colour = _KIND_COLOURS.get(record.kind)
            return colour if colour is not None else QColor(kind_color(record.kind))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.receipt(record)
        return None

    def receipt(self, record: AlertRecord) -> str:
        """The row's tooltip: the alert's receipt and when it was recorded (local time)."""
        recorded = self.tr("Recorded at %1").replace(
            "%1", format_time(record.created_at.astimezone()))
        return f"{alert_receipt(record)}\n{recorded}"

    def _display(self, record: AlertRecord, column: str) -> str:
        if column == "event_time":
            return format_time(record.event_time)
        if column == "stock_code":
            return record.stock_code
        if column == "task_name":
            return record.task_name
        if column == "kind":
            return kind_label(record.kind)
        if column == "price":
            return format_price(record.price)
        if column == "level":
            return format_price(record.level)
        if column == "prev_price":
            return format_price(record.prev_price)
        if column == "acknowledged":
            return "✓" if record.acknowledged else ""
        if column == "source":
            return {
                AlertSource.LIVE: self.tr("live"),
                AlertSource.BACKFILL: self.tr("backfill"),
                AlertSource.REPLAY: self.tr("replay"),
            }[record.source]
        return ""


class AlertHistoryPanel(QWidget):
    """Paged alert history; emits ``page_requested`` and shows ``show_page`` results.

    ``alert_activated(record)`` asks for the alert's bar on the chart (double-click,
    Enter, or "Show on chart" in the row's context menu).
    """

    page_requested = Signal(int, int)
    alert_activated = Signal(object)  # AlertRecord
    PAGE_SIZE = 50

    def __init__(self, parent: QWidget | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.page = 0
        self.total = 0
        self.model = AlertTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Double-click or Enter (Qt's "activated"; single click only where the
        # platform style says so) jumps to the alert on the chart.
        self.table.activated.connect(self._on_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.row_menu: QMenu | None = None  # the last context menu shown (kept alive)
        self.previous_button = QPushButton(self.tr("Newer"))
        self.next_button = QPushButton(self.tr("Older"))
        self.page_label = QLabel()
        self.previous_button.clicked.connect(lambda: self.request(self.page - 1))
        self.next_button.clicked.connect(lambda: self.request(self.page + 1))
        bar = QHBoxLayout()
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(bar)
        self._update_controls()

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def request(self, page: int) -> None:
        page = max(0, min(page, self.page_count - 1))
        self.page_requested.emit(page, self.page_size)

    def refresh(self) -> None:
        """Re-read the page on show (new alerts appear on the first page)."""
        self.request(self.page)

    def show_page(self, page: int, rows: list[AlertRecord], total: int) -> None:
        self.page = page
        self.total = total
        self.model.set_rows(rows)
        self._update_controls()

    def record_at(self, row: int) -> AlertRecord | None:
        """The record shown in ``row`` of the current page."""
        return self.model.row(row)

    def copy_receipt(self, record: AlertRecord) -> str:
        """Put the record's receipt on the clipboard and return it."""
        text = self.model.receipt(record)
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        return text

    def make_row_menu(self, record: AlertRecord) -> QMenu:
        """The context menu of one row: Show on chart, Copy receipt."""
        menu = QMenu(self)
        show = menu.addAction(self.tr("Show on chart"))
        show.setObjectName("showOnChartAction")
        show.triggered.connect(lambda: self.alert_activated.emit(record))
        copy = menu.addAction(self.tr("Copy receipt"))
        copy.setObjectName("copyReceiptAction")
        copy.triggered.connect(lambda: self.copy_receipt(record))
        return menu

    def _on_activated(self, index: QModelIndex) -> None:
        record = self.model.row(index.row()) if index.isValid() else None
        if record is not None:
            self.alert_activated.emit(record)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        record = self.model.row(index.row()) if index.isValid() else None
        if record is None:
            return
        self.table.selectRow(index.row())
        if self.row_menu is not None:
            self.row_menu.deleteLater()
        self.row_menu = self.make_row_menu(record)
        self.row_menu.popup(self.table.viewport().mapToGlobal(pos))

    def _update_controls(self) -> None:
        self.page_label.setText(
            self.tr("Page %1 of %2 · %3 alerts")
            .replace("%1", str(self.page + 1))
            .replace("%2", str(self.page_count))
            .replace("%3", str(self.total))
        )
        self.previous_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page + 1 < self.page_count)
