"""The fake exchange (tests/fake_exchange) against REAL ccxt.pro binance, bybit and okx.

Why: the crypto feed's tests trust this fake, so it must be shown to speak each
exchange's dialect well enough that ccxt's own parsing code yields exactly the recorded
bars, and each injected fault must surface in ccxt the way the real failure does.
Everything runs on 127.0.0.1; each test uses ``asyncio.run`` and closes its ccxt client.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import ccxt
import pytest

from tests.fake_exchange import Bar, FakeExchange, FakeMarket
from tests.fake_exchange.market import CANDLE_MS, eth_series, forming_bar, load_csv_series

EXCHANGES = ["binance", "bybit", "okx"]
SYMBOLS = ["BTC/USDT", "ETH/USDT"]
RATE_LIMIT_ERRORS = (ccxt.DDoSProtection, ccxt.RateLimitExceeded)
WS_PATHS = {"binance": "/ws/0", "bybit": "/v5/public/spot", "okx": "/ws/v5/public"}


# ---------------------------------------------------------------- helpers


@pytest.fixture(params=EXCHANGES)
def exchange_id(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fake(exchange_id: str) -> Iterator[FakeExchange]:
    with FakeExchange(exchange_id, FakeMarket(speed=60.0)) as server:
        yield server


def with_client(fake: FakeExchange, body: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``body(client)`` in a fresh loop with a ccxt.pro client pointed at ``fake``."""

    async def main() -> Any:
        client = fake.ccxt_client(timeout_on_exit=0)  # skip close()'s 250 ms grace sleep
        try:
            return await body(client)
        finally:
            await client.close()

    return asyncio.run(main())


def in_range(price: float, bars: list[Bar]) -> bool:
    return min(b.l for b in bars) <= price <= max(b.h for b in bars)


def candles_between(market: FakeMarket, symbol: str, t0_ms: int, t1_ms: int) -> list[Bar]:
    """Recorded candles spanning market times t0..t1 (the candle(s) a price came from)."""
    start = t0_ms - (t0_ms - market.first_open_ms) % CANDLE_MS
    return [market.recorded(symbol, open_ms) for open_ms in range(start, t1_ms + 1, CANDLE_MS)]


async def pending_watch(client: Any, fake: FakeExchange) -> asyncio.Task[Any]:
    """A watch_ohlcv that has delivered once and now waits with the server silent."""
    await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5)
    fake.go_silent()
    await asyncio.sleep(3 * fake.push_interval_s)  # let in-flight pushes drain
    task = asyncio.ensure_future(client.watch_ohlcv("BTC/USDT", "1m"))
    await asyncio.sleep(0.05)
    assert not task.done()
    return task


# ---------------------------------------------------------------- the market model


def test_market_series_and_forming_path() -> None:
    btc = load_csv_series()
    eth = eth_series()
    assert len(btc) == 44_640 and btc.first_open_ms == 1_740_798_000_000  # 2025-03-01 03:00 UTC
    assert eth.o[0] == round(btc.o[0] * 0.0275, 2) and eth.v[0] == round(btc.v[0] * 30, 4)

    bar = Bar(0, 100.0, 110.0, 95.0, 98.0, 4.0)  # falls: open → high → low → close
    assert forming_bar(bar, 0.0) == (0, 100.0, 100.0, 100.0, 100.0, 0.0)
    assert forming_bar(bar, 1 / 3) == (0, 100.0, 110.0, 100.0, 110.0, round(4 / 3, 8))
    assert forming_bar(bar, 0.5) == (0, 100.0, 110.0, 100.0, 102.5, 2.0)
    assert forming_bar(bar, 0.999999).c == pytest.approx(98.0, abs=0.01)
    assert forming_bar(bar, 1.0) == bar
    rising = Bar(0, 100.0, 110.0, 95.0, 105.0, 4.0)  # open → low → high → close
    assert forming_bar(rising, 1 / 3).c == 95.0 and forming_bar(rising, 2 / 3).c == 110.0


