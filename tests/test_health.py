"""FeedHealth: counts, rate, latency percentiles, and stale only while a market trades.

Session facts used (from the exchanges' rules, not from the code): A-shares trade
09:30-11:30 and 13:00-15:00 Shanghai time on trading days; Wed 2024-03-06 was an ordinary
trading day, Sat 2024-03-09 was not. Crypto trades around the clock.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.market.health import STALE_AFTER_S, FeedHealth
from app.market.quality_types import DropReason, QualityNote
from app.monitors import sessions

SH = timezone(timedelta(hours=8))
STOCK = "600519.SH"
CRYPTO = "BTC/USDT"
W0 = 1_700_000_000.0  # an arbitrary wall clock start; sessions come from the market clock


def sh(day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds of March ``day`` 2024 at hour:minute Shanghai."""
    return datetime(2024, 3, day, hour, minute, tzinfo=SH).timestamp()


@pytest.fixture(scope="module", autouse=True)
def _calendar_loaded() -> None:
    sessions.warm_up()


class MarketClock:
    """A replay-style exchange clock the test moves by hand."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self, symbol: str) -> float:
        return self.t


def live_feed(symbols: list[str], market_time: float, **kw: float) -> FeedHealth:
    health = FeedHealth("demo", symbols, market_now=MarketClock(market_time), now=W0, **kw)
    health.set_state("live", now=W0)
    return health


# ----- counting -----------------------------------------------------------------

def test_batches_add_up_per_reason_and_note() -> None:
    health = FeedHealth("demo", now=W0)
    health.record(10, {DropReason.BAD_PRICE: 2, DropReason.DUPLICATE: 1},
                  {QualityNote.HELD: 1}, now=W0)
    health.record(5, {"bad_price": 3}, {QualityNote.HELD: 2, QualityNote.VOLUME_REBASED: 1},
                  now=W0 + 1)
    health.record(0, {DropReason.CROSSED_BOOK: 0}, now=W0 + 2)  # zero counts leave no row
    snap = health.snapshot(now=W0 + 2)
    assert snap.accepted == 15
    assert snap.dropped == 2 + 1 + 3
    assert snap.dropped_by_reason == {DropReason.BAD_PRICE: 5, DropReason.DUPLICATE: 1}
    assert snap.notes == {QualityNote.HELD: 3, QualityNote.VOLUME_REBASED: 1}


def test_bad_inputs_are_refused() -> None:
    health = FeedHealth("demo", now=W0)
    with pytest.raises(ValueError):
        health.record(-1, now=W0)
    with pytest.raises(ValueError):
        health.record(1, {DropReason.BAD_TIME: -2}, now=W0)
    with pytest.raises(ValueError):
        health.record(1, {"no_such_reason": 1}, now=W0)
    with pytest.raises(ValueError):
        health.set_state("sleeping")
    with pytest.raises(ValueError):
        health.record_symbols(["A", "B"], np.array([1.0]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        health.gaps(-1, 0, 0)
    with pytest.raises(ValueError):
        FeedHealth("demo", stale_after_s=0)


def test_gap_counts_are_replaced_not_added() -> None:
    health = FeedHealth("demo", now=W0)
    health.gaps(2, 1, 0)
    health.gaps(1, 3, 1)
    snap = health.snapshot(now=W0)
    assert (snap.gaps_open, snap.gaps_filled, snap.gaps_missing) == (1, 3, 1)


def test_ticks_per_second_over_a_five_second_window() -> None:
    health = FeedHealth("demo", now=W0)
    health.record(100, now=W0)
    health.record(150, now=W0 + 1)
    assert health.snapshot(now=W0 + 2).ticks_per_s == pytest.approx((100 + 150) / 5)
    # 5.5 s later the first batch has left the window (now - 5 s = W0 + 0.5).
    assert health.snapshot(now=W0 + 5.5).ticks_per_s == pytest.approx(150 / 5)
    assert health.snapshot(now=W0 + 7).ticks_per_s == 0


# ----- latency and per-symbol times ---------------------------------------------

def test_latency_percentiles_match_numpy_and_ignore_nan() -> None:
    health = FeedHealth("demo", now=W0)
    lat = np.arange(1, 101) / 1000.0  # 1..100 ms
    exchange = W0 + np.arange(100.0)
    health.record_symbols(["A"] * 100, exchange, exchange + lat, now=W0 + 200)
    # NaN samples (unknown exchange or received time) must not move the percentiles.
    health.record_symbols(["B", "B"], np.array([np.nan, W0]), np.array([W0, np.nan]), now=W0 + 300)
    snap = health.snapshot(now=W0 + 300)
    # Linear interpolation over 1..100: p50 = 50.5, p99 = 1 + 0.99 * 99 = 99.01 (ms).
    assert snap.latency_p50_ms == pytest.approx(50.5)
    assert snap.latency_p99_ms == pytest.approx(99.01)
    assert snap.latency_p50_ms == pytest.approx(np.percentile(lat, 50) * 1000)
    assert snap.latency_p99_ms == pytest.approx(np.percentile(lat, 99) * 1000)


def test_no_latency_samples_means_no_figures() -> None:
    snap = FeedHealth("demo", now=W0).snapshot(now=W0)
    assert snap.latency_p50_ms is None and snap.latency_p99_ms is None


def test_ring_buffer_keeps_only_the_newest_samples() -> None:
    health = FeedHealth("demo", latency_samples=4, now=W0)
    for batch in ([1, 2, 3], [4, 5, 6]):
        ms = np.array(batch, dtype=float)
        health.record_symbols(["A"] * 3, np.zeros(3), ms / 1000, now=W0)
    # Kept: 3, 4, 5, 6 ms -> median 4.5 ms.
    assert health.snapshot(now=W0).latency_p50_ms == pytest.approx(4.5)
    # A batch larger than the buffer leaves its last four: 7..10 ms -> median 8.5 ms.
    health.record_symbols(["A"] * 10, np.zeros(10), np.arange(1, 11) / 1000, now=W0)
    assert health.snapshot(now=W0).latency_p50_ms == pytest.approx(8.5)


def test_per_symbol_rows_keep_the_last_tick_of_each_symbol() -> None:
    health = FeedHealth("demo", [CRYPTO, "ETH/USDT"], now=W0)
    health.record_symbols(
        [CRYPTO, "SOL/USDT", CRYPTO],
        np.array([W0 + 1, W0 + 2, W0 + 3]),
        np.array([W0 + 1.1, W0 + 2.2, np.nan]),  # unknown arrival: taken as ``now``
        now=W0 + 4,
    )
    rows = {row.symbol: row for row in health.snapshot(now=W0 + 6).symbols}
    assert list(rows) == [CRYPTO, "ETH/USDT", "SOL/USDT"]  # watched first, then as seen
    assert rows[CRYPTO].last_exchange_time == W0 + 3
    assert rows[CRYPTO].last_received == W0 + 4
    assert rows[CRYPTO].age_s == pytest.approx(2)
    assert rows["SOL/USDT"].age_s == pytest.approx(6 - 2.2)
    assert rows["ETH/USDT"].last_exchange_time is None and rows["ETH/USDT"].age_s is None


# ----- stale only while a market trades -----------------------------------------

def test_silence_at_ten_on_a_trading_day_is_stale() -> None:
    health = live_feed([STOCK], sh(6, 10))
    health.record(1, now=W0)
    assert health.snapshot(now=W0 + STALE_AFTER_S - 1).state == "live"
    snap = health.snapshot(now=W0 + STALE_AFTER_S + 1)
    assert snap.state == "stale" and snap.is_stale
    assert snap.silent_s == pytest.approx(STALE_AFTER_S + 1)
    assert snap.symbols[0].in_session and snap.symbols[0].stale


@pytest.mark.parametrize("market_time", [sh(6, 12), sh(9, 10), sh(6, 20)],
                         ids=["lunch", "saturday", "evening"])
def test_silence_outside_the_session_is_market_closed(market_time: float) -> None:
    health = live_feed([STOCK], market_time)
    snap = health.snapshot(now=W0 + 10 * STALE_AFTER_S)
    assert snap.state == "market_closed"
    assert not snap.became_stale and snap.stale_since is None
    assert not snap.symbols[0].in_session and not snap.symbols[0].stale


def test_crypto_is_always_in_session() -> None:
    saturday_night = sh(9, 3)
    health = live_feed([CRYPTO], saturday_night)
    assert health.snapshot(now=W0 + STALE_AFTER_S + 1).state == "stale"


def test_one_symbol_in_session_is_enough() -> None:
    health = live_feed([STOCK, CRYPTO], sh(9, 10))  # Saturday: only crypto trades
    snap = health.snapshot(now=W0 + STALE_AFTER_S + 1)
    assert snap.state == "stale"
    assert [row.stale for row in snap.symbols] == [False, True]


def test_a_silent_symbol_is_flagged_while_the_feed_is_live() -> None:
    health = live_feed([CRYPTO, "ETH/USDT"], sh(6, 10), stale_after_s=5)
    t = W0 + 20
    health.record(1, now=t)
    health.record_symbols([CRYPTO], np.array([t]), np.array([t]), now=t)
    snap = health.snapshot(now=t + 1)
    assert snap.state == "live"
    assert {row.symbol: row.stale for row in snap.symbols} == {CRYPTO: False, "ETH/USDT": True}


def test_stale_after_is_configurable() -> None:
    health = live_feed([CRYPTO], sh(6, 10), stale_after_s=60)
    assert health.snapshot(now=W0 + 59).state == "live"
    assert health.snapshot(now=W0 + 61).state == "stale"


def test_a_feed_that_never_connects_in_session_goes_stale() -> None:
    health = FeedHealth("qmt", [STOCK], market_now=MarketClock(sh(6, 10)), now=W0)
    assert health.snapshot(now=W0 + 1).state == "connecting"
    snap = health.snapshot(now=W0 + STALE_AFTER_S + 1)
    assert snap.state == "stale" and snap.reported_state == "connecting"


def test_reconnecting_outside_the_session_still_says_so() -> None:
    health = live_feed([STOCK], sh(6, 12))
    health.set_state("reconnecting", "timeout", now=W0)
    snap = health.snapshot(now=W0 + 100)
    assert (snap.state, snap.detail) == ("reconnecting", "timeout")


def test_stopped_is_never_stale_and_restarting_resets_the_silence() -> None:
    health = live_feed([CRYPTO], sh(6, 10))
    health.set_state("stopped", now=W0 + 1)
    snap = health.snapshot(now=W0 + 1000)
    assert snap.state == "stopped" and not snap.symbols[0].stale
    health.set_state("connecting", now=W0 + 1000)
    assert health.snapshot(now=W0 + 1001).state == "connecting"
    assert health.snapshot(now=W0 + 1000 + STALE_AFTER_S + 1).state == "stale"


def test_going_live_after_a_reconnect_restarts_the_silence() -> None:
    health = live_feed([CRYPTO], sh(6, 10))
    health.set_state("reconnecting", now=W0 + 5)
    health.set_state("live", now=W0 + 12)  # reconnected at once, no trade yet
    assert health.snapshot(now=W0 + 12 + STALE_AFTER_S - 1).state == "live"
    assert health.snapshot(now=W0 + 12 + STALE_AFTER_S + 1).state == "stale"
    health.set_state("live", now=W0 + 40)  # live → live is not a reconnect: no reset
    assert health.snapshot(now=W0 + 41).state == "stale"


def test_a_quiet_market_confirmed_alive_is_not_stale() -> None:
    health = live_feed([CRYPTO], sh(6, 10))
    health.confirm_alive(now=W0 + 10)  # the feed asked: nothing traded
    assert health.snapshot(now=W0 + 10 + STALE_AFTER_S - 1).state == "live"
    health.confirm_alive(now=W0 + 5)  # an older confirmation never shortens the silence
    assert health.snapshot(now=W0 + 10 + STALE_AFTER_S + 1).state == "stale"


def test_an_unwatched_symbol_leaves_the_view() -> None:
    health = live_feed([CRYPTO, "ETH/USDT"], sh(6, 10))
    health.record_symbols(["ETH/USDT"], np.array([W0]), np.array([W0]), now=W0)
    health.unwatch(["ETH/USDT", "NOT/WATCHED"])
    assert [row.symbol for row in health.snapshot(now=W0 + 1).symbols] == [CRYPTO]


def test_became_stale_and_recovered_are_reported_exactly_once() -> None:
    health = live_feed([STOCK], sh(6, 10))
    health.record(1, now=W0)
    times = [W0 + s for s in (5, 16, 17, 18)]
    snaps = [health.snapshot(now=t) for t in times]
    assert [s.became_stale for s in snaps] == [False, True, False, False]
    assert [s.stale_since for s in snaps] == [None, W0 + 16, W0 + 16, W0 + 16]
    health.record(3, now=W0 + 19)
    after = [health.snapshot(now=W0 + s) for s in (19, 20)]
    assert [s.state for s in after] == ["live", "live"]
    assert [s.recovered for s in after] == [True, False]
    assert all(s.stale_since is None and not s.became_stale for s in after)
    assert not any(s.recovered for s in snaps)


def test_the_session_ending_ends_a_stale_episode() -> None:
    clock = MarketClock(sh(6, 11, 29))
    health = FeedHealth("qmt", [STOCK], market_now=clock, now=W0)
    health.set_state("live", now=W0)
    assert health.snapshot(now=W0 + 20).became_stale
    clock.t = sh(6, 11, 31)  # lunch: silence is no longer a fault
    snap = health.snapshot(now=W0 + 140)
    assert snap.state == "market_closed" and snap.recovered and snap.stale_since is None
    clock.t = sh(6, 13, 1)  # afternoon session, still silent: a new episode
    assert health.snapshot(now=W0 + 5000).became_stale


# ----- immutability and threads -------------------------------------------------

def test_snapshots_are_frozen_copies() -> None:
    health = FeedHealth("demo", [CRYPTO], now=W0)
    health.record(1, {DropReason.DUPLICATE: 1}, now=W0)
    snap = health.snapshot(now=W0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.accepted = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.dropped_by_reason[DropReason.DUPLICATE] = 9  # type: ignore[index]
    health.record(4, {DropReason.DUPLICATE: 2}, now=W0 + 1)
    assert (snap.accepted, snap.dropped_by_reason[DropReason.DUPLICATE]) == (1, 1)


def test_two_writer_threads_and_a_reader_do_not_trip_over_each_other() -> None:
    health = FeedHealth("demo", [CRYPTO], latency_samples=64, now=W0)
    rounds = 2000
    errors: list[BaseException] = []
    done = threading.Event()

    def guarded(fn):  # noqa: ANN001, ANN202 - a tiny thread wrapper
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
        return run

    def counts() -> None:
        for i in range(rounds):
            health.record(2, {DropReason.DUPLICATE: 1}, {QualityNote.HELD: 1}, now=W0 + i)

    def times() -> None:
        for i in range(rounds):
            t = np.full(3, W0 + i)
            health.record_symbols([CRYPTO, "ETH/USDT", CRYPTO], t, t + 0.01, now=W0 + i)
            health.set_state("live" if i % 2 else "backfilling")

    def reader() -> None:
        while not done.is_set():
            health.snapshot(now=W0 + 1)

    writers = [threading.Thread(target=guarded(counts)), threading.Thread(target=guarded(times))]
    watcher = threading.Thread(target=guarded(reader))
    for thread in (*writers, watcher):
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    done.set()
    watcher.join(timeout=60)
    assert not errors
    snap = health.snapshot(now=W0 + rounds)
    assert (snap.accepted, snap.dropped, snap.notes[QualityNote.HELD]) == (
        2 * rounds, rounds, rounds)
    assert snap.latency_p50_ms == pytest.approx(10)


def test_a_whole_market_feed_keeps_rows_for_watched_symbols_only() -> None:
    health = FeedHealth("QMT", ["600519.SH"], rows_for_unwatched=False, now=0.0)
    symbols = ["600519.SH", "000002.SZ", "600000.SH"]
    health.record(3, now=1.0)
    health.record_symbols(symbols, np.array([1.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0]), now=1.0)
    snap = health.snapshot(now=2.0)
    assert [row.symbol for row in snap.symbols] == ["600519.SH"]
    assert snap.accepted == 3  # the others still count for the feed
    listed = FeedHealth("demo", ["600519.SH"], now=0.0)
    listed.record_symbols(symbols, np.ones(3), np.ones(3), now=1.0)
    assert len(listed.snapshot(now=2.0).symbols) == 3
