"""The monitoring service: rules in SQLite, the engine in memory, alerts persisted first.

This is the one place that ties the rule engine to storage. It guarantees the
product's promise: an alert is committed (together with the rule state that
prevents it firing again) before anyone is told, and if that commit fails the
engine is reset from the database so the alert fires again on the next price
instead of being lost. Pure Python: the Qt worker in ``monitor_worker`` only
moves calls onto its thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from app.core.models import AlertFired, AlertKind, AlertSource, Bar, TaskStatus, Tick, Validity
from app.monitors.conditions import forget_conditions, forget_fires
from app.monitors.engine import Evaluation, RuleEngine
from app.monitors.rules import Rule, RuleValidationError, validate_rule
from app.monitors.sessions import session_end
from app.storage.repository import AlertRecord, RuleNotFound, Store

log = logging.getLogger(__name__)

# Which fired flags and tracking a change clears: moving a level is a new instruction.
_KIND_FIELDS: dict[AlertKind, tuple[str, ...]] = {
    AlertKind.ENTRY: ("entry_min", "entry_max"),
    AlertKind.TAKE_PROFIT: ("take_profit", "take_profit_pct", "cost_price", "direction"),
    AlertKind.STOP_LOSS: ("stop_loss", "stop_loss_pct", "cost_price", "direction"),
    AlertKind.CROSS_UP: ("cross_level", "cross_direction"),
    AlertKind.CROSS_DOWN: ("cross_level", "cross_direction"),
    AlertKind.CHANGE_UP: ("change_up_pct",),
    AlertKind.CHANGE_DOWN: ("change_down_pct",),
    AlertKind.TRAILING_STOP: ("trailing_activation", "trailing_pct", "trailing_amount", "direction"),
    AlertKind.TRAILING_ENTRY: ("rebound_activation", "rebound_pct", "rebound_amount", "direction"),
}
# Changing how a rule fires starts all of its tracking afresh.
_MODE_FIELDS = ("trigger_mode", "bar_timeframe", "cooldown_s", "rearm_band", "rearm_band_pct")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert that is already safely in the database, with its row id."""

    id: int
    alert: AlertFired


class Processed(list[StoredAlert]):
    """The stored alerts of one batch (a list), plus the rules whose state changed
    (fired, triggered or expired) so the panel can be refreshed even without an alert,
    and the rules the runaway guard paused (the user must be told)."""

    def __init__(
        self,
        alerts: Iterable[StoredAlert] = (),
        changed: Sequence[Rule] = (),
        paused: Sequence[Rule] = (),
    ) -> None:
        super().__init__(alerts)
        self.changed = list(changed)
        self.paused = list(paused)


