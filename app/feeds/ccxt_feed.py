"""Live crypto prices through ccxt: websocket streams, REST fallback, reconnects, history.

The path of a price: a ``watch_trades`` / ``watch_tickers`` answer on this feed's own
asyncio loop (its own thread, never the GUI's) → ``ccxt_convert`` → a buffer flushed every
``flush_s`` as one batch → ``FeedOutput.publish`` (the bridge: validation, bars, Qt
signals). Every public trade becomes a print, so bars, volume and every wick are exact
and a stop is judged on each traded price, not on a once-a-second snapshot. A large
symbol set (a whole exchange) uses the ticker stream; REST polling of ``fetch_tickers``
stands in when the exchange has no websocket API or websockets keep failing.

States (shown in the health view): connecting → backfilling → live → stale → reconnecting
→ (backfilling → live) | stopped. Faults and what happens:

* Every ``watch_*`` answer is awaited with a timeout, and a watchdog declares the feed
  stale when no stream has delivered anything for ``silence_s`` (a dropped socket that
  nobody closed, a malformed message that left ccxt's future pending forever).
* Retryable errors (ccxt's ``NetworkError`` family, our timeouts) close the exchange and
  reconnect after an exponential, jittered, capped backoff (``reconnect.Backoff``); the
  attempt and the time of the next try are in the state's detail.
* A symbol the exchange refuses (``BadSymbol``, another per-symbol ``ExchangeError``)
  stops alone with a message; bad keys or an unsupported exchange stop the feed.
* Minutes missed while disconnected are found by the bridge's gap tracker and fetched
  through ``backfill`` (REST ``fetch_ohlcv``), which waits for the connection to return;
  after a reconnect the feed serves those requests before it resumes streaming, so the
  rules see the outage's bars (marked as backfill) before newer live prices.

Qt-free: talks to the app through ``FeedOutput``; ccxt is imported on the feed thread
(it takes seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import math
import sys
import threading
import time as _time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from app.core.models import Bar
from app.feeds.base import Instrument
from app.feeds.ccxt_convert import (
    TradeMark,
    closed_bars,
    new_trades,
    ohlcv_to_bars,
    ticker_to_raw,
    trades_to_raw,
)
from app.feeds.ccxt_urls import normalise_address, point_at
from app.feeds.credentials import ApiKeys
from app.feeds.reconnect import Backoff, ErrorKind, classify_error, describe_error
from app.market.quality import RawBatch
from app.market.quality_types import RawTick

log = logging.getLogger(__name__)

__all__ = ["available_exchange_ids", "CcxtFeed", "ExchangeConfig", "FeedOutput", "FeedSilent", "LiveMode"]

LiveMode = Literal["auto", "trades", "tickers", "polling"]
_MODES = ("auto", "trades", "tickers", "polling")
_MINUTE_MS = 60_000
#: More symbols than this stream tickers instead of every trade (a whole exchange).
TRADES_MAX_SYMBOLS = 100
#: ``fetch_ohlcv`` page size when the exchange's ``features`` do not say.
DEFAULT_PAGE = 200


class FeedSilent(TimeoutError):
    """No stream delivered anything for longer than the feed's ``silence_s``."""


