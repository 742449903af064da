"""ccxt structures → raw prints and bars: malformed input is refused or NaN, never raised."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from app.feeds.ccxt_convert import (
    TradeMark,
    closed_bars,
    new_trades,
    ohlcv_to_bars,
    ticker_to_raw,
    trades_to_raw,
)
from app.feeds.ccxt_feed import (
    DECIMAL_PLACES,
    TICK_SIZE,
    available_exchange_ids,
    price_decimals,
    retry_after,
)
from app.market.quality import RawBatch, TickValidator
from app.ui.feed_settings import exchange_choices

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ccxt"


def _parsed(exchange: str, method: str) -> list:
    data = json.loads((FIXTURES / f"{exchange}.response.marketdata.json").read_text())
    return [entry["parsedResponse"] for entry in data["methods"][method]]


def test_real_binance_ticker_becomes_one_print() -> None:
    ticker = _parsed("binance", "fetchTicker")[0]
    raw = ticker_to_raw("BTC/USDT", ticker, received=ticker["timestamp"] / 1000 + 0.25)
    assert raw.price == ticker["last"]
    assert raw.time == ticker["timestamp"] / 1000
    assert (raw.bid, raw.ask) == (ticker["bid"], ticker["ask"])
    assert (raw.day_high, raw.day_low) == (ticker["high"], ticker["low"])
    assert math.isnan(raw.volume)  # 24 h rolling volume is not traded volume
    assert raw.received - raw.time == 0.25


def test_ticker_without_timestamp_uses_receive_time() -> None:
    ticker = dict(_parsed("bybit", "fetchTicker")[0], timestamp=None)
    raw = ticker_to_raw("BTC/USDT:USDT", ticker, received=1_700_000_000.5)
    assert raw.time == 1_700_000_000.5
    assert raw.price == ticker["last"]


def test_malformed_ticker_gives_nan_prints_the_validator_drops() -> None:
    raws = [
        ticker_to_raw("X", None, 1.0),  # type: ignore[arg-type]
        ticker_to_raw("X", {"last": "abc", "timestamp": 1_000}, 1.0),
        ticker_to_raw("X", {"last": float("inf"), "timestamp": 1_000}, 1.0),
        ticker_to_raw("X", {"close": 5.0, "timestamp": "soon"}, 1.0),
    ]
    assert math.isnan(raws[0].price) and math.isnan(raws[1].price) and math.isnan(raws[2].price)
    assert raws[3].price == 5.0 and raws[3].time == 1.0  # close stands in for last
    batch = RawBatch.from_ticks([ticker_to_raw(f"S{i}", {"last": None}, 2.0) for i in range(3)])
    screened = TickValidator().screen(batch, now=np.full(3, 2.0), live=True)
    assert len(screened) == 0 and sum(screened.dropped.values()) == 3


def test_real_trades_become_prints_with_volume() -> None:
    trades = _parsed("binance", "fetchTrades")[0]
    raws = trades_to_raw("BTC/USDT", trades, received=2e9)
    assert [r.price for r in raws] == [t["price"] for t in trades]
    assert [r.volume for r in raws] == [t["amount"] for t in trades]
    assert [r.time for r in raws] == [t["timestamp"] / 1000 for t in trades]
    broken = trades_to_raw("BTC/USDT", [None, {"price": 1.0}, {"timestamp": 5, "price": "x"}], 1.0)
    assert len(broken) == 3
    assert all(math.isnan(r.time) or math.isnan(r.price) for r in broken)


def test_real_ohlcv_rows_become_start_stamped_bars() -> None:
    for exchange in ("binance", "bybit", "okx"):
        rows = _parsed(exchange, "fetchOHLCV")[0]
        converted = ohlcv_to_bars("BTC/USDT", rows)
        assert converted.refused == 0
        assert [b.time.timestamp() * 1000 for b in converted.bars] == sorted(r[0] for r in rows)
        first = min(rows, key=lambda r: r[0])
        bar = converted.bars[0]
        assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == tuple(first[1:6])
        assert bar.time.utcoffset().total_seconds() == 0


def test_ohlcv_refuses_bad_rows_and_dedups_overlapping_pages() -> None:
    good = [60_000, 10.0, 11.0, 9.0, 10.5, 3.0]
    rows = [
        good,
        [60_000, 10.0, 12.0, 9.0, 11.0, 4.0],  # same minute again (next page): later wins
        [120_000, 10.0, 9.0, 9.5, 9.6, 1.0],  # high below low
        [180_000, 0.0, 1.0, 0.0, 1.0, 1.0],  # zero price
        [240_000, None, 1.0, 1.0, 1.0, 1.0],  # missing open
        "garbage",
        [300_000],
        [360_000, 10.0, 10.0, 10.0, 10.0, None],  # no volume: a usable bar with 0
    ]
    converted = ohlcv_to_bars("X", rows)
    assert [b.time.timestamp() for b in converted.bars] == [60.0, 360.0]
    assert converted.bars[0].high == 12.0 and converted.bars[1].volume == 0.0
    assert converted.refused == 5


def test_closed_bars_drops_the_forming_one() -> None:
    bars = ohlcv_to_bars("X", [[m * 60_000, 1, 1, 1, 1, 1] for m in range(5)]).bars
    assert len(closed_bars(bars, now=5 * 60.0)) == 5
    assert len(closed_bars(bars, now=5 * 60.0 - 0.001)) == 4


def _trade(ms: int, tid: str, price: float = 1.0) -> dict:
    return {"timestamp": ms, "id": tid, "price": price, "amount": 0.1}


def test_new_trades_hands_on_each_trade_once_in_time_order() -> None:
    cache = [_trade(1000, "a"), _trade(2000, "b")]
    fresh, mark = new_trades(cache, TradeMark())
    assert [t["id"] for t in fresh] == ["a", "b"]
    # the next wake: ccxt appended two messages, the second one newest first (okx style)
    cache += [_trade(3000, "c"), _trade(5000, "e"), _trade(4000, "d")]
    fresh, mark = new_trades(cache, mark)
    assert [t["id"] for t in fresh] == ["c", "d", "e"]
    assert new_trades(cache, mark) == ([], mark)  # nothing new: nothing repeated


def test_new_trades_keeps_trades_of_the_same_millisecond_apart_by_id() -> None:
    fresh, mark = new_trades([_trade(1000, "x1")], TradeMark())
    fresh, mark = new_trades([_trade(1000, "x1"), _trade(1000, "x2")], mark)
    assert [t["id"] for t in fresh] == ["x2"]
    assert mark.ids == frozenset({"x1", "x2"})


def test_new_trades_survives_a_new_cache_after_reconnect_and_bad_entries() -> None:
    _, mark = new_trades([_trade(1000, "a"), _trade(2000, "b")], TradeMark())
    replayed = [_trade(2000, "b"), None, {"id": "z", "timestamp": None}, _trade(2500, "c")]
    fresh, mark = new_trades(replayed, mark)  # type: ignore[arg-type]
    assert [t["id"] for t in fresh] == ["c"] and mark.time_ms == 2500


def test_new_trades_stops_walking_back_after_a_run_of_seen_trades() -> None:
    old = [_trade(i, str(i)) for i in range(10_000)]
    _, mark = new_trades(old, TradeMark())
    stale = _trade(-5, "ancient")  # far back in the cache: never reached, never re-sent
    fresh, _ = new_trades([stale, *old, _trade(10_000, "new")], mark)
    assert [t["id"] for t in fresh] == ["new"]


# ------------------------------------------------------------------ exchange metadata
def test_price_decimals_follow_the_exchanges_precision_mode() -> None:
    import ccxt

    assert (DECIMAL_PLACES, TICK_SIZE) == (ccxt.DECIMAL_PLACES, ccxt.TICK_SIZE)
    ticks = [(0.01, 2), (0.25, 2), (0.1, 1), (1, 0), (10, 0), (0.00001, 5), (1e-9, 9)]
    assert [price_decimals(tick, TICK_SIZE) for tick, _ in ticks] == [d for _, d in ticks]
    assert price_decimals(2, DECIMAL_PLACES) == 2 and price_decimals(8, DECIMAL_PLACES) == 8
    assert [price_decimals(bad, TICK_SIZE) for bad in (None, "x", -1, float("nan"))] == [2] * 4


def test_retry_after_comes_from_the_exchanges_last_answer() -> None:
    class Answered:
        last_response_headers = {"Content-Type": "json", "retry-after": "7"}

    assert retry_after(Answered()) == 7.0
    Answered.last_response_headers = {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}
    assert retry_after(Answered()) is None  # a date: the backoff's own pause applies
    assert retry_after(None) is None and retry_after(object()) is None


def test_exchange_ids_are_listed_without_importing_ccxt(monkeypatch) -> None:  # noqa: ANN001
    import sys

    import ccxt

    expected = sorted(ccxt.exchanges)
    monkeypatch.delitem(sys.modules, "ccxt")  # as on a fresh start: ccxt not loaded yet
    assert available_exchange_ids() == expected
    assert "ccxt" not in sys.modules
    assert exchange_choices()[:3] == ["binance", "bybit", "okx"]
    assert "ccxt" not in sys.modules  # the settings dialog's list never imports it
