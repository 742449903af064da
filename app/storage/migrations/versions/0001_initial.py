"""Initial schema: monitor tasks and alert history.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Deliberately self-contained (plain SQLAlchemy types, literal CHECK SQL, no
imports from ``app``): a migration must keep producing the same schema even
after the ORM module moves on. Names are wrapped in ``op.f`` so the ORM's
naming convention does not prefix them a second time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_tasks",
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
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("fired_kinds", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'stopped', 'triggered')", name=op.f("ck_monitor_tasks_status")
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_tasks")),
    )
    op.create_index(op.f("ix_monitor_tasks_stock_code"), "monitor_tasks", ["stock_code"])

    op.create_table(
        "alert_events",
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
        sa.CheckConstraint(
            "kind IN ('entry', 'take_profit', 'stop_loss')", name=op.f("ck_alert_events_kind")
        ),
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
    )
    op.create_index(op.f("ix_alert_events_created_at"), "alert_events", ["created_at"])
    op.create_index(op.f("ix_alert_events_task_id"), "alert_events", ["task_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_events_task_id"), table_name="alert_events")
    op.drop_index(op.f("ix_alert_events_created_at"), table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_index(op.f("ix_monitor_tasks_stock_code"), table_name="monitor_tasks")
    op.drop_table("monitor_tasks")
