"""Behaviour of the fake QMT ``xtdata`` (tests/fake_xtquant), the stand-in for the real SDK.

Why these tests: the QMT adapter is written and tested against this fake, so the fake must
reproduce the real SDK's awkward parts faithfully (callback threads and shapes, units,
swallowed callback errors, dead subscriptions after a disconnect, bar-end stamps) and its
market must be self-consistent (history bars = aggregation of the live pushes).
Markets are paused and stepped, so nothing depends on wall-clock timing.
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers.fake_qmt import load_fake_xtdata

BJ = dt.timezone(dt.timedelta(hours=8))
CSV_600519 = Path(__file__).resolve().parents[1] / "resources" / "data" / "600519.SH_1m_2026-03-23_2026-03-27.csv"
CONNECT_ERROR = "无法连接xtquant服务，请检查QMT-投研版或QMT-极简版是否开启"
BAR_FIELDS = ["time", "open", "high", "low", "close", "volume", "amount", "settelementPrice",
              "openInterest", "preClose", "suspendFlag"]


@pytest.fixture
def xt() -> Iterator[ModuleType]:
    module = load_fake_xtdata()
    module.enable_hello = False
    yield module
    module.fake_shutdown()
    module.enable_hello = True


def market(xt: ModuleType, start: dt.datetime | None = None, **kw: Any) -> Any:
    """A small paused market (60 codes keeps every test fast)."""
    kw.setdefault("universe", 60)
    return xt.fake_reset(paused=True, start=start, **kw)


def at(hour: int, minute: int, second: int = 0, day: int = 24) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=BJ)


class Recorder:
    """Callback that records (thread id, payload); thread-safe."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, datas: Any) -> None:
        with self._lock:
            self.calls.append((threading.get_ident(), datas))

    @property
    def payloads(self) -> list[Any]:
        with self._lock:
            return [p for _, p in self.calls]


def step(m: Any, seconds: float) -> None:
    m.step(seconds)
    assert m.wait_idle(10.0)


# ---------------------------------------------------------------------------------------
# subscriptions: seq numbers, shapes, threads, errors


def test_seq_numbers_and_minus_one_for_unknown_code_or_period(xt: ModuleType) -> None:
    market(xt)
    first = xt.subscribe_whole_quote(["600000.SH"], Recorder())
    second = xt.subscribe_quote("600000.SH", period="1m", callback=Recorder())
    assert first > 0 and second > first
    assert xt.subscribe_quote("999999.SH", period="1m", callback=Recorder()) == -1
    assert xt.subscribe_quote("600000.SH", period="7m", callback=Recorder()) == -1
    assert xt.subscribe_quote2("600000.SH", period="tick", callback=Recorder()) > second
    assert xt.subscribe_whole_quote(["999999.SH"], Recorder()) == -1


def test_callback_shapes_list_for_quote_dict_for_whole(xt: ModuleType) -> None:
    m = market(xt)
    whole, ticks, bars = Recorder(), Recorder(), Recorder()
    xt.subscribe_whole_quote(["600000.SH", "000001.SZ"], whole)
    xt.subscribe_quote("600000.SH", period="tick", callback=ticks)
    xt.subscribe_quote("600000.SH", period="1m", callback=bars)
    step(m, 9)
    first = whole.payloads[0]
    assert set(first) == {"600000.SH", "000001.SZ"}
    assert all(isinstance(v, dict) and "lastPrice" in v for v in first.values())
    for payload in ticks.payloads + bars.payloads:
        assert list(payload) == ["600000.SH"]
        assert isinstance(payload["600000.SH"], list) and payload["600000.SH"]
    assert "lastPrice" in ticks.payloads[0]["600000.SH"][0]
    # now 09:35:00: that snapshot opens the bar stamped 09:36 ([start, end) windows)
    assert bars.payloads[0]["600000.SH"][-1]["time"] == int(at(9, 36).timestamp() * 1000)
    bar = bars.payloads[-1]["600000.SH"][-1]
    assert list(bar) == BAR_FIELDS
    assert bar["time"] == int(at(9, 36).timestamp() * 1000)  # 09:35:09: forming bar, stamped at its END


def test_callbacks_run_on_one_dispatcher_thread_never_inside_subscribe(xt: ModuleType) -> None:
    m = market(xt)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    xt.subscribe_quote("600000.SH", period="tick", callback=rec)
    step(m, 6)
    threads = {tid for tid, _ in rec.calls}
    assert rec.calls and threading.get_ident() not in threads
    assert len(threads) == 1  # one dispatcher per client


