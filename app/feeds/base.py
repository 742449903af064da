"""The small contract every price feed (demo replay, QMT, ccxt) offers to the rest of the app.

Why a Protocol and not a base class: feeds wrap very different vendor machinery (xtquant
callbacks, a ccxt asyncio loop, a replay thread); they share no code, only a shape. The
UI/services program against this shape, so a feed can be swapped or faked in tests.

Threading rule for every feed: ``sink`` is called from the feed's own worker thread, with a
fresh ``list[Tick]`` per call (the feed never touches the list again), tick times tz-aware
and increasing per symbol. The GUI side receives them through ``app.feeds.bridge``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from app.core.models import Bar, Tick

__all__ = ["ErrorHandler", "Feed", "Instrument", "Market", "TickSink"]

Market = Literal["crypto", "ashare"]
_MARKETS: frozenset[str] = frozenset({"crypto", "ashare"})

TickSink = Callable[[list[Tick]], None]
"""Receives one batch of ticks; called on the feed's worker thread."""

ErrorHandler = Callable[[Exception], None]
"""Told about an error the feed survived; called on the feed's worker thread."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """What the UI needs to show and format a symbol, independent of the vendor.

    ``tz_name`` is an IANA name (not a tzinfo) so the record stays trivially comparable,
    hashable and storable. ``prev_close`` is the previous session's close when the feed
    knows it (for % change), else None.
    """

    symbol: str
    name: str
    tz_name: str
    market: Market
    price_decimals: int
    prev_close: float | None = None

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ValueError("Instrument.symbol must not be empty")
        if self.market not in _MARKETS:
            raise ValueError(f"Instrument.market must be 'crypto' or 'ashare', got {self.market!r}")
        if not 0 <= self.price_decimals <= 12:
            raise ValueError(f"Instrument.price_decimals must be 0..12, got {self.price_decimals}")

    @property
    def tz(self) -> ZoneInfo:
        """The instrument's exchange time zone (A-shares Asia/Shanghai, crypto UTC)."""
        return ZoneInfo(self.tz_name)


@runtime_checkable
class Feed(Protocol):
    """A source of live ticks for a fixed set of instruments.

    ``start``/``stop`` must not block the GUI for long (stop may join a worker for a
    bounded time). Errors inside the feed are survived, counted and reported, never
    allowed to kill the worker silently.
    """

    def instruments(self) -> list[Instrument]:
        """The instruments this feed delivers, in display order."""
        ...

    def history(self, symbol: str) -> list[Bar]:
        """Bars to pre-fill the chart with (bar START times, oldest first)."""
        ...

    def start(self) -> None:
        """Begin delivering ticks to the sink on a worker thread."""
        ...

    def stop(self) -> None:
        """Stop delivering ticks; idempotent."""
        ...

    @property
    def ticks_sent(self) -> int:
        """Ticks handed to the sink so far (for the status bar)."""
        ...

    @property
    def error_count(self) -> int:
        """Errors survived so far (for the status bar)."""
        ...
