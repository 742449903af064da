"""Live A-share prices from a QMT / MiniQMT terminal through ``xtquant.xtdata``.

The path of a price: the terminal's push reaches one of xtquant's native threads, our
callback copies the payload into a queue and returns (a slow callback would stall the
SDK's dispatcher, and an exception there is printed and swallowed by the SDK) → this
feed's own thread drains the queue every ``flush_s`` → ``qmt_convert`` (epoch-ms,
lots, price-tick rounding) → ``FeedOutput.publish`` (the bridge: validation, bars,
rules, Qt signals). Facts from ``/work/shared/reference/xtquant.md`` shape all of it:

* ``import xtquant`` makes a PyPI request with a 10 s timeout and ``connect()`` may scan
  for terminals: both happen here, on the feed thread, never on the GUI's.
* ``watch_xtquant_status`` is attached only to a client created after it is called, so
  it is set before ``connect``; its events and ``client.is_connected()`` (which has no
  side effects, unlike ``get_client()``) both tell us about a lost terminal.
* Subscriptions die silently when the terminal reconnects: after every reconnect all of
  them are issued again (new seq numbers) and a ``get_full_tick`` snapshot is taken; the
  bridge's gap tracker finds the minutes the outage hid and ``backfill`` downloads them.
* Subscriptions can also go quiet while "connected": during a trading session, silence
  longer than ``silence_s`` (the heartbeat index trades every push) means resubscribe
  and warn; silence again after that means reconnect. Outside sessions and on
  non-trading days silence is normal (the health view shows "market closed").

Subscriptions: one ``subscribe_whole_quote`` for the watchlist, the heartbeat indices
and, when the trader asks, every code of the '沪深A股' sector (QMT advises whole-quote
push above ~50 codes); one ``subscribe_quote`` per charted code for the chart's bar
period, whose bars fill minutes the 3-second snapshots left empty on the chart. Every
seq number is kept and unsubscribed on stop.

Qt-free: talks to the app through ``FeedOutput``. Every SDK call is made on this feed's
thread, so the SDK never sees two of our calls at once.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time as _time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, Protocol

from app.core.models import Bar
from app.feeds.base import Instrument
from app.feeds.qmt_convert import (
    InstrumentFacts,
    concat_batches,
    instrument_facts,
    kline_to_bars,
    push_to_batch,
)
from app.feeds.reconnect import Backoff, describe_error
from app.market.quality import RawBatch
from app.market.timeframes import TIMEFRAMES
from app.monitors.sessions import SHANGHAI, is_trading_time

log = logging.getLogger(__name__)

__all__ = ["FeedOutput", "QmtConfig", "QmtFeed", "import_xtdata"]

#: The sector QMT calls every A-share (SH A + SZ A + BJ).
WHOLE_MARKET_SECTOR = "沪深A股"
#: QMT's advice: above about this many single-code subscriptions use whole-quote push.
MAX_CHART_SUBSCRIPTIONS = 50


class FeedOutput(Protocol):
    """Where the feed's results go (``app.feeds.bridge.FeedBridge``); called on the feed thread."""

    def publish(self, ticks: RawBatch) -> None: ...
    def publish_error(self, exc: BaseException | str) -> None: ...
    def publish_state(self, state: str, detail: str = "", *, attempt: int = 0,
                      retry_at: float | None = None) -> None: ...
    def publish_markets(self, symbols: list[str]) -> None: ...
    def publish_instrument(self, instrument: Instrument, history: list[Bar], *,
                           limit_down: float | None = None, limit_up: float | None = None,
                           day: int | None = None) -> None: ...
    def publish_symbol_failed(self, symbol: str, message: str) -> None: ...
    def publish_malformed(self, count: int) -> None: ...
    def publish_official_bars(self, bars: list[Bar]) -> None: ...


def import_xtdata() -> ModuleType:
    """The real SDK module (slow: xtquant's import checks PyPI with a 10 s timeout)."""
    return importlib.import_module("xtquant.xtdata")


