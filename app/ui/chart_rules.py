"""Rules edited on the chart: drag a level, right-click a price.

The chart only reports gestures; this controller turns them into rule edits that go
through the same path as the monitor panel's form: ``validate_rule`` first (so an
invalid drop snaps back at once, with the reason, and nothing is sent), then the
monitor worker, which validates again, stores the rule in SQLite and restarts its
tracking the way an edit in the form would (``MonitorService.save_rule``). A refusal
from the worker snaps the line back too.

While a line is dragged, the dry run (``app.monitors.dry_run``) marks the bars of the
loaded history where the level would have fired. It runs a moment after the mouse
rests, not on every pixel, so dragging stays smooth on a long history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from app.core.models import CrossDirection, Direction
from app.monitors.dry_run import dry_run, moved_level
from app.monitors.rules import Rule, RuleValidationError, validate_rule
from app.ui.chart import CandleChart
from app.ui.formatting import format_price
from app.ui.rule_text import field_label, refusal_text

log = logging.getLogger(__name__)

#: How long the mouse must rest on a dragged line before the dry run is worked out.
DRY_RUN_DELAY_MS = 60

SaveRequest = Callable[[Any, dict[str, Any], "int | None"], None]


@dataclass(frozen=True)
class ChartEdit:
    """The token of a save asked for by the chart (the worker echoes it back)."""

    rule_id: int | None
    field: str
    value: float


class ChartRuleEditor(QObject):
    """Turns the chart's drags and right-clicks into validated, saved rule edits."""

    message = Signal(str, bool)  # text for the status bar, True when it is a refusal

    def __init__(
        self,
        chart: CandleChart,
        *,
        save: SaveRequest,
        rules: Callable[[], list[Rule]],
        selected_rule: Callable[[], Rule | None],
        last_price: Callable[[str], float | None],
        stock_name: Callable[[str], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._chart = chart
        self._save = save
        self._rules = rules
        self._selected = selected_rule
        self._last_price = last_price
        self._stock_name = stock_name
        self._pending: set[ChartEdit] = set()
        self._drag: ChartEdit | None = None
        self._dry_timer = QTimer(self)
        self._dry_timer.setSingleShot(True)
        self._dry_timer.setInterval(DRY_RUN_DELAY_MS)
        self._dry_timer.timeout.connect(self.run_dry_run)
        chart.level_dragged.connect(self._on_dragged)
        chart.level_dropped.connect(self._on_dropped)
        self.last_dry_run: list[int] = []  # bar indices of the last dry run (tests, debugging)

    # ------------------------------------------------------------------ dragging
    def _rule(self, rule_id: int | None) -> Rule | None:
        return next((r for r in self._rules() if r.id == rule_id), None) if rule_id else None

    def _on_dragged(self, rule_id: int, field: str, value: float) -> None:
        self._drag = ChartEdit(rule_id, field, value)
        self._dry_timer.start()

    def run_dry_run(self) -> None:
        """Mark where the dragged level would have fired (or say why it cannot be saved)."""
        edit, series = self._drag, self._chart.series
        rule = self._rule(edit.rule_id) if edit is not None else None
        if edit is None or rule is None or series is None or rule.stock_code != series.symbol:
            return
        problem = self._problem(rule, edit.field, edit.value)
        if problem is not None:
            self.last_dry_run = []
            self._chart.show_dry_run([], [], self.tr("✗ %1").replace("%1", problem))
            return
        marks = dry_run(rule, edit.field, edit.value, series.times, series.open, series.high,
                        series.low, series.close, series.tz)
        self.last_dry_run = [m.index for m in marks]
        text = self.tr("Would have fired %n time(s) on the loaded bars", "", len(marks))
        self._chart.show_dry_run(self.last_dry_run, [m.price for m in marks], text)

    def _on_dropped(self, rule_id: int, field: str, value: float) -> None:
        self._dry_timer.stop()
        self._drag = None
        self._chart.clear_dry_run()
        rule = self._rule(rule_id)
        if rule is None:
            self._chart.reset_levels()
            return
        line = self._chart.level_layer.line_for(rule_id, field)
        if line is not None and value == line.saved_value:
            return  # put back where it was: nothing to save
        self._submit(ChartEdit(rule_id, field, value), moved_level(rule, field, value), rule)

    def _problem(self, rule: Rule, field: str, value: float) -> str | None:
        """Why the rule with this level would be refused (the validator's reason)."""
        return _refusal({**rule.to_dict(), **moved_level(rule, field, value)})

    def _submit(self, edit: ChartEdit, changes: dict[str, Any], rule: Rule | None) -> None:
        """Validate ``rule`` with ``changes`` (or the new rule ``changes`` describes) here,
        so a refusal snaps back at once; only then ask the worker to store it."""
        problem = _refusal({**rule.to_dict(), **changes} if rule is not None else changes)
        if problem is not None:
            self._refuse(problem)
            return
        self._pending.add(edit)
        self._save(edit, changes, edit.rule_id)

    def _refuse(self, reason: str) -> None:
        self._chart.reset_levels()
        self.message.emit(reason, True)
        QToolTip.showText(QCursor.pos(), reason, self._chart)

    # ------------------------------------------------------------------ worker answers
    def on_rule_saved(self, token: object, rule: Rule) -> None:
        if not isinstance(token, ChartEdit) or token not in self._pending:
            return
        self._pending.discard(token)
        self.message.emit(
            self.tr("“%1”: %2 is now %3").replace("%1", rule.task_name)
            .replace("%2", field_label(token.field)).replace("%3", format_price(token.value)),
            False,
        )

    def on_rule_refused(self, token: object, error: RuleValidationError) -> None:
        if not isinstance(token, ChartEdit) or token not in self._pending:
            return
        self._pending.discard(token)
        self._refuse(refusal_text(error))

    # ------------------------------------------------------------------ right-click
    def target_rule(self, symbol: str) -> Rule | None:
        """The rule a right-click sets a level on: the one selected in the panel if it is
        this symbol's, else this symbol's only rule; None means a new rule."""
        selected = self._selected()
        if selected is not None and selected.stock_code == symbol:
            return selected
        own = [r for r in self._rules() if r.stock_code == symbol]
        return own[0] if len(own) == 1 else None

    def menu_for(self, price: float, parent: QWidget | None = None) -> QMenu:
        """The right-click menu at ``price`` on the shown symbol's chart."""
        menu = QMenu(parent or self._chart)
        series = self._chart.series
        if series is None:
            return menu
        symbol = series.symbol
        shown = format_price(price)
        title = menu.addAction(self.tr("At %1").replace("%1", shown))
        title.setEnabled(False)
        target = self.target_rule(symbol)
        if target is not None:
            name = target.task_name
            for field, text in (
                ("stop_loss", self.tr("Stop-loss here (“%1”)")),
                ("take_profit", self.tr("Take-profit here (“%1”)")),
                ("cross_level", self.tr("Alert when price crosses here (“%1”)")),
            ):
                action = menu.addAction(text.replace("%1", name))
                action.setData(("set", field))
                action.triggered.connect(
                    lambda _c=False, f=field, r=target: self.set_level(r, f, price))
            menu.addSeparator()
        for field, text in (
            ("stop_loss", self.tr("New rule: stop-loss here")),
            ("take_profit", self.tr("New rule: take-profit here")),
            ("cross_level", self.tr("New rule: alert when price crosses here")),
        ):
            action = menu.addAction(text)
            action.setData(("new", field))
            action.triggered.connect(lambda _c=False, f=field: self.new_rule(symbol, f, price))
        return menu

    def actions(self, menu: QMenu) -> dict[tuple[str, str], QAction]:
        """The menu's rule actions by (``set``/``new``, field), for tests and automation."""
        return {a.data(): a for a in menu.actions() if isinstance(a.data(), tuple)}

    def set_level(self, rule: Rule, field: str, price: float) -> None:
        """Put one of ``rule``'s levels at ``price`` (validated, then saved)."""
        changes: dict[str, Any] = moved_level(rule, field, price)
        if field == "cross_level" and rule.cross_level is None:
            changes["cross_direction"] = self._cross_direction(rule.stock_code, price).value
        self._submit(ChartEdit(rule.id, field, price), changes, rule)

    def new_rule(self, symbol: str, field: str, price: float) -> None:
        """A new rule for ``symbol`` with just this level; long or short from the price.

        A stop-loss under the last price protects a long position, one above it a short
        one (and the other way round for a take-profit), so the new rule never fires on
        the very next tick because its direction was guessed wrong.
        """
        name = self._stock_name(symbol)
        label = name or symbol
        last = self._last_price(symbol)
        data: dict[str, Any] = {"stock_code": symbol, "stock_name": name, field: price}
        shown = format_price(price)
        if field == "cross_level":
            direction = self._cross_direction(symbol, price)
            data["cross_direction"] = direction.value
            data["task_name"] = self.tr("%1 crosses %2").replace("%1", label).replace("%2", shown)
        else:
            if last is None:
                long = True
            elif field == "stop_loss":
                long = price < last
            else:
                long = price >= last
            data["direction"] = (Direction.LONG if long else Direction.SHORT).value
            template = (self.tr("%1 stop-loss %2") if field == "stop_loss"
                        else self.tr("%1 take-profit %2"))
            data["task_name"] = template.replace("%1", label).replace("%2", shown)
        self._submit(ChartEdit(None, field, price), data, None)

    def _cross_direction(self, symbol: str, price: float) -> CrossDirection:
        """A crossing level above the price waits for a move up, one below for a move down."""
        last = self._last_price(symbol)
        if last is None or last == price:
            return CrossDirection.EITHER
        return CrossDirection.UP if price > last else CrossDirection.DOWN


def _refusal(data: dict[str, Any]) -> str | None:
    """The validator's reason, translated, why ``data`` is not a valid rule (None if it is)."""
    try:
        validate_rule(data)
    except RuleValidationError as error:
        return refusal_text(error)
    return None
