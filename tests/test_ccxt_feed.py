"""The ccxt feed against a local fake exchange: live prices, history, faults, recovery.

Real ccxt.pro talks to ``tests/fake_exchange`` on 127.0.0.1 through the real bridge,
pipeline (validation, bars, gaps, backfill worker) and rule engine. The fake market is
paused and moved forward minute by minute, so every test knows exactly which recorded
bars fell before, during and after an outage. Each fault test asserts that the feed
recovers by itself, that every minute's bar is there exactly once (live or backfilled),
and that a stop-loss crossed only during the outage is reported exactly once, marked as
found in backfill.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from app.core.models import AlertSource, Bar, Tick
from app.feeds import ccxt_feed
from app.feeds.bridge import FeedBridge
from app.feeds.ccxt_feed import CcxtFeed, ExchangeConfig
from app.feeds.reconnect import Backoff
from app.market.bar_builder import BarEvent
from app.market.pipeline import MarketPipeline
from app.monitors.engine import RuleEngine
from app.monitors.rules import validate_rule
from tests.fake_exchange import FakeExchange, FakeMarket
from tests.fake_exchange.market import CANDLE_MS, load_csv_series

SYMBOL = "BTC/USDT"
PRE, OUTAGE, POST = 3, 5, 3  # minutes live before, missed during, live after the outage
HISTORY = 20


def _quiet_window() -> tuple[int, float]:
    """A start index whose outage minutes hold a low below every price traded live around
    them, and a stop-loss level between the two: crossed during the outage only."""
    series = load_csv_series()
    lows = series.l
    for start in range(600, len(lows) - 40):
        around = [*lows[start:start + PRE + 1], *lows[start + PRE + OUTAGE + 1:start + PRE + OUTAGE + POST + 3]]
        inside = lows[start + PRE + 1:start + PRE + OUTAGE + 1]
        if min(inside) < min(around) - 20:
            return start, (min(inside) + min(around)) / 2
    raise AssertionError("no window with an outage-only dip in the recorded month")


START, STOP_LEVEL = _quiet_window()


@dataclass
class Seen:
    ticks: list[Tick]
    closed: Counter
    bars: dict[float, Bar]
    backfilled: list[Bar]
    states: list[tuple[str, str]]
    alerts: list


class Rig:
    """Fake exchange + feed + bridge + engine, recorded; the market moves only when told.

    REST polling is off unless a test asks for it: when websockets fail but REST works,
    polling keeps prices flowing through the "outage", and a stop crossed then fires from
    live prices, not from backfill (right for the app, but not what a fault test checks).
    """

    def __init__(self, exchange_id: str, *, live: str = "auto", silence_s: float = 2.0,
                 symbols: tuple[str, ...] = (SYMBOL,), ws_failures_before_polling: int = 1000) -> None:
        self.market = FakeMarket(speed=60.0, start_index=START)
        self.market.pause()
        self.fake = FakeExchange(exchange_id, self.market, push_interval_s=0.05).start()
        # The market moves in 20 s jumps; prints of a minute arrive within one jump, so a
        # minute is judged (closed, checked for gaps) one jump after it ended.
        self.pipeline = MarketPipeline(exchange_id, clock=lambda _s: self.market.now_s(),
                                       grace_s=25.0)
        self.bridge = FeedBridge(self.pipeline)
        self.lock = threading.Lock()
        self.seen = Seen([], Counter(), {}, [], [], [])
        self.healed_at = 0
        self.attempts: list[int] = []
        self.ready_at_live: list[int] = []
        self.retry_times: list[float] = []
        rule = validate_rule({"task_name": "stop", "stock_code": SYMBOL,
                              "stop_loss": round(STOP_LEVEL, 2)}).with_changes(id=1)
        self.engine = RuleEngine([rule])
        # Direct: recorded on the emitting thread (no Qt event loop runs in these tests).
        direct = Qt.ConnectionType.DirectConnection
        self.bridge.ticks_received.connect(self._on_ticks, direct)
        self.bridge.bars_changed.connect(self._on_bars, direct)
        self.bridge.backfill_bars.connect(self._on_backfill, direct)
        self.bridge.state_changed.connect(self._on_state, direct)
        config = ExchangeConfig(
            exchange_id, symbols, address=self.fake.base_url, history_bars=HISTORY, live=live,
            watch_timeout_s=1.0, silence_s=silence_s, request_timeout_s=3.0, flush_s=0.05,
            poll_s=0.2, backfill_wait_s=60.0, rate_limit=False,
            ws_failures_before_polling=ws_failures_before_polling,
            backoff=Backoff(base_s=0.2, cap_s=1.0, rate_limited_s=0.5, jitter=0.1),
        )
        self.feed = CcxtFeed(config, self.bridge, clock=self.market.now_s)

    # ----- recording (feed, clock and backfill threads)
    def _on_state(self, state: str, detail: str) -> None:
        self.seen.states.append((state, detail))
        if state == "live":
            self.ready_at_live.append(len(self.feed.instruments()))
        if state == "reconnecting":
            snap = self.pipeline.health.snapshot()
            self.attempts.append(snap.reconnect_attempt)
            self.retry_times.append(snap.next_retry_at)

    def _on_ticks(self, ticks: list[Tick]) -> None:
        with self.lock:
            self.seen.ticks.extend(ticks)
            self.seen.alerts.extend(self.engine.on_ticks(ticks, AlertSource.LIVE).alerts)

    def _on_bars(self, events: list[BarEvent]) -> None:
        with self.lock:
            for event in events:
                if event.timeframe == "1m":
                    start = event.bar.time.timestamp()
                    if event.kind == "closed":
                        self.seen.closed[start] += 1
                    self.seen.bars[start] = event.bar

    def _on_backfill(self, bars: list[Bar]) -> None:
        with self.lock:
            self.seen.backfilled.extend(bars)
            self.seen.alerts.extend(self.engine.on_bars(bars, AlertSource.BACKFILL).alerts)

    # ----- driving
    def start(self) -> Rig:
        self.feed.start()
        self.bridge.start_clock(fetch=self.feed.backfill)
        self.wait(lambda: self.feed.state == "live" and bool(self.feed.instruments()), 60,
                  "the feed never went live")
        time.sleep(0.3)  # streams subscribed: the next market minute is seen whole
        return self

    def minutes(self, count: int, *, settle: float = 0.4) -> None:
        """Let ``count`` market minutes pass in 20 s steps, with prices flowing."""
        for _ in range(count * 3):
            self.market.advance(20)
            time.sleep(settle / 3)

    def wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} (state {self.feed.state}, states {self.seen.states[-6:]})")
            time.sleep(0.05)

    def stop(self) -> None:
        self.feed.stop()
        self.bridge.stop_clock()
        self.fake.stop()

    # ----- checks
    def minute_counts(self) -> Counter:
        """Per 1m bar start: how many times it was delivered (closed live + backfilled)."""
        with self.lock:
            counts = Counter(self.seen.closed)
            for bar in self.seen.backfilled:
                counts[bar.time.timestamp()] += 1
        return counts

    def assert_every_minute_once(self, first: float, last: float) -> None:
        counts = self.minute_counts()
        expected = [first + 60 * i for i in range(int((last - first) // 60) + 1)]
        missing = [m for m in expected if counts[m] == 0]
        twice = {m: c for m, c in counts.items() if c > 1}
        assert not missing, f"minutes with no bar: {missing}"
        with self.lock:
            backfilled = sorted(b.time.timestamp() for b in self.seen.backfilled)
            closed = sorted(self.seen.closed)
        assert not twice, f"minutes delivered twice: {twice}; live {closed}, backfilled {backfilled}"

    def stop_alerts(self) -> list:
        with self.lock:
            return [a for a in self.seen.alerts if a.kind.value == "stop_loss"]


@pytest.fixture
def rig_factory(qapp) -> Iterator[Callable[..., Rig]]:  # noqa: ANN001 - pytest-qt fixture
    rigs: list[Rig] = []

    def make(exchange_id: str, **kwargs: object) -> Rig:
        rig = Rig(exchange_id, **kwargs)  # type: ignore[arg-type]
        rigs.append(rig)
        return rig.start()

    yield make
    for rig in rigs:
        rig.stop()


def _outage_minutes(rig: Rig) -> tuple[float, float]:
    """First live minute after the history and the last minute before 'now'."""
    start_s = (rig.market.first_open_ms + START * CANDLE_MS) / 1000
    judged = rig.market.now_s() - rig.pipeline.grace_s  # minutes ended by then are closed
    return start_s + 60, (judged // 60) * 60 - 60


def _run_outage(rig: Rig, break_it: Callable[[], None], heal: Callable[[], None]) -> None:
    """PRE live minutes, OUTAGE minutes with the fault on, heal, POST live minutes."""
    rig.minutes(PRE)
    break_it()
    rig.minutes(OUTAGE, settle=0.5)  # the clock finds the missing minutes meanwhile
    heal()
    rig.healed_at = len(rig.seen.ticks)
    rig.wait(lambda: rig.feed.state == "live", 30, "the feed did not come back")
    rig.minutes(POST)
    rig.wait(lambda: len(rig.stop_alerts()) >= 1, 20, "the stop crossed in the outage was never reported")
    last = _outage_minutes(rig)[1]
    rig.wait(lambda: rig.minute_counts()[last] > 0, 10, "the clock never closed the last minute")
    # The live check below starts at the first trade after the heal; on a loaded machine the
    # backfill and the clock can finish before that trade is in.
    rig.wait(lambda: len(rig.seen.ticks) > rig.healed_at, 10, "no trade after the feed came back")
    time.sleep(0.3)


def _assert_exact(rig: Rig, bars: list[Bar]) -> None:
    """Bars equal the exchange's recorded candles (price exactly, volume to rounding)."""
    assert bars
    for bar in bars:
        want = rig.market.recorded(SYMBOL, int(bar.time.timestamp() * 1000))
        assert (bar.open, bar.high, bar.low, bar.close) == (want.o, want.h, want.l, want.c), bar
        assert bar.volume == pytest.approx(want.v, rel=1e-6, abs=1e-8)


