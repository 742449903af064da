"""All-tickers stream speed: ~2,000 crypto symbols parsed by ccxt and handed to the engine.

What one second of a whole exchange's ticker stream costs the crypto feed: binance-style
``24hrTicker`` messages (the ``!ticker@arr`` array, one entry per symbol) go through

1. ccxt's own ``parse_ws_ticker`` (the real parser, on a binance instance with 2,000
   synthetic spot markets, no network),
2. ``ccxt_convert.ticker_to_raw`` into the feed's buffer,
3. ``MarketPipeline.process`` (validation, bars, gaps, health) once per flush, and
4. ``RuleEngine.on_ticks`` with a realistic rule mix (2,000 rules, one per symbol),

and prints tickers/s for the batched path (what ``CcxtFeed`` does: one flush per message
array) against a naive baseline run in the same process: every ticker through the
pipeline and the engine on its own. The ratio against the live rate (2,000 tickers/s:
each symbol once a second) says how much head-room is left on this machine.

Usage: uv run python bench/crypto_tickers.py [--symbols 2000] [--seconds 20] [--naive-seconds 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.feeds.ccxt_convert import ticker_to_raw  # noqa: E402
from app.market.pipeline import MarketPipeline  # noqa: E402
from app.monitors.engine import RuleEngine  # noqa: E402
from bench.engine import make_rule  # noqa: E402

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


def _exchange(n: int):  # noqa: ANN202 - ccxt has no types worth importing here
    """A ccxt.pro binance with ``n`` spot markets, never touching the network."""
    import ccxt.pro as ccxtpro

    exchange = ccxtpro.binance({"enableRateLimit": False})
    markets = []
    for i in range(n):
        base = f"C{i:04d}"
        markets.append({
            "id": f"{base}USDT", "symbol": f"{base}/USDT", "base": base, "quote": "USDT",
            "baseId": base, "quoteId": "USDT", "settle": None, "settleId": None,
            "type": "spot", "spot": True, "margin": False, "swap": False, "future": False,
            "option": False, "contract": False, "linear": None, "inverse": None,
            "active": True, "precision": {"price": 0.01, "amount": 0.0001},
            "limits": {}, "info": {},
        })
    exchange.set_markets(markets)
    return exchange


def _messages(n: int, seconds: int, rng: random.Random) -> list[list[dict]]:
    """One ``!ticker@arr`` array per second: every symbol's 24 h ticker, prices walking."""
    prices = [rng.uniform(0.05, 500.0) for _ in range(n)]
    out = []
    for second in range(seconds):
        event_ms = int((T0 + second) * 1000)
        array = []
        for i in range(n):
            prices[i] *= 1 + rng.gauss(0, 0.0008)
            last = round(prices[i], 2) or 0.01
            array.append({
                "e": "24hrTicker", "E": event_ms, "s": f"C{i:04d}USDT",
                "p": "0.1", "P": "0.5", "w": f"{last:.2f}", "x": f"{last:.2f}",
                "c": f"{last:.2f}", "Q": "1.0", "b": f"{last - 0.01:.2f}", "B": "3",
                "a": f"{last + 0.01:.2f}", "A": "2", "o": f"{last:.2f}",
                "h": f"{last * 1.05:.2f}", "l": f"{last * 0.95:.2f}", "v": "1000",
                "q": "50000", "O": event_ms - 86_400_000, "C": event_ms, "F": 0, "L": 1, "n": 2,
            })
        out.append(array)
    return out


def _setup(n: int) -> tuple[MarketPipeline, RuleEngine, list[str]]:
    rng = random.Random(3)
    symbols = [f"C{i:04d}/USDT" for i in range(n)]
    pipeline = MarketPipeline("bench", symbols, clock=lambda _s: T0 + 10_000)
    rules = [make_rule(i, symbols[i], rng.uniform(1, 400), rng) for i in range(n)]
    return pipeline, RuleEngine(rules), symbols


