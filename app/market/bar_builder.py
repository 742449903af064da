"""Accepted ticks → OHLCV bars of every timeframe, closed on the clock.

Why a builder apart from the chart's ``BarSeries``: bars must be complete and right
whether or not anybody draws them — the gap detector needs to know a minute is over at
11:30 even when no tick follows until 13:00, and the coarser timeframes must agree with
the 1-minute bars they are made of. The chart keeps its own drawable series.

Rules (the same for live data and replay):

* bar time = bar **start**, windows from ``app.market.timeframes`` (A-share bars follow
  trading time: the 09:25 auction print is in the 09:30 bar, lunch-break prints in the
  morning's last bar, after-close prints in the day's last bar; crypto on the UTC clock;
  no 4h bars for A-shares);
* a bar closes when a tick of a later bar arrives **or** when the clock passes its close
  time (11:30 and 15:00 for the bars that run into the break and the close);
* a tick for a bar already closed (a late print) revises that bar — high, low and volume;
  not its close, which was the last trade we knew of — and is reported as a revision; a
  tick older than the last few closed bars is counted as too late and dropped.

Per timeframe the forming bars of all symbols live in numpy arrays, and a batch is folded
in rounds of one tick per symbol, so a whole-market snapshot is a few array operations.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from app.core.models import Bar
from app.market.timeframes import TIMEFRAMES, bar_window, bar_windows, close_times, window_close
from app.monitors.sessions import is_ashare, market_timezone

__all__ = ["BarBuilder", "BarEvent", "DEFAULT_TIMEFRAMES"]

DEFAULT_TIMEFRAMES: tuple[str, ...] = ("1m", "5m", "15m", "30m", "1h", "4h", "1d")
VECTOR_FROM = 48  # see BarBuilder.vector_from
_RECENT = 3  # closed bars kept per symbol and timeframe for late prints
_ASHARE_PROBE, _CRYPTO_PROBE = "000000.SH", "X/Y"  # bar_windows only asks "A-share or not?"

EventKind = Literal["closed", "revised"]


@dataclass(frozen=True, slots=True)
class BarEvent:
    """A finished bar (``closed``) or a closed bar changed by a late print (``revised``)."""

    timeframe: str
    kind: EventKind
    bar: Bar


class _Frame:
    """Forming bars of one timeframe for every symbol slot."""

    def __init__(self, timeframe: str, capacity: int) -> None:
        self.timeframe = timeframe
        self.start = np.full(capacity, np.nan)
        self.close_at = np.full(capacity, np.nan)
        self.last_closed = np.full(capacity, -np.inf)
        self.o = np.full(capacity, np.nan)
        self.h = np.full(capacity, np.nan)
        self.l = np.full(capacity, np.nan)  # noqa: E741
        self.c = np.full(capacity, np.nan)
        self.v = np.zeros(capacity)
        self.recent: dict[int, deque[list[float]]] = {}  # slot -> [start, o, h, l, c, v]

    def grow(self, capacity: int) -> None:
        for name, fill in (("start", np.nan), ("close_at", np.nan), ("last_closed", -np.inf),
                           ("o", np.nan), ("h", np.nan), ("l", np.nan), ("c", np.nan),
                           ("v", 0.0)):
            old = getattr(self, name)
            new = np.full(capacity, fill)
            new[: len(old)] = old
            setattr(self, name, new)


@dataclass(frozen=True, slots=True)
class _Segments:
    """Runs of consecutive ticks of one symbol in one bar, reduced to OHLCV (arrays)."""

    slot: np.ndarray
    start: np.ndarray
    close_at: np.ndarray
    o: np.ndarray
    h: np.ndarray
    l: np.ndarray  # noqa: E741
    c: np.ndarray
    v: np.ndarray

    def take(self, mask: np.ndarray) -> _Segments:
        return _Segments(*(getattr(self, f)[mask] for f in self.__slots__))


class BarBuilder:
    """Builds bars of ``timeframes`` for any number of symbols from accepted ticks.

    Not thread-safe: the feed's pipeline owns it and serialises calls.
    """

    def __init__(self, timeframes: Sequence[str] = DEFAULT_TIMEFRAMES) -> None:
        unknown = [tf for tf in timeframes if tf not in TIMEFRAMES]
        if unknown:
            raise ValueError(f"unknown timeframe(s) {unknown}; known: {list(TIMEFRAMES)}")
        self.timeframes = tuple(timeframes)
        self._slot_of: dict[str, int] = {}
        self._symbols: list[str] = []
        self._cap = 64
        self._ashare = np.zeros(self._cap, bool)
        self._frames = {tf: _Frame(tf, self._cap) for tf in self.timeframes}
        self.revised = 0
        self.too_late = 0
        #: Batches smaller than this take the per-tick path (numpy's fixed cost per call
        #: outweighs its speed for a few ticks of a busy symbol).
        self.vector_from = VECTOR_FROM

    # ------------------------------------------------------------------ symbols
    def slots(self, symbols: Iterable[str]) -> np.ndarray:
        out = []
        for symbol in symbols:
            slot = self._slot_of.get(symbol)
            if slot is None:
                slot = len(self._symbols)
                if slot >= self._cap:
                    self._grow(self._cap * 2)
                self._slot_of[symbol] = slot
                self._symbols.append(symbol)
                self._ashare[slot] = is_ashare(symbol)
            out.append(slot)
        return np.asarray(out, np.int64)

    def _grow(self, capacity: int) -> None:
        ashare = np.zeros(capacity, bool)
        ashare[: self._cap] = self._ashare
        self._ashare = ashare
        for frame in self._frames.values():
            frame.grow(capacity)
        self._cap = capacity

    # ------------------------------------------------------------------ ticks
    def add(self, symbols: Sequence[str], times: np.ndarray, prices: np.ndarray,
            volumes: np.ndarray) -> list[BarEvent]:
        """Fold accepted ticks (epoch seconds, per symbol in time order) into the bars."""
        slots = self.slots(symbols)
        if len(slots) == 0:
            return []
        if len(slots) < self.vector_from:
            return self._add_small(slots.tolist(), np.asarray(times, np.float64).tolist(),
                                   np.asarray(prices, np.float64).tolist(),
                                   np.asarray(volumes, np.float64).tolist())
        order = np.argsort(slots, kind="stable")  # by symbol, each symbol's ticks in order
        s = slots[order]
        t = np.asarray(times, np.float64)[order]
        p = np.asarray(prices, np.float64)[order]
        v = np.asarray(volumes, np.float64)[order]
        events: list[BarEvent] = []
        for frame in self._frames.values():
            self._fold(frame, s, t, p, v, events)
        return events

    def _windows(self, timeframe: str, s: np.ndarray, t: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, close time, usable) of the bar each tick belongs to."""
        ashare = self._ashare[s]
        start = np.full(len(t), np.nan)
        close_at = np.full(len(t), np.nan)
        for flag, probe in ((True, _ASHARE_PROBE), (False, _CRYPTO_PROBE)):
            mask = ashare == flag
            if not mask.any() or (flag and timeframe == "4h"):
                continue
            start[mask], _ = bar_windows(probe, timeframe, t[mask])
            close_at[mask] = close_times(probe, timeframe, t[mask])
        return start, close_at, np.isfinite(start)

    def _fold(self, frame: _Frame, s: np.ndarray, t: np.ndarray, p: np.ndarray, v: np.ndarray,
              events: list[BarEvent]) -> None:
        """Fold one timeframe. Ticks are grouped into segments (runs of one symbol in one
        bar), reduced with ``reduceat``; each symbol's first segment meets its forming bar,
        the others are whole bars. Symbols with a late tick take the per-segment path."""
        start, close_at, usable = self._windows(frame.timeframe, s, t)
        if not usable.all():
            s, p, v, start, close_at = s[usable], p[usable], v[usable], start[usable], close_at[usable]
        n = len(s)
        if n == 0:
            return
        first = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (start[1:] != start[:-1])])
        last = np.r_[first[1:] - 1, n - 1]
        seg = _Segments(
            s[first], start[first], close_at[first], p[first], np.maximum.reduceat(p, first),
            np.minimum.reduceat(p, first), p[last], np.add.reduceat(v, first),
        )
        slot_first = np.r_[True, seg.slot[1:] != seg.slot[:-1]]
        slot_last = np.r_[seg.slot[1:] != seg.slot[:-1], True]
        current = frame.start[seg.slot]
        reference = np.where(np.isfinite(current), current, frame.last_closed[seg.slot])
        late_first = slot_first & (seg.start < reference) & ~(seg.start == current)
        late_first |= slot_first & ~np.isfinite(current) & (seg.start <= frame.last_closed[seg.slot])
        backwards = ~slot_first & (seg.start < np.r_[-np.inf, seg.start[:-1]])
        irregular = np.isin(seg.slot, seg.slot[late_first | backwards])
        if irregular.any():
            for k in np.flatnonzero(irregular).tolist():
                self._fold_segment(frame, seg, k, events)
            keep = ~irregular
            seg = seg.take(keep)
            slot_first, slot_last = slot_first[keep], slot_last[keep]
            if len(seg.slot) == 0:
                return
        head = np.flatnonzero(slot_first)
        merge = head[frame.start[seg.slot[head]] == seg.start[head]]
        if len(merge):
            i = seg.slot[merge]
            frame.h[i] = np.maximum(frame.h[i], seg.h[merge])
            frame.l[i] = np.minimum(frame.l[i], seg.l[merge])
            frame.c[i] = seg.c[merge]
            frame.v[i] += seg.v[merge]
        opening = np.setdiff1d(head, merge, assume_unique=True)
        if len(opening):
            finishing = seg.slot[opening][np.isfinite(frame.start[seg.slot[opening]])]
            if len(finishing):
                events.extend(self._close(frame, finishing))
            self._open(frame, seg, opening)
        more = head[~slot_last[head]]  # symbols with later bars in this batch
        if len(more):
            events.extend(self._close(frame, seg.slot[more]))
            middle = np.flatnonzero(~slot_first & ~slot_last)
            for k in middle.tolist():
                events.append(self._closed_segment(frame, seg, k))
            tail = np.flatnonzero(~slot_first & slot_last)
            self._open(frame, seg, tail)

    def _add_small(self, slots: list[int], times: list[float], prices: list[float],
                   volumes: list[float]) -> list[BarEvent]:
        """The same folding, one tick at a time in plain floats."""
        events: list[BarEvent] = []
        for slot, t, p, v in zip(slots, times, prices, volumes):
            if not math.isfinite(t):
                continue
            code = _ASHARE_PROBE if self._ashare[slot] else _CRYPTO_PROBE
            for timeframe, frame in self._frames.items():
                if timeframe == "4h" and code is _ASHARE_PROBE:
                    continue
                start, end = bar_window(code, timeframe, t)
                current = float(frame.start[slot])
                if start == current:
                    if p > frame.h[slot]:
                        frame.h[slot] = p
                    if p < frame.l[slot]:
                        frame.l[slot] = p
                    frame.c[slot] = p
                    frame.v[slot] += v
                elif start < current if math.isfinite(current) else start <= frame.last_closed[slot]:
                    self._late(frame, slot, start, p, p, v, events)
                else:
                    if math.isfinite(current):
                        events.extend(self._close(frame, np.array([slot])))
                    frame.start[slot] = start
                    frame.close_at[slot] = window_close(code, start, end)
                    frame.o[slot] = frame.h[slot] = frame.l[slot] = frame.c[slot] = p
                    frame.v[slot] = v
        return events

    def _open(self, frame: _Frame, seg: _Segments, k: np.ndarray) -> None:
        i = seg.slot[k]
        frame.start[i] = seg.start[k]
        frame.close_at[i] = seg.close_at[k]
        frame.o[i], frame.h[i], frame.l[i] = seg.o[k], seg.h[k], seg.l[k]
        frame.c[i], frame.v[i] = seg.c[k], seg.v[k]

    def _closed_segment(self, frame: _Frame, seg: _Segments, k: int) -> BarEvent:
        """A segment that is a whole bar (a later bar of its symbol follows in the batch)."""
        slot = int(seg.slot[k])
        row = [float(seg.start[k]), float(seg.o[k]), float(seg.h[k]), float(seg.l[k]),
               float(seg.c[k]), float(seg.v[k])]
        frame.last_closed[slot] = row[0]
        self._remember(frame, slot, row)
        return BarEvent(frame.timeframe, "closed", self._bar(slot, row))

    def _fold_segment(self, frame: _Frame, seg: _Segments, k: int,
                      events: list[BarEvent]) -> None:
        """One segment at a time, for a symbol whose batch holds a late tick."""
        slot = int(seg.slot[k])
        start = float(seg.start[k])
        current = float(frame.start[slot])
        if start == current:
            frame.h[slot] = max(frame.h[slot], seg.h[k])
            frame.l[slot] = min(frame.l[slot], seg.l[k])
            frame.c[slot] = seg.c[k]
            frame.v[slot] += seg.v[k]
        elif start < current if math.isfinite(current) else start <= frame.last_closed[slot]:
            self._late(frame, slot, start, float(seg.h[k]), float(seg.l[k]), float(seg.v[k]),
                       events)
        else:
            if math.isfinite(current):
                events.extend(self._close(frame, np.array([slot])))
            self._open(frame, seg, np.array([k]))

    def _late(self, frame: _Frame, slot: int, start: float, high: float, low: float,
              volume: float, events: list[BarEvent]) -> None:
        for bar in frame.recent.get(slot, ()):
            if bar[0] == start:
                bar[2] = max(bar[2], high)
                bar[3] = min(bar[3], low)
                bar[5] += volume
                self.revised += 1
                events.append(BarEvent(frame.timeframe, "revised", self._bar(slot, bar)))
                return
        self.too_late += 1

    def _remember(self, frame: _Frame, slot: int, row: list[float]) -> None:
        recent = frame.recent.get(slot)
        if recent is None:
            recent = frame.recent[slot] = deque(maxlen=_RECENT)
        recent.append(row)

    def _close(self, frame: _Frame, slots: np.ndarray) -> list[BarEvent]:
        rows = np.stack([frame.start[slots], frame.o[slots], frame.h[slots], frame.l[slots],
                         frame.c[slots], frame.v[slots]], axis=1).tolist()
        frame.last_closed[slots] = frame.start[slots]
        frame.start[slots] = np.nan
        frame.close_at[slots] = np.nan
        events = []
        for slot, row in zip(slots.tolist(), rows):
            self._remember(frame, slot, row)
            events.append(BarEvent(frame.timeframe, "closed", self._bar(slot, row)))
        return events

    def _bar(self, slot: int, row: list[float]) -> Bar:
        symbol = self._symbols[slot]
        when = datetime.fromtimestamp(row[0], tz=market_timezone(symbol))
        return Bar(symbol, when, row[1], row[2], row[3], row[4], row[5])

    # ------------------------------------------------------------------ clock
    def close_due(self, now: float | np.ndarray) -> list[BarEvent]:
        """Close every forming bar whose close time has passed. ``now`` is the feed's clock
        in epoch seconds, or an array with one clock per symbol slot (a replay)."""
        n = len(self._symbols)
        clock = np.broadcast_to(np.asarray(now, np.float64), (n,)) if n else np.empty(0)
        events: list[BarEvent] = []
        for frame in self._frames.values():
            with np.errstate(invalid="ignore"):
                due = np.flatnonzero(frame.close_at[:n] <= clock)
            if len(due):
                events.extend(self._close(frame, due))
        return events

    def forming(self, symbol: str, timeframe: str = "1m") -> Bar | None:
        """The bar still forming for ``symbol`` (None when there is none)."""
        slot = self._slot_of.get(symbol)
        frame = self._frames.get(timeframe)
        if slot is None or frame is None or not math.isfinite(frame.start[slot]):
            return None
        return self._bar(slot, [float(frame.start[slot]), float(frame.o[slot]),
                                float(frame.h[slot]), float(frame.l[slot]),
                                float(frame.c[slot]), float(frame.v[slot])])

    def symbols(self) -> list[str]:
        return list(self._symbols)
