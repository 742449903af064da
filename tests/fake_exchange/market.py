"""Deterministic market model behind the fake exchange (pure Python, no aiohttp, no ccxt).

Why: a test that checks candles or alerts against a live feed must know the exact prices
the feed will see. Here every price comes from recorded 1-minute bars, replayed on an
accelerated clock, so a test can read ``bars()`` to pick alert levels and later compare
what the app built against the same rows.

Series:

* ``BTC/USDT`` — the shipped ``resources/data/BTCUSDT_1m_2025-03.csv`` (real Binance bars).
* ``ETH/USDT`` — a **synthetic** series: the same rows with prices × 0.0275 (rounded to
  0.01) and volume × 30 (rounded to 4 dp). It only exists so that two symbols move
  differently in scale; it is not real ETH data.

Clock: market time ``now_ms() = anchor + (wall − wall_anchor) × speed``. With
``shift_to_now=True`` every bar time is shifted by a whole number of minutes so that bar
``start_index`` opens at the current wall-clock minute (floor) at construction, and the
market starts at the current wall time; at ``speed=60`` a 1m candle lasts one wall second.
The clock stops at the last recorded minute (the last bar then stays forming at f → 1).

Forming candle at fraction ``f`` of its minute: the price walks open → (high then low when
close < open, else low then high) → close, piecewise linear through f = 0, 1/3, 2/3, 1.
Its high/low are the extremes of the path so far, close = path(f) (to 0.01), volume = v × f. At f = 1
the values equal the recorded bar, and closed candles are exactly the recorded bars.
"""

from __future__ import annotations

import csv
import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from app.resources import RESOURCES_DIR

__all__ = [
    "BTC_CSV",
    "CANDLE_MS",
    "SYMBOLS",
    "Bar",
    "FakeMarket",
    "Series",
    "Ticker24h",
    "forming_bar",
]

CANDLE_MS = 60_000
DAY_BARS = 1440
BTC_CSV: Path = RESOURCES_DIR / "data" / "BTCUSDT_1m_2025-03.csv"
SYMBOLS: tuple[str, ...] = ("BTC/USDT", "ETH/USDT")
ETH_PRICE_FACTOR = 0.0275
ETH_VOLUME_FACTOR = 30
PRICE_DP = 2
VOLUME_DP = 8


class Bar(NamedTuple):
    """One 1m candle; compares equal to the plain tuple ``(open_ms, o, h, l, c, v)``."""

    open_ms: int
    o: float
    h: float
    l: float
    c: float
    v: float


@dataclass(frozen=True)
class Ticker24h:
    """Rolling 24h statistics over the last 1440 bars including the forming one."""

    symbol: str
    timestamp_ms: int
    last: float
    bid: float
    ask: float
    open: float
    high: float
    low: float
    base_volume: float
    quote_volume: float

    @property
    def change(self) -> float:
        return round(self.last - self.open, PRICE_DP)

    @property
    def percentage(self) -> float:
        return round((self.last - self.open) / self.open * 100, 3) if self.open else 0.0


# ---------------------------------------------------------------- loading the series


@dataclass(frozen=True)
class Series:
    """Column-wise bars (fast to build and scale); ``bar(i)`` makes one ``Bar``."""

    first_open_ms: int
    o: tuple[float, ...]
    h: tuple[float, ...]
    l: tuple[float, ...]
    c: tuple[float, ...]
    v: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.o)

    def bar(self, index: int, shift_ms: int = 0) -> Bar:
        open_ms = self.first_open_ms + index * CANDLE_MS + shift_ms
        return Bar(
            open_ms, self.o[index], self.h[index], self.l[index], self.c[index], self.v[index]
        )


def _parse_utc_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


