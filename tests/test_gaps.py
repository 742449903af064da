"""Missing-minute detection, bar merging and the gap tracker (app.market.gaps).

Expected minutes come from first principles (A-share bars start 09:30..11:29 and
13:00..14:59 Shanghai on XSHG trading days, crypto every minute); which days are trading
days is asked of the calendar inside each test, never typed from memory.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.core.models import Bar
from app.feeds.demo import DEFAULT_SERIES, to_replay_bars
from app.market.csv_bars import load_bars
from app.market.gaps import (
    Gap,
    GapCount,
    GapTracker,
    expected_minutes,
    find_gaps,
    merge_bars,
)
from app.monitors import sessions
from app.monitors.sessions import is_trading_day

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
STOCK = "600519.SH"
COIN = "BTC/USDT"
MIN = 60.0
BTC_SERIES, MOUTAI_SERIES = DEFAULT_SERIES


@pytest.fixture(scope="module", autouse=True)
def _calendar_loaded() -> None:
    sessions.warm_up()  # pay the pandas import once for the module


def sh(d: date, hh: int, mm: int) -> float:
    return datetime.combine(d, time(hh, mm), SH).timestamp()


def day_minutes(d: date) -> list[float]:
    """First principles: the 240 A-share minute-bar starts of one trading day."""
    morning = [sh(d, 9, 30) + k * MIN for k in range(120)]
    afternoon = [sh(d, 13, 0) + k * MIN for k in range(120)]
    return morning + afternoon


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def minutes_of(gaps: list[Gap], expected: np.ndarray) -> set[float]:
    out: set[float] = set()
    for g in gaps:
        out |= {float(t) for t in expected if g.start <= t < g.end}
    return out


# --------------------------------------------------------------------------- expected_minutes

MONDAY = date(2026, 3, 23)  # a week the shipped 600519 file covers


def test_one_ashare_day_is_both_sessions_without_lunch() -> None:
    assert is_trading_day(MONDAY)
    got = expected_minutes(STOCK, sh(MONDAY, 0, 0), sh(MONDAY, 23, 59))
    assert got.tolist() == day_minutes(MONDAY)
    assert got.dtype == np.float64
    lunch = (got >= sh(MONDAY, 11, 30)) & (got < sh(MONDAY, 13, 0))
    assert not lunch.any()
    assert sh(MONDAY, 11, 29) in got and sh(MONDAY, 13, 0) in got


def test_ashare_range_edges_and_the_1500_close() -> None:
    assert expected_minutes(STOCK, sh(MONDAY, 14, 58), sh(MONDAY, 15, 0)).tolist() == [
        sh(MONDAY, 14, 58),
        sh(MONDAY, 14, 59),
    ]
    assert expected_minutes(STOCK, sh(MONDAY, 15, 0), sh(MONDAY, 23, 0)).size == 0
    # a bar starting before the range start is not in [start, end)
    assert expected_minutes(STOCK, sh(MONDAY, 14, 59) + 1, sh(MONDAY, 15, 30)).size == 0
    assert expected_minutes(STOCK, sh(MONDAY, 11, 29), sh(MONDAY, 13, 1)).tolist() == [
        sh(MONDAY, 11, 29),
        sh(MONDAY, 13, 0),
    ]
    assert expected_minutes(STOCK, sh(MONDAY, 9, 0), sh(MONDAY, 9, 30)).size == 0


def test_weekend_has_no_minutes() -> None:
    friday, monday = date(2026, 3, 27), date(2026, 3, 30)
    assert friday.weekday() == 4 and monday.weekday() == 0
    assert is_trading_day(friday) and is_trading_day(monday)
    got = expected_minutes(STOCK, sh(friday, 14, 0), sh(monday, 10, 0))
    want = [t for t in day_minutes(friday) if t >= sh(friday, 14, 0)]
    want += [t for t in day_minutes(monday) if t < sh(monday, 10, 0)]
    assert got.tolist() == want
    assert len(want) == 60 + 30


@pytest.mark.parametrize(
    ("first", "last", "closure"),
    [
        (date(2026, 2, 12), date(2026, 2, 25), (date(2026, 2, 16), date(2026, 2, 20))),
        (date(2025, 9, 29), date(2025, 10, 10), (date(2025, 10, 1), date(2025, 10, 8))),
    ],
    ids=["spring-festival-2026", "national-day-2025"],
)
def test_holidays_have_no_minutes(first: date, last: date, closure: tuple[date, date]) -> None:
    closed_weekdays = [d for d in dates_between(*closure) if d.weekday() < 5]
    # the calendar, not memory, says these weekdays are closed ...
    assert closed_weekdays and not any(is_trading_day(d) for d in closed_weekdays)
    open_days = [d for d in dates_between(first, last) if is_trading_day(d)]
    assert open_days  # ... and that the exchange trades around them
    got = expected_minutes(STOCK, sh(first, 0, 0), sh(last, 23, 59))
    assert got.tolist() == [t for d in open_days for t in day_minutes(d)]
    got_dates = {datetime.fromtimestamp(t, SH).date() for t in got}
    assert got_dates.isdisjoint(closed_weekdays)


def test_crypto_every_minute_across_midnight() -> None:
    midnight = datetime(2025, 3, 2, tzinfo=UTC).timestamp()
    got = expected_minutes(COIN, midnight - 90, midnight + 150)  # 23:58:30 .. 00:02:30
    assert got.tolist() == [midnight + k * MIN for k in (-1, 0, 1, 2)]
    assert expected_minutes(COIN, midnight, midnight + 2 * MIN).tolist() == [
        midnight,
        midnight + MIN,
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [(10.0, 10.0), (100.0, 0.0), (math.nan, 1e9), (0.0, math.inf), (-math.inf, 0.0)],
)
def test_empty_or_odd_ranges_give_no_minutes(start: float, end: float) -> None:
    for code in (STOCK, COIN):
        assert expected_minutes(code, start, end).size == 0


# --------------------------------------------------------------------------- find_gaps


def test_gap_across_lunch_is_one_gap() -> None:
    minutes = day_minutes(MONDAY)
    gone = [sh(MONDAY, 11, 28), sh(MONDAY, 11, 29)] + [sh(MONDAY, 13, m) for m in range(3)]
    have = np.array([t for t in minutes if t not in gone])
    gaps = find_gaps(STOCK, have, minutes[0], minutes[-1] + MIN)
    assert gaps == [Gap(STOCK, sh(MONDAY, 11, 28), sh(MONDAY, 13, 3), len(gone))]


def test_gap_across_a_weekend_and_separate_runs() -> None:
    friday, monday = date(2026, 3, 27), date(2026, 3, 30)
    minutes = day_minutes(friday) + day_minutes(monday)
    gone_weekend = [sh(friday, 14, 58), sh(friday, 14, 59), sh(monday, 9, 30)]
    gone_single = [sh(monday, 10, 0)]
    have = np.array([t for t in minutes if t not in gone_weekend + gone_single])
    gaps = find_gaps(STOCK, have, minutes[0], minutes[-1] + MIN)
    assert gaps == [
        Gap(STOCK, gone_weekend[0], gone_weekend[-1] + MIN, 3),
        Gap(STOCK, gone_single[0], gone_single[0] + MIN, 1),
    ]


def test_crypto_gap_across_midnight_and_odd_input() -> None:
    midnight = datetime(2025, 3, 2, tzinfo=UTC).timestamp()
    start, end = midnight - 10 * MIN, midnight + 10 * MIN
    everything = expected_minutes(COIN, start, end)
    gone = {midnight - MIN, midnight}
    have = [t for t in everything if t not in gone]
    noisy = np.array(have[::-1] + [math.nan, have[0] + 7.5, end + 3600])  # order, NaN, extras
    assert find_gaps(COIN, noisy, start, end) == [Gap(COIN, midnight - MIN, midnight + MIN, 2)]
    assert find_gaps(COIN, everything, start, end) == []
    assert find_gaps(COIN, np.array([]), start, end) == [Gap(COIN, start, end, everything.size)]


def shipped_starts(series) -> np.ndarray:
    """Bar starts exactly as the demo relabels the file (09:30 auction shares 09:30)."""
    raw = load_bars(series.file, series.symbol, series.tz)
    starts = {rb.bar.time.timestamp() for rb in to_replay_bars(raw, series)}
    return np.array(sorted(starts))


def test_shipped_600519_week_has_no_gaps_then_exactly_the_deleted_rows() -> None:
    starts = shipped_starts(MOUTAI_SERIES)
    lo, hi = starts[0], starts[-1] + MIN
    week = dates_between(date(2026, 3, 23), date(2026, 3, 27))
    assert all(is_trading_day(d) for d in week)
    assert starts.size == 240 * len(week)  # 241 rows a day, the auction shares 09:30
    assert find_gaps(STOCK, starts, lo, hi) == []

    d2, d3, d4 = week[1], week[2], week[3]
    deleted = [
        [sh(d2, 11, 29), sh(d2, 13, 0)],  # across lunch
        [sh(d3, 10, 0) + k * MIN for k in range(5)],
        [sh(d4, 9, 30)],  # the auction row and the first minute both start here
    ]
    flat = {t for run in deleted for t in run}
    kept = starts[~np.isin(starts, list(flat))]
    assert kept.size == starts.size - len(flat)
    want = [Gap(STOCK, run[0], run[-1] + MIN, len(run)) for run in deleted]
    assert find_gaps(STOCK, kept, lo, hi) == want


def test_shipped_btc_month_has_no_gaps() -> None:
    starts = shipped_starts(BTC_SERIES)
    assert find_gaps(COIN, starts, starts[0], starts[-1] + MIN) == []
    assert expected_minutes(COIN, starts[0], starts[-1] + MIN).size == starts.size


# --------------------------------------------------------------------------- merge_bars

T0 = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)


def bar(k: int, close: float, volume: float = 1.0) -> Bar:
    return Bar(COIN, T0 + timedelta(minutes=k), close, close + 1, close - 1, close, volume)


def test_merge_fills_holes_replaces_changed_and_never_duplicates() -> None:
    existing = [bar(0, 10), bar(1, 11), bar(3, 13), bar(4, 14), bar(4, 14.5)]  # dup time 4
    backfill = [bar(2, 12), bar(3, 13), bar(4, 99), bar(5, 15), bar(5, 15)]
    result = merge_bars(existing, backfill)
    times = [b.time for b in result.bars]
    assert times == sorted(set(times))
    assert times == [T0 + timedelta(minutes=k) for k in range(6)]
    assert result.added == 2  # minutes 2 and 5
    assert result.replaced == 1  # minute 4 differs, minute 3 is the same bar
    by_time = {b.time: b for b in result.bars}
    for b in backfill:
        assert by_time[b.time] == b  # the exchange's bar wins
    assert by_time[T0] == existing[0]


def test_merge_ignores_float_noise_and_handles_empty_inputs() -> None:
    noisy = bar(0, 10, volume=0.1 + 0.2)
    assert merge_bars([noisy], [bar(0, 10, volume=0.3)]).replaced == 0
    assert merge_bars([], []).bars == []
    only = merge_bars([], [bar(1, 1), bar(0, 0)])
    assert [b.time for b in only.bars] == [T0, T0 + timedelta(minutes=1)] and only.added == 2
    kept = merge_bars([bar(0, 0)], [])
    assert kept.bars == [bar(0, 0)] and (kept.added, kept.replaced) == (0, 0)


# --------------------------------------------------------------------------- GapTracker

BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp()


def m(k: float) -> float:
    return BASE + k * MIN


def observed(tracker: GapTracker, minutes, symbol: str = COIN) -> None:
    for k in minutes:
        tracker.observe_bar(symbol, m(k))


def test_tracker_open_then_backfilled_is_filled_and_reported_once() -> None:
    tracker = GapTracker()
    observed(tracker, [k for k in range(10) if k not in (4, 5)])
    (gap,) = tracker.check(COIN, m(10))
    assert gap == Gap(COIN, m(4), m(6), 2)
    assert tracker.check(COIN, m(10)) == [] and tracker.check(COIN, m(10) + 5) == []
    assert tracker.open == GapCount(2, 1) and tracker.open_gaps(COIN) == [gap]
    assert tracker.backfill_requested(gap)
    tracker.backfilled(COIN, [m(4), m(5)])
    assert tracker.open == GapCount(0, 0) and tracker.open_gaps(COIN) == []
    assert tracker.filled == GapCount(2, 1) and tracker.missing == GapCount(0, 0)
    assert not tracker.backfill_requested(gap)  # resolved: nothing left to request


def test_tracker_empty_backfill_marks_missing_for_good() -> None:
    tracker = GapTracker()
    observed(tracker, [0, 1, 5, 6])
    (gap,) = tracker.check(COIN, m(7))
    assert gap.missing == 3
    tracker.backfill_requested(gap)
    tracker.backfilled(COIN, [])
    assert tracker.missing == GapCount(3, 1) and tracker.open == GapCount(0, 0)
    assert tracker.open_gaps(COIN) == []
    observed(tracker, [7, 8])
    assert tracker.check(COIN, m(9)) == []  # the lost minutes are never reported again
    assert tracker.counts(COIN).missing == GapCount(3, 1)
    assert not tracker.backfill_requested(gap)


def test_tracker_partial_backfill_late_bars_and_per_gap_resolution() -> None:
    tracker = GapTracker()
    observed(tracker, [0, 3, 4, 8])
    first, second = tracker.check(COIN, m(9))
    assert (first.start, first.missing, second.start, second.missing) == (m(1), 2, m(5), 3)
    tracker.observe_bar(COIN, m(6))  # a late live bar fills a minute of the second gap
    assert tracker.open == GapCount(4, 2) and tracker.filled == GapCount(1, 0)
    tracker.backfill_requested(first)
    tracker.backfill_requested(second)
    tracker.backfilled(COIN, [m(1)], gap=first)  # answers the first request only
    assert tracker.missing == GapCount(1, 1)  # minute 2 is lost
    assert tracker.open_gaps(COIN) == [second]
    tracker.backfilled(COIN, [m(5), m(7)])  # resolves the remaining requested gap
    assert tracker.filled == GapCount(4, 1) and tracker.missing == GapCount(1, 1)
    assert tracker.open == GapCount(0, 0)


def test_tracker_reports_a_trailing_outage_and_only_closed_minutes() -> None:
    tracker = GapTracker()
    observed(tracker, range(3))
    assert tracker.check(COIN, m(3) - 1) == []  # minute 2 still forming, nothing missing
    assert tracker.check(COIN, m(5) + 30) == [Gap(COIN, m(3), m(5), 2)]  # minute 5 not closed
    assert tracker.check(COIN, m(7)) == [Gap(COIN, m(5), m(7), 2)]  # the outage goes on
    # a backfill may also return minutes not judged yet: they count as seen
    tracker.backfilled(COIN, [m(7)])
    assert tracker.check(COIN, m(8)) == []


def test_tracker_judges_ashare_session_ends_when_the_minute_is_over() -> None:
    day = MONDAY
    tracker = GapTracker()
    tracker.observe_bar(STOCK, sh(day, 11, 27))
    tracker.observe_bar(STOCK, sh(day, 11, 28))
    # the 11:29 minute is over at 11:30, not when the afternoon's first tick comes
    assert tracker.check(STOCK, sh(day, 11, 30) - 1) == []
    noon = Gap(STOCK, sh(day, 11, 29), sh(day, 11, 30), 1)
    assert tracker.check(STOCK, sh(day, 11, 30)) == [noon]
    assert tracker.check(STOCK, sh(day, 12, 59)) == []  # lunch: nothing expected
    for k in range(119):
        tracker.observe_bar(STOCK, sh(day, 13, 0) + k * MIN)  # 13:00 .. 14:58
    assert tracker.check(STOCK, sh(day, 15, 0) - 1) == []  # 14:59 not over yet
    close = Gap(STOCK, sh(day, 14, 59), sh(day, 15, 0), 1)
    assert tracker.check(STOCK, sh(day, 15, 0)) == [close]
    assert tracker.check(STOCK, sh(day, 23, 0)) == []  # the night: nothing expected
    assert tracker.open == GapCount(2, 2) and tracker.open_gaps(STOCK) == [noon, close]


def test_tracker_never_raises_on_odd_input() -> None:
    tracker = GapTracker()
    assert tracker.check("NOPE", m(5)) == [] and tracker.open_gaps("NOPE") == []
    for odd in (math.nan, math.inf, None, "x", object()):
        tracker.observe_bar(COIN, odd)  # type: ignore[arg-type]
    tracker.observe_bar(None, m(0))  # type: ignore[arg-type]
    assert tracker.check(COIN, m(5)) == []  # nothing valid was observed
    observed(tracker, [10, 11])
    tracker.observe_bar(COIN, m(2))  # before the first bar: ignored
    for now in (math.nan, None, m(0), -math.inf):
        assert tracker.check(COIN, now) == []  # type: ignore[arg-type]
    tracker.backfilled("NOPE", [m(1)])
    tracker.backfilled(COIN, [math.nan, None, "?"])  # type: ignore[list-item]
    tracker.backfilled(COIN, 5)  # type: ignore[arg-type]
    tracker.backfilled(COIN, [], gap=Gap("NOPE", 0, 60, 1))
    assert not tracker.backfill_requested(Gap(COIN, math.nan, math.nan, 1))
    assert not tracker.backfill_requested("gap")  # type: ignore[arg-type]
    assert tracker.counts("NOPE").open == GapCount(0, 0)
    assert tracker.check(COIN, m(13)) == [Gap(COIN, m(12), m(13), 1)]
    assert tracker.counts() == tracker.counts(COIN)


def test_tracker_lookback_bounds_a_bogus_first_time() -> None:
    tracker = GapTracker(max_lookback_s=3600)
    tracker.observe_bar(COIN, 0.0)  # a broken feed's 1970 timestamp
    gaps = tracker.check(COIN, m(0))
    assert sum(g.missing for g in gaps) == 60  # only the last hour is judged
    with pytest.raises(ValueError):
        GapTracker(max_lookback_s=0)