def test_market_clock_shift_and_bars() -> None:
    wall = [1_800_000_030.0]  # 30 s into a wall minute
    market = FakeMarket(speed=60.0, start_index=600, wall_clock=lambda: wall[0])
    assert market.first_open_ms + 600 * CANDLE_MS == 1_800_000_000_000
    assert market.now_ms() == 1_800_000_030_000 and market.forming_index() == 600
    wall[0] += 1.0  # one wall second = one market minute
    assert market.now_ms() == 1_800_000_090_000 and market.forming_index() == 601
    closed = market.bars("BTC/USDT", 0, 2**62)
    assert len(closed) == 601 and closed[-1].open_ms == 1_800_000_000_000
    assert closed[0] == market.recorded("BTC/USDT", market.first_open_ms)
    assert market.candles("BTC/USDT", closed[-1].open_ms, 2**62)[-1] == market.forming("BTC/USDT")
    ticker = market.ticker("BTC/USDT")
    assert ticker.last == market.forming("BTC/USDT").c
    assert (ticker.bid, ticker.ask) == (round(ticker.last - 0.01, 2), round(ticker.last + 0.01, 2))

    market.pause()
    wall[0] += 100.0
    assert market.now_ms() == 1_800_000_090_000
    market.resume()
    market.set_speed(1.0)
    wall[0] += 2.0
    assert market.now_ms() == 1_800_000_092_000
    market.advance(60.0)
    assert market.now_ms() == 1_800_000_152_000


# ---------------------------------------------------------------- REST


def test_rest_markets_tickers_and_paged_ohlcv(exchange_id: str) -> None:
    market = FakeMarket(speed=60.0, start_index=1600)
    market.pause()  # a still clock makes the forming candle exact
    with FakeExchange(exchange_id, market) as fake:

        async def body(client: Any) -> None:
            markets = await client.load_markets()
            assert sorted(markets) == SYMBOLS
            assert all(markets[s]["spot"] for s in SYMBOLS)

            ticker = await client.fetch_ticker("BTC/USDT")
            forming = market.forming("BTC/USDT")
            assert ticker["last"] == forming.c
            assert (ticker["bid"], ticker["ask"]) == (
                round(forming.c - 0.01, 2),
                round(forming.c + 0.01, 2),
            )
            tickers = await client.fetch_tickers(SYMBOLS)
            assert {s: t["last"] for s, t in tickers.items()} == {
                s: market.forming(s).c for s in SYMBOLS
            }

            # one page: closed rows exactly as recorded, then the forming candle
            forming_open = market.forming_open_ms()
            rows = await client.fetch_ohlcv(
                "BTC/USDT", "1m", since=forming_open - 3 * CANDLE_MS, limit=10
            )
            assert rows == [
                list(b) for b in market.bars("BTC/USDT", forming_open - 3 * CANDLE_MS, forming_open)
            ] + [list(forming)]
            eth = await client.fetch_ohlcv(
                "ETH/USDT", "1m", since=forming_open - 5 * CANDLE_MS, limit=2
            )
            assert eth == [
                list(b)
                for b in market.bars(
                    "ETH/USDT", forming_open - 5 * CANDLE_MS, forming_open - 3 * CANDLE_MS
                )
            ]

            # page forward from 1500 minutes back with `since`
            start = (
                forming_open - 1500 * CANDLE_MS + 12_345
            )  # mid-minute: the first row is the next minute
            collected: list[list[float]] = []
            since = start
            while True:
                page = await client.fetch_ohlcv("BTC/USDT", "1m", since=since, limit=300)
                collected += page
                if len(page) < 300:
                    break
                since = page[-1][0] + CANDLE_MS
            assert collected == [list(b) for b in market.bars("BTC/USDT", start, forming_open)] + [
                list(forming)
            ]

        with_client(fake, body)
        assert fake.unknown_paths == []
        paths = {path for path, _ in fake.requests}
        if exchange_id == "okx":  # ccxt switches endpoint for `since` older than 1439 minutes
            assert {"/api/v5/market/history-candles", "/api/v5/market/candles"} <= paths


# ---------------------------------------------------------------- WebSocket streams


