"""A-share trading days and sessions (XSHG calendar), crypto around the clock.

Expected values come from the exchanges' published holiday notices, not from the
code: 2024 Spring Festival closure Feb 9–17 (Sun Feb 4 and Sun Feb 18 were
make-up working days, closed for the exchange), open again Mon Feb 19; 2024
National Day closure Oct 1–7 (make-up Sun Sep 29 and Sat Oct 12 closed), open
Tue Oct 8; 2022 National Day closure Oct 1–7 after trading Fri Sep 30, open Mon
Oct 10. Everything runs offline: the holiday rules ship inside the package.
"""

from __future__ import annotations

import logging
import threading
import time as clock
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.core.models import AlertKind, Tick
from app.monitors import sessions
from app.monitors.engine import RuleEngine
from app.monitors.rules import Rule
from app.monitors.sessions import (
    AshareCalendar,
    is_trading_day,
    is_trading_time,
    next_open,
    session_end,
)

SH = timezone(timedelta(hours=8))
UTC = timezone.utc
STOCK = "600519.SH"


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


@pytest.fixture(scope="module", autouse=True)
def _calendar_loaded() -> None:
    sessions.warm_up()  # pay the pandas import once for the module


# ----- trading days -----------------------------------------------------------

@pytest.mark.parametrize(
    "day",
    [date(2024, 2, 9), date(2024, 2, 12), date(2024, 2, 16)]
    + [date(2024, 10, d) for d in range(1, 8)],
)
def test_spring_festival_and_national_day_weeks_are_closed(day: date) -> None:
    assert not is_trading_day(day)


@pytest.mark.parametrize("day", [date(2024, 2, 8), date(2024, 2, 19), date(2024, 9, 30), date(2024, 10, 8)])
def test_days_around_the_holidays_are_open(day: date) -> None:
    assert is_trading_day(day)


@pytest.mark.parametrize(
    ("day", "why"),
    [(date(2024, 3, 2), "ordinary Saturday"), (date(2024, 2, 4), "make-up Sunday"),
     (date(2024, 2, 18), "make-up Sunday"), (date(2024, 9, 29), "make-up Sunday"),
     (date(2024, 10, 12), "make-up Saturday")],
)
def test_weekends_are_closed_even_when_they_are_make_up_working_days(day: date, why: str) -> None:
    assert not is_trading_day(day), why


# ----- sessions -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("hms", "open_"),
    [((9, 29, 59), False), ((9, 30, 0), True), ((11, 30, 0), True), ((11, 30, 1), False),
     ((12, 59, 0), False), ((13, 0, 0), True), ((15, 0, 0), True), ((15, 0, 1), False),
     ((9, 25, 0), False), ((10, 0, 0), True)],
)
def test_session_edges_are_inclusive(hms: tuple[int, int, int], open_: bool) -> None:
    assert is_trading_time(STOCK, sh(2024, 10, 8, *hms)) is open_


def test_utc_input_is_converted_and_naive_input_is_shanghai_time() -> None:
    assert is_trading_time(STOCK, datetime(2024, 10, 8, 1, 30, tzinfo=UTC))  # 09:30 Shanghai
    assert not is_trading_time(STOCK, datetime(2024, 10, 8, 1, 29, tzinfo=UTC))
    assert is_trading_time(STOCK, datetime(2024, 10, 8, 9, 30))  # naive: the market's clock
    assert not is_trading_time(STOCK, datetime(2024, 10, 8, 1, 30))  # naive 01:30 is night


def test_no_session_on_a_holiday_or_weekend_even_in_session_hours() -> None:
    assert not is_trading_time(STOCK, sh(2024, 10, 2, 10))
    assert not is_trading_time("000001.SZ", sh(2024, 2, 12, 10))
    assert not is_trading_time("430047.BJ", sh(2024, 10, 12, 10))  # make-up Saturday


@pytest.mark.parametrize("when", [sh(2024, 10, 1, 10), sh(2024, 10, 5, 3), datetime(2024, 2, 12, 12, 0)])
def test_crypto_is_always_open(when: datetime) -> None:
    assert is_trading_time("BTC/USDT", when)


# ----- session_end (当日有效 expiry) -------------------------------------------

@pytest.mark.parametrize(
    ("when", "end"),
    [(sh(2024, 10, 8, 10), sh(2024, 10, 8, 15)),  # morning tick: today's close
     (sh(2024, 10, 8, 8), sh(2024, 10, 8, 15)),  # before the open: still today
     (sh(2024, 10, 8, 15), sh(2024, 10, 8, 15)),  # the close itself belongs to today
     (sh(2024, 10, 8, 20), sh(2024, 10, 9, 15)),  # evening: the next trading day
     (sh(2024, 10, 2, 10), sh(2024, 10, 8, 15)),  # on a holiday: the day it reopens
     (sh(2024, 2, 8, 19), sh(2024, 2, 19, 15)),  # last day before Spring Festival
     (sh(2022, 9, 30, 21), sh(2022, 10, 10, 15)),  # Friday evening before National Day
     (datetime(2024, 10, 8, 7, 30, tzinfo=UTC), sh(2024, 10, 9, 15))],  # 15:30 Shanghai
)
def test_session_end_of_an_a_share(when: datetime, end: datetime) -> None:
    assert session_end(STOCK, when) == end


def test_session_end_is_aware_in_shanghai_time_even_for_naive_input() -> None:
    end = session_end(STOCK, datetime(2024, 10, 8, 10))
    assert end is not None and end.utcoffset() == timedelta(hours=8)
    assert end.replace(tzinfo=None) == datetime(2024, 10, 8, 15)


