"""The thin Qt hop from a feed's worker thread to the GUI thread.

Why a QObject with signals: a signal emitted on a worker thread is delivered to a
receiver living in the GUI thread as a queued call, executed by the GUI event loop. That
is the one safe way to get ticks to widgets without locks (widgets may only be touched
on the GUI thread). Feeds stay pure Python; only this file knows Qt.

Every batch goes through the feed's ``MarketPipeline`` first, on the feed's own thread:
only accepted ticks are emitted, so no widget and no rule ever sees a refused print.

Create one bridge per feed on the GUI thread, connect receivers that live on the GUI
thread, and stop the feed before the bridge is destroyed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from app.core.models import Bar, Tick
from app.feeds.backfill import BackfillWorker, Fetch
from app.feeds.base import ErrorHandler, Instrument, TickSink
from app.market.gaps import Gap
from app.market.pipeline import MarketPipeline
from app.market.quality_types import DropReason, RawTick

log = logging.getLogger(__name__)

__all__ = ["FeedBridge"]

CLOCK_S = 1.0


class FeedBridge(QObject):
    """Re-emits a feed's validated batches as Qt signals; ``publish`` is callable from any thread.

    ``ticks_received(list[Tick])``: accepted ticks, one signal per feed wake.
    ``bars_changed(list[BarEvent])``: bars closed (by a tick or the clock) or revised.
    ``gaps_found(list[Gap])``: missing minutes just detected (a backfill is requested).
    ``backfill_done(Gap, list[Bar], str)``: a backfill's bars ('' or the error text).
    ``backfill_bars(list[Bar])``: the same bars, emitted on the backfill thread so a
    receiver on another worker thread (the rules) gets them in order with the live ticks,
    without a hop through the GUI thread.
    ``error(str)``: a one-line description of an error the feed survived.

    Feeds whose symbols arrive over time (an exchange, QMT) also use:
    ``state_changed(str, str)`` (state, detail), ``markets_loaded(list[str])`` (symbols
    the trader may add), ``instrument_ready(Instrument, list[Bar])`` (a symbol's history
    is in: show it), ``symbol_failed(str, str)`` (symbol, why it stopped),
    ``official_bars(list[Bar])`` (the vendor's own closed bars, for the chart only).
    """

    ticks_received = Signal(object)
    bars_changed = Signal(object)
    gaps_found = Signal(object)
    backfill_done = Signal(object, object, str)
    backfill_bars = Signal(object)
    error = Signal(str)
    state_changed = Signal(str, str)
    markets_loaded = Signal(object)
    instrument_ready = Signal(object, object)
    symbol_failed = Signal(str, str)
    official_bars = Signal(object)

    def __init__(self, pipeline: MarketPipeline | None = None) -> None:
        super().__init__()
        self.pipeline = pipeline if pipeline is not None else MarketPipeline("feed")
        self._backfill: BackfillWorker | None = None
        # The clock runs on its own thread, not a GUI timer: closing bars waits for the
        # pipeline's lock, which a whole-market batch may hold for a while on the feed
        # thread; the GUI thread must never wait for that.
        self._clock_stop = threading.Event()
        self._clock_thread: threading.Thread | None = None

    def publish(self, ticks: Sequence[Tick | RawTick]) -> None:
        """Validate a batch (when there is a pipeline) and hand what passed to the GUI thread."""
        processed = self.pipeline.process(ticks)
        if processed.ticks:
            self.ticks_received.emit(processed.ticks)
        if processed.events:
            self.bars_changed.emit(processed.events)

    def publish_error(self, exc: BaseException | str) -> None:
        """Report a survived error to the GUI thread as one line."""
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.error.emit(" ".join(text.split()))

    def publish_state(self, state: str, detail: str = "", *, attempt: int = 0,
                      retry_at: float | None = None) -> None:
        """The feed's own state (connecting, live, reconnecting with its attempt and the
        wall-clock time of the next try) into its health."""
        self.pipeline.health.set_state(state, detail, attempt=attempt, retry_at=retry_at)
        self.state_changed.emit(state, detail)

    def publish_alive(self) -> None:
        """The feed verified its quiet market traded nothing: not stale."""
        self.pipeline.health.confirm_alive()

    def publish_markets(self, symbols: list[str]) -> None:
        self.markets_loaded.emit(list(symbols))

    def publish_instrument(self, instrument: Instrument, history: list[Bar], *,
                           limit_down: float | None = None, limit_up: float | None = None,
                           day: int | None = None) -> None:
        """A symbol is ready: register it (health row, bar slot) and seed the price checks
        with its last close, previous close and today's limit prices (``day``: the market
        day they hold for), before its first live print is published."""
        symbol = instrument.symbol
        self.pipeline.watch([symbol])
        if history or instrument.prev_close is not None or limit_up is not None:
            self.pipeline.set_instrument(
                symbol, name=instrument.name, prev_close=instrument.prev_close,
                limit_down=limit_down, limit_up=limit_up, day=day,
                last_price=history[-1].close if history else None)
        self.instrument_ready.emit(instrument, list(history))

    def publish_malformed(self, count: int) -> None:
        """Records the feed could not read at all: dropped, and counted in its health."""
        if count > 0:
            self.pipeline.health.record(0, {DropReason.MALFORMED: count})

    def publish_official_bars(self, bars: list[Bar]) -> None:
        """The vendor's own closed bars for a charted symbol (QMT's ``subscribe_quote``):
        the chart fills minutes the snapshots left empty; rules are not involved."""
        if bars:
            self.official_bars.emit(list(bars))

    def publish_symbol_failed(self, symbol: str, message: str) -> None:
        self.symbol_failed.emit(symbol, " ".join(message.split()))

    def make_sink(self) -> TickSink:
        """A callable to pass as a feed's ``sink``."""
        return self.publish  # type: ignore[return-value]

    def make_error_handler(self) -> ErrorHandler:
        """A callable to pass as a feed's ``on_error``."""
        return self.publish_error

    # ------------------------------------------------------------------ clock and gaps
    def start_clock(self, fetch: Fetch | None = None) -> None:
        """Close bars on the clock and look for gaps once a second; backfill them with
        ``fetch`` (on a worker thread) when the feed can."""
        if fetch is not None and self._backfill is None:
            self._backfill = BackfillWorker(fetch, self._on_backfilled)
        if self._clock_thread is None:
            self._clock_stop.clear()
            self._clock_thread = threading.Thread(target=self._run_clock, name="market-clock",
                                                  daemon=True)
            self._clock_thread.start()

    def _run_clock(self) -> None:
        while not self._clock_stop.wait(CLOCK_S):
            self.tick_clock()

    def stop_clock(self) -> None:
        self._clock_stop.set()
        if self._clock_thread is not None:
            self._clock_thread.join(timeout=2.0)
            self._clock_thread = None
        if self._backfill is not None:
            self._backfill.stop()
            self._backfill = None

    def tick_clock(self) -> None:
        """Close bars whose time is up and request backfills; any thread."""
        pipeline = self.pipeline
        try:
            result = pipeline.on_clock()
        except Exception as exc:  # the clock must keep running
            log.exception("market clock failed")
            self.publish_error(exc)
            return
        if result.events:
            self.bars_changed.emit(result.events)
        if result.gaps:
            self.gaps_found.emit(result.gaps)
            if self._backfill is not None:
                for gap in result.gaps:
                    if pipeline.backfill_requested(gap):
                        self._backfill.request(gap)

    def _on_backfilled(self, gap: Gap, bars: list[Bar], error: str | None) -> None:
        """Runs on the backfill thread: book it, then tell the GUI thread."""
        self.pipeline.backfilled(gap, bars)
        if bars:
            self.backfill_bars.emit(bars)
        self.backfill_done.emit(gap, bars, error or "")
