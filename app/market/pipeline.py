"""One feed's path from raw prints to what the app may trust: validation, bars, gaps, health.

Why one object: the order is the contract. A print is validated before anything sees it;
only accepted ticks build bars and reach the rule engine; every closed 1-minute bar is
shown to the gap tracker; every count lands in the feed's health. Keeping the steps in
one place (and under one lock) means no path can skip a step.

Threads: ``process`` runs on the feed's worker thread, ``on_clock`` on the bridge's clock
thread (never the GUI's), ``backfilled`` on the backfill worker; a lock
serialises them. ``health.snapshot()`` has its own lock and may be read at any time.
No Qt here: ``app.feeds.bridge`` carries the results across threads.
"""

from __future__ import annotations

import logging
import math
import threading
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.core.models import Bar, Tick
from app.market.bar_builder import DEFAULT_TIMEFRAMES, BarBuilder, BarEvent
from app.market.gaps import Gap, GapTracker
from app.market.health import FeedHealth
from app.market.quality import RawBatch, Screened, TickValidator, ValidatorConfig
from app.market.quality_types import QualityNote, RawTick

log = logging.getLogger(__name__)

__all__ = ["ClockResult", "MarketPipeline", "Processed", "to_raw"]

Clock = Callable[[str], float]


def _wall_clock(_symbol: str) -> float:
    return _time.time()


@dataclass(slots=True)
class Processed:
    """What one raw batch produced."""

    ticks: list[Tick]
    screened: Screened
    events: list[BarEvent] = field(default_factory=list)


@dataclass(slots=True)
class ClockResult:
    """Bars the clock closed and gaps found since the last tick of the clock."""

    events: list[BarEvent] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def to_raw(item: Tick | RawTick) -> RawTick:
    """A feed may still hand over ``Tick`` records (tests, simple feeds)."""
    if isinstance(item, RawTick):
        return item
    return RawTick(item.symbol, item.time.timestamp(), item.price, volume=item.volume)