@dataclass(frozen=True, slots=True)
class QmtConfig:
    """The QMT feed as the trader configured it.

    ``port`` None lets xtquant find the running terminal (its scan, then 58610).
    ``heartbeat_codes`` are indices that change on every push during a session, so
    silence of the whole subscription is noticed even when the watchlist is quiet.
    Times are seconds.
    """

    codes: tuple[str, ...] = ()
    whole_market: bool = False
    ip: str = ""
    port: int | None = None
    heartbeat_codes: tuple[str, ...] = ("000001.SH", "399001.SZ")
    chart_period: str = "1m"
    history_bars: int = 240
    history_days: int = 10
    silence_s: float = 20.0
    flush_s: float = 0.2
    backfill_wait_s: float = 600.0
    backoff: Backoff = field(default_factory=Backoff)

    def __post_init__(self) -> None:
        if self.chart_period not in TIMEFRAMES:
            raise ValueError(f"chart_period must be one of {tuple(TIMEFRAMES)}, "
                             f"got {self.chart_period!r}")
        if self.port is not None and not 1 <= self.port <= 65535:
            raise ValueError(f"port must be 1..65535 or None, got {self.port!r}")
        for name in ("silence_s", "flush_s", "backfill_wait_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")


class QmtUnavailable(RuntimeError):
    """The terminal refused a request the feed cannot work without."""


@dataclass(slots=True)
class _Backfill:
    code: str
    start: float
    end: float
    result: Future = field(default_factory=Future)


