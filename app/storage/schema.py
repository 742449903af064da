"""SQLAlchemy ORM mapping of the price monitor's SQLite database.

This module describes the tables; it never creates them. The schema is owned by
the Alembic migrations in ``app/storage/migrations`` (a test checks that the
migrated database and this metadata agree), so that every user's database is
upgraded by the same, reviewed steps instead of whatever ``create_all`` would
infer from the current code.

SQLite has no native timezone-aware timestamps or enums, so the custom column
types below make the Python side strict: timestamps are always tz-aware, and
enum columns hold the stable ``.value`` identifiers (never display text).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.models import (
    AlertKind,
    AlertSource,
    CrossDirection,
    Direction,
    TaskStatus,
    TriggerMode,
    Validity,
)
from app.market.timeframes import TIMEFRAMES

#: Explicit constraint/index names: SQLite's batch ALTER (used by future
#: migrations) can only drop or recreate constraints that have a name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENUM_LENGTH = 16
NAME_LENGTH = 100
CODE_LENGTH = 40

E = TypeVar("E", bound=Enum)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetime stored as naive UTC text.

    SQLite keeps no offset, so we normalise to UTC on the way in (refusing naive
    values, which would be ambiguous) and re-attach UTC on the way out; that also
    keeps the stored text sortable, which the alert history relies on.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored as UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class OffsetDateTime(TypeDecorator[datetime]):
    """Aware datetime stored as ISO-8601 text that keeps its own UTC offset.

    An alert's market time must read back exactly as the exchange labelled it
    (e.g. ``+08:00`` for A-shares), not converted to UTC or local time. The zone
    *name* is not kept, only the offset, which is all a past instant needs.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} has no UTC offset to store")
        return value.isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)