@functools.lru_cache(maxsize=4)
def load_csv_series(path: Path = BTC_CSV) -> Series:
    """Read a ``timestamp,open,high,low,close,volume`` file (naive UTC bar-open times).

    The bars must be contiguous minutes (the model indexes them by arithmetic); checked
    cheaply: ISO strings strictly increasing, whole minutes, first-to-last span = rows − 1.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row]
    header, body = rows[0], rows[1:]
    if [name.strip().lower() for name in header[:6]] != [
        "timestamp",
        "open",
        "high",
        "low",
        "close",
        "volume",
    ]:
        raise ValueError(f"{path}: unexpected header {header}")
    stamps, *values = list(zip(*body))[:6]
    first, last = _parse_utc_ms(stamps[0]), _parse_utc_ms(stamps[-1])
    increasing = all(a < b for a, b in zip(stamps, stamps[1:]))
    whole_minutes = all(s.endswith(":00") for s in stamps)
    if not (increasing and whole_minutes and last - first == (len(stamps) - 1) * CANDLE_MS):
        raise ValueError(f"{path}: bars are not contiguous 1-minute rows")
    o, h, l, c, v = (tuple(map(float, column)) for column in values)
    return Series(first, o, h, l, c, v)


def scaled_series(
    series: Series, price_factor: float, volume_factor: float, volume_dp: int
) -> Series:
    """A synthetic series: prices × factor (to 0.01), volume × factor (to ``volume_dp``)."""

    def prices(column: tuple[float, ...]) -> tuple[float, ...]:
        return tuple(round(x * price_factor, PRICE_DP) for x in column)

    volumes = tuple(round(x * volume_factor, volume_dp) for x in series.v)
    return Series(
        series.first_open_ms,
        prices(series.o),
        prices(series.h),
        prices(series.l),
        prices(series.c),
        volumes,
    )


@functools.lru_cache(maxsize=4)
def eth_series(path: Path = BTC_CSV) -> Series:
    """The synthetic ETH/USDT series (see the module docstring)."""
    return scaled_series(load_csv_series(path), ETH_PRICE_FACTOR, ETH_VOLUME_FACTOR, 4)


# ---------------------------------------------------------------- the forming candle


def _path_points(bar: Bar) -> tuple[float, float, float, float]:
    """Vertices at f = 0, 1/3, 2/3, 1: open, (high, low) if falling else (low, high), close."""
    if bar.c < bar.o:
        return (bar.o, bar.h, bar.l, bar.c)
    return (bar.o, bar.l, bar.h, bar.c)


class Trade(NamedTuple):
    """One public trade: id, exchange time (ms), price, amount (base currency)."""

    trade_id: int
    time_ms: int
    price: float
    amount: float


#: Where in its minute each of a candle's four trades happens: at the open, at the two
#: path vertices (high and low), and 1 ms before the minute ends (the close).
TRADE_FRACTIONS = (0.0, 1 / 3, 2 / 3, (CANDLE_MS - 1) / CANDLE_MS)
_TRADE_SHARES = (0.1, 0.3, 0.3)  # of the volume; the close trade takes the rest


def bar_trades(bar: Bar, index: int) -> list[Trade]:
    """The four trades that make ``bar`` exactly: their prices are open, high/low, close
    (in path order) and their amounts add up to the bar's volume."""
    amounts = [round(bar.v * share, 8) for share in _TRADE_SHARES]
    amounts.append(round(bar.v - sum(amounts), 8))
    return [
        Trade(index * 4 + k, bar.open_ms + round(f * CANDLE_MS), price, amount)
        for k, (f, price, amount) in enumerate(zip(TRADE_FRACTIONS, _path_points(bar), amounts))
    ]


def forming_bar(bar: Bar, fraction: float) -> Bar:
    """The candle ``bar`` as seen at ``fraction`` (0..1) of its minute."""
    if fraction >= 1.0:
        return bar
    f = max(0.0, fraction)
    points = _path_points(bar)
    segment = min(int(f * 3), 2)
    local = f * 3 - segment
    start, end = points[segment], points[segment + 1]
    close = round(start + (end - start) * local, PRICE_DP)
    visited = points[: segment + 1] + (close,)
    return Bar(bar.open_ms, bar.o, max(visited), min(visited), close, round(bar.v * f, VOLUME_DP))


# ---------------------------------------------------------------- the market


