"""Per-feed health bookkeeping: is the data behind the alerts flowing, and how good is it?

Why this exists: an alert can only fire on a price it sees. A feed that silently stops
during trading hours (a dropped websocket, a hung QMT callback) looks exactly like a
quiet market, so the trader believes stop losses are watched when they are not. This
module turns the feed's own reports (state changes, per-batch validation counts, the
accepted ticks' times) into one immutable ``HealthSnapshot`` the GUI shows once a second.

Silence only counts as a fault while a symbol is in its session (A-share lunch, nights,
weekends and holidays are ``market_closed``, not ``stale``); sessions are judged on each
symbol's exchange clock (``market_now``), so a replay feed supplies its replay time.

Threading: the feed's worker thread writes (``set_state``, ``record``, ``record_symbols``,
``gaps``), the GUI thread reads ``snapshot``; one lock guards the state, and readers only
ever get frozen copies. All times are wall-clock epoch seconds and every method takes its
clock explicitly (default ``time.time()``), so tests never sleep. ``snapshot`` may load the
A-share calendar on its first call: run ``sessions.warm_up()`` at start-up (the app does).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Literal, TypeVar

import numpy as np

from app.market.quality_types import DropReason, QualityNote
from app.market.rate import TickRateMeter
from app.monitors.sessions import is_ashare, is_trading_time

__all__ = [
    "FeedHealth",
    "FeedState",
    "HealthSnapshot",
    "LATENCY_SAMPLES",
    "RATE_WINDOW_S",
    "STALE_AFTER_S",
    "STATES",
    "SymbolHealth",
]

FeedState = Literal[
    "connecting", "backfilling", "live", "stale", "reconnecting", "stopped", "market_closed"
]
STATES: tuple[str, ...] = (
    "connecting", "backfilling", "live", "stale", "reconnecting", "stopped", "market_closed"
)

E = TypeVar("E", DropReason, QualityNote)

#: Default silence (s) after which an in-session feed is declared stale. Busy feeds tick
#: several times a second; 15 s of nothing while a market trades is not a quiet market.
STALE_AFTER_S = 15.0
#: Latency samples kept for the percentiles: enough for a stable p99, small enough to copy.
LATENCY_SAMPLES = 4096
#: Window of the ticks/s figure: long enough to smooth a feed's bursts.
RATE_WINDOW_S = 5.0

#: Reported states that silence may turn into ``market_closed``. A feed still connecting or
#: reconnecting outside trading hours keeps saying so: that is worth seeing, just not blind.
_CLOSABLE = frozenset({"live", "stale", "market_closed"})


@dataclass(frozen=True, slots=True)
class SymbolHealth:
    """One symbol's freshness. Times are epoch seconds; None = no accepted tick yet."""

    symbol: str
    last_exchange_time: float | None
    last_received: float | None
    age_s: float | None  # seconds since the last tick was received (None: never)
    in_session: bool
    stale: bool  # in session and silent longer than the feed's stale_after_s


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """Everything the health panel, status bar and tray need about one feed, frozen.

    ``state`` is the effective state (the feed's ``reported_state`` overridden by
    ``stale``/``market_closed`` when it has been silent). ``became_stale``/``recovered``
    compare with the previous ``snapshot`` call, so each is True exactly once per stale
    episode; ``recovered`` is True whenever an episode ends, and ``state`` says how
    (``live`` again, ``market_closed`` because the session ended, ``stopped``).
    """

    feed: str
    taken_at: float
    state: str
    reported_state: str
    detail: str
    reconnect_attempt: int  # 0 unless reconnecting: the attempt about to be made
    next_retry_at: float | None  # wall-clock epoch s of that attempt
    ticks_per_s: float
    accepted: int
    dropped: int
    dropped_by_reason: Mapping[DropReason, int]
    notes: Mapping[QualityNote, int]
    symbols: tuple[SymbolHealth, ...]
    gaps_open: int
    gaps_filled: int
    gaps_missing: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    silent_s: float  # seconds since the last accepted tick (or since start/restart)
    stale_since: float | None
    became_stale: bool
    recovered: bool

    @property
    def is_stale(self) -> bool:
        return self.state == "stale"