def _assert_recovered(rig: Rig) -> None:
    first, last = _outage_minutes(rig)
    rig.assert_every_minute_once(first, last)
    with rig.lock:
        backfilled = list(rig.seen.backfilled)
        live = [rig.seen.bars[t] for t in sorted(rig.seen.closed)]
    _assert_exact(rig, backfilled)
    if rig.feed.mode == "trades":  # every trade streamed: whole live minutes are exact
        with rig.lock:
            first_back = rig.seen.ticks[rig.healed_at].time.timestamp() // 60 * 60
        _assert_exact(rig, [b for b in live if b.time.timestamp() > first_back])
    alerts = rig.stop_alerts()
    assert len(alerts) == 1, alerts
    assert alerts[0].source is AlertSource.BACKFILL
    assert alerts[0].price <= STOP_LEVEL
    states = [s for s, _ in rig.seen.states]
    assert "reconnecting" in states and states[-1] == "live", states


# ------------------------------------------------------------------ live data
@pytest.mark.parametrize("exchange_id", ["binance", "bybit", "okx"])
def test_history_then_live_prices(rig_factory, exchange_id: str) -> None:
    rig = rig_factory(exchange_id)
    history = rig.feed.history(SYMBOL)
    assert len(history) >= HISTORY
    assert [s for s, _ in rig.seen.states[:3]] == ["connecting", "backfilling", "live"]
    assert rig.ready_at_live[0] == 1  # the history was in before the feed said "live"
    recorded = rig.market.bars(SYMBOL, int(history[0].time.timestamp() * 1000),
                               rig.market.forming_open_ms())
    assert [(b.time.timestamp() * 1000, b.open, b.high, b.low, b.close) for b in history[:-1]] == [
        (float(r.open_ms), r.o, r.h, r.l, r.c) for r in recorded]
    rig.minutes(3)
    assert rig.feed.mode == "trades"
    with rig.lock:
        live = [rig.seen.bars[t] for t in sorted(rig.seen.closed)]
    _assert_exact(rig, live[1:])  # the first live minute began before the subscription
    snap = rig.pipeline.health.snapshot()
    assert snap.dropped == 0 and snap.latency_p50_ms is not None