class FakeMarket:
    """Recorded 1m bars for BTC/USDT and ETH/USDT replayed on an accelerated clock.

    Thread-safe: the clock may be changed from a test thread while a server thread reads.
    """

    tick_size: float = 0.01

    def __init__(
        self,
        speed: float = 60.0,
        shift_to_now: bool = True,
        start_index: int = 600,
        *,
        csv_path: Path = BTC_CSV,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        btc = load_csv_series(csv_path)
        self._series: dict[str, Series] = {"BTC/USDT": btc, "ETH/USDT": eth_series(csv_path)}
        if not 0 <= start_index < len(btc):
            raise ValueError(f"start_index {start_index} outside 0..{len(btc) - 1}")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._wall = wall_clock
        self._lock = threading.Lock()
        wall_now = self._wall()
        raw_start_ms = btc.first_open_ms + start_index * CANDLE_MS
        shift_ms = 0
        if shift_to_now:
            shift_ms = math.floor(wall_now * 1000 / CANDLE_MS) * CANDLE_MS - raw_start_ms
        self.shift_ms = shift_ms
        self.start_index = start_index
        self.first_open_ms = btc.first_open_ms + shift_ms
        self.last_open_ms = self.first_open_ms + (len(btc) - 1) * CANDLE_MS
        self._count = len(btc)
        self._speed = float(speed)
        self._wall_anchor = wall_now
        self._anchor_ms = float(wall_now * 1000 if shift_to_now else raw_start_ms)
        self._paused = False

    # ------------------------------------------------------------ clock

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._series)

    @property
    def speed(self) -> float:
        return self._speed

    def _now_unlocked(self) -> float:
        now = self._anchor_ms
        if not self._paused:
            now += (self._wall() - self._wall_anchor) * 1000 * self._speed
        return min(now, self.last_open_ms + CANDLE_MS - 1)

    def now_ms(self) -> int:
        """Market time in epoch milliseconds."""
        with self._lock:
            return int(self._now_unlocked())

    def now_s(self) -> float:
        """Market time in epoch seconds (float) — the clock for an app feed under test."""
        with self._lock:
            return self._now_unlocked() / 1000

    def _reanchor(self) -> None:
        self._anchor_ms = self._now_unlocked()
        self._wall_anchor = self._wall()

    def set_speed(self, speed: float) -> None:
        """Change the rate from now on (market time does not jump)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self._reanchor()
            self._speed = float(speed)

    def pause(self) -> None:
        """Freeze market time (pushes continue, repeating the same values)."""
        with self._lock:
            self._reanchor()
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._wall_anchor = self._wall()
            self._paused = False

    def advance(self, seconds: float) -> None:
        """Jump market time forward by ``seconds`` (market seconds)."""
        with self._lock:
            self._reanchor()
            self._anchor_ms += seconds * 1000

    # ------------------------------------------------------------ bars

    def _series_of(self, symbol: str) -> Series:
        try:
            return self._series[symbol]
        except KeyError:
            raise KeyError(f"unknown symbol {symbol!r}; have {list(self._series)}") from None

    def _index_at(self, time_ms: float) -> int:
        return int((time_ms - self.first_open_ms) // CANDLE_MS)

    def _forming_at(self, symbol: str, now: float) -> Bar:
        bar = self._series_of(symbol).bar(self._index_at(now), self.shift_ms)
        return forming_bar(bar, (now - bar.open_ms) / CANDLE_MS)

    def forming_index(self) -> int:
        """Index (row of the recorded file) of the candle forming now."""
        with self._lock:
            return self._index_at(self._now_unlocked())

    def forming_open_ms(self) -> int:
        return self.first_open_ms + self.forming_index() * CANDLE_MS

    def recorded(self, symbol: str, open_ms: int) -> Bar:
        """The recorded (final) bar opening at ``open_ms``, closed or not yet."""
        index = self._index_at(open_ms)
        if not 0 <= index < self._count or self.first_open_ms + index * CANDLE_MS != open_ms:
            raise KeyError(f"{symbol}: no bar opens at {open_ms}")
        return self._series_of(symbol).bar(index, self.shift_ms)

    def _slice(self, symbol: str, start_ms: int, end_ms: int, last_index: int) -> list[Bar]:
        """Recorded bars with open in [start_ms, end_ms) and index ≤ last_index."""
        series = self._series_of(symbol)
        first = max(0, -(-(start_ms - self.first_open_ms) // CANDLE_MS))
        stop = min(last_index + 1, self._index_at(end_ms - 1) + 1, self._count)
        return [series.bar(i, self.shift_ms) for i in range(first, stop)]

    def bars(self, symbol: str, start_ms: int, end_ms: int) -> list[Bar]:
        """Closed recorded bars with open in [start_ms, end_ms) — what tests compare against."""
        return self._slice(symbol, start_ms, end_ms, self.forming_index() - 1)

    def trades(self, symbol: str, after_ms: int, until_ms: int) -> list[Trade]:
        """Trades with time in (after_ms, until_ms], never later than market now."""
        series = self._series_of(symbol)
        with self._lock:
            until = min(until_ms, int(self._now_unlocked()))
        if until <= after_ms:
            return []
        first = max(0, self._index_at(after_ms + 1))
        last = min(self._index_at(until), self._count - 1)
        out: list[Trade] = []
        for index in range(first, last + 1):
            for trade in bar_trades(series.bar(index, self.shift_ms), index):
                if after_ms < trade.time_ms <= until:
                    out.append(trade)
        return out

    def forming(self, symbol: str) -> Bar:
        """The candle forming now, as a live exchange reports it."""
        with self._lock:
            now = self._now_unlocked()
        return self._forming_at(symbol, now)

    def candles(self, symbol: str, start_ms: int, end_ms: int) -> list[Bar]:
        """Closed bars in [start_ms, end_ms) plus the forming candle when it opens in range."""
        with self._lock:
            now = self._now_unlocked()
        live = self._forming_at(symbol, now)
        rows = self._slice(symbol, start_ms, end_ms, self._index_at(now) - 1)
        if start_ms <= live.open_ms < end_ms:
            rows.append(live)
        return rows

    def ticker(self, symbol: str) -> Ticker24h:
        """24h ticker now: last = forming close, bid/ask = last ∓ one tick."""
        with self._lock:
            now = self._now_unlocked()
        series = self._series_of(symbol)
        index = self._index_at(now)
        live = self._forming_at(symbol, now)
        first = max(0, index - DAY_BARS + 1)
        closed = range(first, index)
        last = live.c
        return Ticker24h(
            symbol=symbol,
            timestamp_ms=int(now),
            last=last,
            bid=round(last - self.tick_size, PRICE_DP),
            ask=round(last + self.tick_size, PRICE_DP),
            open=series.o[first] if index > first else live.o,
            high=max(live.h, max(series.h[first:index], default=live.h)),
            low=min(live.l, min(series.l[first:index], default=live.l)),
            base_volume=round(sum(series.v[i] for i in closed) + live.v, VOLUME_DP),
            quote_volume=round(sum(series.v[i] * series.c[i] for i in closed) + live.v * live.c, 4),
        )
