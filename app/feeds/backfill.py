"""Fetches missing bars off the GUI thread, one request at a time.

Why a worker: a backfill is I/O (REST for an exchange, ``get_market_data_ex`` for QMT) and
may take seconds; the GUI must never wait for it. One thread with a queue keeps requests
in order and within a venue's rate limits. Pure Python; results go to a callback that the
Qt bridge turns into a signal.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime

from app.core.models import Bar
from app.market.gaps import Gap
from app.monitors.sessions import market_timezone

log = logging.getLogger(__name__)

__all__ = ["BackfillWorker", "Fetch"]

Fetch = Callable[[str, datetime, datetime], list[Bar]]
"""``fetch(symbol, start, end)``: 1-minute bars (start times) with start in [start, end)."""

Done = Callable[[Gap, list[Bar], str | None], None]
"""``done(gap, bars, error)``: called on the worker thread; ``error`` None on success."""


class BackfillWorker:
    """Runs ``fetch`` for each requested gap on a daemon thread and reports to ``done``."""

    def __init__(self, fetch: Fetch, done: Done) -> None:
        self._fetch = fetch
        self._done = done
        self._queue: queue.Queue[Gap | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def request(self, gap: Gap) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="backfill", daemon=True)
            self._thread.start()
        self._queue.put(gap)

    def stop(self, timeout: float = 2.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            gap = self._queue.get()
            if gap is None:
                return
            tz = market_timezone(gap.symbol)
            start = datetime.fromtimestamp(gap.start, tz=tz)
            end = datetime.fromtimestamp(gap.end, tz=tz)
            try:
                bars = list(self._fetch(gap.symbol, start, end))
                error = None
            except Exception as exc:  # a failed fetch is reported, the worker lives on
                log.warning("backfill of %s %s..%s failed: %s", gap.symbol, start, end, exc)
                bars, error = [], f"{type(exc).__name__}: {exc}"
            try:
                self._done(gap, bars, error)
            except Exception:
                log.exception("backfill result handler failed")
