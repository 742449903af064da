"""The fake exchange server: aiohttp on 127.0.0.1, its own thread and loop, fault injection.

Why: the app's crypto feed runs real ccxt.pro code, so its tests need something on the
other end of the socket that speaks each exchange's REST and WebSocket dialect with
prices a test knows in advance (``FakeMarket``) and that can misbehave on command
(drop, go silent, rate-limit, 5xx, malformed pushes, refuse ws, die and come back on the
same port). The server runs on a daemon thread with its own event loop so a test can
drive faults from its own thread while ccxt runs in another loop.

Every public method is thread-safe and blocks until done. Unknown paths answer 404 and
log a warning (and land in ``unknown_paths``) so new ccxt calls show up.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from .binance import BinanceDialect
from .bybit import BybitDialect
from .market import FakeMarket
from .okx import OkxDialect
from .protocol import Dialect, JsonValue, RestReply, Subscription, WsSession, log

__all__ = ["DIALECTS", "FakeExchange"]

DIALECTS: dict[str, Callable[[FakeMarket], Dialect]] = {
    "binance": BinanceDialect,
    "bybit": BybitDialect,
    "okx": OkxDialect,
}
MALFORMED_KINDS = ("json", "fields")
_REASONS = {
    418: "I'm a teapot",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


@dataclass
class _HttpFailure:
    status: int
    remaining: int | None
    until: float | None  # time.monotonic() deadline

    def active(self) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            return False
        return self.remaining is None or self.remaining > 0


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    request: web.Request
    session: WsSession

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (what a crash or cut cable does)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class FakeExchange:
    """A fake ``binance`` / ``bybit`` / ``okx`` spot exchange for real ccxt.pro clients."""

    def __init__(
        self,
        exchange: str,
        market: FakeMarket | None = None,
        *,
        push_interval_s: float = 0.05,
        port: int = 0,
    ) -> None:
        if exchange not in DIALECTS:
            raise ValueError(f"unknown exchange {exchange!r}; choose from {sorted(DIALECTS)}")
        self.exchange_id = exchange
        self.market = market if market is not None else FakeMarket()
        self.dialect = DIALECTS[exchange](self.market)
        self.push_interval_s = push_interval_s
        self._port = port
        self._lock = threading.Lock()  # guards recorded data and fault state (both threads)
        self._lifecycle = threading.Lock()  # serialises start()/stop(); never taken by the loop
        self._requests: list[tuple[str, dict[str, str]]] = []
        self._subscriptions: list[str] = []
        self._ws_frames: list[tuple[str, JsonValue]] = []
        self._unknown_paths: list[str] = []
        self._connections: set[_Connection] = set()
        self._connects_total = 0
        self._conn_ids = itertools.count(1)
        self._silent = False
        self._reject_ws = False
        self._malformed: tuple[int, str] = (0, "json")
        self._http_failure: _HttpFailure | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None

    # ================================================================ lifecycle

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the port is fixed by the first ``start()``)."""
        if not self._port:
            raise RuntimeError("start() the server first: the port is chosen on the first start")
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> FakeExchange:
        """Listen (again) on 127.0.0.1; after a ``stop()`` the same port is reused."""
        with self._lifecycle:
            if self.running:
                return self
            ready = threading.Event()
            failure: list[BaseException] = []
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=self._run,
                args=(loop, ready, failure),
                name=f"fake-{self.exchange_id}",
                daemon=True,
            )
            self._loop, self._thread = loop, thread
            thread.start()
            ready.wait(timeout=10)
            if failure or not ready.is_set():
                thread.join(timeout=5)
                self._loop = self._thread = None
                raise RuntimeError(f"fake {self.exchange_id} failed to start") from (
                    failure[0] if failure else None
                )
            return self

    def stop(self) -> None:
        """Close every ws connection abruptly, stop listening, join the thread."""
        with self._lifecycle:
            loop, thread, stop_event = self._loop, self._thread, self._stop_event
            if loop is None or thread is None or stop_event is None:
                return
            loop.call_soon_threadsafe(stop_event.set)
            thread.join(timeout=10)
            self._loop = self._thread = self._stop_event = None

    def __enter__(self) -> FakeExchange:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(
        self, loop: asyncio.AbstractEventLoop, ready: threading.Event, failure: list[BaseException]
    ) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as error:  # reported to start()
            failure.append(error)
            ready.set()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        self._stop_event = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self._port, reuse_address=True)
        try:
            await site.start()
            self._port = runner.addresses[0][1]  # the chosen port, kept for restarts
            ready.set()
            await self._stop_event.wait()
        finally:
            self._abort_all()
            await runner.cleanup()

    def _call(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` on the server loop and wait (directly when not running)."""
        loop = self._loop
        if loop is None or not self.running:
            return function()

        async def call() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=10)

    # ================================================================ observability

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """Every REST request so far, in order: ``(path, query_dict)``."""
        with self._lock:
            return list(self._requests)

    @property
    def subscriptions(self) -> list[str]:
        """Every topic subscribed so far (binance ``btcusdt@kline_1m``, bybit ``kline.1.BTCUSDT``,
        okx ``candle1m:BTC-USDT``), in order, repeats included (one per subscribe)."""
        with self._lock:
            return list(self._subscriptions)

    @property
    def ws_frames(self) -> list[tuple[str, JsonValue]]:
        """Every client ws text frame: ``(path, parsed JSON or raw text)``."""
        with self._lock:
            return list(self._ws_frames)

    @property
    def unknown_paths(self) -> list[str]:
        with self._lock:
            return list(self._unknown_paths)

    @property
    def ws_connections(self) -> int:
        """WebSocket connections open now."""
        with self._lock:
            return len(self._connections)

    @property
    def ws_connects_total(self) -> int:
        with self._lock:
            return self._connects_total

    def clear_log(self) -> None:
        """Forget recorded requests, frames and subscriptions (not the live state)."""
        with self._lock:
            self._requests.clear()
            self._subscriptions.clear()
            self._ws_frames.clear()
            self._unknown_paths.clear()

    def wait_until(self, predicate: Callable[[FakeExchange], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate(self)`` every 10 ms until true or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        return predicate(self)

    # ================================================================ faults

    def drop_websockets(self) -> None:
        """Cut every ws connection now (TCP abort, no close frame)."""
        self._call(self._abort_all)

    def go_silent(self) -> None:
        """Keep ws connections open and answer keep-alives, but push no data."""
        with self._lock:
            self._silent = True

    def resume(self) -> None:
        """End ``go_silent()``."""
        with self._lock:
            self._silent = False

    def fail_http(
        self, status: int, *, count: int | None = None, seconds: float | None = None
    ) -> None:
        """Answer REST requests with ``status`` for the next ``count`` requests or ``seconds``
        (both: whichever ends first; neither: until ``heal_http()``). 418/429 carry the
        exchange's real rate-limit body; 5xx an nginx HTML page (500: plain text)."""
        until = time.monotonic() + seconds if seconds is not None else None
        with self._lock:
            self._http_failure = _HttpFailure(status, count, until)

    def heal_http(self) -> None:
        with self._lock:
            self._http_failure = None

    def send_malformed(self, n: int, kind: str = "json") -> None:
        """Break the next ``n`` data pushes (over all connections).

        ``json``: truncated JSON text. ``fields``: valid JSON on the right channel with the
        instrument id and values removed — ccxt's handler raises (binance, okx, bybit
        klines) or drops it (bybit tickers); either way the pending ``watch_*`` never
        resolves, and after a raise ccxt stops reading that connection.
        """
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"kind must be one of {MALFORMED_KINDS}")
        with self._lock:
            self._malformed = (n, kind)

    def reject_websockets(self, reject: bool = True) -> None:
        """Refuse ws upgrades with HTTP 503 (REST keeps working)."""
        with self._lock:
            self._reject_ws = reject

    def clear_faults(self) -> None:
        """Undo silence, malformed pushes, ws rejection and HTTP failures."""
        with self._lock:
            self._silent = False
            self._reject_ws = False
            self._malformed = (0, "json")
            self._http_failure = None

    # ================================================================ ccxt convenience

    def ccxt_client(self, **config: Any) -> Any:
        """A ``ccxt.pro`` instance of this exchange pointed here (spot markets, no throttle).

        Create it inside the event loop that will use it; ``await client.close()`` after.
        """
        import ccxt.pro as ccxtpro

        from app.feeds.ccxt_urls import point_at

        options = {"fetchMarkets": {"types": ["spot"]}}
        options.update(config.pop("options", {}))
        client = getattr(ccxtpro, self.exchange_id)(
            {"enableRateLimit": False, "options": options, **config}
        )
        point_at(client, self.base_url)
        return client

    # ================================================================ HTTP

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        return self._rest(request)

    def _rest(self, request: web.Request) -> web.Response:
        path, query = request.path, dict(request.query)
        with self._lock:
            self._requests.append((path, query))
            failure = self._http_failure
            if failure is not None and not failure.active():
                failure = self._http_failure = None
            if failure is not None and failure.remaining is not None:
                failure.remaining -= 1
        if failure is not None:
            reply = self.dialect.error_reply(failure.status, _REASONS.get(failure.status, "Error"))
        else:
            reply = self._answer(request.method, path, query)
        return web.Response(status=reply.status, text=reply.text(), content_type=reply.content_type)

    def _answer(self, method: str, path: str, query: dict[str, str]) -> RestReply:
        reply = self.dialect.rest(path, query) if method in ("GET", "HEAD") else None
        if reply is None:
            log.warning("fake %s: unknown %s %s %s -> 404", self.exchange_id, method, path, query)
            with self._lock:
                self._unknown_paths.append(path)
            return RestReply(404, f"404 Not Found: {path}", "text/plain")
        return reply

    # ================================================================ WebSocket

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            rejecting = self._reject_ws
        if rejecting:
            return web.Response(status=503, text=_REASONS[503], content_type="text/plain")
        if not self.dialect.ws_accepts(request.path):
            log.warning("fake %s: unknown ws path %s -> 404", self.exchange_id, request.path)
            with self._lock:
                self._unknown_paths.append(request.path)
            return web.Response(status=404, text="404 Not Found", content_type="text/plain")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = _Connection(
            ws, request, WsSession(request.path, f"fake-{next(self._conn_ids):06d}")
        )
        with self._lock:
            self._connections.add(connection)
            self._connects_total += 1
        pusher = asyncio.ensure_future(self._push_loop(connection))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_text(connection, message.data)
        except ConnectionError:
            pass
        finally:
            pusher.cancel()
            with self._lock:
                self._connections.discard(connection)
        return ws

    async def _on_text(self, connection: _Connection, text: str) -> None:
        try:
            frame: JsonValue = json.loads(text)
        except ValueError:
            frame = text
        inbound = self.dialect.on_ws_text(connection.session, text)
        with self._lock:
            self._ws_frames.append((connection.session.path, frame))
            self._subscriptions.extend(inbound.subscribed)
        for reply in inbound.replies:
            await connection.ws.send_str(reply if isinstance(reply, str) else json.dumps(reply))

    def _abort_all(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.abort()

    async def _push_loop(self, connection: _Connection) -> None:
        """Every ``push_interval_s``: each subscription's update(s), unless silent."""
        try:
            while not connection.ws.closed:
                await asyncio.sleep(self.push_interval_s)
                for sub in list(connection.session.subscriptions):
                    for message in self._updates(connection.session, sub):
                        text = self._encode(sub, message)
                        if text is not None:
                            await connection.ws.send_str(text)
        except (ConnectionError, RuntimeError):
            return  # the connection went away mid-send
        except Exception:
            log.exception(
                "fake %s: push loop failed on %s", self.exchange_id, connection.session.path
            )

    def _updates(self, session: WsSession, sub: Subscription) -> list[JsonValue]:
        """Messages for one tick; a kline that just ended first gets its final values."""
        dialect = self.dialect
        if sub.kind == "ticker":
            messages = [dialect.ticker_message(session, sub, self.market.ticker(sub.symbol))]
        elif sub.kind == "trade":  # like an exchange: only trades after the subscription
            now = self.market.now_ms()
            since = sub.last_trade_ms if sub.last_trade_ms is not None else now
            trades = self.market.trades(sub.symbol, since, now)
            sub.last_trade_ms = now
            messages = dialect.trade_messages(session, sub, trades) if trades else []
        else:
            live = self.market.forming(sub.symbol)
            messages = []
            if sub.last_open_ms is not None and live.open_ms > sub.last_open_ms:
                final = self.market.recorded(sub.symbol, sub.last_open_ms)
                messages.append(dialect.kline_message(session, sub, final, True))
            messages.append(dialect.kline_message(session, sub, live, False))
            sub.last_open_ms = live.open_ms
        return [dialect.wrap(session, sub, message) for message in messages]

    def _encode(self, sub: Subscription, message: JsonValue) -> str | None:
        """The push as sent: ``None`` while silent, broken while malformed pushes remain."""
        with self._lock:
            if self._silent:
                return None
            remaining, kind = self._malformed
            if remaining > 0:
                self._malformed = (remaining - 1, kind)
        if remaining <= 0:
            return json.dumps(message)
        if kind == "json":
            text = json.dumps(message)
            return text[: max(2, len(text) // 2)]
        return json.dumps(self.dialect.strip_fields(sub, message))
