"""Choose the data feed: the recorded demo, a crypto exchange through ccxt, or Chinese
A-shares from a QMT terminal (MiniQMT, through xtquant).

Why a dialog of its own: the feed decides whether any alert can fire, so its settings are
checked before they are kept. An unknown exchange, an empty watchlist or a malformed
developer server address keeps OK disabled with the reason next to the field; nothing is
stored until OK, and then everything or nothing: API keys go first (to the OS keyring
through ``CredentialStore``, never to a file), and when the keyring refuses them the
dialog stays open with the settings untouched.

Keys are optional (public prices need none). Empty key fields keep keys already stored;
"Forget stored keys" removes them at once. ``result_config()`` hands the app a
``FeedChoice`` to restart the feed with.

ccxt takes many seconds to import, so its exchange list is only loaded when the caller
does not pass one. Markets (for the symbol search) come from the caller too: the dialog
asks with ``markets_wanted(exchange_id, market_type)`` and is answered by ``set_markets``.

QMT needs no keys and no market list: a watchlist of codes in xtquant's form
(``600519.SH``; ``sh600519`` and lower case are accepted and normalised, anything else is
refused with the reason), an optional port (empty = xtquant finds the running terminal)
and whether to also watch the whole 沪深A股 sector so rules on any code fire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QMetaMethod, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.feeds.ccxt_feed import available_exchange_ids
from app.feeds.ccxt_urls import InvalidAddress, normalise_address
from app.feeds.credentials import ApiKeys, CredentialStore, CredentialStoreError
from app.ui.settings import (
    DEFAULT_QMT_CODES,
    AppSettings,
    clean_exchange_id,
    clean_qmt_code,
    clean_symbols,
    qmt_code_fault,
)
from app.ui.symbol_search import ERROR_STYLE, EnterLineEdit, SymbolSearchBox, fill

__all__ = ["PREFERRED_EXCHANGES", "FeedChoice", "FeedSettingsDialog", "exchange_choices"]

PREFERRED_EXCHANGES = ("binance", "bybit", "okx")  # tested against the fake exchange
NOTE_STYLE = "QLabel { color: #616161; }"
TYPING_PAUSE_MS = 400  # a typed exchange id counts once the trader stops typing


@dataclass(frozen=True)
class FeedChoice:
    """What feed to run: ``kind`` "demo", "exchange" or "qmt"; ``exchange_id`` to
    ``address`` describe the exchange, the ``qmt_*`` fields the QMT feed (``qmt_port``
    None = let xtquant find the running terminal)."""

    kind: str
    exchange_id: str
    market_type: str
    symbols: tuple[str, ...]
    address: str
    qmt_codes: tuple[str, ...] = tuple(DEFAULT_QMT_CODES)
    qmt_whole_market: bool = False
    qmt_port: int | None = None

    @classmethod
    def from_settings(cls, settings: AppSettings) -> FeedChoice:
        """The stored choice (what the app runs at start-up)."""
        return cls(
            kind=settings.feed_kind,
            exchange_id=settings.exchange_id,
            market_type=settings.exchange_market_type,
            symbols=tuple(settings.exchange_symbols),
            address=settings.exchange_address,
            qmt_codes=tuple(settings.qmt_codes),
            qmt_whole_market=settings.qmt_whole_market,
            qmt_port=settings.qmt_port,
        )


def exchange_choices(exchange_ids: Sequence[str] | None = None) -> list[str]:
    """binance, bybit, okx first, then every other id (all of ccxt's when none given;
    listed without importing ccxt, so opening the dialog never stalls the window)."""
    if exchange_ids is None:
        exchange_ids = available_exchange_ids()
    rest = sorted(set(exchange_ids) - set(PREFERRED_EXCHANGES))
    return [*PREFERRED_EXCHANGES, *rest]


class ApiKeyFields(QGroupBox):
    """API key, secret and passphrase (all masked), the keyring note and "Forget"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("API keys (optional)"), parent)
        self.api_key = _secret_edit()
        self.secret = _secret_edit()
        self.password = _secret_edit()
        note = QLabel(self.tr(
            "Only needed for account data; public prices need no keys. "
            "Stored in the operating system's keyring, never in files."
        ))
        note.setWordWrap(True)
        note.setStyleSheet(NOTE_STYLE)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.forget_button = QPushButton(self.tr("Forget stored keys"))
        self.forget_button.setAutoDefault(False)
        self.error = _error_label()
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow(self.tr("API key:"), self.api_key)
        form.addRow(self.tr("Secret:"), self.secret)
        form.addRow(self.tr("Passphrase:"), self.password)
        form.addRow(self.status)
        forget_row = QHBoxLayout()
        forget_row.addStretch(1)
        forget_row.addWidget(self.forget_button)
        form.addRow(forget_row)
        form.addRow(self.error)

    def entered(self) -> ApiKeys | None:
        """The typed keys, or None when all fields are empty (keep what is stored)."""
        values = [f.text().strip() for f in (self.api_key, self.secret, self.password)]
        return ApiKeys(*values) if any(values) else None

    def incomplete(self) -> bool:
        keys = self.entered()
        return keys is not None and not (keys.api_key and keys.secret)

    def show_stored(self, stored: bool | None) -> None:
        """``stored``: keys exist (True), none (False), keyring unavailable (None)."""
        hint = self.tr("Stored — leave empty to keep") if stored else self.tr("Optional")
        for field in (self.api_key, self.secret, self.password):
            field.setPlaceholderText(hint)
        self.forget_button.setEnabled(bool(stored))


