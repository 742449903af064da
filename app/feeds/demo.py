"""Demo feed: replays real shipped 1-minute bars as a live tick stream.

Why: the app must be usable (and its alerts testable end to end) without a broker
terminal or network. Replaying REAL bars (a volatile BTC month, a week of 贵州茅台) gives
realistic gaps, sessions and volatility, which synthetic random walks do not.

How: each bar becomes 1-4 ticks (open, low/high in the order the bar most plausibly
travelled, close; see ``bar_to_ticks``). One daemon thread wakes at most every 50 ms,
advances a replay position by ``elapsed wall time x speed`` (speed 1.0 = one bar per
250 ms, all series in step) and hands every tick that became due, of every series, to the
sink in ONE call. Tick times are the data's own times (tz-aware); when a series runs out
it loops, shifted forward by whole weeks so time keeps increasing and A-share weekdays and
sessions stay aligned. Pure Python: the Qt hop is ``app.feeds.bridge``.

For gap handling the demo also plays what a real vendor offers: ``backfill`` returns the
recorded bars of any time range (a REST history call), ``clock`` tells how far the replay
has got (a real feed's ``time.time()``), and a ``DemoGap`` drops a run of bars from the
live stream once, as if the connection had dropped, so the whole detect -> backfill ->
merge path can be exercised without a network.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
import threading
import time as _time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from app.core.models import Bar, Tick
from app.feeds.base import ErrorHandler, Instrument, Market, TickSink
from app.market.csv_bars import load_bars
from app.market.quality_types import RawTick
from app.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

__all__ = [
    "BAR_WALL_SECONDS",
    "DEFAULT_SERIES",
    "MAX_SPEED",
    "MIN_SPEED",
    "RESOURCE_DIR",
    "WAKE_SECONDS",
    "DemoFeed",
    "DemoGap",
    "DemoSeries",
    "ReplayBar",
    "bar_to_ticks",
    "to_replay_bars",
]

RESOURCE_DIR = RESOURCES_DIR / "data"
BAR_WALL_SECONDS = 0.25  # wall time per bar at speed 1.0
WAKE_SECONDS = 0.05  # worker wake period: the batching window
MIN_SPEED, MAX_SPEED = 0.1, 1000.0
# If the worker was stalled (debugger, laptop sleep), resume instead of flooding the sink
# with everything that "would have" happened meanwhile.
MAX_CATCHUP_SECONDS = 1.0
ASHARE_AUCTION_TIME = time(9, 30)  # Eastmoney's 09:30 row is the opening call-auction print
_WEEK = timedelta(weeks=1)
_ERROR_LOG_FIRST = 3  # full tracebacks for the first errors, then one per _ERROR_LOG_EVERY
_ERROR_LOG_EVERY = 100
# backfill() selects laps on epoch seconds but shifts like the ticks (wall-clock datetime
# arithmetic); the margin covers a daylight-saving hour should a series' zone have one.
_BACKFILL_MARGIN_S = 2 * 3600.0

PriceTick = tuple[datetime, float, float]  # (time, price, volume)


@dataclass(frozen=True, slots=True)
class DemoSeries:
    """One replayable bar file and how to read it.

    ``stamp`` says what the file's timestamps label: ``'start'`` (Binance: candle open
    time) or ``'end'`` (Eastmoney: the minute that just closed). ``interval`` is the bar
    length.
    """

    symbol: str
    name: str
    file: Path
    tz: tzinfo
    stamp: Literal["start", "end"]
    market: Market
    price_decimals: int = 2
    interval: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if self.stamp not in ("start", "end"):
            raise ValueError(f"DemoSeries.stamp must be 'start' or 'end', got {self.stamp!r}")
        if self.interval <= timedelta(0):
            raise ValueError(f"DemoSeries.interval must be positive, got {self.interval}")

    def instrument(self) -> Instrument:
        tz_name = getattr(self.tz, "key", None) or str(self.tz)
        return Instrument(
            symbol=self.symbol,
            name=self.name,
            tz_name=tz_name,
            market=self.market,
            price_decimals=self.price_decimals,
            prev_close=None,  # the shipped files start a session; no earlier close is known
        )


DEFAULT_SERIES: tuple[DemoSeries, ...] = (
    DemoSeries(
        symbol="BTC/USDT",
        name="Bitcoin",
        file=RESOURCE_DIR / "BTCUSDT_1m_2025-03.csv",
        tz=ZoneInfo("UTC"),
        stamp="start",
        market="crypto",
        price_decimals=2,
    ),
    DemoSeries(
        symbol="600519.SH",
        name="贵州茅台",
        file=RESOURCE_DIR / "600519.SH_1m_2026-03-23_2026-03-27.csv",
        tz=ZoneInfo("Asia/Shanghai"),
        stamp="end",
        market="ashare",
        price_decimals=2,
    ),
)


@dataclass(frozen=True, slots=True)
class DemoGap:
    """Drop ``bars`` consecutive live bars of ``symbol`` after ``after_bars`` live bars.

    Simulates a connection drop: those bars' ticks are never delivered (counted in
    ``DemoFeed.skipped_ticks``). Bars are counted as the replay plays them (source rows:
    an A-share 09:30 auction print is a row of its own). It happens once: live bars are
    counted from the replay's start across laps, so later laps replay those rows normally.
    ``backfill`` still has them, as a real exchange would.
    """

    symbol: str
    after_bars: int
    bars: int

    def __post_init__(self) -> None:
        for name, low in (("after_bars", 0), ("bars", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"DemoGap.{name} must be an int >= {low}, got {value!r}")

    def skips(self, live_bar: int) -> bool:
        return self.after_bars <= live_bar < self.after_bars + self.bars


@dataclass(frozen=True, slots=True)
class ReplayBar:
    """A bar re-labelled with its START time and the span its ticks occupy.

    ``duration`` is zero for a single print (the A-share opening call auction).
    """

    bar: Bar
    duration: timedelta


def to_replay_bars(bars: list[Bar], series: DemoSeries) -> list[ReplayBar]:
    """Relabel loaded bars to start times: 'end'-stamped bars cover [stamp - interval, stamp).

    Exception: an A-share 09:30 row is the call-auction print, a single trade AT 09:30, so
    it stays there with zero duration (it then shares the 09:30 minute with the first
    continuous-trading minute, as on a real terminal).
    """
    bars = [_open_inside(b) for b in bars]
    if series.stamp == "start":
        return [ReplayBar(b, series.interval) for b in bars]
    out: list[ReplayBar] = []
    zero = timedelta(0)
    for b in bars:
        if series.market == "ashare" and _is_auction(b.time, series.tz):
            out.append(ReplayBar(b, zero))
        else:
            start = b.time - series.interval
            moved = Bar(b.symbol, start, b.open, b.high, b.low, b.close, b.volume)
            out.append(ReplayBar(moved, series.interval))
    return out


def _open_inside(bar: Bar) -> Bar:
    """A repaired open (the previous close, see csv_bars) can lie outside the bar after a
    gap; a replayed trade path must stay inside the bar, so the demo starts at the nearest
    price the bar really traded."""
    clamped = min(max(bar.open, bar.low), bar.high)
    if clamped == bar.open:
        return bar
    return Bar(bar.symbol, bar.time, clamped, bar.high, bar.low, bar.close, bar.volume)


def _is_auction(stamp: datetime, tz: tzinfo) -> bool:
    local = stamp.astimezone(tz)
    return local.time() == ASHARE_AUCTION_TIME


def bar_to_ticks(
    bar_open_time: datetime,
    duration: timedelta,
    o: float,
    h: float,
    low: float,
    c: float,
    v: float,
) -> list[PriceTick]:
    """Turn one OHLCV bar into plausible ticks ``(time, price, volume)``.

    Path: open, then low-then-high if the bar closed up (c >= o) else high-then-low, then
    close -- the order that makes the bar's own close the natural end. Consecutive equal
    prices are merged (a flat bar is one tick). Times are spread evenly strictly inside
    the bar, ``start + duration * k / (n + 1)``: never on the start itself, so a zero-length
    print placed exactly at a bar start (the 09:30 auction) still precedes them. Volume is
    split evenly and sums to ``v``. ``duration <= 0`` means a single print at
    ``bar_open_time`` at the close price.
    """
    if duration <= timedelta(0):
        return [(bar_open_time, c, v)]
    path = (o, low, h, c) if c >= o else (o, h, low, c)
    prices = [path[0]]
    for price in path[1:]:
        if price != prices[-1]:
            prices.append(price)
    n = len(prices)
    share = v / n
    volumes = [share] * (n - 1) + [v - share * (n - 1)]
    return [
        (bar_open_time + duration * (k + 1) / (n + 1), price, vol)
        for k, (price, vol) in enumerate(zip(prices, volumes, strict=True))
    ]


def _as_played(replay: ReplayBar) -> Bar:
    """The bar the replayed ticks of ``replay`` make: a zero-duration row is one print at
    its close (see ``bar_to_ticks``), so that is all it contributes to its minute."""
    bar = replay.bar
    if replay.duration > timedelta(0) or bar.open == bar.high == bar.low == bar.close:
        return bar
    c = bar.close
    return Bar(bar.symbol, bar.time, c, c, c, c, bar.volume)


def _as_raw(ticks: list[Tick], due: list[float], position: float, speed: float) -> list[RawTick]:
    """The replay's ticks as a feed adapter would hand them over: exchange time = the
    recorded time; ``received`` = that time plus how long the tick really waited in the
    replay (wall seconds since it became due), so the health view's latency is measured."""
    wall_per_bar = BAR_WALL_SECONDS / speed
    return [
        RawTick(t.symbol, t.time.timestamp(), t.price, volume=t.volume,
                received=t.time.timestamp() + (position - at) * wall_per_bar)
        for t, at in zip(ticks, due, strict=True)
    ]


