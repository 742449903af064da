"""Find a market symbol from what a trader types: ``btc``, ``btcusdt``, ``BTC/USDT``;
for A-shares ``600519``, ``sh600519`` or ``600519.sh``.

Why not Qt's own completer filter: traders type symbols the way their exchange's web page
shows them (``BTCUSDT``, ``btc-usdt``), ccxt names them ``BTC/USDT`` (spot) or
``BTC/USDT:USDT`` (perpetual swap), and a list of thousands of markets needs the
likely pick on top. So matching ignores case and separators, and results are ranked:

0. the symbol itself (``btcusdt`` → ``BTC/USDT``; on a swap list also ``BTC/USDT:USDT``),
1. the base currency exactly (``btc`` → every ``BTC/...`` market),
2. symbols starting with the query, then
3. symbols containing it anywhere (``btc`` → ``WBTC/USDT``).

Within a rank the common quote currencies come first (USDT before EUR), then shorter and
alphabetical. Pure Python, so the ranking is tested without a GUI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMIT", "SymbolIndex", "canonical_symbol", "compact", "rank_symbols"]

DEFAULT_LIMIT = 50
_SEPARATORS = re.compile(r"[\s/:\-_.]+")
# Quote currencies traders reach for first; anything else ranks after them.
_QUOTE_ORDER = ("USDT", "USDC", "USD", "BTC", "ETH", "EUR")

EXACT, BASE, PREFIX, SUBSTRING = range(4)


def compact(text: str) -> str:
    """Upper case without separators: ``btc/usdt:usdt`` → ``BTCUSDTUSDT``."""
    return _SEPARATORS.sub("", text).upper()


@dataclass(frozen=True)
class _Entry:
    symbol: str
    full: str  # compact form of the whole symbol
    pair: str  # compact form without the ``:SETTLE`` suffix of derivatives
    base: str
    order: tuple[int, int, str]  # tie-break within a rank


def _entry(symbol: str) -> _Entry:
    pair_text = symbol.split(":", 1)[0]
    base_text, _, quote_text = pair_text.partition("/")
    number, dot, _market = symbol.partition(".")
    if dot and len(number) == 6 and number.isdigit():  # an A-share code: 600519 names it
        base_text = number
    quote = quote_text.upper()
    quote_rank = _QUOTE_ORDER.index(quote) if quote in _QUOTE_ORDER else len(_QUOTE_ORDER)
    return _Entry(
        symbol=symbol,
        full=compact(symbol),
        pair=compact(pair_text),
        base=compact(base_text),
        order=(quote_rank, len(symbol), symbol),
    )


class SymbolIndex:
    """The symbols of one exchange, prepared once so each keystroke only compares strings."""

    def __init__(self, symbols: Iterable[str]) -> None:
        unique = dict.fromkeys(s for s in symbols if s and s.strip())
        self._entries = [_entry(s) for s in unique]
        self._exact = {s.upper(): s for s in unique}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def symbols(self) -> list[str]:
        return [e.symbol for e in self._entries]

    def rank(self, query: str, limit: int = DEFAULT_LIMIT) -> list[str]:
        """Up to ``limit`` symbols matching ``query``, best first; none for a blank query."""
        wanted = compact(query)
        if not wanted or limit <= 0:
            return []
        scored: list[tuple[int, tuple[int, int, str], str]] = []
        for entry in self._entries:
            rank = _rank(entry, wanted)
            if rank is not None:
                scored.append((rank, entry.order, entry.symbol))
        scored.sort()
        return [symbol for _rank_, _order, symbol in scored[:limit]]

    def canonical(self, text: str) -> str | None:
        """The one known symbol ``text`` names (``btcusdt`` → ``BTC/USDT``), else None.

        An exact spelling wins; otherwise case and separators are ignored, and on a
        derivatives list the ``:SETTLE`` suffix may be left out. When that still leaves
        several candidates the best ranked one is taken (the same one the list shows first).
        """
        stripped = text.strip()
        if not stripped:
            return None
        exact = self._exact.get(stripped.upper())
        if exact is not None:
            return exact
        wanted = _ashare_order(compact(stripped))
        if not wanted:
            return None
        full = [e for e in self._entries if e.full == wanted]
        candidates = full or [e for e in self._entries if e.pair == wanted]
        if not candidates and wanted.isdigit():  # 600519 → 600519.SH (A-share codes)
            candidates = [e for e in self._entries if e.base == wanted]
        if not candidates:
            return None
        return min(candidates, key=lambda e: e.order).symbol


def _ashare_order(wanted: str) -> str:
    """``SH600519`` (the market first, as many Chinese sites write it) → ``600519SH``."""
    if len(wanted) == 8 and wanted[:2] in ("SH", "SZ", "BJ") and wanted[2:].isdigit():
        return wanted[2:] + wanted[:2]
    return wanted


def _rank(entry: _Entry, wanted: str) -> int | None:
    if wanted in (entry.full, entry.pair):
        return EXACT
    if wanted == entry.base:
        return BASE
    if entry.full.startswith(wanted):
        return PREFIX
    if wanted in entry.full:
        return SUBSTRING
    return None


def rank_symbols(query: str, symbols: Sequence[str], limit: int = DEFAULT_LIMIT) -> list[str]:
    """Up to ``limit`` of ``symbols`` matching ``query``, best first (see the module doc)."""
    return SymbolIndex(symbols).rank(query, limit)


def canonical_symbol(text: str, symbols: Sequence[str]) -> str | None:
    """The known symbol ``text`` names, ignoring case and separators, else None."""
    return SymbolIndex(symbols).canonical(text)
