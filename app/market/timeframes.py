"""Bar timeframes and the bar a moment belongs to, per market.

Used by the ``once_per_bar`` trigger mode (at most one alert per bar) and, later, by
the bar builder. Times are epoch seconds so the engine can work on numbers.
``bar_windows`` and ``close_times`` do the same for whole numpy arrays (resampling a
month of minute bars, a timer-driven bar builder) without a Python loop per element.

Crypto bars are aligned to the UTC clock. A-share bars follow the exchange's own
convention, which a Chinese trader reads every day: minute bars count trading time
only, so the 60-minute bars are 09:30–10:30, 10:30–11:30, 13:00–14:00 and
14:00–15:00; the 09:25 call auction belongs to the first bar of the day and the
11:30 and 15:00 closing prints to the last bar of their session.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from app.monitors.sessions import is_ashare

FloatArray = npt.NDArray[np.float64]

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


# --------------------------------------------------------------------------- vectorised
# The functions below must give bit-for-bit what ``bar_window`` gives, element by element:
# the arithmetic is written in the same order so float64 rounding cannot differ.


def bar_windows(code: str, timeframe: str, epochs: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``bar_window`` for every element of ``epochs``: arrays of bar starts and (exclusive) ends.

    Raises KeyError for an unknown timeframe (like ``bar_window``) and ValueError for a
    non-finite epoch (``bar_window`` cannot place those either).
    """
    size = TIMEFRAMES[timeframe]
    t = _finite_epochs(epochs)
    if not is_ashare(code):
        start = np.floor(t / size) * size
        return start, start + size
    day, start_tod, end_tod = _ashare_bar_clock(size, t)
    return day + start_tod - _SHANGHAI_OFFSET, day + end_tod - _SHANGHAI_OFFSET


def bar_starts(code: str, timeframe: str, epochs: npt.ArrayLike) -> FloatArray:
    """The start of the bar holding each epoch (see ``bar_windows``)."""
    return bar_windows(code, timeframe, epochs)[0]


def bar_ends(code: str, timeframe: str, epochs: npt.ArrayLike) -> FloatArray:
    """The (exclusive) end of the bar holding each epoch (see ``bar_windows``)."""
    return bar_windows(code, timeframe, epochs)[1]


def close_times(code: str, timeframe: str, epochs: npt.ArrayLike) -> FloatArray:
    """When the bar holding each epoch is complete on the clock, for a timer that closes bars.

    This is not always the window end: an A-share window stretches over the lunch break and
    past the close so late prints still find their bar, but nobody should wait for them.
    The bar whose window runs into the lunch break closes at 11:30, the day's last intraday
    bar and the 1d bar at 15:00 (Shanghai); any other bar, and every crypto bar, at its
    window end. A print after 15:00 therefore maps to a close time before itself: its bar
    was already complete.
    """
    size = TIMEFRAMES[timeframe]
    t = _finite_epochs(epochs)
    if not is_ashare(code):
        return (np.floor(t / size) * size) + size
    day, _, end_tod = _ashare_bar_clock(size, t)
    close_tod = np.where(
        end_tod >= _DAY, _PM_CLOSE, np.where(end_tod == _PM_OPEN, _AM_CLOSE, end_tod)
    )
    return day + close_tod - _SHANGHAI_OFFSET


def close_time(code: str, timeframe: str, epoch: float) -> float:
    """``close_times`` for one epoch (seconds): when its bar is complete on the clock."""
    start, end = bar_window(code, timeframe, epoch)
    return window_close(code, start, end)


def window_close(code: str, start: float, end: float) -> float:
    """When the bar window [start, end) of ``code`` is complete on the clock, in plain floats
    (the bar builder's per-tick path); the same rule as ``close_times``."""
    if not is_ashare(code):
        return end
    midnight = math.floor((start + _SHANGHAI_OFFSET) / _DAY) * _DAY - _SHANGHAI_OFFSET
    if end >= midnight + _DAY:
        return midnight + _PM_CLOSE
    if end == midnight + _PM_OPEN:
        return midnight + _AM_CLOSE
    return end


def _finite_epochs(epochs: npt.ArrayLike) -> FloatArray:
    t = np.asarray(epochs, dtype=np.float64)
    if not np.isfinite(t).all():
        raise ValueError("epochs must be finite numbers of seconds (got nan or inf)")
    return t


def _ashare_bar_clock(size: int, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shanghai midnight (as a local epoch) of each element, and its bar's start and end as
    seconds after that midnight; the day's last bar (and the 1d bar) ends at 86400."""
    local = t + _SHANGHAI_OFFSET
    day = np.floor(local / _DAY) * _DAY
    if size >= _DAY:
        return day, np.zeros_like(day), np.full_like(day, _DAY)
    trading = _trading_seconds_array(local - day)
    index = np.floor(trading / size) * size
    start_tod = _wall_clock_array(index)
    last = index + size >= 2 * _MORNING
    end_tod = np.where(last, _DAY, _wall_clock_array(index + size))
    return day, start_tod, end_tod


def _trading_seconds_array(time_of_day: FloatArray) -> FloatArray:
    """``_trading_seconds`` element-wise (same branches, same arithmetic order)."""
    return np.select(
        [time_of_day < _AM_OPEN, time_of_day < _AM_CLOSE, time_of_day < _PM_OPEN,
         time_of_day < _PM_CLOSE],
        [0.0, time_of_day - _AM_OPEN, _MORNING - _EPSILON, _MORNING + time_of_day - _PM_OPEN],
        2 * _MORNING - _EPSILON,
    )


def _wall_clock_array(trading: FloatArray) -> FloatArray:
    """``_wall_clock`` element-wise."""
    return np.where(trading < _MORNING, _AM_OPEN + trading, _PM_OPEN + trading - _MORNING)
