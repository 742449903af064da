"""What an exchange dialect must provide to the fake server (shared types, no aiohttp).

Why: the server (sockets, threads, faults) is the same for every exchange; only paths,
body shapes, subscribe frames and push formats differ. Each dialect module (``binance``,
``bybit``, ``okx``) subclasses ``Dialect`` and the server never looks inside a body.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .market import CANDLE_MS, Bar, FakeMarket, Ticker24h, Trade

log = logging.getLogger("tests.fake_exchange")

JsonValue = Any


@dataclass
class Subscription:
    """One stream a ws client subscribed to.

    ``kind`` is ``"ticker"``, ``"kline"`` or ``"trade"``; ``style`` is the dialect's variant (binance
    ``ticker`` vs ``miniTicker``). ``last_open_ms`` is the open time of the kline candle
    last pushed on this subscription (the server pushes its final values once when the
    next candle starts).
    """

    topic: str
    kind: str
    symbol: str
    style: str = ""
    last_open_ms: int | None = None
    last_trade_ms: int | None = None  # trades up to this market time were pushed


@dataclass
class WsSession:
    """Per-connection state a dialect reads and updates."""

    path: str
    conn_id: str
    subscriptions: list[Subscription] = field(default_factory=list)

    def add(self, subscription: Subscription) -> None:
        if all(s.topic != subscription.topic for s in self.subscriptions):
            self.subscriptions.append(subscription)

    def remove(self, topic: str) -> None:
        self.subscriptions = [s for s in self.subscriptions if s.topic != topic]


@dataclass
class RestReply:
    """An HTTP answer; ``body`` is JSON-encoded unless it is already ``str``."""

    status: int
    body: JsonValue
    content_type: str = "application/json"

    def text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body)


@dataclass
class WsInbound:
    """What the server does with one client frame: replies to send, topics subscribed."""

    replies: list[JsonValue] = field(default_factory=list)
    subscribed: list[str] = field(default_factory=list)


def query_int(query: Mapping[str, str], key: str) -> int | None:
    """An integer query parameter (times, limits); None when absent or empty."""
    value = query.get(key)
    return int(value) if value not in (None, "") else None


def fmt(value: float, decimals: int = 8) -> str:
    """Exchange-style decimal string (binance pads to 8 dp; others trim)."""
    return f"{value:.{decimals}f}"


def trim(value: float, decimals: int = 10) -> str:
    """Shortest decimal string without exponent (``84836``, ``0.1``), like bybit/okx send."""
    text = format(Decimal(repr(round(value, decimals))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _html_error(status: int, reason: str) -> str:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


class Dialect(ABC):
    """One exchange's REST routes, ws protocol and message shapes over a ``FakeMarket``."""

    name: str = ""
    symbols: Mapping[str, str] = {}  # unified symbol → exchange market id

    def __init__(self, market: FakeMarket) -> None:
        self.market = market
        self.ids: dict[str, str] = {market_id: symbol for symbol, market_id in self.symbols.items()}

    # ---------------------------------------------------------------- REST

    @abstractmethod
    def rest(self, path: str, query: Mapping[str, str]) -> RestReply | None:
        """Answer a GET; ``None`` means unknown path (the server logs it and sends 404)."""

    @abstractmethod
    def rate_limit_body(self) -> JsonValue:
        """The exchange's real 'too many requests' body (sent with HTTP 429/418)."""

    def error_reply(self, status: int, reason: str) -> RestReply:
        """An injected HTTP failure: rate-limit JSON for 418/429, an nginx page for 5xx."""
        if status in (418, 429):
            return RestReply(status, self.rate_limit_body())
        if status >= 500 and status != 500:
            return RestReply(status, _html_error(status, reason), "text/html")
        return RestReply(status, f"{status} {reason}", "text/plain")

    # ---------------------------------------------------------------- websocket

    @abstractmethod
    def ws_accepts(self, path: str) -> bool:
        """Whether a ws upgrade on ``path`` belongs to this exchange."""

    @abstractmethod
    def on_ws_text(self, session: WsSession, text: str) -> WsInbound:
        """Handle one client text frame (subscribe, unsubscribe, keep-alive)."""

    @abstractmethod
    def ticker_message(self, session: WsSession, sub: Subscription, ticker: Ticker24h) -> JsonValue:
        """One ticker push in the exchange's format."""

    @abstractmethod
    def kline_message(
        self, session: WsSession, sub: Subscription, bar: Bar, closed: bool
    ) -> JsonValue:
        """One 1m kline push; ``closed`` marks the final push of a candle."""

    @abstractmethod
    def trade_messages(self, session: WsSession, sub: Subscription, trades: list[Trade]) -> list[JsonValue]:
        """Pushes carrying ``trades`` (new public trades, oldest first)."""

    @abstractmethod
    def strip_fields(self, sub: Subscription, message: JsonValue) -> JsonValue:
        """``message`` with its instrument id and values removed (same channel/topic)."""

    def wrap(self, session: WsSession, sub: Subscription, message: JsonValue) -> JsonValue:
        """Hook for stream envelopes (binance combined streams)."""
        return message

    # ---------------------------------------------------------------- shared helpers

    def symbol_of(self, market_id: str | None) -> str | None:
        return self.ids.get(market_id or "")

    def select_klines(
        self,
        symbol: str,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
        *,
        from_start: bool,
    ) -> list[Bar]:
        """Candles with open in [start_ms, end_ms] (inclusive), never after market now.

        ``from_start``: take the earliest ``limit`` rows (paging forward from ``start``);
        otherwise the latest ``limit`` rows. Always ascending.
        """
        if limit <= 0:
            return []
        now = self.market.now_ms()
        lo = start_ms if start_ms is not None else self.market.first_open_ms
        hi = min(end_ms + 1 if end_ms is not None else now + 1, now + 1)
        # narrow to `limit` grid minutes before building Bar objects (the file has 44k rows)
        if from_start:
            hi = min(hi, lo + limit * CANDLE_MS)
        else:
            lo = max(lo, hi - limit * CANDLE_MS)
        rows = self.market.candles(symbol, lo, hi) if hi > lo else []
        return rows[:limit] if from_start else rows[-limit:]
