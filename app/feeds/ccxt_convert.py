"""ccxt's unified structures → the app's raw prints and bars.

Why a module of its own: this is where vendor data becomes ours, so it is where a bad
message must stop being dangerous. Nothing here raises on a malformed trade, ticker or
OHLCV row: a missing or non-numeric field becomes NaN (the validator then drops and
counts the print) or the row is skipped and counted. Pure Python, testable
without ccxt or a network.

Times: ccxt gives epoch milliseconds (UTC); prints carry epoch seconds, bars tz-aware
UTC datetimes of the bar's START (ccxt's OHLCV rows are labelled by their open time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from app.core.models import Bar
from app.market.quality_types import NAN, RawTick, finite_or_nan

__all__ = [
    "ConvertedBars",
    "TradeMark",
    "new_trades",
    "closed_bars",
    "ohlcv_to_bars",
    "ticker_to_raw",
    "trades_to_raw",
]


def _seconds(ms: object, fallback: float) -> float:
    value = finite_or_nan(ms)
    return value / 1000.0 if value == value else fallback


def trades_to_raw(symbol: str, trades: Iterable[Mapping], received: float) -> list[RawTick]:
    """One print per public trade: the exact price path and volume, exchange-stamped.

    ``received`` is when our adapter got the message (the feed's clock), so the health
    view can measure latency. A trade without a timestamp keeps NaN: the validator drops
    it as ``bad_time`` rather than inventing a time for it.
    """
    out: list[RawTick] = []
    for trade in trades:
        if not isinstance(trade, Mapping):
            out.append(RawTick(symbol, NAN, NAN, received=received))
            continue
        out.append(RawTick(
            symbol,
            _seconds(trade.get("timestamp"), NAN),
            finite_or_nan(trade.get("price")),
            volume=finite_or_nan(trade.get("amount")),
            received=received,
        ))
    return out


@dataclass(frozen=True, slots=True)
class TradeMark:
    """How far a symbol's trades were handed on: the newest time (ms) and the ids seen at
    that time (several trades share a millisecond)."""

    time_ms: float = -math.inf
    ids: frozenset = frozenset()


#: Stop walking back through ccxt's trade cache after this many trades already handed on.
_SEEN_RUN = 32


def new_trades(cache: Sequence[Mapping], mark: TradeMark) -> tuple[list[Mapping], TradeMark]:
    """The trades in ``cache`` (ccxt's per-symbol cache, arrival order) newer than ``mark``,
    oldest first, and the new mark.

    Why not just what ``watch_trades`` returned: when two messages arrive before the next
    call, ccxt's "new updates" answer can leave one out, and one message may carry several
    trades newest first. Reading the cache from its end against our own mark loses none
    and repeats none, across reconnects too. A trade without a usable time is skipped.
    """
    fresh: list[tuple[float, str, Mapping]] = []
    seen_run = 0
    for trade in reversed(cache):
        if not isinstance(trade, Mapping):
            continue
        ts = finite_or_nan(trade.get("timestamp"))
        if ts != ts:
            continue
        key = str(trade.get("id"))
        if ts < mark.time_ms or (ts == mark.time_ms and key in mark.ids):
            seen_run += 1
            if seen_run >= _SEEN_RUN:
                break
            continue
        seen_run = 0
        fresh.append((ts, key, trade))
    if not fresh:
        return [], mark
    fresh.sort(key=lambda item: (item[0], item[1]))
    newest = fresh[-1][0]
    ids = {key for ts, key, _ in fresh if ts == newest}
    if newest == mark.time_ms:
        ids |= mark.ids
    return [trade for _, _, trade in fresh], TradeMark(newest, frozenset(ids))


def ticker_to_raw(symbol: str, ticker: Mapping, received: float) -> RawTick:
    """A ticker snapshot as one print: last price, best bid/ask, 24 h high/low.

    No volume: a ticker's ``baseVolume`` is a rolling 24 h total, not a running day
    total, so differences of it are not traded volume. Some venues (bybit swaps) send no
    timestamp; then the receive time stands in, which is when we learnt of the price.
    """
    if not isinstance(ticker, Mapping):
        return RawTick(symbol, NAN, NAN, received=received)
    last = finite_or_nan(ticker.get("last"))
    if last != last:
        last = finite_or_nan(ticker.get("close"))
    return RawTick(
        symbol,
        _seconds(ticker.get("timestamp"), received),
        last,
        bid=finite_or_nan(ticker.get("bid")),
        ask=finite_or_nan(ticker.get("ask")),
        day_high=finite_or_nan(ticker.get("high")),
        day_low=finite_or_nan(ticker.get("low")),
        received=received,
    )


@dataclass(frozen=True, slots=True)
class ConvertedBars:
    """Bars from OHLCV rows, oldest first, one per start time, plus rows refused."""

    bars: list[Bar]
    refused: int


def ohlcv_to_bars(symbol: str, rows: Iterable[Sequence]) -> ConvertedBars:
    """ccxt OHLCV rows ``[open_ms, o, h, l, c, v]`` → bars sorted by start, deduplicated
    (a later row for the same start wins: pages overlap, the forming bar is re-sent).

    A row that is not a usable bar (missing value, price <= 0, high below the others) is
    refused and counted: such a bar must never reach a stop-loss.
    """
    by_start: dict[float, Bar] = {}
    refused = 0
    for row in rows:
        try:
            start_ms, o, h, lo, c = (finite_or_nan(row[i]) for i in range(5))
            v = finite_or_nan(row[5]) if len(row) > 5 else 0.0
        except (TypeError, IndexError, KeyError):
            refused += 1
            continue
        prices_ok = all(p == p and p > 0 for p in (o, h, lo, c))
        if start_ms != start_ms or not prices_ok or h < max(o, c, lo) or lo > min(o, c):
            refused += 1
            continue
        by_start[start_ms] = Bar(
            symbol, datetime.fromtimestamp(start_ms / 1000.0, tz=timezone.utc),
            o, h, lo, c, v if v == v and v >= 0 else 0.0,
        )
    return ConvertedBars([by_start[k] for k in sorted(by_start)], refused)


def closed_bars(bars: Sequence[Bar], now: float, seconds: float = 60.0) -> list[Bar]:
    """Only the bars whose period ended by ``now`` (epoch s): an exchange's OHLCV answer
    ends with the bar still forming, which is not history yet."""
    return [b for b in bars if b.time.timestamp() + seconds <= now]