class FeedHealth:
    """Health of one feed; write from the feed's thread, ``snapshot`` from the GUI thread."""

    def __init__(
        self,
        feed: str,
        symbols: Iterable[str] = (),
        *,
        stale_after_s: float = STALE_AFTER_S,
        market_now: Callable[[str], float] | None = None,
        latency_samples: int = LATENCY_SAMPLES,
        rate_window_s: float = RATE_WINDOW_S,
        now: float | None = None,
        rows_for_unwatched: bool = True,
    ) -> None:
        """``symbols``: the instruments the feed should deliver, so one that never ticks
        still shows (and can be stale). ``market_now(symbol)`` gives the exchange clock
        (epoch s) the sessions are judged on; None means the snapshot's own ``now``.

        ``rows_for_unwatched=False`` (a whole-market feed): ticks of symbols nobody
        watches count for the feed (rate, silence, latency) but get no row of their own.
        5,000 rows would make the health view a second-by-second cost on the GUI thread,
        and an illiquid stock that does not trade for 15 s is not a fault.
        """
        if not (math.isfinite(stale_after_s) and stale_after_s > 0):
            raise ValueError(f"stale_after_s must be positive, got {stale_after_s!r}")
        if latency_samples < 1:
            raise ValueError(f"latency_samples must be >= 1, got {latency_samples}")
        start = time.time() if now is None else now
        self.feed = feed
        self.stale_after_s = float(stale_after_s)
        self._market_now = market_now
        self._lock = threading.Lock()
        self._state = "connecting"
        self._detail = ""
        self._attempt = 0
        self._retry_at: float | None = None
        self._since = start  # silence is measured from here until the first tick
        self._last_tick: float | None = None  # wall time of the last accepted tick
        self._rate = TickRateMeter(rate_window_s)
        self._accepted = 0
        self._dropped: dict[DropReason, int] = {}
        self._notes: dict[QualityNote, int] = {}
        self._gaps = (0, 0, 0)
        self._exchange_time: dict[str, float] = {}
        self._received: dict[str, float] = {}
        self._symbols: dict[str, None] = dict.fromkeys(symbols)  # ordered set
        self._latency = np.empty(latency_samples, dtype=np.float64)
        self._latency_next = 0
        self._latency_count = 0
        self._was_stale = False
        self._stale_since: float | None = None
        self._rows_for_unwatched = rows_for_unwatched

    # ----- writers (feed thread) -------------------------------------------
    def set_state(self, state: str, detail: str = "", now: float | None = None, *,
                  attempt: int = 0, retry_at: float | None = None) -> None:
        """The feed's own view of itself, e.g. ``('reconnecting', 'timeout')``.

        Leaving ``stopped`` restarts the silence clock: a feed the trader restarts is
        not stale for the hours it was deliberately off. So does going ``live`` after
        connecting or reconnecting: the time it took to connect is not silence of a live
        feed (the state itself said what was happening).
        """
        if state not in STATES:
            raise ValueError(f"unknown feed state {state!r}; expected one of {STATES}")
        now = time.time() if now is None else now
        with self._lock:
            if self._state == "stopped" and state != "stopped":
                self._since = now
                self._last_tick = None
            elif state == "live" and self._state in ("connecting", "backfilling", "reconnecting"):
                self._since = max(self._since, now)
            self._state = state
            self._detail = detail
            self._attempt = attempt
            self._retry_at = retry_at

    def confirm_alive(self, now: float | None = None) -> None:
        """The feed checked that nothing was traded (a quiet market, not a dead stream):
        its silence starts again from ``now``, so it is not shown as stale."""
        now = time.time() if now is None else now
        with self._lock:
            self._since = max(self._since, now)

    def watch(self, symbols: Iterable[str]) -> None:
        """Symbols the feed should deliver (shown, and judged stale, before their first tick)."""
        with self._lock:
            for symbol in symbols:
                self._symbols.setdefault(symbol, None)

    def unwatch(self, symbols: Iterable[str]) -> None:
        """Symbols the feed no longer delivers (the trader removed them): no row, no stale."""
        with self._lock:
            for symbol in symbols:
                self._symbols.pop(symbol, None)
                self._exchange_time.pop(symbol, None)
                self._received.pop(symbol, None)

    def record(
        self,
        accepted: int,
        dropped: Mapping[DropReason, int] | None = None,
        notes: Mapping[QualityNote, int] | None = None,
        now: float | None = None,
    ) -> None:
        """Counts of one validated batch: ``accepted`` ticks passed on, ``dropped`` per
        reason, ``notes`` per event. Accepted ticks feed ticks/s and end any silence.
        """
        if accepted < 0:
            raise ValueError(f"accepted must be >= 0, got {accepted}")
        drops = _checked_counts(dropped or {}, DropReason)
        events = _checked_counts(notes or {}, QualityNote)
        now = time.time() if now is None else now
        with self._lock:
            self._accepted += accepted
            for reason, count in drops.items():
                self._dropped[reason] = self._dropped.get(reason, 0) + count
            for note, count in events.items():
                self._notes[note] = self._notes.get(note, 0) + count
            if accepted:
                self._rate.add(accepted, now)
                self._last_tick = now if self._last_tick is None else max(self._last_tick, now)

    def record_symbols(
        self,
        symbols: Sequence[str],
        exchange_times: np.ndarray,
        received: np.ndarray,
        now: float | None = None,
        latency: np.ndarray | None = None,
    ) -> None:
        """Times of the accepted ticks of a batch, in arrival order (does not count them:
        ``record`` does). Per symbol the last tick wins; ``received - exchange_times`` are
        latency samples, NaN ones ignored. A NaN ``received`` is taken as ``now``.
        """
        exchange = np.asarray(exchange_times, dtype=np.float64)
        arrived = np.asarray(received, dtype=np.float64)
        if not (len(symbols) == exchange.shape[0] == arrived.shape[0]):
            raise ValueError(
                f"symbols, exchange_times and received differ in length: "
                f"{len(symbols)}, {exchange.shape[0]}, {arrived.shape[0]}"
            )
        now = time.time() if now is None else now
        last: dict[str, int] = {}
        for index, symbol in enumerate(symbols):
            last[symbol] = index
        # A replay's exchange times are historical: it measures its latency itself.
        latency = arrived - exchange if latency is None else np.asarray(latency, np.float64)
        latency = latency[np.isfinite(latency)]
        with self._lock:
            for symbol, index in last.items():
                if symbol not in self._symbols:
                    if not self._rows_for_unwatched:
                        continue
                    self._symbols[symbol] = None
                ex, rx = float(exchange[index]), float(arrived[index])
                if math.isfinite(ex):
                    self._exchange_time[symbol] = ex
                self._received[symbol] = rx if math.isfinite(rx) else now
            self._add_latency(latency)

    def gaps(self, open: int, filled: int, missing: int) -> None:
        """The gap tracker's current figures (replaced, not added): gaps still open, gaps
        filled by backfill, gaps that could not be filled (data the alerts never saw)."""
        if min(open, filled, missing) < 0:
            raise ValueError(f"gap counts must be >= 0, got {(open, filled, missing)}")
        with self._lock:
            self._gaps = (int(open), int(filled), int(missing))

    def _add_latency(self, samples: np.ndarray) -> None:
        """Append to the ring buffer (caller holds the lock); the oldest are overwritten."""
        size = self._latency.shape[0]
        samples = samples[-size:]
        count = samples.shape[0]
        if count == 0:
            return
        start = self._latency_next
        first = min(count, size - start)
        self._latency[start:start + first] = samples[:first]
        self._latency[:count - first] = samples[first:]
        self._latency_next = (start + count) % size
        self._latency_count = min(size, self._latency_count + count)

    # ----- reader (GUI thread) ---------------------------------------------
    def snapshot(self, now: float | None = None) -> HealthSnapshot:
        """A frozen copy of the feed's health at ``now``; also advances the stale
        transition tracking, so take one snapshot per feed per refresh and share it."""
        now = time.time() if now is None else now
        with self._lock:
            reported, detail = self._state, self._detail
            attempt, retry_at = self._attempt, self._retry_at
            since, last_tick = self._since, self._last_tick
            silent_since = since if last_tick is None else max(since, last_tick)
            rate = self._rate.rate(now)
            accepted = self._accepted
            dropped = dict(self._dropped)
            notes = dict(self._notes)
            gaps = self._gaps
            symbols = list(self._symbols)
            exchange = dict(self._exchange_time)
            received = dict(self._received)
            latency = self._latency[:self._latency_count].copy()
        # Session checks may load the calendar or call a replay clock: not under the lock.
        in_session = self._sessions(symbols, now)
        silent_s = max(0.0, now - silent_since)
        stopped = reported == "stopped"
        rows = []
        for symbol in symbols:
            rx = received.get(symbol)
            age = None if rx is None else max(0.0, now - rx)
            quiet = now - (since if rx is None else max(rx, since))
            rows.append(SymbolHealth(
                symbol=symbol,
                last_exchange_time=exchange.get(symbol),
                last_received=rx,
                age_s=age,
                in_session=in_session[symbol],
                stale=not stopped and in_session[symbol] and quiet > self.stale_after_s,
            ))
        state = _effective_state(
            reported, silent=silent_s > self.stale_after_s, any_in_session=any(in_session.values())
        )
        with self._lock:
            became = state == "stale" and not self._was_stale
            recovered = self._was_stale and state != "stale"
            if became:
                self._stale_since = now
            elif recovered:
                self._stale_since = None
            self._was_stale = state == "stale"
            stale_since = self._stale_since
        p50: float | None = None
        p99: float | None = None
        if latency.size:
            p50, p99 = (float(v) * 1000.0 for v in np.percentile(latency, [50.0, 99.0]))
        return HealthSnapshot(
            feed=self.feed,
            taken_at=now,
            state=state,
            reported_state=reported,
            detail=detail,
            reconnect_attempt=attempt,
            next_retry_at=retry_at,
            ticks_per_s=rate,
            accepted=accepted,
            dropped=sum(dropped.values()),
            dropped_by_reason=MappingProxyType(dropped),
            notes=MappingProxyType(notes),
            symbols=tuple(rows),
            gaps_open=gaps[0],
            gaps_filled=gaps[1],
            gaps_missing=gaps[2],
            latency_p50_ms=p50,
            latency_p99_ms=p99,
            silent_s=silent_s,
            stale_since=stale_since,
            became_stale=became,
            recovered=recovered,
        )

    def _sessions(self, symbols: Sequence[str], now: float) -> dict[str, bool]:
        """symbol -> in its trading session on its exchange clock. Symbols of one market on
        the same clock share the answer, so thousands of A-shares cost one calendar lookup."""
        answers: dict[tuple[bool, float], bool] = {}
        result = {}
        for symbol in symbols:
            clock = now if self._market_now is None else self._market_now(symbol)
            key = (is_ashare(symbol), clock)
            if key not in answers:
                when = datetime.fromtimestamp(clock, timezone.utc)
                answers[key] = is_trading_time(symbol, when)
            result[symbol] = answers[key]
        return result


def _effective_state(reported: str, *, silent: bool, any_in_session: bool) -> str:
    """What the trader should believe: silence in session is ``stale`` whatever the feed
    says (alerts are blind either way), silence outside sessions is a closed market."""
    if reported == "stopped" or not silent:
        return reported
    if any_in_session:
        return "stale"
    return "market_closed" if reported in _CLOSABLE else reported


def _checked_counts(counts: Mapping, kind: type[E]) -> dict[E, int]:
    """``counts`` keyed by ``kind`` members (raw enum values accepted), each >= 0."""
    checked: dict[E, int] = {}
    for key, count in counts.items():
        if count < 0:
            raise ValueError(f"count for {key!r} must be >= 0, got {count}")
        if count:
            member = kind(key)
            checked[member] = checked.get(member, 0) + int(count)
    return checked