def test_watch_ticker_tickers_and_ohlcv(fake: FakeExchange) -> None:
    market = fake.market

    async def body(client: Any) -> None:
        before = market.now_ms()
        rest = await client.fetch_ticker(
            "ETH/USDT"
        )  # the clock runs: last is in the candle(s) of the call
        assert in_range(rest["last"], candles_between(market, "ETH/USDT", before, market.now_ms()))

        before = market.now_ms()
        ticker = await asyncio.wait_for(client.watch_ticker("BTC/USDT"), 5)
        assert ticker["symbol"] == "BTC/USDT"
        assert before <= ticker["timestamp"] <= market.now_ms()
        assert in_range(
            ticker["last"],
            candles_between(market, "BTC/USDT", ticker["timestamp"], ticker["timestamp"]),
        )

        seen: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + 5
        while set(seen) != set(SYMBOLS) and time.monotonic() < deadline:
            seen.update(await asyncio.wait_for(client.watch_tickers(SYMBOLS), 5))
        assert set(seen) == set(SYMBOLS)
        for symbol, t in seen.items():
            assert in_range(
                t["last"], candles_between(market, symbol, t["timestamp"], t["timestamp"])
            )

        # watch until a candle we saw forming has completed; its last values are the record
        latest: dict[int, list[float]] = {}
        first_open: int | None = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for row in await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5):
                latest[row[0]] = list(row)
            first_open = first_open if first_open is not None else min(latest)
            if any(ts > first_open for ts in latest):
                break
        assert first_open is not None and any(ts > first_open for ts in latest)
        recorded = market.bars("BTC/USDT", first_open, first_open + CANDLE_MS)
        assert [latest[first_open]] == [list(b) for b in recorded]
        forming_rows = [row for ts, row in latest.items() if ts > first_open]
        assert all(in_range(row[4], [market.recorded("BTC/USDT", row[0])]) for row in forming_rows)

    with_client(fake, body)
    kline_topic = {
        "binance": "btcusdt@kline_1m",
        "bybit": "kline.1.BTCUSDT",
        "okx": "candle1m:BTC-USDT",
    }
    assert kline_topic[fake.exchange_id] in fake.subscriptions
    assert fake.unknown_paths == []


def test_binance_full_ticker_stream_has_bid_ask() -> None:
    with FakeExchange("binance", FakeMarket()) as fake:

        async def body(client: Any) -> None:
            ticker = await asyncio.wait_for(client.watch_ticker("BTC/USDT", {"name": "ticker"}), 5)
            assert ticker["ask"] == pytest.approx(ticker["last"] + 0.01)
            assert ticker["bid"] == pytest.approx(ticker["last"] - 0.01)

        with_client(fake, body)
        assert "btcusdt@ticker" in fake.subscriptions


def test_keepalive_replies_continue_while_silent(fake: FakeExchange) -> None:
    """Raw client: subscribe, go silent, the keep-alive is still answered and no data comes."""
    subscribe = {
        "binance": {"method": "SUBSCRIBE", "params": ["btcusdt@miniTicker"], "id": 1},
        "bybit": {"op": "subscribe", "req_id": "1", "args": ["tickers.BTCUSDT"]},
        "okx": {"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-USDT"}]},
    }[fake.exchange_id]

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            url = fake.base_url.replace("http", "ws") + WS_PATHS[fake.exchange_id]
            async with session.ws_connect(url, autoping=False) as ws:
                await ws.send_str(json.dumps(subscribe))
                await ws.receive(timeout=2)  # the ack
                data = await ws.receive(timeout=2)  # a data push
                assert data.type == aiohttp.WSMsgType.TEXT
                fake.go_silent()
                await asyncio.sleep(3 * fake.push_interval_s)
                while True:  # drain what was in flight
                    try:
                        await ws.receive(timeout=0.1)
                    except asyncio.TimeoutError:
                        break
                if fake.exchange_id == "binance":
                    await ws.ping(b"k")
                    reply = await ws.receive(timeout=2)
                    assert reply.type == aiohttp.WSMsgType.PONG
                elif fake.exchange_id == "bybit":
                    await ws.send_str(json.dumps({"op": "ping", "req_id": "9"}))
                    assert json.loads((await ws.receive(timeout=2)).data)["ret_msg"] == "pong"
                else:
                    await ws.send_str("ping")
                    assert (await ws.receive(timeout=2)).data == "pong"
                with pytest.raises(asyncio.TimeoutError):
                    await ws.receive(timeout=0.3)
                fake.resume()
                assert (await ws.receive(timeout=2)).type == aiohttp.WSMsgType.TEXT

    asyncio.run(main())


# ---------------------------------------------------------------- faults


def test_drop_websockets_fails_the_pending_watch(fake: FakeExchange) -> None:
    async def body(client: Any) -> None:
        task = await pending_watch(client, fake)
        assert fake.ws_connections == 1
        fake.drop_websockets()
        with pytest.raises(ccxt.NetworkError):
            await asyncio.wait_for(task, 5)
        fake.resume()
        rows = await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5)  # ccxt dials again
        assert rows
        assert fake.ws_connects_total == 2

    with_client(fake, body)


