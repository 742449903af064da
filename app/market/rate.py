"""Ticks-per-second meter for the status bar.

Why a sliding window: a lifetime average hides a stalled feed, and a per-batch rate
jumps wildly because feeds deliver in bursts (one batch per ~50 ms). Summing the counts
of the last 1-5 s and dividing by the window gives a steady, honest number. Pure and
clock-injectable so it is tested without sleeping.
"""

from __future__ import annotations

import math
import time
from collections import deque

__all__ = ["TickRateMeter"]


class TickRateMeter:
    """Counts events in a sliding time window; ``rate()`` = events per second in it.

    Not thread-safe: feed it on one thread (the GUI thread, from the bridge's slot).
    Until ``window_s`` has passed since the first event the rate is still divided by the
    full window, i.e. it ramps up rather than overshooting on the first burst.
    """

    def __init__(self, window_s: float = 2.0):
        if not (isinstance(window_s, (int, float)) and math.isfinite(window_s) and window_s > 0):
            raise ValueError(
                f"window_s must be a positive finite number of seconds, got {window_s!r}"
            )
        self._window = float(window_s)
        self._events: deque[tuple[float, int]] = deque()
        self._total = 0

    @property
    def window_s(self) -> float:
        return self._window

    def add(self, count: int, now: float | None = None) -> None:
        """Record ``count`` events at ``now`` (monotonic seconds; default: time.monotonic())."""
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        if count == 0:
            return
        now = time.monotonic() if now is None else now
        self._events.append((now, count))
        self._total += count
        self._expire(now)

    def rate(self, now: float | None = None) -> float:
        """Events per second over the last ``window_s`` seconds before ``now``."""
        now = time.monotonic() if now is None else now
        self._expire(now)
        return self._total / self._window

    def reset(self) -> None:
        self._events.clear()
        self._total = 0

    def _expire(self, now: float) -> None:
        """Drop events at or before ``now - window``: the window is (now - window, now]."""
        cutoff = now - self._window
        events = self._events
        while events and events[0][0] <= cutoff:
            self._total -= events.popleft()[1]
