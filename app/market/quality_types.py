"""The vocabulary of tick validation: what a feed hands in, why a tick is refused, what
else was noticed. Kept apart from the validator so feeds, the health view and the tests
can speak it without importing numpy machinery.

Values of the enums are stable identifiers (shown in logs and the health panel through a
translation table, never stored as display text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

__all__ = ["DropReason", "QualityNote", "RawTick", "NAN", "finite_or_nan"]

NAN = math.nan


def finite_or_nan(value: object) -> float:
    """A vendor's field as a finite float, else NaN (None, '', 'abc', inf): the one rule
    every adapter uses so that the validator, not a parser, decides about a bad print."""
    if type(value) is float:  # the common case, without the try
        return value if value - value == 0.0 else NAN  # inf and NaN fail this
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return NAN
    return number if math.isfinite(number) else NAN


class DropReason(str, Enum):
    """Why a tick never reached the rule engine (one reason per tick, first that applies)."""

    BAD_TIME = "bad_time"  # time missing / not finite
    BAD_PRICE = "bad_price"  # price not finite or <= 0 (A-share feeds send 0.00 before the open)
    FUTURE_TIME = "future_time"  # later than the feed's clock beyond the tolerance
    OUT_OF_ORDER = "out_of_order"  # older than the symbol's last tick
    DUPLICATE = "duplicate"  # same time and same values as the symbol's last tick
    OUTSIDE_SESSION = "outside_session"  # a live feed's print outside the trading sessions
    CROSSED_BOOK = "crossed_book"  # bid above ask
    BAD_RANGE = "bad_range"  # the day's high below its low
    OUTSIDE_DAY_RANGE = "outside_day_range"  # last price outside the day's high..low
    UNCONFIRMED_JUMP = "unconfirmed_jump"  # an impossible jump the next ticks did not confirm
    MALFORMED = "malformed"  # the vendor's record was not a quote at all (counted by the adapter)


class QualityNote(str, Enum):
    """Things worth counting that do not drop a tick."""

    HELD = "held"  # an impossible-looking jump held back until the next ticks decide
    CONFIRMED_JUMP = "confirmed_jump"  # a held print the next ticks confirmed: released
    VOLUME_REBASED = "volume_rebased"  # cumulative volume/turnover went backwards (feed restart)
    LATE_PRINT = "late_print"  # a print for a bar already closed: that bar was revised


@dataclass(frozen=True, slots=True)
class RawTick:
    """One price update as a feed adapter received it, before any checking.

    Times are epoch seconds (the exchange's time of the print; ``received`` = when our
    adapter got it, NaN when unknown). Any optional field the vendor does not send is NaN.
    ``volume`` is traded since the previous update; ``cum_volume``/``cum_turnover`` are
    the day's running totals (QMT, exchange tickers) -- when given they win over
    ``volume`` and the validator turns them into differences.
    """

    symbol: str
    time: float
    price: float
    volume: float = NAN
    cum_volume: float = NAN
    cum_turnover: float = NAN
    bid: float = NAN
    ask: float = NAN
    day_high: float = NAN
    day_low: float = NAN
    limit_up: float = NAN
    limit_down: float = NAN
    prev_close: float = NAN
    received: float = NAN
