"""Tests for the CSV bar loader: every accepted layout, the open quirk, every error."""

from __future__ import annotations

import csv
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.market.csv_bars import BarFileError, load_bars, parse_time

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "resources" / "data"
BTC_FILE = DATA / "BTCUSDT_1m_2025-03.csv"
MOUTAI_FILE = DATA / "600519.SH_1m_2026-03-23_2026-03-27.csv"
UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")


def write(tmp_path: Path, text: str, name: str = "bars.csv", *, bom: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for row in csv.reader(fh) if row) - 1


def error_of(path: Path, tz=UTC) -> BarFileError:
    with pytest.raises(BarFileError) as info:
        load_bars(path, "X", tz)
    err = info.value
    assert "\n" not in str(err)
    assert str(path) in str(err)
    return err


# --------------------------------------------------------------------------- layouts


def test_standard_layout_naive_times_use_default_tz(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,open,high,low,close,volume\n"
        "2025-03-01 03:00:00,10,12,9,11,5\n"
        "2025-03-01 03:01:00,11,11.5,10.5,11,0\n",
    )
    bars = load_bars(path, "BTC/USDT", UTC)
    assert [b.time for b in bars] == [
        datetime(2025, 3, 1, 3, 0, tzinfo=UTC),
        datetime(2025, 3, 1, 3, 1, tzinfo=UTC),
    ]
    first = bars[0]
    assert (first.symbol, first.open, first.high, first.low, first.close, first.volume) == (
        "BTC/USDT",
        10.0,
        12.0,
        9.0,
        11.0,
        5.0,
    )
    sh_bars = load_bars(path, "X", SH)
    assert sh_bars[0].time.utcoffset() == timedelta(hours=8)


def test_columns_by_name_any_order_case_spaces_and_extra_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " Volume ,CLOSE, note ,Low,High , Open,DateTime,成交额\n"
        "7,11,hello,9,12,10,2024-01-10 09:31:00,123\n",
    )
    (bar,) = load_bars(path, "X", SH)
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (10, 12, 9, 11, 7)
    assert bar.time == datetime(2024, 1, 10, 9, 31, tzinfo=SH)


def test_volume_is_optional(tmp_path: Path) -> None:
    path = write(tmp_path, "date,open,high,low,close\n2024-01-10,10,12,9,11\n")
    (bar,) = load_bars(path, "X", SH)
    assert bar.volume == 0.0
    assert bar.time == datetime(2024, 1, 10, 0, 0, tzinfo=SH)  # date alone -> midnight


def test_date_plus_time_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n"
        "2006-01-02,09:05:00,3578.73,3587.88,3578.73,3582.99,0,0\n"
        "2006-01-02,09:10:00,3583.01,3588.40,3583.01,3588.03,0,0\n",
    )
    bars = load_bars(path, "X", UTC)
    assert [b.time for b in bars] == [
        datetime(2006, 1, 2, 9, 5, tzinfo=UTC),
        datetime(2006, 1, 2, 9, 10, tzinfo=UTC),
    ]


def test_slash_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,open,high,low,close\n2024/01/10,10,12,9,11\n2024/1/11,10,12,9,11\n",
    )
    bars = load_bars(path, "X", SH)
    assert [b.time.date().isoformat() for b in bars] == ["2024-01-10", "2024-01-11"]


def test_offsets_and_z_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,open,high,low,close\n"
        "2025-03-01T03:00:00+00:00,10,12,9,11\n"
        "2025-03-01T11:01:00+08:00,10,12,9,11\n"
        "2025-03-01T03:02:00Z,10,12,9,11\n",
    )
    bars = load_bars(path, "X", SH)  # default tz must NOT override explicit offsets
    assert [b.time.utcoffset() for b in bars] == [
        timedelta(0),
        timedelta(hours=8),
        timedelta(0),
    ]
    assert [b.time.astimezone(UTC).strftime("%H:%M") for b in bars] == [
        "03:00",
        "03:01",
        "03:02",
    ]


def test_epoch_ms_and_seconds_open_time(tmp_path: Path) -> None:
    ms = int(datetime(2025, 3, 1, 3, 0, tzinfo=UTC).timestamp() * 1000)
    path = write(
        tmp_path,
        "open_time,open,high,low,close,volume,close_time\n"
        f"{ms},10,12,9,11,1,{ms + 59_999}\n"
        f"{ms + 60_000},10,12,9,11,1,{ms + 119_999}\n",
    )
    bars = load_bars(path, "X", SH)
    assert bars[0].time == datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    assert bars[0].time.utcoffset() == timedelta(0)
    assert bars[1].time - bars[0].time == timedelta(minutes=1)
    seconds = ms // 1000
    path2 = write(tmp_path, f"timestamp,open,high,low,close\n{seconds},10,12,9,11\n", "s.csv")
    assert load_bars(path2, "X", SH)[0].time == datetime(2025, 3, 1, 3, 0, tzinfo=UTC)


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "datetime,open,close,high,low,volume\r\n2026-03-27 09:30:00,1400,1400,1400,1400,291\r\n",
        bom=True,
    )
    (bar,) = load_bars(path, "600519.SH", SH)
    assert bar.close == 1400.0 and bar.volume == 291.0


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "date,open,high,low,close\n2024-01-10,10,12,9,11\n\n\n")
    assert len(load_bars(path, "X", SH)) == 1