def batched(exchange, messages: list[list[dict]], n: int) -> tuple[float, int, int]:  # noqa: ANN001
    pipeline, engine, _ = _setup(n)
    accepted = alerts = 0
    start = time.perf_counter()
    for array in messages:
        received = array[0]["E"] / 1000 + 0.05
        buffer = []
        for message in array:
            ticker = exchange.parse_ws_ticker(message, "spot")
            buffer.append(ticker_to_raw(ticker["symbol"], ticker, received))
        processed = pipeline.process(buffer)
        accepted += len(processed.ticks)
        alerts += len(engine.on_ticks(processed.ticks).alerts)
    return time.perf_counter() - start, accepted, alerts


def naive(exchange, messages: list[list[dict]], n: int) -> tuple[float, int, int]:  # noqa: ANN001
    pipeline, engine, _ = _setup(n)
    accepted = alerts = 0
    start = time.perf_counter()
    for array in messages:
        received = array[0]["E"] / 1000 + 0.05
        for message in array:
            ticker = exchange.parse_ws_ticker(message, "spot")
            processed = pipeline.process([ticker_to_raw(ticker["symbol"], ticker, received)])
            accepted += len(processed.ticks)
            alerts += len(engine.on_ticks(processed.ticks).alerts)
    return time.perf_counter() - start, accepted, alerts


def parse_only(exchange, messages: list[list[dict]]) -> float:  # noqa: ANN001
    start = time.perf_counter()
    for array in messages:
        for message in array:
            exchange.parse_ws_ticker(message, "spot")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20, help="stream seconds, batched path")
    parser.add_argument("--naive-seconds", type=int, default=3)
    args = parser.parse_args()
    n = args.symbols
    exchange = _exchange(n)
    messages = _messages(n, max(args.seconds, args.naive_seconds), random.Random(11))
    live_rate = float(n)  # each symbol once a second

    parse_s = parse_only(exchange, messages[: args.seconds])
    fast_s, fast_ok, fast_alerts = batched(exchange, messages[: args.seconds], n)
    slow_s, slow_ok, slow_alerts = naive(exchange, messages[: args.naive_seconds], n)
    # the same prints must pass in both paths, or the ratio compares different work
    check_s, check_ok, _ = batched(exchange, messages[: args.naive_seconds], n)
    if check_ok != slow_ok:
        raise SystemExit(f"paths disagree: batched accepted {check_ok}, naive {slow_ok}")

    fast_rate = args.seconds * n / fast_s
    slow_rate = args.naive_seconds * n / slow_s
    print(f"all-tickers stream: {n} symbols, {args.seconds} s of tickers "
          f"({args.seconds * n:,} tickers), {n} rules")
    print(f"  ccxt parse_ws_ticker alone      : {args.seconds * n / parse_s:>10,.0f} tickers/s")
    print(f"  batched (CcxtFeed's path)       : {fast_rate:>10,.0f} tickers/s  "
          f"= {fast_rate / live_rate:5.1f}x the live rate ({live_rate:,.0f}/s); "
          f"{fast_ok:,} accepted, {fast_alerts} alerts")
    print(f"  naive (one ticker at a time)    : {slow_rate:>10,.0f} tickers/s  "
          f"= {slow_rate / live_rate:5.1f}x the live rate; {slow_alerts} alerts")
    print(f"  ratio batched / naive           : {fast_rate / slow_rate:5.1f}x")
    ours = args.seconds * n / max(1e-9, fast_s - parse_s)
    print(f"  our part alone (convert+pipeline+engine): {ours:>10,.0f} tickers/s")
    print(f"  verdict: {'KEEPS UP' if fast_rate >= live_rate else 'FALLS BEHIND'} "
          f"(one feed thread at {100 * live_rate / fast_rate:.0f}% of a core at the live rate)")


if __name__ == "__main__":
    main()
