"""Market-data speed: tick validation + bar building, against the plain per-tick reference.

Prints, for this machine (single-threaded code, so one core):

1. whole-market A-share snapshots as QMT pushes them (every code once per 3 s, cumulative
   volume, bid/ask, day high/low, previous close, limit-up/limit-down): ticks/s and
   per-snapshot p50/p99 latency through ``TickValidator`` + ``BarBuilder`` (all 7
   timeframes; A-shares have no 4h bars), for
   a. a columnar ``RawBatch`` built from numpy arrays with slots computed once (what the
      QMT adapter does), straight into validator + builder, and through
      ``MarketPipeline.process`` (which also counts health and makes ``Tick`` objects for
      the GUI; that conversion is timed on its own),
   b. ``RawTick`` objects (``RawBatch.from_ticks``),
   c. the naive baseline: ``tests/reference_market.py`` per tick (``ReferenceValidator`` +
      one ``ReferenceBars`` per timeframe) on the first few snapshots;
   against the target: >= 10x the full-market rate of 5,500 codes / 3 s = 1,833 ticks/s;
2. a busy single crypto stream (BTC/USDT trades, 50 ms batches of ~20) through the same.

Both paths see the same prints; the benchmark asserts they accept the same number of
ticks (and the same volume), so the ratios compare equal work.

Usage: uv run python bench/market_data.py [--quick] [--symbols 5500] [--snapshots 40]
       [--naive-snapshots 5] [--crypto-seconds 30]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # numpy never needs more than one core here

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.market.bar_builder import DEFAULT_TIMEFRAMES, BarBuilder  # noqa: E402
from app.market.limits import limit_prices, limit_ratio  # noqa: E402
from app.market.pipeline import MarketPipeline  # noqa: E402
from app.market.quality import RawBatch, TickValidator  # noqa: E402
from app.market.quality_types import RawTick  # noqa: E402
from app.monitors import sessions  # noqa: E402
from tests.reference_market import ReferenceBars, ReferenceValidator  # noqa: E402

T0 = datetime(2026, 3, 23, 1, 30, tzinfo=timezone.utc).timestamp()  # 09:30 in Shanghai
SNAPSHOT_S = 3.0
FULL_MARKET_CODES = 5500
FULL_MARKET_RATE = FULL_MARKET_CODES / SNAPSHOT_S  # 1,833 ticks/s
TARGET_MULTIPLE = 10.0
RAW_FIELDS = tuple(f.name for f in dataclasses.fields(RawTick))[1:]  # all but the symbol

# (name, code prefixes, exchange suffix, share of the market): roughly today's boards.
BOARDS = (
    ("SH main", ("600", "601", "603", "605"), ".SH", 0.31),
    ("STAR", ("688",), ".SH", 0.11),
    ("SZ main", ("000", "001", "002", "003"), ".SZ", 0.33),
    ("ChiNext", ("300", "301"), ".SZ", 0.25),
)


# ---------------------------------------------------------------------------- data
@dataclass
class Stream:
    """Batches of raw prints: columns (only the fields the feed sends), the
    feed's clock per batch, and the same prints as ``RawTick`` objects."""

    title: str
    symbols: list[list[str]]
    columns: list[dict[str, np.ndarray]]
    clocks: list[float]
    same_symbols: bool  # every batch lists the same codes in the same order (QMT snapshot)
    ticks: list[list[RawTick]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for symbols, cols in zip(self.symbols, self.columns):
            values = [cols[name].tolist() if name in cols else [math.nan] * len(symbols)
                      for name in RAW_FIELDS]
            self.ticks.append([RawTick(s, *row) for s, row in zip(symbols, zip(*values))])

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def prints(self) -> int:
        return sum(len(s) for s in self.symbols)

    def batch(self, k: int) -> RawBatch:
        return RawBatch(symbols=self.symbols[k], **self.columns[k])


def ashare_codes(n: int, rng: np.random.Generator) -> tuple[list[str], dict[str, int]]:
    codes: list[str] = []
    sizes: dict[str, int] = {}
    for i, (name, prefixes, suffix, share) in enumerate(BOARDS):
        count = n - len(codes) if i == len(BOARDS) - 1 else round(n * share)
        pool = [f"{p}{k:03d}{suffix}" for p in prefixes for k in range(1000)]
        if count > len(pool):
            raise SystemExit(f"--symbols {n} is more codes than the {name} board has here")
        picked = rng.choice(len(pool), size=count, replace=False)
        codes.extend(pool[j] for j in sorted(picked.tolist()))
        sizes[name] = count
    return codes, sizes


def ashare_stream(n: int, snapshots: int, seed: int = 7) -> tuple[Stream, dict[str, int]]:
    """Whole-market snapshots from 09:30, every ``SNAPSHOT_S``. Per snapshot ~15 % of codes
    did not trade (QMT repeats their last tick: dropped as duplicates), 0.5 % are suspended
    (price 0.00: bad_price), and two codes carry a fat-finger print beyond the limit band
    (held back, then dropped when the next print is back in range)."""
    rng = np.random.default_rng(seed)
    codes, sizes = ashare_codes(n, rng)
    prev_close = np.round(np.clip(np.exp(rng.normal(math.log(12), 0.8, n)), 1.5, 1500), 2)
    ratio = np.array([limit_ratio(c) for c in codes])
    bands = np.array([limit_prices(float(c), float(r))
                      for c, r in zip(prev_close.tolist(), ratio.tolist())])
    down, up = bands[:, 0], bands[:, 1]
    suspended = rng.random(n) < 0.005
    price = np.round(np.clip(prev_close * (1 + rng.normal(0, 0.015, n)), down, up), 2)
    high, low = price.copy(), price.copy()
    cum_volume = 100.0 * rng.geometric(0.002, n)  # the 09:25 auction's volume
    cum_turnover = cum_volume * price
    last_time = np.full(n, T0)
    bid, ask = price.copy(), price + 0.01
    columns, clocks = [], []
    for k in range(snapshots):
        now = T0 + SNAPSHOT_S * k
        traded = (rng.random(n) < 0.85) | (k == 0)
        moved = price * np.exp(rng.normal(0, 0.0015, n))
        price = np.where(traded, np.round(np.clip(moved, down, up), 2), price)
        lots = 100.0 * rng.geometric(0.01, n)
        cum_volume = np.where(traded, cum_volume + lots, cum_volume)
        cum_turnover = np.where(traded, cum_turnover + lots * price, cum_turnover)
        high, low = np.maximum(high, price), np.minimum(low, price)
        last_time = np.where(traded, now, last_time)
        at_bid = rng.random(n) < 0.5
        new_bid = np.round(np.where(at_bid, price, price - 0.01), 2)
        bid = np.where(traded, new_bid, bid)
        ask = np.where(traded, np.round(bid + 0.01, 2), ask)
        ask = np.where(price >= up, 0.0, ask)  # sealed at limit-up: no sellers (QMT sends 0)
        bid = np.where(price >= up, up, bid)
        bid = np.where(price <= down, 0.0, bid)  # sealed at limit-down: no buyers
        ask = np.where(price <= down, down, ask)
        cols = {
            "time": last_time.copy(), "price": np.where(suspended, 0.0, price),
            "cum_volume": np.where(suspended, 0.0, cum_volume),
            "cum_turnover": np.where(suspended, 0.0, cum_turnover),
            "bid": np.where(suspended, 0.0, bid), "ask": np.where(suspended, 0.0, ask),
            "day_high": np.where(suspended, 0.0, high), "day_low": np.where(suspended, 0.0, low),
            "limit_up": up.copy(), "limit_down": down.copy(), "prev_close": prev_close.copy(),
            "received": last_time + 0.05,
        }
        if k:
            for i in rng.choice(np.flatnonzero(traded & ~suspended), 2, replace=False).tolist():
                bogus = round(float(up[i]) * 1.3, 2)  # a bad print the snapshot's high echoes
                cols["price"][i] = cols["day_high"][i] = cols["ask"][i] = bogus
        columns.append(cols)
        clocks.append(now + 0.2)
    title = ", ".join(f"{name} {count:,}" for name, count in sizes.items())
    return Stream(title, [codes] * snapshots, columns, clocks, same_symbols=True), sizes


def crypto_stream(seconds: float, seed: int = 11) -> Stream:
    """BTC/USDT trades, one batch per 50 ms with ~20 trades (Poisson), ms timestamps."""
    rng = np.random.default_rng(seed)
    batches = int(seconds / 0.05)
    price = 85_000.0
    symbols, columns, clocks = [], [], []
    for k in range(batches):
        start = T0 + 0.05 * k
        n = max(1, int(rng.poisson(20)))
        times = np.round(start + np.sort(rng.uniform(0, 0.05, n)), 3)
        walk = price + np.cumsum(rng.normal(0, 2.0, n))
        prices = np.round(walk, 2)
        price = float(prices[-1])
        volumes = np.round(np.maximum(rng.lognormal(math.log(0.01), 1.2, n), 1e-5), 5)
        symbols.append(["BTC/USDT"] * n)
        columns.append({"time": times, "price": prices, "volume": volumes,
                        "received": times + 0.03})
        clocks.append(start + 0.08)
    return Stream("BTC/USDT trades", symbols, columns, clocks, same_symbols=False)


# ---------------------------------------------------------------------------- runs
class Run:
    """One path's state and its per-batch figures. ``step(k)`` processes batch ``k``; the
    paths are stepped interleaved, batch by batch, so load from other processes on a
    shared machine falls on all of them alike and the ratios stay fair."""

    name = ""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.seconds: list[float] = []  # per batch
        self.accepted: list[int] = []  # per batch
        self.volume: list[float] = []  # accepted volume per batch
        self.dropped: Counter[str] = Counter()
        self.extra: list[float] = []  # per batch, a part timed on its own

    def step(self, k: int) -> None:
        raise NotImplementedError

    def rate(self, first: int | None = None) -> float:
        k = len(self.seconds) if first is None else first
        return sum(len(s) for s in self.stream.symbols[:k]) / sum(self.seconds[:k])


class Columnar(Run):
    """RawBatch from arrays, slots once (A-shares), validator + builder directly."""

    name = "columnar: validator + bars"

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self.validator, self.builder = TickValidator(), BarBuilder(DEFAULT_TIMEFRAMES)
        symbols = stream.symbols[0]
        self.slots = self.validator.slots(symbols) if stream.same_symbols else None
        self.builder.slots(symbols)

    def step(self, k: int) -> None:
        stream = self.stream
        start = time.perf_counter()
        batch = RawBatch(symbols=stream.symbols[k], **stream.columns[k])
        screened = self.validator.screen(batch, now=stream.clocks[k], live=True,
                                         slots=self.slots)
        self.builder.add(screened.symbols, screened.time, screened.price, screened.volume)
        self.seconds.append(time.perf_counter() - start)
        self.accepted.append(len(screened))
        self.volume.append(float(screened.volume.sum()))
        self.dropped.update({r.value: c for r, c in screened.dropped.items()})


class Pipeline(Run):
    """MarketPipeline.process on the columnar batch (health, Tick objects for the GUI);
    ``extra`` = the Tick conversion alone, timed again on the same result."""

    name = "MarketPipeline.process (with Tick objs)"

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self.clock = stream.clocks[0]
        self.pipeline = MarketPipeline("bench", stream.symbols[0], clock=lambda _s: self.clock,
                                       live=True)

    def step(self, k: int) -> None:
        self.clock = self.stream.clocks[k]
        start = time.perf_counter()
        processed = self.pipeline.process(self.stream.batch(k))
        self.seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        processed.screened.ticks()
        self.extra.append(time.perf_counter() - start)
        self.accepted.append(len(processed.ticks))
        self.volume.append(float(processed.screened.volume.sum()))


class Objects(Run):
    """RawTick objects -> RawBatch.from_ticks -> validator (slots looked up) + builder."""

    name = "RawTick objects (from_ticks)"

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self.validator, self.builder = TickValidator(), BarBuilder(DEFAULT_TIMEFRAMES)

    def step(self, k: int) -> None:
        ticks = self.stream.ticks[k]
        start = time.perf_counter()
        batch = RawBatch.from_ticks(ticks)
        screened = self.validator.screen(batch, now=self.stream.clocks[k], live=True)
        self.builder.add(screened.symbols, screened.time, screened.price, screened.volume)
        self.seconds.append(time.perf_counter() - start)
        self.accepted.append(len(screened))
        self.volume.append(float(screened.volume.sum()))


class Naive(Run):
    """tests/reference_market.py one tick at a time: ReferenceValidator.screen, then
    ReferenceBars.add for each timeframe (skipping 4h for A-shares, like BarBuilder)."""

    name = "naive per tick (reference)"

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self.validator = ReferenceValidator()
        self.bars = {tf: ReferenceBars(tf) for tf in DEFAULT_TIMEFRAMES}
        self.frames_of: dict[str, list[ReferenceBars]] = {}

    def _frames(self, symbol: str) -> list[ReferenceBars]:
        skip_4h = sessions.is_ashare(symbol)
        frames = [b for tf, b in self.bars.items() if not (skip_4h and tf == "4h")]
        self.frames_of[symbol] = frames
        return frames

    def step(self, k: int) -> None:
        ticks, now = self.stream.ticks[k], self.stream.clocks[k]
        screen, frames_of = self.validator.screen, self.frames_of
        accepted, volume = 0, 0.0
        start = time.perf_counter()
        for tick in ticks:
            for a in screen(tick, now, live=True):
                accepted += 1
                volume += a.volume
                for frame in frames_of.get(a.symbol) or self._frames(a.symbol):
                    frame.add(a.symbol, a.time, a.price, a.volume)
        self.seconds.append(time.perf_counter() - start)
        self.accepted.append(accepted)
        self.volume.append(volume)
        self.dropped.update({r.value: c for r, c in self.validator.dropped.items()})
        self.validator.dropped.clear()


def run_all(stream: Stream, naive_batches: int) -> tuple[Columnar, Pipeline, Objects, Naive]:
    """Every path over the stream, interleaved batch by batch (the naive one on the first
    ``naive_batches`` only); the order rotates so no path always runs first."""
    gc.collect()
    runs = (Columnar(stream), Pipeline(stream), Objects(stream), Naive(stream))
    for k in range(len(stream)):
        active = [run for run in runs if not isinstance(run, Naive) or k < naive_batches]
        shift = k % len(active)
        for run in active[shift:] + active[:shift]:
            run.step(k)
    return runs


def check_same(fast: Run, other: Run, batches: int | None = None) -> None:
    k = len(other.accepted) if batches is None else batches
    assert fast.accepted[:k] == other.accepted[:k], (
        f"{fast.name} and {other.name} accepted different numbers of ticks: "
        f"{sum(fast.accepted[:k])} vs {sum(other.accepted[:k])}")
    a, b = sum(fast.volume[:k]), sum(other.volume[:k])
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), f"volumes differ: {a} vs {b}"


