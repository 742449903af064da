"""The QMT feed against the fake ``xtdata``: live quotes, history, faults, recovery.

The feed runs with the real bridge, pipeline (validation, bars, gaps, backfill worker)
and rule engine. The fake market is paused and moved forward push by push (3 s of
market time each), so every test knows what QMT sent before, during and after a fault.
Fault tests assert that the feed recovers by itself, that nothing false fires, and
that the health view says what happened.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from app.core.models import AlertSource, Bar, Tick
from app.feeds.base import Instrument
from app.feeds.bridge import FeedBridge
from app.feeds.qmt_convert import kline_to_bars
from app.feeds.qmt_feed import QmtConfig, QmtFeed
from app.feeds.reconnect import Backoff
from app.market.bar_builder import BarEvent
from app.market.pipeline import MarketPipeline
from app.market.quality_types import DropReason
from app.monitors.engine import RuleEngine
from app.monitors.rules import Rule, validate_rule
from app.monitors.sessions import SHANGHAI
from tests.helpers.fake_qmt import load_fake_xtdata

MOUTAI, PINGAN = "600519.SH", "000001.SZ"
MORNING = datetime(2026, 3, 24, 10, 0, tzinfo=SHANGHAI)
PUSH_S = 3.0


class Rig:
    """Fake terminal + feed + bridge + engine, recorded; the market moves only when told."""

    def __init__(self, *, codes: tuple[str, ...] = (MOUTAI, PINGAN), start: datetime = MORNING,
                 terminal_up: bool = True, whole_market: bool = False, universe: int = 300,
                 silence_s: float = 5.0, rules: tuple[Rule, ...] = ()) -> None:
        self.xt = load_fake_xtdata()
        self.market = self.xt.fake_reset(start=start, paused=True, terminal_up=terminal_up,
                                         universe=universe)
        # Pushes of a minute arrive within a few steps, so a minute is judged (closed,
        # checked for gaps) a little later than a real-time feed would.
        self.pipeline = MarketPipeline("QMT", clock=lambda _s: self.market.clock(),
                                       watched_only=True, grace_s=10.0)
        self.bridge = FeedBridge(self.pipeline)
        self.lock = threading.Lock()
        self.ticks: list[Tick] = []
        self.closed: Counter[float] = Counter()
        self.bars: dict[float, Bar] = {}
        self.backfilled: list[Bar] = []
        self.states: list[tuple[str, str]] = []
        self.alerts: list = []
        self.instruments: dict[str, tuple[Instrument, list[Bar]]] = {}
        self.failed: dict[str, str] = {}
        self.official: list[Bar] = []
        self.engine = RuleEngine(list(rules))
        direct = Qt.ConnectionType.DirectConnection
        self.bridge.ticks_received.connect(self._on_ticks, direct)
        self.bridge.bars_changed.connect(self._on_bars, direct)
        self.bridge.backfill_bars.connect(self._on_backfill, direct)
        self.bridge.state_changed.connect(self._on_state, direct)
        self.bridge.instrument_ready.connect(self._on_instrument, direct)
        self.bridge.symbol_failed.connect(self._on_failed, direct)
        self.bridge.official_bars.connect(self._on_official, direct)
        config = QmtConfig(codes=codes, whole_market=whole_market, history_bars=30,
                           silence_s=silence_s, flush_s=0.05, backfill_wait_s=30.0,
                           backoff=Backoff(base_s=0.2, cap_s=0.5, jitter=0.1))
        self.feed = QmtFeed(config, self.bridge, load_sdk=lambda: self.xt,
                            clock=self.market.clock)

    # ----- recording (feed, clock and backfill threads)
    def _on_state(self, state: str, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def _on_ticks(self, ticks: list[Tick]) -> None:
        with self.lock:
            self.ticks.extend(ticks)
            self.alerts.extend(self.engine.on_ticks(ticks, AlertSource.LIVE).alerts)

    def _on_bars(self, events: list[BarEvent]) -> None:
        with self.lock:
            for event in events:
                if event.timeframe == "1m":
                    start = event.bar.time.timestamp()
                    if event.kind == "closed":
                        self.closed[(event.bar.symbol, start)] += 1
                    self.bars[(event.bar.symbol, start)] = event.bar

    def _on_backfill(self, bars: list[Bar]) -> None:
        with self.lock:
            self.backfilled.extend(bars)
            self.alerts.extend(self.engine.on_bars(bars, AlertSource.BACKFILL).alerts)

    def _on_instrument(self, instrument: Instrument, history: list[Bar]) -> None:
        with self.lock:
            self.instruments[instrument.symbol] = (instrument, history)

    def _on_failed(self, symbol: str, message: str) -> None:
        with self.lock:
            self.failed[symbol] = message

    def _on_official(self, bars: list[Bar]) -> None:
        with self.lock:
            self.official.extend(bars)

    # ----- driving
    def start(self, *, wait_live: bool = True) -> Rig:
        self.feed.start()
        self.bridge.start_clock(fetch=self.feed.backfill)
        if wait_live:
            self.wait(lambda: self.state() == "live", 30, "the feed never went live")
        return self

    def state(self) -> str:
        with self.lock:
            return self.states[-1][0] if self.states else ""

    def pushes(self, count: int, *, pause: float = 0.01) -> None:
        """Let ``count`` pushes happen (3 s of market time each), delivered in order."""
        for _ in range(count):
            self.market.step(PUSH_S)
            self.market.wait_idle()
            deadline = time.monotonic() + 5
            while self.feed.backlog and time.monotonic() < deadline:
                time.sleep(0.005)  # converted and published before the market moves on
            time.sleep(pause)

    def minutes(self, count: int) -> None:
        self.pushes(int(count * 60 / PUSH_S))

    def wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                with self.lock:
                    states = self.states[-6:]
                raise AssertionError(f"{what} (states {states})")
            time.sleep(0.02)

    def stop(self) -> None:
        self.feed.stop()
        self.bridge.stop_clock()
        self.xt.fake_reset(paused=True)  # ends the old market's threads

    # ----- checks
    def symbol_ticks(self, symbol: str) -> list[Tick]:
        with self.lock:
            return [t for t in self.ticks if t.symbol == symbol]

    def qmt_bars(self, symbol: str) -> dict[float, Bar]:
        """QMT's own 1m bars so far (via the SDK), by our bar start."""
        self.xt.download_history_data(symbol, period="1m", start_time="20260324")
        frame = self.xt.get_market_data_ex([], [symbol], period="1m",
                                           start_time="20260324")[symbol]
        return {b.time.timestamp(): b for b in kline_to_bars(symbol, frame, "1m")}

    def minute_counts(self, symbol: str) -> Counter[float]:
        with self.lock:
            counts = Counter({start: n for (s, start), n in self.closed.items() if s == symbol})
            for bar in self.backfilled:
                if bar.symbol == symbol:
                    counts[bar.time.timestamp()] += 1
        return counts


