"""When to try again after a feed error, and whether to try at all.

Why its own module: "survive network trouble without hammering the exchange" is policy,
not plumbing. Exponential backoff with jitter (so a hundred clients dropped by the same
outage do not all come back in the same second), a cap (so a long outage is retried at
least every minute), and a longer pause after a rate-limit answer (retrying a 429 at once
only earns a ban). Errors are sorted by their ccxt class *names* along the MRO, so this
stays pure Python and never imports ccxt (whose import takes seconds).
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass
from enum import Enum

__all__ = ["Backoff", "ErrorKind", "classify_error", "describe_error"]


class ErrorKind(str, Enum):
    """What an error means for the feed."""

    RETRY = "retry"  # the network or the exchange hiccuped: reconnect after a pause
    RATE_LIMITED = "rate_limited"  # the exchange asked us to slow down: longer pause
    SYMBOL = "symbol"  # this symbol cannot be served (delisted, mistyped): stop it alone
    FATAL = "fatal"  # keys refused, feature unsupported: stop the feed and say why


_RATE_LIMITED = ("DDoSProtection", "RateLimitExceeded")
_RETRY = ("NetworkError", "OnMaintenance", "ExchangeNotAvailable", "RequestTimeout",
          "OperationFailed")
_SYMBOL = ("BadSymbol", "MarketClosed")
_FATAL = ("AuthenticationError", "PermissionDenied", "AccountSuspended", "NotSupported",
          "ExchangeClosedByUser")


def classify_error(exc: BaseException, *, per_symbol: bool = False) -> ErrorKind:
    """Sort an exception raised by ccxt (or by our own timeout) into an ``ErrorKind``.

    ``per_symbol``: the call concerned one symbol (its history, its stream), so an
    ``ExchangeError`` that is not clearly the connection's fault stops that symbol only.
    Anything unknown (a parsing bug, a malformed answer) is retried: giving up on a
    trader's stop-loss feed because of one odd message would be worse than a retry.
    """
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, ConnectionError, OSError)):
        return ErrorKind.RETRY
    names = [cls.__name__ for cls in type(exc).__mro__]
    for name in names:  # most specific class first
        if name in _RATE_LIMITED:
            return ErrorKind.RATE_LIMITED
        if name in _SYMBOL:
            return ErrorKind.SYMBOL if per_symbol else ErrorKind.FATAL
        if name in _FATAL:
            return ErrorKind.FATAL
        if name in _RETRY:
            return ErrorKind.RETRY
        if name == "ExchangeError":
            return ErrorKind.SYMBOL if per_symbol else ErrorKind.FATAL
    return ErrorKind.RETRY


def describe_error(exc: BaseException) -> str:
    """One line for the status bar and the log: class name and the first 200 characters."""
    text = " ".join(str(exc).split())
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) and not text:
        text = "no answer in time"
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name


@dataclass(slots=True)
class Backoff:
    """Delay before reconnect attempt ``n`` (1-based): ``base × factor^(n-1)``, capped,
    with ±``jitter`` spread; at least ``rate_limited_s`` after a rate-limit answer, and at
    least what the exchange's ``Retry-After`` asked for."""

    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    jitter: float = 0.25
    rate_limited_s: float = 10.0
    rng: random.Random | None = None

    def __post_init__(self) -> None:
        for name in ("base_s", "factor", "cap_s", "rate_limited_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"Backoff.{name} must be a positive number, got {value!r}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"Backoff.jitter must be in [0, 1), got {self.jitter!r}")
        if self.cap_s < self.base_s:
            raise ValueError(f"Backoff.cap_s ({self.cap_s}) must be >= base_s ({self.base_s})")

    def delay(self, attempt: int, kind: ErrorKind = ErrorKind.RETRY,
              retry_after_s: float | None = None) -> float:
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        exponent = min(attempt - 1, 64)  # no float overflow on a week-long outage
        raw = min(self.cap_s, self.base_s * self.factor ** exponent)
        rng = self.rng if self.rng is not None else random
        spread = raw * self.jitter * (2 * rng.random() - 1)
        delay = min(self.cap_s, raw + spread)
        if kind is ErrorKind.RATE_LIMITED:
            delay = max(delay, self.rate_limited_s)
        if retry_after_s is not None and math.isfinite(retry_after_s):
            delay = max(delay, retry_after_s)
        return max(0.0, delay)
