"""The Store: every read and write of rules and alert history.

Callers only ever see frozen dataclasses (``Rule``, ``AlertRecord``), never ORM
rows: a row escaping its session would lazy-load or go stale on another thread,
and the UI/engine would become coupled to the table layout.

Each method runs in its own short session and transaction. The Store is used by
one worker thread but may be constructed on another, so it holds no session or
connection between calls (the engine allows cross-thread connection reuse).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from app.core.models import AlertFired, AlertKind, AlertSource, TaskStatus
from app.monitors.rules import Rule
from app.storage.db import Database
from app.storage.schema import AlertEventRow, MonitorTaskRow

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: ``Rule.state`` of a rule with no tracking yet (new or re-armed).
EMPTY_STATE = "{}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RuleNotFound(KeyError):
    """The rule id does not exist (deleted meanwhile, or never saved)."""

    def __init__(self, rule_id: int | None) -> None:
        super().__init__(rule_id)
        self.rule_id = rule_id

    def __str__(self) -> str:
        return f"rule {self.rule_id} does not exist"


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One row of alert history as the UI shows it.

    ``task_id`` is None once the rule was deleted; the copied name and code keep
    the entry meaningful. ``event_time`` carries the market's own UTC offset;
    ``created_at`` (UTC) is when the alert was recorded and orders the history.
    """

    id: int
    task_id: int | None
    task_name: str
    stock_code: str
    kind: AlertKind
    event_time: datetime
    price: float
    level: float
    prev_price: float | None
    source: AlertSource
    created_at: datetime
    acknowledged: bool


class Store:
    """Repository over a :class:`Database` (which the caller opens and closes).

    ``clock`` exists so tests can control the timestamps the Store writes.
    """

    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock().astimezone(timezone.utc)

    @property
    def database(self) -> Database:
        return self._database

    # -- rules ---------------------------------------------------------------

    def list_rules(self) -> list[Rule]:
        with self._transaction() as session:
            rows = session.scalars(select(MonitorTaskRow).order_by(MonitorTaskRow.id))
            return [_rule_from_row(row) for row in rows]

    def get_rule(self, rule_id: int) -> Rule | None:
        with self._transaction() as session:
            row = session.get(MonitorTaskRow, rule_id)
            return None if row is None else _rule_from_row(row)

    def save_rule(self, rule: Rule) -> Rule:
        """Insert (``rule.id is None``) or update the rule, including its engine state
        (``fired`` and ``state``).

        Timestamps are the Store's to set: ``created_at`` once on insert,
        ``updated_at`` on every save; the values on ``rule`` are ignored.
        """
        now = self._now()
        with self._transaction() as session:
            if rule.id is None:
                row = MonitorTaskRow(created_at=now)
                session.add(row)
            else:
                row = _get_row(session, rule.id)
            _copy_rule_fields(rule, row)
            _copy_engine_state(rule, row)
            row.updated_at = now
            session.flush()
            session.refresh(row)  # return what a later read returns, not what we passed in
            return _rule_from_row(row)

    def delete_rule(self, rule_id: int) -> None:
        """Delete the rule; its alert history stays (``task_id`` becomes NULL via the FK)."""
        with self._transaction() as session:
            session.delete(_get_row(session, rule_id))

    def set_status(
        self,
        rule_ids: Iterable[int] | None,
        status: TaskStatus,
        *,
        clear_fired: bool = False,
    ) -> list[Rule]:
        """Set the status of the given rules (``None``: all rules), all or nothing.

        ``clear_fired`` re-arms the rules, e.g. when the user restarts a triggered
        rule and wants its levels to alert again: it clears the fired kinds and the
        engine's tracking state (``Rule.state`` becomes ``"{}"``), so the rule starts
        tracking from scratch (no crossing side, no trailing extreme, no cooldown).
        """
        status = TaskStatus(status)
        now = self._now()
        with self._transaction() as session:
            rows = _rows_for(session, rule_ids)
            for row in rows:
                row.status = status
                if clear_fired:
                    row.fired_kinds = ""
                    row.engine_state = EMPTY_STATE
                row.updated_at = now
            session.flush()
            return [_rule_from_row(row) for row in rows]

    # -- alerts --------------------------------------------------------------

    def record_alerts(
        self,
        alerts: Sequence[AlertFired],
        rules: Sequence[Rule],
        *,
        states: Mapping[int, str] | None = None,
    ) -> list[int]:
        """Store fired alerts and the rules' new engine state in ONE transaction.

        Callers notify the user only after this returns, so an alert that was
        shown is always in the history, and a restart reloads ``fired`` and
        ``state`` and never fires the same alert twice. Only status, fired kinds,
        engine state and ``updated_at`` of ``rules`` (the rules the engine changed)
        are written, so a stale copy cannot overwrite a user's edit of the other
        fields; a rule id that does not exist raises ``RuleNotFound``.

        ``states`` (rule id -> ``Rule.state``) is tracking that changed without
        anything else changing (a new trailing extreme, a crossing side). Only
        ``engine_state`` is written for those, in one statement, leaving
        ``updated_at`` alone (the rule was not edited); ids no longer in the
        database are skipped (the rule was deleted meanwhile, its tracking is
        moot). A rule in both ``rules`` and ``states`` gets the state of ``rules``.

        If anything fails, nothing is written: neither alerts nor state.
        Returns the new alert ids in the order of ``alerts``.
        """
        now = self._now()
        with self._transaction() as session:
            if states:
                session.connection().execute(
                    _UPDATE_STATE,
                    [{"rule_id": key, "state": text} for key, text in states.items()],
                )
            for rule in rules:
                if rule.id is None:
                    raise RuleNotFound(None)
                row = _get_row(session, rule.id)
                row.status = rule.status
                _copy_engine_state(rule, row)
                row.updated_at = now
            rows = [_alert_row(alert, now) for alert in alerts]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def alert_page(self, page: int, page_size: int) -> tuple[list[AlertRecord], int]:
        """One page of history, newest first, plus the total number of alerts.

        Count and page come from the same transaction, so they agree.
        """
        if page < 0:
            raise ValueError(f"page must be >= 0, got {page}")
        if page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        query = (
            select(AlertEventRow)
            .order_by(AlertEventRow.created_at.desc(), AlertEventRow.id.desc())
            .offset(page * page_size)
            .limit(page_size)
        )
        with self._transaction() as session:
            total = session.scalar(select(func.count()).select_from(AlertEventRow)) or 0
            records = [_alert_record(row) for row in session.scalars(query)]
            return records, total

    def alerts_for(self, stock_code: str, limit: int = 2000) -> list[AlertRecord]:
        """The newest ``limit`` alerts of one symbol, oldest first (the chart's markers)."""
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        query = (
            select(AlertEventRow)
            .where(AlertEventRow.stock_code == stock_code)
            .order_by(AlertEventRow.created_at.desc(), AlertEventRow.id.desc())
            .limit(limit)
        )
        with self._transaction() as session:
            return [_alert_record(row) for row in session.scalars(query)][::-1]

    def acknowledge(self, alert_ids: Iterable[int]) -> int:
        """Mark alerts as seen; returns how many rows exist among ``alert_ids``."""
        ids = sorted(set(alert_ids))
        if not ids:
            return 0
        statement = (
            update(AlertEventRow).where(AlertEventRow.id.in_(ids)).values(acknowledged=True)
        )
        with self._transaction() as session:
            return session.execute(statement).rowcount

    # -- helpers -------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A fresh session in a transaction: committed on success, rolled back on error."""
        with self._database.session() as session, session.begin():
            yield session