@pytest.fixture
def rig_factory(qapp) -> Iterator[Callable[..., Rig]]:  # noqa: ANN001 - pytest-qt fixture
    rigs: list[Rig] = []

    def make(*, start_feed: bool = True, wait_live: bool = True, **kwargs: object) -> Rig:
        rig = Rig(**kwargs)  # type: ignore[arg-type]
        rigs.append(rig)
        return rig.start(wait_live=wait_live) if start_feed else rig

    yield make
    for rig in rigs:
        rig.stop()


def stop_rule(code: str, level: float, rule_id: int = 1) -> Rule:
    return validate_rule({"task_name": f"stop {code}", "stock_code": code,
                          "stop_loss": level}).with_changes(id=rule_id)


# --------------------------------------------------------------------------- live
def test_watchlist_goes_live_with_names_history_and_limits(rig_factory) -> None:
    rig = rig_factory()
    rig.wait(lambda: len(rig.instruments) == 2, 10, "instruments never arrived")
    instrument, history = rig.instruments[MOUTAI]
    detail = rig.xt.get_instrument_detail(MOUTAI)
    assert instrument.name == detail["InstrumentName"] == "贵州茅台"
    assert instrument.market == "ashare" and instrument.tz_name == "Asia/Shanghai"
    assert instrument.prev_close == pytest.approx(detail["PreClose"])
    assert instrument.price_decimals == 2
    # the chart starts with QMT's own bars, bar-start stamped, up to the current minute
    assert len(history) == 30
    qmt = rig.qmt_bars(MOUTAI)
    assert all(qmt[b.time.timestamp()] == b for b in history[:-1])
    assert history[-1].time >= datetime(2026, 3, 24, 9, 59, tzinfo=SHANGHAI)
    # today's limit prices reached the validator (A print above limit-up is impossible)
    validator = rig.pipeline.validator
    slot = validator.slots([MOUTAI])[0]
    assert validator._ref_up[slot] == pytest.approx(detail["UpStopPrice"])
    # subscriptions: one whole quote (watchlist + heartbeat) and one per charted code
    subscriptions = rig.feed.subscriptions()
    assert set(subscriptions) == {"whole", f"bars:{MOUTAI}", f"bars:{PINGAN}"}
    assert all(seq > 0 for seq in subscriptions.values())


