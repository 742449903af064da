"""The one CSV OHLCV bar loader (demo feed, headless replay, tests).

Why one loader: bar files come from many tools (Binance/ccxt dumps, Eastmoney/akshare,
baostock, backtrader samples) that disagree on column order, time format and quirks.
Parsing them in one strict place means every caller sees the same validated ``Bar`` list,
and a bad file is rejected with ONE line that names the file, the line and the reason,
instead of producing a silently wrong chart or a false alert later.

Contract (kept exact, other code and users rely on it):

* A header row is required. Columns are found by name (case-insensitive, surrounding
  spaces ignored) in any order; unknown columns are ignored. Time: ``timestamp``,
  ``datetime``, ``open_time``, ``date`` + ``time`` (combined) or ``date`` alone.
  Prices: ``open``, ``high``, ``low``, ``close``; ``volume`` is optional (0.0 if absent).
* Times may be naive (interpreted in ``default_tz``; kept naive if it is None) or carry
  an offset / ``Z`` (kept as given). ``YYYY/MM/DD`` is accepted like ``YYYY-MM-DD``; a
  date alone means midnight. A purely numeric time is a UTC epoch: milliseconds if
  > 1e11, else seconds.
* ``open <= 0`` (Eastmoney's minute-bar quirk) is replaced by the previous bar's close
  (this bar's close on the first bar), exactly: replay's gap-fill prices depend on it.
  A repaired open may lie outside the bar's low..high (the price gapped between
  minutes), so only a real open is checked against the bar's range.
* Times must be strictly increasing. Everything else that is wrong raises ``BarFileError``.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from os import PathLike
from pathlib import Path
from typing import NoReturn, Protocol

from app.core.models import Bar

log = logging.getLogger(__name__)

__all__ = ["BarFileError", "load_bars", "parse_time"]

# Time columns in order of preference. ``date`` + ``time`` is checked before ``date`` alone.
_SINGLE_TIME_COLUMNS = ("timestamp", "datetime", "open_time")
_PRICE_COLUMNS = ("open", "high", "low", "close")
_NUMERIC_TIME = re.compile(r"\d+(?:\.\d*)?")
_EPOCH_MS_THRESHOLD = 1e11  # 1e11 s is year 5138; 1e11 ms is 1973 -> unambiguous split
_FALLBACK_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d",
)
_MAX_SHOWN_VALUE = 40


class BarFileError(ValueError):
    """A bar file cannot be used. ``str()`` is one line: ``<file>: line <n>: <reason>``.

    ``path``, ``line`` (1-based, header = 1; None when not about a row) and ``reason``
    are kept as attributes so a UI can show them separately.
    """

    def __init__(self, path: str | PathLike[str], reason: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = " ".join(reason.split())  # guarantee a single line
        where = f"{self.path}: line {line}: " if line is not None else f"{self.path}: "
        super().__init__(where + self.reason)


def load_bars(path: str | PathLike[str], symbol: str, default_tz: tzinfo | None) -> list[Bar]:
    """Load and validate every bar of a CSV file (see the module docstring for the rules).

    ``default_tz=None`` keeps naive times naive (the headless replay treats them as the
    market's own clock); a file mixing naive and offset times is then an error.
    """
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise BarFileError(path, "empty file: no header row and no data rows")
        columns = _Columns.from_header(path, header)
        bars = _parse_rows(path, reader, columns, symbol, default_tz)
    except csv.Error as exc:
        raise BarFileError(path, f"malformed CSV: {exc}", reader.line_num) from exc
    if not bars:
        raise BarFileError(path, "empty file: a header but no data rows")
    log.debug("loaded %d bars of %s from %s", len(bars), symbol, path)
    return bars


def parse_time(text: str, default_tz: tzinfo | None) -> datetime:
    """Parse one time cell; ValueError (with a reason) if it can't.

    Naive times get ``default_tz`` (stay naive if it is None); offsets are kept; epochs
    are UTC.

    Public so other importers (e.g. a pasted price list) interpret times exactly like files.
    """
    s = text.strip()
    if not s:
        raise ValueError("empty time")
    if "/" in s:
        s = s.replace("/", "-")
    # Cheap guard first: every date form we accept has '-' at index 4; epochs never do.
    if s[4:5] != "-" and _NUMERIC_TIME.fullmatch(s):
        return _epoch_to_utc(float(s))
    if s[-1] in "Zz":  # Python 3.10's fromisoformat() does not know 'Z'
        s = s[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        parsed = _strptime_fallback(s)
    if parsed.tzinfo is None and default_tz is not None:
        return parsed.replace(tzinfo=default_tz)
    return parsed


# --------------------------------------------------------------------------- reading


def _read_text(path: str | PathLike[str]) -> str:
    """Read the whole file as UTF-8 (BOM allowed); read errors become BarFileError."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise BarFileError(path, "file not found") from None
    except IsADirectoryError:
        raise BarFileError(path, "is a directory, not a CSV file") from None
    except OSError as exc:
        raise BarFileError(path, f"cannot read file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise BarFileError(
            path, f"not UTF-8 text (byte 0x{bad} at offset {exc.start}); save it as UTF-8", line
        ) from None


class _LineReader(Protocol):
    """What we need from ``csv.reader`` (its concrete type is private to ``_csv``)."""

    line_num: int

    def __iter__(self) -> _LineReader: ...

    def __next__(self) -> list[str]: ...


class _Columns:
    """Where each needed field sits in a row, resolved once from the header."""

    def __init__(
        self,
        width: int,
        time_index: tuple[int, ...],
        price_index: tuple[int, int, int, int],
        volume_index: int | None,
    ):
        self.width = width
        self.time_index = time_index
        self.price_index = price_index
        self.volume_index = volume_index

    @classmethod
    def from_header(cls, path: str | PathLike[str], header: Sequence[str]) -> _Columns:
        names = [h.strip().lower() for h in header]
        positions = _unique_positions(path, names)
        time_index = _time_columns(positions)
        missing = [c for c in _PRICE_COLUMNS if c not in positions]
        if time_index is None:
            missing.insert(0, "time (timestamp, datetime, date, date+time or open_time)")
        if missing and len(missing) == len(_PRICE_COLUMNS) + (time_index is None):
            shown = _shorten(",".join(header))
            raise BarFileError(
                path,
                "no header row: the first line must name the columns "
                f"(e.g. timestamp,open,high,low,close,volume); got {shown}",
                1,
            )
        if missing:
            raise BarFileError(path, f"missing required column(s): {'; '.join(missing)}", 1)
        assert time_index is not None
        price_index = (
            positions["open"],
            positions["high"],
            positions["low"],
            positions["close"],
        )
        return cls(len(names), time_index, price_index, positions.get("volume"))


def _unique_positions(path: str | PathLike[str], names: list[str]) -> dict[str, int]:
    """Map column name -> index; a column we use appearing twice is ambiguous -> error."""
    used = {*_SINGLE_TIME_COLUMNS, "date", "time", *_PRICE_COLUMNS, "volume"}
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in positions and name in used:
            raise BarFileError(path, f"column '{name}' appears twice in the header", 1)
        positions.setdefault(name, index)
    return positions


def _time_columns(positions: dict[str, int]) -> tuple[int, ...] | None:
    for name in _SINGLE_TIME_COLUMNS:
        if name in positions:
            return (positions[name],)
    if "date" in positions and "time" in positions:
        return (positions["date"], positions["time"])
    if "date" in positions:
        return (positions["date"],)
    return None


# --------------------------------------------------------------------------- rows


def _parse_rows(
    path: str | PathLike[str],
    reader: _LineReader,
    columns: _Columns,
    symbol: str,
    default_tz: tzinfo | None,
) -> list[Bar]:
    """Parse and validate data rows.

    This is the hot loop (44,640 rows for a month of 1-min BTC), so a row that is fine goes
    through a flat fast path; anything suspicious drops to slow helpers that re-check in a
    fixed order and raise the precise error.
    """
    bars: list[Bar] = []
    append = bars.append
    prev_time: datetime | None = None
    prev_line = 0
    prev_close: float | None = None
    width = columns.width
    i_open, i_high, i_low, i_close = columns.price_index
    i_volume = columns.volume_index
    i_time = columns.time_index[0]
    i_clock = columns.time_index[1] if len(columns.time_index) == 2 else None
    for row in reader:
        if len(row) != width:
            if not row:
                continue  # blank line: not a row
            raise BarFileError(
                path,
                f"expected {width} fields (as in the header), got {len(row)}",
                reader.line_num,
            )
        line = reader.line_num
        try:
            if i_clock is None:
                when = parse_time(row[i_time], default_tz)
            else:
                when = parse_time(f"{row[i_time].strip()} {row[i_clock].strip()}", default_tz)
        except ValueError as exc:
            raise BarFileError(path, f"unparseable time: {exc}", line) from None
        try:
            o = float(row[i_open])
            h = float(row[i_high])
            low = float(row[i_low])
            c = float(row[i_close])
            v = 0.0 if i_volume is None else float(row[i_volume])
        except ValueError:
            _raise_bad_number(path, line, row, columns)
        total = o + h + low + c + v
        if total - total != 0.0:  # some value is inf or nan (or the sum overflowed)
            _check_finite(path, line, row, columns)
        if not (o > 0.0 and 0.0 < low <= o <= h and low <= c <= h and v >= 0.0):
            if v < 0.0:
                raise BarFileError(path, f"negative volume {v:g}", line)
            o = _check_prices(path, line, o, h, low, c, prev_close)
        if prev_time is not None:
            try:
                out_of_order = when <= prev_time
            except TypeError:  # only with default_tz=None: naive vs offset-carrying time
                raise BarFileError(
                    path,
                    f"time {when.isoformat(sep=' ')} and line {prev_line}'s "
                    f"{prev_time.isoformat(sep=' ')} mix times with and without a UTC offset",
                    line,
                ) from None
            if out_of_order:
                raise BarFileError(path, _order_reason(when, prev_time, prev_line), line)
        append(Bar(symbol, when, o, h, low, c, v))
        prev_time, prev_line, prev_close = when, line, c
    return bars


def _named_cells(row: list[str], columns: _Columns) -> list[tuple[str, str]]:
    """The numeric cells of a row with their column names, in the order errors are reported."""
    i_open, i_high, i_low, i_close = columns.price_index
    cells = [("open", row[i_open]), ("high", row[i_high]), ("low", row[i_low])]
    cells.append(("close", row[i_close]))
    if columns.volume_index is not None:
        cells.append(("volume", row[columns.volume_index]))
    return cells


def _raise_bad_number(
    path: str | PathLike[str], line: int, row: list[str], columns: _Columns
) -> NoReturn:
    for name, text in _named_cells(row, columns):
        try:
            float(text)
        except ValueError:
            raise BarFileError(
                path, f"column '{name}': {_shorten(text)} is not a number", line
            ) from None
    raise AssertionError("unreachable: a cell failed float() once")


def _check_finite(path: str | PathLike[str], line: int, row: list[str], columns: _Columns) -> None:
    for name, text in _named_cells(row, columns):
        if not math.isfinite(float(text)):
            raise BarFileError(
                path, f"column '{name}': {_shorten(text)} is not a finite number", line
            )


def _check_prices(
    path: str | PathLike[str],
    line: int,
    o: float,
    h: float,
    low: float,
    c: float,
    prev_close: float | None,
) -> float:
    """Validate one bar's prices and return its (possibly repaired) open."""
    for name, value in (("high", h), ("low", low), ("close", c)):
        if value <= 0:
            raise BarFileError(path, f"{name} must be > 0, got {value:g}", line)
    if h < low:
        raise BarFileError(path, f"high {h:g} is below low {low:g}", line)
    if o <= 0:
        # Eastmoney writes open=0.0 for older minute bars: the previous close is where
        # the minute started, as far as anybody can know.
        o = prev_close if prev_close is not None else c
        checked_open = c
    else:
        checked_open = o
    if h < max(checked_open, c):
        raise BarFileError(path, f"high {h:g} is below max(open {o:g}, close {c:g})", line)
    if low > min(checked_open, c):
        raise BarFileError(path, f"low {low:g} is above min(open {o:g}, close {c:g})", line)
    return o


def _order_reason(when: datetime, prev_time: datetime, prev_line: int) -> str:
    shown, prev_shown = when.isoformat(sep=" "), prev_time.isoformat(sep=" ")
    if when == prev_time:
        return f"duplicate time {shown} (same as line {prev_line})"
    return (
        f"time {shown} is out of order: earlier than line {prev_line} ({prev_shown}); "
        "times must be strictly increasing"
    )


# --------------------------------------------------------------------------- time helpers


def _epoch_to_utc(value: float) -> datetime:
    seconds = value / 1000.0 if value > _EPOCH_MS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch value {value:g} is out of range") from None


def _strptime_fallback(iso: str) -> datetime:
    """Formats ``fromisoformat`` rejects on Python 3.10 (e.g. ``+0800``, 1-digit fractions)."""
    for fmt in _FALLBACK_TIME_FORMATS:
        try:
            return datetime.strptime(iso, fmt)
        except ValueError:
            continue
    raise ValueError(f"{_shorten(iso)} is not a date/time (expected e.g. 2025-03-01 09:30:00)")


def _shorten(text: str) -> str:
    """repr() of a cell, truncated, so a huge or multi-line cell can't break the one-line error."""
    if len(text) > _MAX_SHOWN_VALUE:
        text = text[: _MAX_SHOWN_VALUE - 3] + "..."
    return repr(text)