class MarketPipeline:
    """Validator → bar builder → gap tracker, with health counts, for one feed.

    ``clock(symbol)`` is the feed's notion of now (epoch seconds): the wall clock for a
    live feed, the replay position for the demo. ``live`` feeds get the session check.

    A real-time feed's prints arrive a little after they happen, so bars close and minutes
    are judged ``grace_s`` after their time. A ``replay`` makes its own clock from the
    ticks it has delivered: no grace, and no "time in the future" check (its ticks define
    its present).

    ``watched_only`` (a whole-market feed such as QMT's 沪深A股 push): every print is
    validated, built into bars and judged by the rules, but gaps are looked for and
    health rows kept only for the symbols ``watch``ed (the watchlist). An illiquid stock
    with a quiet minute is not a gap worth a history download, and 5,000 health rows are
    not something a trader reads.
    """

    def __init__(
        self,
        feed: str,
        symbols: Sequence[str] = (),
        *,
        clock: Clock = _wall_clock,
        live: bool = True,
        config: ValidatorConfig | None = None,
        timeframes: Sequence[str] = DEFAULT_TIMEFRAMES,
        stale_after_s: float = 15.0,
        replay: bool = False,
        grace_s: float = 3.0,
        watched_only: bool = False,
    ) -> None:
        self.feed = feed
        self.live = live
        self.replay = replay
        self.grace_s = 0.0 if replay else float(grace_s)
        self._clock = clock
        self._lock = threading.Lock()
        self.validator = TickValidator(config)
        self.builder = BarBuilder(timeframes)
        self.gaps = GapTracker()
        self.watched_only = watched_only
        self._watched: set[str] = set()
        self.health = FeedHealth(feed, stale_after_s=stale_after_s, market_now=self._market_now,
                                 rows_for_unwatched=not watched_only)
        self.watch(symbols)

    def _market_now(self, symbol: str) -> float:
        try:
            return float(self._clock(symbol))
        except Exception:  # a feed's clock must not break the health view
            log.exception("feed clock failed for %s", symbol)
            return _time.time()

    def watch(self, symbols: Sequence[str]) -> None:
        """The feed's symbols, known before their first tick (health rows, bar slots)."""
        with self._lock:
            self.builder.slots(symbols)
            self.validator.slots(symbols)
            self._watched.update(symbols)
        self.health.watch(symbols)

    def unwatch(self, symbols: Sequence[str]) -> None:
        """Symbols no longer delivered: gone from health (their bar slots stay, harmless)."""
        with self._lock:
            self._watched.difference_update(symbols)
        self.health.unwatch(symbols)

    def set_instrument(self, symbol: str, **known: object) -> None:
        """Name / previous close / limit prices for the validator (see ``TickValidator``)."""
        with self._lock:
            self.validator.set_instrument(symbol, **known)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ feed thread
    def process(self, raw: Sequence[Tick | RawTick] | RawBatch) -> Processed:
        """Validate a batch, fold the accepted ticks into bars, count everything.

        Never raises: a failure is logged and the batch counts as dropped by the validator.
        """
        batch = raw if isinstance(raw, RawBatch) else RawBatch.from_ticks([to_raw(t) for t in raw])
        wall = _time.time()
        with self._lock:
            now = np.nan if self.replay else self._now_per_print(batch.symbols)
            screened = self.validator.screen(batch, now=now, live=self.live)
            try:
                events = self.builder.add(screened.symbols, screened.time, screened.price,
                                          screened.volume)
            except Exception:
                log.exception("bar building failed for %d tick(s)", len(screened))
                events = []
            self._observe(events)
        late = sum(1 for e in events if e.kind == "revised" and e.timeframe == "1m")
        if late:  # said, not hidden: a closed bar changed after the fact
            screened.notes[QualityNote.LATE_PRINT] += late
            log.info("%s: %d late print(s) revised closed 1m bar(s)", self.feed, late)
        self.health.record(len(screened), screened.dropped, screened.notes, now=wall)
        if len(screened):
            # received and time are on the feed's clock (a replay's is historical), so the
            # latency is their difference; the age of a symbol's data is on the wall clock
            latency = screened.received - screened.time
            self.health.record_symbols(screened.symbols, screened.time,
                                       np.full(len(screened), wall), now=wall, latency=latency)
        return Processed(screened.ticks(), screened, events)

    def _now_per_print(self, symbols: Sequence[str]) -> np.ndarray:
        clocks = {symbol: self._market_now(symbol) for symbol in set(symbols)}
        return np.fromiter((clocks[s] for s in symbols), np.float64, len(symbols))

    def _observe(self, events: Sequence[BarEvent]) -> None:
        watched = self._watched if self.watched_only else None
        for event in events:
            if event.timeframe == "1m" and (watched is None or event.bar.symbol in watched):
                self.gaps.observe_bar(event.bar.symbol, event.bar.time.timestamp())

    # ------------------------------------------------------------------ clock
    def on_clock(self) -> ClockResult:
        """Close bars whose time is up and look for gaps; call about once a second."""
        with self._lock:
            symbols = self.builder.symbols()
            now = np.array([self._market_now(s) for s in symbols], np.float64) - self.grace_s
            events = self.builder.close_due(now) if symbols else []
            self._observe(events)
            gaps: list[Gap] = []
            watched = self._watched
            for symbol, clock in zip(symbols, now.tolist()):
                if self.watched_only and symbol not in watched:
                    continue
                if math.isfinite(clock):
                    gaps.extend(self.gaps.check(symbol, clock))
            self._publish_gaps()
        return ClockResult(events, gaps)

    # ------------------------------------------------------------------ backfill
    def backfill_requested(self, gap: Gap) -> bool:
        with self._lock:
            return self.gaps.backfill_requested(gap)

    def backfilled(self, gap: Gap, bars: Sequence[Bar]) -> None:
        """A backfill for ``gap`` answered (possibly with nothing)."""
        with self._lock:
            self.gaps.backfilled(gap.symbol, [b.time.timestamp() for b in bars], gap)
            self._publish_gaps()

    def _publish_gaps(self) -> None:
        counts = self.gaps.counts()
        self.health.gaps(counts.open.gaps, counts.filled.gaps, counts.missing.gaps)