# ---------------------------------------------------------------------------- report
def ms(values: Sequence[float], q: float) -> float:
    return float(np.quantile(values, q)) * 1000


def row(label: str, rate: float, seconds: Sequence[float], note: str = "") -> None:
    print(f"  {label:<40} {rate:>11,.0f} {ms(seconds, .5):>9.2f} {ms(seconds, .99):>9.2f}"
          f"  {note}".rstrip())


def verdict(rate: float) -> str:
    multiple = rate / FULL_MARKET_RATE
    mark = "PASS" if multiple >= TARGET_MULTIPLE else "MISS"
    return f"{multiple:6.1f}x full market  {mark}"


def ashare_bench(n: int, snapshots: int, naive_snapshots: int) -> None:
    t = time.perf_counter()
    stream, _ = ashare_stream(n, snapshots)
    made = time.perf_counter() - t
    columnar, pipeline, objects, naive = run_all(stream, naive_snapshots)
    for run in (pipeline, objects):
        check_same(columnar, run)
    check_same(columnar, naive)
    k = len(naive.seconds)

    start = datetime.fromtimestamp(T0, tz=sessions.market_timezone("600000.SH"))
    drops = ", ".join(f"{r} {c:,}" for r, c in columnar.dropped.most_common())
    print(f"== A-share whole market: {n:,} codes ({stream.title}), {snapshots} snapshots "
          f"every {SNAPSHOT_S:.0f} s from {start:%Y-%m-%d %H:%M} Shanghai "
          f"(data made in {made:.1f} s)")
    print(f"  {stream.prints:,} prints, {sum(columnar.accepted):,} accepted; dropped: {drops}")
    print(f"  full-market rate {FULL_MARKET_RATE:,.0f} ticks/s; target >= "
          f"{TARGET_MULTIPLE:.0f}x = {FULL_MARKET_RATE * TARGET_MULTIPLE:,.0f} ticks/s; "
          f"p50/p99 per snapshot")
    print(f"  {'path':<40} {'ticks/s':>11} {'p50 ms':>9} {'p99 ms':>9}  headroom")
    row(columnar.name, columnar.rate(), columnar.seconds, verdict(columnar.rate()))
    row("MarketPipeline.process (with Tick objs)", pipeline.rate(), pipeline.seconds,
        verdict(pipeline.rate()))
    without = [max(a - b, 1e-9) for a, b in zip(pipeline.seconds, pipeline.extra)]
    rate_without = stream.prints / sum(without)
    row("  of which Tick objects (ticks())", stream.prints / sum(pipeline.extra), pipeline.extra)
    row("  pipeline without Tick objects", rate_without, without, verdict(rate_without))
    row(objects.name, objects.rate(), objects.seconds, verdict(objects.rate()))
    row(f"naive per tick (first {k} snapshots)", naive.rate(), naive.seconds,
        verdict(naive.rate()))
    print(f"  same {sum(naive.accepted):,} ticks accepted by fast and naive paths on the first "
          f"{k} snapshots (asserted); ratio vs naive on those snapshots:")
    base = naive.rate()
    print("   " + ", ".join(
        f"{label} {run.rate(k) / base:,.1f}x"
        for label, run in (("columnar", columnar), ("pipeline", pipeline),
                           ("RawTick objects", objects))))


