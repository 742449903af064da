"""Rule conditions, trigger modes and engine state (issue 3); status 'paused'.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01

New ``monitor_tasks`` columns, one per new ``Rule`` field. Every existing rule
keeps its meaning: the defaults describe exactly what a 0002 rule did (long
position, alert once per condition, no new condition set).

* ``direction``: 'long' or 'short' (NOT NULL, default 'long'); 'short' mirrors
  every exit comparison.
* ``cross_level`` (price, > 0) and ``cross_direction`` ('up', 'down' or
  'either'; NOT NULL, default 'either'): alert when the price crosses the level.
* ``cost_price``, ``take_profit_pct``, ``stop_loss_pct``: exits given as a
  percentage of the cost price instead of a price.
* ``change_up_pct``, ``change_down_pct``: change against the previous close.
* ``trailing_activation``, ``trailing_pct``, ``trailing_amount``: trailing stop.
* ``rebound_activation``, ``rebound_pct``, ``rebound_amount``: trailing entry.
* ``trigger_mode``: 'once', 'once_per_bar', 'every_time' or 'rearm' (NOT NULL,
  default 'once'), with its settings ``bar_timeframe`` (NOT NULL, default '1m'),
  ``cooldown_s`` (seconds >= 0, NOT NULL, default 0), ``rearm_band`` and
  ``rearm_band_pct``.
* ``engine_state``: the engine's tracking (crossing side, trailing extremes,
  cooldowns, recent fires) as JSON text, NOT NULL, default '{}' (= start
  tracking from scratch). Written together with ``fired_kinds`` and the alert.

All new prices, percentages and amounts are nullable (NULL = not set) and,
when set, must be > 0. ``monitor_tasks.status`` also allows 'paused' (stopped
by the runaway guard) and ``alert_events.kind`` the six new alert kinds.

SQLite cannot change a CHECK constraint in place, so both tables are rebuilt by
batch ALTERs (create a copy, copy the rows, drop, rename), each described in
full (``copy_from``) rather than reflected, like 0002. Rows keep their ids, and
``alert_events.task_id`` keeps pointing at its rule because migrations run with
foreign keys disabled and ``PRAGMA foreign_key_check`` runs before committing
(with enforcement on, dropping ``monitor_tasks`` would fire ON DELETE SET NULL
and detach every alert from its rule). Self-contained: no imports from ``app``.

Downgrade refuses (raises, so the transaction rolls back and nothing changes)
while anything uses what 0002 cannot store: a rule that is 'paused', is short,
has a trigger mode other than 'once' or has any new condition set
(``cross_level``, ``cost_price``, a percentage, a trailing or rebound setting),
or an alert of a new kind. The error names the rules and alerts; fix or delete
them first, e.g.::

    UPDATE monitor_tasks SET status = 'stopped' WHERE status = 'paused';
    DELETE FROM alert_events WHERE kind NOT IN ('entry', 'take_profit', 'stop_loss');

What is dropped silently, because a 0002 rule behaves the same without it:
``engine_state``; ``cross_direction``, ``bar_timeframe``, ``cooldown_s``,
``rearm_band`` and ``rearm_band_pct`` (they only matter together with a crossing
or a trigger mode other than 'once', both refused above); and new kinds left in
``fired_kinds`` by a condition that was since removed from the rule.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUS_0002 = "status IN ('running', 'stopped', 'triggered', 'expired')"
STATUS_0003 = "status IN ('running', 'stopped', 'triggered', 'expired', 'paused')"
OLD_KINDS = ("entry", "take_profit", "stop_loss")
NEW_KINDS = (
    "cross_up",
    "cross_down",
    "change_up",
    "change_down",
    "trailing_stop",
    "trailing_entry",
)
KIND_0002 = "kind IN ('entry', 'take_profit', 'stop_loss')"
KIND_0003 = (
    "kind IN ('entry', 'take_profit', 'stop_loss', 'cross_up', 'cross_down', 'change_up',"
    " 'change_down', 'trailing_stop', 'trailing_entry')"
)
DIRECTION = "direction IN ('long', 'short')"
CROSS_DIRECTION = "cross_direction IN ('up', 'down', 'either')"
TRIGGER_MODE = "trigger_mode IN ('once', 'once_per_bar', 'every_time', 'rearm')"
BAR_TIMEFRAME = "bar_timeframe IN ('1m', '5m', '15m', '30m', '1h', '4h', '1d')"
COOLDOWN = "cooldown_s >= 0"

#: The new nullable conditions 0002 cannot express (any of them set refuses a downgrade).
CONDITIONS = (
    "cross_level",
    "cost_price",
    "take_profit_pct",
    "stop_loss_pct",
    "change_up_pct",
    "change_down_pct",
    "trailing_activation",
    "trailing_pct",
    "trailing_amount",
    "rebound_activation",
    "rebound_pct",
    "rebound_amount",
)
#: Every new nullable number; each has a CHECK "NULL or > 0".
POSITIVE = (*CONDITIONS, "rearm_band", "rearm_band_pct")


def _new_columns() -> list[sa.Column]:
    """The new rule columns in ``Rule`` order; they follow ``valid_until``."""
    positive = {name: sa.Column(name, sa.Float(), nullable=True) for name in POSITIVE}
    return [
        sa.Column("direction", sa.String(length=16), server_default="long", nullable=False),
        positive["cross_level"],
        sa.Column("cross_direction", sa.String(length=16), server_default="either", nullable=False),
        *(positive[name] for name in CONDITIONS[1:]),
        sa.Column("trigger_mode", sa.String(length=16), server_default="once", nullable=False),
        sa.Column("bar_timeframe", sa.String(length=16), server_default="1m", nullable=False),
        sa.Column("cooldown_s", sa.Integer(), server_default="0", nullable=False),
        positive["rearm_band"],
        positive["rearm_band_pct"],
    ]


def _engine_state_column() -> sa.Column:
    """Follows ``fired_kinds``, the other piece of engine state."""
    return sa.Column("engine_state", sa.Text(), server_default="{}", nullable=False)


def _new_checks() -> list[tuple[str, str]]:
    """(constraint name, SQL) of the new columns' CHECKs."""
    checks = [
        ("direction", DIRECTION),
        ("cross_direction", CROSS_DIRECTION),
        ("trigger_mode", TRIGGER_MODE),
        ("bar_timeframe", BAR_TIMEFRAME),
        ("cooldown_s", COOLDOWN),
    ]
    checks += [(name, f"{name} IS NULL OR {name} > 0") for name in POSITIVE]
    return [(f"ck_monitor_tasks_{name}", sql) for name, sql in checks]


