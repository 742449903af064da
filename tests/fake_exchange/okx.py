"""OKX v5 spot dialect: ``/api/v5`` REST and the ``/ws/v5/public`` + ``/ws/v5/business`` streams.

Bodies use ``{"code": "0", "msg": "", "data": [...]}`` with field sets from real responses
(``shared/data/ccxt/okx.response.marketdata.json``) and the ws payload examples in
``ccxt/pro/okx.py``. Candles come newest first; ``after`` / ``before`` are exclusive
bounds (older than / newer than), and ``/market/candles`` and ``/market/history-candles``
serve the same rows (ccxt picks history for ``since`` older than 1439 candles by *wall*
time, which an accelerated clock would otherwise confuse).

As on OKX, ``candle*`` channels are only served on ``/business`` and ``tickers`` only on
``/public`` (error 60018 otherwise). Keep-alive: the client sends the text ``ping`` and
expects ``pong``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .fixtures import market_infos
from .market import Bar, Ticker24h, Trade
from .protocol import (
    Dialect,
    JsonValue,
    RestReply,
    Subscription,
    WsInbound,
    WsSession,
    log,
    query_int,
    trim,
)

_CANDLE_CHANNEL = "candle1m"


class OkxDialect(Dialect):
    name = "okx"
    symbols = {"BTC/USDT": "BTC-USDT", "ETH/USDT": "ETH-USDT"}

    # ---------------------------------------------------------------- REST

    def rest(self, path: str, query: Mapping[str, str]) -> RestReply | None:
        routes = {
            "/api/v5/public/instruments": self._instruments,
            "/api/v5/public/time": lambda q: self._ok([{"ts": str(self.market.now_ms())}]),
            "/api/v5/system/status": lambda q: self._ok([]),
            "/api/v5/market/ticker": self._ticker,
            "/api/v5/market/tickers": self._tickers,
            "/api/v5/market/candles": self._candles,
            "/api/v5/market/history-candles": self._candles,
        }
        handler = routes.get(path)
        return handler(query) if handler else None

    @staticmethod
    def _ok(data: list[JsonValue]) -> RestReply:
        return RestReply(200, {"code": "0", "msg": "", "data": data})

    @staticmethod
    def _error(code: str, message: str, status: int = 200) -> RestReply:
        return RestReply(status, {"code": code, "msg": message, "data": []})

    def rate_limit_body(self) -> JsonValue:
        return {"msg": "Too Many Requests", "code": "50011"}

    def _instruments(self, query: Mapping[str, str]) -> RestReply:
        if query.get("instType") != "SPOT":
            return self._ok([])
        return self._ok(market_infos("okx", list(self.symbols)))

    def _ticker(self, query: Mapping[str, str]) -> RestReply:
        symbol = self.symbol_of(query.get("instId"))
        if symbol is None:
            return self._error("51001", "Instrument ID does not exist")
        return self._ok([self._ticker_body(self.market.ticker(symbol))])

    def _tickers(self, query: Mapping[str, str]) -> RestReply:
        if query.get("instType") != "SPOT":
            return self._ok([])
        return self._ok([self._ticker_body(self.market.ticker(s)) for s in self.symbols])

    def _ticker_body(self, t: Ticker24h) -> dict[str, JsonValue]:
        return {
            "instType": "SPOT",
            "instId": self.symbols[t.symbol],
            "last": trim(t.last),
            "lastSz": "0.001",
            "askPx": trim(t.ask),
            "askSz": "1",
            "bidPx": trim(t.bid),
            "bidSz": "1",
            "open24h": trim(t.open),
            "high24h": trim(t.high),
            "low24h": trim(t.low),
            "volCcy24h": trim(t.quote_volume),
            "vol24h": trim(t.base_volume),
            "ts": str(t.timestamp_ms),
            "sodUtc0": trim(t.open),
            "sodUtc8": trim(t.open),
        }

    def _candles(self, query: Mapping[str, str]) -> RestReply:
        symbol = self.symbol_of(query.get("instId"))
        if symbol is None:
            return self._error("51001", "Instrument ID does not exist")
        if query.get("bar", "1m") != "1m":
            return self._error("51000", "Parameter bar error")
        limit = min(query_int(query, "limit") or 100, 300)
        after, before = query_int(query, "after"), query_int(query, "before")
        start = before + 1 if before is not None else None  # newer than `before`
        end = after - 1 if after is not None else None  # older than `after`
        forming_open = self.market.forming_open_ms()  # rows opening before it are confirmed
        rows = self.select_klines(symbol, start, end, limit, from_start=False)
        return self._ok(
            [self._candle_row(bar, bar.open_ms < forming_open) for bar in reversed(rows)]
        )

    @staticmethod
    def _candle_row(bar: Bar, confirmed: bool) -> list[str]:
        """``[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`` (spot: vol = base)."""
        quote = trim(bar.v * bar.c)
        return [
            str(bar.open_ms),
            trim(bar.o),
            trim(bar.h),
            trim(bar.l),
            trim(bar.c),
            trim(bar.v),
            quote,
            quote,
            "1" if confirmed else "0",
        ]

    # ---------------------------------------------------------------- websocket

    def ws_accepts(self, path: str) -> bool:
        return path in ("/ws/v5/public", "/ws/v5/business")

    def on_ws_text(self, session: WsSession, text: str) -> WsInbound:
        if text == "ping":
            return WsInbound(["pong"])
        try:
            frame = json.loads(text)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            return WsInbound([self._ws_error(session, "60012", f"Illegal request: {text}")])
        if op == "subscribe":
            return self._subscribe(session, frame)
        if op == "unsubscribe":
            replies = []
            for arg in frame.get("args") or []:
                session.remove(self._topic(arg))
                replies.append({"event": "unsubscribe", "arg": arg, "connId": session.conn_id})
            return WsInbound(replies)
        return WsInbound([self._ws_error(session, "60012", f"Illegal request: {text}")])

    @staticmethod
    def _ws_error(session: WsSession, code: str, message: str) -> JsonValue:
        return {"event": "error", "code": code, "msg": message, "connId": session.conn_id}

    @staticmethod
    def _topic(arg: Mapping[str, str]) -> str:
        return f"{arg.get('channel')}:{arg.get('instId')}"

    def _subscribe(self, session: WsSession, frame: Mapping[str, JsonValue]) -> WsInbound:
        replies: list[JsonValue] = []
        topics: list[str] = []
        business = session.path.endswith("/business")
        for arg in frame.get("args") or []:
            channel, symbol = arg.get("channel"), self.symbol_of(arg.get("instId"))
            topic = self._topic(arg)
            topics.append(topic)
            wanted = {
                "tickers": (not business, "ticker"),
                "trades": (not business, "trade"),
                _CANDLE_CHANNEL: (business, "kline"),
            }.get(channel)
            if symbol is None or wanted is None or not wanted[0]:
                log.warning("okx: cannot subscribe %s on %s", topic, session.path)
                replies.append(
                    self._ws_error(
                        session,
                        "60018",
                        f"Wrong URL or channel:{channel},instId:{arg.get('instId')} doesn't exist. "
                        "Please use the correct URL, channel and parameters referring to API document.",
                    )
                )
                continue
            session.add(Subscription(topic, wanted[1], symbol, channel))
            reply: dict[str, JsonValue] = {
                "event": "subscribe",
                "arg": arg,
                "connId": session.conn_id,
            }
            if "id" in frame:
                reply["id"] = frame["id"]
            replies.append(reply)
        return WsInbound(replies, topics)

    def _arg(self, sub: Subscription) -> dict[str, str]:
        return {"channel": sub.style, "instId": self.symbols[sub.symbol]}

    def ticker_message(self, session: WsSession, sub: Subscription, ticker: Ticker24h) -> JsonValue:
        return {"arg": self._arg(sub), "data": [self._ticker_body(ticker)]}

    def kline_message(
        self, session: WsSession, sub: Subscription, bar: Bar, closed: bool
    ) -> JsonValue:
        return {"arg": self._arg(sub), "data": [self._candle_row(bar, closed)]}

    def trade_messages(self, session: WsSession, sub: Subscription, trades: list[Trade]) -> list[JsonValue]:
        """One ``trades`` push with the new trades (okx sends them newest first)."""
        market_id = self.symbols[sub.symbol]
        data = [{"instId": market_id, "tradeId": str(t.trade_id), "px": trim(t.price),
                 "sz": trim(t.amount), "side": "buy", "ts": str(t.time_ms), "count": "1"}
                for t in reversed(trades)]
        return [{"arg": self._arg(sub), "data": data}]

    def strip_fields(self, sub: Subscription, message: JsonValue) -> JsonValue:
        """Same channel, no ``instId``, empty rows: ccxt's handler raises (TypeError)."""
        empty: JsonValue = {} if sub.kind == "ticker" else []
        return {"arg": {"channel": sub.style}, "data": [empty]}