class QmtFeed:
    """Streams a QMT terminal's quotes to a ``FeedOutput`` from a worker thread."""

    def __init__(
        self,
        config: QmtConfig,
        output: FeedOutput,
        *,
        load_sdk: Callable[[], ModuleType] = import_xtdata,
        clock: Callable[[], float] = _time.time,
    ) -> None:
        self.config = config
        self.clock = clock
        self._output = output
        self._load_sdk = load_sdk
        self._xt: Any = None
        self._client: Any = None
        self._codes: list[str] = list(dict.fromkeys(c.upper() for c in config.codes))
        self._inbox: deque[tuple[str, object, float, int]] = deque()
        self._changes: deque[tuple[str, str]] = deque()
        self._backfills: deque[_Backfill] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._seqs: dict[str, int] = {}
        self._facts: dict[str, InstrumentFacts] = {}
        self._ticks: dict[str, float] = {}
        self._limits: dict[str, tuple[float, float]] = {}
        self._published: set[str] = set()
        self._failed: dict[str, str] = {}
        self._market_codes: list[str] = []
        self._facts_day = ""
        self._attempt = 0
        self._retry_delay = 0.0
        self._ever_connected = False
        self._last_data = _time.monotonic()
        self._resubscribed = False
        self._warned_stale = False
        self._history: dict[str, list[Bar]] = {}
        self._pushes_in = 0  # counted on SDK threads (one += under the GIL per push)
        self._pushes_done = 0
        self.ticks_received = 0
        self.malformed = 0
        self.conversion_errors = 0
        self.resubscribes = 0
        self.reconnects = 0

    # ------------------------------------------------------------------ public (any thread)
    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def ticks_sent(self) -> int:
        return self.ticks_received

    @property
    def error_count(self) -> int:
        return self.malformed + self.conversion_errors

    @property
    def backlog(self) -> int:
        """Pushes received from the SDK and not yet converted and published."""
        return self._pushes_in - self._pushes_done

    def symbols(self) -> list[str]:
        with self._lock:
            return list(self._codes)

    def market_symbols(self) -> list[str]:
        """Every A-share code the terminal listed (for the watchlist's search box)."""
        with self._lock:
            return list(self._market_codes)

    def subscriptions(self) -> dict[str, int]:
        """Live subscriptions by purpose ('whole', 'whole:CODE', 'bars:CODE') → seq."""
        with self._lock:
            return dict(self._seqs)

    def history(self, symbol: str) -> list[Bar]:
        with self._lock:
            return list(self._history.get(symbol, ()))

    def start(self) -> None:
        if self.is_running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qmt-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe everything and end the thread; idempotent."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    def add_symbol(self, code: str) -> None:
        """Stream one more code (history, facts, subscription) without a restart."""
        self._changes.append(("add", code.strip().upper()))
        self._wake.set()

    def remove_symbol(self, code: str) -> None:
        self._changes.append(("remove", code.strip().upper()))
        self._wake.set()

    def backfill(self, symbol: str, start: datetime, end: datetime) -> list[Bar]:
        """Closed 1-minute bars of ``symbol`` starting in [start, end), downloaded from QMT.

        Called on the bridge's backfill thread; served by the feed thread (which owns the
        SDK) once the terminal answers, so an outage's minutes are fetched after the
        reconnect instead of being given up."""
        request = _Backfill(symbol, start.timestamp(), end.timestamp())
        self._backfills.append(request)
        self._wake.set()
        return list(request.result.result(timeout=self.config.backfill_wait_s))

    # ------------------------------------------------------------------ SDK callbacks
    # These run on xtquant's native threads: copy and return, nothing else.
    def _callback(self, kind: str) -> Callable[[object], None]:
        generation = self._generation

        def on_push(datas: object) -> None:
            try:
                with self._lock:
                    self._pushes_in += 1
                self._inbox.append((kind, datas, self.clock(), generation))
                self._wake.set()
            except Exception:  # never let the SDK swallow it unseen
                log.exception("QMT callback failed")
        return on_push

    def _on_status(self, status: object) -> None:
        try:
            self._inbox.append(("status", status, self.clock(), -1))
            self._wake.set()
        except Exception:
            log.exception("QMT status callback failed")

    # ------------------------------------------------------------------ feed thread
    def _run(self) -> None:
        output = self._output
        output.publish_state("connecting", "loading xtquant")
        try:
            self._xt = self._load_sdk()
        except Exception as exc:  # not installed, or its Windows binaries missing
            reason = f"xtquant could not be loaded ({describe_error(exc)})"
            log.warning("QMT feed not started: %s", reason)
            output.publish_state("stopped", reason)
            output.publish_error(reason)
            return
        try:
            self._xt.enable_hello = False  # no banner on stdout
            self._xt.watch_xtquant_status(self._on_status)  # before connect: see module doc
        except Exception as exc:
            log.warning("QMT status events unavailable: %s", describe_error(exc))
        try:
            while not self._stop.is_set():
                if not self._connected.is_set():
                    self._connect()
                    continue
                self._pump()
                # each step may find the terminal gone (and hand over to _connect)
                for step in (self._apply_changes, self._serve_backfills, self._watchdog):
                    if self._connected.is_set():
                        step()
        except Exception as exc:  # a bug must say so, not leave a silent feed
            log.exception("QMT feed stopped by an error")
            output.publish_state("stopped", describe_error(exc))
            output.publish_error(exc)
        finally:
            self._unsubscribe_all()
            for request in self._backfills:
                request.result.cancel()
            if self._stop.is_set():
                output.publish_state("stopped", "")

    def _connect(self) -> None:
        """One connection attempt (after the backoff delay for a retry)."""
        xt, config = self._xt, self.config
        if self._retry_delay and self._stop.wait(self._retry_delay):
            return
        try:
            if self._ever_connected:
                self._client = xt.reconnect(ip=config.ip, port=config.port)
            else:
                self._client = xt.connect(ip=config.ip, port=config.port)
            self._output.publish_state("backfilling", "loading instruments and history")
            self._load_market_codes()
            if self._ever_connected:
                self._refresh_facts()  # a new day while we were away: new limit prices
            else:
                self._facts_day = self._market_day()[0]
            for code in self.symbols():
                if code not in self._published and code not in self._failed:
                    self._load_instrument(code)
            self._subscribe_all()
            if self._ever_connected:
                self._snapshot()
        except Exception as exc:
            self._attempt += 1
            self._retry_delay = delay = config.backoff.delay(self._attempt)
            reason = describe_error(exc)
            log.warning("QMT terminal not reachable (attempt %d): %s", self._attempt, reason)
            self._output.publish_state("reconnecting" if self._ever_connected else "connecting",
                                       f"QMT terminal not reachable: {reason}",
                                       attempt=self._attempt, retry_at=_time.time() + delay)
            return
        if self._ever_connected:
            self.reconnects += 1
        self._ever_connected = True
        self._attempt = 0
        self._retry_delay = 0.0
        self._last_data = _time.monotonic()
        self._resubscribed = self._warned_stale = False
        self._connected.set()
        self._output.publish_state("live", self._live_detail())

    def _live_detail(self) -> str:
        whole = len(self._market_codes) if self.config.whole_market else 0
        return f"whole_market:{whole}" if whole else "watchlist"

    def _lost(self, reason: str) -> None:
        """The terminal is gone or its pushes died: every subscription with it."""
        log.warning("QMT connection lost: %s", reason)
        self._connected.clear()
        with self._lock:
            self._seqs.clear()  # dead with the old client; nothing to unsubscribe
        self._generation += 1
        self._attempt = 1
        self._retry_delay = delay = self.config.backoff.delay(1)
        self._output.publish_state("reconnecting", reason, attempt=1,
                                   retry_at=_time.time() + delay)
        self._output.publish_error(f"QMT: {reason}")

    # ----- instruments and history
    def _market_day(self) -> tuple[str, int]:
        now = datetime.fromtimestamp(self.clock(), SHANGHAI)
        return now.strftime("%Y%m%d"), (now.date() - datetime(1970, 1, 1).date()).days

    def _load_market_codes(self) -> None:
        xt = self._xt
        codes = list(xt.get_stock_list_in_sector(WHOLE_MARKET_SECTOR) or [])
        if not codes:  # the sector lists need a (blocking) download first
            xt.download_sector_data()
            codes = list(xt.get_stock_list_in_sector(WHOLE_MARKET_SECTOR) or [])
        with self._lock:
            self._market_codes = codes
        if codes:
            self._output.publish_markets(codes)
        elif self.config.whole_market:
            raise QmtUnavailable(f"QMT lists no codes in the sector {WHOLE_MARKET_SECTOR}")

    def _refresh_facts(self, force: bool = False) -> None:
        """Today's name / previous close / limit prices / tick for the watched codes;
        limit prices change every day, so they are read again when the day changes."""
        day_text, day = self._market_day()
        if not force and day_text == self._facts_day:
            return
        self._facts_day = day_text
        for code in self.symbols():
            if code in self._failed:
                continue
            facts = instrument_facts(code, self._xt.get_instrument_detail(code))
            if facts is None:
                continue  # _load_instrument reports it
            self._set_facts(facts)
            if code in self._published:  # a new day for a shown code: new limits
                self._output.publish_instrument(self._instrument(facts), [],
                                                limit_down=facts.limit_down,
                                                limit_up=facts.limit_up, day=day)

    def _set_facts(self, facts: InstrumentFacts) -> None:
        self._facts[facts.code] = facts
        self._ticks[facts.code] = facts.price_tick
        if facts.limit_down is not None and facts.limit_up is not None:
            self._limits[facts.code] = (facts.limit_down, facts.limit_up)

    @staticmethod
    def _instrument(facts: InstrumentFacts) -> Instrument:
        return Instrument(symbol=facts.code, name=facts.name, tz_name="Asia/Shanghai",
                          market="ashare", price_decimals=facts.decimals,
                          prev_close=facts.prev_close)

    def _load_instrument(self, code: str) -> None:
        """Facts + chart history for one watched code, then tell the app it is ready."""
        xt = self._xt
        facts = instrument_facts(code, xt.get_instrument_detail(code))
        if facts is None:
            self._failed[code] = "QMT does not know this code"
            self._output.publish_symbol_failed(code, self._failed[code])
            return
        self._set_facts(facts)
        bars = self._download_bars(code, self._history_start(), "")
        bars = bars[-self.config.history_bars:]
        with self._lock:
            self._history[code] = bars
        _day_text, day = self._market_day()
        self._output.publish_instrument(self._instrument(facts), bars,
                                        limit_down=facts.limit_down, limit_up=facts.limit_up,
                                        day=day)
        self._published.add(code)
        if facts.suspended:
            self._output.publish_symbol_failed(code, "suspended today (停牌): no prices until "
                                               "it resumes")

    def _history_start(self) -> str:
        start = datetime.fromtimestamp(self.clock(), SHANGHAI) - timedelta(
            days=self.config.history_days)
        return start.strftime("%Y%m%d")

    def _download_bars(self, code: str, start: str, end: str) -> list[Bar]:
        """1-minute bars from QMT: download into its cache, then read (blocking calls)."""
        xt, period = self._xt, self.config.chart_period
        xt.download_history_data(code, period=period, start_time=start, end_time=end)
        data = xt.get_market_data_ex(field_list=[], stock_list=[code], period=period,
                                     start_time=start, end_time=end, count=-1)
        frame = data.get(code) if isinstance(data, dict) else None
        return kline_to_bars(code, frame, period) if frame is not None else []

    # ----- subscriptions
    def _subscribe_all(self) -> None:
        """Issue every subscription again (after a connect, reconnect or resubscribe)."""
        xt = self._xt
        self._unsubscribe_all()
        self._generation += 1
        codes = [c for c in self.symbols() if c not in self._failed]
        whole = list(dict.fromkeys([*codes, *self.config.heartbeat_codes,
                                    *(self._market_codes if self.config.whole_market else [])]))
        seq = xt.subscribe_whole_quote(whole, callback=self._callback("quote"))
        if not isinstance(seq, int) or seq <= 0:
            raise QmtUnavailable(f"subscribe_whole_quote refused {len(whole)} codes ({seq})")
        seqs = {"whole": seq}
        for code in codes[:MAX_CHART_SUBSCRIPTIONS]:
            seqs.update(self._subscribe_bars(code))
        with self._lock:
            self._seqs = seqs

    def _subscribe_bars(self, code: str) -> dict[str, int]:
        seq = self._xt.subscribe_quote(code, period=self.config.chart_period, count=0,
                                       callback=self._callback("bars"))
        if isinstance(seq, int) and seq > 0:
            return {f"bars:{code}": seq}
        log.warning("QMT refused a %s bar subscription for %s (%s)",
                    self.config.chart_period, code, seq)
        return {}

    def _unsubscribe_all(self) -> None:
        with self._lock:
            seqs, self._seqs = self._seqs, {}
        for seq in seqs.values():
            self._unsubscribe(seq)

    def _unsubscribe(self, seq: int) -> None:
        try:
            self._xt.unsubscribe_quote(seq)
        except Exception as exc:  # a dead terminal: the subscription is gone anyway
            log.info("unsubscribe %s failed: %s", seq, describe_error(exc))

    def _snapshot(self) -> None:
        """After a reconnect: the current quote of every watched code at once."""
        codes = [c for c in self.symbols() if c not in self._failed]
        snapshot = self._xt.get_full_tick(codes) if codes else {}
        if snapshot:
            with self._lock:
                self._pushes_in += 1
            self._inbox.append(("quote", snapshot, self.clock(), self._generation))

    # ----- the pump
    def _pump(self) -> None:
        """Wait up to ``flush_s`` for pushes, then convert and publish them in order."""
        self._wake.wait(self.config.flush_s)
        self._wake.clear()
        inbox = self._inbox
        quotes: list[RawBatch] = []  # published together: a backlog costs one batch
        done = 0
        while inbox and not self._stop.is_set():
            kind, payload, received, generation = inbox.popleft()
            if kind == "status":
                self._publish_quotes(quotes)
                self._on_status_event(payload)
                continue
            done += 1
            if generation != self._generation:
                continue  # from a subscription we already replaced
            if kind == "quote":
                batch = self._convert_quotes(payload, received)
                if batch is not None:
                    quotes.append(batch)
            else:
                self._on_bars(payload)
        self._publish_quotes(quotes)
        with self._lock:
            self._pushes_done += done

    def _convert_quotes(self, payload: object, received: float) -> RawBatch | None:
        self._last_data = _time.monotonic()
        if self._warned_stale:
            self._warned_stale = self._resubscribed = False
            self._output.publish_state("live", self._live_detail())
        try:
            converted = push_to_batch(payload, received, self._ticks, self._limits)
        except Exception as exc:  # a bug in the conversion: counted and said, never silent
            self.conversion_errors += 1
            log.exception("QMT quote conversion failed")
            self._output.publish_error(f"QMT data could not be read: {describe_error(exc)}")
            self._output.publish_malformed(_record_count(payload))
            return None
        if converted.malformed:
            self.malformed += converted.malformed
            self._output.publish_malformed(converted.malformed)
        return converted.batch if len(converted.batch) else None

    def _publish_quotes(self, batches: list[RawBatch]) -> None:
        if not batches:
            return
        batch = concat_batches(batches)
        batches.clear()
        self.ticks_received += len(batch)
        self._output.publish(batch)

    def _on_bars(self, payload: object) -> None:
        """A charted code's own bars: the closed ones go to the chart."""
        if not isinstance(payload, dict):
            self.malformed += 1
            self._output.publish_malformed(1)
            return
        period, now = self.config.chart_period, self.clock()
        closed: list[Bar] = []
        for code, records in payload.items():
            try:
                bars = kline_to_bars(str(code), records, period)
            except Exception:
                self.conversion_errors += 1
                log.exception("QMT bar conversion failed for %s", code)
                continue
            size = TIMEFRAMES[period]
            closed.extend(b for b in bars if b.time.timestamp() + size <= now)
        self._output.publish_official_bars(closed)

    def _on_status_event(self, status: object) -> None:
        state = status.get("status") if isinstance(status, dict) else None
        log.info("QMT status: %s", status)
        if state == "disconnected" and self._connected.is_set():
            address = status.get("address", "") if isinstance(status, dict) else ""
            self._lost(f"terminal disconnected {address}".strip())

    # ----- symbol changes and backfills
    def _apply_changes(self) -> None:
        while self._changes and self._connected.is_set():
            action, code = self._changes.popleft()
            try:
                if action == "add":
                    self._add(code)
                else:
                    self._remove(code)
            except Exception as exc:
                if not self._terminal_alive():
                    self._changes.appendleft((action, code))
                    self._lost(f"terminal not answering ({describe_error(exc)})")
                    return
                log.warning("QMT could not %s %s: %s", action, code, describe_error(exc))
                self._output.publish_symbol_failed(code, describe_error(exc))

    def _add(self, code: str) -> None:
        with self._lock:
            if code in self._codes:
                return
            self._codes.append(code)
        self._failed.pop(code, None)
        self._load_instrument(code)
        if code in self._failed:
            return
        seq = self._xt.subscribe_whole_quote([code], callback=self._callback("quote"))
        seqs = {f"whole:{code}": seq} if isinstance(seq, int) and seq > 0 else {}
        if len([k for k in self._seqs if k.startswith("bars:")]) < MAX_CHART_SUBSCRIPTIONS:
            seqs.update(self._subscribe_bars(code))
        with self._lock:
            self._seqs.update(seqs)

    def _remove(self, code: str) -> None:
        with self._lock:
            if code in self._codes:
                self._codes.remove(code)
            gone = [self._seqs.pop(k) for k in (f"whole:{code}", f"bars:{code}")
                    if k in self._seqs]
        self._published.discard(code)
        for seq in gone:
            self._unsubscribe(seq)

    def _serve_backfills(self) -> None:
        while self._backfills and self._connected.is_set():
            request = self._backfills.popleft()
            if request.result.done():
                continue
            start = datetime.fromtimestamp(request.start, SHANGHAI).strftime("%Y%m%d%H%M%S")
            end = datetime.fromtimestamp(request.end, SHANGHAI).strftime("%Y%m%d%H%M%S")
            try:
                bars = self._download_bars(request.code, start, end)
            except Exception as exc:
                if not self._terminal_alive():  # served again after the reconnect
                    self._backfills.appendleft(request)
                    self._lost(f"terminal not answering ({describe_error(exc)})")
                    return
                request.result.set_exception(exc)
                continue
            size = TIMEFRAMES["1m"]
            now = self.clock()
            request.result.set_result([
                b for b in bars
                if request.start <= b.time.timestamp() < request.end
                and b.time.timestamp() + size <= now
            ])

    # ----- health
    def _terminal_alive(self) -> bool:
        client = self._client
        try:
            return bool(client is not None and client.is_connected())
        except Exception:
            return False

    def _watchdog(self) -> None:
        if not self._terminal_alive():
            self._lost("terminal disconnected")
            return
        self._refresh_facts_if_new_day()
        heartbeat = self.config.heartbeat_codes[0] if self.config.heartbeat_codes else "000001.SH"
        now = datetime.fromtimestamp(self.clock(), SHANGHAI)
        if not is_trading_time(heartbeat, now):
            self._last_data = _time.monotonic()  # a closed market is quiet, not broken
            return
        silent = _time.monotonic() - self._last_data
        if silent <= self.config.silence_s:
            return
        if not self._resubscribed:
            self.resubscribes += 1
            reason = f"no quotes for {silent:.0f} s in a trading session: resubscribed"
            log.warning("QMT %s", reason)
            self._output.publish_state("stale", reason)
            self._output.publish_error(f"QMT: {reason}")
            self._warned_stale = self._resubscribed = True
            self._last_data = _time.monotonic()
            try:
                self._subscribe_all()
            except Exception as exc:
                self._lost(f"resubscribe failed ({describe_error(exc)})")
            return
        self._lost(f"still no quotes {self.config.silence_s:.0f} s after resubscribing")

    def _refresh_facts_if_new_day(self) -> None:
        try:
            self._refresh_facts()
        except Exception as exc:  # next watchdog round tries again
            self._facts_day = ""
            log.warning("QMT instrument refresh failed: %s", describe_error(exc))


def _record_count(payload: object) -> int:
    if isinstance(payload, dict):
        return sum(len(v) if isinstance(v, (list, tuple)) else 1 for v in payload.values()) or 1
    return 1
