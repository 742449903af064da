"""QMT (xtquant) payloads → the app's raw prints, bars and instrument facts.

Why a module of its own: this is where QMT's data becomes ours, so it is where a bad
payload must stop being dangerous. Nothing here raises on a malformed record: a missing
or non-numeric field becomes NaN, so the validator drops the print and counts why; a
payload that is not a mapping at all is counted by the caller. Pure Python + numpy,
testable without xtquant.

Units and clocks (``/work/shared/reference/xtquant.md``):

* ``time`` is epoch **milliseconds**; prints carry epoch seconds and bars tz-aware
  Asia/Shanghai datetimes, whatever the PC's time zone (nothing here calls
  ``time.localtime`` or builds a naive datetime).
* Volume in the app is in **lots** (手), as QMT's own ``volume`` field and the trader's
  screen show it; ``pvolume`` (shares) is used only when ``volume`` is absent. Kline
  volume is checked against ``amount`` and converted when a source gave shares.
* Prices carry float noise (``11.370000000000001``) and are rounded to the instrument's
  ``PriceTick`` before any rule compares them with a level.
* XT labels a kline by the END of its period; the app's bars are labelled by their
  START, in trading time (``app.market.timeframes``): the 09:30 row, which holds only the
  opening call auction's print, is merged into the 09:30 bar, exactly as the bar builder
  puts the 09:25 auction print there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.core.models import Bar
from app.market.quality import RawBatch
from app.market.quality_types import finite_or_nan
from app.market.timeframes import TIMEFRAMES, bar_window
from app.monitors.sessions import SHANGHAI

__all__ = [
    "ConvertedPush",
    "concat_batches",
    "InstrumentFacts",
    "default_price_tick",
    "instrument_facts",
    "kline_to_bars",
    "price_decimals",
    "push_to_batch",
    "round_to_tick",
    "xt_time",
]

NAN = math.nan
_DAY_MS = 86_400_000


def _positive(value: object) -> float:
    """A price field: QMT sends 0 for "none yet" (pre-open, an empty book side)."""
    number = finite_or_nan(value)
    return number if number > 0 else NAN


def default_price_tick(code: str) -> float:
    """The minimum price step when ``get_instrument_detail`` has not said: 0.01 for
    stocks, 0.001 for funds (ETFs/LOFs trade in 0.1 fen), NaN (no rounding) for indices."""
    number, _, market = code.upper().partition(".")
    if market == "SH":
        if number.startswith("000"):
            return NAN  # SSE indices
        if number.startswith("5"):
            return 0.001
        return 0.01
    if market == "SZ":
        if number.startswith("39"):
            return NAN  # SZSE indices
        if number.startswith(("15", "16", "18")):
            return 0.001
        return 0.01
    if market == "BJ":
        return NAN if number.startswith("899") else 0.01
    return NAN


def price_decimals(tick: float) -> int:
    """Decimals to show for a price step: 0.01 → 2, 0.001 → 3; 2 when unknown."""
    if not (math.isfinite(tick) and tick > 0):
        return 2
    return max(0, min(6, round(-math.log10(tick) + 0.4999)))


def round_to_tick(prices: np.ndarray, ticks: np.ndarray) -> np.ndarray:
    """Each price to its instrument's step (NaN step = left as sent), noise removed.

    ``11.370000000000001`` → ``11.37``: a stop at 11.37 then compares equal, as the
    exchange meant it."""
    prices = np.asarray(prices, np.float64)
    ticks = np.asarray(ticks, np.float64)
    usable = np.isfinite(ticks) & (ticks > 0)
    out = prices.copy()
    if usable.any():
        step = ticks[usable]
        decimals = np.clip(np.ceil(-np.log10(step) - 1e-9), 0, 6)
        snapped = np.round(prices[usable] / step) * step
        scale = 10.0 ** decimals
        out[usable] = np.round(snapped * scale) / scale
    return out


def xt_time(ms: object) -> datetime | None:
    """An XT epoch-ms stamp as an Asia/Shanghai datetime (None when unusable)."""
    value = finite_or_nan(ms)
    if not math.isfinite(value):
        return None
    return datetime.fromtimestamp(value / 1000.0, SHANGHAI)


# --------------------------------------------------------------------------- prints
@dataclass(slots=True)
class ConvertedPush:
    """One callback payload as columns; ``malformed`` = records that were not mappings at
    all (left out of the batch and counted by the feed as malformed)."""

    batch: RawBatch
    malformed: int = 0


def _column_of(records: Sequence[Mapping], key: str) -> np.ndarray:
    """One field of every record as float64; anything unusable is NaN.

    ``np.array`` converts a whole column at C speed (None → NaN); only a column holding
    something it cannot read (a word where a number belongs) goes value by value."""
    values = [r.get(key) for r in records]
    try:
        column = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        column = np.fromiter((finite_or_nan(v) for v in values), np.float64, len(values))
    if column.shape != (len(values),):  # a list where a number belongs
        column = np.fromiter((finite_or_nan(v) for v in values), np.float64, len(values))
    column[~np.isfinite(column)] = NAN
    return column


def _level_one(records: Sequence[Mapping], key: str) -> np.ndarray:
    firsts = [v[0] if isinstance(v, (list, tuple)) and v else None
              for v in (r.get(key) for r in records)]
    return _positive_column(np.fromiter((finite_or_nan(v) for v in firsts), np.float64, len(firsts)))


def _positive_column(column: np.ndarray) -> np.ndarray:
    """A price column: QMT's 0 ("none yet", an empty book side) is no price."""
    column[~(column > 0)] = NAN
    return column