_TASKS = MonitorTaskRow.__table__
#: Core executemany for ``record_alerts(states=...)``: cheap for many rules, and a
#: missing id simply matches no row.
_UPDATE_STATE = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("rule_id"))
    .values(engine_state=bindparam("state"))
)


def _get_row(session: Session, rule_id: int) -> MonitorTaskRow:
    row = session.get(MonitorTaskRow, rule_id)
    if row is None:
        raise RuleNotFound(rule_id)
    return row


def _rows_for(session: Session, rule_ids: Iterable[int] | None) -> list[MonitorTaskRow]:
    query = select(MonitorTaskRow).order_by(MonitorTaskRow.id)
    if rule_ids is None:
        return list(session.scalars(query))
    wanted = set(rule_ids)
    if not wanted:
        return []
    rows = list(session.scalars(query.where(MonitorTaskRow.id.in_(wanted))))
    missing = wanted - {row.id for row in rows}
    if missing:
        raise RuleNotFound(min(missing))
    return rows


def _copy_engine_state(rule: Rule, row: MonitorTaskRow) -> None:
    row.fired_kinds = _format_fired(rule.fired)
    row.engine_state = rule.state


def _format_fired(fired: Iterable[AlertKind]) -> str:
    """Sorted, so the stored text is canonical and diff/grep-friendly."""
    return ",".join(sorted(AlertKind(kind).value for kind in fired))


def _parse_fired(text: str) -> frozenset[AlertKind]:
    return frozenset(AlertKind(value) for value in text.split(",") if value)


#: Rule fields stored in a column of the same name (the rest: id, timestamps, fired, state).
_RULE_COLUMNS = tuple(
    name for name in Rule.__dataclass_fields__
    if name not in {"id", "created_at", "updated_at", "fired", "state"}
)


def _copy_rule_fields(rule: Rule, row: MonitorTaskRow) -> None:
    for name in _RULE_COLUMNS:
        setattr(row, name, getattr(rule, name))


def _rule_from_row(row: MonitorTaskRow) -> Rule:
    return Rule(
        **{name: getattr(row, name) for name in _RULE_COLUMNS},
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        fired=_parse_fired(row.fired_kinds),
        state=row.engine_state,
    )


def _alert_row(alert: AlertFired, now: datetime) -> AlertEventRow:
    return AlertEventRow(
        task_id=alert.task_id,
        task_name=alert.task_name,
        stock_code=alert.stock_code,
        kind=alert.kind,
        price=alert.price,
        level=alert.level,
        prev_price=alert.prev_price,
        event_time=alert.time,
        source=alert.source,
        created_at=now,
        acknowledged=False,
    )


def _alert_record(row: AlertEventRow) -> AlertRecord:
    return AlertRecord(
        id=row.id,
        task_id=row.task_id,
        task_name=row.task_name,
        stock_code=row.stock_code,
        kind=row.kind,
        event_time=row.event_time,
        price=row.price,
        level=row.level,
        prev_price=row.prev_price,
        source=row.source,
        created_at=row.created_at,
        acknowledged=row.acknowledged,
    )
