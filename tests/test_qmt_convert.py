"""QMT payloads → prints and bars: units, clocks, rounding, bar stamps, malformed input."""

from __future__ import annotations

import math
import os
import time
from datetime import datetime

import numpy as np
import pytest

from app.feeds.qmt_convert import (
    concat_batches,
    default_price_tick,
    instrument_facts,
    kline_to_bars,
    price_decimals,
    push_to_batch,
    round_to_tick,
    xt_time,
)
from app.market.bar_builder import BarBuilder
from app.monitors.sessions import SHANGHAI


def ms(text: str) -> int:
    """Beijing wall time 'YYYY-mm-dd HH:MM:SS' as XT's epoch ms."""
    local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    return int(local.timestamp() * 1000)


def tick(**fields: object) -> dict:
    base = {
        "time": ms("2026-03-24 10:00:03"), "lastPrice": 11.370000000000001, "open": 11.2,
        "high": 11.5, "low": 11.1, "lastClose": 11.25, "amount": 862127800.0,
        "volume": 758613, "pvolume": 75861284, "stockStatus": 3,
        "askPrice": [11.38, 11.39, 11.4, 11.41, 11.42], "bidPrice": [11.37, 11.36, 0, 0, 0],
        "askVol": [10, 20, 30, 40, 50], "bidVol": [5, 6, 0, 0, 0],
    }
    base.update(fields)
    return base


def test_whole_quote_push_becomes_columns_in_lots_and_seconds() -> None:
    pushed = push_to_batch({"000001.SZ": tick(), "600519.SH": tick(lastPrice=1433.33)},
                           received=1_774_317_603.5, ticks={})
    batch = pushed.batch
    assert batch.symbols == ["000001.SZ", "600519.SH"]
    assert batch.time[0] == ms("2026-03-24 10:00:03") / 1000
    assert batch.price.tolist() == [11.37, 1433.33]  # float noise removed
    assert batch.cum_volume[0] == 758613  # lots, as QMT's volume field
    assert batch.cum_turnover[0] == 862127800.0
    assert batch.bid[0] == 11.37 and batch.ask[0] == 11.38
    assert batch.prev_close[0] == 11.25 and batch.day_high[0] == 11.5
    assert batch.received.tolist() == [1_774_317_603.5] * 2
    assert pushed.malformed == 0


def test_subscribe_quote_lists_keep_every_record_in_order() -> None:
    records = [tick(time=ms("2026-03-24 10:00:00")), tick(time=ms("2026-03-24 10:00:03"))]
    batch = push_to_batch({"000001.SZ": records}, 0.0, {}).batch
    assert batch.symbols == ["000001.SZ", "000001.SZ"]
    assert np.diff(batch.time).tolist() == [3.0]


def test_shares_used_only_when_lots_are_missing() -> None:
    record = tick()
    del record["volume"]
    batch = push_to_batch({"000001.SZ": record}, 0.0, {}).batch
    assert batch.cum_volume[0] == pytest.approx(758612.84)


def test_zero_prices_and_empty_book_sides_become_nan_not_prices() -> None:
    """Before the first trade QMT sends 0: never a price a stop could fire on."""
    batch = push_to_batch({"000001.SZ": tick(lastPrice=0, high=0, low=0, bidPrice=[0] * 5)},
                          0.0, {}).batch
    assert math.isnan(batch.price[0]) and math.isnan(batch.day_high[0])
    assert math.isnan(batch.bid[0])


def test_malformed_records_are_left_out_and_counted() -> None:
    pushed = push_to_batch({"000001.SZ": "garbage", "600000.SH": {"lastPrice": "x"},
                            "000002.SZ": [tick(), None], 7: tick()}, 0.0, {})
    assert pushed.malformed == 3  # the string, the None and the number as a code
    assert pushed.batch.symbols == ["600000.SH", "000002.SZ"]
    assert math.isnan(pushed.batch.time[0]) and math.isnan(pushed.batch.price[0])
    assert pushed.batch.price[1] == 11.37


def test_odd_values_in_a_field_fall_back_value_by_value() -> None:
    """One bad value must not spoil the column for the other codes."""
    pushed = push_to_batch({"000001.SZ": tick(lastPrice="11.2"), "000002.SZ": tick(lastPrice=[1]),
                            "600000.SH": tick(lastPrice=None), "600001.SH": tick(lastPrice=True)},
                           0.0, {})
    price = pushed.batch.price
    assert price[0] == 11.2 and math.isnan(price[1]) and math.isnan(price[2])


