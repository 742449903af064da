"""Immutable market and alert records shared by every layer.

These are plain frozen dataclasses (no Qt) so feeds, the rule engine, storage,
the headless replay command and the UI all speak the same typed language
instead of passing dicts or strings around.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class AlertKind(str, Enum):
    """What a rule reports. Values are stable identifiers stored in SQLite."""

    ENTRY = "entry"
    TAKE_PROFIT = "take_profit"
    STOP_LOSS = "stop_loss"
    CROSS_UP = "cross_up"
    CROSS_DOWN = "cross_down"
    CHANGE_UP = "change_up"  # 涨幅 reached: change vs previous close >= +x %
    CHANGE_DOWN = "change_down"  # 跌幅 reached: change vs previous close <= -x %
    TRAILING_STOP = "trailing_stop"  # 回落卖出 (long) / 反弹平空 (short)
    TRAILING_ENTRY = "trailing_entry"  # 反弹买入 (long) / 回落开空 (short)

    @property
    def is_exit(self) -> bool:
        """Exits end a rule in ``once`` mode (the position is closed)."""
        return self in _EXITS


_EXITS = frozenset({AlertKind.TAKE_PROFIT, AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP})


class TaskStatus(str, Enum):
    """Lifecycle of a monitor task. Values are stored in SQLite; translate only for display."""

    RUNNING = "running"
    STOPPED = "stopped"
    TRIGGERED = "triggered"
    EXPIRED = "expired"
    PAUSED = "paused"  # stopped by the runaway guard (fired too often); start resumes it


class Direction(str, Enum):
    """Which way the trader's position faces; ``short`` mirrors every exit comparison."""

    LONG = "long"
    SHORT = "short"


class CrossDirection(str, Enum):
    UP = "up"
    DOWN = "down"
    EITHER = "either"


class TriggerMode(str, Enum):
    """How often a rule may fire (TradingView's "once / once per bar / every time")."""

    ONCE = "once"
    ONCE_PER_BAR = "once_per_bar"
    EVERY_TIME = "every_time"
    REARM = "rearm"


class Validity(str, Enum):
    """How long a rule watches (the brokers' 有效期). Values are stored in SQLite."""

    UNTIL_CANCELLED = "gtc"  # 长期有效
    TODAY = "today"  # 当日有效: until the end of the instrument's trading day
    UNTIL = "until"  # until a chosen date-time


class AlertSource(str, Enum):
    """Where the price that fired an alert came from (shown on the alert's receipt)."""

    LIVE = "live"
    BACKFILL = "backfill"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class Tick:
    """One accepted price update.

    ``time`` is tz-aware (A-shares Asia/Shanghai, crypto UTC). ``volume`` is the
    volume traded since the previous tick of the same symbol (not cumulative).
    """

    symbol: str
    time: datetime
    price: float
    volume: float = 0.0


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar. ``time`` is the bar's own timestamp as its source labels it."""

    symbol: str
    time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0


@dataclass(frozen=True, slots=True)
class AlertFired:
    """A rule fired. Persisted before anybody is told, then shown as popup/tray/history.

    ``level`` is the rule level that was met (for an entry zone, the bound that was
    reached first, or the price itself when it was inside the zone); ``prev_price``
    is the last price the rule saw before this one (None on the first price).
    """

    task_id: int | None
    task_name: str
    stock_code: str
    kind: AlertKind
    time: datetime
    price: float
    level: float
    prev_price: float | None = None
    source: AlertSource = AlertSource.LIVE
