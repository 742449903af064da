"""Search an exchange's markets and pick one symbol to watch.

Why not a plain line edit: an exchange lists thousands of markets and traders type them
as their exchange's web page shows them (``btcusdt``, ``BTC-USDT``), while ccxt names them
``BTC/USDT``. The suggestions come from ``app.market.symbols`` (ranked: the pair itself,
the base currency, prefix, substring) and only a known market is ever emitted, in its
canonical spelling, so a typo cannot reach the feed as a symbol that never ticks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.market.symbols import DEFAULT_LIMIT, SymbolIndex
from app.monitors.sessions import is_ashare

__all__ = ["EnterLineEdit", "SymbolSearchBox"]

ERROR_STYLE = "QLabel { color: #d32f2f; }"


def fill(template: str, *values: object) -> str:
    """Replace %1..%9 in one pass, so a value containing "%2" is never substituted again."""
    return re.sub(r"%([1-9])", lambda m: str(values[int(m.group(1)) - 1]), template)


class EnterLineEdit(QLineEdit):
    """A line edit that keeps Enter to itself (``returnPressed``), so in a dialog Enter
    adds the symbol instead of also pressing the default OK button."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class SymbolSearchBox(QWidget):
    """A search field with ranked suggestions and an Add button.

    Enter or Add emits ``symbol_chosen`` with the canonical symbol when the text names a
    known market, else shows "Unknown symbol on <exchange>: …" and emits nothing. Until
    ``set_symbols`` gives a non-empty list the box is disabled and says "Loading markets…".
    """

    symbol_chosen = Signal(str)

    def __init__(
        self,
        exchange: str = "",
        parent: QWidget | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        super().__init__(parent)
        self._exchange = exchange
        self._ashare = False  # A-share codes (QMT): the hint shows a code, not a pair
        self._limit = limit
        self._index = SymbolIndex(())
        self.line_edit = EnterLineEdit()
        self.line_edit.setClearButtonEnabled(True)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAutoDefault(False)  # Enter in the field must not also press OK
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        # The model already holds only the ranked matches; Qt must not filter them again.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.line_edit.setCompleter(self.completer)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error_label)

        self.line_edit.textEdited.connect(self._on_text_edited)
        self.line_edit.returnPressed.connect(self.choose)
        self.add_button.clicked.connect(self.choose)
        self._show_state()

    # ----- public -------------------------------------------------------------------
    def set_symbols(self, symbols: Sequence[str]) -> None:
        """The exchange's market symbols; an empty list means "still loading"."""
        self._index = SymbolIndex(symbols)
        self._ashare = bool(symbols) and is_ashare(symbols[0])
        self._model.setStringList([])
        self.clear_error()
        self._show_state()

    def set_exchange(self, exchange: str) -> None:
        """The exchange named in the error text."""
        self._exchange = exchange

    def has_markets(self) -> bool:
        return len(self._index) > 0

    def suggestions(self) -> list[str]:
        """What the completer offers for the current text, best first."""
        return self._model.stringList()

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def choose(self) -> None:
        """Emit the symbol the text names, or say why not."""
        text = self.line_edit.text().strip()
        if not text or not self.has_markets():
            return
        symbol = self._index.canonical(text)
        if symbol is None:
            self._show_error(text)
            return
        self.completer.popup().hide()
        self.line_edit.clear()
        self._model.setStringList([])
        self.clear_error()
        self.symbol_chosen.emit(symbol)

    # ----- internals ----------------------------------------------------------------
    def _on_text_edited(self, text: str) -> None:
        # Runs before QLineEdit asks the completer to show, so the popup gets this list.
        self.clear_error()
        self._model.setStringList(self._index.rank(text, self._limit))

    def _show_error(self, text: str) -> None:
        if self._exchange:
            message = fill(self.tr("Unknown symbol on %1: %2"), self._exchange, text)
        else:
            message = fill(self.tr("Unknown symbol: %1"), text)
        self.error_label.setText(message)
        self.error_label.show()

    def _show_state(self) -> None:
        loaded = self.has_markets()
        self.line_edit.setEnabled(loaded)
        self.add_button.setEnabled(loaded)
        if loaded and self._ashare:
            self.line_edit.setPlaceholderText(self.tr("Search code, e.g. 600519 or 600519.SH"))
        elif loaded:
            self.line_edit.setPlaceholderText(self.tr("Search symbol, e.g. BTC/USDT or btcusdt"))
        else:
            self.line_edit.clear()
            self.line_edit.setPlaceholderText(self.tr("Loading markets…"))