def test_live_bars_match_the_terminals_bars(rig_factory) -> None:
    rig = rig_factory()
    rig.minutes(3)
    rig.wait(lambda: len(rig.minute_counts(PINGAN)) >= 3, 10, "no closed bars")
    qmt = rig.qmt_bars(PINGAN)
    with rig.lock:
        closed = {start: bar for (s, start), bar in rig.bars.items()
                  if s == PINGAN and rig.closed[(s, start)]}
    # the first minute started before we subscribed: compare the whole minutes after it
    whole = sorted(closed)[1:]
    assert len(whole) >= 2
    for start in whole:
        ours, theirs = closed[start], qmt[start]
        assert (ours.open, ours.high, ours.low, ours.close) == \
            (theirs.open, theirs.high, theirs.low, theirs.close), start
        assert ours.volume == pytest.approx(theirs.volume)
    # live prints are Beijing-stamped and on the price tick
    ticks = rig.symbol_ticks(PINGAN)
    assert ticks and all(t.time.tzinfo is not None for t in ticks)
    assert all(round(t.price, 2) == t.price for t in ticks)


def test_charted_codes_get_the_terminals_closed_bars(rig_factory) -> None:
    rig = rig_factory()
    rig.minutes(2)
    rig.wait(lambda: any(b.symbol == MOUTAI for b in rig.official), 10,
             "no bars from subscribe_quote")
    now = rig.market.clock()
    assert all(b.time.timestamp() + 60 <= now for b in rig.official)  # closed ones only


def test_whole_market_reaches_the_rules_but_health_lists_the_watchlist(rig_factory) -> None:
    codes = load_fake_xtdata()
    rig = rig_factory(whole_market=True, universe=600)
    market_codes = rig.feed.market_symbols()
    assert len(market_codes) >= 600
    rig.pushes(3)
    rig.wait(lambda: len({t.symbol for t in rig.ticks}) > 300, 10, "the whole market never came")
    snapshot = rig.pipeline.health.snapshot()
    assert {row.symbol for row in snapshot.symbols} == {MOUTAI, PINGAN}
    assert rig.pipeline.gaps.counts().open.gaps == 0
    whole = [s for s in rig.market.subscriptions() if s.kind == "whole"]
    assert len(whole) == 1 and len(whole[0].codes) >= 600
    assert codes is rig.xt


# --------------------------------------------------------------------------- faults
def test_terminal_down_at_start_retries_and_says_why(rig_factory) -> None:
    rig = rig_factory(terminal_up=False, wait_live=False)
    rig.wait(lambda: rig.pipeline.health.snapshot().reconnect_attempt >= 2, 10,
             "no retries while the terminal is down")
    snapshot = rig.pipeline.health.snapshot()
    assert snapshot.state == "connecting"
    assert "QMT terminal not reachable" in snapshot.detail and "无法连接xtquant服务" in snapshot.detail
    assert snapshot.next_retry_at is not None
    rig.market.terminal_up()
    rig.wait(lambda: rig.state() == "live", 10, "never connected once the terminal was up")
    rig.pushes(3)
    rig.wait(lambda: bool(rig.symbol_ticks(MOUTAI)), 10, "no prices after connecting")


def _outage_level(rig: Rig, code: str) -> float:
    """A stop level below every price traded so far: to be crossed only in the outage."""
    return round(min(t.price for t in rig.symbol_ticks(code)) * 0.97, 2)


