"""The monitor panel: the rule table and the form that creates and edits rules.

The form validates with the same pure ``validate_rule`` the service uses, so a
refusal shows at once, next to the field, in the trader's language; the save
itself goes to the monitor worker thread (SQLite never runs on the GUI thread)
and the table refreshes from the worker's answer, so what is shown is what is stored.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.models import AlertKind, TaskStatus, Validity
from app.monitors.rules import Rule, RuleValidationError, validate_rule
from app.ui.formatting import format_price
from app.ui.rule_text import (
    field_label,
    kind_short_label,
    refusal_text,
    status_label,
    validity_label,
)

_STATUS_COLOURS = {
    TaskStatus.RUNNING: QColor("#1b7f3b"),
    TaskStatus.STOPPED: QColor("#777777"),
    TaskStatus.TRIGGERED: QColor("#b8860b"),
    TaskStatus.EXPIRED: QColor("#9e9e9e"),
}


class RuleTableModel(QAbstractTableModel):
    """Rules as rows; replaced wholesale from the worker's authoritative list."""

    COLUMNS = ("task_name", "stock_code", "status", "entry", "take_profit", "stop_loss", "validity", "fired")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules: list[Rule] = []

    def set_rules(self, rules: list[Rule]) -> None:
        self.beginResetModel()
        self._rules = list(rules)
        self.endResetModel()

    def rules(self) -> list[Rule]:
        return list(self._rules)

    def rule_at(self, row: int) -> Rule | None:
        return self._rules[row] if 0 <= row < len(self._rules) else None

    def row_of(self, rule_id: int | None) -> int:
        for row, rule in enumerate(self._rules):
            if rule.id == rule_id:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = {
            "task_name": self.tr("Task"),
            "stock_code": self.tr("Symbol"),
            "status": self.tr("Status"),
            "entry": self.tr("Entry zone"),
            "take_profit": self.tr("Take profit"),
            "stop_loss": self.tr("Stop loss"),
            "validity": self.tr("Valid until"),
            "fired": self.tr("Fired"),
        }
        return headers[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rule = self.rule_at(index.row())
        if rule is None:
            return None
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rule, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "status":
            return _STATUS_COLOURS[rule.status]
        if role == Qt.ItemDataRole.ToolTipRole and column == "task_name":
            return rule.stock_name or None
        return None

    def _display(self, rule: Rule, column: str) -> str:
        if column == "task_name":
            return rule.task_name
        if column == "stock_code":
            return rule.stock_code
        if column == "status":
            return status_label(rule.status)
        if column == "entry":
            if not rule.has_entry:
                return ""
            return f"{format_price(rule.entry_min)} ~ {format_price(rule.entry_max)}"
        if column == "take_profit":
            return format_price(rule.take_profit) if rule.take_profit is not None else ""
        if column == "stop_loss":
            return format_price(rule.stop_loss) if rule.stop_loss is not None else ""
        if column == "validity":
            if rule.valid_until is None:
                return validity_label(rule.validity)
            return rule.valid_until.strftime("%Y-%m-%d %H:%M")
        if column == "fired":
            order = (AlertKind.ENTRY, AlertKind.TAKE_PROFIT, AlertKind.STOP_LOSS)
            return " ".join(kind_short_label(k) for k in order if k in rule.fired)
        return ""


class RuleForm(QWidget):
    """Every field of a monitor task, with empty price boxes meaning 'not set'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task_name = QLineEdit()
        self.stock_code = QComboBox()
        self.stock_code.setEditable(True)
        self.stock_code.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.stock_name = QLineEdit()
        self.entry_min = QLineEdit()
        self.entry_max = QLineEdit()
        self.take_profit = QLineEdit()
        self.stop_loss = QLineEdit()
        self.check_interval = QSpinBox()
        self.check_interval.setRange(0, 86_400)
        self.check_interval.setSuffix(self.tr(" s"))
        self.check_interval.setSpecialValueText(self.tr("every tick"))
        self.trading_hours_only = QCheckBox(self.tr("Only during trading hours"))
        self.notification_enabled = QCheckBox(self.tr("Popup, tray and sound"))
        self.notification_enabled.setChecked(True)
        self.auto_trade = QCheckBox(self.tr("Auto trade (saved; order placement comes later)"))
        self.validity = QComboBox()
        for kind in Validity:
            self.validity.addItem(validity_label(kind), kind.value)
        self.valid_until = QDateTimeEdit()
        self.valid_until.setCalendarPopup(True)
        self.valid_until.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.valid_until.setDateTime(datetime.now().replace(second=0, microsecond=0) + timedelta(days=1))
        self.valid_until.setToolTip(self.tr("On the market's clock (Beijing time for A-shares)"))
        self.validity.currentIndexChanged.connect(self._on_validity_changed)
        self._on_validity_changed()
        self.quant_config = QPlainTextEdit()
        self.quant_config.setPlaceholderText("{}")
        self.quant_config.setFixedHeight(48)

        self.entry_min.setPlaceholderText(self.tr("low (optional)"))
        self.entry_max.setPlaceholderText(self.tr("high (optional)"))
        for box in (self.take_profit, self.stop_loss):
            box.setPlaceholderText(self.tr("optional"))

        zone = QHBoxLayout()
        zone.setContentsMargins(0, 0, 0, 0)
        zone.addWidget(self.entry_min)
        zone.addWidget(QLabel("~"))
        zone.addWidget(self.entry_max)
        zone_box = QWidget()
        zone_box.setLayout(zone)

        self.last_price = QLabel()
        self.last_price.setObjectName("lastPrice")
        code_row = QHBoxLayout()
        code_row.setContentsMargins(0, 0, 0, 0)
        code_row.addWidget(self.stock_code, 1)
        code_row.addWidget(self.last_price)
        code_box = QWidget()
        code_box.setLayout(code_row)

        layout = QFormLayout(self)
        layout.addRow(field_label("task_name"), self.task_name)
        layout.addRow(field_label("stock_code"), code_box)
        layout.addRow(field_label("stock_name"), self.stock_name)
        layout.addRow(self.tr("Entry zone"), zone_box)
        layout.addRow(field_label("take_profit"), self.take_profit)
        layout.addRow(field_label("stop_loss"), self.stop_loss)
        layout.addRow(field_label("check_interval"), self.check_interval)
        validity_row = QHBoxLayout()
        validity_row.setContentsMargins(0, 0, 0, 0)
        validity_row.addWidget(self.validity)
        validity_row.addWidget(self.valid_until, 1)
        validity_box = QWidget()
        validity_box.setLayout(validity_row)
        layout.addRow(field_label("validity"), validity_box)
        layout.addRow("", self.trading_hours_only)
        layout.addRow("", self.notification_enabled)
        layout.addRow("", self.auto_trade)
        layout.addRow(field_label("quant_config"), self.quant_config)
        self._status = TaskStatus.RUNNING

    def show_last_price(self, price: str | None) -> None:
        """The live price next to the symbol, so levels are set against the market."""
        self.last_price.setText("" if price is None else self.tr("Last %1").replace("%1", price))

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "task_name": self.task_name,
            "stock_code": self.stock_code,
            "stock_name": self.stock_name,
            "entry_min": self.entry_min,
            "entry_max": self.entry_max,
            "take_profit": self.take_profit,
            "stop_loss": self.stop_loss,
            "check_interval": self.check_interval,
            "quant_config": self.quant_config,
            "validity": self.validity,
            "valid_until": self.valid_until,
        }

    def _on_validity_changed(self) -> None:
        self.valid_until.setEnabled(self.validity.currentData() == Validity.UNTIL.value)

    def _valid_until_text(self) -> str | None:
        """The chosen time on the market's clock: naive here, placed in the symbol's zone
        by validation (a trader in Europe still means Beijing 15:00 for 600519.SH)."""
        if self.validity.currentData() != Validity.UNTIL.value:
            return None
        return self.valid_until.dateTime().toPython().replace(second=0, microsecond=0).isoformat()

    def values(self) -> dict[str, Any]:
        """The form as rule fields; price text is passed through so validation can name it."""
        return {
            "task_name": self.task_name.text(),
            "stock_code": self.stock_code.currentText(),
            "stock_name": self.stock_name.text(),
            "status": self._status.value,
            "entry_min": self.entry_min.text(),
            "entry_max": self.entry_max.text(),
            "take_profit": self.take_profit.text(),
            "stop_loss": self.stop_loss.text(),
            "check_interval": self.check_interval.value(),
            "trading_hours_only": self.trading_hours_only.isChecked(),
            "notification_enabled": self.notification_enabled.isChecked(),
            "auto_trade": self.auto_trade.isChecked(),
            "quant_config": self.quant_config.toPlainText(),
            "validity": self.validity.currentData(),
            "valid_until": self._valid_until_text(),
        }

    def load(self, rule: Rule | None, *, code: str = "", name: str = "") -> None:
        """Show a rule for editing, or a blank form for a new rule on ``code``."""
        def price(value: float | None) -> str:
            return "" if value is None else format_price(value)

        self.task_name.setText(rule.task_name if rule else "")
        self.stock_code.setCurrentText(rule.stock_code if rule else code)
        self.stock_name.setText(rule.stock_name if rule else name)
        self.entry_min.setText(price(rule.entry_min) if rule else "")
        self.entry_max.setText(price(rule.entry_max) if rule else "")
        self.take_profit.setText(price(rule.take_profit) if rule else "")
        self.stop_loss.setText(price(rule.stop_loss) if rule else "")
        self.check_interval.setValue(rule.check_interval if rule else 0)
        self.trading_hours_only.setChecked(rule.trading_hours_only if rule else False)
        self.notification_enabled.setChecked(rule.notification_enabled if rule else True)
        self.auto_trade.setChecked(rule.auto_trade if rule else False)
        validity = rule.validity if rule else Validity.UNTIL_CANCELLED
        self.validity.setCurrentIndex(self.validity.findData(validity.value))
        until = rule.valid_until if rule and rule.valid_until else None
        if until is not None:
            self.valid_until.setDateTime(until.replace(tzinfo=None))
        else:
            self.valid_until.setDateTime(datetime.now().replace(second=0, microsecond=0) + timedelta(days=1))
        config = rule.quant_config if rule else "{}"
        self.quant_config.setPlainText("" if config == "{}" else config)
        self._status = rule.status if rule else TaskStatus.RUNNING

    def mark_invalid(self, field: str | None) -> None:
        """Outline the refused field so the eye finds it."""
        widgets = self.field_widgets()
        targets = {"conditions": ("take_profit", "stop_loss", "entry_min", "entry_max")}
        bad = set(targets.get(field or "", (field,) if field else ()))
        for name, widget in widgets.items():
            widget.setStyleSheet("border: 1px solid #d32f2f;" if name in bad else "")


class MonitorPanel(QWidget):
    """Table of rules + form; asks the worker to save/delete/start/stop."""

    save_requested = Signal(object, object, object)  # token, fields, rule id or None
    delete_requested = Signal(int)  # rule id
    start_requested = Signal(object)  # list[int] | None
    stop_requested = Signal(object)
    rule_selected = Signal(object)  # Rule | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tokens = itertools.count(1)
        self._pending: dict[int, int | None] = {}
        self._editing_id: int | None = None
        self._instrument_names: dict[str, str] = {}

        self.model = RuleTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.form = RuleForm()
        self.form.stock_code.currentTextChanged.connect(self._fill_name)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("ruleMessage")

        self.new_button = QPushButton(self.tr("New"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.delete_button = QPushButton(self.tr("Delete"))
        self.start_button = QPushButton(self.tr("Start"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.start_all_button = QPushButton(self.tr("Start all"))
        self.stop_all_button = QPushButton(self.tr("Stop all"))
        self.new_button.clicked.connect(self.new_rule)
        self.save_button.clicked.connect(self.submit)
        self.delete_button.clicked.connect(self._delete)
        self.start_button.clicked.connect(lambda: self._for_selected(self.start_requested))
        self.stop_button.clicked.connect(lambda: self._for_selected(self.stop_requested))
        self.start_all_button.clicked.connect(lambda: self.start_requested.emit(None))
        self.stop_all_button.clicked.connect(lambda: self.stop_requested.emit(None))

        table_buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.delete_button):
            table_buttons.addWidget(button)
        table_buttons.addStretch(1)
        table_buttons.addWidget(self.start_all_button)
        table_buttons.addWidget(self.stop_all_button)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.table)
        left.addLayout(table_buttons)
        left_box = QWidget()
        left_box.setLayout(left)

        form_buttons = QHBoxLayout()
        form_buttons.addWidget(self.new_button)
        form_buttons.addStretch(1)
        form_buttons.addWidget(self.save_button)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.form)
        right.addWidget(self.message)
        right.addLayout(form_buttons)
        right.addStretch(1)
        right_box = QWidget()
        right_box.setLayout(right)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._update_buttons()

    # ----- inputs from the window ----------------------------------------
    def set_instruments(self, names: dict[str, str]) -> None:
        """Symbols offered in the code box, with their names for auto-fill."""
        self._instrument_names = dict(names)
        current = self.form.stock_code.currentText()
        self.form.stock_code.blockSignals(True)
        self.form.stock_code.clear()
        self.form.stock_code.addItems(sorted(names))
        self.form.stock_code.setCurrentText(current)
        self.form.stock_code.blockSignals(False)

    def set_rules(self, rules: list[Rule]) -> None:
        """Show the stored rules, keeping the selection on the rule being edited."""
        keep = self._editing_id
        self.model.set_rules(rules)
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self.rule_selected.emit(self.model.rule_at(row))
        self._update_buttons()

    def suggest_symbol(self, code: str) -> None:
        """The charted symbol becomes the default for a new rule (never overrides an edit)."""
        if self._editing_id is None and not self.form.task_name.text():
            self.form.stock_code.setCurrentText(code)
            self.form.stock_name.setText(self._instrument_names.get(code, ""))

    def new_rule(self, code: str = "") -> None:
        code = code or self.form.stock_code.currentText()
        self._editing_id = None
        self.table.clearSelection()
        self.form.load(None, code=code, name=self._instrument_names.get(code, ""))
        self.show_message("")
        self.form.task_name.setFocus()
        self._update_buttons()

    def selected_rule(self) -> Rule | None:
        index = self.table.currentIndex()
        return self.model.rule_at(index.row()) if index.isValid() else None

    # ----- saving ----------------------------------------------------------
    def submit(self) -> bool:
        """Validate locally; only a valid rule is sent to be stored."""
        values = self.form.values()
        base = next((r for r in self.model.rules() if r.id == self._editing_id), None)
        try:
            validate_rule(values, base=base)
        except RuleValidationError as exc:
            self.show_refusal(exc)
            return False
        token = next(self._tokens)
        self._pending[token] = self._editing_id
        self.form.mark_invalid(None)
        self.show_message(self.tr("Saving…"))
        self.save_requested.emit(token, values, self._editing_id)
        return True

    def on_rule_saved(self, token: Any, rule: Rule) -> None:
        if token not in self._pending:
            return  # another window's save, or an answer to a superseded request
        del self._pending[token]
        self._editing_id = rule.id
        self.show_message(self.tr("Saved “%1”.").replace("%1", rule.task_name), ok=True)
        self._update_buttons()

    def on_rule_refused(self, token: Any, error: RuleValidationError) -> None:
        """A save (token) or a start (token None) was refused by the service."""
        self._pending.pop(token, None)
        self.show_refusal(error)

    def show_refusal(self, error: RuleValidationError) -> None:
        self.form.mark_invalid(error.field)
        self.show_message(refusal_text(error), error=True)

    def show_message(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        colour = "#d32f2f" if error else "#1b7f3b" if ok else "palette(text)"
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)

    # ----- internals ---------------------------------------------------------
    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rule = self.model.rule_at(current.row()) if current.isValid() else None
        self._editing_id = rule.id if rule else None
        if rule is not None:
            self.form.load(rule)
            self.form.mark_invalid(None)
            self.show_message("")
        self.rule_selected.emit(rule)
        self._update_buttons()

    def _fill_name(self, code: str) -> None:
        name = self._instrument_names.get(code.strip().upper())
        if name and not self.form.stock_name.text():
            self.form.stock_name.setText(name)

    def confirm_delete(self, rule: Rule) -> bool:
        """Deleting a stop by mistake is costly: ask first (history is kept either way)."""
        answer = QMessageBox.question(
            self,
            self.tr("Delete rule"),
            self.tr("Delete “%1” (%2)? Its alert history is kept.")
            .replace("%1", rule.task_name)
            .replace("%2", rule.stock_code),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _delete(self) -> None:
        rule = self.selected_rule()
        if rule is None or rule.id is None or not self.confirm_delete(rule):
            return
        self._editing_id = None
        self.delete_requested.emit(rule.id)
        self.form.load(None, code=rule.stock_code, name=rule.stock_name)

    def _for_selected(self, signal: Any) -> None:
        rule = self.selected_rule()
        if rule is not None and rule.id is not None:
            signal.emit([rule.id])

    def _update_buttons(self) -> None:
        rule = self.selected_rule()
        has = rule is not None
        self.delete_button.setEnabled(has)
        self.start_button.setEnabled(has and rule.status is not TaskStatus.RUNNING)  # type: ignore[union-attr]
        self.stop_button.setEnabled(has and rule.status is TaskStatus.RUNNING)  # type: ignore[union-attr]
