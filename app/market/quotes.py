"""Last price and change versus the previous close, per symbol.

The watchlist shows 涨跌幅 the way a trader reads it: against the close of the
previous trading day in the instrument's own time zone (for crypto, the UTC day).
A feed that knows the real previous close (QMT's instrument detail) overrides it.
Until a previous day has been seen, the day's first price is the reference, so
the column is never blank while prices stream.
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
        self._day_open: float | None = None

    def set_prev_close(self, prev_close: float | None) -> None:
        """A new trading day's previous close from the feed (QMT's instrument detail)."""
        self.prev_close = prev_close
        self._fixed_prev_close = prev_close is not None

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
            self._day_open = price
        self.last = price

    @property
    def reference(self) -> float | None:
        """The price the change is measured from: previous close, else today's open."""
        return self.prev_close if self.prev_close else self._day_open

    @property
    def change_pct(self) -> float | None:
        reference = self.reference
        if self.last is None or not reference:
            return None
        return (self.last - reference) / reference * 100.0


def previous_close(bars: Sequence[Bar], tz: tzinfo) -> float | None:
    """The close of the last bar on a day before the last bar's day (in ``tz``): what a
    % change rule compares with when the feed does not say (the demo's history)."""
    quote = Quote("", tz)
    quote.seed(bars)
    return quote.prev_close