def test_callback_exception_is_printed_swallowed_and_subscription_continues(
        xt: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    m = market(xt)
    seen: list[Any] = []

    def flaky(datas: Any) -> None:
        seen.append(datas)
        if len(seen) == 1:
            raise ValueError("boom")

    xt.subscribe_whole_quote(["SH"], flaky)
    step(m, 9)
    assert len(seen) >= 3
    captured = capsys.readouterr()
    assert "subscribe callback error:" in captured.out
    assert "ValueError: boom" in captured.err


def test_first_whole_push_is_full_snapshot_then_changed_subsets(xt: ModuleType) -> None:
    m = market(xt, universe=200)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    step(m, 15)
    first, *later = rec.payloads
    assert len(first) == len(m.codes) == 203  # incl. the 3 indices, the suspended code
    assert len(later) == 5
    for payload in later:
        assert 0 < len(payload) < len(first)
        assert {"000001.SH", "399001.SZ"} <= set(payload)  # heartbeat indices change every push
        assert m.suspended_code not in payload  # never trades, so never changes


def test_tick_fields_types_units_and_float_noise(xt: ModuleType) -> None:
    m = market(xt, universe=300)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    step(m, 3)
    ticks = {c: t for p in rec.payloads for c, t in p.items()}
    stock = ticks["600000.SH"]
    assert isinstance(stock["time"], int) and stock["time"] > 1_700_000_000_000  # epoch ms
    for f in ("lastPrice", "open", "high", "low", "lastClose", "amount", "lastSettlementPrice",
              "settlementPrice", "pe"):
        assert isinstance(stock[f], float), f
    for f in ("volume", "pvolume", "stockStatus", "openInt", "transactionNum"):
        assert isinstance(stock[f], int), f
    assert stock["stockStatus"] == 3  # continuous trading, like the SDK's sample
    assert stock["pvolume"] == stock["volume"] * 100  # volume in lots, pvolume in shares
    assert stock["low"] <= stock["amount"] / stock["pvolume"] <= stock["high"]  # CNY / share
    for f in ("askPrice", "bidPrice", "askVol", "bidVol"):
        assert len(stock[f]) == 5
    assert all(isinstance(v, float) for v in stock["askPrice"] + stock["bidPrice"])
    assert all(isinstance(v, int) for v in stock["askVol"] + stock["bidVol"])
    assert stock["bidPrice"][0] <= stock["lastPrice"] < stock["askPrice"][0] + 1e-9
    prices = [t["lastPrice"] for t in ticks.values()] + [p for t in ticks.values() for p in t["askPrice"]]
    assert any(repr(p) != repr(round(p, 2)) for p in prices)  # e.g. 11.370000000000001


def test_opening_auction_zero_prices_then_auction_print(xt: ModuleType) -> None:
    m = market(xt, start=at(9, 20))
    rec = Recorder()
    xt.subscribe_whole_quote(["600000.SH"], rec)
    step(m, 0)
    pre = rec.payloads[0]["600000.SH"]
    assert pre["lastPrice"] == 0.0 and pre["volume"] == 0 and pre["stockStatus"] == 2
    assert pre["bidPrice"][0] == pre["askPrice"][0] > 0  # indicative auction price
    step(m, 300)  # -> 09:25:00, the opening auction print
    tick = xt.get_full_tick(["600000.SH"])["600000.SH"]
    assert tick["lastPrice"] == tick["open"] == tick["high"] == tick["low"] > 0
    assert tick["volume"] > 0
    assert tick["time"] == int(at(9, 25).timestamp() * 1000)


def test_no_pushes_outside_sessions_first_push_after_lunch_is_full(xt: ModuleType) -> None:
    m = market(xt, start=at(12, 0))
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    step(m, 1800)
    assert rec.payloads == []  # lunch break: silence is normal
    step(m, 1803)  # -> 13:00:03
    assert len(rec.payloads) == 1 and len(rec.payloads[0]) == len(m.codes)


def test_running_market_pushes_on_its_own_thread_at_speed(xt: ModuleType) -> None:
    m = xt.fake_reset(start=at(10, 0), speed=30.0, universe=40)  # a push every 0.1 s
    rec = Recorder()
    wall0, market0 = time.monotonic(), m.clock()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    deadline = time.monotonic() + 10
    while len(rec.calls) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    wall1, market1 = time.monotonic(), m.clock()
    assert len(rec.calls) >= 4
    assert threading.get_ident() not in {tid for tid, _ in rec.calls}
    assert market1 - market0 == pytest.approx(30.0 * (wall1 - wall0), abs=0.5)  # 30x wall time
    times = [p["000001.SH"]["time"] for p in rec.payloads]  # the index changes every snapshot
    assert times == sorted(times) and len(set(times)) == len(times)


def test_running_market_is_silent_at_lunch(xt: ModuleType) -> None:
    m = xt.fake_reset(start=at(12, 0), speed=60.0, universe=40)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    time.sleep(0.5)
    m.wait_idle()
    assert rec.payloads == []


def test_unsubscribe_stops_deliveries(xt: ModuleType) -> None:
    m = market(xt)
    rec = Recorder()
    seq = xt.subscribe_whole_quote(["SH"], rec)
    step(m, 3)
    count = len(rec.payloads)
    assert xt.unsubscribe_quote(seq) is None
    step(m, 30)
    assert len(rec.payloads) == count
    assert m.subscriptions() == []


# ---------------------------------------------------------------------------------------
# pull APIs


def test_unknown_codes_omitted_or_none_and_instrument_details(xt: ModuleType) -> None:
    m = market(xt)
    assert set(xt.get_full_tick(["600000.SH", "999999.SH"])) == {"600000.SH"}
    assert xt.get_instrument_detail("999999.SH") is None
    detail = xt.get_instrument_detail("600000.SH")
    assert detail["InstrumentName"] == "浦发银行" and detail["PriceTick"] == 0.01
    assert detail["InstrumentStatus"] == 0 and detail["IsTrading"] is True
    assert detail["ExchangeID"] == "SH" and detail["InstrumentID"] == "600000"
    pre = detail["PreClose"]
    assert detail["UpStopPrice"] == round(pre * 1.1 + 1e-9, 2)
    assert detail["DownStopPrice"] == round(pre * 0.9 + 1e-9, 2)
    assert xt.get_full_tick(["600000.SH"])["600000.SH"]["lastClose"] == pre
    growth = xt.get_instrument_detail("300001.SZ")
    assert growth["UpStopPrice"] == round(growth["PreClose"] * 1.2 + 1e-9, 2)
    st = xt.get_instrument_detail(m.st_codes[0])
    assert "ST" in st["InstrumentName"] and st["UpStopPrice"] == round(st["PreClose"] * 1.05 + 1e-9, 2)
    suspended = xt.get_instrument_detail(m.suspended_code)
    assert suspended["InstrumentStatus"] >= 1 and suspended["IsTrading"] is False
    tick = xt.get_full_tick([m.suspended_code])[m.suspended_code]
    assert tick["lastPrice"] == 0.0 and tick["volume"] == 0
    assert xt.get_instrument_detail_list(["600000.SH", "x"])["x"] is None


def test_sectors_and_trading_dates(xt: ModuleType) -> None:
    market(xt, universe=50)
    assert "沪深A股" in xt.get_sector_list()
    a_shares = xt.get_stock_list_in_sector("沪深A股")
    assert len(a_shares) == 50 and "600519.SH" in a_shares and "000001.SH" not in a_shares
    assert xt.get_stock_list_in_sector("no such sector") == []
    dates = xt.get_trading_dates("SH", start_time="20260316", end_time="20260331")
    assert dates[-1] == int(at(0, 0).timestamp() * 1000)  # up to today, Beijing midnight
    assert all(d % 86_400_000 == 57_600_000 for d in dates)
    days = [dt.datetime.fromtimestamp(d / 1000, BJ).date() for d in dates]
    assert all(day.weekday() < 5 for day in days) and len(days) == 7


def test_calls_are_recorded_with_real_parameter_names(xt: ModuleType) -> None:
    m = market(xt)
    cb = Recorder()
    xt.subscribe_whole_quote(["SH"], cb)
    xt.get_full_tick(["600000.SH"])
    assert ("subscribe_whole_quote", {"code_list": ["SH"], "callback": cb}) in m.calls
    assert ("get_full_tick", {"code_list": ["600000.SH"]}) in m.calls


# ---------------------------------------------------------------------------------------
# history


def _frame(xt: ModuleType, code: str, period: str, **kw: Any) -> Any:
    xt.download_history_data(code, period)
    return xt.get_market_data_ex([], [code], period=period, **kw)[code]


def test_history_needs_download_or_subscription(xt: ModuleType) -> None:
    market(xt)
    empty = xt.get_market_data_ex([], ["600000.SH"], period="1m")["600000.SH"]
    assert empty.empty and list(empty.columns) == BAR_FIELDS
    xt.subscribe_quote("600000.SH", period="1m", callback=Recorder())
    assert not xt.get_market_data_ex([], ["600000.SH"], period="1m")["600000.SH"].empty
    assert xt.get_market_data_ex([], ["600000.SH"], period="5m")["600000.SH"].empty
    assert xt.get_market_data_ex(["close"], ["999999.SH"], period="1m")["999999.SH"].empty


def test_minute_bars_are_stamped_at_bar_end_241_per_day(xt: ModuleType) -> None:
    market(xt)
    day = _frame(xt, "600000.SH", "1m", start_time="20260323", end_time="20260323")
    assert len(day) == 241
    stamps = [dt.datetime.fromtimestamp(t / 1000, BJ).strftime("%H:%M") for t in day["time"]]
    assert stamps[:3] == ["09:30", "09:31", "09:32"] and stamps[120:123] == ["11:30", "13:01", "13:02"]
    assert stamps[-1] == "15:00"
    assert list(day.index[:2]) == ["20260323093000", "20260323093100"]
    auction = day.iloc[0]
    assert auction["open"] == auction["high"] == auction["low"] == auction["close"]
    traded = day[day["volume"] > 0]
    vwap = traded["amount"] / (traded["volume"] * 100)  # volume in lots
    assert ((vwap >= traded["low"] - 1e-9) & (vwap <= traded["high"] + 1e-9)).all()
    five = _frame(xt, "600000.SH", "5m", start_time="20260323", end_time="20260323")
    assert len(five) == 48 and five["volume"].sum() == day["volume"].sum()
    assert five["open"].iloc[0] == auction["open"]  # the auction is inside the 09:35 bar


def test_history_only_up_to_now_plus_forming_bar_and_count(xt: ModuleType) -> None:
    market(xt, start=at(9, 35, 4))
    bars = _frame(xt, "600000.SH", "1m", count=3)
    stamps = [dt.datetime.fromtimestamp(t / 1000, BJ).strftime("%H:%M") for t in bars["time"]]
    assert stamps == ["09:34", "09:35", "09:36"]  # 09:36 = the forming bar
    assert len(_frame(xt, "600000.SH", "1m", count=0)) == 0
    assert list(_frame(xt, "600000.SH", "1m", count=2, end_time="20260323150000").index) == [
        "20260323145900", "20260323150000"]
    daily = _frame(xt, "600000.SH", "1d", count=5)
    assert len(daily) == 5 and (daily["time"] % 86_400_000 == 57_600_000).all()  # Beijing midnight
    assert daily.index[-1] == "20260324"
    assert (daily["preClose"].iloc[1:].to_numpy() == daily["close"].iloc[:-1].to_numpy()).all()
    only = xt.get_market_data_ex(["close", "time"], ["600000.SH"], period="1m", count=1)["600000.SH"]
    assert list(only.columns) == ["close", "time"] and len(only) == 1


def _bars_from_ticks(ticks: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """1m bars the way an adapter builds them from pushes: XT stamps = bar end, a bar holds
    [start, end) (11:30:00 and 15:00:00 close the session's last bar); the auction print
    (and anything before 09:30) belongs to the 09:30 bar; volume = cumulative diff."""
    bars: dict[int, dict[str, float]] = {}
    prev_vol = prev_amt = 0.0
    for t in sorted(ticks, key=lambda x: x["time"]):
        if t["lastPrice"] <= 0:
            continue
        when = dt.datetime.fromtimestamp(t["time"] / 1000, BJ)
        sec = when.hour * 3600 + when.minute * 60 + when.second
        midnight = t["time"] - sec * 1000
        end = (sec // 60 + 1) * 60 if sec not in (41400, 54000) else sec  # [start, end)
        stamp = midnight + max(34200, end if sec >= 34200 else 34200) * 1000
        price = round(t["lastPrice"], 2)
        bar = bars.get(stamp)
        if bar is None:
            if bars:
                last = bars[max(bars)]
                prev_vol, prev_amt = last["cumvol"], last["cumamt"]
            bar = bars[stamp] = {"open": price, "high": price, "low": price, "base_vol": prev_vol,
                                 "base_amt": prev_amt}
        bar.update(high=max(bar["high"], price), low=min(bar["low"], price), close=price,
                   cumvol=t["volume"], cumamt=t["amount"])
    for bar in bars.values():
        bar["volume"] = bar["cumvol"] - bar["base_vol"]
        bar["amount"] = bar["cumamt"] - bar["base_amt"]
    return bars


def test_history_bars_equal_aggregation_of_live_pushes(xt: ModuleType) -> None:
    codes = ["600000.SH", "600519.SH", "300001.SZ", "000001.SH"]
    m = market(xt, start=at(9, 24, 50))
    rec = Recorder()
    xt.subscribe_whole_quote(codes, rec)
    step(m, 670)  # -> 09:36:00: the auction print, 09:31 ... 09:36 complete, 09:37 forming
    for code in codes:
        built = _bars_from_ticks([p[code] for p in rec.payloads if code in p])
        hist = _frame(xt, code, "1m", start_time="20260324")
        stamps = list(hist["time"])
        assert len(stamps) == 8  # the forming 09:37 bar may hold no change yet: no push
        assert sorted(built) in (stamps, stamps[:-1])
        for _, row in hist.iloc[:len(built)].iterrows():
            bar = built[int(row["time"])]
            for f in ("open", "high", "low", "close"):
                assert bar[f] == round(row[f], 2), (code, f, row["time"])
            assert bar["volume"] == row["volume"]
            assert bar["amount"] == pytest.approx(row["amount"])
        day = _frame(xt, code, "1d", count=1).iloc[-1]
        last = xt.get_full_tick([code])[code]
        assert (day["open"], day["high"], day["low"]) == (last["open"], last["high"], last["low"])
        assert day["close"] == round(last["lastPrice"], 2) and day["volume"] == last["volume"]


def test_quote_kline_subscription_pushes_forming_and_closed_bar(xt: ModuleType) -> None:
    m = market(xt, start=at(9, 35, 50))
    rec = Recorder()
    xt.subscribe_quote("600000.SH", period="1m", callback=rec)
    step(m, 30)
    pushes = [p["600000.SH"] for p in rec.payloads]
    stamps = [[b["time"] for b in bars] for bars in pushes]
    end_36, end_37 = int(at(9, 36).timestamp() * 1000), int(at(9, 37).timestamp() * 1000)
    assert stamps[0] == [end_36]
    rollover = next(s for s in stamps if end_37 in s)
    assert rollover == [end_36, end_37]  # the just-closed bar, then the forming one
    hist = _frame(xt, "600000.SH", "1m", count=2)
    closed = next(b for bars in pushes for b in bars if b["time"] == end_36 and len(bars) == 2)
    assert closed == {f: hist.iloc[0][f].item() for f in BAR_FIELDS}


def test_tick_history_matches_full_tick(xt: ModuleType) -> None:
    market(xt)
    xt.subscribe_quote("600000.SH", period="tick", callback=None)
    ticks = xt.get_market_data_ex([], ["600000.SH"], period="tick")["600000.SH"]
    assert ticks["time"].is_monotonic_increasing and len(ticks) > 100
    last = xt.get_full_tick(["600000.SH"])["600000.SH"]
    assert ticks.iloc[-1]["time"] == last["time"] and ticks.iloc[-1]["volume"] == last["volume"]


def test_600519_history_reproduces_the_real_bars_file(xt: ModuleType) -> None:
    market(xt, start=at(10, 0, day=30))
    hist = _frame(xt, "600519.SH", "1m", start_time="20260323", end_time="20260327")
    with CSV_600519.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(hist) == len(rows) == 1205
    for (_, bar), row in zip(hist.iterrows(), rows):
        stamp = dt.datetime.fromtimestamp(bar["time"] / 1000, BJ).strftime("%Y-%m-%d %H:%M:%S")
        assert stamp == row["datetime"]
        assert (bar["high"], bar["low"], bar["close"]) == (float(row["high"]), float(row["low"]), float(row["close"]))
        assert bar["volume"] == int(row["volume"]) and bar["amount"] == float(row["成交额"])
        if float(row["open"]) > 0:
            assert bar["open"] == float(row["open"])


# ---------------------------------------------------------------------------------------
# faults


def test_terminal_down_kills_subscriptions_forever_and_reconnect_needs_resubscribe(
        xt: ModuleType) -> None:
    m = market(xt)
    status = Recorder()
    xt.watch_xtquant_status(status)  # before connect: attached to clients created later
    client = xt.connect()
    old = Recorder()
    xt.subscribe_whole_quote(["SH"], old)
    step(m, 3)
    assert client.is_connected() and old.payloads

    m.terminal_down()
    assert m.wait_idle()
    assert not client.is_connected()
    with pytest.raises(Exception) as err:
        xt.get_full_tick(["600000.SH"])
    assert type(err.value) is Exception and str(err.value) == CONNECT_ERROR
    with pytest.raises(Exception, match="无法连接xtquant服务"):
        xt.connect()
    count = len(old.payloads)
    step(m, 30)

    m.terminal_up()
    step(m, 30)
    assert len(old.payloads) == count  # dead forever, even with the terminal back
    assert xt.get_full_tick(["600000.SH"])  # the lazy reconnect of get_client
    new_client = xt.get_client()
    assert new_client is not client and new_client.is_connected()
    fresh = Recorder()
    seq = xt.subscribe_whole_quote(["SH"], fresh)
    step(m, 3)
    assert fresh.payloads and len(old.payloads) == count
    assert [s.seq for s in m.subscriptions()] == [seq]
    events = status.payloads
    assert [e["status"] for e in events] == ["connected", "disconnected", "connected"]
    assert all(e["address"] == "127.0.0.1:58610" for e in events)
    assert threading.get_ident() not in {tid for tid, _ in status.calls}


def test_status_callback_set_after_connect_is_not_attached(xt: ModuleType) -> None:
    m = market(xt)
    xt.connect()
    status = Recorder()
    xt.watch_xtquant_status(status)
    m.terminal_down()
    assert m.wait_idle()
    assert status.payloads == []
    m.terminal_up()
    xt.reconnect()
    assert m.wait_idle()
    assert [e["status"] for e in status.payloads] == ["connected"]


def test_silence_mutes_pushes_while_connected(xt: ModuleType) -> None:
    m = market(xt)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    step(m, 3)
    count = len(rec.payloads)
    m.silence(True)
    step(m, 60)
    assert len(rec.payloads) == count and xt.get_client().is_connected()
    m.silence(False)
    step(m, 3)
    assert len(rec.payloads) == count + 1


def test_inject_whole_delivers_raw_payload_on_dispatcher(xt: ModuleType) -> None:
    m = market(xt)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH"], rec)
    bad = {"600000.SH": {"time": 1, "lastPrice": 0.0}, "600004.SH": "not a dict"}
    m.inject_whole(bad)
    assert m.wait_idle()
    assert rec.payloads[-1] is bad
    assert threading.get_ident() not in {tid for tid, _ in rec.calls}


def test_set_price_crosses_the_limit_up(xt: ModuleType) -> None:
    m = market(xt)
    up = xt.get_instrument_detail("600000.SH")["UpStopPrice"]
    rec = Recorder()
    xt.subscribe_quote("600000.SH", period="tick", callback=rec)
    m.set_price("600000.SH", up)
    step(m, 3)
    tick = rec.payloads[-1]["600000.SH"][-1]
    assert round(tick["lastPrice"], 2) == up
    assert tick["askPrice"] == [0.0] * 5 and tick["askVol"] == [0] * 5  # no sellers at limit-up
    xt.download_history_data("600000.SH", "1m")
    assert _frame(xt, "600000.SH", "1m", count=1)["close"].iloc[-1] == up  # history sees it too
    m.set_price("600000.SH", None)  # back to the generated path
    step(m, 60)
    assert round(xt.get_full_tick(["600000.SH"])["600000.SH"]["lastPrice"], 2) < up


def test_whole_market_push_of_5500_codes(xt: ModuleType) -> None:
    m = xt.fake_reset(paused=True, universe=5500)
    rec = Recorder()
    xt.subscribe_whole_quote(["SH", "SZ"], rec)
    step(m, 3)
    first, second = rec.payloads
    assert len(first) == 5503 and len(xt.get_stock_list_in_sector("沪深A股")) == 5500
    assert 0.4 * 5503 < len(second) < 0.8 * 5503  # ~60% of codes change per snapshot
