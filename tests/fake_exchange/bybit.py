"""Bybit v5 spot dialect: ``/v5/market/*`` REST and the ``/v5/public/spot`` stream.

Bodies use the v5 envelope ``{"retCode", "retMsg", "result", "retExtInfo", "time"}`` with
field sets from real responses (``shared/data/ccxt/bybit.response.marketdata.json``) and
the spot ws payload examples in ``ccxt/pro/bybit.py`` (``handle_ticker``, ``handle_ohlcv``).
Klines come newest first, as Bybit sends them; with ``start`` the earliest ``limit`` rows
from ``start`` are returned (the row containing ``start`` first), so ccxt's
``since``-paging walks forward.

Keep-alive: ccxt sends ``{"op": "ping", "req_id": …}`` every 18 s and expects a pong
frame; we answer in the spot format ``{"success": true, "ret_msg": "pong", "op": "ping"}``.
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
    log,
    query_int,
    trim,
)


class BybitDialect(Dialect):
    name = "bybit"
    symbols = {"BTC/USDT": "BTCUSDT", "ETH/USDT": "ETHUSDT"}

    # ---------------------------------------------------------------- REST

    def rest(self, path: str, query: Mapping[str, str]) -> RestReply | None:
        routes = {
            "/v5/market/instruments-info": self._instruments,
            "/v5/market/time": self._time,
            "/v5/system/status": lambda q: RestReply(200, self._envelope({"list": []})),
            "/v5/market/tickers": self._tickers,
            "/v5/market/kline": self._klines,
        }
        handler = routes.get(path)
        return handler(query) if handler else None

    def _envelope(
        self, result: JsonValue, code: int = 0, message: str = "OK"
    ) -> dict[str, JsonValue]:
        return {
            "retCode": code,
            "retMsg": message,
            "result": result,
            "retExtInfo": {},
            "time": self.market.now_ms(),
        }

    def rate_limit_body(self) -> JsonValue:
        return self._envelope({}, 10006, "Too many visits. Exceeded the API Rate Limit.")

    def _params_error(self, message: str) -> RestReply:
        return RestReply(200, self._envelope({}, 10001, message))

    def _instruments(self, query: Mapping[str, str]) -> RestReply:
        category = query.get("category", "spot")
        rows = (
            market_infos("bybit", list(self.symbols))
            if category == "spot" and "status" not in query
            else []
        )
        return RestReply(
            200, self._envelope({"category": category, "list": rows, "nextPageCursor": ""})
        )

    def _time(self, query: Mapping[str, str]) -> RestReply:
        now = self.market.now_ms()
        return RestReply(
            200, self._envelope({"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)})
        )

    def _tickers(self, query: Mapping[str, str]) -> RestReply:
        if query.get("category") != "spot":
            return RestReply(
                200, self._envelope({"category": query.get("category", ""), "list": []})
            )
        if "symbol" in query:
            symbol = self.symbol_of(query["symbol"])
            if symbol is None:
                return self._params_error("Not supported symbols")
            symbols = [symbol]
        else:
            symbols = list(self.symbols)
        rows = [self._ticker_body(self.market.ticker(s), rest=True) for s in symbols]
        return RestReply(200, self._envelope({"category": "spot", "list": rows}))

    def _ticker_body(self, t: Ticker24h, *, rest: bool) -> dict[str, JsonValue]:
        """REST spot tickers carry bid/ask; the spot ws ticker does not (as on Bybit)."""
        body: dict[str, JsonValue] = {"symbol": self.symbols[t.symbol]}
        if rest:
            body.update(
                {
                    "bid1Price": trim(t.bid),
                    "bid1Size": "1",
                    "ask1Price": trim(t.ask),
                    "ask1Size": "1",
                }
            )
        body.update(
            {
                "lastPrice": trim(t.last),
                "prevPrice24h": trim(t.open),
                "price24hPcnt": trim(round(t.percentage / 100, 4)),
                "highPrice24h": trim(t.high),
                "lowPrice24h": trim(t.low),
                "turnover24h": trim(t.quote_volume),
                "volume24h": trim(t.base_volume),
                "usdIndexPrice": trim(t.last),
            }
        )
        return body

    def _klines(self, query: Mapping[str, str]) -> RestReply:
        symbol = self.symbol_of(query.get("symbol"))
        if symbol is None:
            return self._params_error("Not supported symbols")
        if query.get("interval") != "1":
            return self._params_error("Invalid period!")
        limit = min(query_int(query, "limit") or 200, 1000)
        start, end = query_int(query, "start"), query_int(query, "end")
        if start is not None:  # the candle containing `start` comes first
            start = start - (start - self.market.first_open_ms) % CANDLE_MS
        rows = self.select_klines(symbol, start, end, limit, from_start=start is not None)
        body = {
            "symbol": self.symbols[symbol],
            "category": "spot",
            "list": [self._kline_row(b) for b in reversed(rows)],
        }
        return RestReply(200, self._envelope(body))

    @staticmethod
    def _kline_row(bar: Bar) -> list[str]:
        return [
            str(bar.open_ms),
            trim(bar.o),
            trim(bar.h),
            trim(bar.l),
            trim(bar.c),
            trim(bar.v),
            trim(bar.v * bar.c),
        ]

    # ---------------------------------------------------------------- websocket

    def ws_accepts(self, path: str) -> bool:
        return path.startswith("/v5/public/")

    def on_ws_text(self, session: WsSession, text: str) -> WsInbound:
        try:
            frame = json.loads(text)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            return WsInbound(
                [
                    {
                        "success": False,
                        "ret_msg": "error:invalid op",
                        "conn_id": session.conn_id,
                        "op": "",
                    }
                ]
            )
        req_id = frame.get("req_id", "")
        if op == "ping":
            return WsInbound(
                [
                    {
                        "success": True,
                        "ret_msg": "pong",
                        "conn_id": session.conn_id,
                        "req_id": req_id,
                        "op": "ping",
                    }
                ]
            )
        if op == "subscribe":
            return self._subscribe(session, frame.get("args") or [], req_id)
        if op == "unsubscribe":
            for topic in frame.get("args") or []:
                session.remove(topic)
            return WsInbound([self._ack(session, "unsubscribe", req_id)])
        return WsInbound(
            [
                {
                    "success": False,
                    "ret_msg": f"error:invalid op {op}",
                    "conn_id": session.conn_id,
                    "req_id": req_id,
                    "op": op,
                }
            ]
        )

    def _ack(
        self, session: WsSession, op: str, req_id: str, success: bool = True, message: str = ""
    ) -> JsonValue:
        return {
            "success": success,
            "ret_msg": message or op,
            "conn_id": session.conn_id,
            "req_id": req_id,
            "op": op,
        }

    def _subscribe(self, session: WsSession, topics: list[str], req_id: str) -> WsInbound:
        bad = []
        for topic in topics:
            sub = self._parse_topic(topic)
            if sub is None:
                log.warning("bybit: unsupported topic %r", topic)
                bad.append(topic)
            else:
                session.add(sub)
        if bad:
            return WsInbound(
                [self._ack(session, "subscribe", req_id, False, f"Invalid topic :{bad}")], topics
            )
        return WsInbound([self._ack(session, "subscribe", req_id)], topics)

    def _parse_topic(self, topic: str) -> Subscription | None:
        parts = topic.split(".")
        symbol = self.symbol_of(parts[-1])
        if symbol is None:
            return None
        if parts[0] == "tickers" and len(parts) == 2:
            return Subscription(topic, "ticker", symbol)
        if parts[0] == "kline" and len(parts) == 3 and parts[1] == "1":
            return Subscription(topic, "kline", symbol)
        if parts[0] == "publicTrade" and len(parts) == 2:
            return Subscription(topic, "trade", symbol)
        return None

    def ticker_message(self, session: WsSession, sub: Subscription, ticker: Ticker24h) -> JsonValue:
        return {
            "topic": sub.topic,
            "ts": ticker.timestamp_ms,
            "type": "snapshot",
            "cs": ticker.timestamp_ms,
            "data": self._ticker_body(ticker, rest=False),
        }

    def kline_message(
        self, session: WsSession, sub: Subscription, bar: Bar, closed: bool
    ) -> JsonValue:
        now = self.market.now_ms()
        return {
            "topic": sub.topic,
            "data": [
                {
                    "start": bar.open_ms,
                    "end": bar.open_ms + CANDLE_MS - 1,
                    "interval": "1",
                    "open": trim(bar.o),
                    "close": trim(bar.c),
                    "high": trim(bar.h),
                    "low": trim(bar.l),
                    "volume": trim(bar.v),
                    "turnover": trim(bar.v * bar.c),
                    "confirm": closed,
                    "timestamp": now,
                }
            ],
            "ts": now,
            "type": "snapshot",
        }

    def trade_messages(self, session: WsSession, sub: Subscription, trades: list[Trade]) -> list[JsonValue]:
        """One ``publicTrade.<id>`` push carrying the new trades."""
        market_id = self.symbols[sub.symbol]
        now = self.market.now_ms()
        data = [{"T": t.time_ms, "s": market_id, "S": "Buy", "v": trim(t.amount), "p": trim(t.price),
                 "L": "PlusTick", "i": f"fake-{t.trade_id}", "BT": False} for t in trades]
        return [{"topic": sub.topic, "type": "snapshot", "ts": now, "data": data}]

    def strip_fields(self, sub: Subscription, message: JsonValue) -> JsonValue:
        """Drop the symbol and values. ccxt silently ignores such a ticker; for a kline the
        symbol lives in the topic, so the topic loses its id part and ccxt's handler raises."""
        if sub.kind == "ticker":
            return {"topic": message["topic"], "ts": message["ts"], "type": "snapshot", "data": {}}
        if sub.kind == "trade":
            return {"topic": "publicTrade.", "data": [{}], "ts": message["ts"], "type": "snapshot"}
        return {"topic": "kline.1.", "data": [{}], "ts": message["ts"], "type": "snapshot"}