@pytest.mark.parametrize("exchange_id", ["binance", "okx"])
def test_ticker_stream_for_large_symbol_sets(rig_factory, exchange_id: str) -> None:
    rig = rig_factory(exchange_id, live="tickers", symbols=(SYMBOL, "ETH/USDT"))
    rig.minutes(2)
    assert rig.feed.mode == "tickers"
    with rig.lock:
        seen = {t.symbol for t in rig.seen.ticks}
        last = [t for t in rig.seen.ticks if t.symbol == SYMBOL][-1]
    assert seen == {SYMBOL, "ETH/USDT"}
    forming = rig.market.forming(SYMBOL)
    assert forming.l <= last.price <= forming.h
    drops = {r.value: n for r, n in rig.pipeline.health.snapshot().dropped_by_reason.items() if n}
    assert set(drops) <= {"duplicate"}, drops  # a paused market repeats its last snapshot


def test_one_ticker_stream_per_symbol_when_the_exchange_cannot_watch_many(
        rig_factory, monkeypatch) -> None:  # noqa: ANN001
    real = ccxt_feed._make_exchange

    def without_watch_tickers(*args: object):  # noqa: ANN202
        exchange = real(*args)
        exchange.has["watchTickers"] = False
        return exchange

    monkeypatch.setattr(ccxt_feed, "_make_exchange", without_watch_tickers)
    rig = rig_factory("bybit", live="tickers", symbols=(SYMBOL, "ETH/USDT"))
    rig.minutes(1)
    rig.wait(lambda: {t.symbol for t in rig.seen.ticks} == {SYMBOL, "ETH/USDT"}, 10,
             "not every symbol's ticker stream delivered")
    assert rig.feed.mode == "tickers"
    assert {"tickers.BTCUSDT", "tickers.ETHUSDT"} <= set(rig.fake.subscriptions)