class SymbolListEditor(QWidget):
    """The chosen symbols with Remove, plus an adder: the market search when markets are
    known, else a comma-separated line edit (symbols upper-cased, not checked).

    ``clean`` turns one typed entry into what the list keeps, or None to refuse it (then
    ``refused`` gives the message for the refused entries); ``placeholder`` replaces the
    symbol example in the typed field. The QMT watchlist uses them for A-share codes.
    """

    changed = Signal()

    def __init__(
        self,
        symbols: Sequence[str],
        search: SymbolSearchBox | None,
        *,
        clean: Callable[[str], str | None] | None = None,
        refused: Callable[[list[str]], str] | None = None,
        placeholder: str | None = None,
    ) -> None:
        super().__init__()
        self._clean = clean or _clean_symbol
        self._refused = refused
        self.list = QListWidget()
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setMaximumHeight(140)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setAutoDefault(False)
        self.search = search
        self.plain = EnterLineEdit()
        self.plain.setPlaceholderText(
            placeholder or self.tr("Symbols separated by commas, e.g. BTC/USDT, ETH/USDT")
        )
        self.plain_add = QPushButton(self.tr("Add"))
        self.plain_add.setAutoDefault(False)
        self.plain_error = _error_label()
        self.plain_row = QWidget()
        plain_layout = QHBoxLayout(self.plain_row)
        plain_layout.setContentsMargins(0, 0, 0, 0)
        plain_layout.addWidget(self.plain, 1)
        plain_layout.addWidget(self.plain_add)

        list_row = QHBoxLayout()
        list_row.addWidget(self.list, 1)
        list_row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(list_row)
        if search is not None:
            layout.addWidget(search)
            search.symbol_chosen.connect(self.add)
        layout.addWidget(self.plain_row)
        layout.addWidget(self.plain_error)
        self.use_search(search is not None)

        for symbol in symbols:
            self.add(symbol)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.itemSelectionChanged.connect(self._update_remove)
        self.plain.returnPressed.connect(self.add_typed)
        self.plain_add.clicked.connect(self.add_typed)
        self.plain.textEdited.connect(lambda _t: self.plain_error.hide())
        self._update_remove()

    def symbols(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def use_search(self, search: bool) -> None:
        """Show the market search (``True``) or the plain comma-separated field."""
        if self.search is not None:
            self.search.setVisible(search)
        self.plain_row.setVisible(not search)
        self.plain_error.hide()

    def add(self, symbol: str) -> None:
        found = [self.list.item(r) for r in range(self.list.count())
                 if self.list.item(r).text() == symbol]
        if found:
            self.list.setCurrentItem(found[0])
            return
        self.list.addItem(symbol)
        self.changed.emit()

    def add_typed(self) -> None:
        # Commas (also the Chinese "，" and "、") or spaces: symbols never contain either.
        parts = [p for p in re.split(r"[,，、\s]+", self.plain.text()) if p]
        cleaned = [(part, self._clean(part)) for part in parts]
        bad = [part for part, symbol in cleaned if symbol is None]
        for _part, symbol in cleaned:
            if symbol is not None:
                self.add(symbol)
        self.plain.setText(", ".join(bad))
        if bad:
            if self._refused is not None:
                self.plain_error.setText(self._refused(bad))
            else:
                self.plain_error.setText(fill(self.tr("Not a symbol: %1"), ", ".join(bad)))
            self.plain_error.show()
        else:
            self.plain_error.hide()

    def remove_selected(self) -> None:
        rows = sorted((self.list.row(i) for i in self.list.selectedItems()), reverse=True)
        for row in rows:
            self.list.takeItem(row)
        if rows:
            self.changed.emit()

    def _update_remove(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))


