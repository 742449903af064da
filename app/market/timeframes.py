"""Bar timeframes and the bar a moment belongs to, per market.

Used by the ``once_per_bar`` trigger mode (at most one alert per bar) and, later, by
the bar builder. Times are epoch seconds so the engine can work on numbers.

Crypto bars are aligned to the UTC clock. A-share bars follow the exchange's own
convention, which a Chinese trader reads every day: minute bars count trading time
only, so the 60-minute bars are 09:30–10:30, 10:30–11:30, 13:00–14:00 and
14:00–15:00; the 09:25 call auction belongs to the first bar of the day and the
11:30 and 15:00 closing prints to the last bar of their session.
"""

from __future__ import annotations

import math

from app.monitors.sessions import is_ashare

#: Our timeframe names (ccxt spells them the same) and their length in seconds.
TIMEFRAMES: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "30m": 1800,
    "1h": 3600,
    "4h": 14400,
    "1d": 86400,
}

_SHANGHAI_OFFSET = 8 * 3600  # China has had no daylight saving time since 1991.
_DAY = 86400
_AM_OPEN, _AM_CLOSE = 9 * 3600 + 1800, 11 * 3600 + 1800
_PM_OPEN, _PM_CLOSE = 13 * 3600, 15 * 3600
_MORNING = _AM_CLOSE - _AM_OPEN  # 2 hours of trading time
_EPSILON = 1e-6


def timeframe_refusal(code: str, timeframe: str) -> str | None:
    """Why ``timeframe`` cannot be used for ``code`` (None when it can)."""
    if timeframe not in TIMEFRAMES:
        return f"unknown timeframe {timeframe!r}"
    if is_ashare(code) and timeframe == "4h":
        return "A-shares trade 4 hours a day and have no 4h bars; use 1h or 1d"
    return None


def bar_window(code: str, timeframe: str, epoch: float) -> tuple[float, float]:
    """The [start, end) of the bar of ``timeframe`` that contains ``epoch`` (seconds)."""
    size = TIMEFRAMES[timeframe]
    if not is_ashare(code):
        start = math.floor(epoch / size) * size
        return float(start), float(start + size)
    local = epoch + _SHANGHAI_OFFSET
    day = math.floor(local / _DAY) * _DAY
    if size >= _DAY:
        return day - _SHANGHAI_OFFSET, day + _DAY - _SHANGHAI_OFFSET
    trading = _trading_seconds(local - day)
    index = math.floor(trading / size) * size
    start = day + _wall_clock(index) - _SHANGHAI_OFFSET
    if index + size >= 2 * _MORNING:  # the day's last bar also holds after-close prints
        return float(start), float(day + _DAY - _SHANGHAI_OFFSET)
    end = day + _wall_clock(index + size) - _SHANGHAI_OFFSET
    return float(start), float(end)


def _trading_seconds(time_of_day: float) -> float:
    """Seconds of continuous trading before ``time_of_day``, clamping auctions and breaks
    into the bar they are traded with."""
    if time_of_day < _AM_OPEN:
        return 0.0
    if time_of_day < _AM_CLOSE:
        return time_of_day - _AM_OPEN
    if time_of_day < _PM_OPEN:
        return _MORNING - _EPSILON
    if time_of_day < _PM_CLOSE:
        return _MORNING + time_of_day - _PM_OPEN
    return 2 * _MORNING - _EPSILON


def _wall_clock(trading: float) -> float:
    """Time of day at which ``trading`` seconds of the session have passed. The morning's
    last bar runs on to 13:00, so prints during the lunch break stay in it."""
    if trading < _MORNING:
        return _AM_OPEN + trading
    return _PM_OPEN + trading - _MORNING