def _monitor_tasks(*, at_0003: bool) -> sa.Table:
    """``monitor_tasks`` as 0002 left it (``at_0003``: as this migration leaves it)."""
    new_columns = _new_columns() if at_0003 else []
    engine_state = [_engine_state_column()] if at_0003 else []
    new_checks = (
        [sa.CheckConstraint(sql, name=op.f(name)) for name, sql in _new_checks()] if at_0003 else []
    )
    return sa.Table(
        "monitor_tasks",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_name", sa.String(length=100), nullable=False),
        sa.Column("stock_code", sa.String(length=40), nullable=False),
        sa.Column("stock_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("check_interval", sa.Integer(), server_default="0", nullable=False),
        sa.Column("auto_trade", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("trading_hours_only", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("entry_min", sa.Float(), nullable=True),
        sa.Column("entry_max", sa.Float(), nullable=True),
        sa.Column("take_profit", sa.Float(), nullable=True),
        sa.Column("stop_loss", sa.Float(), nullable=True),
        sa.Column("notification_enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("quant_config", sa.Text(), server_default="{}", nullable=False),
        sa.Column("validity", sa.String(length=16), server_default="gtc", nullable=False),
        sa.Column("valid_until", sa.String(length=40), nullable=True),
        *new_columns,
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("fired_kinds", sa.Text(), server_default="", nullable=False),
        *engine_state,
        sa.CheckConstraint(
            STATUS_0003 if at_0003 else STATUS_0002, name=op.f("ck_monitor_tasks_status")
        ),
        sa.CheckConstraint("check_interval >= 0", name=op.f("ck_monitor_tasks_check_interval")),
        sa.CheckConstraint("auto_trade IN (0, 1)", name=op.f("ck_monitor_tasks_auto_trade")),
        sa.CheckConstraint(
            "trading_hours_only IN (0, 1)", name=op.f("ck_monitor_tasks_trading_hours_only")
        ),
        sa.CheckConstraint(
            "notification_enabled IN (0, 1)", name=op.f("ck_monitor_tasks_notification_enabled")
        ),
        sa.CheckConstraint(
            "entry_min IS NULL OR entry_min > 0", name=op.f("ck_monitor_tasks_entry_min")
        ),
        sa.CheckConstraint(
            "entry_max IS NULL OR entry_max > 0", name=op.f("ck_monitor_tasks_entry_max")
        ),
        sa.CheckConstraint(
            "take_profit IS NULL OR take_profit > 0", name=op.f("ck_monitor_tasks_take_profit")
        ),
        sa.CheckConstraint(
            "stop_loss IS NULL OR stop_loss > 0", name=op.f("ck_monitor_tasks_stop_loss")
        ),
        sa.CheckConstraint(
            "validity IN ('gtc', 'today', 'until')", name=op.f("ck_monitor_tasks_validity")
        ),
        *new_checks,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_tasks")),
        sa.Index(op.f("ix_monitor_tasks_stock_code"), "stock_code"),
    )


def _alert_events(kind_check: str) -> sa.Table:
    """``alert_events`` as 0001 created it, with the given ``kind`` CHECK."""
    return sa.Table(
        "alert_events",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("task_name", sa.String(length=100), nullable=False),
        sa.Column("stock_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("prev_price", sa.Float(), nullable=True),
        sa.Column("event_time", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint(kind_check, name=op.f("ck_alert_events_kind")),
        sa.CheckConstraint(
            "source IN ('live', 'backfill', 'replay')", name=op.f("ck_alert_events_source")
        ),
        sa.CheckConstraint("acknowledged IN (0, 1)", name=op.f("ck_alert_events_acknowledged")),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["monitor_tasks.id"],
            name=op.f("fk_alert_events_task_id_monitor_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        sa.Index(op.f("ix_alert_events_created_at"), "created_at"),
        sa.Index(op.f("ix_alert_events_task_id"), "task_id"),
    )


def upgrade() -> None:
    with op.batch_alter_table(
        "monitor_tasks", copy_from=_monitor_tasks(at_0003=False), recreate="always"
    ) as batch:
        previous = "valid_until"
        for column in _new_columns():
            batch.add_column(column, insert_after=previous)
            previous = column.name
        batch.add_column(_engine_state_column(), insert_after="fired_kinds")
        batch.drop_constraint(op.f("ck_monitor_tasks_status"), type_="check")
        batch.create_check_constraint(op.f("ck_monitor_tasks_status"), sa.text(STATUS_0003))
        for name, sql in _new_checks():
            batch.create_check_constraint(op.f(name), sa.text(sql))
    with op.batch_alter_table(
        "alert_events", copy_from=_alert_events(KIND_0002), recreate="always"
    ) as batch:
        batch.drop_constraint(op.f("ck_alert_events_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_events_kind"), sa.text(KIND_0003))


def downgrade() -> None:
    _refuse_what_0002_cannot_express()
    _drop_new_fired_kinds()
    with op.batch_alter_table(
        "monitor_tasks", copy_from=_monitor_tasks(at_0003=True), recreate="always"
    ) as batch:
        for name, _sql in _new_checks():
            batch.drop_constraint(op.f(name), type_="check")
        batch.drop_column("engine_state")
        for column in reversed(_new_columns()):
            batch.drop_column(column.name)
        batch.drop_constraint(op.f("ck_monitor_tasks_status"), type_="check")
        batch.create_check_constraint(op.f("ck_monitor_tasks_status"), sa.text(STATUS_0002))
    with op.batch_alter_table(
        "alert_events", copy_from=_alert_events(KIND_0003), recreate="always"
    ) as batch:
        batch.drop_constraint(op.f("ck_alert_events_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_alert_events_kind"), sa.text(KIND_0002))


def _drop_new_fired_kinds() -> None:
    """Remove new kinds from ``fired_kinds`` (a sorted, comma-separated list).

    Only stale ones can be left (the rules that use new conditions were refused);
    the 0002 app could not read them. Plain SQL, so ``--sql`` mode emits it too.
    """
    padded = "',' || fired_kinds || ','"
    for kind in NEW_KINDS:
        padded = f"replace({padded}, ',{kind},', ',')"
    op.execute(f"UPDATE monitor_tasks SET fired_kinds = trim({padded}, ',')")


def _refuse_what_0002_cannot_express() -> None:
    if op.get_context().as_sql:
        return  # offline (--sql) mode cannot look at the data
    bind = op.get_bind()
    rules = bind.exec_driver_sql(
        f"SELECT id, status, direction, trigger_mode, {', '.join(CONDITIONS)}"
        " FROM monitor_tasks"
        " WHERE status = 'paused' OR direction != 'long' OR trigger_mode != 'once'"
        f" OR {' OR '.join(f'{name} IS NOT NULL' for name in CONDITIONS)}"
        " ORDER BY id"
    ).fetchall()
    kinds = ", ".join(f"'{kind}'" for kind in OLD_KINDS)
    alerts = bind.exec_driver_sql(
        f"SELECT id, task_id, kind FROM alert_events WHERE kind NOT IN ({kinds}) ORDER BY id"
    ).fetchall()
    if not rules and not alerts:
        return
    problems = []
    if rules:
        described = [f"{row[0]} ({', '.join(_rule_reasons(row))})" for row in rules]
        problems.append(
            f"{len(rules)} rule(s) use what schema 0002 cannot store (status 'paused', "
            "direction 'short', a trigger mode other than 'once', or a new condition): "
            f"ids {_listed(described)}"
        )
    if alerts:
        described = [
            f"{id_} ({kind}, rule {'deleted' if task_id is None else task_id})"
            for id_, task_id, kind in alerts
        ]
        problems.append(
            f"{len(alerts)} alert(s) of kinds schema 0002 cannot store: ids {_listed(described)}"
        )
    raise RuntimeError(
        f"cannot downgrade to 0002: {'; '.join(problems)}. Stop, edit or delete those rules "
        "(and delete those alerts), then retry; nothing was changed."
    )


def _rule_reasons(row: sa.Row) -> list[str]:
    _id, status, direction, trigger_mode, *conditions = row
    reasons = []
    if status == "paused":
        reasons.append("status paused")
    if direction != "long":
        reasons.append(f"direction {direction}")
    if trigger_mode != "once":
        reasons.append(f"trigger_mode {trigger_mode}")
    reasons += [name for name, value in zip(CONDITIONS, conditions) if value is not None]
    return reasons


def _listed(items: list[str], limit: int = 20) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more