def test_disconnect_mid_session_reconnects_resubscribes_and_backfills(rig_factory) -> None:
    rig = rig_factory(codes=(PINGAN,))
    rig.minutes(1)
    rig.wait(lambda: bool(rig.symbol_ticks(PINGAN)), 10, "no prices")
    level = _outage_level(rig, PINGAN)
    with rig.lock:
        rig.engine.upsert(stop_rule(PINGAN, level))
    old_seqs = set(rig.feed.subscriptions().values())
    rig.market.terminal_down()
    rig.wait(lambda: rig.state() == "reconnecting", 10, "the disconnect went unnoticed")
    rig.market.set_price(PINGAN, round(level * 0.98, 2))  # the dip happens while we are away
    rig.minutes(2)
    rig.market.set_price(PINGAN, None)
    rig.minutes(1)
    rig.market.terminal_up()
    rig.wait(lambda: rig.state() == "live" and rig.feed.reconnects == 1, 15, "never reconnected")
    new_seqs = set(rig.feed.subscriptions().values())
    assert new_seqs and not new_seqs & old_seqs  # every subscription issued again
    rig.minutes(2)

    def missing() -> list[float]:
        counts = rig.minute_counts(PINGAN)
        starts = sorted(counts)
        expected = [starts[0] + 60 * i for i in range(int((starts[-1] - starts[0]) // 60) + 1)]
        return [m for m in expected if not counts[m]]

    # A gap is found only when the bar after it closes, so "no open gap" can hold while the
    # last outage minute is still on its way from the backfill worker: wait for all of them.
    rig.wait(lambda: rig.pipeline.gaps.counts().open.gaps == 0 and bool(rig.backfilled)
             and not missing(), 20, "the outage was not backfilled")
    assert missing() == []  # every minute is there …
    counts = rig.minute_counts(PINGAN)
    assert {m: n for m, n in counts.items() if n > 1} == {}  # … exactly once
    stops = [a for a in rig.alerts if a.kind.value == "stop_loss"]
    assert len(stops) == 1 and stops[0].source is AlertSource.BACKFILL
    snapshot = rig.pipeline.health.snapshot()
    assert snapshot.gaps_filled >= 1 and snapshot.state == "live"


def test_silent_subscription_is_resubscribed_and_warned(rig_factory) -> None:
    rig = rig_factory(silence_s=2.0)
    rig.pushes(2)
    old_seqs = set(rig.feed.subscriptions().values())
    rig.market.silence(True)
    rig.wait(lambda: rig.feed.resubscribes >= 1, 10, "silence in session went unnoticed")
    assert any(state == "stale" and "resubscribed" in detail for state, detail in rig.states)
    assert rig.pipeline.health.snapshot().reported_state == "stale"
    assert not set(rig.feed.subscriptions().values()) & old_seqs  # issued again
    rig.market.silence(False)
    before = len(rig.symbol_ticks(MOUTAI))
    rig.pushes(3)
    rig.wait(lambda: len(rig.symbol_ticks(MOUTAI)) > before, 10, "prices did not come back")
    rig.wait(lambda: rig.state() == "live", 10, "not live again")


def test_silence_after_resubscribing_reconnects(rig_factory) -> None:
    rig = rig_factory(silence_s=0.5)
    rig.pushes(2)
    rig.market.silence(True)
    rig.wait(lambda: rig.state() == "reconnecting", 10, "a dead subscription was never given up")
    rig.market.silence(False)
    rig.wait(lambda: rig.state() == "live" and rig.feed.reconnects >= 1, 10, "no reconnect")
    before = len(rig.symbol_ticks(MOUTAI))
    rig.pushes(3)
    rig.wait(lambda: len(rig.symbol_ticks(MOUTAI)) > before, 10, "prices did not come back")


def test_outside_sessions_silence_is_a_closed_market(rig_factory) -> None:
    lunch = datetime(2026, 3, 24, 12, 0, tzinfo=SHANGHAI)
    rig = rig_factory(start=lunch, silence_s=0.3)
    rig.pushes(3)
    time.sleep(1.0)
    assert rig.feed.resubscribes == 0 and rig.feed.reconnects == 0
    snapshot = rig.pipeline.health.snapshot(now=time.time() + 60)
    assert snapshot.state == "market_closed"


def test_bad_payloads_are_dropped_counted_and_never_fire(rig_factory) -> None:
    rig = rig_factory(codes=(PINGAN,))
    rig.pushes(3)
    rig.wait(lambda: bool(rig.symbol_ticks(PINGAN)), 10, "no prices")
    last = rig.symbol_ticks(PINGAN)[-1]
    level = round(last.price * 0.9, 2)
    with rig.lock:
        rig.engine.upsert(stop_rule(PINGAN, level))
    now_ms = int(rig.market.clock() * 1000)
    good = rig.xt.get_full_tick([PINGAN])[PINGAN]
    rig.market.inject_whole({PINGAN: {**good, "lastPrice": 0.0, "time": now_ms + 1000}})
    rig.market.inject_whole({PINGAN: {"time": now_ms + 2000}})  # missing fields
    rig.market.inject_whole({PINGAN: {**good, "lastPrice": level * 0.5,
                                      "time": now_ms - 3_600_000}})  # an hour old
    rig.market.inject_whole({PINGAN: "not a quote"})
    rig.market.inject_whole(["not", "a", "mapping"])  # type: ignore[arg-type]
    rig.market.wait_idle()
    rig.wait(lambda: rig.pipeline.health.snapshot().dropped_by_reason.get(DropReason.MALFORMED, 0)
             >= 2, 10, "malformed payloads were not counted")
    dropped = rig.pipeline.health.snapshot().dropped_by_reason
    assert dropped.get(DropReason.BAD_PRICE, 0) >= 2  # zero and missing price
    assert dropped.get(DropReason.OUT_OF_ORDER, 0) + dropped.get(DropReason.BAD_TIME, 0) >= 1
    rig.pushes(3)
    assert rig.feed.is_running and rig.state() == "live"
    assert not [a for a in rig.alerts if a.kind.value == "stop_loss"]
    with rig.lock:
        assert all(t.price > level for t in rig.ticks if t.symbol == PINGAN)


def test_unknown_code_stops_alone(rig_factory) -> None:
    rig = rig_factory(codes=(MOUTAI, "999999.SZ"))
    rig.wait(lambda: "999999.SZ" in rig.failed, 10, "the unknown code was not reported")
    rig.pushes(2)
    rig.wait(lambda: bool(rig.symbol_ticks(MOUTAI)), 10, "the known code stopped too")


def test_codes_added_and_removed_while_running(rig_factory) -> None:
    rig = rig_factory(codes=(MOUTAI,))
    extra = next(c for c in rig.xt.get_stock_list_in_sector("沪深A股")
                 if c.endswith(".SZ") and c != PINGAN)
    rig.feed.add_symbol(extra)
    rig.wait(lambda: extra in rig.instruments, 10, "the added code never loaded")
    rig.pushes(3)
    rig.wait(lambda: bool(rig.symbol_ticks(extra)), 10, "the added code never streamed")
    assert f"bars:{extra}" in rig.feed.subscriptions()
    rig.feed.remove_symbol(extra)
    rig.wait(lambda: f"bars:{extra}" not in rig.feed.subscriptions(), 10, "not unsubscribed")
    live = {code for s in rig.market.subscriptions() for code in s.codes}
    assert extra not in live


def test_stop_unsubscribes_everything(rig_factory) -> None:
    rig = rig_factory()
    assert rig.market.subscriptions()
    rig.feed.stop()
    assert rig.market.subscriptions() == []
    assert rig.state() == "stopped"


def test_a_missing_sdk_stops_with_the_reason(qapp) -> None:  # noqa: ANN001
    pipeline = MarketPipeline("QMT")
    bridge = FeedBridge(pipeline)

    def missing() -> object:
        raise ImportError("cannot import name 'datacenter' from 'xtquant'")

    feed = QmtFeed(QmtConfig(codes=(MOUTAI,)), bridge, load_sdk=missing)  # type: ignore[arg-type]
    feed.start()
    deadline = time.monotonic() + 5
    while feed.is_running and time.monotonic() < deadline:
        time.sleep(0.02)
    snapshot = pipeline.health.snapshot()
    assert snapshot.state == "stopped" and "datacenter" in snapshot.detail
