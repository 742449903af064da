"""Resampling real minute bars, checked against pandas as an independent oracle.

Part 1 checks the vectorised bar windows and close times against the scalar
``bar_window`` (random epochs and the boundary seconds a trader cares about). Part 2
resamples the shipped BTC month and 贵州茅台 week and compares every bar with pandas; the
A-share oracle is built from the session times alone (each session resampled from its own
open with pandas ``origin=``), never from our ``bar_window`` code.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.models import Bar
from app.market.csv_bars import load_bars
from app.market.resample import resample, resample_bars
from app.market.timeframes import (
    TIMEFRAMES,
    bar_ends,
    bar_starts,
    bar_window,
    bar_windows,
    close_time,
    close_times,
)
from app.monitors.sessions import ASHARE_SESSIONS, SHANGHAI, UTC, is_ashare, is_trading_day
from app.resources import RESOURCES_DIR

ASHARE, CRYPTO = "600519.SH", "BTC/USDT"
CODES = (ASHARE, CRYPTO)
DATA = RESOURCES_DIR / "data"
BTC_FILE = DATA / "BTCUSDT_1m_2025-03.csv"
MOUTAI_FILE = DATA / "600519.SH_1m_2026-03-23_2026-03-27.csv"

# =========================================================================== part 1
# Vectorised windows == scalar windows, element for element.

BOUNDARY_CLOCK = [
    time(9, 25), time(9, 30), time(11, 30), time(11, 30, 30), time(12, 59), time(13, 0),
    time(15, 0), time(15, 0, 5), time(23, 59, 59), time(0, 0),
]
BOUNDARY_DATES = [
    date(2026, 3, 23), date(2026, 3, 28),  # a trading Monday, a Saturday
    date(2025, 3, 1), date(2024, 2, 29), date(1990, 12, 19), date(2099, 12, 31),
]


def _boundary_epochs() -> np.ndarray:
    """Each boundary second on the Shanghai and the UTC clock, and its close neighbours."""
    moments = [
        datetime.combine(d, c, tz).timestamp()
        for d in BOUNDARY_DATES
        for c in BOUNDARY_CLOCK
        for tz in (BEIJING, UTC)
    ]
    nudges = (-1.0, -1e-3, 0.0, 1e-3, 1.0)
    return np.array([m + n for m in moments for n in nudges])


def _scalar_windows(code: str, timeframe: str, epochs: np.ndarray) -> tuple[list, list]:
    pairs = [bar_window(code, timeframe, float(e)) for e in epochs]
    return [float(s) for s, _ in pairs], [float(e) for _, e in pairs]


# Bars use UTC+8 throughout: Asia/Shanghai's summer time of 1986–1991 predates every bar
# the app handles, and the random epochs below reach back to 1970.
BEIJING = timezone(timedelta(hours=8))


def _close_oracle(code: str, timeframe: str, epoch: float) -> float:
    """When the bar holding ``epoch`` is complete on the clock, from the scalar window and
    the trading rules: windows ending 13:00 (over the lunch break) close at 11:30, windows
    ending at the next midnight (the day's last bar, the 1d bar) at 15:00."""
    start, end = bar_window(code, timeframe, epoch)
    if not is_ashare(code):
        return float(end)
    first = datetime.fromtimestamp(start, BEIJING)
    last = datetime.fromtimestamp(end, BEIJING)
    if last.time() == time(13, 0):
        return datetime.combine(first.date(), time(11, 30), BEIJING).timestamp()
    if last.date() > first.date():
        return datetime.combine(first.date(), time(15, 0), BEIJING).timestamp()
    return float(end)


def _assert_matches_scalar(code: str, timeframe: str, epochs: np.ndarray) -> None:
    starts, ends = bar_windows(code, timeframe, epochs)
    want_starts, want_ends = _scalar_windows(code, timeframe, epochs)
    np.testing.assert_array_equal(starts, want_starts)
    np.testing.assert_array_equal(ends, want_ends)
    np.testing.assert_array_equal(bar_starts(code, timeframe, epochs), want_starts)
    np.testing.assert_array_equal(bar_ends(code, timeframe, epochs), want_ends)
    closes = close_times(code, timeframe, epochs)
    np.testing.assert_array_equal(closes, [_close_oracle(code, timeframe, e) for e in epochs])
    assert starts.dtype == ends.dtype == closes.dtype == np.float64


@pytest.mark.parametrize("timeframe", TIMEFRAMES)
@pytest.mark.parametrize("code", CODES)
def test_boundary_seconds_match_the_scalar_window(code: str, timeframe: str) -> None:
    _assert_matches_scalar(code, timeframe, _boundary_epochs())


@pytest.mark.parametrize("timeframe", TIMEFRAMES)
@pytest.mark.parametrize("code", CODES)
def test_many_random_epochs_match_the_scalar_window(code: str, timeframe: str) -> None:
    rng = np.random.default_rng(20260323)
    whole = rng.integers(1_700_000_000, 1_800_000_000, 3000).astype(np.float64)
    fractional = rng.uniform(0.0, 4.1e9, 3000)
    _assert_matches_scalar(code, timeframe, np.concatenate([whole, fractional]))


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(CODES),
    timeframe=st.sampled_from(list(TIMEFRAMES)),
    epochs=st.lists(
        st.one_of(
            st.floats(min_value=0.0, max_value=4.1e9, allow_nan=False),
            st.integers(min_value=0, max_value=4_100_000_000).map(float),
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_hypothesis_epochs_match_the_scalar_window(
    code: str, timeframe: str, epochs: list[float]
) -> None:
    _assert_matches_scalar(code, timeframe, np.array(epochs))


def sh(clock: str, day: date = date(2026, 3, 23)) -> float:
    """Epoch seconds of ``clock`` ('HH:MM[:SS]') on ``day`` in Shanghai."""
    return datetime.combine(day, time.fromisoformat(clock), SHANGHAI).timestamp()


@pytest.mark.parametrize(
    ("timeframe", "at", "closes"),
    [
        ("1h", "09:25", "10:30"),  # the call auction is traded with the first bar
        ("1h", "11:30:30", "11:30"),  # a lunch-break print: its bar closed at 11:30
        ("1h", "12:59", "11:30"),
        ("1h", "13:00", "14:00"),
        ("1h", "15:00:05", "15:00"),  # an after-close print: the day's last bar
        ("5m", "11:29", "11:30"),
        ("5m", "14:50", "14:55"),
        ("5m", "14:57", "15:00"),
        ("1m", "11:30", "11:30"),
        ("30m", "00:00", "10:00"),  # before the auction: the day's first bar
        ("1d", "00:00", "15:00"),
        ("1d", "23:59:59", "15:00"),
    ],
)
def test_ashare_close_times_by_hand(timeframe: str, at: str, closes: str) -> None:
    assert close_times(ASHARE, timeframe, np.array([sh(at)]))[0] == sh(closes)
    assert close_time(ASHARE, timeframe, sh(at)) == sh(closes)


def test_crypto_close_time_is_the_window_end() -> None:
    before_midnight = datetime(2025, 3, 1, 23, 59, 59, tzinfo=UTC).timestamp()
    midnight = datetime(2025, 3, 2, tzinfo=UTC).timestamp()
    assert close_time(CRYPTO, "1h", before_midnight) == midnight
    assert close_time(CRYPTO, "1d", midnight) == midnight + 86400


def test_array_edge_cases() -> None:
    assert bar_windows(ASHARE, "5m", np.array([]))[0].shape == (0,)
    assert close_times(CRYPTO, "5m", []).shape == (0,)
    grid = np.full((2, 3), sh("10:07"))
    assert bar_starts(ASHARE, "15m", grid).shape == (2, 3)
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="finite"):
            bar_windows(ASHARE, "1h", [sh("10:00"), bad])
        with pytest.raises(ValueError, match="finite"):
            close_times(CRYPTO, "1h", [bad])
    with pytest.raises(KeyError):
        bar_windows(CRYPTO, "2h", [0.0])


# =========================================================================== part 2
# Resampling the shipped files, compared with pandas.

AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
COLUMNS = list(AGG)
PANDAS_RULES = {"5m": "5min", "15m": "15min", "30m": "30min", "1h": "1h", "4h": "4h", "1d": "1D"}
# The exchange's continuous sessions, written out from the trading rules (not from our code).
SESSIONS = ((time(9, 30), time(11, 30)), (time(13, 0), time(15, 0)))
AUCTION = time(9, 30)  # Eastmoney's 09:30 row: the opening call-auction print
MINUTE = pd.Timedelta(minutes=1)


def _frame(bars: list[Bar]) -> pd.DataFrame:
    return pd.DataFrame(
        {name: [getattr(b, name) for b in bars] for name in COLUMNS},
        index=pd.DatetimeIndex([b.time for b in bars], name="time"),
    )


@pytest.fixture(scope="module")
def btc() -> pd.DataFrame:
    return _frame(load_bars(BTC_FILE, CRYPTO, UTC))


@pytest.fixture(scope="module")
def moutai_rows() -> pd.DataFrame:
    """The Eastmoney file as loaded: times are bar ENDS, plus the 09:30 auction row."""
    return _frame(load_bars(MOUTAI_FILE, ASHARE, SHANGHAI))


@pytest.fixture(scope="module")
def moutai(moutai_rows: pd.DataFrame) -> pd.DataFrame:
    """Relabelled to bar STARTS like the demo feed: a row stamped t covers [t - 1 min, t),
    except the auction row, which stays at 09:30 and merges into the 09:30 minute."""
    index = moutai_rows.index
    starts = index.where(index.time == AUCTION, index - MINUTE)
    return moutai_rows.set_axis(starts).groupby(level=0, sort=True).agg(AGG)


def _epochs(index: pd.DatetimeIndex) -> np.ndarray:
    """Epoch seconds of an aware index (vectorised: the BTC month has 44,640 rows)."""
    return ((index - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(np.float64)


def _ours(df: pd.DataFrame, code: str, timeframe: str) -> tuple[np.ndarray, ...]:
    return resample(_epochs(df.index), *(df[c].to_numpy() for c in COLUMNS),
                    code=code, timeframe=timeframe)


def _assert_same_bars(ours: tuple[np.ndarray, ...], oracle: pd.DataFrame) -> None:
    times, *values = ours
    np.testing.assert_array_equal(times, _epochs(oracle.index))
    for name, got in zip(COLUMNS[:4], values[:4]):
        np.testing.assert_array_equal(got, oracle[name].to_numpy(), err_msg=name)
    np.testing.assert_allclose(values[4], oracle["volume"].to_numpy(), rtol=1e-9, atol=0)


def _pandas_ashare(df: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Session-aware oracle: each day's morning and afternoon resampled separately, with
    the bins anchored at the session's own open (pandas ``origin=``)."""
    if timeframe == "1d":
        return df.resample("1D").agg(AGG).dropna()
    parts = []
    for day in sorted(set(df.index.date)):
        for open_, close in SESSIONS:
            origin = pd.Timestamp(datetime.combine(day, open_, SHANGHAI))
            end = pd.Timestamp(datetime.combine(day, close, SHANGHAI))
            session = df[(df.index >= origin) & (df.index < end)]
            parts.append(
                session.resample(PANDAS_RULES[timeframe], closed="left", label="left",
                                 origin=origin).agg(AGG).dropna()
            )
    return pd.concat(parts)


def _session_minutes() -> list[int]:
    return [
        (datetime.combine(date.min, close) - datetime.combine(date.min, open_)) // timedelta(
            minutes=1
        )
        for open_, close in SESSIONS
    ]


def test_the_oracle_sessions_are_the_app_sessions() -> None:
    assert SESSIONS == ASHARE_SESSIONS
    assert _session_minutes() == [120, 120]  # 09:30–11:30 and 13:00–15:00


def test_the_moutai_file_is_a_week_of_full_trading_days(
    moutai_rows: pd.DataFrame, moutai: pd.DataFrame
) -> None:
    days = sorted(set(moutai.index.date))
    assert days == [date(2026, 3, 23) + timedelta(days=i) for i in range(5)]  # Mon–Fri
    assert all(is_trading_day(d) for d in days)
    per_day = sum(_session_minutes())  # one 1-minute bar per trading minute
    assert len(moutai_rows) == len(days) * (per_day + 1)  # + the auction row: 241 a day
    assert len(moutai) == len(days) * per_day
    in_a_session = np.zeros(len(moutai), dtype=bool)
    for open_, close in SESSIONS:
        clock = moutai.index.time
        in_a_session |= (clock >= open_) & (clock < close)
    assert in_a_session.all()  # so the per-session oracle sees every minute


@pytest.mark.parametrize("timeframe", ["5m", "15m", "30m", "1h", "1d"])
def test_moutai_resample_matches_the_session_aware_pandas_oracle(
    moutai: pd.DataFrame, timeframe: str
) -> None:
    ours = _ours(moutai, ASHARE, timeframe)
    oracle = _pandas_ashare(moutai, timeframe)
    _assert_same_bars(ours, oracle)
    days = len(set(moutai.index.date))
    if timeframe == "1d":
        per_day = 1
    else:
        minutes = TIMEFRAMES[timeframe] // 60
        assert all(m % minutes == 0 for m in _session_minutes())  # no bar spans lunch
        per_day = sum(m // minutes for m in _session_minutes())
    assert len(ours[0]) == days * per_day


def test_moutai_counts_a_trader_checks_by_hand(moutai: pd.DataFrame) -> None:
    per_day = {tf: len(_ours(moutai, ASHARE, tf)[0]) // 5 for tf in ("5m", "15m", "30m", "1h")}
    # 240 trading minutes a day: 240 / 5, 240 / 15, 240 / 30, 240 / 60.
    assert per_day == {"5m": 48, "15m": 16, "30m": 8, "1h": 4}
    times = _ours(moutai, ASHARE, "1h")[0][:4]
    assert times.tolist() == [sh(c) for c in ("09:30", "10:30", "13:00", "14:00")]


def test_moutai_first_bars_open_at_the_call_auction(
    moutai_rows: pd.DataFrame, moutai: pd.DataFrame
) -> None:
    auction = moutai_rows.loc[moutai_rows.index.time == AUCTION]
    day_close = moutai_rows.loc[moutai_rows.index.time == time(15, 0), "close"].to_numpy()
    for timeframe in ("5m", "1h", "1d"):
        t, o, *_ = _ours(moutai, ASHARE, timeframe)
        per_day = len(t) // len(auction)
        np.testing.assert_array_equal(o[::per_day], auction["open"].to_numpy())
    _, _, _, _, close, volume = _ours(moutai, ASHARE, "1d")
    np.testing.assert_array_equal(close, day_close)
    daily_volume = moutai_rows.groupby(moutai_rows.index.date)["volume"].sum().to_numpy()
    np.testing.assert_allclose(volume, daily_volume, rtol=1e-9, atol=0)


@pytest.mark.parametrize("timeframe", ["5m", "15m", "30m", "1h", "4h", "1d"])
def test_btc_resample_matches_pandas(btc: pd.DataFrame, timeframe: str) -> None:
    ours = _ours(btc, CRYPTO, timeframe)
    oracle = btc.resample(PANDAS_RULES[timeframe], closed="left", label="left").agg(AGG).dropna()
    _assert_same_bars(ours, oracle)
    # The month has no missing minute, so there is one bar per clock bucket from the
    # first minute's bucket to the last one's (partial buckets at both ends included).
    assert (np.diff(_epochs(btc.index)) == 60).all()
    size = TIMEFRAMES[timeframe]
    first, last = _epochs(btc.index[[0, -1]])
    assert len(ours[0]) == last // size - first // size + 1


def test_btc_counts_a_trader_checks_by_hand(btc: pd.DataFrame) -> None:
    # 2025-03-01 03:00 .. 2025-04-01 02:59 UTC: 31 days of minutes.
    assert len(btc) == 31 * 24 * 60
    assert len(_ours(btc, CRYPTO, "5m")[0]) == len(btc) // 5  # starts on a 5-minute mark
    assert len(_ours(btc, CRYPTO, "1h")[0]) == 31 * 24
    assert len(_ours(btc, CRYPTO, "1d")[0]) == 32  # 21 hours of Mar 1 ... 3 hours of Apr 1


def test_one_minute_resample_is_the_identity(btc: pd.DataFrame) -> None:
    head = btc.iloc[:500]
    ours = _ours(head, CRYPTO, "1m")
    _assert_same_bars(ours, head)


def test_resample_bars_keeps_symbol_and_uses_the_market_clock() -> None:
    bars = [
        Bar(ASHARE, datetime.combine(date(2026, 3, 23), time(9, 30 + i), SHANGHAI),
            10.0 + i, 11.0 + i, 9.0 + i, 10.5 + i, 100.0)
        for i in range(10)
    ]
    out = resample_bars(bars, ASHARE, "5m")
    assert [b.time for b in out] == [
        datetime(2026, 3, 23, 9, 30, tzinfo=SHANGHAI), datetime(2026, 3, 23, 9, 35, tzinfo=SHANGHAI)
    ]
    assert all(b.time.tzinfo is SHANGHAI and b.symbol == ASHARE for b in out)
    assert (out[0].open, out[0].high, out[0].low, out[0].close, out[0].volume) == (
        10.0, 15.0, 9.0, 14.5, 500.0,
    )
    crypto = [Bar(CRYPTO, datetime(2025, 3, 1, 3, i, tzinfo=SHANGHAI), 1, 1, 1, 1, 1)
              for i in range(3)]
    out = resample_bars(crypto, CRYPTO, "1h")
    assert out[0].time == datetime(2025, 2, 28, 19, tzinfo=UTC) and out[0].time.tzinfo is UTC
    assert resample_bars([], CRYPTO, "1h") == []


def test_resample_refuses_bad_input() -> None:
    t = np.array([0.0, 60.0, 120.0])
    ones = np.ones(3)
    with pytest.raises(ValueError, match="no 4h bars"):
        resample(t, ones, ones, ones, ones, ones, code=ASHARE, timeframe="4h")
    with pytest.raises(ValueError, match="unknown timeframe '2h'"):
        resample(t, ones, ones, ones, ones, ones, code=CRYPTO, timeframe="2h")
    with pytest.raises(ValueError, match="strictly increasing: bar 2"):
        resample(t[[0, 2, 1]], ones, ones, ones, ones, ones, code=CRYPTO, timeframe="5m")
    with pytest.raises(ValueError, match="equally long"):
        resample(t, ones[:2], ones, ones, ones, ones, code=CRYPTO, timeframe="5m")
    empty = resample([], [], [], [], [], [], code=CRYPTO, timeframe="5m")
    assert len(empty) == 6 and all(col.shape == (0,) for col in empty)

