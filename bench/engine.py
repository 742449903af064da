"""Rule-engine throughput: ticks per second on a whole-market-sized rule set.

Prints figures for the engine as the app runs it (rules indexed by symbol) and a
naive baseline run in the same process (every rule checked against every tick),
with the ratio. Usage: uv run python bench/engine.py [--symbols N] [--rules-per-symbol K] [--ticks T]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.models import Tick  # noqa: E402
from app.monitors.engine import RuleEngine  # noqa: E402
from app.monitors.rules import Rule  # noqa: E402


def make_rules(symbols: list[str], per_symbol: int, rng: random.Random) -> list[Rule]:
    rules = []
    for s in symbols:
        for k in range(per_symbol):
            rules.append(Rule(task_name=f"{s}-{k}", stock_code=s, id=len(rules) + 1,
                              stop_loss=rng.uniform(1, 50), take_profit=rng.uniform(150, 300)))
    return rules


def make_ticks(symbols: list[str], count: int, rng: random.Random) -> list[Tick]:
    t0 = datetime(2026, 3, 23, 1, 30, tzinfo=timezone.utc)
    return [Tick(rng.choice(symbols), t0 + timedelta(milliseconds=i), rng.uniform(60, 140)) for i in range(count)]


def naive(rules: list[Rule], ticks: list[Tick]) -> int:
    """What a first draft does: scan every rule for every tick."""
    fired = 0
    for tick in ticks:
        for rule in rules:
            if rule.stock_code != tick.symbol:
                continue
            if rule.stop_loss is not None and tick.price <= rule.stop_loss:
                fired += 1
            elif rule.take_profit is not None and tick.price >= rule.take_profit:
                fired += 1
    return fired


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", type=int, default=5000, help="about the size of 沪深A股")
    parser.add_argument("--rules-per-symbol", type=int, default=2)
    parser.add_argument("--ticks", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(7)
    symbols = [f"{600000 + i}.SH" for i in range(args.symbols)]
    rules = make_rules(symbols, args.rules_per_symbol, rng)
    ticks = make_ticks(symbols, args.ticks, rng)

    engine = RuleEngine(rules)
    start = time.perf_counter()
    for i in range(0, len(ticks), 500):  # batches as the feed bridge delivers them
        engine.on_ticks(ticks[i:i + 500])
    engine_s = time.perf_counter() - start

    sample = ticks[: max(1, args.ticks // 100)]  # the baseline is too slow for the full set
    start = time.perf_counter()
    naive(rules, sample)
    naive_s = (time.perf_counter() - start) * (len(ticks) / len(sample))

    print(f"rules: {len(rules):,} on {len(symbols):,} symbols; ticks: {len(ticks):,}")
    print(f"engine (symbol index): {len(ticks) / engine_s:>12,.0f} ticks/s  ({engine_s * 1e6 / len(ticks):.2f} µs/tick)")
    print(f"naive (scan all rules): {len(ticks) / naive_s:>11,.0f} ticks/s  (extrapolated from {len(sample):,} ticks)")
    print(f"ratio engine/naive: {naive_s / engine_s:,.0f}x")


if __name__ == "__main__":
    main()
