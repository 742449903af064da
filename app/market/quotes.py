"""Last price and change versus the previous close, per symbol.

The watchlist shows 涨跌幅 the way a trader reads it: against the close of the
previous trading day in the instrument's own time zone (for crypto, the UTC day).
A feed that knows the real previous close (QMT's instrument detail) overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from app.core.models import Bar


class Quote:
    """One symbol's latest price and its reference close."""

    def __init__(self, symbol: str, tz: tzinfo, prev_close: float | None = None) -> None:
        self.symbol = symbol
        self.tz = tz
        self.last: float | None = None
        self.prev_close = prev_close
        self._fixed_prev_close = prev_close is not None
        self._day: date | None = None

    def seed(self, bars: Sequence[Bar]) -> None:
        """Start from history: last price, and the previous day's last close."""
        for bar in bars:
            self.update(bar.time, bar.close)

    def update(self, when: datetime, price: float) -> None:
        day = when.astimezone(self.tz).date()
        if self._day is not None and day > self._day and self.last is not None:
            if not self._fixed_prev_close:
                self.prev_close = self.last
        if self._day is None or day > self._day:
            self._day = day
        self.last = price

    @property
    def change_pct(self) -> float | None:
        if self.last is None or not self.prev_close:
            return None
        return (self.last - self.prev_close) / self.prev_close * 100.0