def _merge_same_start(bars: list[Bar]) -> list[Bar]:
    """Fold consecutive bars sharing a start time into one (the 09:30 auction + 09:30 minute).

    That is exactly the bar a tick-driven bar builder makes from the replayed ticks, so the
    chart's history and its live bars agree, and history times are strictly increasing.
    """
    out: list[Bar] = []
    for b in bars:
        if out and out[-1].time == b.time:
            a = out[-1]
            high, low = max(a.high, b.high), min(a.low, b.low)
            out[-1] = Bar(a.symbol, a.time, a.open, high, low, b.close, a.volume + b.volume)
        else:
            out.append(b)
    return out


def _validate_speed(speed: float) -> float:
    if isinstance(speed, bool) or not isinstance(speed, (int, float)):
        # ValueError (not TypeError) on purpose: callers (settings dialog, CLI) catch one type.
        raise ValueError(f"speed must be a number, got {speed!r}")
    if not math.isfinite(speed) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(
            f"speed must be a finite number from {MIN_SPEED:g} to {MAX_SPEED:g} "
            f"(1.0 = one bar per {BAR_WALL_SECONDS * 1000:g} ms); got {speed!r}"
        )
    return float(speed)


def _lap_shift(bars: list[ReplayBar], interval: timedelta) -> timedelta:
    """How far each new lap is moved: the data span rounded UP to whole weeks.

    Whole weeks keep weekday and session alignment (an A-share Monday 09:30 stays a
    Monday 09:30); the +interval guarantees the next lap starts after the last bar ends.
    """
    span = bars[-1].bar.time - bars[0].bar.time + interval
    weeks = max(1, math.ceil(span / _WEEK))
    return _WEEK * weeks


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Every bar a series ever replays, as bars: lap 0 plus a whole-week shift per lap.

    Immutable after construction, so ``DemoFeed.backfill`` reads it from any thread.
    """

    bars: tuple[Bar, ...]  # lap 0, merged like history(); strictly increasing times
    starts: tuple[float, ...]  # epoch seconds of ``bars``
    shift: timedelta

    @classmethod
    def build(cls, replay: list[ReplayBar], interval: timedelta) -> _Timeline:
        bars = tuple(_merge_same_start([_as_played(rb) for rb in replay]))
        shift = _lap_shift(replay, interval) if replay else _WEEK
        return cls(bars, tuple(b.time.timestamp() for b in bars), shift)

    def between(self, start: datetime, end: datetime) -> list[Bar]:
        """Bars (any lap) whose start is in [start, end), oldest first."""
        if not self.bars or end <= start:
            return []
        lo, hi = start.timestamp(), end.timestamp()
        shift_s = self.shift.total_seconds()
        first_lap = max(0, math.floor((lo - self.starts[-1]) / shift_s))
        last_lap = math.floor((hi - self.starts[0] + _BACKFILL_MARGIN_S) / shift_s)
        out: list[Bar] = []
        for lap in range(first_lap, last_lap + 1):
            offset = lap * shift_s
            i0 = bisect.bisect_left(self.starts, lo - offset - _BACKFILL_MARGIN_S)
            i1 = bisect.bisect_left(self.starts, hi - offset + _BACKFILL_MARGIN_S)
            for bar in self.bars[i0:i1]:
                when = bar.time + self.shift * lap  # exactly as _SeriesCursor shifts ticks
                if start <= when < end:
                    out.append(dataclasses.replace(bar, time=when))
        return out


class _SeriesCursor:
    """Replay state of one series: which bar comes next and its not-yet-due ticks.

    Bar ``r`` of the live replay (r = 0 is the first bar after the history) occupies replay
    positions [r, r + 1); a tick at fraction f of its bar is due at position r + f.
    ``gap`` (if any) drops the ticks of some live bars, counted in ``skipped``.
    """

    def __init__(
        self,
        series: DemoSeries,
        bars: list[ReplayBar],
        first_live: int,
        gap: DemoGap | None = None,
    ):
        self.symbol = series.symbol
        self._bars = bars
        self._first_live = first_live
        self._lap_shift = _lap_shift(bars, series.interval)
        self._gap = gap
        self._next_r = 0
        self._pending: deque[tuple[float, Tick]] = deque()
        self.skipped = 0

    def time_at(self, position: float) -> float:
        """Simulated epoch seconds at replay ``position``: start of bar floor(position)
        plus the elapsed fraction of its duration (shifted per lap like the ticks)."""
        r = math.floor(position)
        lap, index = divmod(self._first_live + r, len(self._bars))
        replay = self._bars[index]
        start = replay.bar.time + self._lap_shift * lap
        return start.timestamp() + (position - r) * replay.duration.total_seconds()

    def take_due(self, position: float, out: list[Tick], due: list[float] | None = None) -> None:
        """Append every tick due at or before ``position`` to ``out``, in time order (and
        the replay position each became due at to ``due``, when given)."""
        pending = self._pending
        while True:
            if not pending:
                if self._next_r > position:
                    return
                self._next_r += 1  # first, so a bar that fails to load is skipped, not retried
                self._load_bar(self._next_r - 1)
            while pending and pending[0][0] <= position:
                at, tick = pending.popleft()
                out.append(tick)
                if due is not None:
                    due.append(at)
            if pending:
                return

    def _load_bar(self, r: int) -> None:
        lap, index = divmod(self._first_live + r, len(self._bars))
        replay = self._bars[index]
        bar = replay.bar
        start = bar.time + self._lap_shift * lap
        ticks = bar_to_ticks(
            start, replay.duration, bar.open, bar.high, bar.low, bar.close, bar.volume
        )
        if self._gap is not None and self._gap.skips(r):
            self.skipped += len(ticks)  # the "connection" is down: never delivered
            return
        for when, price, volume in ticks:
            fraction = (when - start) / replay.duration if replay.duration else 0.0
            self._pending.append((r + fraction, Tick(self.symbol, when, price, volume)))


class DemoFeed:
    """Replays ``series`` as live ticks into ``sink`` from one daemon worker thread.

    Construction loads the bar files (raises ``BarFileError`` if one is unusable), so a
    broken install fails at startup, not silently in the worker.
    """

    def __init__(
        self,
        sink: TickSink,
        *,
        speed: float = 1.0,
        history_bars: int = 240,
        series: Sequence[DemoSeries] = DEFAULT_SERIES,
        on_error: ErrorHandler | None = None,
        gap: DemoGap | None = None,
    ):
        if isinstance(history_bars, bool) or not isinstance(history_bars, int) or history_bars < 0:
            raise ValueError(f"history_bars must be an int >= 0, got {history_bars!r}")
        if not series:
            raise ValueError("DemoFeed needs at least one series")
        symbols = [s.symbol for s in series]
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"DemoFeed series symbols must be unique, got {symbols}")
        if gap is not None and gap.symbol not in symbols:
            raise ValueError(f"DemoGap symbol {gap.symbol!r} is not a series ({symbols})")
        self._sink = sink
        self._on_error = on_error
        self._speed = _validate_speed(speed)
        self._series = tuple(series)
        self._history: dict[str, list[Bar]] = {}
        self._cursors: list[_SeriesCursor] = []
        self._timelines: dict[str, _Timeline] = {}
        for s in self._series:
            replay = to_replay_bars(load_bars(s.file, s.symbol, s.tz), s)
            first_live = min(history_bars, len(replay))
            played = [_as_played(rb) for rb in replay[:first_live]]
            self._history[s.symbol] = _merge_same_start(played)
            own_gap = gap if gap is not None and gap.symbol == s.symbol else None
            self._cursors.append(_SeriesCursor(s, replay, first_live, own_gap))
            self._timelines[s.symbol] = _Timeline.build(replay, s.interval)
        self._position = 0.0  # replay position in bars, advanced only by the worker
        # Per-symbol simulated time, written by the worker after each delivery (so it
        # never runs ahead of the ticks handed out), read from any thread.
        self._clocks: dict[str, float] = {c.symbol: c.time_at(0.0) for c in self._cursors}
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._ticks_sent = 0
        self._batches_sent = 0
        self._error_count = 0

    # ------------------------------------------------------------------ public API

    def instruments(self) -> list[Instrument]:
        return [s.instrument() for s in self._series]

    def history(self, symbol: str) -> list[Bar]:
        """The first ``history_bars`` source bars with START times, oldest first.

        Live ticks continue right after them. An A-share 09:30 auction row and the 09:30
        minute are returned merged as one 09:30 bar (see ``_merge_same_start``), so a day
        of 241 rows gives 240 history bars and times are strictly increasing.
        """
        try:
            return list(self._history[symbol])
        except KeyError:
            raise self._unknown(symbol) from None

    def backfill(self, symbol: str, start: datetime, end: datetime) -> list[Bar]:
        """The recorded bars of ``symbol`` whose START is in [start, end), oldest first.

        What a REST history call would return: every lap (shifted by whole weeks exactly
        as the live ticks are), history and live range alike, including bars a ``DemoGap``
        kept off the live stream; the 09:30 auction is merged into the 09:30 bar as in
        ``history()``. Equal to the bars built from the replayed ticks of those minutes.
        Thread-safe (reads immutable data). ``start``/``end`` must be tz-aware.
        """
        timeline = self._timelines.get(symbol)
        if timeline is None:
            raise self._unknown(symbol)
        for name, value in (("start", start), ("end", end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"backfill {name} must be tz-aware, got {value!r}")
        return timeline.between(start, end)

    def clock(self, symbol: str) -> float:
        """How far the replay of ``symbol`` has got, in simulated epoch seconds.

        Start of the current bar plus the elapsed fraction of its duration; the first live
        bar's start before any tick; never decreases. A real feed's clock is
        ``time.time()``; the demo replays two eras at once, hence one clock per symbol.
        Thread-safe read.
        """
        try:
            return self._clocks[symbol]
        except KeyError:
            raise self._unknown(symbol) from None

    @property
    def skipped_ticks(self) -> int:
        """Ticks a ``DemoGap`` kept from the sink so far."""
        return sum(c.skipped for c in self._cursors)

    def _unknown(self, symbol: str) -> KeyError:
        known = ", ".join(self._history)
        return KeyError(f"unknown demo symbol {symbol!r} (known: {known})")

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change replay speed; safe while running (the worker reads it on each wake)."""
        self._speed = _validate_speed(speed)

    @property
    def ticks_sent(self) -> int:
        return self._ticks_sent

    @property
    def batches_sent(self) -> int:
        return self._batches_sent

    @property
    def error_count(self) -> int:
        return self._error_count

    @property
    def is_running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Launch the worker. After ``stop()`` it resumes where the replay left off.

        Raises RuntimeError if already running (a second worker would double every tick).
        """
        with self._lifecycle:
            if self.is_running:
                raise RuntimeError("DemoFeed is already running (or still stopping)")
            self._stop_event.clear()
            self._thread = threading.Thread(target=self._run, name="DemoFeed", daemon=True)
            self._thread.start()
        log.info("DemoFeed started (speed %gx, %d series)", self._speed, len(self._series))

    def stop(self) -> None:
        """Signal the worker and join it (at most 2 s). Idempotent; safe from the sink."""
        self._stop_event.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return  # never started, or called from inside the sink: the loop exits on return
        with self._lifecycle:
            thread.join(timeout=2.0)
            if thread.is_alive():
                log.warning("DemoFeed worker did not stop within 2 s (sink blocked?)")
                return
            self._thread = None
        log.info("DemoFeed stopped after %d ticks, %d errors", self._ticks_sent, self._error_count)

    # ------------------------------------------------------------------ worker

    def _run(self) -> None:
        last = _time.monotonic()
        while not self._stop_event.wait(WAKE_SECONDS):
            now = _time.monotonic()
            elapsed, last = min(now - last, MAX_CATCHUP_SECONDS), now
            try:
                self._step(elapsed)
            except Exception as exc:  # the worker must survive any step failure
                self._report(exc)

    def _step(self, elapsed: float) -> None:
        """Advance the replay by ``elapsed`` wall seconds and deliver what became due."""
        self._position += elapsed * self._speed / BAR_WALL_SECONDS
        ticks: list[Tick] = []
        due: list[float] = []
        try:
            for cursor in self._cursors:
                cursor.take_due(self._position, ticks, due)
            if ticks:
                batch = _as_raw(ticks, due, self._position, self._speed)
                self._sink(batch)
                self._ticks_sent += len(batch)
                self._batches_sent += 1
        finally:  # the replay advanced even if the sink failed
            self._advance_clocks()

    def _advance_clocks(self) -> None:
        for cursor in self._cursors:
            now = cursor.time_at(self._position)
            if now > self._clocks[cursor.symbol]:  # monotonic even for odd bar spacing
                self._clocks[cursor.symbol] = now

    def _report(self, exc: Exception) -> None:
        self._error_count += 1
        count = self._error_count
        if count <= _ERROR_LOG_FIRST or count % _ERROR_LOG_EVERY == 0:
            log.error("DemoFeed step failed (error #%d); replay continues", count, exc_info=exc)
        if self._on_error is None:
            return
        try:
            self._on_error(exc)
        except Exception:
            log.exception("DemoFeed on_error handler failed")