class FeedOutput(Protocol):
    """Where a feed's results go (``app.feeds.bridge.FeedBridge``); called on the feed thread."""

    def publish(self, ticks: Sequence[RawTick] | RawBatch) -> None: ...
    def publish_error(self, exc: BaseException | str) -> None: ...
    def publish_state(self, state: str, detail: str = "", *, attempt: int = 0,
                      retry_at: float | None = None) -> None: ...
    def publish_alive(self) -> None: ...
    def publish_markets(self, symbols: list[str]) -> None: ...
    def publish_instrument(self, instrument: Instrument, history: list[Bar]) -> None: ...
    def publish_symbol_failed(self, symbol: str, message: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ExchangeConfig:
    """One ccxt exchange as the trader configured it.

    ``address``: '' = the exchange's own servers; else ``http://host:port`` of a local
    test exchange or proxy (every REST and websocket URL is pointed there). Timeouts are
    seconds. ``poll_s`` is the REST polling interval when websockets are not used.
    """

    exchange_id: str
    symbols: tuple[str, ...] = ()
    market_type: str = "spot"
    address: str = ""
    history_bars: int = 500
    live: LiveMode = "auto"
    watch_timeout_s: float = 30.0
    silence_s: float = 30.0
    quiet_check_s: float = 10.0  # a trades stream this quiet is checked over REST
    request_timeout_s: float = 15.0
    flush_s: float = 0.1
    poll_s: float = 2.0
    ws_failures_before_polling: int = 3
    polling_before_ws_retry_s: float = 300.0
    backfill_wait_s: float = 600.0
    rate_limit: bool = True
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self) -> None:
        if not self.exchange_id or not self.exchange_id.replace("_", "").isalnum():
            raise ValueError(f"exchange_id must be a ccxt id such as 'binance', got {self.exchange_id!r}")
        if self.market_type not in ("spot", "swap"):
            raise ValueError(f"market_type must be 'spot' or 'swap', got {self.market_type!r}")
        if self.live not in _MODES:
            raise ValueError(f"live must be one of {_MODES}, got {self.live!r}")
        if self.address:
            normalise_address(self.address)  # raises InvalidAddress with the reason
        if not 1 <= self.history_bars <= 20_000:
            raise ValueError(f"history_bars must be 1..20000, got {self.history_bars}")
        for name in ("watch_timeout_s", "silence_s", "quiet_check_s", "request_timeout_s",
                     "flush_s", "poll_s",
                     "polling_before_ws_retry_s", "backfill_wait_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")


@dataclass(slots=True)
class _Symbol:
    status: str = "pending"  # pending → live | failed
    message: str = ""
    history: list[Bar] = field(default_factory=list)
    instrument: Instrument | None = None


def available_exchange_ids() -> list[str]:
    """Every exchange id ccxt ships (== ``ccxt.exchanges``), read from the package folder
    without importing ccxt, which takes seconds: safe to call on the GUI thread."""
    loaded = sys.modules.get("ccxt")
    if loaded is not None and hasattr(loaded, "exchanges"):
        return sorted(loaded.exchanges)
    spec = importlib.util.find_spec("ccxt")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "async_support"
    return sorted(f.stem for f in folder.glob("*.py") if not f.name.startswith("_"))


def _make_exchange(config: ExchangeConfig, keys: ApiKeys | None, markets: Any) -> Any:
    """A fresh ``ccxt.pro`` instance (ccxt's own REST-only class when it has no pro one)."""
    import ccxt
    import ccxt.pro as ccxtpro

    cls = getattr(ccxtpro, config.exchange_id, None) or getattr(
        ccxt.async_support, config.exchange_id, None)
    if cls is None:
        raise ccxt.NotSupported(f"ccxt has no exchange called {config.exchange_id!r}")
    options: dict[str, Any] = {
        "enableRateLimit": config.rate_limit,
        "timeout": int(config.request_timeout_s * 1000),
        "options": {"fetchMarkets": {"types": [config.market_type]},
                    "defaultType": config.market_type},
    }
    if keys is not None:
        options.update(apiKey=keys.api_key, secret=keys.secret)
        if keys.password:
            options["password"] = keys.password
    exchange = cls(options)
    if config.address:
        point_at(exchange, config.address)
    if markets is not None:
        exchange.set_markets(markets[0], markets[1])
    return exchange


#: ccxt's ``precisionMode`` values (``ccxt.DECIMAL_PLACES``, ``ccxt.TICK_SIZE``), kept so this
#: module needs no ccxt import: prices given as a count of decimals, or as a tick size.
DECIMAL_PLACES = 2
TICK_SIZE = 4