def test_several_pushes_concatenate_in_order() -> None:
    first = push_to_batch({"000001.SZ": tick()}, 1.0, {}).batch
    second = push_to_batch({"600000.SH": tick(), "000001.SZ": tick(time=ms("2026-03-24 10:00:06"))},
                           2.0, {}, {"600000.SH": (1.0, 2.0)}).batch
    both = concat_batches([first, second])
    assert both.symbols == ["000001.SZ", "600000.SH", "000001.SZ"]
    assert both.received.tolist() == [1.0, 2.0, 2.0]
    assert math.isnan(both.limit_up[0]) and both.limit_up[1] == 2.0


def test_a_payload_that_is_not_a_mapping_is_counted_once() -> None:
    pushed = push_to_batch(["not", "a", "dict"], 0.0, {})
    assert pushed.malformed == 1 and len(pushed.batch) == 0


def test_prices_round_to_the_instruments_tick() -> None:
    batch = push_to_batch({"510300.SH": tick(lastPrice=3.9870000000001)}, 0.0,
                          {"510300.SH": 0.001}).batch
    assert batch.price[0] == 3.987
    assert round_to_tick(np.array([11.374]), np.array([0.01]))[0] == 11.37
    assert round_to_tick(np.array([3245.1234]), np.array([np.nan]))[0] == 3245.1234


def test_limit_prices_ride_along_per_code() -> None:
    batch = push_to_batch({"000001.SZ": tick(), "600000.SH": tick()}, 0.0, {},
                          {"000001.SZ": (10.13, 12.38)}).batch
    assert batch.limit_up[0] == 12.38 and batch.limit_down[0] == 10.13
    assert math.isnan(batch.limit_up[1])


def test_default_ticks_and_decimals_by_code() -> None:
    assert default_price_tick("600519.SH") == 0.01
    assert default_price_tick("510300.SH") == 0.001
    assert default_price_tick("159915.SZ") == 0.001
    assert math.isnan(default_price_tick("000001.SH"))  # SSE composite index
    assert math.isnan(default_price_tick("399001.SZ"))
    assert price_decimals(0.01) == 2 and price_decimals(0.001) == 3
    assert price_decimals(float("nan")) == 2


def test_times_are_beijing_whatever_the_pc_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset (POSIX)")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        stamp = xt_time(ms("2026-03-24 09:31:00"))
        assert stamp is not None
        assert stamp.tzinfo is SHANGHAI and (stamp.hour, stamp.minute) == (9, 31)
        bars = kline_to_bars("600519.SH", {"time": [ms("2026-03-24 09:31:00")],
                                           "open": [1], "high": [1], "low": [1], "close": [1],
                                           "volume": [1], "amount": [100]}, "1m")
        assert bars[0].time == datetime(2026, 3, 24, 9, 30, tzinfo=SHANGHAI)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None


def _frame(rows: list[tuple[str, float, float, float, float, float]]) -> dict:
    """XT kline columns; volume in lots, amount = volume × 100 × close."""
    return {
        "time": [ms(r[0]) for r in rows], "open": [r[1] for r in rows],
        "high": [r[2] for r in rows], "low": [r[3] for r in rows],
        "close": [r[4] for r in rows], "volume": [r[5] for r in rows],
        "amount": [r[5] * 100 * r[4] for r in rows],
    }


def test_bar_end_stamps_become_bar_starts_and_the_auction_joins_the_first_bar() -> None:
    frame = _frame([
        ("2026-03-24 09:30:00", 1433.33, 1433.33, 1433.33, 1433.33, 227),  # auction row
        ("2026-03-24 09:31:00", 1433.0, 1435.0, 1429.01, 1430.99, 741),
        ("2026-03-24 11:30:00", 1420.0, 1421.0, 1419.0, 1420.5, 100),
        ("2026-03-24 13:01:00", 1421.0, 1422.0, 1420.0, 1421.5, 90),
        ("2026-03-24 15:00:00", 1425.0, 1426.0, 1424.0, 1425.0, 300),
    ])
    bars = kline_to_bars("600519.SH", frame, "1m")
    starts = [b.time.strftime("%H:%M") for b in bars]
    assert starts == ["09:30", "11:29", "13:00", "14:59"]
    first = bars[0]
    assert (first.open, first.high, first.low, first.close) == (1433.33, 1435.0, 1429.01, 1430.99)
    assert first.volume == 227 + 741


