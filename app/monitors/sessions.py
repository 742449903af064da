"""Which instruments trade when: for ``trading_hours_only`` rules and 当日有效 expiry.

A-share continuous trading is 09:30–11:30 and 13:00–15:00 Asia/Shanghai on
exchange trading days; prices outside those windows (call auctions, after-hours
quotes, the 0.00 prints some feeds send before the open) must not trigger a rule
that asked for trading hours only. Crypto trades around the clock.

Trading days come from the maintained XSHG calendar of ``exchange-calendars``
(holidays are decided by the State Council each year; a hand-typed list would
rot). The Shanghai, Shenzhen and Beijing exchanges share these holidays. Make-up
working weekends (调休) are *closed* for the exchanges, and the calendar knows it.

Importing pandas/exchange_calendars costs seconds on a slow PC, so the calendar
is loaded lazily, once, into a ``frozenset`` of dates: a per-tick check is then a
set lookup with no pandas involved. Call ``warm_up()`` from a worker thread at
start-up so the GUI thread never pays for the import.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
ASHARE_SUFFIXES = (".SH", ".SZ", ".BJ")
ASHARE_SESSIONS = ((time(9, 30), time(11, 30)), (time(13, 0), time(15, 0)))
ASHARE_CLOSE = ASHARE_SESSIONS[-1][1]
# The longest XSHG closure on record is 20 days (Spring Festival 1999); past the
# calendar's range the weekday fallback finds a day within 3. Beyond this we give up.
_LOOKAHEAD_DAYS = 40

TradingDays = tuple[frozenset[date], date, date]  # (trading dates, first, last covered day)


@lru_cache(maxsize=65536)  # asked per print and per bar: a whole market is 5,500 codes
def is_ashare(code: str) -> bool:
    """A-share codes carry their exchange suffix, e.g. ``600519.SH``."""
    return code.upper().endswith(ASHARE_SUFFIXES)


@lru_cache(maxsize=65536)
def market_timezone(code: str) -> ZoneInfo:
    """The zone a symbol's times are shown in: Shanghai for A-shares, UTC for crypto."""
    return SHANGHAI if is_ashare(code) else UTC


def to_market_time(code: str, when: datetime) -> datetime:
    """``when`` as an aware time on the market's clock.

    A naive time (a replay file without offsets) is taken as the market's own
    clock, never as the PC's local zone.
    """
    tz = market_timezone(code)
    return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


def _shanghai(when: datetime) -> datetime:
    return when.replace(tzinfo=SHANGHAI) if when.tzinfo is None else when.astimezone(SHANGHAI)


def load_xshg_days() -> TradingDays:
    """Every XSHG trading date the installed exchange-calendars release knows.

    The whole recorded range is taken (1990 up to the last year whose holidays
    the release records), so replays of old data are covered too.
    """
    with warnings.catch_warnings():  # the library's pandas deprecations are not the user's
        warnings.simplefilter("ignore")
        import exchange_calendars as xc  # slow (pandas): only ever imported here

        default = xc.get_calendar("XSHG")
        first = default.bound_min() or default.first_session
        last = default.bound_max() or default.last_session
        cal = xc.get_calendar("XSHG", start=first, end=last)
        return frozenset(cal.sessions.date), first.date(), last.date()