def test_rest_polling_when_websockets_keep_failing(rig_factory) -> None:
    rig = rig_factory("bybit", ws_failures_before_polling=3)
    rig.fake.reject_websockets(True)
    rig.fake.drop_websockets()
    rig.wait(lambda: rig.feed.mode == "polling" and rig.feed.state == "live", 30,
             "the feed never fell back to REST polling")
    before = len(rig.seen.ticks)
    rig.minutes(2)
    assert len(rig.seen.ticks) > before  # prices keep coming over REST
    assert any(path.endswith("/tickers") for path, _ in rig.fake.requests)


# ------------------------------------------------------------------ faults
@pytest.mark.parametrize("exchange_id", ["binance", "bybit", "okx"])
def test_server_killed_and_restarted(rig_factory, exchange_id: str) -> None:
    rig = rig_factory(exchange_id)
    _run_outage(rig, rig.fake.stop, rig.fake.start)
    _assert_recovered(rig)


def test_websocket_dropped_and_refused(rig_factory) -> None:
    rig = rig_factory("binance")

    def break_it() -> None:
        rig.fake.reject_websockets(True)
        rig.fake.drop_websockets()

    _run_outage(rig, break_it, lambda: rig.fake.reject_websockets(False))
    _assert_recovered(rig)


def test_silent_stream_goes_stale_and_reconnects(rig_factory) -> None:
    rig = rig_factory("okx")
    _run_outage(rig, rig.fake.go_silent, rig.fake.resume)
    _assert_recovered(rig)
    states = [s for s, _ in rig.seen.states]
    assert "stale" in states
    stale = next(d for s, d in rig.seen.states if s == "stale")
    assert "no data" in stale


@pytest.mark.parametrize("status", [429, 503])
def test_http_errors_while_reconnecting(rig_factory, status: int) -> None:
    rig = rig_factory("binance")

    def break_it() -> None:
        rig.fake.fail_http(status)
        rig.fake.reject_websockets(True)
        rig.fake.drop_websockets()

    def heal() -> None:
        rig.fake.heal_http()
        rig.fake.reject_websockets(False)

    _run_outage(rig, break_it, heal)
    _assert_recovered(rig)
    details = " ".join(d for s, d in rig.seen.states if s == "reconnecting")
    expected = "DDoSProtection" if status == 429 else "ExchangeNotAvailable"
    assert expected in details  # the reason is shown with the attempt and next try
    assert max(rig.attempts, default=0) >= 2, (rig.attempts, rig.seen.states)
    assert all(at > time.time() - 120 for at in rig.retry_times)