def push_to_batch(
    datas: object,
    received: float,
    ticks: Mapping[str, float],
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ConvertedPush:
    """A ``subscribe_whole_quote`` payload ``{code: tick}`` or a ``subscribe_quote('tick')``
    payload ``{code: [tick, ...]}`` (a ``get_full_tick`` answer has the first shape) as one
    ``RawBatch`` in payload order.

    ``ticks``: price step per code (missing → ``default_price_tick``); ``limits``: today's
    (limit-down, limit-up) per code from ``get_instrument_detail``. A payload that is not
    a mapping gives an empty batch and ``malformed=1``.
    """
    if not isinstance(datas, Mapping):
        return ConvertedPush(_empty_batch(), 1)
    symbols: list[str] = []
    records: list[Mapping] = []
    malformed = 0
    for code, value in datas.items():
        if not isinstance(code, str):
            malformed += 1
            continue
        if isinstance(value, Mapping):  # whole quote: one record per code
            symbols.append(code)
            records.append(value)
            continue
        for record in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(record, Mapping):
                symbols.append(code)
                records.append(record)
            else:
                malformed += 1
    if not symbols:
        return ConvertedPush(_empty_batch(), malformed)
    n = len(symbols)
    volume = _column_of(records, "volume")
    no_lots = np.isnan(volume)
    if no_lots.any():  # no lots: derive them from shares
        volume[no_lots] = _column_of(records, "pvolume")[no_lots] / 100.0
    step = np.fromiter((_step(ticks, code) for code in symbols), np.float64, n)
    columns = {
        "time": _column_of(records, "time") / 1000.0,
        "price": _positive_column(_column_of(records, "lastPrice")),
        "cum_volume": volume,
        "cum_turnover": _column_of(records, "amount"),
        "bid": _level_one(records, "bidPrice"),
        "ask": _level_one(records, "askPrice"),
        "day_high": _positive_column(_column_of(records, "high")),
        "day_low": _positive_column(_column_of(records, "low")),
        "prev_close": _positive_column(_column_of(records, "lastClose")),
    }
    for name in ("price", "bid", "ask", "day_high", "day_low", "prev_close"):
        columns[name] = round_to_tick(columns[name], step)
    down = up = None
    if limits:
        pairs = [limits.get(code, (NAN, NAN)) for code in symbols]
        down = np.fromiter((p[0] for p in pairs), np.float64, n)
        up = np.fromiter((p[1] for p in pairs), np.float64, n)
    batch = RawBatch(symbols=symbols, limit_down=down, limit_up=up,
                     received=np.full(n, float(received)), **columns)
    return ConvertedPush(batch, malformed)


def concat_batches(batches: Sequence[RawBatch]) -> RawBatch:
    """Several pushes as one batch, in order (a column one of them lacks is NaN there):
    validation and bar building cost mostly per batch, so a backlog is caught up at once."""
    if len(batches) == 1:
        return batches[0]
    symbols = [s for b in batches for s in b.symbols]
    columns: dict[str, np.ndarray | None] = {}
    for name in _BATCH_COLUMNS:
        if all(getattr(b, name) is None for b in batches):
            columns[name] = None
        else:
            columns[name] = np.concatenate([b.column(name) for b in batches])
    return RawBatch(symbols=symbols, **columns)  # type: ignore[arg-type]


_BATCH_COLUMNS = ("time", "price", "volume", "cum_volume", "cum_turnover", "bid", "ask",
                  "day_high", "day_low", "limit_up", "limit_down", "prev_close", "received")


def _step(ticks: Mapping[str, float], code: str) -> float:
    tick = ticks.get(code)
    return default_price_tick(code) if tick is None else tick


def _empty_batch() -> RawBatch:
    empty = np.empty(0, np.float64)
    return RawBatch(symbols=[], time=empty, price=empty)


# --------------------------------------------------------------------------- bars
_KLINE_FIELDS = ("time", "open", "high", "low", "close", "volume", "amount")


def _column(source: object, name: str, n: int | None) -> list[object]:
    try:
        values = source[name]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return [None] * (n or 0)
    tolist = getattr(values, "tolist", None)
    return list(tolist() if callable(tolist) else values)


def _kline_rows(source: object) -> list[tuple[float, ...]]:
    """Rows of (time_ms, o, h, l, c, volume, amount) from a ``get_market_data_ex`` frame
    (or a mapping of columns) or from a ``subscribe_quote`` push's list of bar dicts."""
    if isinstance(source, (list, tuple)):
        rows = []
        for record in source:
            if isinstance(record, Mapping):
                rows.append(tuple(finite_or_nan(record.get(f)) for f in _KLINE_FIELDS))
        return rows
    times = _column(source, "time", None)
    n = len(times)
    columns = [times] + [_column(source, f, n) for f in _KLINE_FIELDS[1:]]
    return [tuple(finite_or_nan(col[i]) if i < len(col) else NAN for col in columns) for i in range(n)]


def _lot_factor(rows: Sequence[tuple[float, ...]]) -> float:
    """1.0 when volume is already in lots, 0.01 when the source gave shares.

    turnover / (volume × close) is about 100 for lots and about 1 for shares; the median
    over the rows that traded decides (an index's figures fall outside both: kept)."""
    ratios = [a / (v * c) for _t, _o, _h, _l, c, v, a in rows
              if v > 0 and c > 0 and a > 0 and math.isfinite(a)]
    if not ratios:
        return 1.0
    ratio = float(np.median(ratios))
    return 0.01 if 0.5 <= ratio <= 2.0 else 1.0


def kline_to_bars(code: str, source: object, period: str) -> list[Bar]:
    """XT klines (bar-END stamps) → the app's bars (bar-START, trading time), oldest first.

    Rows are grouped by the app's own bar window of the instant just before their stamp,
    so the 09:30 auction row joins the 09:30 bar (its open is the auction price) and an
    11:30 or 15:00 stamp closes the morning's or the day's last bar. Daily rows are
    stamped at the day's midnight (a start, not an end) and kept on their day. A row
    without a usable time or price is skipped; duplicate stamps keep the last row (a
    push repeats the forming bar as it grows).
    """
    if period not in TIMEFRAMES:
        raise ValueError(f"unknown period {period!r}; expected one of {tuple(TIMEFRAMES)}")
    by_stamp: dict[float, tuple[float, ...]] = {}
    for row in _kline_rows(source):
        stamp, o, h, lo, c = row[:5]
        if not all(math.isfinite(x) for x in (stamp, c)) or c <= 0:
            continue
        by_stamp[stamp] = row
    if not by_stamp:
        return []
    rows = [by_stamp[s] for s in sorted(by_stamp)]
    factor = _lot_factor(rows)
    daily = TIMEFRAMES[period] >= 86_400
    merged: dict[float, list[float]] = {}
    for stamp, o, h, lo, c, v, _a in rows:
        seconds = stamp / 1000.0
        probe = seconds + 10 * 3600 if daily else seconds - 0.001
        start = bar_window(code, period, probe)[0]
        o = o if o > 0 else c
        h = max(h, o, c) if h > 0 else max(o, c)
        lo = min(lo, o, c) if lo > 0 else min(o, c)
        volume = v * factor if v == v and v >= 0 else 0.0
        bar = merged.get(start)
        if bar is None:
            merged[start] = [o, h, lo, c, volume]
        else:  # the auction row, then the first minute: one bar
            bar[1] = max(bar[1], h)
            bar[2] = min(bar[2], lo)
            bar[3] = c
            bar[4] += volume
    return [
        Bar(code, datetime.fromtimestamp(start, SHANGHAI), o, h, lo, c, volume)
        for start, (o, h, lo, c, volume) in sorted(merged.items())
    ]


# --------------------------------------------------------------------------- instruments
@dataclass(frozen=True, slots=True)
class InstrumentFacts:
    """What ``get_instrument_detail`` tells the alerts about one code for today.

    Limit prices change daily (and are what the validator checks prints against);
    ``suspended`` follows ``InstrumentStatus >= 1``, the test xtquant's own tools use.
    """

    code: str
    name: str
    prev_close: float | None
    limit_up: float | None
    limit_down: float | None
    price_tick: float
    suspended: bool
    trading_day: str

    @property
    def decimals(self) -> int:
        return price_decimals(self.price_tick)


def _optional_price(value: object) -> float | None:
    number = _positive(value)
    return number if math.isfinite(number) else None


def instrument_facts(code: str, detail: object) -> InstrumentFacts | None:
    """Facts from a ``get_instrument_detail`` answer; None when QMT does not know the code."""
    if not isinstance(detail, Mapping):
        return None
    name = detail.get("InstrumentName")
    tick = _positive(detail.get("PriceTick"))
    if not math.isfinite(tick):
        tick = default_price_tick(code)
    status = finite_or_nan(detail.get("InstrumentStatus"))
    steps = np.array([tick])
    up, down, prev = (_optional_price(detail.get(k)) for k in
                      ("UpStopPrice", "DownStopPrice", "PreClose"))

    def snap(value: float | None) -> float | None:
        return None if value is None else float(round_to_tick(np.array([value]), steps)[0])

    return InstrumentFacts(
        code=code,
        name=str(name).strip() if name else code,
        prev_close=snap(prev),
        limit_up=snap(up),
        limit_down=snap(down),
        price_tick=tick,
        suspended=status >= 1,
        trading_day=str(detail.get("TradingDay") or ""),
    )