class AshareCalendar:
    """A-share trading days and sessions, built once from a loader, thread-safe.

    Days outside the loader's range (or every day, if loading failed) fall back
    to Monday–Friday with one logged warning: an alert rule must keep working
    even when the calendar is stale, so nothing here raises into the caller.
    """

    def __init__(self, loader: Callable[[], TradingDays] = load_xshg_days) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._days: TradingDays | None = None
        self._warned = False

    # ----- loading --------------------------------------------------------
    def warm_up(self) -> None:
        """Load the calendar now (call from a worker thread at start-up)."""
        self._trading_days()

    def _trading_days(self) -> TradingDays:
        days = self._days
        if days is None:
            with self._lock:
                if self._days is None:
                    self._days = self._load()
                days = self._days
        return days

    def _load(self) -> TradingDays:
        try:
            return self._loader()
        except Exception:  # a broken install must not stop alerts: degrade to weekdays
            log.exception("A-share calendar could not be loaded; treating Mon–Fri as trading days")
            self._warned = True
            return frozenset(), date.max, date.min

    def _warn_out_of_range(self, day: date, first: date, last: date) -> None:
        with self._lock:
            if self._warned:
                return
            self._warned = True
        log.warning(
            "A-share calendar covers %s..%s only; %s is judged Mon–Fri without holidays "
            "(update exchange-calendars for newer holidays)", first, last, day,
        )

    # ----- queries --------------------------------------------------------
    def is_loaded(self) -> bool:
        """Has the calendar been loaded (so queries never wait for the import)?"""
        return self._days is not None

    def warm_up_in_background(self) -> None:
        """Start loading on a daemon thread (once) and return at once."""
        with self._lock:
            if self._days is not None or getattr(self, "_loading", False):
                return
            self._loading = True
        threading.Thread(target=self.warm_up, name="calendar-loader", daemon=True).start()

    def is_trading_day(self, day: date) -> bool:
        """Is the exchange open on this Shanghai calendar date?"""
        dates, first, last = self._trading_days()
        if first <= day <= last:
            return day in dates
        self._warn_out_of_range(day, first, last)
        return day.weekday() < 5

    def is_trading_time(self, when: datetime) -> bool:
        """Inside 09:30–11:30 or 13:00–15:00 (ends inclusive) of a trading day."""
        local = _shanghai(when)
        clock = local.time()
        (open1, close1), (open2, close2) = ASHARE_SESSIONS  # unrolled: this runs per tick
        if not (open1 <= clock <= close1 or open2 <= clock <= close2):
            return False
        return self.is_trading_day(local.date())

    def session_end(self, when: datetime) -> datetime | None:
        """15:00 of the trading day containing ``when``, or of the next one if
        ``when`` is after the close or on a closed day: what 当日有效 expires at.

        ``None`` only if no trading day is found within the look-ahead (the
        weekday fallback makes that impossible short of ``date.max``).
        """
        local = _shanghai(when)
        day = self._next_trading_day(local.date(), skip=local.time() > ASHARE_CLOSE)
        return None if day is None else datetime.combine(day, ASHARE_CLOSE, SHANGHAI)

    def next_open(self, when: datetime) -> datetime | None:
        """The earliest moment at or after ``when`` when prices count: ``when``
        itself inside a session, else the next 09:30 or 13:00 session start."""
        local = _shanghai(when)
        if self.is_trading_time(local):
            return local
        if self.is_trading_day(local.date()):
            for start, _ in ASHARE_SESSIONS:
                if local.time() < start:
                    return datetime.combine(local.date(), start, SHANGHAI)
        day = self._next_trading_day(local.date(), skip=True)
        return None if day is None else datetime.combine(day, ASHARE_SESSIONS[0][0], SHANGHAI)

    def _next_trading_day(self, day: date, skip: bool) -> date | None:
        """``day`` (unless ``skip``) or the first trading day after it."""
        try:
            if skip:
                day += timedelta(days=1)
            for _ in range(_LOOKAHEAD_DAYS):
                if self.is_trading_day(day):
                    return day
                day += timedelta(days=1)
        except OverflowError:
            pass
        return None


# The one calendar the app uses; module functions below delegate to it.
XSHG = AshareCalendar()


def warm_up() -> None:
    """Load the A-share calendar now; call from a worker thread, never the GUI thread."""
    XSHG.warm_up()


def is_trading_day(day: date) -> bool:
    """Is ``day`` (a Shanghai date) an A-share trading day?"""
    return XSHG.is_trading_day(day)


def is_trading_time(code: str, when: datetime) -> bool:
    """True when ``when`` falls in the instrument's continuous session (crypto: always)."""
    return XSHG.is_trading_time(when) if is_ashare(code) else True


def session_end(code: str, when: datetime) -> datetime | None:
    """When the instrument's trading day containing/after ``when`` ends (当日有效 expiry).

    A-shares: 15:00 Shanghai of that trading day. Crypto, which never closes:
    the end of the UTC day, i.e. the next 00:00 UTC. Always tz-aware.
    """
    if is_ashare(code):
        return XSHG.session_end(when)
    try:
        return datetime.combine(to_market_time(code, when).date() + timedelta(days=1), time(0), UTC)
    except OverflowError:
        return None


def next_open(code: str, when: datetime) -> datetime | None:
    """The earliest moment at or after ``when`` when the market trades (crypto: ``when``).

    Inside an A-share session that is ``when`` itself, else the next 09:30 or
    13:00 start. Always tz-aware (naive input is read on the market's clock).
    """
    return XSHG.next_open(when) if is_ashare(code) else to_market_time(code, when)