def crypto_bench(seconds: float) -> None:
    stream = crypto_stream(seconds)
    columnar, pipeline, objects, naive = run_all(stream, len(stream))
    for run in (pipeline, objects, naive):
        check_same(columnar, run)
    stream_rate = stream.prints / seconds
    drops = ", ".join(f"{r} {c:,}" for r, c in columnar.dropped.most_common()) or "none"
    print(f"== crypto: {stream.title}, {seconds:g} s of market, {len(stream):,} batches of "
          f"~20 every 50 ms = {stream.prints:,} ticks ({stream_rate:,.0f} ticks/s); "
          f"dropped: {drops}")
    print(f"  {'path':<40} {'ticks/s':>11} {'p50 ms':>9} {'p99 ms':>9}  vs naive, headroom")
    base = naive.rate()

    def tail(rate: float) -> str:
        return f"{rate / base:5.1f}x naive, {rate / stream_rate:,.0f}x the stream"

    for label, run in ((columnar.name, columnar),
                       ("MarketPipeline.process (with Tick objs)", pipeline),
                       (objects.name, objects), ("naive per tick (reference)", naive)):
        row(label, run.rate(), run.seconds, tail(run.rate()))
    print(f"  same {sum(naive.accepted):,} ticks accepted by every path (asserted)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="10 snapshots, naive on 3, 10 s of crypto (well under a minute)")
    parser.add_argument("--symbols", type=int, default=FULL_MARKET_CODES,
                        help="about the size of 沪深A股")
    parser.add_argument("--snapshots", type=int, default=None, help="default 40 (quick 10)")
    parser.add_argument("--naive-snapshots", type=int, default=None,
                        help="snapshots the naive baseline runs (default 5, quick 3)")
    parser.add_argument("--crypto-seconds", type=float, default=None,
                        help="seconds of BTC/USDT trades (default 30, quick 10)")
    args = parser.parse_args(argv)

    def pick(value: float | None, default: float, quick: float) -> float:
        return value if value is not None else quick if args.quick else default

    snapshots = int(pick(args.snapshots, 40, 10))
    naive = int(pick(args.naive_snapshots, 5, 3))
    crypto = pick(args.crypto_seconds, 30.0, 10.0)
    if snapshots < 1 or naive < 1 or crypto < 0.05:
        parser.error("need at least one snapshot, one naive snapshot and one crypto batch")

    t = time.perf_counter()
    sessions.warm_up()  # the exchange calendar (pandas import) is loaded at start-up in the app
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; one thread; "
          f"calendar loaded in {time.perf_counter() - t:.1f} s (not timed)")
    ashare_bench(args.symbols, snapshots, naive)
    crypto_bench(crypto)
    print(f"total {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