class MonitorService:
    """Edits rules, evaluates prices and records alerts, in that order of trust."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = _utc_now) -> None:
        self._store = store
        self._clock = clock
        self._engine = RuleEngine()
        self.reload()

    def reload(self) -> list[Rule]:
        """Re-read every rule from the database into the engine."""
        rules = self._store.list_rules()
        self._engine.load(rules)
        return rules

    def rules(self) -> list[Rule]:
        return sorted(self._engine.rules(), key=lambda r: r.id or 0)

    # ----- editing --------------------------------------------------------
    def save_rule(self, data: Mapping[str, Any], rule_id: int | None = None) -> Rule:
        """Validate and store a new rule (``rule_id`` None) or an edit of an existing one.

        Raises ``RuleValidationError`` (nothing saved) or ``RuleNotFound``.
        """
        base = self._store.get_rule(rule_id) if rule_id is not None else None
        if rule_id is not None and base is None:
            raise RuleNotFound(rule_id)
        rule = self._with_expiry(validate_rule(data, base=base))
        if base is not None:
            rule = _clear_fired_for_moved_levels(base, rule)
        saved = self._store.save_rule(rule)
        self._engine.upsert(saved)
        return saved

    def delete_rule(self, rule_id: int) -> None:
        self._store.delete_rule(rule_id)
        self._engine.remove(rule_id)

    def start(self, rule_ids: Iterable[int] | None = None) -> list[Rule]:
        """Start rules. One named rule that had triggered is re-armed (its fired flags
        cleared); "start all" only resumes stopped rules, so it never re-fires alerts
        the trader has already seen."""
        if rule_ids is None:
            resumable = (TaskStatus.STOPPED, TaskStatus.PAUSED)
            stopped = [r.id for r in self._store.list_rules() if r.status in resumable]
            ids = [i for i in stopped if i is not None]
            clear_fired = False
        else:
            ids = list(rule_ids)
            clear_fired = True
        # A "today only" rule started on a new day watches that new day; a rule whose
        # fixed validity has passed cannot run (the trader must move its date first).
        for rule_id in ids:
            rule = self._store.get_rule(rule_id)
            if rule is None:
                raise RuleNotFound(rule_id)
            fresh = self._with_expiry(rule)
            if rule.status is TaskStatus.PAUSED:  # the runaway count starts again
                fresh = fresh.with_changes(state=forget_fires(fresh.state))
            if fresh != rule:
                self._store.save_rule(fresh)
        updated = self._store.set_status(ids, TaskStatus.RUNNING, clear_fired=clear_fired)
        for rule in updated:
            self._engine.upsert(rule)
        return updated

    def stop(self, rule_ids: Iterable[int] | None = None) -> list[Rule]:
        """Stop rules (all running ones when ``rule_ids`` is None)."""
        if rule_ids is None:
            running = [r.id for r in self._store.list_rules() if r.status is TaskStatus.RUNNING]
            ids: list[int] = [i for i in running if i is not None]
        else:
            ids = list(rule_ids)
        updated = self._store.set_status(ids, TaskStatus.STOPPED)
        for rule in updated:
            self._engine.upsert(rule)
        return updated

    def expire_due(self) -> list[Rule]:
        """Expire rules whose validity has passed by the wall clock.

        Prices expire a rule as they arrive; this catches rules whose market is
        silent (night, weekend), so the panel shows 'expired' when it is true.
        """
        now = self._clock()
        due = [
            r.id
            for r in self._engine.rules()
            if r.id is not None
            and r.valid_until is not None
            and r.valid_until < now
            and r.status in (TaskStatus.RUNNING, TaskStatus.STOPPED, TaskStatus.PAUSED)
        ]
        if not due:
            return []
        updated = self._store.set_status(due, TaskStatus.EXPIRED)
        for rule in updated:
            self._engine.upsert(rule)
        return updated

    def _with_expiry(self, rule: Rule) -> Rule:
        """Resolve 当日有效 to the end of the instrument's current trading day, and refuse
        a fixed validity that has already passed (it would never watch anything)."""
        now = self._clock()
        if rule.validity is Validity.TODAY:
            return rule.with_changes(valid_until=session_end(rule.stock_code, now))
        if rule.validity is Validity.UNTIL and rule.valid_until is not None and rule.valid_until <= now:
            raise RuleValidationError(
                "valid_until", "in_past", "is already in the past", when=rule.valid_until.isoformat()
            )
        return rule

    # ----- prices ---------------------------------------------------------
    def process_ticks(
        self, ticks: Sequence[Tick], source: AlertSource = AlertSource.LIVE
    ) -> Processed:
        """Evaluate ticks; persist alerts and rule state in one transaction, then return them.

        If the commit fails the engine is reloaded from the database (so nothing is
        marked fired that is not stored) and the error propagates to be shown.
        """
        return self._record(self._engine.on_ticks(ticks, source))

    def process_bars(
        self, bars: Sequence[Bar], source: AlertSource = AlertSource.BACKFILL
    ) -> Processed:
        """Evaluate bars with bar semantics (backfilled minutes a gap hid from the live
        feed: a stop crossed meanwhile is still reported, marked as found in backfill)."""
        return self._record(self._engine.on_bars(bars, source))

    def _record(self, evaluation: Evaluation) -> Processed:
        if not evaluation.alerts and not evaluation.changed and not evaluation.states:
            return Processed()
        try:
            ids = self._store.record_alerts(
                evaluation.alerts, evaluation.changed, states=evaluation.states
            )
        except Exception:
            log.exception("could not record %d alert(s); engine reset", len(evaluation.alerts))
            self.reload()
            raise
        return Processed(
            (StoredAlert(i, a) for i, a in zip(ids, evaluation.alerts, strict=True)),
            changed=evaluation.changed,
            paused=evaluation.paused,
        )

    def set_previous_close(self, symbol: str, price: float) -> None:
        """The feed's previous close, for 涨跌幅 (change vs previous close) rules."""
        self._engine.set_previous_close(symbol, price)

    def acknowledge(self, alert_ids: Iterable[int]) -> int:
        """Mark alerts as seen (the popup's Acknowledge button)."""
        return self._store.acknowledge(alert_ids)

    def alert_page(self, page: int, page_size: int) -> tuple[list[AlertRecord], int]:
        return self._store.alert_page(page, page_size)

    def alerts_for(self, stock_code: str, limit: int = 2000) -> list[AlertRecord]:
        return self._store.alerts_for(stock_code, limit)


def _clear_fired_for_moved_levels(before: Rule, after: Rule) -> Rule:
    """A condition whose level moved may fire again and tracks afresh (a crossing waits
    for a new previous price, a trail for a new extreme); a triggered rule whose exit
    moved re-arms. Changing the trigger mode restarts everything."""
    if any(getattr(before, f) != getattr(after, f) for f in _MODE_FIELDS):
        moved = set(AlertKind)
    else:
        moved = {
            kind
            for kind, fields in _KIND_FIELDS.items()
            if any(getattr(before, f) != getattr(after, f) for f in fields)
        }
    fired = set(after.fired) - moved
    status = after.status
    exited = any(kind.is_exit for kind in fired)
    candidate = after.with_changes(fired=frozenset(fired))
    if status is TaskStatus.TRIGGERED and not exited and not candidate.conditions_done:
        status = TaskStatus.RUNNING
    return candidate.with_changes(status=status, state=forget_conditions(after.state, moved))