def price_decimals(precision: object, mode: object) -> int:
    """Decimals to show for a market's ``precision['price']``: 0.01 or 0.25 → 2 in tick-size
    mode, 2 → 2 in decimal-places mode; 2 when the market does not say."""
    try:
        value = float(precision)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 2
    if not math.isfinite(value) or value <= 0:
        return 2
    if mode == DECIMAL_PLACES:
        return max(0, min(12, int(value)))
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, min(12, -int(exponent)))


class CcxtFeed:
    """One exchange's live prices for a changing set of symbols, on a worker thread.

    ``clock()`` is the feed's "now" in epoch seconds (the wall clock; a test exchange
    that runs its market faster passes its own). Thread-safe public methods.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        output: FeedOutput,
        *,
        keys: ApiKeys | None = None,
        load_keys: Callable[[], ApiKeys | None] | None = None,
        clock: Callable[[], float] = _time.time,
    ) -> None:
        """``load_keys`` reads the API keys on the feed thread when it starts: an OS
        keyring may block (a locked keychain asks its user) and must not hold the GUI."""
        self.config = config
        self._output = output
        self._keys = keys
        self._load_keys = load_keys
        self._now = clock
        self._symbols: dict[str, _Symbol] = {s: _Symbol() for s in dict.fromkeys(config.symbols)}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main_task: asyncio.Task | None = None
        self._exchange: Any = None
        self._markets: Any = None  # (markets, currencies) after the first load
        self._market_symbols: list[str] = []
        self._changed: asyncio.Event | None = None
        self._connected = threading.Event()  # REST usable: backfills may run
        self._backfills_waiting = 0
        self._buffer: list[RawTick] = []
        self._last_trade_ms: dict[str, int] = {}  # per symbol: newest trade streamed
        self._trade_marks: dict[str, TradeMark] = {}  # per symbol: what was handed on
        self._last_data = _time.monotonic()
        self._attempt = 0
        self._ws_failures = 0
        self._polling_until = 0.0
        self._ticks_sent = 0
        self._errors = 0
        self._stop_reason = ""
        self.state = "stopped"
        self.mode = ""

    # ------------------------------------------------------------------ public API
    def clock(self, _symbol: str = "") -> float:
        return float(self._now())

    def instruments(self) -> list[Instrument]:
        with self._lock:
            return [s.instrument for s in self._symbols.values() if s.instrument is not None]

    def history(self, symbol: str) -> list[Bar]:
        with self._lock:
            entry = self._symbols.get(symbol)
            return list(entry.history) if entry is not None else []

    def symbols(self) -> list[str]:
        """The symbols the trader asked for (including failed ones)."""
        with self._lock:
            return list(self._symbols)

    def symbol_status(self, symbol: str) -> tuple[str, str]:
        with self._lock:
            entry = self._symbols.get(symbol)
            return (entry.status, entry.message) if entry is not None else ("unknown", "")

    def market_symbols(self) -> list[str]:
        """Every symbol of the configured market type (after markets loaded), for search."""
        with self._lock:
            return list(self._market_symbols)

    @property
    def ticks_sent(self) -> int:
        return self._ticks_sent

    @property
    def error_count(self) -> int:
        return self._errors

    @property
    def is_running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def add_symbol(self, symbol: str) -> None:
        """Start streaming ``symbol`` (history first); a no-op if it is already there."""
        symbol = symbol.strip()
        if not symbol:
            return
        with self._lock:
            if symbol in self._symbols and self._symbols[symbol].status != "failed":
                return
            self._symbols[symbol] = _Symbol()
        self._poke()

    def remove_symbol(self, symbol: str) -> None:
        with self._lock:
            self._symbols.pop(symbol, None)
        self._poke()

    def start(self) -> None:
        if self.is_running:
            raise RuntimeError("CcxtFeed is already running")
        self._thread = threading.Thread(target=self._thread_main, name=f"ccxt-{self.config.exchange_id}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel the streams, close the exchange (ccxt needs it), join the thread."""
        loop, task, thread = self._loop, self._main_task, self._thread
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("ccxt feed thread did not stop within %.0f s", timeout)
                return
        self._thread = None

    def backfill(self, symbol: str, start: datetime, end: datetime) -> list[Bar]:
        """Closed 1-minute bars of ``symbol`` starting in [start, end), from REST.

        Called on the bridge's backfill thread. While the exchange is unreachable it waits
        (up to ``backfill_wait_s``) for the reconnect, so an outage's minutes are fetched
        once the exchange answers again instead of being given up.
        """
        deadline = _time.monotonic() + self.config.backfill_wait_s
        with self._lock:
            self._backfills_waiting += 1
        try:
            for attempt in range(1, 10_000):
                try:
                    bars = self._fetch_when_connected(symbol, start, end, deadline)
                    break
                except Exception as exc:  # a blip, or the reconnect is under way: try again
                    kind = classify_error(exc, per_symbol=True)
                    if kind is ErrorKind.SYMBOL or kind is ErrorKind.FATAL \
                            or _time.monotonic() > deadline or not self.is_running:
                        raise
                    log.info("backfill of %s waits for the exchange: %s", symbol,
                             describe_error(exc))
                    _time.sleep(self.config.backoff.delay(attempt, kind))
            first, last = start.timestamp(), end.timestamp()
            return [b for b in closed_bars(bars, self.clock())
                    if first <= b.time.timestamp() < last]
        finally:
            with self._lock:
                self._backfills_waiting -= 1

    def _fetch_when_connected(self, symbol: str, start: datetime, end: datetime,
                              deadline: float) -> list[Bar]:
        if not self._connected.wait(max(0.0, deadline - _time.monotonic())):
            raise TimeoutError(f"{self.config.exchange_id} did not reconnect within "
                               f"{self.config.backfill_wait_s:.0f} s")
        loop = self._loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the feed is stopped")
        future = asyncio.run_coroutine_threadsafe(
            self._fetch_bars(symbol, int(start.timestamp() * 1000), int(end.timestamp() * 1000)),
            loop)
        return future.result(self.config.request_timeout_s * 20)

    # ------------------------------------------------------------------ thread and loop
    def _thread_main(self) -> None:
        if sys.platform == "win32":  # aiohttp needs a selector loop on Windows
            loop: asyncio.AbstractEventLoop = asyncio.SelectorEventLoop()
        else:
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._main_task = loop.create_task(self._main())
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._main_task)
        except Exception as exc:  # never a silent dead thread
            log.exception("ccxt feed crashed")
            self._report(exc)
        finally:
            self._connected.clear()
            self._set_state("stopped", self._stop_reason)
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _poke(self) -> None:
        loop, changed = self._loop, self._changed
        if loop is not None and changed is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(changed.set)

    def _set_state(self, state: str, detail: str = "", *, attempt: int = 0,
                   retry_at: float | None = None) -> None:
        self.state = state
        try:
            self._output.publish_state(state, detail, attempt=attempt, retry_at=retry_at)
        except Exception:
            log.exception("publishing feed state failed")

    def _report(self, exc: BaseException | str) -> None:
        self._errors += 1
        try:
            self._output.publish_error(exc)
        except Exception:
            log.exception("publishing a feed error failed")

    # ------------------------------------------------------------------ connection cycle
    async def _main(self) -> None:
        self._changed = asyncio.Event()
        if self._keys is None and self._load_keys is not None:
            try:
                self._keys = self._load_keys()
            except Exception as exc:  # public data needs no keys: say so and go on
                log.warning("%s: API keys not loaded, public data only: %s",
                            self.config.exchange_id, exc)
        self._set_state("connecting", self.config.exchange_id)
        while True:
            exchange = None
            failed_in_stream = False
            try:
                exchange = self._exchange = _make_exchange(self.config, self._keys, self._markets)
                await self._load_markets(exchange)
                await self._probe(exchange)
                self._set_state("backfilling")
                self._connected.set()
                await self._load_missing_histories(exchange)
                await self._serve_waiting_backfills()
                mode = self._choose_mode(exchange)
                self.mode = mode
                self._set_state("live", mode)
                failed_in_stream = True
                await self._supervise(exchange, mode)
            except asyncio.CancelledError:
                self._stop_reason = ""
                raise
            except Exception as exc:
                if not await self._after_failure(exc, failed_in_stream):
                    return
            finally:
                self._connected.clear()
                self._flush()
                self._exchange = None
                if exchange is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(exchange.close(), 5.0)

    async def _after_failure(self, exc: Exception, in_stream: bool) -> bool:
        """Log, decide, wait. False: the feed stops."""
        kind = classify_error(exc)
        why = describe_error(exc)
        if kind is ErrorKind.FATAL:
            log.error("%s feed stopped: %s", self.config.exchange_id, why)
            self._stop_reason = why
            self._report(f"{self.config.exchange_id}: {why}")
            return False
        self._attempt += 1
        if in_stream and self.mode in ("trades", "tickers"):
            self._ws_failures += 1
            if self._ws_failures >= self.config.ws_failures_before_polling:
                self._polling_until = _time.monotonic() + self.config.polling_before_ws_retry_s
                log.warning("%s: websockets failed %d times; polling REST for %.0f s",
                            self.config.exchange_id, self._ws_failures,
                            self.config.polling_before_ws_retry_s)
                self._ws_failures = 0
        delay = self.config.backoff.delay(self._attempt, kind, retry_after(self._exchange))
        log.warning("%s: %s; reconnect attempt %d in %.1f s", self.config.exchange_id, why,
                    self._attempt, delay)
        if isinstance(exc, FeedSilent):
            self._set_state("stale", why)
        self._set_state("reconnecting", why, attempt=self._attempt,
                        retry_at=_time.time() + delay)
        await asyncio.sleep(delay)
        return True

    async def _load_markets(self, exchange: Any) -> None:
        if self._markets is None:
            await asyncio.wait_for(exchange.load_markets(), self.config.request_timeout_s * 4)
            self._markets = (exchange.markets, exchange.currencies)
            wanted = self.config.market_type
            names = sorted(s for s, m in exchange.markets.items()
                           if m.get("type") == wanted and m.get("active") is not False)
            with self._lock:
                self._market_symbols = names
            self._output.publish_markets(names)

    async def _probe(self, exchange: Any) -> None:
        """One cheap REST answer proves the exchange is reachable again (markets are cached,
        so a reconnect would otherwise not talk to it before streaming)."""
        with self._lock:
            symbols = [s for s, e in self._symbols.items() if e.status != "failed"]
        known = [s for s in symbols if s in exchange.markets]
        if known:
            await asyncio.wait_for(exchange.fetch_ohlcv(known[0], "1m", limit=1),
                                   self.config.request_timeout_s)
        elif self._markets is not None and exchange.has.get("fetchTime"):
            await asyncio.wait_for(exchange.fetch_time(), self.config.request_timeout_s)

    def _choose_mode(self, exchange: Any) -> str:
        has = exchange.has
        wanted = self.config.live
        if wanted == "polling" or _time.monotonic() < self._polling_until:
            return "polling"
        count = len(self._symbols)
        if wanted in ("auto", "trades") and has.get("watchTrades") and (
                wanted == "trades" or count <= TRADES_MAX_SYMBOLS):
            return "trades"
        if has.get("watchTickers") or has.get("watchTicker"):
            return "tickers"
        return "polling"

    async def _serve_waiting_backfills(self) -> None:
        """Let gap backfills queued during the outage run before live prices resume."""
        deadline = _time.monotonic() + self.config.request_timeout_s * 2
        await asyncio.sleep(0)
        while self._backfills_waiting > 0 and _time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ streams
    async def _supervise(self, exchange: Any, mode: str) -> None:
        """Run the streams until one fails (raised) or the feed is stopped (cancelled)."""
        assert self._changed is not None
        streams: dict[str, asyncio.Task] = {}
        helpers = [asyncio.ensure_future(self._watchdog(exchange, mode)),
                   asyncio.ensure_future(self._flusher())]
        self._last_data = _time.monotonic()
        changed_wait: asyncio.Task | None = None
        try:
            while True:
                self._changed.clear()
                await self._sync_streams(exchange, mode, streams)
                changed_wait = asyncio.ensure_future(self._changed.wait())
                done, _ = await asyncio.wait([*streams.values(), *helpers, changed_wait],
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not changed_wait and not task.cancelled() and task.exception():
                        raise task.exception()  # type: ignore[misc]
                for key, task in list(streams.items()):
                    if task.done():
                        del streams[key]  # a symbol that stopped itself (refused)
                changed_wait.cancel()
        finally:
            for task in [*streams.values(), *helpers, *([changed_wait] if changed_wait else [])]:
                task.cancel()
            await asyncio.gather(*streams.values(), *helpers, return_exceptions=True)

    async def _load_missing_histories(self, exchange: Any) -> None:
        """History for every symbol that has none yet (refusing unlisted symbols)."""
        with self._lock:
            wanted = [s for s, e in self._symbols.items() if e.status != "failed"]
        for symbol in wanted:
            if not self._symbol_known(symbol):
                continue
            entry = self._symbols.get(symbol)
            if entry is not None and entry.instrument is None:
                await self._load_history(exchange, symbol)

    async def _sync_streams(self, exchange: Any, mode: str, streams: dict[str, asyncio.Task]) -> None:
        """Fetch history for new symbols, then start/stop their streams to match the list."""
        await self._load_missing_histories(exchange)
        with self._lock:
            ready = [s for s, e in self._symbols.items() if e.status == "live"]
        if mode == "trades" or (mode == "tickers" and not exchange.has.get("watchTickers")):
            per_symbol = self._trades_stream if mode == "trades" else self._ticker_stream
            for symbol in ready:
                if symbol not in streams:
                    streams[symbol] = asyncio.ensure_future(per_symbol(exchange, symbol))
            for symbol in list(streams):
                if symbol not in ready:
                    streams.pop(symbol).cancel()
                    self._last_trade_ms.pop(symbol, None)
        else:
            key = ",".join(sorted(ready))
            if key not in streams:
                for old in streams.values():
                    old.cancel()
                streams.clear()
                if ready:
                    runner = self._poll if mode == "polling" else self._tickers_stream
                    streams[key] = asyncio.ensure_future(runner(exchange, ready))

    def _symbol_known(self, symbol: str) -> bool:
        if self._markets is None or symbol in self._markets[0]:
            return True
        self._fail_symbol(symbol, f"BadSymbol: {symbol} is not listed on "
                                  f"{self.config.exchange_id} ({self.config.market_type})")
        return False

    def _fail_symbol(self, symbol: str, message: str) -> None:
        with self._lock:
            entry = self._symbols.get(symbol)
            if entry is None:
                return
            entry.status, entry.message = "failed", message
        log.error("%s %s stopped: %s", self.config.exchange_id, symbol, message)
        self._errors += 1
        try:
            self._output.publish_symbol_failed(symbol, message)
        except Exception:
            log.exception("publishing a symbol failure failed")

    async def _load_history(self, exchange: Any, symbol: str) -> None:
        """Recent bars so the chart starts full; the last close seeds the price checks."""
        now_ms = int(self.clock() * 1000)
        since = (now_ms // _MINUTE_MS - self.config.history_bars) * _MINUTE_MS
        try:
            bars = await self._fetch_bars(symbol, since, now_ms + _MINUTE_MS, exchange)
        except Exception as exc:
            if classify_error(exc, per_symbol=True) is ErrorKind.SYMBOL:
                self._fail_symbol(symbol, describe_error(exc))
                return
            raise
        market = exchange.markets.get(symbol, {}) if exchange.markets else {}
        instrument = Instrument(
            symbol=symbol, name=str(market.get("base") or symbol), tz_name="UTC", market="crypto",
            price_decimals=price_decimals((market.get("precision") or {}).get("price"),
                                          getattr(exchange, "precisionMode", TICK_SIZE)),
        )
        with self._lock:
            entry = self._symbols.get(symbol)
            if entry is None:
                return  # removed meanwhile
            entry.history, entry.instrument, entry.status = bars, instrument, "live"
        self._output.publish_instrument(instrument, bars)

    async def _fetch_bars(self, symbol: str, since_ms: int, until_ms: int,
                          exchange: Any = None) -> list[Bar]:
        """1-minute bars with start in [since, until), paged within the exchange's limit."""
        exchange = exchange if exchange is not None else self._exchange
        if exchange is None:
            raise ConnectionError("not connected")
        features = (exchange.features or {}).get(self.config.market_type) or {}
        if isinstance(features.get("linear"), dict):  # swap features are per settle type
            features = features["linear"]
        limit = int((features.get("fetchOHLCV") or {}).get("limit") or DEFAULT_PAGE)
        rows: list = []
        cursor = since_ms
        for _page in range(200):
            if cursor >= until_ms:
                break
            page = await asyncio.wait_for(
                exchange.fetch_ohlcv(symbol, "1m", since=cursor, limit=limit),
                self.config.request_timeout_s)
            starts = [r[0] for r in page if isinstance(r, (list, tuple)) and r
                      and isinstance(r[0], (int, float))]
            if not starts:
                break
            rows.extend(page)
            newest = int(max(starts))
            if newest < cursor:
                break
            cursor = newest + _MINUTE_MS
        converted = ohlcv_to_bars(symbol, rows)
        if converted.refused:
            log.warning("%s %s: %d malformed OHLCV row(s) refused", self.config.exchange_id,
                        symbol, converted.refused)
        return [b for b in converted.bars if since_ms <= b.time.timestamp() * 1000 < until_ms]

    async def _await_answer(self, pending: asyncio.Future) -> Any:
        """Wait for a watch answer without cancelling ccxt's shared future on a timeout
        (a cancelled one would poison later watches); silence is the watchdog's call."""
        while True:
            done, _ = await asyncio.wait([pending], timeout=self.config.watch_timeout_s)
            if done:
                return pending.result()

    async def _watch_forever(self, watch: Callable[[], Awaitable[Any]],
                             take: Callable[[Any], None], symbol: str | None = None) -> None:
        """Call ``watch`` again and again, handing each answer to ``take``. A per-symbol
        refusal stops only ``symbol``'s stream; anything else goes to the supervisor."""
        while True:
            pending = asyncio.ensure_future(watch())
            try:
                answer = await self._await_answer(pending)
            except asyncio.CancelledError:
                pending.cancel()
                raise
            except Exception as exc:
                if symbol is not None and classify_error(exc, per_symbol=True) is ErrorKind.SYMBOL:
                    self._fail_symbol(symbol, describe_error(exc))
                    return
                raise
            self._received()
            take(answer)

    async def _trades_stream(self, exchange: Any, symbol: str) -> None:
        self._last_trade_ms.setdefault(symbol, int(self.clock() * 1000))
        await self._watch_forever(lambda: exchange.watch_trades(symbol),
                                  lambda answer: self._take_trades(exchange, symbol, answer), symbol)

    def _take_trades(self, exchange: Any, symbol: str, answer: Any) -> None:
        cache = getattr(exchange, "trades", None)
        cached = cache.get(symbol) if isinstance(cache, dict) else None
        fresh, mark = new_trades(cached if cached is not None else (answer or ()),
                                 self._trade_marks.get(symbol, TradeMark()))
        if fresh:
            self._trade_marks[symbol] = mark
            self._last_trade_ms[symbol] = max(self._last_trade_ms[symbol], int(mark.time_ms))
            self._buffer.extend(trades_to_raw(symbol, fresh, self.clock()))

    async def _tickers_stream(self, exchange: Any, symbols: list[str]) -> None:
        wanted = set(symbols)
        await self._watch_forever(lambda: exchange.watch_tickers(symbols),
                                  lambda answer: self._take_tickers(answer, wanted))

    async def _ticker_stream(self, exchange: Any, symbol: str) -> None:
        """For exchanges that can watch one ticker per subscription only."""
        await self._watch_forever(lambda: exchange.watch_ticker(symbol),
                                  lambda answer: self._take_tickers({symbol: answer}, {symbol}),
                                  symbol)

    def _take_tickers(self, tickers: Any, wanted: Collection[str]) -> None:
        received = self.clock()
        self._buffer.extend(ticker_to_raw(s, t, received)
                            for s, t in (tickers or {}).items() if s in wanted)

    async def _poll(self, exchange: Any, symbols: list[str]) -> None:
        """REST instead of websockets, at ``poll_s`` (never faster than ccxt's rate limiter)."""
        many = bool(exchange.has.get("fetchTickers"))
        until = self._polling_until
        while True:
            started = _time.monotonic()
            if many:
                tickers = await asyncio.wait_for(exchange.fetch_tickers(symbols),
                                                 self.config.request_timeout_s)
            else:
                tickers = {}
                for symbol in symbols:
                    tickers[symbol] = await asyncio.wait_for(exchange.fetch_ticker(symbol),
                                                             self.config.request_timeout_s)
            self._received()
            self._take_tickers(tickers, symbols)
            if until and started > until and self.config.live != "polling":
                raise ConnectionResetError("trying websockets again after polling")
            await asyncio.sleep(max(0.0, self.config.poll_s - (_time.monotonic() - started)))

    def _received(self) -> None:
        self._last_data = _time.monotonic()
        if self._attempt or self._ws_failures:
            self._attempt = 0
            if self.mode != "polling":
                self._ws_failures = 0

    async def _watchdog(self, exchange: Any, mode: str) -> None:
        """Silence beyond ``silence_s`` is a dead stream, except on a trades stream whose
        market really is quiet: there REST decides (a later minute with volume than our
        last trade means trades were missed)."""
        silence = self.config.silence_s
        # A trades stream is asked about well before the health view would call it stale.
        limit = min(silence, self.config.quiet_check_s) if mode == "trades" else silence
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            quiet = _time.monotonic() - self._last_data
            if quiet <= limit:
                continue
            if mode == "trades" and not await self._trades_missed(exchange):
                log.debug("%s: no trades for %.0f s, and none were made", self.config.exchange_id, quiet)
                self._last_data = _time.monotonic()
                try:
                    self._output.publish_alive()
                except Exception:
                    log.exception("publishing feed liveness failed")
                continue
            raise FeedSilent(f"no data for {quiet:.0f} s")

    async def _trades_missed(self, exchange: Any) -> bool:
        """Whether the exchange traded a symbol in a minute after the last trade we got."""
        for symbol, last_ms in list(self._last_trade_ms.items()):
            minute = last_ms // _MINUTE_MS * _MINUTE_MS
            rows = await asyncio.wait_for(
                exchange.fetch_ohlcv(symbol, "1m", since=minute, limit=5),
                self.config.request_timeout_s)
            for row in rows or ():
                try:
                    if row[0] > minute and float(row[5] or 0) > 0:
                        return True
                except (TypeError, ValueError, IndexError):
                    continue
        return False

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self.config.flush_s)
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            self._output.publish(batch)
            self._ticks_sent += len(batch)
        except Exception as exc:  # the app's side failed; the stream goes on
            log.exception("publishing %d tick(s) failed", len(batch))
            self._report(exc)


def retry_after(exchange: Any) -> float | None:
    """The ``Retry-After`` (seconds) of the exchange's last HTTP answer, if it sent one:
    ccxt keeps the headers on the exchange, not on the exception it raises."""
    headers = getattr(exchange, "last_response_headers", None) or {}
    if not isinstance(headers, Mapping):
        return None
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP date: the backoff's own pause applies
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None