class ValueEnum(TypeDecorator[E]):
    """A ``str`` enum stored by its ``.value``.

    Stored values are stable identifiers shared with other tools (and the CHECK
    constraints), so renaming an enum *member* must not change what is on disk.
    """

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_cls: type[E], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Round-trip through the enum so a typo fails here, not at the CHECK.
        return str(self.enum_cls(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_cls(value)


def _in_values(column: str, enum_cls: type[Enum]) -> str:
    """SQL for ``column IN (...)`` over an enum's stored values."""
    return _in_list(column, [str(member.value) for member in enum_cls])


def _in_list(column: str, values: Iterable[str]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def _is_bool(column: str) -> str:
    return f"{column} IN (0, 1)"


def _positive_or_null(column: str) -> str:
    return f"{column} IS NULL OR {column} > 0"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Nullable numbers of the issue-3 conditions and re-arm bands (migration 0003): NULL
#: means "not set", anything set must be > 0. Same names as the ``Rule`` fields.
POSITIVE_OR_NULL_0003 = (
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
    "rearm_band",
    "rearm_band_pct",
)


class MonitorTaskRow(Base):
    """One monitor task (a ``Rule``).

    ``fired_kinds`` and ``engine_state`` are the engine's persisted state (written
    with every alert): the kinds that fired, and ``Rule.state``, the JSON text of
    its tracking (crossing side, trailing extremes, cooldowns, recent fires).

    ``validity``/``valid_until`` (migration 0002) say how long the rule watches;
    a rule past its ``valid_until`` gets status ``expired``. Migration 0003 added
    the issue-3 conditions, ``direction``, the trigger mode and its settings, and
    ``engine_state``; its defaults are what every older rule did.
    """

    __tablename__ = "monitor_tasks"
    __table_args__ = (
        CheckConstraint(_in_values("status", TaskStatus), name="status"),
        CheckConstraint("check_interval >= 0", name="check_interval"),
        CheckConstraint(_is_bool("auto_trade"), name="auto_trade"),
        CheckConstraint(_is_bool("trading_hours_only"), name="trading_hours_only"),
        CheckConstraint(_is_bool("notification_enabled"), name="notification_enabled"),
        CheckConstraint(_positive_or_null("entry_min"), name="entry_min"),
        CheckConstraint(_positive_or_null("entry_max"), name="entry_max"),
        CheckConstraint(_positive_or_null("take_profit"), name="take_profit"),
        CheckConstraint(_positive_or_null("stop_loss"), name="stop_loss"),
        CheckConstraint(_in_values("validity", Validity), name="validity"),
        CheckConstraint(_in_values("direction", Direction), name="direction"),
        CheckConstraint(_in_values("cross_direction", CrossDirection), name="cross_direction"),
        CheckConstraint(_in_values("trigger_mode", TriggerMode), name="trigger_mode"),
        CheckConstraint(_in_list("bar_timeframe", TIMEFRAMES), name="bar_timeframe"),
        CheckConstraint("cooldown_s >= 0", name="cooldown_s"),
        *(CheckConstraint(_positive_or_null(name), name=name) for name in POSITIVE_OR_NULL_0003),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    stock_code: Mapped[str] = mapped_column(String(CODE_LENGTH), index=True)
    stock_name: Mapped[str] = mapped_column(String(NAME_LENGTH), server_default="")
    status: Mapped[TaskStatus] = mapped_column(ValueEnum(TaskStatus))
    check_interval: Mapped[int] = mapped_column(Integer, server_default="0")
    auto_trade: Mapped[bool] = mapped_column(Boolean, server_default="0")
    trading_hours_only: Mapped[bool] = mapped_column(Boolean, server_default="0")
    entry_min: Mapped[float | None] = mapped_column(Float)
    entry_max: Mapped[float | None] = mapped_column(Float)
    take_profit: Mapped[float | None] = mapped_column(Float)
    stop_loss: Mapped[float | None] = mapped_column(Float)
    notification_enabled: Mapped[bool] = mapped_column(Boolean, server_default="1")
    quant_config: Mapped[str] = mapped_column(Text, server_default="{}")
    validity: Mapped[Validity] = mapped_column(
        ValueEnum(Validity), server_default=Validity.UNTIL_CANCELLED.value
    )
    #: Keeps the offset it was given (Beijing time for A-shares), like an alert's event_time.
    valid_until: Mapped[datetime | None] = mapped_column(OffsetDateTime)
    direction: Mapped[Direction] = mapped_column(
        ValueEnum(Direction), server_default=Direction.LONG.value
    )
    cross_level: Mapped[float | None] = mapped_column(Float)
    cross_direction: Mapped[CrossDirection] = mapped_column(
        ValueEnum(CrossDirection), server_default=CrossDirection.EITHER.value
    )
    cost_price: Mapped[float | None] = mapped_column(Float)
    take_profit_pct: Mapped[float | None] = mapped_column(Float)
    stop_loss_pct: Mapped[float | None] = mapped_column(Float)
    change_up_pct: Mapped[float | None] = mapped_column(Float)
    change_down_pct: Mapped[float | None] = mapped_column(Float)
    trailing_activation: Mapped[float | None] = mapped_column(Float)
    trailing_pct: Mapped[float | None] = mapped_column(Float)
    trailing_amount: Mapped[float | None] = mapped_column(Float)
    rebound_activation: Mapped[float | None] = mapped_column(Float)
    rebound_pct: Mapped[float | None] = mapped_column(Float)
    rebound_amount: Mapped[float | None] = mapped_column(Float)
    trigger_mode: Mapped[TriggerMode] = mapped_column(
        ValueEnum(TriggerMode), server_default=TriggerMode.ONCE.value
    )
    bar_timeframe: Mapped[str] = mapped_column(String(ENUM_LENGTH), server_default="1m")
    cooldown_s: Mapped[int] = mapped_column(Integer, server_default="0")
    rearm_band: Mapped[float | None] = mapped_column(Float)
    rearm_band_pct: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_kinds: Mapped[str] = mapped_column(Text, server_default="")
    #: ``Rule.state``; '{}' = no tracking yet (a new or re-armed rule starts from scratch).
    engine_state: Mapped[str] = mapped_column(Text, server_default="{}")


class AlertEventRow(Base):
    """One fired alert. Rule fields are copied so history outlives the rule."""

    __tablename__ = "alert_events"
    __table_args__ = (
        CheckConstraint(_in_values("kind", AlertKind), name="kind"),
        CheckConstraint(_in_values("source", AlertSource), name="source"),
        CheckConstraint(_is_bool("acknowledged"), name="acknowledged"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("monitor_tasks.id", ondelete="SET NULL"), index=True
    )
    task_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    stock_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    kind: Mapped[AlertKind] = mapped_column(ValueEnum(AlertKind))
    price: Mapped[float] = mapped_column(Float)
    level: Mapped[float] = mapped_column(Float)
    prev_price: Mapped[float | None] = mapped_column(Float)
    event_time: Mapped[datetime] = mapped_column(OffsetDateTime)
    source: Mapped[AlertSource] = mapped_column(ValueEnum(AlertSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged: Mapped[bool] = mapped_column(Boolean, server_default="0")
