"""Fine bars (usually 1-minute) folded into coarser ones, on the market's own bar grid.

Why here and vectorised: the chart switches timeframe on a month of minute bars (44,640
for crypto) and must not stall the GUI; a Python loop per bar would. Bar membership comes
from ``timeframes.bar_windows``, the same rule that live bars and ``once_per_bar`` use, so
a resampled history and the bars built from live ticks agree (A-share 60m bars are
09:30–10:30 ... 14:00–15:00, never clock hours).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from app.core.models import Bar
from app.market.bars import BarSeries
from app.market.timeframes import TIMEFRAMES, FloatArray, bar_starts, timeframe_refusal
from app.monitors.sessions import market_timezone

__all__ = ["resample", "resample_bars", "resample_series"]

OhlcvArrays = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def resample(
    times: npt.ArrayLike,
    open: npt.ArrayLike,  # shadows the builtin on purpose: the OHLCV names are clearest
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    code: str,
    timeframe: str,
) -> OhlcvArrays:
    """Fold bars starting at ``times`` (epoch seconds, strictly increasing) into
    ``timeframe`` bars of ``code``'s market: ``(times, open, high, low, close, volume)``.

    Each output bar is stamped with its window start and takes the first open, the highest
    high, the lowest low, the last close and the summed volume of the input bars starting
    inside it; windows without input bars produce no bar. The input bars must be no longer
    than ``timeframe`` (a bar is placed by its start alone). Raises ValueError for a
    timeframe the market refuses (unknown, or 4h for A-shares), mismatched lengths or
    times that are not strictly increasing.
    """
    refusal = timeframe_refusal(code, timeframe)
    if refusal is not None:
        raise ValueError(f"cannot resample {code} to {timeframe}: {refusal}")
    t, o, h, lo, c, v = _columns(times, open, high, low, close, volume)
    if t.size == 0:
        return t, o, h, lo, c, v
    starts = bar_starts(code, timeframe, t)
    # Strictly increasing times give non-decreasing starts, so every window is one run.
    firsts = np.flatnonzero(np.diff(starts)) + 1
    heads = np.concatenate(([0], firsts))
    tails = np.concatenate((firsts - 1, [t.size - 1]))
    return (
        starts[heads],
        o[heads],
        np.maximum.reduceat(h, heads),
        np.minimum.reduceat(lo, heads),
        c[tails],
        np.add.reduceat(v, heads),
    )


def resample_bars(bars: Sequence[Bar], code: str, timeframe: str) -> list[Bar]:
    """``resample`` for ``Bar`` objects (tz-aware start times); the result's times are on
    the market's clock (Asia/Shanghai for A-shares, UTC otherwise) and its symbol is the
    input's."""
    if not bars:
        return []
    columns = resample(
        [b.time.timestamp() for b in bars],
        [b.open for b in bars],
        [b.high for b in bars],
        [b.low for b in bars],
        [b.close for b in bars],
        [b.volume for b in bars],
        code=code,
        timeframe=timeframe,
    )
    tz = market_timezone(code)
    symbol = bars[0].symbol
    return [
        Bar(symbol, datetime.fromtimestamp(t, tz), o, h, lo, c, v)
        for t, o, h, lo, c, v in zip(*(col.tolist() for col in columns))
    ]


def _columns(*arrays: npt.ArrayLike) -> OhlcvArrays:
    """The six inputs as 1-D float64 arrays, checked for equal length and time order."""
    cols = [np.asarray(a, dtype=np.float64) for a in arrays]
    if any(col.ndim != 1 for col in cols):
        raise ValueError("resample needs 1-D arrays")
    lengths = {col.size for col in cols}
    if len(lengths) != 1:
        raise ValueError(f"resample needs equally long arrays, got lengths {[c.size for c in cols]}")
    t = cols[0]
    if not np.isfinite(t).all():
        raise ValueError("bar times must be finite epoch seconds")
    steps = np.diff(t)
    if (steps <= 0).any():
        i = int(np.argmax(steps <= 0)) + 1
        raise ValueError(
            f"bar times must be strictly increasing: bar {i} ({t[i]:.0f}) does not come "
            f"after bar {i - 1} ({t[i - 1]:.0f})"
        )
    return cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]


def resample_series(base: BarSeries, timeframe: str) -> BarSeries:
    """A new series of ``timeframe`` bars folded from ``base``'s (finer) bars.

    The chart's timeframe switch: the result has the same symbol and zone, its bars
    sit on the market's grid (``BarSeries.bucket``), and live ticks can be added to it
    as to any series.
    """
    out = BarSeries(base.symbol, base.tz, TIMEFRAMES[timeframe])
    if len(base):
        out.load_arrays(*resample(base.times, base.open, base.high, base.low, base.close,
                                  base.volume, code=base.symbol, timeframe=timeframe))
    return out
