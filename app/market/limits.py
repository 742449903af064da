"""A-share daily price-limit bands (涨跌停): which board a code trades on and its band.

Why it matters: a print outside the band cannot have traded, so it must never fire a
stop-loss. The feed's own limit-up/limit-down prices (QMT's ``UpStopPrice`` /
``DownStopPrice``) are always preferred; this table is the fallback when a feed only
gives the previous close. It is deliberately conservative: a code we cannot place on a
board (indices, unknown prefixes) gets no band rather than a wrong one.

Bands as the issue states them: main board ±10 %, ChiNext (创业板) and STAR (科创板)
±20 %, main-board ST/*ST ±5 %, Beijing Stock Exchange ±30 %. Newly listed stocks trade
without a band for their first days; the validator's hold-and-confirm path covers that.
"""

from __future__ import annotations

import math

from app.monitors.sessions import is_ashare

__all__ = ["limit_prices", "limit_ratio"]

# (exchange suffix, code prefixes, band). First match wins; longer prefixes first.
_BOARDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    (".SH", ("688", "689"), 0.20),  # STAR Market 科创板
    (".SH", ("600", "601", "603", "605"), 0.10),  # Shanghai main board
    (".SH", ("51", "56", "58"), 0.10),  # ETFs
    (".SH", ("11",), 0.20),  # convertible bonds
    (".SZ", ("300", "301", "302"), 0.20),  # ChiNext 创业板
    (".SZ", ("000", "001", "002", "003", "004"), 0.10),  # Shenzhen main board
    (".SZ", ("15", "16"), 0.10),  # ETFs / LOFs
    (".SZ", ("12",), 0.20),  # convertible bonds
    (".BJ", ("4", "8", "92"), 0.30),  # Beijing Stock Exchange 北交所
)
_ST_RATIO = 0.05
_MAIN_BOARD_RATIO = 0.10


def limit_ratio(code: str, name: str = "") -> float | None:
    """The daily band of ``code`` as a fraction (0.1 = ±10 %), None when it has none we know.

    ``name`` marks ST stocks ("ST", "*ST" in the short name): their main-board band is
    narrower; ChiNext/STAR/Beijing ST stocks keep their board's band.
    """
    if not is_ashare(code):
        return None
    upper = code.upper()
    number, _, suffix = upper.partition(".")
    suffix = "." + suffix
    if suffix == ".BJ" and number.startswith("899"):  # Beijing indices (北证50 899050)
        return None
    for board_suffix, prefixes, ratio in _BOARDS:
        if suffix == board_suffix and number.startswith(prefixes):
            if ratio == _MAIN_BOARD_RATIO and "ST" in name.upper() and _is_stock(number):
                return _ST_RATIO
            return ratio
    return None


def _is_stock(number: str) -> bool:
    """ETFs and bonds are never ST; only the main-board stock prefixes are."""
    return number.startswith(("600", "601", "603", "605", "000", "001", "002", "003", "004"))


def limit_prices(prev_close: float, ratio: float) -> tuple[float, float] | None:
    """(limit-down, limit-up) as the exchange computes them: previous close × (1 ± band),
    rounded half up to the fen. None for an unusable previous close."""
    if not (math.isfinite(prev_close) and prev_close > 0):
        return None
    up = math.floor(prev_close * (1 + ratio) * 100 + 0.5 + 1e-9) / 100
    down = math.floor(prev_close * (1 - ratio) * 100 + 0.5 + 1e-9) / 100
    return down, up