def test_parse_time_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_time("yesterday", UTC)
    assert parse_time(" 2024-01-10 09:30 ", SH) == datetime(2024, 1, 10, 9, 30, tzinfo=SH)


# --------------------------------------------------------------------------- open quirk


def test_zero_open_replaced_by_previous_close_or_own_close(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "datetime,open,close,high,low,volume\n"
        "2026-03-23 09:30:00,0.0,100,100,100,1\n"  # first bar -> its own close
        "2026-03-23 09:31:00,0.0,101,102,99,1\n"  # -> previous close 100
        "2026-03-23 09:32:00,-1,103,104,102,1\n"  # prev close 101, below this low: kept (a gap)
        "2026-03-23 09:33:00,0,98,99,97,1\n",  # prev close 103, above this high: kept
    )
    assert [b.open for b in load_bars(path, "X", SH)] == [100.0, 100.0, 101.0, 103.0]


def test_repaired_open_still_needs_a_sane_bar(tmp_path: Path) -> None:
    path = write(tmp_path, "datetime,open,close,high,low\n2026-03-23 09:31:00,0,105,104,99\n")
    with pytest.raises(BarFileError, match="line 2"):
        load_bars(path, "X", SH)


def test_real_moutai_file_open_quirk_repaired() -> None:
    bars = load_bars(MOUTAI_FILE, "600519.SH", SH)
    assert len(bars) == data_rows(MOUTAI_FILE) == 1205
    assert all(b.open > 0 for b in bars)
    for previous, bar in zip(bars, bars[1:]):  # first four days: open = previous close exactly
        if bar.time.date().isoformat() < "2026-03-27":
            assert bar.open == previous.close
    first = bars[0]  # 09:30 auction print with open 0.0 in the file: own close
    assert first.time == datetime(2026, 3, 23, 9, 30, tzinfo=SH)
    assert first.open == first.close == 1433.33
    assert bars[1].open == 1433.33  # previous close (within 09:31's range 1429.01..1435)
    untouched = [b for b in bars if b.time.date().isoformat() == "2026-03-27"]
    assert untouched[1].open == 1400.0 and untouched[2].open == 1401.19  # real opens kept


def test_shipped_btc_file_loads_completely_and_fast() -> None:
    # Reference: just reading + float-converting the same file with csv (machine speed).
    start = time.perf_counter()
    with BTC_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        datetime.fromisoformat(row[0])
        float(row[1]), float(row[2]), float(row[3]), float(row[4]), float(row[5])
    reference = time.perf_counter() - start

    start = time.perf_counter()
    bars = load_bars(BTC_FILE, "BTC/USDT", UTC)
    elapsed = time.perf_counter() - start

    assert len(bars) == data_rows(BTC_FILE) == 44_640
    assert bars[0].time == datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    assert bars[-1].time == datetime(2025, 4, 1, 2, 59, tzinfo=UTC)
    assert bars[0].close == 85237.0
    # Loose, machine-independent regression guard (~3x the bare reference in practice).
    assert elapsed < max(0.5, 10 * reference), (elapsed, reference)


# --------------------------------------------------------------------------- errors

HEADER = "timestamp,open,high,low,close,volume\n"
ROW1 = "2025-03-01 03:00:00,10,12,9,11,5\n"


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.csv")
    assert "file not found" in str(err) and err.line is None


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    assert "directory" in str(error_of(tmp_path))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs non-root POSIX")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ROW1)
    path.chmod(0)
    assert "cannot read" in str(error_of(path))


def test_not_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    header = "timestamp,open,high,low,close,volume,name\n"
    gbk_row = "2025-03-01 03:00:00,10,12,9,11,5,贵州茅台\n".encode("gbk")  # not valid UTF-8
    path.write_bytes(header.encode() + ROW1.replace("\n", ",x\n").encode() + gbk_row)
    err = error_of(path)
    assert err.line == 3 and "UTF-8" in str(err)


def test_empty_file(tmp_path: Path) -> None:
    assert "empty file" in str(error_of(write(tmp_path, "")))


def test_header_only_is_empty(tmp_path: Path) -> None:
    assert "no data rows" in str(error_of(write(tmp_path, HEADER)))