def test_silent_server_times_out_the_watch(fake: FakeExchange) -> None:
    async def body(client: Any) -> None:
        task = await pending_watch(client, fake)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(task, 0.4)
        assert fake.ws_connections == 1  # still connected
        fake.resume()
        assert await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5)

    with_client(fake, body)


def test_http_failures_map_to_ccxt_errors(fake: FakeExchange) -> None:
    async def body(client: Any) -> None:
        await client.load_markets()
        fake.fail_http(429, count=1)
        with pytest.raises(RATE_LIMIT_ERRORS):
            await client.fetch_ticker("BTC/USDT")
        assert (await client.fetch_ticker("BTC/USDT"))["last"] > 0  # count used up

        failing_until = time.monotonic() + 0.3  # well inside the 0.5 s window
        fake.fail_http(503, seconds=0.5)
        with pytest.raises(ccxt.ExchangeNotAvailable):
            await client.fetch_ohlcv("BTC/USDT", "1m", limit=2)
        while time.monotonic() < failing_until:
            with pytest.raises(ccxt.ExchangeNotAvailable):
                await client.fetch_ohlcv("BTC/USDT", "1m", limit=2)
            await asyncio.sleep(0.1)
        deadline = time.monotonic() + 3
        while True:  # the window ends by itself
            try:
                assert len(await client.fetch_ohlcv("BTC/USDT", "1m", limit=2)) == 2
                break
            except ccxt.ExchangeNotAvailable:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)

        fake.fail_http(502)  # until healed
        with pytest.raises(ccxt.ExchangeNotAvailable):
            await client.fetch_ticker("BTC/USDT")
        fake.heal_http()
        assert (await client.fetch_ticker("BTC/USDT"))["last"] > 0

    with_client(fake, body)
    if fake.exchange_id == "binance":  # exchange code -1003 wins over the generic 429 mapping
        assert any(path == "/api/v3/ticker/24hr" for path, _ in fake.requests)


def test_stopped_server_refuses_then_comes_back_on_the_same_port(fake: FakeExchange) -> None:
    async def body(client: Any) -> None:
        port = fake.port
        task = await pending_watch(client, fake)
        await asyncio.to_thread(fake.stop)
        with pytest.raises(ccxt.NetworkError):
            await asyncio.wait_for(task, 5)
        with pytest.raises(ccxt.ExchangeNotAvailable):  # connection refused
            await client.fetch_ticker("BTC/USDT")
        with pytest.raises(ccxt.NetworkError):
            await asyncio.wait_for(client.watch_ticker("BTC/USDT"), 5)

        await asyncio.to_thread(fake.start)
        assert fake.port == port
        fake.resume()
        assert (await client.fetch_ticker("BTC/USDT"))["last"] > 0
        deadline = time.monotonic() + 10
        while True:  # ccxt backs off after the refused dial (0.2 s, then doubling)
            try:
                assert await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5)
                break
            except ccxt.NetworkError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)

    with_client(fake, body)


def test_rejected_websockets_leave_rest_working(fake: FakeExchange) -> None:
    async def body(client: Any) -> None:
        await client.load_markets()
        fake.reject_websockets(True)
        with pytest.raises(ccxt.NetworkError):
            await asyncio.wait_for(client.watch_ticker("BTC/USDT"), 5)
        assert fake.ws_connections == 0
        assert (await client.fetch_ticker("BTC/USDT"))["last"] > 0  # the REST fallback
        fake.reject_websockets(False)
        await asyncio.sleep(0.25)  # ccxt's dial backoff after a failed handshake
        assert (await asyncio.wait_for(client.watch_ticker("BTC/USDT"), 5))["last"] > 0

    with_client(fake, body)


@pytest.mark.parametrize("kind", ["json", "fields"])
def test_malformed_push_hangs_the_watch_but_not_the_server(fake: FakeExchange, kind: str) -> None:
    handler_errors: list[dict[str, Any]] = []

    async def body(client: Any) -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda loop, context: handler_errors.append(context)
        )
        await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 5)
        fake.send_malformed(10_000, kind)
        with pytest.raises(asyncio.TimeoutError):
            for _ in range(20):  # keeps resolving until the first broken push lands, then hangs
                await asyncio.wait_for(client.watch_ohlcv("BTC/USDT", "1m"), 0.5)
        assert handler_errors, "ccxt's message handler should have raised"
        assert fake.running and fake.ws_connections == 1
        assert (await client.fetch_ticker("BTC/USDT"))["last"] > 0

    with_client(fake, body)