def test_bars_agree_with_the_bar_builder_on_the_same_prints() -> None:
    """The 09:25 auction print and the first minute's prints give the same 09:30 bar
    whether QMT built it (two rows) or our builder did (from the prints)."""
    code = "600519.SH"
    prints = [("2026-03-24 09:25:00", 1433.33, 227), ("2026-03-24 09:30:10", 1435.0, 300),
              ("2026-03-24 09:30:40", 1429.01, 200), ("2026-03-24 09:30:59", 1430.99, 241)]
    builder = BarBuilder(("1m",))
    for when, price, volume in prints:
        builder.add([code], np.array([ms(when) / 1000]), np.array([price]), np.array([volume]))
    events = builder.close_due(np.array([ms("2026-03-24 09:31:05") / 1000]))
    built = next(e.bar for e in events if e.timeframe == "1m")
    frame = _frame([("2026-03-24 09:30:00", 1433.33, 1433.33, 1433.33, 1433.33, 227),
                    ("2026-03-24 09:31:00", 1435.0, 1435.0, 1429.01, 1430.99, 741)])
    (converted,) = kline_to_bars(code, frame, "1m")
    assert converted.time == built.time
    assert (converted.open, converted.high, converted.low, converted.close, converted.volume) \
        == (built.open, built.high, built.low, built.close, built.volume)


def test_share_volumes_are_turned_into_lots() -> None:
    frame = _frame([("2026-03-24 09:31:00", 10, 10, 10, 10, 500)])
    frame["volume"] = [50_000]  # shares: amount / (volume × close) = 1
    (bar,) = kline_to_bars("000001.SZ", frame, "1m")
    assert bar.volume == 500


def test_daily_bars_stay_on_their_day() -> None:
    frame = _frame([("2026-03-24 00:00:00", 10, 11, 9, 10.5, 1000)])
    (bar,) = kline_to_bars("000001.SZ", frame, "1d")
    assert bar.time.astimezone(SHANGHAI).date().isoformat() == "2026-03-24"


def test_repeated_and_broken_kline_rows() -> None:
    """A push repeats the forming bar as it grows (last wins); rows without a time or
    a close are skipped, never turned into zero-price bars."""
    records = [
        {"time": ms("2026-03-24 10:01:00"), "open": 10, "high": 10.1, "low": 10, "close": 10.05,
         "volume": 5, "amount": 5025},
        {"time": ms("2026-03-24 10:01:00"), "open": 10, "high": 10.2, "low": 9.9, "close": 10.1,
         "volume": 9, "amount": 9090},
        {"time": None, "close": 10},
        {"time": ms("2026-03-24 10:02:00"), "close": 0},
        "junk",
    ]
    (bar,) = kline_to_bars("000001.SZ", records, "1m")
    assert (bar.high, bar.low, bar.close, bar.volume) == (10.2, 9.9, 10.1, 9)
    assert kline_to_bars("000001.SZ", None, "1m") == []
    with pytest.raises(ValueError, match="period"):
        kline_to_bars("000001.SZ", records, "2m")


def test_instrument_facts_from_the_detail() -> None:
    detail = {"InstrumentName": "平安银行", "PreClose": 11.25, "UpStopPrice": 12.38,
              "DownStopPrice": 10.13, "PriceTick": 0.01, "InstrumentStatus": 0,
              "TradingDay": "20260324"}
    facts = instrument_facts("000001.SZ", detail)
    assert facts is not None
    assert (facts.name, facts.prev_close, facts.limit_up, facts.limit_down) == \
        ("平安银行", 11.25, 12.38, 10.13)
    assert facts.decimals == 2 and not facts.suspended
    suspended = instrument_facts("000002.SZ", {**detail, "InstrumentStatus": 1,
                                               "UpStopPrice": None, "PriceTick": None})
    assert suspended is not None and suspended.suspended and suspended.limit_up is None
    assert suspended.price_tick == 0.01  # the board's default when QMT does not say
    assert instrument_facts("999999.SZ", None) is None
