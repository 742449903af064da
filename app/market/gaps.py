"""Missing 1-minute bars: which minutes should exist, which are absent, and their backfill.

Why: a live feed drops out (Wi-Fi, a QMT restart, an exchange websocket reconnect) and the
bars built from its ticks silently lose minutes. A chart with holes misleads, and an alert
that should have fired inside the hole never does. So the app asks, per symbol, which
minutes are missing, fetches them from the vendor's REST history ("backfill") and merges
them in. A minute that even the backfill cannot supply is recorded as missing for good,
once, so the app never loops re-requesting a minute the exchange does not have.

Which minutes "should exist" is market knowledge: crypto trades every minute; A-shares
have minute bars starting 09:30..11:29 and 13:00..14:59 Shanghai time on XSHG trading
days only (the 09:25 auction print belongs to the 09:30 bar, see ``timeframes``).

Times are epoch seconds (floats, whole minutes) so this works on numpy arrays; the module
is pure (no Qt, no I/O) and is shared by the feed-health view, the app and the tests.
Note: the first A-share query loads the XSHG calendar (seconds, pandas); the app calls
``sessions.warm_up()`` on a worker thread at start-up so the GUI never pays for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from app.core.models import Bar
from app.monitors.sessions import is_ashare, is_trading_day

__all__ = [
    "MINUTE",
    "Gap",
    "GapCount",
    "GapCounts",
    "GapTracker",
    "MergeResult",
    "expected_minutes",
    "find_gaps",
    "merge_bars",
]

FloatArray = npt.NDArray[np.float64]

MINUTE = 60.0
_DAY = 86400
_SHANGHAI_OFFSET = 8 * 3600  # no daylight saving time in China since 1991
_EPOCH_DATE = date(1970, 1, 1)
# Seconds after Shanghai midnight of every A-share minute-bar start: 09:30..11:29, 13:00..14:59.
_ASHARE_DAY_STARTS: FloatArray = np.concatenate(
    [np.arange(9 * 60 + 30, 11 * 60 + 30), np.arange(13 * 60, 15 * 60)]
).astype(np.float64) * MINUTE
_EMPTY: FloatArray = np.empty(0, dtype=np.float64)
# Relative tolerance when deciding whether a backfilled bar really differs: a bar rebuilt
# from ticks can differ from the exchange's in the last bit of a float sum (volume split
# over ticks), which is not a correction worth counting.
_REL_TOL = 1e-9


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of consecutive missing minutes of one symbol.

    ``start`` is the first missing bar's start, ``end`` the last missing bar's start plus
    one minute (epoch seconds), so ``[start, end)`` is exactly what to ask a backfill for.
    "Consecutive" means adjacent in the sequence of EXPECTED minutes: a hole from 11:28 to
    13:02 is one gap of 5 minutes spanning the lunch break, and one request fetches it.
    Hence ``end - start`` can exceed ``missing`` minutes; ``missing`` is the true count.
    """

    symbol: str
    start: float
    end: float
    missing: int


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Outcome of ``merge_bars``: the merged bars and what the backfill changed."""

    bars: list[Bar]
    added: int
    replaced: int


@dataclass(frozen=True, slots=True)
class GapCount:
    """A counter in two units: minutes and gaps."""

    minutes: int = 0
    gaps: int = 0

    def __add__(self, other: GapCount) -> GapCount:
        return GapCount(self.minutes + other.minutes, self.gaps + other.gaps)


@dataclass(frozen=True, slots=True)
class GapCounts:
    """The tracker's three counters.

    ``open``: detected, not yet resolved. ``filled``: minutes that came back (backfill or
    a late live bar); a gap counts as filled when all its minutes came back. ``missing``:
    minutes a backfill attempt did not return -- permanent; a resolved gap with at least
    one such minute counts as a missing gap.
    """

    open: GapCount = GapCount()
    filled: GapCount = GapCount()
    missing: GapCount = GapCount()


# --------------------------------------------------------------------------- pure functions


def _finite(value: object) -> float | None:
    """``value`` as a finite float, or None (NaN, inf, None, strings, ...)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _minute_floor(values: FloatArray) -> FloatArray:
    """Finite values floored to whole minutes (bar starts are whole minutes)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    return np.floor(values / MINUTE) * MINUTE


def expected_minutes(code: str, start: float, end: float) -> FloatArray:
    """Epoch-second starts of every 1-minute bar that should exist with start in [start, end).

    Crypto: every minute. A-shares: 09:30..11:29 and 13:00..14:59 Shanghai starts on XSHG
    trading days (weekends, holidays, lunch and nights have no bars). Non-finite or empty
    ranges give an empty array. Sorted ascending.
    """
    lo, hi = _finite(start), _finite(end)
    if lo is None or hi is None or hi <= lo:
        return _EMPTY.copy()
    if not is_ashare(code):
        first, stop = math.ceil(lo / MINUTE), math.ceil(hi / MINUTE)
        return np.arange(first, stop, dtype=np.int64).astype(np.float64) * MINUTE
    first_day = math.floor((lo + _SHANGHAI_OFFSET) / _DAY)
    last_day = math.floor((hi + _SHANGHAI_OFFSET) / _DAY)
    days = [
        d for d in range(first_day, last_day + 1)
        if is_trading_day(_EPOCH_DATE + timedelta(days=d))
    ]
    if not days:
        return _EMPTY.copy()
    midnights = np.asarray(days, dtype=np.float64) * _DAY - _SHANGHAI_OFFSET
    starts = (midnights[:, None] + _ASHARE_DAY_STARTS[None, :]).ravel()
    return starts[(starts >= lo) & (starts < hi)]


def _runs(code: str, expected: FloatArray, missing_mask: npt.NDArray[np.bool_]) -> list[Gap]:
    """Group missing minutes that are adjacent in ``expected`` into gaps."""
    index = np.flatnonzero(missing_mask)
    if index.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    gaps: list[Gap] = []
    for run in np.split(index, breaks):
        first, last = float(expected[run[0]]), float(expected[run[-1]])
        gaps.append(Gap(code, first, last + MINUTE, int(run.size)))
    return gaps


def find_gaps(code: str, bar_starts: FloatArray, start: float, end: float) -> list[Gap]:
    """Gaps among the minutes expected in [start, end) that ``bar_starts`` lacks.

    ``bar_starts`` are epoch-second bar starts (any order; NaN ignored; times not on a
    whole minute are floored). Bars outside the expected minutes (e.g. a demo replaying a
    holiday) are ignored: extra bars are not gaps.
    """
    expected = expected_minutes(code, start, end)
    if expected.size == 0:
        return []
    present = np.isin(expected, _minute_floor(bar_starts))
    return _runs(code, expected, ~present)


def _same_values(a: Bar, b: Bar) -> bool:
    pairs = (
        (a.open, b.open), (a.high, b.high), (a.low, b.low), (a.close, b.close),
        (a.volume, b.volume),
    )
    return all(math.isclose(x, y, rel_tol=_REL_TOL, abs_tol=1e-12) for x, y in pairs)


def merge_bars(existing: Sequence[Bar], backfill: Sequence[Bar]) -> MergeResult:
    """Merge backfilled bars into existing ones: time-sorted, one bar per time.

    A backfilled bar fills a missing time (``added``). Where both have a time, the
    backfilled bar wins -- it is the exchange's final bar, while ours was built from the
    ticks we happened to receive -- and counts as ``replaced`` only if its values differ
    (beyond float noise). Duplicate times inside one input: the later bar wins.
    Bar times must be comparable (all tz-aware).
    """
    rows: dict[datetime, Bar] = {b.time: b for b in existing}
    fresh: dict[datetime, Bar] = {b.time: b for b in backfill}
    added = replaced = 0
    for when, bar in fresh.items():
        old = rows.get(when)
        if old is None:
            added += 1
        elif not _same_values(old, bar):
            replaced += 1
        rows[when] = bar
    return MergeResult([rows[t] for t in sorted(rows)], added, replaced)


# --------------------------------------------------------------------------- tracker


@dataclass(slots=True)
class _OpenGap:
    gap: Gap
    remaining: set[float]
    requested: bool = False


@dataclass(slots=True)
class _SymbolState:
    checked_to: float  # every expected minute starting before this has been judged
    seen: set[float] = field(default_factory=set)  # observed minutes >= checked_to
    open: dict[Gap, _OpenGap] = field(default_factory=dict)
    filled: GapCount = GapCount()
    missing: GapCount = GapCount()


class GapTracker:
    """Per-symbol gap bookkeeping for the app and the feed-health view.

    Lifecycle of a minute: the app tells ``observe_bar`` every CLOSED 1-minute bar;
    ``check(symbol, now)`` judges each expected minute once (from the first observed bar
    on, once the minute is over: start + 60 s <= now) and returns the new gaps; the app calls
    ``backfill_requested(gap)``, fetches, and reports with ``backfilled(symbol, starts)``.
    Minutes that came back are filled; minutes of a requested gap still absent are missing
    for good -- counted, never reported or requested again.

    Judging at the minute's end relies on the app closing bars on the clock (the A-share
    11:29 bar at 11:30, the 14:59 bar at 15:00), not only when the next tick arrives,
    which may be after lunch or the next morning: that would look like a gap every day.

    A hole still growing at ``now`` (the feed is down) is reported as far as it goes; its
    continuation comes back from a later ``check`` as another gap. So the app can backfill
    at once and never waits for the feed to recover.

    Never raises on odd input (NaN, unknown symbols, times before the first bar): such
    calls are ignored. Not thread-safe (one thread owns it). ``max_lookback_s`` bounds how
    far back one ``check`` judges (a bogus first time or a week-long sleep must not build
    millions of minutes); older minutes are skipped, not reported.
    """

    def __init__(self, *, max_lookback_s: float = 7 * _DAY) -> None:
        lookback = _finite(max_lookback_s)
        if lookback is None or lookback <= 0:
            raise ValueError(f"max_lookback_s must be a positive number, got {max_lookback_s!r}")
        self._max_lookback = lookback
        self._states: dict[str, _SymbolState] = {}

    # ----- feeding ------------------------------------------------------------------
    def observe_bar(self, symbol: str, start_epoch: float) -> None:
        """A 1-minute bar of ``symbol`` starting at ``start_epoch`` has closed."""
        when = _finite(start_epoch)
        if when is None or not isinstance(symbol, str):
            return
        when = math.floor(when / MINUTE) * MINUTE
        state = self._states.get(symbol)
        if state is None:
            self._states[symbol] = _SymbolState(checked_to=when, seen={when})
        elif when >= state.checked_to:
            state.seen.add(when)
        else:  # already judged: it only matters if it was missing (a late bar)
            self._fill(state, {when})

    def check(self, symbol: str, now: float) -> list[Gap]:
        """New gaps of ``symbol`` among minutes whose bar has closed by ``now``.

        Each minute is judged once, so each gap is returned once. Empty for an unknown
        symbol (nothing observed yet), a non-finite ``now`` or ``now`` before the first bar.
        """
        state = self._states.get(symbol) if isinstance(symbol, str) else None
        now_s = _finite(now)
        if state is None or now_s is None or now_s < state.checked_to + MINUTE:
            return []  # no whole minute to judge yet: the common case, kept O(1)
        lo = max(state.checked_to, now_s - self._max_lookback)
        expected = expected_minutes(symbol, lo, now_s)
        expected = expected[expected + MINUTE <= now_s]  # only minutes that are over
        if expected.size == 0:
            return []
        state.checked_to = float(expected[-1]) + MINUTE
        seen = np.fromiter(state.seen, dtype=np.float64, count=len(state.seen))
        gaps = _runs(symbol, expected, ~np.isin(expected, seen))
        state.seen = {t for t in state.seen if t >= state.checked_to}
        for gap in gaps:
            in_gap = (expected >= gap.start) & (expected < gap.end)
            state.open[gap] = _OpenGap(gap, {float(t) for t in expected[in_gap]})
        return gaps

    def backfill_requested(self, gap: Gap) -> bool:
        """Note that a backfill for ``gap`` was sent; False if the gap is not open."""
        entry = self._entry(gap)
        if entry is None:
            return False
        entry.requested = True
        return True

    def backfilled(
        self, symbol: str, bar_starts_received: Iterable[float], gap: Gap | None = None
    ) -> None:
        """A backfill answered with bars starting at ``bar_starts_received``.

        Received minutes fill any open gap. Then the attempt is over for ``gap`` (or, when
        None, for every requested gap of the symbol): its minutes still absent become
        missing for good. Received minutes not judged yet count as seen.
        """
        state = self._states.get(symbol) if isinstance(symbol, str) else None
        if state is None:
            return
        received = self._minutes(bar_starts_received)
        state.seen.update(t for t in received if t >= state.checked_to)
        self._fill(state, received)
        if gap is None:
            targets = [e for e in state.open.values() if e.requested]
        else:
            one = self._entry(gap)
            targets = [one] if one is not None and one.gap.symbol == symbol else []
        for entry in targets:
            # Still open, so at least one minute is left (``_fill`` resolves empty gaps).
            del state.open[entry.gap]
            state.missing += GapCount(len(entry.remaining), 1)

    # ----- reading ------------------------------------------------------------------
    def open_gaps(self, symbol: str) -> list[Gap]:
        """Gaps of ``symbol`` detected and not yet resolved, oldest first (as reported)."""
        state = self._states.get(symbol) if isinstance(symbol, str) else None
        if state is None:
            return []
        return sorted(state.open, key=lambda g: g.start)

    def counts(self, symbol: str | None = None) -> GapCounts:
        """Counters of one symbol, or of all symbols when ``symbol`` is None."""
        if symbol is None:
            states = list(self._states.values())
        else:
            one = self._states.get(symbol) if isinstance(symbol, str) else None
            states = [one] if one is not None else []
        total = GapCounts()
        for s in states:
            open_now = GapCount(sum(len(e.remaining) for e in s.open.values()), len(s.open))
            total = GapCounts(
                total.open + open_now, total.filled + s.filled, total.missing + s.missing
            )
        return total

    @property
    def open(self) -> GapCount:
        """Open minutes and gaps, all symbols."""
        return self.counts().open

    @property
    def filled(self) -> GapCount:
        """Filled minutes and gaps, all symbols."""
        return self.counts().filled

    @property
    def missing(self) -> GapCount:
        """Permanently missing minutes and gaps, all symbols."""
        return self.counts().missing

    # ----- internals ----------------------------------------------------------------
    def _entry(self, gap: object) -> _OpenGap | None:
        """The open-gap record of ``gap``, None for anything else (never raises)."""
        if not isinstance(gap, Gap) or not isinstance(gap.symbol, str):
            return None
        state = self._states.get(gap.symbol)
        return state.open.get(gap) if state is not None else None

    @staticmethod
    def _minutes(values: Iterable[float]) -> set[float]:
        out: set[float] = set()
        try:
            for value in values:
                number = _finite(value)
                if number is not None:
                    out.add(math.floor(number / MINUTE) * MINUTE)
        except TypeError:  # not iterable: nothing received
            pass
        return out

    @staticmethod
    def _fill(state: _SymbolState, minutes: set[float]) -> None:
        """Remove ``minutes`` from open gaps; a gap with nothing left is resolved filled."""
        if not minutes:
            return
        for gap, entry in list(state.open.items()):
            found = entry.remaining & minutes
            if not found:
                continue
            entry.remaining -= found
            state.filled += GapCount(len(found), 0)
            if not entry.remaining:
                del state.open[gap]
                state.filled += GapCount(0, 1)