@pytest.mark.parametrize("kind", ["json", "fields"])
def test_malformed_messages_never_kill_the_feed(rig_factory, kind: str) -> None:
    rig = rig_factory("bybit")

    def break_it() -> None:
        rig.fake.send_malformed(10_000, kind=kind)

    _run_outage(rig, break_it, lambda: rig.fake.send_malformed(0, kind=kind))
    _assert_recovered(rig)
    assert rig.feed.is_running


def test_quiet_market_is_not_a_dead_stream(rig_factory) -> None:
    """No trades because nobody trades (market paused): REST says so, the feed stays live
    and the health view does not call it stale."""
    rig = rig_factory("binance")
    rig.pipeline.health.stale_after_s = 1.5
    rig.fake.clear_log()
    time.sleep(5.0)  # silence_s is 2 s in the rig
    assert [s for s, _ in rig.seen.states][-1] == "live"
    assert "reconnecting" not in [s for s, _ in rig.seen.states]
    assert any(path.endswith("/klines") for path, _ in rig.fake.requests)  # it asked
    assert not rig.pipeline.health.snapshot().is_stale


def test_unknown_symbol_stops_alone(rig_factory) -> None:
    rig = rig_factory("binance", symbols=(SYMBOL, "NOPE/USDT"))
    rig.minutes(1)
    status, message = rig.feed.symbol_status("NOPE/USDT")
    assert status == "failed" and "BadSymbol" in message and "NOPE/USDT" in message
    assert rig.feed.symbol_status(SYMBOL)[0] == "live"
    before = len(rig.seen.ticks)
    rig.minutes(1)
    assert len(rig.seen.ticks) > before


def test_symbol_added_while_running(rig_factory) -> None:
    rig = rig_factory("binance")
    rig.feed.add_symbol("ETH/USDT")
    rig.wait(lambda: len(rig.feed.instruments()) == 2, 20, "the added symbol got no history")
    time.sleep(0.3)
    rig.minutes(1)
    rig.wait(lambda: any(t.symbol == "ETH/USDT" for t in rig.seen.ticks), 20,
             "the added symbol never streamed")
    assert len(rig.feed.history("ETH/USDT")) >= HISTORY
    assert "ETH/USDT" in rig.feed.market_symbols()


def test_api_keys_are_read_on_the_feed_thread_and_bad_keys_stop_the_feed(monkeypatch) -> None:  # noqa: ANN001
    import ccxt

    from app.feeds.credentials import ApiKeys

    keys = ApiKeys("key-123456789", "s3cret")
    read_on: list[str] = []
    made_with: list[object] = []

    def refuse(config: object, given: object, markets: object):  # noqa: ANN202
        made_with.append(given)
        raise ccxt.AuthenticationError("invalid api key")

    monkeypatch.setattr(ccxt_feed, "_make_exchange", refuse)

    class Output:
        states: list[tuple[str, str]] = []
        errors: list[str] = []

        def publish_state(self, state: str, detail: str = "", **_: object) -> None:
            self.states.append((state, detail))

        def publish_error(self, exc: object) -> None:
            self.errors.append(str(exc))

    def load() -> ApiKeys:
        read_on.append(threading.current_thread().name)
        return keys

    output = Output()
    feed = CcxtFeed(ExchangeConfig("binance", (SYMBOL,)), output, load_keys=load)  # type: ignore[arg-type]
    feed.start()
    deadline = time.monotonic() + 10
    while feed.is_running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert read_on == ["ccxt-binance"] and made_with == [keys]  # never the GUI thread
    assert output.states[-1][0] == "stopped" and "AuthenticationError" in output.states[-1][1]
    assert any("invalid api key" in e for e in output.errors)
    assert "s3cret" not in " ".join(output.errors + [d for _, d in output.states])
