"""Binance spot dialect: ``/api/v3`` REST and the raw ``/ws`` market streams.

Body field sets are copied from real responses (``shared/data/ccxt/binance.response.
marketdata.json``: 24h ticker, rolling ticker, klines) and ws pushes from the payload
examples in ``ccxt/pro/binance.py`` (``handle_ohlcv``, ``parse_ws_ticker``), so ccxt
parses them with its real code. Markets are the raw ``info`` entries of the markets
fixture inside the real ``exchangeInfo`` envelope.

Quirks honoured: ccxt opens one ws connection per subscription on ``/ws/<n>`` (any
sub-path is accepted); ``/stream…`` paths get the combined-stream envelope
``{"stream", "data"}``; keep-alive is protocol-level ping (aiohttp answers it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .fixtures import market_infos
from .market import CANDLE_MS, Bar, Ticker24h, Trade
from .protocol import (
    Dialect,
    JsonValue,
    RestReply,
    Subscription,
    WsInbound,
    WsSession,
    fmt,
    log,
    query_int,
)

DAY_MS = 86_400_000
_TICKER_STYLES = {"ticker": "ticker", "miniTicker": "miniTicker"}


class BinanceDialect(Dialect):
    name = "binance"
    symbols = {"BTC/USDT": "BTCUSDT", "ETH/USDT": "ETHUSDT"}

    # ---------------------------------------------------------------- REST

    def rest(self, path: str, query: Mapping[str, str]) -> RestReply | None:
        routes = {
            "/api/v3/exchangeInfo": self._exchange_info,
            "/fapi/v1/exchangeInfo": self._empty_exchange_info,
            "/dapi/v1/exchangeInfo": self._empty_exchange_info,
            "/api/v3/ping": lambda q: RestReply(200, {}),
            "/api/v3/time": lambda q: RestReply(200, {"serverTime": self.market.now_ms()}),
            "/sapi/v1/system/status": lambda q: RestReply(200, {"status": 0, "msg": "normal"}),
            "/api/v3/ticker/24hr": self._ticker_24hr,
            "/api/v3/ticker": self._ticker_rolling,
            "/api/v3/klines": self._klines,
        }
        handler = routes.get(path)
        return handler(query) if handler else None

    def rate_limit_body(self) -> JsonValue:
        return {
            "code": -1003,
            "msg": "Too many requests; current limit of IP is 6000 requests per minute.",
        }

    def _envelope(self, symbols: list[JsonValue]) -> dict[str, JsonValue]:
        return {
            "timezone": "UTC",
            "serverTime": self.market.now_ms(),
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": symbols,
        }

    def _exchange_info(self, query: Mapping[str, str]) -> RestReply:
        return RestReply(200, self._envelope(market_infos("binance", list(self.symbols))))

    def _empty_exchange_info(self, query: Mapping[str, str]) -> RestReply:
        return RestReply(200, self._envelope([]))

    def _requested(self, query: Mapping[str, str]) -> list[str] | RestReply:
        """Symbols named by ``symbol=`` or ``symbols=[...]`` (all when neither)."""
        if "symbol" in query:
            ids = [query["symbol"]]
        elif "symbols" in query:
            ids = json.loads(query["symbols"])
        else:
            return list(self.symbols)
        unknown = [i for i in ids if i not in self.ids]
        if unknown:
            return RestReply(400, {"code": -1121, "msg": "Invalid symbol."})
        return [self.ids[i] for i in ids]

    def _ticker_24hr(self, query: Mapping[str, str]) -> RestReply:
        symbols = self._requested(query)
        if isinstance(symbols, RestReply):
            return symbols
        bodies = [self._ticker_body(self.market.ticker(s), full=True) for s in symbols]
        return RestReply(200, bodies[0] if "symbol" in query else bodies)

    def _ticker_rolling(self, query: Mapping[str, str]) -> RestReply:
        symbols = self._requested(query)
        if isinstance(symbols, RestReply):
            return symbols
        bodies = [self._ticker_body(self.market.ticker(s), full=False) for s in symbols]
        return RestReply(200, bodies[0] if "symbol" in query else bodies)

    def _ticker_body(self, t: Ticker24h, *, full: bool) -> dict[str, JsonValue]:
        """``/ticker/24hr`` (full, with bid/ask) or rolling ``/ticker`` field set."""
        market_id = self.symbols[t.symbol]
        body: dict[str, JsonValue] = {
            "symbol": market_id,
            "priceChange": fmt(t.change),
            "priceChangePercent": f"{t.percentage:.3f}",
            "weightedAvgPrice": fmt(t.quote_volume / t.base_volume if t.base_volume else t.last),
        }
        if full:
            body.update(
                {
                    "prevClosePrice": fmt(t.open),
                    "lastPrice": fmt(t.last),
                    "lastQty": fmt(0.001),
                    "bidPrice": fmt(t.bid),
                    "bidQty": fmt(1.0),
                    "askPrice": fmt(t.ask),
                    "askQty": fmt(1.0),
                }
            )
        else:
            body["lastPrice"] = fmt(t.last)
        body.update(
            {
                "openPrice": fmt(t.open),
                "highPrice": fmt(t.high),
                "lowPrice": fmt(t.low),
                "volume": fmt(t.base_volume),
                "quoteVolume": fmt(t.quote_volume),
                "openTime": t.timestamp_ms - DAY_MS,
                "closeTime": t.timestamp_ms,
                "firstId": 1,
                "lastId": 1000,
                "count": 1000,
            }
        )
        return body

    def _klines(self, query: Mapping[str, str]) -> RestReply:
        symbol = self.symbol_of(query.get("symbol"))
        if symbol is None:
            return RestReply(400, {"code": -1121, "msg": "Invalid symbol."})
        if query.get("interval") != "1m":
            return RestReply(400, {"code": -1120, "msg": "Invalid interval."})
        limit = min(query_int(query, "limit") or 500, 1000)
        start, end = query_int(query, "startTime"), query_int(query, "endTime")
        rows = self.select_klines(symbol, start, end, limit, from_start=start is not None)
        return RestReply(200, [self._kline_row(bar) for bar in rows])

    @staticmethod
    def _kline_row(bar: Bar) -> list[JsonValue]:
        quote = bar.v * bar.c
        return [
            bar.open_ms,
            fmt(bar.o),
            fmt(bar.h),
            fmt(bar.l),
            fmt(bar.c),
            fmt(bar.v),
            bar.open_ms + CANDLE_MS - 1,
            fmt(quote),
            100,
            fmt(bar.v / 2),
            fmt(quote / 2),
            "0",
        ]

    # ---------------------------------------------------------------- websocket

    def ws_accepts(self, path: str) -> bool:
        return path.startswith("/ws") or path.startswith("/stream")

    def on_ws_text(self, session: WsSession, text: str) -> WsInbound:
        try:
            frame = json.loads(text)
            method, request_id = frame["method"], frame.get("id")
        except (ValueError, KeyError, TypeError):
            return WsInbound(
                [{"error": {"code": 3, "msg": "Invalid JSON: expected a method"}, "id": None}]
            )
        params = frame.get("params") or []
        if method == "SUBSCRIBE":
            for stream in params:
                sub = self._parse_stream(stream)
                if sub is None:
                    log.warning("binance: unsupported stream %r (nothing will be pushed)", stream)
                else:
                    session.add(sub)
            return WsInbound([{"result": None, "id": request_id}], list(params))
        if method == "UNSUBSCRIBE":
            for stream in params:
                session.remove(stream)
            return WsInbound([{"result": None, "id": request_id}])
        if method == "LIST_SUBSCRIPTIONS":
            return WsInbound(
                [{"result": [s.topic for s in session.subscriptions], "id": request_id}]
            )
        return WsInbound(
            [
                {
                    "error": {"code": 2, "msg": f"Invalid request: unknown method {method}"},
                    "id": request_id,
                }
            ]
        )

    def _parse_stream(self, stream: str) -> Subscription | None:
        market_id, _, channel = stream.partition("@")
        symbol = self.symbol_of(market_id.upper())
        if symbol is None:
            return None
        if channel in _TICKER_STYLES:
            return Subscription(stream, "ticker", symbol, _TICKER_STYLES[channel])
        if channel == "kline_1m":
            return Subscription(stream, "kline", symbol)
        if channel == "trade":
            return Subscription(stream, "trade", symbol)
        return None

    def wrap(self, session: WsSession, sub: Subscription, message: JsonValue) -> JsonValue:
        if session.path.startswith("/stream"):
            return {"stream": sub.topic, "data": message}
        return message

    def ticker_message(self, session: WsSession, sub: Subscription, ticker: Ticker24h) -> JsonValue:
        market_id = self.symbols[ticker.symbol]
        if sub.style == "miniTicker":
            return {
                "e": "24hrMiniTicker",
                "E": ticker.timestamp_ms,
                "s": market_id,
                "c": fmt(ticker.last),
                "o": fmt(ticker.open),
                "h": fmt(ticker.high),
                "l": fmt(ticker.low),
                "v": fmt(ticker.base_volume),
                "q": fmt(ticker.quote_volume),
            }
        return {
            "e": "24hrTicker",
            "E": ticker.timestamp_ms,
            "s": market_id,
            "p": fmt(ticker.change),
            "P": f"{ticker.percentage:.3f}",
            "w": fmt(
                ticker.quote_volume / ticker.base_volume if ticker.base_volume else ticker.last
            ),
            "x": fmt(ticker.open),
            "c": fmt(ticker.last),
            "Q": fmt(0.001),
            "b": fmt(ticker.bid),
            "B": fmt(1.0),
            "a": fmt(ticker.ask),
            "A": fmt(1.0),
            "o": fmt(ticker.open),
            "h": fmt(ticker.high),
            "l": fmt(ticker.low),
            "v": fmt(ticker.base_volume),
            "q": fmt(ticker.quote_volume),
            "O": ticker.timestamp_ms - DAY_MS,
            "C": ticker.timestamp_ms,
            "F": 1,
            "L": 1000,
            "n": 1000,
        }

    def kline_message(
        self, session: WsSession, sub: Subscription, bar: Bar, closed: bool
    ) -> JsonValue:
        market_id = self.symbols[sub.symbol]
        quote = bar.v * bar.c
        return {
            "e": "kline",
            "E": self.market.now_ms(),
            "s": market_id,
            "k": {
                "t": bar.open_ms,
                "T": bar.open_ms + CANDLE_MS - 1,
                "s": market_id,
                "i": "1m",
                "f": 1,
                "L": 100,
                "o": fmt(bar.o),
                "c": fmt(bar.c),
                "h": fmt(bar.h),
                "l": fmt(bar.l),
                "v": fmt(bar.v),
                "n": 100,
                "x": closed,
                "q": fmt(quote),
                "V": fmt(bar.v / 2),
                "Q": fmt(quote / 2),
                "B": "0",
            },
        }

    def trade_messages(self, session: WsSession, sub: Subscription, trades: list[Trade]) -> list[JsonValue]:
        """One ``trade`` event per trade, as binance's ``<symbol>@trade`` stream sends."""
        market_id = self.symbols[sub.symbol]
        now = self.market.now_ms()
        return [{"e": "trade", "E": now, "s": market_id, "t": t.trade_id, "p": fmt(t.price),
                 "q": fmt(t.amount), "T": t.time_ms, "m": False, "M": True} for t in trades]

    def strip_fields(self, sub: Subscription, message: JsonValue) -> JsonValue:
        """Keep only the event type and time: no ``s``, no values, no ``k``."""
        inner = message.get("data", message)
        stripped = {"e": inner["e"], "E": inner["E"]}
        return {"stream": message["stream"], "data": stripped} if "stream" in message else stripped
