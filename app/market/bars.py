"""One symbol's OHLCV bars, built tick by tick, stored column-wise in numpy.

Why numpy columns instead of a list of ``Bar`` objects: the chart needs the
low/high of whatever is visible 30 times a second and draws thousands of bars
at once; slices of contiguous float64 arrays make both cheap. Appending grows
the arrays by doubling (amortised O(1)) rather than ``np.append`` (O(n) per tick).

No Qt here: the headless replay command and the tests use this class directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from app.core.models import Bar, Tick
from app.market.timeframes import TIMEFRAMES, bar_window
from app.monitors.sessions import is_ashare

TickResult = Literal["updated", "new", "late", "dropped"]

FloatArray = npt.NDArray[np.float64]

_INITIAL_CAPACITY = 1024


class BarArrays(NamedTuple):
    """Read-only views of a range of bars (``times`` are bar-start epoch seconds)."""

    times: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray


def _epoch(dt: datetime) -> float:
    """Epoch seconds of a tz-aware datetime.

    Naive datetimes are refused: ``datetime.timestamp()`` would silently read
    them in the PC's local zone, which is exactly the bug the design notes warn
    about (an A-share bar must be Beijing time whatever the PC's zone is).
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: bar/tick times must be tz-aware")
    return dt.timestamp()


class BarSeries:
    """Bars of one symbol and one timeframe, fed by history (``load``) then ticks.

    ``version`` changes on any change; ``history_version`` only when a bar that
    is not the last one changes or a bar is appended. The chart compares them to
    decide between "nothing to do", "redraw the forming bar" and "redraw the
    history picture" -- the last being rare (about once per bar).
    """

    _FIELDS = ("times", "open", "high", "low", "close", "volume")

    def __init__(self, symbol: str, tz: tzinfo, timeframe_s: int = 60) -> None:
        if timeframe_s <= 0:
            raise ValueError("timeframe_s must be positive")
        self.symbol = symbol
        self.tz = tz
        self.timeframe_s = int(timeframe_s)
        # A-share bars follow trading time (the 09:25 auction print is in the 09:30
        # bar, lunch-break prints in the 11:29 bar), exactly as the bar builder makes them;
        # an A-share day is a Beijing day, not a UTC one.
        names = {seconds: name for name, seconds in TIMEFRAMES.items()}
        self._session_timeframe = (
            names.get(self.timeframe_s) if is_ashare(symbol) else None
        )
        self._n = 0
        self._alloc(_INITIAL_CAPACITY)
        self.version = 0
        self.history_version = 0

    # ------------------------------------------------------------------ storage
    def _alloc(self, capacity: int) -> None:
        self._cap = capacity
        self._times: FloatArray = np.empty(capacity, dtype=np.float64)
        self._open: FloatArray = np.empty(capacity, dtype=np.float64)
        self._high: FloatArray = np.empty(capacity, dtype=np.float64)
        self._low: FloatArray = np.empty(capacity, dtype=np.float64)
        self._close: FloatArray = np.empty(capacity, dtype=np.float64)
        self._volume: FloatArray = np.empty(capacity, dtype=np.float64)

    def _grow_to(self, needed: int) -> None:
        """Double the capacity until ``needed`` fits; copies only the used part."""
        if needed <= self._cap:
            return
        cap = self._cap
        while cap < needed:
            cap *= 2
        n = self._n
        old = [getattr(self, "_" + f)[:n] for f in self._FIELDS]
        self._alloc(cap)
        for f, arr in zip(self._FIELDS, old):
            getattr(self, "_" + f)[:n] = arr

    @property
    def capacity(self) -> int:
        """Allocated slots (exposed so tests can check growth, not for callers)."""
        return self._cap

    def _view(self, arr: FloatArray, i0: int, i1: int) -> FloatArray:
        v = arr[i0:i1]
        v.flags.writeable = False
        return v

    # Public read-only views of the used part. They are views, not copies: they
    # stay valid only until the next change (growth reallocates the buffers).
    @property
    def times(self) -> FloatArray:
        return self._view(self._times, 0, self._n)

    @property
    def open(self) -> FloatArray:
        return self._view(self._open, 0, self._n)

    @property
    def high(self) -> FloatArray:
        return self._view(self._high, 0, self._n)

    @property
    def low(self) -> FloatArray:
        return self._view(self._low, 0, self._n)

    @property
    def close(self) -> FloatArray:
        return self._view(self._close, 0, self._n)

    @property
    def volume(self) -> FloatArray:
        return self._view(self._volume, 0, self._n)

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return self._n

    @property
    def last_index(self) -> int:
        """Index of the last (forming) bar, -1 when empty."""
        return self._n - 1

    @property
    def last_price(self) -> float | None:
        return float(self._close[self._n - 1]) if self._n else None

    def _check_index(self, i: int) -> int:
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(f"bar index {i} out of range 0..{self._n - 1}")
        return i

    def bucket(self, epoch: float) -> float:
        """Start (epoch seconds) of the bar a timestamp belongs to."""
        if self._session_timeframe is not None:
            return bar_window(self.symbol, self._session_timeframe, epoch)[0]
        tf = self.timeframe_s
        return float(math.floor(epoch / tf) * tf)

    def time_at(self, i: int) -> datetime:
        """Bar start of bar ``i`` as a datetime in the series' tz (for labels)."""
        i = self._check_index(i)
        return datetime.fromtimestamp(float(self._times[i]), tz=self.tz)

    def bar(self, i: int) -> Bar:
        i = self._check_index(i)
        return Bar(
            symbol=self.symbol,
            time=datetime.fromtimestamp(float(self._times[i]), tz=self.tz),
            open=float(self._open[i]),
            high=float(self._high[i]),
            low=float(self._low[i]),
            close=float(self._close[i]),
            volume=float(self._volume[i]),
        )

    def slice_arrays(self, i0: int, i1: int) -> BarArrays:
        """Read-only views of bars ``i0 <= i < i1`` (clipped to the data, like a slice)."""
        i0 = max(0, min(int(i0), self._n))
        i1 = max(i0, min(int(i1), self._n))
        return BarArrays(
            self._view(self._times, i0, i1),
            self._view(self._open, i0, i1),
            self._view(self._high, i0, i1),
            self._view(self._low, i0, i1),
            self._view(self._close, i0, i1),
            self._view(self._volume, i0, i1),
        )

    def index_of_time(self, epoch: float) -> int | None:
        """Index of the bar whose bucket contains ``epoch``, or None if there is none."""
        b = self.bucket(epoch)
        i = int(np.searchsorted(self._times[: self._n], b))
        if i < self._n and self._times[i] == b:
            return i
        return None

    # ------------------------------------------------------------------ changes
    def _bump(self, history: bool) -> None:
        self.version += 1
        if history:
            self.history_version += 1

    def load(self, bars: Sequence[Bar]) -> None:
        """Replace the contents with history bars (``Bar.time`` = bar start).

        Bars are sorted by time and bucketed to the timeframe; if two fall into
        the same bucket the later one wins (a re-fetched bar replaces the stale one).
        """
        rows: dict[float, Bar] = {}
        for b in bars:
            rows[self.bucket(_epoch(b.time))] = b
        keys = sorted(rows)
        n = len(keys)
        self._n = 0
        self._grow_to(max(n, 1))
        for i, t in enumerate(keys):
            b = rows[t]
            self._times[i] = t
            self._open[i] = b.open
            self._high[i] = b.high
            self._low[i] = b.low
            self._close[i] = b.close
            self._volume[i] = b.volume
        self._n = n
        self._bump(history=True)

    def load_arrays(
        self,
        times: npt.ArrayLike,
        open_: npt.ArrayLike,
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        volume: npt.ArrayLike,
    ) -> None:
        """Replace the contents with bars already in columns (bar-start epoch seconds,
        strictly increasing, already on this series' bar grid).

        Why: a timeframe switch resamples a month of minutes into arrays; turning them
        into ``Bar`` objects only to read them back would cost more than the resampling.
        """
        columns = [np.asarray(a, dtype=np.float64) for a in (times, open_, high, low, close, volume)]
        n = len(columns[0])
        if any(len(c) != n for c in columns):
            raise ValueError("all columns must have the same length")
        if n > 1 and not bool(np.all(np.diff(columns[0]) > 0)):
            raise ValueError("bar times must be strictly increasing")
        self._n = 0
        self._grow_to(max(n, 1))
        for f, column in zip(self._FIELDS, columns):
            getattr(self, "_" + f)[:n] = column
        self._n = n
        self._bump(history=True)

    def merge(self, bars: Sequence[Bar]) -> int:
        """Insert backfilled bars (bar start times) where the series has none; returns how
        many were added. Bars it already has are kept: live bars are what the alerts saw.

        Inserting shifts later indices, so this counts as a history change for the chart.
        """
        have = set(self._times[: self._n].tolist())
        new = {}
        for b in bars:
            t = self.bucket(_epoch(b.time))
            if t not in have and all(math.isfinite(x) for x in (b.open, b.high, b.low, b.close)):
                new[t] = b
        if not new:
            return 0
        n, k = self._n, len(new)
        keys = np.array(sorted(new), dtype=np.float64)
        columns = [getattr(self, "_" + f)[:n].copy() for f in self._FIELDS]
        added = [keys] + [np.array([getattr(new[t], f) for t in keys.tolist()], np.float64)
                          for f in self._FIELDS[1:]]
        order = np.argsort(np.concatenate([columns[0], keys]), kind="stable")
        self._grow_to(n + k)
        for f, old, extra in zip(self._FIELDS, columns, added):
            getattr(self, "_" + f)[: n + k] = np.concatenate([old, extra])[order]
        self._n = n + k
        self._bump(history=True)
        return k

    def add_tick(self, tick: Tick) -> TickResult:
        """Fold one tick into the bars.

        Returns 'updated' (same bar as the last), 'new' (opened a bar),
        'late' (an earlier existing bar: its high/low/volume grow, its close is
        left alone because a late print is not that bar's last trade as far as
        we know), or 'dropped' (before the first bar, in a bucket we have no bar
        for -- we never insert in the middle, which would shift every index the
        chart and the alerts hold -- or a non-finite price).
        """
        price = float(tick.price)
        if not math.isfinite(price):
            return "dropped"
        vol = float(tick.volume) if math.isfinite(tick.volume) else 0.0
        t = self.bucket(_epoch(tick.time))
        n = self._n
        if n == 0 or t > self._times[n - 1]:
            self._grow_to(n + 1)
            self._times[n] = t
            self._open[n] = self._high[n] = self._low[n] = self._close[n] = price
            self._volume[n] = vol
            self._n = n + 1
            self._bump(history=True)
            return "new"
        last = n - 1
        if t == self._times[last]:
            self._high[last] = max(self._high[last], price)
            self._low[last] = min(self._low[last], price)
            self._close[last] = price
            self._volume[last] += vol
            self._bump(history=False)
            return "updated"
        i = self.index_of_time(t)
        if i is None:
            return "dropped"
        self._high[i] = max(self._high[i], price)
        self._low[i] = min(self._low[i], price)
        self._volume[i] += vol
        self._bump(history=True)
        return "late"