def test_no_header_row(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, ROW1 + "2025-03-01 03:01:00,10,12,9,11,5\n"))
    assert err.line == 1 and "no header row" in str(err)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("timestamp,open,high,low,volume\n", "close"),
        ("open,high,low,close,volume\n", "time"),
        ("time,open,high,low,close,volume\n", "time"),  # 'time' alone is not a time column
        ("timestamp,open,hi,lo,close,volume\n", "high; low"),
    ],
)
def test_missing_required_column_is_named(tmp_path: Path, header: str, missing: str) -> None:
    err = error_of(write(tmp_path, header + ROW1))
    assert err.line == 1 and "missing required column" in str(err) and missing in str(err)


def test_duplicate_used_column(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "timestamp,open,high,low,close,close\n" + ROW1))
    assert err.line == 1 and "'close' appears twice" in str(err)


def test_wrong_field_count(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, HEADER + ROW1 + "2025-03-01 03:01:00,10,12,9,11\n"))
    assert err.line == 3 and "expected 6 fields" in str(err) and "got 5" in str(err)


def test_header_row_with_fewer_names_than_fields(tmp_path: Path) -> None:
    # backtrader's 2006-01-02-volume-min-001.txt: 7 names, 8 fields per row.
    text = "Date,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,09:01:00,1,1,1,1,0,0\n"
    assert error_of(write(tmp_path, text)).line == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-03-01 03:01:00,10,abc,9,11,5", "column 'high': 'abc' is not a number"),
        ("2025-03-01 03:01:00,10,12,9,,5", "column 'close': '' is not a number"),
        ("2025-03-01 03:01:00,10,12,9,11,nan", "column 'volume': 'nan' is not a finite"),
        ("2025-03-01 03:01:00,inf,12,9,11,5", "column 'open': 'inf' is not a finite"),
        ("2025-03-01 03:01:00,10,12,0,11,5", "low must be > 0"),
        ("2025-03-01 03:01:00,10,12,9,-11,5", "close must be > 0"),
        ("2025-03-01 03:01:00,10,0,0,0,5", "high must be > 0"),
        ("2025-03-01 03:01:00,10,8,9,8.5,5", "high 8 is below low 9"),
        ("2025-03-01 03:01:00,10,11,9,11.5,5", "high 11 is below max(open 10, close 11.5)"),
        ("2025-03-01 03:01:00,10,12,10.5,11,5", "low 10.5 is above min(open 10, close 11)"),
        ("2025-03-01 03:01:00,10,12,9,11,-1", "negative volume -1"),
        ("2025-03-01 25:01:00,10,12,9,11,5", "unparseable time"),
        (",10,12,9,11,5", "unparseable time: empty time"),
    ],
)
def test_bad_values_name_line_and_reason(tmp_path: Path, row: str, reason: str) -> None:
    err = error_of(write(tmp_path, HEADER + ROW1 + row + "\n"))
    assert err.line == 3
    assert reason in str(err), str(err)
    assert str(err).startswith(f"{tmp_path / 'bars.csv'}: line 3: ")


def test_open_quirk_fix_happens_before_range_check(tmp_path: Path) -> None:
    # open 0 repaired to the previous close 11 -> inside [9, 12]: fine.
    path = write(tmp_path, HEADER + ROW1 + "2025-03-01 03:01:00,0,12,9,10,5\n")
    assert load_bars(path, "X", UTC)[1].open == 11.0


def test_duplicate_time(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, HEADER + ROW1 + ROW1))
    assert err.line == 3
    assert "duplicate time 2025-03-01 03:00:00+00:00 (same as line 2)" in str(err)


def test_out_of_order_time_names_previous(tmp_path: Path) -> None:
    text = HEADER + ROW1 + "2025-03-01 03:02:00,10,12,9,11,5\n2025-03-01 03:01:00,10,12,9,11,5\n"
    err = error_of(write(tmp_path, text))
    assert err.line == 4
    assert "out of order" in str(err) and "line 3 (2025-03-01 03:02:00+00:00)" in str(err)


def test_error_is_a_value_error_with_fields(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, HEADER + ROW1 + ROW1))
    assert isinstance(err, ValueError)
    assert err.path == str(tmp_path / "bars.csv") and err.line == 3
    assert "duplicate" in err.reason


def test_default_tz_none_keeps_naive_times_naive(tmp_path: Path) -> None:
    # The headless replay passes default_tz=None and treats naive times as the market clock.
    bars = load_bars(write(tmp_path, HEADER + ROW1), "X", None)
    assert bars[0].time == datetime(2025, 3, 1, 3, 0) and bars[0].time.tzinfo is None


def test_default_tz_none_rejects_mixed_naive_and_offset_times(tmp_path: Path) -> None:
    text = HEADER + ROW1 + "2025-03-01T03:01:00+00:00,10,12,9,11,5\n"
    err = error_of(write(tmp_path, text), tz=None)
    assert err.line == 3 and "mix times with and without a UTC offset" in str(err)
