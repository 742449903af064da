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
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.models import CrossDirection, Direction, TaskStatus, TriggerMode, Validity
from app.market.timeframes import TIMEFRAMES
from app.monitors.rules import DEFAULT_TIMEFRAME, Rule, RuleValidationError, validate_rule
from app.ui.formatting import format_price
from app.ui.rule_text import (
    condition_parts,
    cross_direction_label,
    direction_label,
    field_label,
    fired_text,
    paused_notice,
    refusal_text,
    rule_summary,
    status_label,
    timeframe_label,
    trigger_mode_label,
    trigger_summary,
    validity_label,
)

_STATUS_COLOURS = {
    TaskStatus.RUNNING: QColor("#1b7f3b"),
    TaskStatus.STOPPED: QColor("#777777"),
    TaskStatus.TRIGGERED: QColor("#b8860b"),
    TaskStatus.EXPIRED: QColor("#9e9e9e"),
    TaskStatus.PAUSED: QColor("#e65100"),
}


class RuleTableModel(QAbstractTableModel):
    """Rules as rows, from the worker's authoritative list."""

    COLUMNS = ("task_name", "stock_code", "status", "conditions", "trigger", "validity", "fired")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules: list[Rule] = []

    def set_rules(self, rules: list[Rule]) -> None:
        """The worker's list. The same rules in the same order (the common case: a few
        fired or changed status) update only the rows that changed; a reset would make
        the view ask again for every visible cell, thousands of calls into Python per
        alert when the whole market is watched."""
        rules = list(rules)
        old = self._rules
        if [r.id for r in old] != [r.id for r in rules]:
            self.beginResetModel()
            self._rules = rules
            self.endResetModel()
            return
        self._rules = rules
        changed = [row for row, (before, after) in enumerate(zip(old, rules)) if before != after]
        if changed:  # one signal: each one makes the header re-measure the visible rows
            last = len(self.COLUMNS) - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last))

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
            "conditions": self.tr("Conditions"),
            "trigger": self.tr("Trigger"),
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
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "task_name":
                return rule.stock_name or None
            if column == "conditions":
                return "\n".join(condition_parts(rule)) or None
            if column == "trigger":
                return trigger_summary(rule)
            if column == "status" and rule.status is TaskStatus.PAUSED:
                return self.tr("Paused automatically because it alerted too often. "
                               "Check its levels, then press Start to resume.")
        return None

    def _display(self, rule: Rule, column: str) -> str:
        if column == "task_name":
            return rule.task_name
        if column == "stock_code":
            return rule.stock_code
        if column == "status":
            return status_label(rule.status)
        if column == "conditions":
            return rule_summary(rule)
        if column == "trigger":
            return trigger_summary(rule)
        if column == "validity":
            if rule.valid_until is None:
                return validity_label(rule.validity)
            return rule.valid_until.strftime("%Y-%m-%d %H:%M")
        if column == "fired":
            return fired_text(rule)
        return ""


def _number_or_text(text: str, *, percent: bool = False) -> float | str | None:
    """A price box's value: empty is ``None``, a number a float; anything else is passed
    through as typed so validation refuses it by name ("must be a number")."""
    text = text.strip()
    if percent:
        text = text.rstrip("%％").strip()
    if not text:
        return None
    try:
        return float(text)  # also reads full-width digits typed with a Chinese IME
    except ValueError:
        return text


def _text(value: float | None) -> str:
    return "" if value is None else format_price(value)


def _row(*widgets: QWidget | str, stretch: int | tuple[int, ...] | None = None) -> QWidget:
    """Widgets side by side on one form row (a str becomes a label); the widgets at the
    ``stretch`` positions take the spare width, else it stays empty on the right."""
    growing = (stretch,) if isinstance(stretch, int) else stretch or ()
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        item = QLabel(widget) if isinstance(widget, str) else widget
        layout.addWidget(item, 1 if index in growing else 0)
    if not growing:
        layout.addStretch(1)
    return box


def _hint() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setObjectName("formHint")
    label.setStyleSheet("QLabel#formHint { color: #6b7280; }")
    return label


