"""Our timeframe names translated to each data venue's own spelling, and back.

Why a table: every venue spells bar sizes differently (ccxt ``'1h'``, OANDA ``'H1'``,
Interactive Brokers ``'1 hour'``), and a venue that lacks a size must say so in words a
trader can act on, before a request is sent and fails somewhere deep in a feed thread.

Sources of the rows:

* ccxt: its unified names, which are ours. Exchanges do not all offer all of them (ccxt
  4.5: coinbase and gemini have no ``4h``, bithumb no ``1d``); pass the exchange's
  ``timeframes`` dict as ``supported`` to check a particular one. Ticks come from
  ``fetch_ticker``/``watch_trades``, not from an OHLCV timeframe.
* xtquant (QMT): the level-1 periods of ``subscribe_quote``/``get_market_data_ex``
  documented in /work/shared/reference/xtquant.md: ``tick``, ``1m``, ``5m``, ``15m``,
  ``30m``, ``1h`` (the code also accepts ``60m``) and ``1d``; no 4-hour period. Older
  clients lack some, so pass ``xtdata.get_period_list()`` as ``supported`` when known.
* OANDA v20 candle granularities (S5 ... M): M1, M5, M15, M30, H1, H4, D. Ticks come from
  the pricing stream, not from a granularity.
* Interactive Brokers ``barSizeSetting`` strings for ``reqHistoricalData``. Ticks come from
  ``reqTickByTickData``/``reqMktData``, not from a bar size.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from app.market.timeframes import TIMEFRAMES, timeframe_refusal

__all__ = [
    "OUR_TIMEFRAMES",
    "VENUES",
    "UnsupportedTimeframe",
    "our_timeframe",
    "venue_timeframe",
    "venue_timeframes",
]

#: Every timeframe name the app uses: the raw tick stream, then the bar sizes.
OUR_TIMEFRAMES: tuple[str, ...] = ("tick", *TIMEFRAMES)

#: The venues we can translate for, in the order they are shown.
VENUES: tuple[str, ...] = ("ccxt", "xtquant", "oanda", "ib")

# our name -> the venue's name; a missing key means the venue has no such timeframe.
_NAMES: dict[str, dict[str, str]] = {
    "ccxt": {
        "1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h", "4h": "4h", "1d": "1d",
    },
    "xtquant": {
        "tick": "tick", "1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h",
        "1d": "1d",
    },
    "oanda": {
        "1m": "M1", "5m": "M5", "15m": "M15", "30m": "M30", "1h": "H1", "4h": "H4", "1d": "D",
    },
    "ib": {
        "1m": "1 min", "5m": "5 mins", "15m": "15 mins", "30m": "30 mins", "1h": "1 hour",
        "4h": "4 hours", "1d": "1 day",
    },
}

# Other spellings a venue accepts or reports for the same timeframe (reverse look-up and
# ``supported`` lists only; we always send the first, documented name).
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "xtquant": {"1h": ("60m",)},
}

# Why a venue has no such timeframe, where a trader would otherwise wonder.
_MISSING_REASONS: dict[tuple[str, str], str] = {
    ("ccxt", "tick"): "ccxt OHLCV has no tick timeframe; ticks come from fetch_ticker or "
    "watch_trades",
    ("xtquant", "4h"): "xtquant has no 4-hour period",
    ("oanda", "tick"): "OANDA candles have no tick granularity (the finest is S5); ticks "
    "come from the pricing stream",
    ("ib", "tick"): "Interactive Brokers bar sizes have no tick size; ticks come from "
    "reqTickByTickData or reqMktData",
}


class UnsupportedTimeframe(ValueError):
    """A timeframe the venue (or this instrument there) cannot provide. ``str()`` names the
    venue, the timeframe, why, and what the venue does offer; the parts are attributes too
    so a UI can show them separately."""

    def __init__(self, venue: str, timeframe: str, reason: str, available: tuple[str, ...]):
        self.venue = venue
        self.timeframe = timeframe
        self.reason = reason
        self.available = available
        offered = ", ".join(available) if available else "none"
        super().__init__(
            f"{venue}: timeframe {timeframe!r} is not supported: {reason}; "
            f"{venue} supports: {offered}"
        )


def venue_timeframes(
    venue: str,
    *,
    code: str | None = None,
    supported: Mapping[str, object] | Collection[str] | None = None,
) -> tuple[str, ...]:
    """Our timeframes the venue offers (for ``code``, and among ``supported`` if given),
    in our order: what a timeframe picker should list."""
    names = _venue_names(venue)
    return tuple(
        ours
        for ours in OUR_TIMEFRAMES
        if ours in names
        and _code_refusal(code, ours) is None
        and (supported is None or _offered_name(venue, ours, supported) is not None)
    )


def venue_timeframe(
    venue: str,
    timeframe: str,
    *,
    code: str | None = None,
    supported: Mapping[str, object] | Collection[str] | None = None,
) -> str:
    """The venue's name for our ``timeframe``, or ``UnsupportedTimeframe`` saying why not.

    ``code`` applies the instrument's own refusals (no 4h bars for A-shares). ``supported``
    is what one exchange/client reports it offers (a ccxt exchange's ``timeframes`` dict,
    keyed by unified names, or xtquant's ``get_period_list()``); None means the venue's
    documented set. Raises plain ValueError for an unknown venue (a programming error).
    """
    names = _venue_names(venue)

    def refuse(reason: str) -> UnsupportedTimeframe:
        return UnsupportedTimeframe(
            venue, timeframe, reason, venue_timeframes(venue, code=code, supported=supported)
        )

    if timeframe not in OUR_TIMEFRAMES:
        raise refuse(f"unknown timeframe (ours are: {', '.join(OUR_TIMEFRAMES)})")
    refusal = _code_refusal(code, timeframe)
    if refusal is not None:
        raise refuse(f"{code}: {refusal}")
    if timeframe not in names:
        raise refuse(_MISSING_REASONS.get((venue, timeframe), f"{venue} has no such timeframe"))
    if supported is None:
        return names[timeframe]
    offered = _offered_name(venue, timeframe, supported)
    if offered is None:
        raise refuse(f"the {venue} source at hand does not list it among its timeframes")
    return offered


def our_timeframe(venue: str, name: str) -> str:
    """Our timeframe for the venue's ``name`` (aliases such as xtquant's ``60m`` included);
    ``UnsupportedTimeframe`` if the venue name is not one we use."""
    names = _venue_names(venue)
    for ours, theirs in names.items():
        if name == theirs or name in _ALIASES.get(venue, {}).get(ours, ()):
            return ours
    known = ", ".join(repr(n) for n in names.values())
    raise UnsupportedTimeframe(
        venue, name, f"not a {venue} timeframe name we map (ours map to: {known})",
        venue_timeframes(venue),
    )


def _venue_names(venue: str) -> dict[str, str]:
    try:
        return _NAMES[venue]
    except KeyError:
        raise ValueError(f"unknown venue {venue!r} (known: {', '.join(VENUES)})") from None


def _code_refusal(code: str | None, timeframe: str) -> str | None:
    """The instrument's own refusal; ticks exist for every instrument."""
    if code is None or timeframe == "tick":
        return None
    return timeframe_refusal(code, timeframe)


def _offered_name(
    venue: str, timeframe: str, supported: Mapping[str, object] | Collection[str]
) -> str | None:
    """The first of the venue's spellings of ``timeframe`` that ``supported`` lists."""
    spellings = (_NAMES[venue][timeframe], *_ALIASES.get(venue, {}).get(timeframe, ()))
    return next((s for s in spellings if s in supported), None)