@pytest.mark.parametrize(
    ("when", "end"),
    [(datetime(2024, 10, 1, 23, 59, tzinfo=UTC), datetime(2024, 10, 2, tzinfo=UTC)),
     (datetime(2024, 10, 1, 0, 0, tzinfo=UTC), datetime(2024, 10, 2, tzinfo=UTC)),
     (sh(2024, 10, 2, 7), datetime(2024, 10, 2, tzinfo=UTC)),  # = Oct 1 23:00 UTC
     (datetime(2024, 10, 1, 12), datetime(2024, 10, 2, tzinfo=UTC))],  # naive: UTC clock
)
def test_session_end_of_crypto_is_the_next_utc_midnight(when: datetime, end: datetime) -> None:
    assert session_end("BTC/USDT", when) == end


# ----- next_open -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("when", "opens"),
    [(sh(2024, 10, 8, 8), sh(2024, 10, 8, 9, 30)),  # before the open
     (sh(2024, 10, 8, 9, 25), sh(2024, 10, 8, 9, 30)),  # call auction
     (sh(2024, 10, 8, 10), sh(2024, 10, 8, 10)),  # in session: now
     (sh(2024, 10, 8, 11, 30, 1), sh(2024, 10, 8, 13)),  # lunch break
     (sh(2024, 10, 8, 12), sh(2024, 10, 8, 13)),
     (sh(2024, 10, 8, 15, 30), sh(2024, 10, 9, 9, 30)),  # after the close
     (sh(2024, 9, 30, 16), sh(2024, 10, 8, 9, 30)),  # over the National Day week
     (sh(2024, 10, 3, 10), sh(2024, 10, 8, 9, 30)),  # during it
     (sh(2024, 10, 12, 10), sh(2024, 10, 14, 9, 30)),  # make-up Saturday
     (datetime(2024, 10, 8, 4, 0, tzinfo=UTC), sh(2024, 10, 8, 13))],  # 12:00 Shanghai
)
def test_next_open_of_an_a_share(when: datetime, opens: datetime) -> None:
    assert next_open(STOCK, when) == opens


def test_next_open_of_crypto_is_now() -> None:
    when = datetime(2024, 10, 1, 3, tzinfo=UTC)
    assert next_open("ETH/USDT", when) == when


# ----- outside the calendar's range --------------------------------------------------

def test_outside_the_calendar_range_falls_back_to_weekdays_without_raising() -> None:
    assert is_trading_day(date(2100, 1, 4))  # a Monday
    assert not is_trading_day(date(2100, 1, 9))  # a Saturday
    assert is_trading_day(date(1980, 1, 7))  # a Monday, before the exchange existed
    assert is_trading_time(STOCK, sh(2100, 1, 4, 10))
    assert session_end(STOCK, sh(2100, 1, 8, 20)) == sh(2100, 1, 11, 15)  # Fri → Mon
    assert next_open(STOCK, sh(2100, 1, 9, 10)) == sh(2100, 1, 11, 9, 30)
    assert session_end(STOCK, datetime.max) is None
    assert session_end("BTC/USDT", datetime.max) is None


def fake_days() -> tuple[frozenset[date], date, date]:
    """Oct 2024 only, with the National Day closure."""
    first, last = date(2024, 10, 1), date(2024, 10, 31)
    days = {first + timedelta(n) for n in range(31)}
    return (frozenset(d for d in days if d.weekday() < 5 and d.day > 7), first, last)


def test_out_of_range_warning_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    calendar = AshareCalendar(loader=fake_days)
    with caplog.at_level(logging.WARNING, logger=sessions.__name__):
        assert not calendar.is_trading_day(date(2024, 10, 2))
        assert calendar.is_trading_day(date(2024, 11, 4))
        assert calendar.is_trading_day(date(2024, 9, 30))
        assert not calendar.is_trading_day(date(2024, 11, 2))
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_a_calendar_that_cannot_load_degrades_to_weekdays() -> None:
    def broken() -> tuple[frozenset[date], date, date]:
        raise ImportError("no exchange_calendars")

    calendar = AshareCalendar(loader=broken)
    assert calendar.is_trading_time(sh(2024, 10, 2, 10))  # holiday unknown, but no crash
    assert not calendar.is_trading_day(date(2024, 10, 5))
    assert calendar.next_open(sh(2024, 10, 5, 10)) == sh(2024, 10, 7, 9, 30)


def test_warm_up_from_many_threads_loads_once() -> None:
    calls = []

    def slow() -> tuple[frozenset[date], date, date]:
        calls.append(1)
        clock.sleep(0.05)
        return fake_days()

    calendar = AshareCalendar(loader=slow)
    threads = [threading.Thread(target=calendar.warm_up) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert calendar.is_trading_day(date(2024, 10, 8))


def test_the_real_calendar_spans_decades() -> None:
    """Replays of old data are covered too: 2008's Beijing Olympics year had trading days."""
    assert is_trading_day(date(2008, 8, 8))  # a Friday, a normal trading day
    assert not is_trading_day(date(2008, 10, 1))
    assert time(15) == sessions.ASHARE_CLOSE


# ----- the engine uses the calendar ----------------------------------------------------

def test_trading_hours_only_rule_ignores_a_holiday_price_and_fires_after_it() -> None:
    rule = Rule(task_name="r", stock_code=STOCK, id=1, stop_loss=1400.0, trading_hours_only=True)
    engine = RuleEngine([rule])
    holiday = Tick(STOCK, sh(2024, 10, 2, 10), 1300.0)
    assert engine.on_ticks([holiday]).alerts == []
    alerts = engine.on_ticks([Tick(STOCK, sh(2024, 10, 8, 10), 1300.0)]).alerts
    assert [a.kind for a in alerts] == [AlertKind.STOP_LOSS]