class FormSection(QWidget):
    """A titled part of the form whose body folds away.

    Folding is only for the eye: a folded section's values still count, so the header
    says when something is set in it ("● 已设置") and a refusal unfolds it.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QToolButton()
        self.header.setCheckable(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setAutoRaise(True)
        self.header.setStyleSheet("QToolButton { font-weight: bold; border: none; }")
        self.header.toggled.connect(self.set_expanded)
        self.marker = QLabel()
        self.marker.setStyleSheet("color: #1565c0;")
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.header)
        head.addWidget(self.marker)
        head.addWidget(line, 1)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(18, 2, 0, 6)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.body)
        self.set_title(title)
        self.set_expanded(True)

    def set_title(self, title: str) -> None:
        self.header.setText(title)

    def title(self) -> str:
        return self.header.text()

    def set_marker(self, text: str) -> None:
        self.marker.setText(text)

    def is_expanded(self) -> bool:
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.header.blockSignals(True)
        self.header.setChecked(expanded)
        self.header.blockSignals(False)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)


class RuleForm(QWidget):
    """Every field of a monitor task, grouped by condition; an empty box means 'not set'.

    ``values()`` gives the dict ``validate_rule`` takes (the ``Rule`` field names, empty
    = None) and ``load()`` shows a stored rule, so a rule survives form → save → form
    unchanged. Fields that belong to a choice (a price or a % from the cost, a % or an
    amount, the trigger mode's parameter) are shown only for the current choice and
    only the shown one is saved: what the trader sees is what is stored.
    """

    PRICE, PERCENT, AMOUNT = "price", "percent", "amount"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status = TaskStatus.RUNNING
        self._build_basics()
        self._build_exits()
        self._build_entry()
        self._build_cross()
        self._build_change()
        self._build_trailing()
        self._build_rebound()
        self._build_trigger()
        self._build_other()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(2)
        layout.addLayout(self._basics)
        for section in self.sections():
            layout.addWidget(section)
        layout.addStretch(1)

        for edit in self.findChildren(QLineEdit):
            edit.textChanged.connect(self._refresh)
        for combo in (self.direction, self.cross_direction, self.take_profit_mode, self.stop_loss_mode,
                      self.trailing_mode, self.rebound_mode, self.trigger_mode, self.rearm_mode,
                      self.bar_timeframe, self.validity):
            combo.currentIndexChanged.connect(self._refresh)
        self.cooldown_s.valueChanged.connect(self._refresh)
        self.load(None)

    # ----- construction ----------------------------------------------------
    def _line(self, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setMinimumWidth(110)
        edit.setMaximumWidth(200)  # a price is short; a wide box reads as a text field
        return edit

    @staticmethod
    def _combo(items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        for label, data in items:
            combo.addItem(label, data)
        return combo

    def _price_or_pct_combo(self) -> QComboBox:
        return self._combo([(self.tr("Price"), self.PRICE), (self.tr("% from cost"), self.PERCENT)])

    def _pct_or_amount_combo(self) -> QComboBox:
        return self._combo([(self.tr("%"), self.PERCENT), (self.tr("Amount"), self.AMOUNT)])

    def _build_basics(self) -> None:
        self.task_name = QLineEdit()
        self.task_name.setPlaceholderText(self.tr("e.g. Moutai stop"))
        self.stock_code = QComboBox()
        self.stock_code.setEditable(True)
        self.stock_code.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.stock_code.setMinimumContentsLength(12)
        self.stock_name = QLineEdit()
        self.last_price = QLabel()
        self.last_price.setObjectName("lastPrice")
        self.direction = self._combo([(direction_label(d), d.value) for d in Direction])
        self.direction.setToolTip(self.tr("Short mirrors every exit: profit when the price falls"))
        self.direction_hint = _hint()
        # Two fields per row: the dock is short, and these four are read at a glance.
        basics = QGridLayout()
        basics.setContentsMargins(0, 0, 0, 4)
        basics.setHorizontalSpacing(8)
        basics.addWidget(QLabel(field_label("task_name")), 0, 0)
        basics.addWidget(self.task_name, 0, 1)
        basics.addWidget(QLabel(field_label("direction")), 0, 2)
        basics.addWidget(_row(self.direction), 0, 3)
        basics.addWidget(QLabel(field_label("stock_code")), 1, 0)
        basics.addWidget(_row(self.stock_code, self.last_price, stretch=0), 1, 1)
        basics.addWidget(QLabel(field_label("stock_name")), 1, 2)
        basics.addWidget(self.stock_name, 1, 3)
        basics.setColumnStretch(1, 3)
        basics.setColumnStretch(3, 2)
        self._basics = basics

    def _build_exits(self) -> None:
        self.exits_section = FormSection(self.tr("Take profit / stop loss"))
        self.cost_price = self._line(self.tr("optional"))
        cost_hint = _hint()
        cost_hint.setText(self.tr("needed for a take profit or stop loss in %"))
        self.take_profit_mode = self._price_or_pct_combo()
        self.take_profit = self._line(self.tr("price"))
        self.take_profit_pct = self._line(self.tr("% from cost"))
        self.take_profit_hint = _hint()
        self.stop_loss_mode = self._price_or_pct_combo()
        self.stop_loss = self._line(self.tr("price"))
        self.stop_loss_pct = self._line(self.tr("% from cost"))
        self.stop_loss_hint = _hint()
        for hint in (self.take_profit_hint, self.stop_loss_hint):
            hint.setWordWrap(False)
            hint.setMinimumWidth(90)
        form = self.exits_section.form
        form.addRow(field_label("cost_price"), _row(self.cost_price, cost_hint, stretch=1))
        form.addRow(self.direction_hint)
        form.addRow(
            self.tr("Take profit"),
            _row(self.take_profit_mode, self.take_profit, self.take_profit_pct, self.take_profit_hint,
                 stretch=3),
        )
        form.addRow(
            self.tr("Stop loss"),
            _row(self.stop_loss_mode, self.stop_loss, self.stop_loss_pct, self.stop_loss_hint, stretch=3),
        )

    def _build_entry(self) -> None:
        self.entry_section = FormSection(self.tr("Entry zone"))
        self.entry_min = self._line(self.tr("low (optional)"))
        self.entry_max = self._line(self.tr("high (optional)"))
        self.entry_hint = _hint()
        self.entry_hint.setText(self.tr("Alerts when the price is inside the zone; leave one side empty "
                                        "for “at or above” / “at or below”."))
        form = self.entry_section.form
        form.addRow(self.tr("Price"), _row(self.entry_min, "~", self.entry_max))
        form.addRow(self.entry_hint)

    def _build_cross(self) -> None:
        self.cross_section = FormSection(self.tr("Price crossing"))
        self.cross_level = self._line(self.tr("level"))
        self.cross_direction = self._combo([(cross_direction_label(d), d.value) for d in CrossDirection])
        self.cross_direction.setCurrentIndex(self.cross_direction.findData(CrossDirection.EITHER.value))
        hint = _hint()
        hint.setText(self.tr("Alerts when the price moves through the level (not when it merely is there)."))
        form = self.cross_section.form
        form.addRow(field_label("cross_level"), _row(self.cross_level, self.cross_direction))
        form.addRow(hint)

    def _build_change(self) -> None:
        self.change_section = FormSection(self.tr("Change vs previous close"))
        self.change_up_pct = self._line(self.tr("e.g. 5"))
        self.change_down_pct = self._line(self.tr("e.g. 5"))
        form = self.change_section.form
        form.addRow(self.tr("Rise ≥"), _row(self.change_up_pct, "%"))
        form.addRow(self.tr("Fall ≥"), _row(self.change_down_pct, "%"))

    def _build_trailing(self) -> None:
        self.trailing_section = FormSection("")
        self.trailing_activation = self._line(self.tr("optional: start tracking at this price"))
        self.trailing_mode = self._pct_or_amount_combo()
        self.trailing_pct = self._line(self.tr("e.g. 3"))
        self.trailing_amount = self._line(self.tr("price difference"))
        self.trailing_hint = _hint()
        form = self.trailing_section.form
        form.addRow(self.tr("Activation price"), self.trailing_activation)
        self.trailing_size_label = QLabel()
        form.addRow(
            self.trailing_size_label,
            _row(self.trailing_mode, self.trailing_pct, self.trailing_amount),
        )
        form.addRow(self.trailing_hint)

    def _build_rebound(self) -> None:
        self.rebound_section = FormSection("")
        self.rebound_activation = self._line(self.tr("optional: start tracking at this price"))
        self.rebound_mode = self._pct_or_amount_combo()
        self.rebound_pct = self._line(self.tr("e.g. 3"))
        self.rebound_amount = self._line(self.tr("price difference"))
        self.rebound_hint = _hint()
        form = self.rebound_section.form
        form.addRow(self.tr("Activation price"), self.rebound_activation)
        self.rebound_size_label = QLabel()
        form.addRow(
            self.rebound_size_label,
            _row(self.rebound_mode, self.rebound_pct, self.rebound_amount),
        )
        form.addRow(self.rebound_hint)

    def _build_trigger(self) -> None:
        self.trigger_section = FormSection(self.tr("How often to alert"))
        self.trigger_mode = self._combo([(trigger_mode_label(m), m.value) for m in TriggerMode])
        self.bar_timeframe = self._combo([(timeframe_label(t), t) for t in TIMEFRAMES])
        self.bar_timeframe.setCurrentIndex(self.bar_timeframe.findData(DEFAULT_TIMEFRAME))
        self.cooldown_s = QSpinBox()
        self.cooldown_s.setRange(0, 7 * 86_400)
        self.cooldown_s.setSuffix(self.tr(" s"))
        self.cooldown_s.setSpecialValueText(self.tr("no cooldown"))
        self.cooldown_s.setMinimumWidth(110)
        self.rearm_mode = self._combo([(self.tr("Price difference"), self.PRICE), (self.tr("% of level"), self.PERCENT)])
        self.rearm_band = self._line(self.tr("0 = as soon as it leaves"))
        self.rearm_band_pct = self._line(self.tr("e.g. 0.5"))
        self.trigger_hint = _hint()
        form = self.trigger_section.form
        form.addRow(field_label("trigger_mode"), _row(self.trigger_mode))
        self.bar_timeframe_row = _row(self.bar_timeframe)
        self.cooldown_row = _row(self.cooldown_s)
        self.rearm_row = _row(self.rearm_mode, self.rearm_band, self.rearm_band_pct)
        form.addRow(field_label("bar_timeframe"), self.bar_timeframe_row)
        form.addRow(field_label("cooldown_s"), self.cooldown_row)
        form.addRow(field_label("rearm_band"), self.rearm_row)
        form.addRow(self.trigger_hint)

    def _build_other(self) -> None:
        self.other_section = FormSection(self.tr("Other settings"))
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
        self.quant_config = QPlainTextEdit()
        self.quant_config.setPlaceholderText("{}")
        self.quant_config.setFixedHeight(48)
        form = self.other_section.form
        form.addRow(field_label("check_interval"), _row(self.check_interval))
        form.addRow(field_label("validity"), _row(self.validity, self.valid_until, stretch=1))
        form.addRow("", self.trading_hours_only)
        form.addRow("", self.notification_enabled)
        form.addRow("", self.auto_trade)
        form.addRow(field_label("quant_config"), self.quant_config)

    # ----- public ------------------------------------------------------------
    def sections(self) -> list[FormSection]:
        return [
            self.exits_section,
            self.entry_section,
            self.cross_section,
            self.change_section,
            self.trailing_section,
            self.rebound_section,
            self.trigger_section,
            self.other_section,
        ]

    def show_last_price(self, price: str | None) -> None:
        """The live price next to the symbol, so levels are set against the market."""
        self.last_price.setText("" if price is None else self.tr("Last %1").replace("%1", price))

    def field_widgets(self) -> dict[str, QWidget]:
        """The widget that holds each rule field (for outlining a refused field)."""
        return {
            "task_name": self.task_name,
            "stock_code": self.stock_code,
            "stock_name": self.stock_name,
            "direction": self.direction,
            "cost_price": self.cost_price,
            "take_profit": self.take_profit,
            "take_profit_pct": self.take_profit_pct,
            "stop_loss": self.stop_loss,
            "stop_loss_pct": self.stop_loss_pct,
            "entry_min": self.entry_min,
            "entry_max": self.entry_max,
            "cross_level": self.cross_level,
            "cross_direction": self.cross_direction,
            "change_up_pct": self.change_up_pct,
            "change_down_pct": self.change_down_pct,
            "trailing_activation": self.trailing_activation,
            "trailing_pct": self.trailing_pct,
            "trailing_amount": self.trailing_amount,
            "rebound_activation": self.rebound_activation,
            "rebound_pct": self.rebound_pct,
            "rebound_amount": self.rebound_amount,
            "trigger_mode": self.trigger_mode,
            "bar_timeframe": self.bar_timeframe,
            "cooldown_s": self.cooldown_s,
            "rearm_band": self.rearm_band,
            "rearm_band_pct": self.rearm_band_pct,
            "check_interval": self.check_interval,
            "quant_config": self.quant_config,
            "validity": self.validity,
            "valid_until": self.valid_until,
        }

    def section_of(self, widget: QWidget) -> FormSection | None:
        return next((s for s in self.sections() if s.isAncestorOf(widget)), None)

    def current_direction(self) -> Direction:
        return Direction(self.direction.currentData())

    def current_trigger_mode(self) -> TriggerMode:
        return TriggerMode(self.trigger_mode.currentData())

    def values(self) -> dict[str, Any]:
        """The form as rule fields, empty = None. Only the shown alternative of each
        choice is set; the other is None, so switching a % back to a price clears the %."""
        tp_pct = self.take_profit_mode.currentData() == self.PERCENT
        sl_pct = self.stop_loss_mode.currentData() == self.PERCENT
        trail_pct = self.trailing_mode.currentData() == self.PERCENT
        rebound_pct = self.rebound_mode.currentData() == self.PERCENT
        mode = self.current_trigger_mode()
        rearm = mode is TriggerMode.REARM
        rearm_pct = self.rearm_mode.currentData() == self.PERCENT
        price = _number_or_text

        def pct(edit: QLineEdit) -> float | str | None:
            return _number_or_text(edit.text(), percent=True)

        return {
            "task_name": self.task_name.text(),
            "stock_code": self.stock_code.currentText(),
            "stock_name": self.stock_name.text(),
            "status": self._status.value,
            "direction": self.direction.currentData(),
            "cost_price": price(self.cost_price.text()),
            "take_profit": None if tp_pct else price(self.take_profit.text()),
            "take_profit_pct": pct(self.take_profit_pct) if tp_pct else None,
            "stop_loss": None if sl_pct else price(self.stop_loss.text()),
            "stop_loss_pct": pct(self.stop_loss_pct) if sl_pct else None,
            "entry_min": price(self.entry_min.text()),
            "entry_max": price(self.entry_max.text()),
            "cross_level": price(self.cross_level.text()),
            "cross_direction": self.cross_direction.currentData(),
            "change_up_pct": pct(self.change_up_pct),
            "change_down_pct": pct(self.change_down_pct),
            "trailing_activation": price(self.trailing_activation.text()),
            "trailing_pct": pct(self.trailing_pct) if trail_pct else None,
            "trailing_amount": None if trail_pct else price(self.trailing_amount.text()),
            "rebound_activation": price(self.rebound_activation.text()),
            "rebound_pct": pct(self.rebound_pct) if rebound_pct else None,
            "rebound_amount": None if rebound_pct else price(self.rebound_amount.text()),
            "trigger_mode": mode.value,
            "bar_timeframe": self.bar_timeframe.currentData() if mode is TriggerMode.ONCE_PER_BAR else None,
            "cooldown_s": self.cooldown_s.value() if mode is TriggerMode.EVERY_TIME else None,
            "rearm_band": price(self.rearm_band.text()) if rearm and not rearm_pct else None,
            "rearm_band_pct": pct(self.rearm_band_pct) if rearm and rearm_pct else None,
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
        r = rule if rule is not None else Rule(task_name="", stock_code=code, stock_name=name)
        self.task_name.setText(r.task_name)
        self.stock_code.setCurrentText(r.stock_code)
        self.stock_name.setText(r.stock_name)
        self._select(self.direction, r.direction.value)
        self.cost_price.setText(_text(r.cost_price))
        self._select(self.take_profit_mode, self.PERCENT if r.take_profit_pct is not None else self.PRICE)
        self.take_profit.setText(_text(r.take_profit))
        self.take_profit_pct.setText(_text(r.take_profit_pct))
        self._select(self.stop_loss_mode, self.PERCENT if r.stop_loss_pct is not None else self.PRICE)
        self.stop_loss.setText(_text(r.stop_loss))
        self.stop_loss_pct.setText(_text(r.stop_loss_pct))
        self.entry_min.setText(_text(r.entry_min))
        self.entry_max.setText(_text(r.entry_max))
        self.cross_level.setText(_text(r.cross_level))
        self._select(self.cross_direction, r.cross_direction.value)
        self.change_up_pct.setText(_text(r.change_up_pct))
        self.change_down_pct.setText(_text(r.change_down_pct))
        self.trailing_activation.setText(_text(r.trailing_activation))
        self._select(self.trailing_mode, self.AMOUNT if r.trailing_amount is not None else self.PERCENT)
        self.trailing_pct.setText(_text(r.trailing_pct))
        self.trailing_amount.setText(_text(r.trailing_amount))
        self.rebound_activation.setText(_text(r.rebound_activation))
        self._select(self.rebound_mode, self.AMOUNT if r.rebound_amount is not None else self.PERCENT)
        self.rebound_pct.setText(_text(r.rebound_pct))
        self.rebound_amount.setText(_text(r.rebound_amount))
        self._select(self.trigger_mode, r.trigger_mode.value)
        self._select(self.bar_timeframe, r.bar_timeframe)
        self.cooldown_s.setValue(r.cooldown_s)
        self._select(self.rearm_mode, self.PERCENT if r.rearm_band_pct is not None else self.PRICE)
        self.rearm_band.setText(_text(r.rearm_band))
        self.rearm_band_pct.setText(_text(r.rearm_band_pct))
        self.check_interval.setValue(r.check_interval)
        self.trading_hours_only.setChecked(r.trading_hours_only)
        self.notification_enabled.setChecked(r.notification_enabled)
        self.auto_trade.setChecked(r.auto_trade)
        self._select(self.validity, r.validity.value)
        if r.valid_until is not None:
            self.valid_until.setDateTime(r.valid_until.replace(tzinfo=None))
        else:
            self.valid_until.setDateTime(datetime.now().replace(second=0, microsecond=0) + timedelta(days=1))
        self.quant_config.setPlainText("" if r.quant_config == "{}" else r.quant_config)
        self._status = r.status
        self._refresh()
        # Unfold what is used; a new rule starts at take profit / stop loss.
        used = {
            self.exits_section: rule is None or any(
                v is not None
                for v in (r.take_profit, r.take_profit_pct, r.stop_loss, r.stop_loss_pct, r.cost_price)
            ),
            self.entry_section: r.has_entry,
            self.cross_section: r.cross_level is not None,
            self.change_section: r.change_up_pct is not None or r.change_down_pct is not None,
            self.trailing_section: r.has_trailing_stop or r.trailing_activation is not None,
            self.rebound_section: r.has_trailing_entry or r.rebound_activation is not None,
            self.trigger_section: r.trigger_mode is not TriggerMode.ONCE,
            self.other_section: self._other_is_set(r),
        }
        for section, expanded in used.items():
            section.set_expanded(expanded)

    def mark_invalid(self, field: str | None) -> QWidget | None:
        """Outline the refused field, unfold its section and return its widget (the panel
        scrolls to it). ``conditions`` (no condition at all) outlines the main ones."""
        widgets = self.field_widgets()
        if field == "conditions":
            names = ["take_profit_pct" if self.take_profit_mode.currentData() == self.PERCENT else "take_profit",
                     "stop_loss_pct" if self.stop_loss_mode.currentData() == self.PERCENT else "stop_loss",
                     "entry_min", "entry_max", "cross_level"]
        elif field in widgets:
            names = [self._shown_alternative(field)]
        else:
            names = []
        bad = {widgets[name] for name in names}
        for widget in widgets.values():
            widget.setStyleSheet(_INVALID_STYLE if widget in bad else "")
        if not names:
            return None
        first = widgets[names[0]]
        for widget in bad:
            section = self.section_of(widget)
            if section is not None:
                section.set_expanded(True)
        return first

    # ----- internals -----------------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, data: str) -> None:
        index = combo.findData(data)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def _shown_alternative(self, field: str) -> str:
        """A refusal may name the % field while the amount is shown (e.g. "the pull-back
        is required by the activation price"): outline the box the trader can see."""
        partners = {
            "trailing_pct": "trailing_amount",
            "trailing_amount": "trailing_pct",
            "rebound_pct": "rebound_amount",
            "rebound_amount": "rebound_pct",
            "take_profit": "take_profit_pct",
            "take_profit_pct": "take_profit",
            "stop_loss": "stop_loss_pct",
            "stop_loss_pct": "stop_loss",
            "rearm_band": "rearm_band_pct",
            "rearm_band_pct": "rearm_band",
        }
        widgets = self.field_widgets()
        partner = partners.get(field)
        if partner is not None and widgets[field].isHidden() and not widgets[partner].isHidden():
            return partner
        return field

    @staticmethod
    def _other_is_set(rule: Rule) -> bool:
        return bool(
            rule.check_interval
            or rule.trading_hours_only
            or not rule.notification_enabled
            or rule.auto_trade
            or rule.validity is not Validity.UNTIL_CANCELLED
            or rule.quant_config != "{}"
        )

    def _refresh(self) -> None:
        """Show the fields of the current choices and keep titles, hints and markers current."""
        short = self.current_direction() is Direction.SHORT
        tp_pct = self.take_profit_mode.currentData() == self.PERCENT
        sl_pct = self.stop_loss_mode.currentData() == self.PERCENT
        self.take_profit.setVisible(not tp_pct)
        self.take_profit_pct.setVisible(tp_pct)
        self.stop_loss.setVisible(not sl_pct)
        self.stop_loss_pct.setVisible(sl_pct)
        trail_pct = self.trailing_mode.currentData() == self.PERCENT
        self.trailing_pct.setVisible(trail_pct)
        self.trailing_amount.setVisible(not trail_pct)
        rebound_pct = self.rebound_mode.currentData() == self.PERCENT
        self.rebound_pct.setVisible(rebound_pct)
        self.rebound_amount.setVisible(not rebound_pct)
        rearm_pct = self.rearm_mode.currentData() == self.PERCENT
        self.rearm_band.setVisible(not rearm_pct)
        self.rearm_band_pct.setVisible(rearm_pct)
        mode = self.current_trigger_mode()
        form = self.trigger_section.form
        form.setRowVisible(self.bar_timeframe_row, mode is TriggerMode.ONCE_PER_BAR)
        form.setRowVisible(self.cooldown_row, mode is TriggerMode.EVERY_TIME)
        form.setRowVisible(self.rearm_row, mode is TriggerMode.REARM)
        self.valid_until.setEnabled(self.validity.currentData() == Validity.UNTIL.value)

        self.direction_hint.setText(
            self.tr("Short: take profit below the cost, stop loss above it") if short
            else self.tr("Long: take profit above the cost, stop loss below it")
        )
        self.take_profit_hint.setText(self._level_hint(self.take_profit, self.take_profit_pct, tp_pct, True))
        self.stop_loss_hint.setText(self._level_hint(self.stop_loss, self.stop_loss_pct, sl_pct, False))
        if short:
            self.trailing_section.set_title(self.tr("Trailing stop for a short (rebound → cover)"))
            self.trailing_size_label.setText(self.tr("Rebound by"))
            self.trailing_hint.setText(self.tr(
                "Follows the lowest price since activation; alerts when the price rebounds this much from it."
            ))
            self.rebound_section.set_title(self.tr("Trailing entry for a short (pull-back → sell short)"))
            self.rebound_size_label.setText(self.tr("Pull back by"))
            self.rebound_hint.setText(self.tr(
                "Follows the highest price since activation; alerts when the price falls this much from it."
            ))
        else:
            self.trailing_section.set_title(self.tr("Sell on pull-back (trailing stop)"))
            self.trailing_size_label.setText(self.tr("Pull back by"))
            self.trailing_hint.setText(self.tr(
                "Follows the highest price since activation; alerts when the price falls this much from it."
            ))
            self.rebound_section.set_title(self.tr("Buy on rebound (trailing entry)"))
            self.rebound_size_label.setText(self.tr("Rebound by"))
            self.rebound_hint.setText(self.tr(
                "Follows the lowest price since activation; alerts when the price rebounds this much from it."
            ))
        self.trigger_hint.setText({
            TriggerMode.ONCE: self.tr("Each condition alerts once; the rule ends after an exit "
                                      "(take profit, stop loss, trailing stop)."),
            TriggerMode.ONCE_PER_BAR: self.tr("Each condition alerts at most once per bar of this timeframe."),
            TriggerMode.EVERY_TIME: self.tr("Alerts every time the condition is met, at most once per cooldown."),
            TriggerMode.REARM: self.tr("After an alert, the condition alerts again only once the price has "
                                       "moved back out of its range by this distance."),
        }[mode])

        set_mark = self.tr("● set")
        for section, edits in (
            (self.exits_section, (self.take_profit, self.take_profit_pct, self.stop_loss, self.stop_loss_pct)),
            (self.entry_section, (self.entry_min, self.entry_max)),
            (self.cross_section, (self.cross_level,)),
            (self.change_section, (self.change_up_pct, self.change_down_pct)),
            (self.trailing_section, (self.trailing_pct, self.trailing_amount)),
            (self.rebound_section, (self.rebound_pct, self.rebound_amount)),
        ):
            section.set_marker(set_mark if any(e.text().strip() and not e.isHidden() for e in edits) else "")
        self.trigger_section.set_marker(trigger_mode_label(mode))

    def _level_hint(self, price_edit: QLineEdit, pct_edit: QLineEdit, pct_mode: bool, target: bool) -> str:
        """'≈ 1650' for a % level, '+10% vs cost' for a price: the other half of the picture."""
        cost = _number_or_text(self.cost_price.text())
        if not isinstance(cost, float) or cost <= 0:
            return ""
        direction = self.current_direction()
        if pct_mode:
            pct = _number_or_text(pct_edit.text(), percent=True)
            if not isinstance(pct, float) or pct <= 0:
                return ""
            probe = Rule(task_name="", stock_code="", direction=direction, cost_price=cost,
                         take_profit_pct=pct if target else None, stop_loss_pct=None if target else pct)
            level = probe.take_profit_level if target else probe.stop_loss_level
            return "" if level is None else self.tr("≈ %1").replace("%1", format_price(level))
        price = _number_or_text(price_edit.text())
        if not isinstance(price, float) or price <= 0:
            return ""
        change = (price / cost - 1.0) * 100.0
        return self.tr("%1% vs cost").replace("%1", f"{change:+.2f}".replace("-", "\u2212"))

    def _valid_until_text(self) -> str | None:
        """The chosen time on the market's clock: naive here, placed in the symbol's zone
        by validation (a trader in Europe still means Beijing 15:00 for 600519.SH)."""
        if self.validity.currentData() != Validity.UNTIL.value:
            return None
        return self.valid_until.dateTime().toPython().replace(second=0, microsecond=0).isoformat()


_INVALID_STYLE = "border: 1px solid #d32f2f;"


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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Measure the rows on screen only (Qt's default reads 1,000 rows on every change:
        # tens of thousands of calls into Python per alert with a few thousand rules).
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(
            RuleTableModel.COLUMNS.index("conditions"), QHeaderView.ResizeMode.Stretch
        )
        trigger_column = RuleTableModel.COLUMNS.index("trigger")
        header.setSectionResizeMode(trigger_column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(trigger_column, 150)
        header.setStretchLastSection(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.form = RuleForm()
        self.form.stock_code.currentTextChanged.connect(self._fill_name)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        right.addWidget(self.form_scroll, 1)
        right.addWidget(self.message)
        right.addLayout(form_buttons)
        right_box = QWidget()
        right_box.setLayout(right)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self._split_done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._update_buttons()

    FORM_WIDTH = 560  # the form's share of the width, so the choice rows are not cramped

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Split table/form once the real width is known (later the user's drag rules)."""
        super().showEvent(event)
        if not self._split_done and self.width() > 100:
            self._split_done = True
            total = self.splitter.width()
            form = min(max(self.FORM_WIDTH, total // 2), total - 200)
            self.splitter.setSizes([total - form, form])

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
        """A save (token) or a start (token None) was refused by the service. Saves the
        panel did not ask for (a level dragged on the chart) are answered where they came
        from; marking a form field for them would point at a rule nobody is editing."""
        if token is not None and token not in self._pending:
            return
        self._pending.pop(token, None)
        self.show_refusal(error)

    def show_refusal(self, error: RuleValidationError) -> None:
        widget = self.form.mark_invalid(error.field)
        if widget is not None:
            self.form_scroll.ensureWidgetVisible(widget)
        self.show_message(refusal_text(error), error=True)

    def on_rules_paused(self, rules: list[Rule]) -> None:
        """The runaway guard paused rules: say so next to the form (the table shows the
        status once the worker's rule list arrives)."""
        if rules:
            self.show_message(paused_notice(rules), error=True)

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
