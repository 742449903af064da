"""Fake of QMT's ``xtquant.xtdata`` (wheel 250807): a simulated A-share terminal in-process.

Why: the real module only runs on Windows next to a running QMT terminal. Tests (and the
developer switch that runs the app without QMT) need the same API surface with the same
awkward semantics, so that an adapter written against this fake works against the real
thing. Every SDK function here has the real name, parameter names and defaults
(``tests/test_xtquant_conformance.py`` checks them against the wheel with ``ast``).

Semantics copied from the real SDK (xtquant reference, sections 1-3, 6, 7):

- ``connect``/``get_client`` return a client with ``is_connected()``/``shutdown()``. While
  the fake terminal is down, ``connect`` and every data function (they all call
  ``get_client``, which re-dials lazily) raise a plain ``Exception('无法连接xtquant服务…')``.
- ``watch_xtquant_status(cb)`` is attached only to clients created *after* the call; it gets
  ``{'address': '127.0.0.1:58610', 'status': 'connected'|'disconnected'}`` on the client's
  dispatcher thread ('connected' when a client is created, 'disconnected' on terminal_down;
  a user ``disconnect()``/``shutdown()`` sends nothing).
- Callbacks run on ONE dispatcher ``threading.Thread`` per client, never inside
  ``subscribe_*``; an exception in a callback is printed (``subscribe callback error:`` +
  traceback) and swallowed, like the real wrapper.
- After a disconnect, old subscriptions are dead forever; only new ``subscribe_*`` calls
  (made on a new client) deliver.
- Units: tick ``volume`` = cumulative lots, ``pvolume`` = shares, ``amount`` = cumulative
  CNY, ``time`` = epoch ms; prices sometimes carry float noise (``1137 * 0.01``).
- Kline bars are stamped at their END (1m: 09:30 = opening auction only, 09:31..11:30,
  13:01..15:00 = 241 bars/day; 5m: 09:35 includes the auction); daily bars at Beijing
  midnight. Index labels: 'YYYYMMDDHHMMSS' (Beijing), 'YYYYMMDD' for '1d'.

The simulated market. Each trading day has 5001 snapshot slots, every 3 s:
0..199 = 09:15:00..09:24:57 (opening call auction: indicative bid1 = ask1, ``lastPrice`` 0),
200 = 09:25:00 (auction print), 201..2600 = 09:30:03..11:30:00, 2601..5000 =
13:00:03..15:00:00; 14:57:03..14:59:57 carry no trades (closing auction), 15:00:00 is the
closing print. At each slot about 60% of the codes change (indices always, the suspended
code never). A code's price at a slot is a pure, integer-exact function of (code, day,
slot), so live pushes, ``get_full_tick`` and history are views of one path: bars built from
the pushes equal ``get_market_data_ex``. 600519.SH replays ``resources/data``'s real 1m bars
on the days that file covers. Prices stay inside the limit band of the previous close.

Control API (all extra public names are ``fake_*`` functions or ``Fake*`` classes):

- ``fake_reset(*, start=None, speed=1.0, paused=False, push_interval_s=3.0, universe=5500,
  seed=0, terminal_up=True) -> FakeMarket``; ``fake_market()``; ``fake_shutdown()``.
- ``FakeMarket``: ``clock()``, ``now()``, ``step(seconds)``, ``wait_idle(timeout=5.0)``,
  ``terminal_down()``, ``terminal_up()``, ``silence(on)``, ``inject_whole(datas)``,
  ``set_price(code, price)``, ``subscriptions()``, ``calls``, ``close()``; attributes
  ``codes``, ``a_share_codes``, ``index_codes``, ``st_codes``, ``suspended_code``,
  ``minute_history_days``, ``daily_history_days``, ``download_delay_s``.

Self-contained on purpose (stdlib + numpy, pandas only inside ``get_market_data_ex``): it is
loaded by file path in tests (tests/helpers/fake_qmt.py) and as ``xtquant.xtdata`` by the
developer switch (tests/fake_xtquant first on ``sys.path``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as _dt
import gc
import threading
import time as _time
import traceback as _traceback
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------------
# SDK module attributes (real names)

enable_hello = True
data_dir = None

# ---------------------------------------------------------------------------------------
# constants

_CONNECT_ERROR = "无法连接xtquant服务，请检查QMT-投研版或QMT-极简版是否开启"
_PORT = 58610
_ADDRESS = f"127.0.0.1:{_PORT}"
_BJ = _dt.timezone(_dt.timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
_DEFAULT_START = _dt.datetime(2026, 3, 24, 9, 35, tzinfo=_BJ)
_CSV_DIR = Path(__file__).resolve().parents[3] / "resources" / "data"

_N_K = 5001  # snapshot slots per trading day
_K_AUCTION = 200  # 09:25:00 opening-auction print (the 09:30 one-minute bar)
_K_NOON = 2600  # 11:30:00
_K_CLOSING = 4940  # 14:57:00; slots after it and before 15:00 carry no trades
_K_CLOSE = 5000  # 15:00:00 closing print
_S_AUCTION, _S_AUCTION_END = 9 * 3600 + 15 * 60, 9 * 3600 + 25 * 60
_S_AM, _S_AM_END, _S_PM, _S_PM_END = 34200, 41400, 46800, 54000
_BIG = np.int64(1) << 60
_BLOCK = 32  # slots per vectorised block when advancing the whole market (bounded temporaries)

# Kline periods the fake can simulate: minutes per bar (0 = daily). Others give -1 / empty.
_KLINE_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "60m": 60, "1h": 60, "1d": 0}
_PERIODS = ("tick", *_KLINE_MINUTES)
_BAR_FIELDS = ("time", "open", "high", "low", "close", "volume", "amount",
               "settelementPrice", "openInterest", "preClose", "suspendFlag")

# SSE/SZSE weekday holidays 2020-2026 (from exchange-calendars XSHG); weekends are closed too.
_HOLIDAYS = frozenset("""
20200101 20200124 20200127 20200128 20200129 20200130 20200131 20200406 20200501 20200504
20200505 20200625 20200626 20201001 20201002 20201005 20201006 20201007 20201008 20210101
20210211 20210212 20210215 20210216 20210217 20210405 20210503 20210504 20210505 20210614
20210920 20210921 20211001 20211004 20211005 20211006 20211007 20220103 20220131 20220201
20220202 20220203 20220204 20220404 20220405 20220502 20220503 20220504 20220603 20220912
20221003 20221004 20221005 20221006 20221007 20230102 20230123 20230124 20230125 20230126
20230127 20230405 20230501 20230502 20230503 20230622 20230623 20230929 20231002 20231003
20231004 20231005 20231006 20240101 20240209 20240212 20240213 20240214 20240215 20240216
20240404 20240405 20240501 20240502 20240503 20240610 20240916 20240917 20241001 20241002
20241003 20241004 20241007 20250101 20250128 20250129 20250130 20250131 20250203 20250204
20250404 20250501 20250502 20250505 20250602 20251001 20251002 20251003 20251006 20251007
20251008 20260101 20260102 20260216 20260217 20260218 20260219 20260220 20260223 20260406
20260501 20260504 20260505 20260619 20260925 20261001 20261002 20261005 20261006 20261007
""".split())


def _build_calendar() -> list[_dt.date]:
    """Trading days 2020-2030: weekdays minus the holidays above (later years: weekdays)."""
    day, end, out = _dt.date(2020, 1, 1), _dt.date(2030, 12, 31), []
    while day <= end:
        if day.weekday() < 5 and day.strftime("%Y%m%d") not in _HOLIDAYS:
            out.append(day)
        day += _dt.timedelta(days=1)
    return out


_CAL = _build_calendar()
_CAL_IDX = {day: i for i, day in enumerate(_CAL)}
_EPOCH = _dt.date(1970, 1, 1).toordinal()


def _day_ms(d: int) -> int:
    """Epoch ms of Beijing midnight of trading day index ``d``."""
    return ((_CAL[d].toordinal() - _EPOCH) * 86400 - 8 * 3600) * 1000


def _k_seconds(k: np.ndarray | int) -> np.ndarray:
    """Beijing second-of-day of snapshot slot(s) ``k``."""
    k = np.asarray(k, dtype=np.int64)
    return np.where(k <= _K_AUCTION, _S_AUCTION + 3 * k,
                    np.where(k <= _K_NOON, _S_AM + 3 * (k - _K_AUCTION), _S_PM + 3 * (k - _K_NOON)))


def _k_at(sec: float) -> int:
    """Last snapshot slot at or before Beijing second-of-day ``sec`` (-1 = before 09:15)."""
    if sec < _S_AUCTION:
        return -1
    if sec < _S_AUCTION_END:
        return int((sec - _S_AUCTION) // 3)
    if sec < _S_AM:
        return _K_AUCTION
    if sec < _S_AM_END:
        return _K_AUCTION + int((sec - _S_AM) // 3)
    if sec < _S_PM:
        return _K_NOON
    if sec < _S_PM_END:
        return _K_NOON + int((sec - _S_PM) // 3)
    return _K_CLOSE


def _in_push_window(sec: float) -> bool:
    """Pushes happen only in 09:15-09:25, 09:30-11:30 and 13:00-15:00 (Beijing)."""
    return (_S_AUCTION <= sec <= _S_AUCTION_END or _S_AM <= sec <= _S_AM_END
            or _S_PM <= sec <= _S_PM_END)


def _bar_layout(minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """(first slot - 200, end second-of-day) of each bar of a day for a kline period.

    1m: bar 0 is the opening auction alone (stamped 09:30); longer bars fold it into their
    first bar (5m: 09:35 = auction + 09:30:03..09:34:57), like XT. Daily: one bar at midnight.
    """
    if minutes == 0:
        return np.array([0]), np.array([0])
    minute_end = np.r_[_S_AM + 60 * np.arange(0, 121), _S_PM + 60 * np.arange(1, 121)]
    # A bar holds the snapshots of [start, end) (a snapshot at 09:31:00 opens the bar stamped
    # 09:32), except that 11:30:00 and 15:00:00 close the session's last bar, as the app's
    # bar builder does; slot 2401 is 13:00:03, the afternoon's first snapshot.
    per, half = 20 * minutes, 120 // minutes
    session = np.r_[per * np.arange(1, half)]
    if minutes == 1:
        starts = np.r_[0, 1, session, 2401, 2400 + session]
        return starts, minute_end
    n = 240 // minutes
    starts = np.r_[0, session, 2401, 2400 + session]
    return starts, minute_end[minutes * np.arange(1, n + 1)]


_LAYOUTS = {m: _bar_layout(m) for m in set(_KLINE_MINUTES.values())}

# ---------------------------------------------------------------------------------------
# deterministic hashing (integer-exact, so every vectorisation gives identical values)

_MASK64 = (1 << 64) - 1
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_G2, _G3 = np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)
_S_DAY, _S_SLOW, _S_FAST, _S_GATE, _S_FLOAT, _S_BASE, _S_VMAX, _S_PE, _S_DEPTH = range(1, 10)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * _C1
    x = (x ^ (x >> np.uint64(27))) * _C2
    return x ^ (x >> np.uint64(31))


def _hash(key: np.ndarray, salt: int, a: Any, b: Any) -> np.ndarray:
    """Hash of (code key, salt, a, b), broadcasting like numpy."""
    with np.errstate(over="ignore"):
        s = np.uint64((salt * 0x9E3779B97F4A7C15) & _MASK64)
        a64 = np.atleast_1d(np.asarray(a, dtype=np.int64)).astype(np.uint64)
        b64 = np.atleast_1d(np.asarray(b, dtype=np.int64)).astype(np.uint64)
        h = _mix(key ^ s ^ (a64 * _G2))
        return _mix(h ^ (b64 * _G3))


def _unit(h: np.ndarray) -> np.ndarray:
    """uint64 hash -> float in [0, 1)."""
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _vnoise(key: np.ndarray, salt: int, a: Any, x: np.ndarray) -> np.ndarray:
    """Smooth value noise in [-1, 1] along ``x`` (hashed control points at integers)."""
    i = np.floor(x)
    f = x - i
    ii = i.astype(np.int64)
    lo = 2.0 * _unit(_hash(key, salt, a, ii)) - 1.0
    hi = 2.0 * _unit(_hash(key, salt, a, ii + 1)) - 1.0
    return lo + (hi - lo) * (f * f * (3.0 - 2.0 * f))


# ---------------------------------------------------------------------------------------
# universe

_KNOWN_NAMES = {"600000.SH": "浦发银行", "600036.SH": "招商银行", "601318.SH": "中国平安",
                "000001.SZ": "平安银行", "000002.SZ": "万科A", "000858.SZ": "五粮液",
                "300001.SZ": "特锐德", "688001.SH": "华兴源创"}


@dataclass
class _Universe:
    """Static per-code parameters, arrays aligned with ``codes`` (row index)."""

    codes: list[str]
    names: list[str]
    row: dict[str, int]
    key: np.ndarray  # uint64 hash key
    is_index: np.ndarray
    suspended: np.ndarray
    up_num: np.ndarray  # limit band in percent of preClose (110 = +10%); 0 = no band
    down_num: np.ndarray
    amp: np.ndarray  # price-path amplitude multiplier
    gate: np.ndarray  # probability that a snapshot changes
    base: np.ndarray  # base price, cents (float)
    vmax: np.ndarray  # lots per snapshot scale
    pe: np.ndarray


def _build_universe(n: int, seed: int) -> _Universe:
    """``n`` A-share codes (600519.SH and 300750.SZ included) plus the indices 000001.SH,
    399001.SZ and 000300.SH.

    Codes are real-looking and unique: ~45% 600000.SH.., ~35% 000001.SZ.., ~12% 300001.SZ..,
    the rest 688001.SH..; some main-board names carry ST/*ST (±5% band); 000004.SZ is
    suspended. A code's path depends only on its code string and ``seed``, not on ``n``.
    """
    if n < 20:
        raise ValueError("universe must hold at least 20 codes")
    m = n - 1
    n_sh, n_sz, n_cy = round(m * 0.45), round(m * 0.35), round(m * 0.12)
    n_kc = m - n_sh - n_sz - n_cy
    codes = ["000001.SH", "399001.SZ", "600519.SH"]
    names = ["上证指数", "深证成指", "贵州茅台"]
    board = ["index", "index", "main"]
    st = [False, False, False]

    def add(code: str, name: str, kind: str, is_st: bool) -> None:
        codes.append(code)
        names.append(_KNOWN_NAMES.get(code, ("ST" + name) if is_st else name))
        board.append(kind)
        st.append(is_st)

    num = 600000
    for i in range(n_sh):
        if num == 600519:
            num += 1
        add(f"{num:06d}.SH", f"沪主板{i + 1:04d}", "main", i % 41 == 17)
        num += 1
    for i in range(n_sz):
        add(f"{1 + i:06d}.SZ", f"深主板{i + 1:04d}", "main", i % 41 == 17)
    for i in range(n_cy):
        add(f"{300001 + i:06d}.SZ", f"创业板{i + 1:04d}", "chinext", False)
    for i in range(n_kc):
        add(f"{688001 + i:06d}.SH", f"科创板{i + 1:04d}", "star", False)
    if "300750.SZ" not in codes and n_cy:  # the app's default watchlist names it
        last_cy = max(i for i, b in enumerate(board) if b == "chinext")
        codes[last_cy], names[last_cy] = "300750.SZ", "宁德时代"
    codes.append("000300.SH")  # CSI 300, also on the default watchlist
    names.append("沪深300")
    board.append("index")
    st.append(False)

    crc = np.array([zlib.crc32(c.encode()) for c in codes], dtype=np.uint64)
    with np.errstate(over="ignore"):
        key = _mix(crc ^ np.uint64((seed * 0x9E3779B97F4A7C15) & _MASK64))
    is_index = np.array([b == "index" for b in board])
    is_st = np.array(st)
    growth = np.array([b in ("chinext", "star") for b in board])
    suspended = np.array([c == "000004.SZ" for c in codes])
    u_base = _unit(_hash(key, _S_BASE, 0, 0))
    lo, hi = np.where(is_st, 1.5, np.where(growth, 8.0, 3.0)), np.where(is_st, 8.0, np.where(growth, 150.0, 80.0))
    base = np.exp(np.log(lo) + u_base * (np.log(hi) - np.log(lo))) * 100.0
    base[0], base[1], base[-1] = 390000.0, 1250000.0, 450000.0
    base[2] = _moutai_base()
    up = np.where(is_index, 0, np.where(growth, 120, np.where(is_st, 105, 110))).astype(np.int64)
    down = np.where(is_index, 0, 200 - up).astype(np.int64)
    amp = np.where(is_st, 0.45, np.where(is_index, 0.5, 1.0))
    amp[2] = 0.5
    gate = np.where(is_index, 1.1, 0.6)
    gate[2] = 0.85
    gate[suspended] = 0.0
    vmax = np.exp(np.log(5.0) + _unit(_hash(key, _S_VMAX, 0, 0)) * (np.log(300.0) - np.log(5.0)))
    vmax[is_index] = 1e5
    vmax[2] = 40.0
    pe = np.where(is_index, 0.0, np.round(5.0 + 55.0 * _unit(_hash(key, _S_PE, 0, 0)), 2))
    return _Universe(codes, names, {c: i for i, c in enumerate(codes)}, key, is_index, suspended,
                     up, down, amp, gate, base, vmax, pe)


# ---------------------------------------------------------------------------------------
# real bars from resources/data (600519.SH): exact history on the days the file covers

_CSV_STAMPS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:00" for s in _LAYOUTS[1][1]]
_csv_cache: dict[str, dict[_dt.date, np.ndarray]] | None = None


def _csv_bars() -> dict[str, dict[_dt.date, np.ndarray]]:
    """{code: {date: int64[241, 6] (open, high, low, close cents, volume lots, amount CNY)}}.

    Files ``<code>_1m_*.csv`` (columns datetime,open,close,high,low,volume,成交额,均价; stamps at
    bar END, 09:30 = auction). Days without the exact 241 XT stamps are ignored.
    """
    global _csv_cache
    if _csv_cache is None:
        out: dict[str, dict[_dt.date, np.ndarray]] = {}
        for path in sorted(_CSV_DIR.glob("*_1m_*.csv")) if _CSV_DIR.is_dir() else []:
            code = path.name.split("_1m_")[0]
            if not (len(code) == 9 and code[:6].isdigit() and code[6:] in (".SH", ".SZ")):
                continue  # e.g. crypto files of the demo feed
            days: dict[str, list[list[str]]] = {}
            with path.open(encoding="utf-8-sig") as fh:
                for rec in csv.DictReader(fh):
                    day, _, hms = rec["datetime"].partition(" ")
                    days.setdefault(day, []).append([hms, rec["open"], rec["high"], rec["low"],
                                                     rec["close"], rec["volume"], rec["成交额"]])
            for day, rows in days.items():
                if [r[0] for r in rows] != _CSV_STAMPS:
                    continue
                arr = np.array([[round(float(v) * 100) for v in r[1:5]]
                                + [int(float(r[5])), round(float(r[6]))] for r in rows], dtype=np.int64)
                out.setdefault(code, {})[_dt.date.fromisoformat(day)] = arr
        _csv_cache = out
    return _csv_cache


def _moutai_base() -> float:
    """600519.SH synthetic days hover around the file's last close (cents)."""
    days = _csv_bars().get("600519.SH")
    return float(days[max(days)][-1, 3]) if days else 141702.0


# ---------------------------------------------------------------------------------------
# clients, dispatchers, subscriptions


def _wrap_callback(callback: Callable[[Any], Any]) -> Callable[[Any], None]:
    """Like ``xtdata.subscribe_callback_wrapper``: print and swallow callback exceptions."""

    def subscribe_callback(datas: Any) -> None:
        try:
            callback(datas)
        except Exception:
            print("subscribe callback error:", callback)
            _traceback.print_exc()

    return subscribe_callback


class _Dispatcher:
    """One callback thread per client (the real native client calls back on its own threads)."""

    def __init__(self, name: str) -> None:
        self._cv = threading.Condition()
        self._queue: deque[tuple[Callable[[Any], None], Any, Callable[[], bool] | None]] = deque()
        self._busy = False
        self._closing = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def post(self, fn: Callable[[Any], None], arg: Any, alive: Callable[[], bool] | None = None) -> None:
        with self._cv:
            if not self._closing:
                self._queue.append((fn, arg, alive))
                self._cv.notify_all()

    def close(self, drain: bool) -> None:
        """Stop after the queue (``drain``) or at once; dead subscriptions are skipped anyway."""
        with self._cv:
            self._closing = True
            if not drain:
                self._queue.clear()
            self._cv.notify_all()

    def wait_idle(self, deadline: float) -> bool:
        with self._cv:
            while (self._queue or self._busy) and self.thread.is_alive():
                left = deadline - _time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(left)
            return True

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closing:
                    self._cv.wait()
                if not self._queue:
                    self._cv.notify_all()
                    return
                fn, arg, alive = self._queue.popleft()
                self._busy = True
            try:
                if alive is None or alive():
                    fn(arg)
            except Exception:
                _traceback.print_exc()
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()


class FakeClient:
    """What ``connect()`` returns: only ``is_connected()`` and ``shutdown()`` matter."""

    def __init__(self, market: FakeMarket, status_callback: Callable[[Any], None] | None) -> None:
        self._market = market
        self._connected = True
        self.status_callback = status_callback
        self.dispatcher = _Dispatcher(f"fake-xtdata-dispatcher-{id(self):x}")

    def is_connected(self) -> bool:
        return self._connected

    def shutdown(self) -> None:
        """Drop the connection: its subscriptions die, no status event (user-initiated)."""
        self._market._drop_client(self, status_event=False)

    def get_peer_addr(self) -> str:
        return _ADDRESS


@dataclass(frozen=True)
class FakeSubscription:
    """A live subscription as reported by :meth:`FakeMarket.subscriptions`."""

    seq: int
    kind: str  # 'quote' (subscribe_quote/2) or 'whole' (subscribe_whole_quote)
    codes: tuple[str, ...]
    period: str | None  # None for whole quote


class _Sub:
    def __init__(self, seq: int, kind: str, client: FakeClient, rows: np.ndarray,
                 period: str | None, callback: Callable[[Any], Any] | None) -> None:
        self.seq, self.kind, self.client, self.rows, self.period = seq, kind, client, rows, period
        self.callback = _wrap_callback(callback) if callback else None
        self.alive = True
        self.delivered_g = -1  # global slot up to which changes were delivered
        self.initial = True  # first push = full snapshot / current bar
        self.last_stamp: int | None = None  # kline: stamp of the last pushed forming bar

    def is_alive(self) -> bool:
        return self.alive and self.client.is_connected()


# ---------------------------------------------------------------------------------------
# the market


class FakeMarket:
    """The simulated terminal + exchange. Create with :func:`fake_reset`.

    Market time = ``start`` + wall elapsed x ``speed`` (or only :meth:`step` when paused).
    Thread-safe: one lock guards the state; callbacks run on client dispatcher threads
    without the lock, so they may call SDK functions.
    """

    minute_history_days = 20  # trading days of 1m/5m/... history (incl. today)
    daily_history_days = 120  # trading days of 1d history (incl. today)
    download_delay_s = 0.0  # download_history_data* sleep per call (simulate slowness)

    def __init__(self, *, start: _dt.datetime | None = None, speed: float = 1.0,
                 paused: bool = False, push_interval_s: float = 3.0, universe: int = 5500,
                 seed: int = 0, terminal_up: bool = True) -> None:
        start = start or _DEFAULT_START
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0 or push_interval_s <= 0:
            raise ValueError("speed and push_interval_s must be > 0")
        self._lock = threading.RLock()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._u = _build_universe(universe, seed)
        self.codes: list[str] = list(self._u.codes)
        self.index_codes: list[str] = [c for c, i in zip(self.codes, self._u.is_index) if i]
        self.a_share_codes: list[str] = sorted(c for c, i in zip(self.codes, self._u.is_index)
                                               if not i)
        self.st_codes: list[str] = [c for c, n in zip(self.codes, self._u.names) if "ST" in n]
        self.suspended_code: str = "000004.SZ"
        self.speed, self.paused, self.push_interval_s = float(speed), paused, float(push_interval_s)
        self._t = start.timestamp()  # paused clock
        self._t0, self._w0 = start.timestamp(), _time.monotonic()
        self._up = terminal_up
        self._silenced = False
        self.closed = False
        self._clients: list[FakeClient] = []
        self._subs: dict[int, _Sub] = {}
        self._next_seq = 1
        self._downloaded: set[tuple[str, str]] = set()
        self._overrides: dict[int, list[tuple[int, int | None]]] = {}
        self._ov_version = 0
        self._series_cache: OrderedDict[tuple[int, int, int], dict[str, np.ndarray]] = OrderedDict()
        self._pre_cache: dict[tuple[int, int], np.ndarray] = {}
        self._csv_rows = {self._u.row[c]: days for c, days in _csv_bars().items() if c in self._u.row}
        self._csv_cache: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}
        # Whole-market snapshot state at slot (_st_d, _st_k), kept only for the "tracked" rows
        # (codes of live subscriptions): pushes need it every slot, everything else is computed
        # on demand. Advancing 5,500 codes costs ~1-2 ms per slot, so catching up from 09:15
        # is the expensive part; _CHECKPOINTS shares it between markets in one process.
        self._st_d, self._st_k = -1, -1
        self._st: dict[str, np.ndarray] = self._fresh_carry(len(self._u.codes))
        self._tracked = np.zeros(len(self._u.codes), bool)
        self._seed, self._universe_size = seed, universe
        self._published_g = self._g_at(self.clock())
        self._stop = threading.Event()
        self._pusher: threading.Thread | None = None
        if not paused:
            self._pusher = threading.Thread(target=self._pusher_loop, name="fake-xtdata-pusher", daemon=True)
            self._pusher.start()

    # -- clock -----------------------------------------------------------------------------

    def clock(self) -> float:
        """Market time as epoch seconds (the app's clock in developer mode)."""
        if self.paused:
            return self._t
        return self._t0 + (_time.monotonic() - self._w0) * self.speed

    def now(self) -> _dt.datetime:
        """Market time as an aware Beijing datetime."""
        return _dt.datetime.fromtimestamp(self.clock(), _BJ)

    def _pos(self, t: float) -> tuple[int, int]:
        """(trading day index, slot) of the last snapshot at or before ``t``."""
        when = _dt.datetime.fromtimestamp(t, _BJ)
        day = when.date()
        d = _CAL_IDX.get(day)
        if d is not None:
            k = _k_at(t - _day_ms(d) / 1000.0)
            if k >= 0:
                return d, k
            return d - 1, _K_CLOSE
        return bisect.bisect_right(_CAL, day) - 1, _K_CLOSE

    def _g_at(self, t: float) -> int:
        d, k = self._pos(t)
        return d * _N_K + k

    def _trading_day_now(self) -> int:
        """Today's index if today is a trading day (limits/TradingDay), else the last one."""
        t = self.clock()
        day = _dt.datetime.fromtimestamp(t, _BJ).date()
        return _CAL_IDX[day] if day in _CAL_IDX else self._pos(t)[0]

    def step(self, seconds: float) -> None:
        """Paused mode: advance market time, delivering every crossed snapshot push in order."""
        if not self.paused:
            raise RuntimeError("step() needs a paused market (fake_reset(paused=True))")
        with self._lock:
            t_end = self._t + seconds
            g_end = self._g_at(t_end)
            if self._deliverable():
                for g in range(self._published_g + 1, g_end + 1):
                    d, k = divmod(g, _N_K)
                    self._t = _day_ms(d) / 1000.0 + float(_k_seconds(k))
                    self._publish(d, k)
                    self._published_g = g
            self._published_g = max(self._published_g, g_end)
            self._t = t_end

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every dispatcher has delivered what is queued; False on timeout."""
        deadline = _time.monotonic() + timeout
        with self._lock:
            clients = list(self._clients)
        return all(c.dispatcher.wait_idle(deadline) for c in clients)

    def _pusher_loop(self) -> None:
        """Running mode: every ``push_interval_s / speed`` wall seconds (drift-free schedule,
        just after each multiple so a 3 s interval lands after each 3 s snapshot), push what
        changed since the last push. Between sessions nothing changes, so nothing is pushed."""
        interval = self.push_interval_s / self.speed
        while True:
            elapsed = _time.monotonic() - self._w0
            next_beat = (int(elapsed / interval) + 1) * interval  # skips beats missed by slow pushes
            if self._stop.wait(next_beat - elapsed + 0.002):
                return
            try:
                with self._lock:
                    g = self._g_at(self.clock())
                    if g > self._published_g and self._deliverable():
                        self._publish(*divmod(g, _N_K))
                    self._published_g = max(self._published_g, g)
            except Exception:
                _traceback.print_exc()

    def close(self) -> None:
        """Stop the pusher and every dispatcher (used by fake_reset / fake_shutdown)."""
        self._stop.set()
        with self._lock:
            self.closed = True
            for client in list(self._clients):
                self._drop_client(client, status_event=False)
        if self._pusher is not None and self._pusher is not threading.current_thread():
            self._pusher.join(timeout=2.0)

    # -- fault controls --------------------------------------------------------------------

    @property
    def is_terminal_up(self) -> bool:
        return self._up

    def terminal_down(self) -> None:
        """The terminal dies: clients disconnect ('disconnected' event), subscriptions die
        forever, every SDK call raises the connect Exception until :meth:`terminal_up`."""
        with self._lock:
            self._up = False
            for client in list(self._clients):
                self._drop_client(client, status_event=True)

    def terminal_up(self) -> None:
        """connect/reconnect (and the lazy reconnect in every data call) work again."""
        with self._lock:
            self._up = True

    def silence(self, on: bool) -> None:
        """Connected but mute: subscriptions deliver nothing (then catch up on what changed)."""
        with self._lock:
            self._silenced = bool(on)

    def inject_whole(self, datas: Any) -> None:
        """Deliver ``datas`` verbatim to every live whole-quote subscriber (malformed payloads)."""
        with self._lock:
            for sub in self._subs.values():
                if sub.kind == "whole" and sub.callback and sub.is_alive():
                    sub.client.dispatcher.post(sub.callback, datas, sub.is_alive)

    def set_price(self, code: str, price: float | None) -> None:
        """From the next snapshot on, ``code`` trades at ``price`` (verbatim, no limit clip);
        ``None`` returns it to its generated path. History bars include the override, so a
        backfill after an outage sees what happened meanwhile."""
        with self._lock:
            row = self._u.row[code]
            g_from = self._g_at(self.clock()) + 1
            cents = None if price is None else round(price * 100)
            self._overrides.setdefault(row, []).append((g_from, cents))
            self._ov_version += 1
            self._pre_cache.clear()

    def subscriptions(self) -> list[FakeSubscription]:
        """Live subscriptions (dead ones - unsubscribed or of a lost client - are omitted)."""
        with self._lock:
            return [FakeSubscription(s.seq, s.kind, tuple(self._u.codes[r] for r in s.rows), s.period)
                    for s in self._subs.values() if s.is_alive()]

    # -- clients ---------------------------------------------------------------------------

    def _accepts(self, ip: str, port: Any) -> bool:
        if not self._up or self.closed or ip not in ("", "127.0.0.1", "localhost"):
            return False
        if port is None or port == "":
            return True
        if isinstance(port, tuple):
            return min(port) <= _PORT <= max(port)
        return port == _PORT

    def _new_client(self, status_callback: Callable[[Any], None] | None) -> FakeClient:
        with self._lock:
            client = FakeClient(self, status_callback)
            self._clients.append(client)
            if status_callback:
                client.dispatcher.post(status_callback, {"address": _ADDRESS, "status": "connected"})
            return client

    def _drop_client(self, client: FakeClient, status_event: bool) -> None:
        with self._lock:
            if not client._connected:
                return
            client._connected = False
            for sub in self._subs.values():
                if sub.client is client:
                    sub.alive = False
            self._subs = {s: sub for s, sub in self._subs.items() if sub.alive}
            if status_event and client.status_callback:
                client.dispatcher.post(client.status_callback, {"address": _ADDRESS, "status": "disconnected"})
            client.dispatcher.close(drain=status_event)

    # -- subscriptions ---------------------------------------------------------------------

    def _rows_of(self, code_list: Any) -> list[int]:
        """Rows of explicit codes and market codes ('SH'/'SZ' = every code of that market)."""
        if isinstance(code_list, str):
            code_list = [code_list]
        rows: list[int] = []
        for code in code_list or []:
            if not isinstance(code, str):
                continue
            if code in ("SH", "SZ"):
                rows.extend(i for i, c in enumerate(self._u.codes) if c.endswith("." + code))
            elif code in self._u.row:
                rows.append(self._u.row[code])
        return list(dict.fromkeys(rows))

    def _subscribe(self, client: FakeClient, kind: str, rows: list[int], period: str | None,
                   callback: Callable[[Any], Any] | None) -> int:
        with self._lock:
            if not rows or not client.is_connected():
                return -1
            sub = _Sub(self._next_seq, kind, client, np.array(rows, dtype=np.int64), period, callback)
            self._next_seq += 1
            self._subs[sub.seq] = sub
            self._track(sub.rows)
            # The first push (full snapshot / current bar) comes at once inside the push
            # windows; otherwise with the first push of the next session.
            t = self.clock()
            today = _CAL_IDX.get(_dt.datetime.fromtimestamp(t, _BJ).date())
            if (sub.callback and not self._silenced and today is not None
                    and _in_push_window(t - _day_ms(today) / 1000.0)):
                d, k = self._pos(t)
                self._advance_state(d, k)
                self._deliver(sub, d, k)
            return sub.seq

    def _unsubscribe(self, seq: Any) -> None:
        with self._lock:
            sub = self._subs.pop(seq, None) if isinstance(seq, int) else None
            if sub is not None:
                sub.alive = False

    def _deliverable(self) -> bool:
        return not self._silenced and any(s.callback and s.is_alive() for s in self._subs.values())

    def _publish(self, d: int, k: int) -> None:
        """Advance the market to slot (d, k) and push what changed to every subscriber."""
        self._advance_state(d, k)
        for sub in list(self._subs.values()):
            if sub.callback and sub.is_alive():
                self._deliver(sub, d, k)

    def _deliver(self, sub: _Sub, d: int, k: int) -> None:
        g = d * _N_K + k
        last_g = np.where(self._st["last_k"] >= 0, d * _N_K + self._st["last_k"], -1)
        rows = sub.rows if sub.initial else sub.rows[last_g[sub.rows] > sub.delivered_g]
        sub.delivered_g, sub.initial = g, False
        if rows.size == 0:
            return
        if sub.kind == "whole":
            # Dicts are built here, under the lock, so the payload is exactly this slot's
            # state; the dispatcher thread only calls back (a 5,500-code payload is ~100k
            # Python objects: most of a push's cost).
            payload: Any = _tick_dicts([self._u.codes[r] for r in rows],
                                       self._tick_columns(rows, d, {n: a[rows] for n, a in self._st.items()}, k))
        else:
            row = int(rows[0])
            if sub.period == "tick":
                cols = self._tick_columns(rows[:1], d, {n: a[rows[:1]] for n, a in self._st.items()}, k)
                records = list(_tick_dicts([self._u.codes[row]], cols).values())
            else:
                bars = self._bars_day(row, d, k, _KLINE_MINUTES[sub.period or "1d"])
                if bars["time"].size == 0:
                    return
                idx = [bars["time"].size - 1]
                stamp = int(bars["time"][-1])
                if sub.last_stamp is not None and sub.last_stamp != stamp:
                    prev = np.nonzero(bars["time"] == sub.last_stamp)[0]
                    idx = [int(prev[0])] + idx if prev.size else idx
                sub.last_stamp = stamp
                records = [self._bar_dict(bars, i) for i in idx]
            payload = {self._u.codes[row]: records}
        sub.client.dispatcher.post(sub.callback, payload, sub.is_alive)  # type: ignore[arg-type]

    # -- the price path ------------------------------------------------------------------

    def _block(self, rows: np.ndarray, d: int, ks: np.ndarray) -> tuple[np.ndarray, ...]:
        """(raw cents, changed, dv lots, da CNY) for slots x rows of day ``d`` (2-D, slot-major).

        raw = price the code would show if it changes at that slot; only changed slots are
        pushed, trade (dv > 0) and enter bars. Price: base x (1 + slow day drift) x (1 + two
        octaves of smooth noise + tiny jitter); the amplitudes keep every price inside the
        limit band of the previous close without clipping (so the path stays a pure function
        of (code, day, slot) and preClose needs no recursion). Everything is elementwise
        integer or IEEE arithmetic, so any blocking of slots/rows gives identical values.
        """
        U = self._u
        key = U.key[rows][None, :]
        amp = U.amp[rows][None, :]
        kk = ks[:, None]
        anchor = U.base[rows][None, :] * (1.0 + 0.04 * amp * _vnoise(key, _S_DAY, 0, np.full((1, 1), d / 5.0)))
        slow = _vnoise_k(key, _S_SLOW, d, ks, 400.0)
        fast = _vnoise_k(key, _S_FAST, d, ks, 50.0)
        u_gate, u_vol, u_jit = _slot_uniforms(key, d, kk)
        jitter = 2.0 * u_jit - 1.0
        raw = np.floor(anchor * (1.0 + amp * (0.018 * slow + 0.008 * fast + 0.001 * jitter)) + 0.5).astype(np.int64)
        changed = u_gate < U.gate[rows][None, :]
        changed |= (kk == 0) | (kk == _K_AUCTION) | (kk == _K_CLOSE)
        changed &= ~((kk > _K_CLOSING) & (kk < _K_CLOSE))
        changed &= ~U.suspended[rows][None, :]
        u_vol = u_vol * U.vmax[rows][None, :]
        x = (kk - _K_AUCTION) / 4800.0
        weight = np.where(kk == _K_AUCTION, 10.0, np.where(kk == _K_CLOSE, 8.0, 0.5 + 2.0 * (x - 0.5) * (x - 0.5)))
        dv = (np.floor(u_vol * weight) + 1.0).astype(np.int64)
        dv *= changed
        dv *= kk >= _K_AUCTION
        da = raw * dv
        special = list(self._csv_rows) + list(self._overrides)
        for i in np.nonzero(np.isin(rows, special))[0] if special else ():
            row = int(rows[i])
            csv_day = self._csv_day(row, d)
            if csv_day is not None:
                raw[:, i], changed[:, i], dv[:, i], da[:, i] = (a[ks] for a in csv_day)
            generated = raw[:, i].copy()
            gks = d * _N_K + ks
            for g_from, cents in self._overrides.get(row, []):
                later = gks >= g_from
                raw[later, i] = generated[later] if cents is None else cents
                changed[:, i] |= (gks == g_from) & ~U.suspended[row]
                da[:, i] = raw[:, i] * dv[:, i]
        return raw, changed, dv, da

    def _csv_day(self, row: int, d: int) -> tuple[np.ndarray, ...] | None:
        """Whole-day slot arrays reproducing the file's 1m bars exactly (or None).

        Inside each minute its snapshots (19 to 21) go open -> high/low -> low/high -> close
        (straight lines between those anchors); volume and amount are split over the
        snapshots that change, so the aggregation gives back the file's OHLCV exactly.
        The file's ``open`` is often 0.0: then the minute opens at the previous close
        clamped into [low, high].
        """
        bars = self._csv_rows.get(row, {}).get(_CAL[d])
        if bars is None:
            return None
        cached = self._csv_cache.get((row, d))
        if cached is not None:
            return cached
        key = self._u.key[row:row + 1][None, :]
        gate_u = _slot_uniforms(key, d, np.arange(_N_K)[:, None])[0][:, 0] < self._u.gate[row]
        raw = np.empty(_N_K, np.int64)
        changed = np.zeros(_N_K, bool)
        dv = np.zeros(_N_K, np.int64)
        da = np.zeros(_N_K, np.int64)
        auction = int(bars[0, 3])
        raw[:_K_AUCTION + 1] = auction
        changed[:_K_AUCTION] = gate_u[:_K_AUCTION]
        changed[0] = changed[_K_AUCTION] = True
        dv[_K_AUCTION], da[_K_AUCTION] = bars[0, 4], bars[0, 5]
        prev = auction
        starts = np.r_[_LAYOUTS[1][0], _N_K - _K_AUCTION]  # bar m holds slots [starts[m], starts[m+1])
        for m in range(1, 241):
            o, h, lo, c, vol, amt = (int(v) for v in bars[m])
            sl = slice(_K_AUCTION + int(starts[m]), _K_AUCTION + int(starts[m + 1]))
            n = sl.stop - sl.start  # 19 to 21 snapshots
            if vol == 0 and h == lo == c == prev:
                raw[sl] = prev
                prev = c
                continue
            o = o if lo <= o <= h else min(max(prev, lo), h)
            mids = (lo, h) if c - lo >= h - c else (h, lo)
            anchors = [1, n // 3 + 1, 2 * n // 3 + 1, n]
            raw[sl] = np.floor(np.interp(np.arange(1, n + 1), anchors,
                                         [o, mids[0], mids[1], c]) + 0.5).astype(np.int64)
            ch = gate_u[sl].copy()
            ch[[a - 1 for a in anchors]] = True
            changed[sl] = ch
            if vol > 0:
                q, r = divmod(vol, int(ch.sum()))
                part = np.where(ch, q + (np.cumsum(ch) <= r), 0).astype(np.int64)
                dv[sl] = part
                cum_amt = amt * np.cumsum(part) // vol
                da[sl] = np.diff(np.r_[0, cum_amt])
            prev = c
        result = (raw, changed, dv, da)
        self._csv_cache[(row, d)] = result
        return result

    def _pre_close(self, rows: np.ndarray, d: int) -> np.ndarray:
        """Previous close (cents) of day ``d`` = closing print of day d-1 (suspended: base)."""
        key = (d, self._ov_version)
        pre = self._pre_cache.get(key)
        if pre is None:
            every = np.arange(len(self._u.codes))
            pre = self._block(every, d - 1, np.array([_K_CLOSE]))[0][0]
            pre = np.where(self._u.suspended, np.floor(self._u.base + 0.5).astype(np.int64), pre)
            self._pre_cache[key] = pre
        return pre[rows]

    def _limits(self, rows: np.ndarray, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Limit-up/down cents: preClose x band, rounded half up to 0.01 (0 = no band)."""
        return (pre * self._u.up_num[rows] + 50) // 100, (pre * self._u.down_num[rows] + 50) // 100

    # Note: masks are applied with arithmetic ((x + 1) * mask - 1, x + ~mask * BIG) rather
    # than np.where, which is ~10x slower on these large 2-D arrays.

    def _scan(self, rows: np.ndarray, d: int, k0: int, k1: int,
              carry: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per-slot day state (slots x rows) for slots k0..k1, continuing ``carry`` (state at k0-1)."""
        ks = np.arange(k0, k1 + 1, dtype=np.int64)
        raw, changed, dv, da = self._block(rows, d, ks)
        idx = np.maximum.accumulate((np.arange(ks.size)[:, None] + 1) * changed - 1, axis=0)
        eff = np.where(idx >= 0, np.take_along_axis(raw, np.maximum(idx, 0), axis=0), carry["eff"][None, :])
        cont = changed & (ks >= _K_AUCTION)[:, None]
        open_v = eff[_K_AUCTION - k0] if k0 <= _K_AUCTION <= k1 else carry["open"]
        return {
            "raw": raw, "changed": changed, "dv": dv, "da": da, "eff": eff,
            "high": np.maximum(np.maximum.accumulate(raw * cont, axis=0), carry["high"][None, :]),
            "low": np.minimum(np.minimum.accumulate(raw + ~cont * _BIG, axis=0), carry["low"][None, :]),
            "open": (ks[:, None] >= _K_AUCTION) * open_v[None, :],
            "cumvol": carry["cumvol"][None, :] + np.cumsum(dv, axis=0),
            "cumamt": carry["cumamt"][None, :] + np.cumsum(da, axis=0),
            "ntrans": carry["ntrans"][None, :] + np.cumsum(_trades(dv), axis=0),
            "last_k": np.maximum(np.maximum.accumulate((ks[:, None] + 1) * changed - 1, axis=0),
                                 carry["last_k"][None, :]),
        }

    def _scan_final(self, rows: np.ndarray, d: int, k0: int, k1: int,
                    carry: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The state at k1 only: the same values as ``_scan(...)[-1]``, by reductions (cheaper)."""
        ks = np.arange(k0, k1 + 1, dtype=np.int64)
        raw, changed, dv, da = self._block(rows, d, ks)
        cols = np.arange(rows.size)
        last = ((ks[:, None] + 1) * changed).max(axis=0) - 1
        eff = np.where(last >= k0, raw[np.maximum(last - k0, 0), cols], carry["eff"])
        cont = changed & (ks >= _K_AUCTION)[:, None]
        if k0 <= _K_AUCTION <= k1:
            n_pre = _K_AUCTION - k0 + 1
            at_open = ((np.arange(n_pre)[:, None] + 1) * changed[:n_pre]).max(axis=0) - 1
            open_v = np.where(at_open >= 0, raw[np.maximum(at_open, 0), cols], carry["eff"])
        else:
            open_v = carry["open"]
        return {
            "eff": eff, "open": open_v,
            "high": np.maximum((raw * cont).max(axis=0), carry["high"]),
            "low": np.minimum((raw + ~cont * _BIG).min(axis=0), carry["low"]),
            "cumvol": carry["cumvol"] + dv.sum(axis=0),
            "cumamt": carry["cumamt"] + da.sum(axis=0),
            "ntrans": carry["ntrans"] + _trades(dv).sum(axis=0),
            "last_k": np.maximum(last, carry["last_k"]),
        }

    @staticmethod
    def _fresh_carry(n: int) -> dict[str, np.ndarray]:
        fields = {name: np.zeros(n, np.int64) for name in _STATE_FIELDS}  # separate arrays
        fields["low"][:] = _BIG
        fields["last_k"][:] = -1
        return fields

    def _final_state(self, rows: np.ndarray, d: int, k0: int, k1: int,
                     carry: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """State of ``rows`` at slot k1 of day d, from ``carry`` at k0-1, in bounded blocks."""
        if k1 < k0:
            return carry
        every = rows.size == len(self._u.codes) and not self._overrides
        start_k = k0
        if every and k0 == 0:
            cached = _checkpoint_get(self._seed, self._universe_size, d, k1)
            if cached is not None:
                start_k, carry = cached[0] + 1, cached[1]
        k = start_k
        while k <= k1:
            k_end = min(k1, k + _BLOCK - 1)
            carry = self._scan_final(rows, d, k, k_end, carry)
            k = k_end + 1
        if every and k0 == 0 and start_k <= k1:
            _checkpoint_put(self._seed, self._universe_size, d, k1, carry)
        return carry

    def _advance_state(self, d: int, k: int) -> None:
        """Bring the tracked rows' state to slot (d, k) (forward only; a new day restarts)."""
        if self._st_d != d or self._st_k > k:
            self._st_d, self._st_k = d, -1
            self._st = self._fresh_carry(len(self._u.codes))
        if k > self._st_k and self._tracked.any():
            if self._tracked.all():
                self._st = self._final_state(np.arange(self._tracked.size), d, self._st_k + 1, k, self._st)
            else:
                rows = np.nonzero(self._tracked)[0]
                part = self._final_state(rows, d, self._st_k + 1, k, {n: a[rows] for n, a in self._st.items()})
                for name, arr in part.items():
                    self._st[name][rows] = arr
        self._st_k = max(self._st_k, k)

    def _track(self, rows: np.ndarray) -> None:
        """Keep ``rows`` in the advanced state from now on (catching them up to the state's slot)."""
        new = np.unique(rows[~self._tracked[rows]])
        if new.size == 0:
            return
        if self._st_d >= 0 and self._st_k >= 0:
            if new.size == self._tracked.size:
                self._st = self._final_state(new, self._st_d, 0, self._st_k, self._fresh_carry(new.size))
            else:
                part = self._final_state(new, self._st_d, 0, self._st_k, self._fresh_carry(new.size))
                for name, arr in part.items():
                    self._st[name][new] = arr
        self._tracked[new] = True

    def _rows_state(self, rows: np.ndarray) -> tuple[int, int, dict[str, np.ndarray]]:
        """(d, k, state of ``rows``) now; untracked rows are computed without being tracked."""
        d, k = self._pos(self.clock())
        self._advance_state(d, k)
        state = {n: a[rows].copy() for n, a in self._st.items()}
        loose = ~self._tracked[rows]
        if loose.any():
            part = self._final_state(rows[loose], d, 0, k, self._fresh_carry(int(loose.sum())))
            for name, arr in part.items():
                state[name][loose] = arr
        return d, k, state

    def _day_series(self, row: int, d: int) -> dict[str, np.ndarray]:
        """Full-day per-slot arrays of one code (cached; today's are cut at 'now' by callers)."""
        key = (row, d, self._ov_version)
        series = self._series_cache.get(key)
        if series is None:
            series2d = self._scan(np.array([row]), d, 0, _K_CLOSE, self._fresh_carry(1))
            series = {n: a[:, 0] for n, a in series2d.items()}
            self._series_cache[key] = series
            while len(self._series_cache) > 64:
                self._series_cache.popitem(last=False)
        else:
            self._series_cache.move_to_end(key)
        return series

    # -- records ---------------------------------------------------------------------------

    def _tick_columns(self, rows: np.ndarray, d: int, st: dict[str, np.ndarray], k_state: Any) -> list[np.ndarray]:
        """Tick field columns (see ``_tick_dicts``) for ``rows`` in state ``st`` at slot(s) k_state."""
        U = self._u
        ks = np.broadcast_to(np.asarray(k_state, dtype=np.int64), rows.shape)
        susp = U.suspended[rows]
        pre = self._pre_close(rows, d)
        up, down = self._limits(rows, pre)
        traded = (ks >= _K_AUCTION) & ~susp
        eff, last_k = st["eff"], st["last_k"]
        last = np.where(traded, eff, 0)
        key = U.key[rows]
        noisy = _unit(_hash(key, _S_FLOAT, d, np.maximum(last_k, 0))) < 0.15
        time_ms = np.where(last_k >= 0, _day_ms(d) + _k_seconds(np.maximum(last_k, 0)) * 1000,
                           _day_ms(d - 1) + _S_PM_END * 1000)
        status = np.where(susp, 0, np.where(ks < _K_AUCTION, 2, np.where(ks > _K_CLOSING, 8, 3)))
        open_int = np.where(susp, 20, np.where(ks < _K_AUCTION, 12, np.where(ks > _K_CLOSING, 18, 13)))
        book = traded & ~U.is_index[rows]
        indicative = (ks < _K_AUCTION) & ~susp & ~U.is_index[rows]
        at_up = book & (up > 0) & (last >= up)
        at_down = book & (down > 0) & (last <= down)
        vmax = U.vmax[rows]
        level = np.arange(5)[None, :]
        last2, eff2 = last[:, None], eff[:, None]
        ind2, book2 = indicative[:, None], book[:, None]
        a_ok = (book2 & ~at_up[:, None]) | (ind2 & (level == 0))
        b_ok = (book2 & ~at_down[:, None] & (last2 - level > 0)) | (ind2 & (level == 0))
        ask_c = np.where(ind2, eff2, last2 + level + 1)
        bid_c = np.where(ind2, eff2, last2 - level)
        lk2 = np.maximum(last_k, 0)[:, None]
        depth_a = 1 + np.floor(_unit(_hash(key[:, None], _S_DEPTH, d, lk2 * 16 + level)) * vmax[:, None] * 4)
        depth_b = 1 + np.floor(_unit(_hash(key[:, None], _S_DEPTH, d, lk2 * 16 + 8 + level)) * vmax[:, None] * 4)
        return [
            time_ms.astype(np.int64),
            np.where(noisy, last * 0.01, last / 100.0),  # 1137 * 0.01 = 11.370000000000001
            np.where(traded, st["open"] / 100.0, 0.0),
            np.where(traded, st["high"] / 100.0, 0.0),
            np.where(traded & (st["low"] < _BIG), st["low"] / 100.0, 0.0),
            pre / 100.0,
            st["cumamt"].astype(np.float64),
            st["cumvol"],
            st["cumvol"] * 100,
            status.astype(np.int64),
            open_int.astype(np.int64),
            st["ntrans"],
            U.pe[rows],
            np.where(a_ok, ask_c * 0.01, 0.0),
            np.where(b_ok, bid_c * 0.01, 0.0),
            np.where(a_ok, depth_a, 0).astype(np.int64),
            np.where(b_ok, depth_b, 0).astype(np.int64),
        ]

    def _bars_day(self, row: int, d: int, k_hi: int, minutes: int) -> dict[str, np.ndarray]:
        """Bars of one code on day ``d`` from its snapshots up to slot ``k_hi`` (last = forming).

        open/high/low/close = first/max/min/last price of the snapshots that changed inside the
        bar; volume/amount = sums of the increments (= cumulative differences); a bar without
        changes repeats the previous close with volume 0 (XT fill_data). Minute bars'
        preClose = previous bar's close (the day's preClose for the first one).
        """
        pre = int(self._pre_close(np.array([row]), d)[0])
        day_ms = _day_ms(d)
        if self._u.suspended[row]:
            if minutes != 0 or k_hi < _K_AUCTION:
                return _empty_bars()
            one = np.array([pre], np.int64)
            return _bars_from(np.array([day_ms]), one, one, one, one, np.zeros(1, np.int64),
                              np.zeros(1, np.int64), one, np.ones(1, np.int64))
        if k_hi < _K_AUCTION:
            return _empty_bars()
        s = self._day_series(row, d)
        sl = slice(_K_AUCTION, k_hi + 1)
        raw, changed, dv, da, eff = s["raw"][sl], s["changed"][sl], s["dv"][sl], s["da"][sl], s["eff"][sl]
        starts_all, ends_sec = _LAYOUTS[minutes]
        nb = int(np.searchsorted(starts_all, k_hi - _K_AUCTION, side="right"))
        starts = starts_all[:nb]
        ends = np.r_[starts[1:] - 1, raw.size - 1]
        volume = np.add.reduceat(dv, starts)
        amount = np.add.reduceat(da, starts)
        high = np.maximum.reduceat(np.where(changed, raw, -1), starts)
        low = np.minimum.reduceat(np.where(changed, raw, _BIG), starts)
        first = np.minimum.reduceat(np.where(changed, np.arange(raw.size), raw.size), starts)
        close = eff[ends]
        prev_close = np.r_[pre, close[:-1]]
        empty = high < 0
        open_ = np.where(empty, prev_close, raw[np.minimum(first, raw.size - 1)])
        high = np.where(empty, prev_close, high)
        low = np.where(empty, prev_close, low)
        pre_col = np.full(nb, pre, np.int64) if minutes == 0 else prev_close
        return _bars_from(day_ms + ends_sec[:nb].astype(np.int64) * 1000, open_, high, low, close,
                          volume, amount, pre_col, np.zeros(nb, np.int64))

    @staticmethod
    def _bar_dict(bars: dict[str, np.ndarray], i: int) -> dict[str, Any]:
        return {f: bars[f][i].item() for f in _BAR_FIELDS}

    # -- SDK back-ends -----------------------------------------------------------------------

    def _record(self, name: str, **kwargs: Any) -> None:
        self.calls.append((name, kwargs))

    def _full_tick(self, code_list: Any) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = np.array(self._rows_of(code_list), dtype=np.int64)
            if rows.size == 0:
                return {}
            d, k, state = self._rows_state(rows)
            return _tick_dicts([self._u.codes[r] for r in rows], self._tick_columns(rows, d, state, k))

    def _detail(self, code: Any, iscomplete: bool) -> dict[str, Any] | None:
        with self._lock:
            row = self._u.row.get(code) if isinstance(code, str) else None
            if row is None:
                return None
            d = self._trading_day_now()
            rows = np.array([row])
            pre = self._pre_close(rows, d)
            up, down = self._limits(rows, pre)
            susp = bool(self._u.suspended[row])
            num, market = code.split(".")
            total = float(np.floor(self._u.vmax[row] * 4e6))
            detail: dict[str, Any] = {
                "ExchangeID": market, "InstrumentID": num, "InstrumentName": self._u.names[row],
                "ProductID": "", "ProductName": "", "ProductType": None, "ExchangeCode": market,
                "UniCode": num, "CreateDate": "0", "OpenDate": "20100104", "ExpireDate": "99999999",
                "TradingDay": _CAL[d].strftime("%Y%m%d"), "PreClose": float(pre[0]) / 100.0,
                "SettlementPrice": 0.0, "UpStopPrice": float(up[0]) / 100.0,
                "DownStopPrice": float(down[0]) / 100.0, "FloatVolume": total * 0.8,
                "TotalVolume": total, "LongMarginRatio": None, "ShortMarginRatio": None,
                "PriceTick": 0.01, "VolumeMultiple": 1, "MainContract": None, "LastVolume": None,
                "InstrumentStatus": 1 if susp else 0, "IsTrading": not susp, "IsRecent": False,
                "ProductTradeQuota": None, "ContractTradeQuota": None,
                "ProductOpenInterestQuota": None, "ContractOpenInterestQuota": None,
            }
            if iscomplete:
                detail.update({"OptUnit": None, "MarginUnit": None, "HSGTFlag": 0})
            return detail

    def _readable(self, code: str, period: str) -> bool:
        period = "60m" if period == "1h" else period
        if (code, period) in self._downloaded:
            return True
        return any(s.kind == "quote" and s.is_alive() and ("60m" if s.period == "1h" else s.period) == period
                   and self._u.codes[int(s.rows[0])] == code for s in self._subs.values())

    def _download(self, codes: Iterable[Any], period: Any) -> None:
        if self.download_delay_s:
            _time.sleep(self.download_delay_s)
        with self._lock:
            if period in _PERIODS:
                for code in codes:
                    if isinstance(code, str) and code in self._u.row:
                        self._downloaded.add((code, "60m" if period == "1h" else period))

    def _market_data(self, field_list: list[str], stock_list: list[str], period: str,
                     start_time: Any, end_time: Any, count: int) -> dict[str, Any]:
        if period not in _PERIODS:
            return {}
        start_ms, end_ms = _parse_time(start_time, False), _parse_time(end_time, True)
        out: dict[str, Any] = {}
        with self._lock:
            d_now, k_now = self._pos(self.clock())
            for code in stock_list:
                row = self._u.row.get(code) if isinstance(code, str) else None
                if row is None or not self._readable(code, period):
                    out[code] = _empty_frame(period, field_list)
                    continue
                if period == "tick":
                    frame = self._tick_frame(row, d_now, k_now)
                else:
                    frame = self._kline_frame(row, d_now, k_now, period, start_ms, end_ms, count)
                if period == "tick" and not frame.empty:
                    mask = np.ones(len(frame), bool)
                    if start_ms is not None:
                        mask &= frame["time"].to_numpy() >= start_ms
                    if end_ms is not None:
                        mask &= frame["time"].to_numpy() <= end_ms
                    frame = frame[mask]
                frame = _apply_count(frame, count)
                if field_list:
                    frame = frame[[f for f in field_list if f in frame.columns]]
                out[code] = frame
        return out

    def _kline_frame(self, row: int, d_now: int, k_now: int, period: str, start_ms: int | None,
                     end_ms: int | None, count: int) -> Any:
        import pandas as pd

        minutes = _KLINE_MINUTES[period]
        depth = self.daily_history_days if minutes == 0 else self.minute_history_days
        days = [d for d in range(max(0, d_now - depth + 1), d_now + 1)
                if (end_ms is None or _day_ms(d) <= end_ms)
                and (start_ms is None or _day_ms(d) + 86_400_000 > start_ms)]
        parts: list[dict[str, np.ndarray]] = []
        rows_so_far = 0
        for d in reversed(days):
            bars = self._bars_day(row, d, k_now if d == d_now else _K_CLOSE, minutes)
            keep = np.ones(bars["time"].size, bool)
            if start_ms is not None:
                keep &= bars["time"] >= start_ms
            if end_ms is not None:
                keep &= bars["time"] <= end_ms
            parts.append({f: a[keep] for f, a in bars.items()})
            rows_so_far += int(keep.sum())
            if count >= 0 and rows_so_far >= count:
                break
        parts.reverse()
        cols = {f: np.concatenate([p[f] for p in parts]) if parts else _empty_bars()[f] for f in _BAR_FIELDS}
        fmt = "%Y%m%d" if minutes == 0 else "%Y%m%d%H%M%S"
        return pd.DataFrame(cols, index=_labels(cols["time"], fmt))

    def _tick_frame(self, row: int, d_now: int, k_now: int) -> Any:
        """Today's snapshots of one code up to now (one row per change), like 'tick' history."""
        import pandas as pd

        s = self._day_series(row, d_now)
        ks = np.nonzero(s["changed"][:k_now + 1])[0]
        if ks.size == 0:
            return _empty_frame("tick", [])
        st = {n: s[n][ks] for n in _STATE_FIELDS}
        ticks = _tick_dicts([""] * ks.size, self._tick_columns(np.full(ks.size, row), d_now, st, ks), keyed=False)
        frame = pd.DataFrame(ticks)
        frame.index = _labels(frame["time"].to_numpy(), "%Y%m%d%H%M%S")
        return frame

    def _trading_dates(self, start_time: Any, end_time: Any, count: int, future: bool) -> list[int]:
        start_ms, end_ms = _parse_time(start_time, False), _parse_time(end_time, True)
        last = len(_CAL) - 1 if future else self._trading_day_now()
        days = [d for d in range(last + 1)
                if (start_ms is None or _day_ms(d) >= start_ms) and (end_ms is None or _day_ms(d) <= end_ms)]
        return days if count is None or count < 0 else days[-count:] if count else []

    def _sector(self, name: str) -> list[str]:
        codes = self.a_share_codes
        return {"沪深A股": codes,
                "上证A股": [c for c in codes if c.endswith(".SH")],
                "深证A股": [c for c in codes if c.endswith(".SZ")],
                "创业板": [c for c in codes if c.startswith("30")],
                "科创板": [c for c in codes if c.startswith("688")],
                "沪深指数": list(self.index_codes)}.get(name, [])


_STATE_FIELDS = ("eff", "open", "high", "low", "cumvol", "cumamt", "ntrans", "last_k")
_SECTORS = ["沪深A股", "上证A股", "深证A股", "创业板", "科创板", "沪深指数"]


def _vnoise_k(key: np.ndarray, salt: int, d: int, ks: np.ndarray, scale: float) -> np.ndarray:
    """Value noise along slots (slots x rows); hashes only the block's few control points."""
    x = ks / scale
    i = np.floor(x)
    f = x - i
    ii = i.astype(np.int64)
    pts = np.arange(ii[0], ii[-1] + 2)  # ks are contiguous, so are the control points
    ctrl = 2.0 * _unit(_hash(key, salt, d, pts[:, None])) - 1.0  # (len(pts), n)
    lo = ctrl[ii - ii[0]]
    hi = ctrl[ii - ii[0] + 1]
    w = (f * f * (3.0 - 2.0 * f))[:, None]
    return lo + (hi - lo) * w


def _trades(dv: np.ndarray) -> np.ndarray:
    """Trade-count increments of volume increments (1 + one per 4 lots; 0 without volume)."""
    return (dv > 0) + (dv >> 2)


_U21 = 1.0 / (1 << 21)


def _slot_uniforms(key: np.ndarray, d: int, kk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three independent uniforms in [0, 1) per (code, slot) from ONE hash (21 bits each):
    change gate, volume draw, price jitter. One hash instead of three: the whole-market
    state advance is dominated by hashing."""
    h = _hash(key, _S_GATE, d, kk)
    mask = np.uint64((1 << 21) - 1)
    return ((h & mask).astype(np.float64) * _U21,
            ((h >> np.uint64(21)) & mask).astype(np.float64) * _U21,
            (h >> np.uint64(43)).astype(np.float64) * _U21)


def _tick_dicts(codes: list[str], columns: list[np.ndarray], keyed: bool = True) -> Any:
    """``{code: tick}`` (or a list of ticks) with real field names and plain Python types.

    The cyclic GC is paused meanwhile: 5,500 ticks are ~120k new containers, which would
    otherwise trigger repeated full collections once a test holds many earlier payloads.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_tick_dicts(codes, columns, keyed)
    finally:
        if was_enabled:
            gc.enable()


def _build_tick_dicts(codes: list[str], columns: list[np.ndarray], keyed: bool) -> Any:
    cols = zip(*(c.tolist() for c in columns))
    ticks = [
        {"time": t, "lastPrice": lp, "open": op, "high": hi, "low": lo, "lastClose": lc,
         "amount": am, "volume": vo, "pvolume": pv, "stockStatus": ss, "openInt": oi,
         "lastSettlementPrice": lc, "settlementPrice": 0.0, "transactionNum": tn, "pe": pe,
         "askPrice": ap, "bidPrice": bp, "askVol": av, "bidVol": bv,
         "volRatio": 0.0, "speed1Min": 0.0, "speed5Min": 0.0}
        for t, lp, op, hi, lo, lc, am, vo, pv, ss, oi, tn, pe, ap, bp, av, bv in cols
    ]
    return dict(zip(codes, ticks)) if keyed else ticks


_CHECKPOINTS: OrderedDict[tuple[int, int, int, int], dict[str, np.ndarray]] = OrderedDict()
_CHECKPOINT_LOCK = threading.Lock()


def _checkpoint_get(seed: int, size: int, d: int, k: int) -> tuple[int, dict[str, np.ndarray]] | None:
    """Latest cached whole-market state of (seed, universe size, day) at a slot <= k."""
    with _CHECKPOINT_LOCK:
        best = max((key for key in _CHECKPOINTS if key[:3] == (seed, size, d) and key[3] <= k),
                   key=lambda key: key[3], default=None)
        if best is None:
            return None
        return best[3], {n: a.copy() for n, a in _CHECKPOINTS[best].items()}


def _checkpoint_put(seed: int, size: int, d: int, k: int, state: dict[str, np.ndarray]) -> None:
    with _CHECKPOINT_LOCK:
        _CHECKPOINTS[(seed, size, d, k)] = {n: a.copy() for n, a in state.items()}
        while len(_CHECKPOINTS) > 16:
            _CHECKPOINTS.popitem(last=False)


def _bars_from(time_ms: np.ndarray, open_: np.ndarray, high: np.ndarray, low: np.ndarray,
               close: np.ndarray, volume: np.ndarray, amount: np.ndarray, pre: np.ndarray,
               suspend: np.ndarray) -> dict[str, np.ndarray]:
    n = time_ms.size
    return {"time": time_ms.astype(np.int64), "open": open_ / 100.0, "high": high / 100.0,
            "low": low / 100.0, "close": close / 100.0, "volume": volume.astype(np.int64),
            "amount": amount.astype(np.float64), "settelementPrice": np.zeros(n),
            "openInterest": np.zeros(n, np.int64), "preClose": pre / 100.0,
            "suspendFlag": suspend.astype(np.int64)}


def _empty_bars() -> dict[str, np.ndarray]:
    e = np.zeros(0, np.int64)
    return _bars_from(e, e, e, e, e, e, e, e, e)


def _labels(time_ms: np.ndarray, fmt: str) -> list[str]:
    return [_dt.datetime.fromtimestamp(int(t) / 1000, _BJ).strftime(fmt) for t in time_ms]


def _empty_frame(period: str, field_list: list[str]) -> Any:
    import pandas as pd

    if period == "tick":
        cols = ["time", "lastPrice", "open", "high", "low", "lastClose", "amount", "volume", "pvolume",
                "stockStatus", "openInt", "lastSettlementPrice", "settlementPrice", "transactionNum",
                "pe", "askPrice", "bidPrice", "askVol", "bidVol"]
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols}, index=pd.Index([], dtype=object))
    else:
        bars = _empty_bars()
        frame = pd.DataFrame({f: bars[f] for f in _BAR_FIELDS}, index=pd.Index([], dtype=object))
    return frame[[f for f in field_list if f in frame.columns]] if field_list else frame


def _apply_count(frame: Any, count: Any) -> Any:
    """Keep the last ``count`` rows (-1 = all, 0 = none)."""
    if count is None or count < 0:
        return frame
    return frame.iloc[len(frame) - count:] if count else frame.iloc[:0]


def _parse_time(value: Any, is_end: bool) -> int | None:
    """'' -> None; 'YYYYMMDD' (Beijing; an end date covers the whole day) / 'YYYYMMDDhhmmss' /
    datetime (naive = machine local time, as the real ``.timestamp()`` call) / int ms -> ms."""
    if value in ("", None):
        return None
    if isinstance(value, _dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    if len(text) == 8:
        when = _dt.datetime.strptime(text, "%Y%m%d").replace(tzinfo=_BJ)
        ms = int(when.timestamp() * 1000)
        return ms + 86_399_999 if is_end else ms
    when = _dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=_BJ)
    return int(when.timestamp() * 1000)


# ---------------------------------------------------------------------------------------
# module state (like the real module's private globals) and the control API

_MOD_LOCK = threading.RLock()
_MARKET: FakeMarket | None = None
_client: FakeClient | None = None
_status_callback: Callable[[Any], None] | None = None
_last_spec: tuple[Any, Any] = ("", None)


def fake_reset(*, start: _dt.datetime | None = None, speed: float = 1.0, paused: bool = False,
               push_interval_s: float = 3.0, universe: int = 5500, seed: int = 0,
               terminal_up: bool = True) -> FakeMarket:
    """Replace the market with a new one and forget the SDK state (client, status callback).

    ``start`` (aware; default 2026-03-24 09:35 Beijing) is the market time at creation; it
    then runs at ``speed`` x wall time (a whole-market push every ``push_interval_s / speed``
    wall seconds), unless ``paused`` (time moves only with :meth:`FakeMarket.step`).
    """
    global _MARKET, _client, _status_callback, _last_spec
    with _MOD_LOCK:
        if _MARKET is not None:
            _MARKET.close()
        _client, _status_callback, _last_spec = None, None, ("", None)
        _MARKET = FakeMarket(start=start, speed=speed, paused=paused, push_interval_s=push_interval_s,
                             universe=universe, seed=seed, terminal_up=terminal_up)
        return _MARKET


def fake_market() -> FakeMarket:
    """The current market (a default running one is created on first use)."""
    global _MARKET
    with _MOD_LOCK:
        if _MARKET is None or _MARKET.closed:
            _MARKET = FakeMarket()
        return _MARKET


def fake_shutdown() -> None:
    """Stop the current market's threads (test teardown); the next call makes a new one."""
    global _MARKET, _client
    with _MOD_LOCK:
        if _MARKET is not None:
            _MARKET.close()
        _MARKET, _client = None, None


def _connect(market: FakeMarket, ip: Any, port: Any, remember: bool) -> FakeClient:
    global _client, _last_spec
    with _MOD_LOCK:
        if _client is not None and _client._market is market and _client.is_connected():
            return _client
        if _client is not None:
            _client.shutdown()
            _client = None
        if not port and ip not in ("", "127.0.0.1", "localhost"):
            raise Exception("远程地址不支持仅输入IP")
        if not market._accepts(ip, port):
            raise Exception(_CONNECT_ERROR)
        _client = market._new_client(_status_callback)
        if remember:
            _last_spec = (ip, port)
        if enable_hello:
            print(f"***** xtdata连接成功 (fake) {market.now():%Y-%m-%d %H:%M:%S} {_ADDRESS} *****")
        return _client


def _get_client(market: FakeMarket) -> FakeClient:
    with _MOD_LOCK:
        if _client is None or _client._market is not market or not _client.is_connected():
            ip, port = _last_spec
            return _connect(market, ip, port, False)
        return _client


# ---------------------------------------------------------------------------------------
# SDK functions (real signatures)


def connect(ip='', port=None, remember_if_success=True):
    """Return the connected client, creating one (raises while the terminal is down)."""
    market = fake_market()
    market._record("connect", ip=ip, port=port, remember_if_success=remember_if_success)
    return _connect(market, ip, port, remember_if_success)


def reconnect(ip='', port=None, remember_if_success=True):
    """Shut the current client down, then ``connect`` (a new client: 'connected' event)."""
    global _client
    market = fake_market()
    market._record("reconnect", ip=ip, port=port, remember_if_success=remember_if_success)
    with _MOD_LOCK:
        if _client is not None:
            _client.shutdown()
            _client = None
        return _connect(market, ip, port, remember_if_success)


def disconnect():
    """Shut the client down (its subscriptions die); returns None."""
    global _client
    fake_market()._record("disconnect")
    with _MOD_LOCK:
        if _client is not None:
            _client.shutdown()
            _client = None


def get_client():
    """The client, reconnecting lazily with the remembered address (raises if down)."""
    market = fake_market()
    market._record("get_client")
    return _get_client(market)


def watch_xtquant_status(callback):
    """Attach ``callback`` to clients created from now on (call it before ``connect``)."""
    global _status_callback
    fake_market()._record("watch_xtquant_status", callback=callback)
    with _MOD_LOCK:
        _status_callback = _wrap_callback(callback) if callback else None


def subscribe_quote(stock_code, period='1d', start_time='', end_time='', count=0, callback=None):
    """One code; callback gets ``{code: [record, ...]}``; returns seq > 0 or -1."""
    market = fake_market()
    market._record("subscribe_quote", stock_code=stock_code, period=period, start_time=start_time,
                   end_time=end_time, count=count, callback=callback)
    return _subscribe_one(market, stock_code, period, callback)


def subscribe_quote2(stock_code, period='1d', start_time='', end_time='', count=0, dividend_type=None, callback=None):
    """``subscribe_quote`` with a dividend type (ignored: the fake has no dividends)."""
    market = fake_market()
    market._record("subscribe_quote2", stock_code=stock_code, period=period, start_time=start_time,
                   end_time=end_time, count=count, dividend_type=dividend_type, callback=callback)
    return _subscribe_one(market, stock_code, period, callback)


def _subscribe_one(market: FakeMarket, stock_code: Any, period: Any, callback: Any) -> int:
    client = _get_client(market)
    if period not in _PERIODS or not isinstance(stock_code, str) or stock_code not in market._u.row:
        return -1
    return market._subscribe(client, "quote", [market._u.row[stock_code]], period, callback)


def subscribe_whole_quote(code_list, callback=None):
    """Market codes ('SH', 'SZ') or codes; callback gets ``{code: tick}``; seq > 0 or -1."""
    market = fake_market()
    market._record("subscribe_whole_quote", code_list=code_list, callback=callback)
    client = _get_client(market)
    return market._subscribe(client, "whole", market._rows_of(code_list), None, callback)


def unsubscribe_quote(seq):
    """Stop a subscription; returns None."""
    market = fake_market()
    market._record("unsubscribe_quote", seq=seq)
    _get_client(market)
    market._unsubscribe(seq)


def get_full_tick(code_list):
    """``{code: tick}`` of the latest snapshots; unknown codes are omitted."""
    market = fake_market()
    market._record("get_full_tick", code_list=code_list)
    _get_client(market)
    return market._full_tick(code_list)


def get_instrument_detail(stock_code, iscomplete=False):
    """Instrument dict (today's limit prices, status...) or None for an unknown code."""
    market = fake_market()
    market._record("get_instrument_detail", stock_code=stock_code, iscomplete=iscomplete)
    _get_client(market)
    return market._detail(stock_code, iscomplete)


def get_instrument_detail_list(stock_list, iscomplete=False):
    """``{code: detail or None}``."""
    market = fake_market()
    market._record("get_instrument_detail_list", stock_list=stock_list, iscomplete=iscomplete)
    _get_client(market)
    return {s: market._detail(s, iscomplete) for s in stock_list}


def get_market_data_ex(field_list=[], stock_list=[], period='1d', start_time='', end_time='', count=-1, dividend_type='none', fill_data=True):  # noqa: B006 - the real defaults
    """``{code: DataFrame}`` of downloaded/subscribed history up to now (see module doc)."""
    market = fake_market()
    market._record("get_market_data_ex", field_list=field_list, stock_list=stock_list, period=period,
                   start_time=start_time, end_time=end_time, count=count, dividend_type=dividend_type,
                   fill_data=fill_data)
    _get_client(market)
    return market._market_data(list(field_list or []), list(stock_list or []), period, start_time,
                               end_time, -1 if count is None else int(count))


def download_history_data(stock_code, period, start_time='', end_time='', incrementally=None):
    """Make ``stock_code``'s ``period`` history readable (blocks ``download_delay_s``)."""
    market = fake_market()
    market._record("download_history_data", stock_code=stock_code, period=period, start_time=start_time,
                   end_time=end_time, incrementally=incrementally)
    _get_client(market)
    market._download([stock_code], period)


def download_history_data2(stock_list, period, start_time='', end_time='', callback=None, incrementally=None):
    """Batch download; progress dicts go to ``callback`` (errors swallowed); returns {}."""
    market = fake_market()
    market._record("download_history_data2", stock_list=stock_list, period=period, start_time=start_time,
                   end_time=end_time, callback=callback, incrementally=incrementally)
    client = _get_client(market)
    codes = [stock_list] if isinstance(stock_list, str) else list(stock_list)
    for i, code in enumerate(codes):
        if not client.is_connected():
            raise Exception("行情服务连接断开")
        market._download([code], period)
        if callback:
            try:
                callback({"finished": i + 1, "total": len(codes), "stockcode": code, "message": ""})
            except Exception:
                pass
    return {}


def get_stock_list_in_sector(sector_name, real_timetag=-1):
    """Constituents of '沪深A股', '上证A股', '深证A股', '创业板', '科创板', '沪深指数'; else []."""
    market = fake_market()
    market._record("get_stock_list_in_sector", sector_name=sector_name, real_timetag=real_timetag)
    _get_client(market)
    for ch in '\\/:*?"<>|':
        sector_name = sector_name.replace(ch, "")
    return list(market._sector(sector_name))


def download_sector_data():
    """No-op besides the connection check (sector data is built in)."""
    market = fake_market()
    market._record("download_sector_data")
    _get_client(market)


def get_sector_list():
    market = fake_market()
    market._record("get_sector_list")
    _get_client(market)
    return list(_SECTORS)


def get_trading_dates(market, start_time='', end_time='', count=-1):
    """Trading days up to today as epoch ms at Beijing midnight ('SH'/'SZ'; others [])."""
    fake = fake_market()
    fake._record("get_trading_dates", market=market, start_time=start_time, end_time=end_time, count=count)
    _get_client(fake)
    if market not in ("SH", "SZ"):
        return []
    return [_day_ms(d) for d in fake._trading_dates(start_time, end_time, count, future=False)]


def get_trading_calendar(market, start_time='', end_time=''):
    """'YYYYMMDD' trading days including future ones ('SH'/'SZ' only, else raises)."""
    fake = fake_market()
    fake._record("get_trading_calendar", market=market, start_time=start_time, end_time=end_time)
    _get_client(fake)
    if market not in ("SH", "SZ"):
        raise Exception(f"不支持的市场: {market}")
    return [_CAL[d].strftime("%Y%m%d") for d in fake._trading_dates(start_time, end_time, -1, future=True)]


def get_period_list():
    """[{'name': period, 'desc': ...}] for the periods the fake simulates."""
    market = fake_market()
    market._record("get_period_list")
    _get_client(market)
    return [{"name": p, "desc": "分笔" if p == "tick" else p} for p in _PERIODS]