class FeedSettingsDialog(QDialog):
    """Pick demo, exchange or QMT feed. For an exchange: its symbols, a developer server
    address and API keys; for QMT: the codes, the terminal's port and the whole-market box.

    ``exchange_ids``: the ids to offer (default: ``ccxt.exchanges``, slow to import).
    ``markets``: the symbols of the stored exchange and market type; when given, symbols
    are picked with a market search, otherwise typed as a comma-separated list. Markets
    of another exchange or market type are asked for with ``markets_wanted`` (answer with
    ``set_markets``); with nothing connected to it, those symbols are typed too.
    """

    markets_wanted = Signal(str, str)  # exchange_id, market_type

    def __init__(
        self,
        settings: AppSettings,
        credentials: CredentialStore,
        *,
        exchange_ids: Sequence[str] | None = None,
        markets: Sequence[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Data feed"))
        self._settings = settings
        self._credentials = credentials
        self._choice = FeedChoice.from_settings(settings)
        self._exchanges = exchange_choices(exchange_ids)
        self._known = set(self._exchanges)
        self._markets: dict[tuple[str, str], list[str] | None] = {}
        self._requested: set[tuple[str, str]] = set()
        self._shown_selection: tuple[str, str] | None = None
        if markets is not None:
            key = (settings.exchange_id, settings.exchange_market_type)
            self._markets[key] = list(markets)
            self._requested.add(key)

        self.demo_radio = QRadioButton(self.tr("Demo (recorded data)"))
        self.exchange_radio = QRadioButton(self.tr("Crypto exchange (ccxt)"))
        self.qmt_radio = QRadioButton(self.tr("QMT / MiniQMT (A-shares)"))
        kinds = QButtonGroup(self)
        kinds.addButton(self.demo_radio)
        kinds.addButton(self.exchange_radio)
        kinds.addButton(self.qmt_radio)

        self.exchange_combo = QComboBox()
        self.exchange_combo.setEditable(True)
        self.exchange_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.exchange_combo.addItems(self._exchanges)
        stored_index = self.exchange_combo.findText(settings.exchange_id)
        if stored_index >= 0:
            self.exchange_combo.setCurrentIndex(stored_index)
        else:
            self.exchange_combo.setCurrentText(settings.exchange_id)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._on_selection)
        self.exchange_error = _error_label()
        self.market_type_combo = QComboBox()
        self.market_type_combo.addItem(self.tr("Spot"), "spot")
        self.market_type_combo.addItem(self.tr("Perpetual swap"), "swap")
        self.market_type_combo.setCurrentIndex(
            max(0, self.market_type_combo.findData(settings.exchange_market_type))
        )
        search = SymbolSearchBox(settings.exchange_id) if markets is not None else None
        self.symbols = SymbolListEditor(settings.exchange_symbols, search)
        self.symbols_error = _error_label()
        self.address_edit = QLineEdit(settings.exchange_address)
        self.address_edit.setPlaceholderText(
            self.tr("Empty = the exchange's own servers; e.g. http://127.0.0.1:8765")
        )
        self.address_error = _error_label()
        self.keys = ApiKeyFields()

        port = settings.qmt_port
        self.qmt_port_edit = QLineEdit("" if port is None else str(port))
        self.qmt_port_edit.setPlaceholderText(self.tr("Empty = find the running terminal automatically"))
        self.qmt_port_edit.setClearButtonEnabled(True)
        self.qmt_port_error = _error_label()
        self.qmt_whole_market_check = QCheckBox(
            self.tr("Also watch the whole A-share market (沪深A股, ~5,500 codes) for rules")
        )
        self.qmt_whole_market_check.setChecked(settings.qmt_whole_market)
        self.qmt_codes = SymbolListEditor(
            settings.qmt_codes,
            None,
            clean=clean_qmt_code,
            refused=self._refused_codes_text,
            placeholder=self.tr("Codes separated by commas, e.g. 600519.SH, 000001.SZ"),
        )
        self.qmt_codes_error = _error_label()
        self.qmt_help = QLabel(self.tr(
            "The QMT terminal must be running in 极简模式 (MiniQMT) on this PC; "
            "the app connects to it through xtquant."
        ))
        self.qmt_help.setWordWrap(True)
        self.qmt_help.setStyleSheet(NOTE_STYLE)
        self.error_label = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._layout()

        radios = {"exchange": self.exchange_radio, "qmt": self.qmt_radio}
        radios.get(settings.feed_kind, self.demo_radio).setChecked(True)
        for radio in (self.demo_radio, self.exchange_radio, self.qmt_radio):
            radio.toggled.connect(self._on_kind)
        self.exchange_combo.currentTextChanged.connect(self._on_exchange_text)
        self.exchange_combo.currentIndexChanged.connect(lambda _i: self._on_selection())
        self.exchange_combo.lineEdit().editingFinished.connect(self._on_selection)
        self.market_type_combo.currentIndexChanged.connect(lambda _i: self._on_selection())
        self.symbols.changed.connect(self._revalidate)
        self.address_edit.textChanged.connect(lambda _t: self._revalidate())
        for field in (self.keys.api_key, self.keys.secret, self.keys.password):
            field.textChanged.connect(lambda _t: self._revalidate())
        self.keys.forget_button.clicked.connect(self.forget_keys)
        self.qmt_port_edit.textChanged.connect(lambda _t: self._revalidate())
        self.qmt_codes.changed.connect(self._revalidate)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._show_kind()
        self._on_selection()
        self._revalidate()

    # ----- public -------------------------------------------------------------------
    def result_config(self) -> FeedChoice:
        """The feed to run: what OK saved, else what was stored before."""
        return self._choice

    def set_markets(self, exchange_id: str, market_type: str, symbols: Sequence[str] | None) -> None:
        """Answer ``markets_wanted``; ``None`` = could not load (symbols are typed instead)."""
        key = (exchange_id, market_type)
        self._markets[key] = None if symbols is None else list(symbols)
        if key == self._selection():
            self._show_markets(key)

    def exchange_id(self) -> str:
        """The exchange id typed or picked (lower case), "" when it cannot be one."""
        return clean_exchange_id(self.exchange_combo.currentText()) or ""

    def market_type(self) -> str:
        return str(self.market_type_combo.currentData())

    def kind(self) -> str:
        """The feed kind chosen in the dialog: "demo", "exchange" or "qmt"."""
        if self.exchange_radio.isChecked():
            return "exchange"
        return "qmt" if self.qmt_radio.isChecked() else "demo"

    def qmt_port(self) -> int | None:
        """The typed QMT port, None when empty (auto-detect) or not a valid port."""
        text = self.qmt_port_edit.text().strip()
        if not text.isascii() or not text.isdigit():
            return None
        port = int(text)
        return port if 1 <= port <= 65535 else None

    def forget_keys(self) -> None:
        """Delete the stored keys of the selected exchange now (not on OK)."""
        exchange = self.exchange_id()
        if not exchange:
            return
        try:
            self._credentials.delete(exchange)
        except CredentialStoreError as error:
            self._show_keyring_error(error)
            return
        for field in (self.keys.api_key, self.keys.secret, self.keys.password):
            field.clear()
        self.keys.show_stored(False)
        self.keys.status.setText(fill(self.tr("The stored API keys for %1 were deleted."), exchange))

    def accept(self) -> None:
        if not self._revalidate():
            return
        kind = self.kind()
        if kind == "qmt":
            self._settings.qmt_codes = self.qmt_codes.symbols()
            self._settings.qmt_whole_market = self.qmt_whole_market_check.isChecked()
            self._settings.qmt_port = self.qmt_port()
            self._settings.qmt_offer_answered = True  # chosen by hand: no start-up question
        if kind != "exchange":
            self._settings.feed_kind = kind
            self._settings.sync()
            self._choice = FeedChoice.from_settings(self._settings)
            super().accept()
            return
        exchange = self.exchange_id()
        keys = self.keys.entered()
        if keys is not None:
            try:
                self._credentials.save(exchange, keys)
            except CredentialStoreError as error:
                self._show_keyring_error(error)
                return  # nothing saved: the keyring goes first
        address = self.address_edit.text().strip()
        self._settings.exchange_id = exchange
        self._settings.exchange_market_type = self.market_type()
        self._settings.exchange_symbols = self.symbols.symbols()
        self._settings.exchange_address = normalise_address(address) if address else ""
        self._settings.feed_kind = "exchange"
        self._settings.sync()
        self._choice = FeedChoice.from_settings(self._settings)
        super().accept()

    # ----- layout -----------------------------------------------------------------
    def _layout(self) -> None:
        self.exchange_box = QGroupBox(self.tr("Crypto exchange"))
        form = QFormLayout(self.exchange_box)
        form.addRow(self.tr("Exchange:"), self.exchange_combo)
        form.addRow(self.exchange_error)
        form.addRow(self.tr("Market type:"), self.market_type_combo)
        form.addRow(self.tr("Symbols:"), self.symbols)
        form.addRow(self.symbols_error)
        address_label = QLabel(self.tr("Server address (developer: local test exchange):"))
        address_label.setBuddy(self.address_edit)
        form.addRow(address_label)
        form.addRow(self.address_edit)
        form.addRow(self.address_error)

        self.qmt_box = QGroupBox(self.tr("QMT / MiniQMT (A-shares)"))
        qmt_form = QFormLayout(self.qmt_box)
        qmt_form.addRow(self.tr("Codes:"), self.qmt_codes)
        qmt_form.addRow(self.qmt_codes_error)
        qmt_form.addRow(self.qmt_whole_market_check)
        qmt_form.addRow(self.tr("Port:"), self.qmt_port_edit)
        qmt_form.addRow(self.qmt_port_error)

        kinds = QHBoxLayout()
        kinds.addWidget(self.demo_radio)
        kinds.addWidget(self.exchange_radio)
        kinds.addWidget(self.qmt_radio)
        kinds.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(kinds)
        layout.addWidget(self.exchange_box)
        layout.addWidget(self.keys)
        layout.addWidget(self.qmt_box)
        layout.addWidget(self.qmt_help)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    # ----- state ------------------------------------------------------------------
    def _on_kind(self, checked: bool) -> None:
        if checked:  # each switch toggles two radios: act once, for the one turned on
            self._show_kind()
            self._revalidate()
            self.resize(self.width(), self.sizeHint().height())

    def _show_kind(self) -> None:
        """QMT shows its own group instead of the exchange's (demo shows the exchange
        fields greyed out, as before)."""
        qmt = self.qmt_radio.isChecked()
        self.exchange_box.setVisible(not qmt)
        self.keys.setVisible(not qmt)
        self.qmt_box.setVisible(qmt)
        self.qmt_help.setVisible(qmt)

    def _selection(self) -> tuple[str, str]:
        return (self.exchange_id(), self.market_type())

    def _on_exchange_text(self, _text: str) -> None:
        # Markets and stored keys are looked up once the id stops changing, not per key.
        self._revalidate()
        self._typing.start()

    def _on_selection(self) -> None:
        """The exchange or market type was picked: markets and key status follow it."""
        key = self._selection()
        if key == self._shown_selection or key[0] not in self._known:
            return
        self._shown_selection = key
        if self.symbols.search is not None:
            self.symbols.search.set_exchange(key[0])
            self._show_markets(key)
        self._show_key_status(key[0])
        self._revalidate()

    def _show_markets(self, key: tuple[str, str]) -> None:
        search = self.symbols.search
        if search is None:
            return
        if key not in self._markets:
            if not self.isSignalConnected(QMetaMethod.fromSignal(self.markets_wanted)):
                self.symbols.use_search(False)  # nobody can load them: type symbols
                return
            search.set_symbols([])  # "Loading markets…"
            self.symbols.use_search(True)
            if key not in self._requested:
                self._requested.add(key)
                self.markets_wanted.emit(*key)
            return
        markets = self._markets[key]
        if markets is None:
            self.symbols.use_search(False)
        else:
            search.set_symbols(markets)
            self.symbols.use_search(True)

    def _show_key_status(self, exchange: str) -> None:
        if not self._credentials.available():
            self.keys.show_stored(None)
            self.keys.status.setText(self.tr(
                "The operating system keyring is not available here, so API keys cannot be "
                "saved. Public market data works without them."
            ))
            return
        try:
            stored = self._credentials.load(exchange) is not None
        except CredentialStoreError:
            self.keys.show_stored(None)
            self.keys.status.setText(self.tr(
                "The operating system keyring could not be read, so API keys cannot be "
                "saved. Public market data works without them."
            ))
            return
        self.keys.show_stored(stored)
        if stored:
            self.keys.status.setText(fill(self.tr("API keys for %1 are stored in the keyring."), exchange))
        else:
            self.keys.status.setText(fill(self.tr("No API keys stored for %1."), exchange))

    def _revalidate(self) -> bool:
        """Show every field's problem next to it; OK only when there is none."""
        exchange_on = self.exchange_radio.isChecked()
        qmt_on = self.qmt_radio.isChecked()
        self.exchange_box.setEnabled(exchange_on)
        self.keys.setEnabled(exchange_on)
        self.error_label.hide()
        self.keys.error.hide()
        checks = (
            (self.exchange_error, self._exchange_problem),
            (self.symbols_error, self._symbols_problem),
            (self.address_error, self._address_problem),
            (self.keys.error, self._keys_problem),
        )
        qmt_checks = (
            (self.qmt_codes_error, self._qmt_codes_problem),
            (self.qmt_port_error, self._qmt_port_problem),
        )
        # Only the chosen feed's fields count: the demo feed uses none of them.
        problems = [_show(label, check() if exchange_on else "") for label, check in checks]
        problems += [_show(label, check() if qmt_on else "") for label, check in qmt_checks]
        ok = not any(problems)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def _exchange_problem(self) -> str:
        text = self.exchange_combo.currentText().strip()
        if not text:
            return self.tr("Choose an exchange.")
        if self.exchange_id() not in self._known:
            return fill(self.tr("Unknown exchange: %1"), text)
        return ""

    def _symbols_problem(self) -> str:
        return "" if self.symbols.symbols() else self.tr("Add at least one symbol.")

    def _address_problem(self) -> str:
        address = self.address_edit.text().strip()
        if not address:
            return ""
        try:
            normalise_address(address)
        except InvalidAddress as error:
            return fill(
                self.tr("Invalid server address — use http://host:port, e.g. "
                        "http://127.0.0.1:8765 (%1)"),
                error,
            )
        return ""

    def _keys_problem(self) -> str:
        return self.tr("Enter both the API key and the secret.") if self.keys.incomplete() else ""

    def _qmt_codes_problem(self) -> str:
        return "" if self.qmt_codes.symbols() else self.tr("Add at least one code.")

    def _qmt_port_problem(self) -> str:
        text = self.qmt_port_edit.text().strip()
        if not text or self.qmt_port() is not None:
            return ""
        return fill(
            self.tr("Invalid port: %1 — use a number from 1 to 65535, or leave it empty to "
                    "find the running terminal automatically."),
            text,
        )

    def _refused_codes_text(self, codes: list[str]) -> str:
        """One line per refused code: which code and why (translated)."""
        reasons = {
            "empty": self.tr("empty code"),
            "digits": self.tr("an A-share code has exactly 6 digits, e.g. 600519.SH"),
            "no_market": self.tr(
                "the market is missing: add .SH (Shanghai), .SZ (Shenzhen) or .BJ (Beijing)"
            ),
            "market": self.tr("the market must be SH (Shanghai), SZ (Shenzhen) or BJ (Beijing)"),
            "form": self.tr("not in the form 600519.SH (6 digits, a dot, then SH, SZ or BJ)"),
        }
        template = self.tr("Not an A-share code: %1 — %2")
        return "\n".join(
            fill(template, code, reasons.get(qmt_code_fault(code), reasons["form"])) for code in codes
        )

    def _show_keyring_error(self, error: CredentialStoreError) -> None:
        exchange = error.exchange_id
        if error.action == "delete":
            template = self.tr(
                "The operating system keyring is not available, so the stored API keys for "
                "%1 were not deleted. (%2)"
            )
        else:
            template = self.tr(
                "The operating system keyring is not available, so the API keys for %1 were "
                "not saved and no setting was changed. Clear the key fields to continue "
                "without keys. (%2)"
            )
        self.error_label.setText(fill(template, exchange, error.detail or "-"))
        self.error_label.show()


def _clean_symbol(text: str) -> str | None:
    """A typed exchange symbol, upper-cased, or None when it cannot be one."""
    symbols = clean_symbols([text.upper()])
    return symbols[0] if symbols else None


def _secret_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setClearButtonEnabled(True)
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def _show(label: QLabel, problem: str) -> str:
    label.setText(problem)
    label.setVisible(bool(problem))
    return problem

