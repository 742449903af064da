"""The watchlist: symbol, name, last price and change, coloured the Chinese way.

Repainted from the window's timer (not per tick) so a busy feed costs the
screen nothing extra; red = up, green = down, as A-share traders read it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.market.quotes import Quote
from app.ui.formatting import format_price

UP = QColor("#d32f2f")
DOWN = QColor("#1b7f3b")


class Watchlist(QTableWidget):
    """One row per instrument; emits ``symbol_selected`` when the trader picks a row.

    When ``removable`` (an exchange feed), the context menu and the Delete key ask to
    remove the current symbol (``remove_requested``); the owner decides and calls
    ``remove_symbol``.
    """

    symbol_selected = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.up_colour, self.down_colour = UP, DOWN
        self.setHorizontalHeaderLabels([self.tr("Symbol"), self.tr("Name"), self.tr("Last"), self.tr("Change")])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self._rows: dict[str, int] = {}
        self.removable = False
        self.remove_action = QAction(self.tr("Remove from watchlist"), self)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self._request_remove)
        self.addAction(self.remove_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self._decimals: dict[str, int] = {}
        self.currentCellChanged.connect(self._on_current_changed)

    def add_symbol(self, symbol: str, name: str, decimals: int | None = None) -> None:
        """``decimals``: the instrument's price precision, so 84976.00 does not show as 84976."""
        if decimals is not None:
            self._decimals[symbol] = decimals
        if symbol in self._rows:
            return
        row = self.rowCount()
        self.insertRow(row)
        self._rows[symbol] = row
        self.setItem(row, 0, QTableWidgetItem(symbol))
        self.setItem(row, 1, QTableWidgetItem(name))
        for column in (2, 3):
            item = QTableWidgetItem("—")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, column, item)

    def set_name(self, symbol: str, name: str, tooltip: str = "") -> None:
        row = self._rows.get(symbol)
        if row is not None:
            self.item(row, 1).setText(name)
            for column in range(self.columnCount()):
                self.item(row, column).setToolTip(tooltip)

    def remove_symbol(self, symbol: str) -> None:
        row = self._rows.pop(symbol, None)
        if row is None:
            return
        self.removeRow(row)
        self._decimals.pop(symbol, None)
        self._rows = {s: (r - 1 if r > row else r) for s, r in self._rows.items()}

    def symbols(self) -> list[str]:
        return list(self._rows)

    def select_symbol(self, symbol: str) -> None:
        row = self._rows.get(symbol)
        if row is not None:
            self.selectRow(row)

    def current_symbol(self) -> str | None:
        row = self.currentRow()
        item = self.item(row, 0) if row >= 0 else None
        return item.text() if item else None

    def set_up_color_convention(self, convention: str) -> None:
        """``red_up`` (A-share habit) or ``green_up``; rows take it at their next quote."""
        self.up_colour, self.down_colour = (DOWN, UP) if convention == "green_up" else (UP, DOWN)

    def update_quote(self, quote: Quote) -> None:
        row = self._rows.get(quote.symbol)
        if row is None or quote.last is None:
            return
        change = quote.change_pct
        colour = (self.up_colour if (change or 0) > 0
                  else self.down_colour if (change or 0) < 0 else None)
        last_item = self.item(row, 2)
        change_item = self.item(row, 3)
        last_item.setText(self.price_text(quote))
        change_item.setText("—" if change is None else f"{change:+.2f}%")
        for item in (last_item, change_item):
            if colour is None:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
            else:
                item.setForeground(colour)

    def price_text(self, quote: Quote) -> str:
        """The last price with the instrument's own precision."""
        decimals = self._decimals.get(quote.symbol)
        if quote.last is None or decimals is None:
            return format_price(quote.last)
        return f"{quote.last:.{decimals}f}"

    def text_at(self, symbol: str, column: int) -> str:
        row = self._rows[symbol]
        return self.item(row, column).text()

    def _request_remove(self) -> None:
        symbol = self.current_symbol()
        if self.removable and symbol is not None:
            self.remove_requested.emit(symbol)

    def _show_menu(self, position: QPoint) -> None:
        row = self.rowAt(position.y())
        if not self.removable or row < 0:
            return
        self.selectRow(row)
        menu = QMenu(self)
        menu.addAction(self.remove_action)
        menu.exec(self.viewport().mapToGlobal(position))

    def _on_current_changed(self, row: int, _c: int, _pr: int, _pc: int) -> None:
        item = self.item(row, 0) if row >= 0 else None
        if item is not None:
            self.symbol_selected.emit(item.text())
