"""Rule validity (有效期): ``validity``/``valid_until`` columns and status 'expired'.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-01

* ``monitor_tasks.validity``: 'gtc' (until cancelled, what every existing rule
  was), 'today' or 'until'; NOT NULL with server default 'gtc', so existing rows
  keep their meaning.
* ``monitor_tasks.valid_until``: nullable; ISO-8601 text that keeps its UTC
  offset, stored exactly like ``alert_events.event_time``.
* ``monitor_tasks.status`` CHECK now allows 'expired'.

SQLite cannot change a CHECK constraint in place, so ``monitor_tasks`` is rebuilt
by a batch ALTER (create a copy, copy the rows, drop, rename). The rows keep their
ids, and ``alert_events.task_id`` keeps pointing at them because the app (and
``env.py`` for the command line) runs migrations with foreign keys disabled and
runs ``PRAGMA foreign_key_check`` before committing; with enforcement on, the
DROP would fire ON DELETE SET NULL and detach every alert from its rule.

The rebuilt table is described in full (``copy_from``) rather than reflected, so
this migration does not depend on how a SQLAlchemy version reflects CHECK
constraints and keeps producing the same schema. Self-contained like 0001: no
imports from ``app``.

Downgrade refuses (raises, so the transaction rolls back and nothing changes)
while any rule is 'expired' or has a validity other than 'gtc': 0001 can express
neither, and silently turning a "today only" rule into a "until cancelled" one
would make it alert long after the user wanted it to stop. Fix or delete those
rules first (the error says which), e.g.::

    UPDATE monitor_tasks SET status = 'stopped' WHERE status = 'expired';
    UPDATE monitor_tasks SET validity = 'gtc', valid_until = NULL WHERE validity != 'gtc';
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUS_0001 = "status IN ('running', 'stopped', 'triggered')"
STATUS_0002 = "status IN ('running', 'stopped', 'triggered', 'expired')"
VALIDITY = "validity IN ('gtc', 'today', 'until')"


def _monitor_tasks(status_check: str, *, with_validity: bool) -> sa.Table:
    """``monitor_tasks`` as 0001 created it (``with_validity``: as 0002 leaves it)."""
    validity_columns: list[sa.Column] = []
    validity_checks: list[sa.CheckConstraint] = []
    if with_validity:
        validity_columns = [
            sa.Column("validity", sa.String(length=16), server_default="gtc", nullable=False),
            sa.Column("valid_until", sa.String(length=40), nullable=True),
        ]
        validity_checks = [sa.CheckConstraint(VALIDITY, name=op.f("ck_monitor_tasks_validity"))]
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
        *validity_columns,
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("fired_kinds", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(status_check, name=op.f("ck_monitor_tasks_status")),
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
        *validity_checks,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_tasks")),
        sa.Index(op.f("ix_monitor_tasks_stock_code"), "stock_code"),
    )


def upgrade() -> None:
    with op.batch_alter_table(
        "monitor_tasks",
        copy_from=_monitor_tasks(STATUS_0001, with_validity=False),
        recreate="always",
    ) as batch:
        batch.add_column(
            sa.Column("validity", sa.String(length=16), server_default="gtc", nullable=False),
            insert_after="quant_config",
        )
        batch.add_column(
            sa.Column("valid_until", sa.String(length=40), nullable=True),
            insert_after="validity",
        )
        batch.drop_constraint(op.f("ck_monitor_tasks_status"), type_="check")
        batch.create_check_constraint(op.f("ck_monitor_tasks_status"), sa.text(STATUS_0002))
        batch.create_check_constraint(op.f("ck_monitor_tasks_validity"), sa.text(VALIDITY))


def downgrade() -> None:
    _refuse_rules_0001_cannot_express()
    with op.batch_alter_table(
        "monitor_tasks",
        copy_from=_monitor_tasks(STATUS_0002, with_validity=True),
        recreate="always",
    ) as batch:
        batch.drop_constraint(op.f("ck_monitor_tasks_validity"), type_="check")
        batch.drop_column("valid_until")
        batch.drop_column("validity")
        batch.drop_constraint(op.f("ck_monitor_tasks_status"), type_="check")
        batch.create_check_constraint(op.f("ck_monitor_tasks_status"), sa.text(STATUS_0001))


def _refuse_rules_0001_cannot_express() -> None:
    if op.get_context().as_sql:
        return  # offline (--sql) mode cannot look at the data
    rows = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT id, status, validity FROM monitor_tasks"
            " WHERE status = 'expired' OR validity != 'gtc' ORDER BY id"
        )
        .fetchall()
    )
    if rows:
        listed = ", ".join(f"{id_} ({status}, {validity})" for id_, status, validity in rows[:20])
        more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
        raise RuntimeError(
            f"cannot downgrade to 0001: {len(rows)} rule(s) are 'expired' or have a validity "
            f"other than 'gtc', which schema 0001 cannot store: ids {listed}{more}. Stop or "
            "delete them, or set validity = 'gtc' and valid_until = NULL, then retry; "
            "nothing was changed."
        )
