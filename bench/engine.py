"""Rule-engine speed: whole-market snapshots and replay throughput, against a plain loop.

Prints, for this machine:

1. whole-market snapshot: N symbols' prices in one batch against R active rules of
   mixed kinds and modes -> alerts; p50/p99 latency of the vectorised engine, for
   a columnar batch (how a QMT full-tick snapshot arrives) and for Tick objects;
2. the same snapshots through a straightforward per-tick, per-rule Python loop
   (rules found by symbol, each condition checked in Python), and the ratio;
3. replay throughput in bar*rules/s: the BTC/USDT month of 1-minute bars with 1,000
   rules, the engine as ``main.py replay`` runs it against the plain loop.

Usage: uv run python bench/engine.py [--symbols 5500] [--rules 20000] [--snapshots 60]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.models import Tick  # noqa: E402
from app.market.csv_bars import load_bars  # noqa: E402
from app.monitors.engine import PriceBatch, RuleEngine  # noqa: E402
from app.monitors.rules import Rule, validate_rule  # noqa: E402
from app.resources import RESOURCES_DIR  # noqa: E402

T0 = datetime(2026, 3, 23, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai


def make_rule(index: int, code: str, price: float, rng: random.Random, *, modes: bool = True) -> Rule:
    """One rule of a realistic mix; levels a few % away so a snapshot fires a few.
    ``modes`` False keeps every rule in ``once`` mode (what the plain loop implements)."""
    def away(pct: float) -> float:
        return round(price * (1 + pct / 100), 2)

    kind = index % 8
    fields: dict[str, object] = {"task_name": f"r{index}", "stock_code": code}
    if kind == 0:
        fields.update(stop_loss=away(-rng.uniform(2, 8)), take_profit=away(rng.uniform(2, 8)))
    elif kind == 1:
        fields.update(direction="short", stop_loss=away(rng.uniform(2, 8)),
                      take_profit=away(-rng.uniform(2, 8)))
    elif kind == 2:
        fields.update(entry_min=away(-6), entry_max=away(-3))
    elif kind == 3:
        fields.update(cross_level=away(rng.uniform(-3, 3)), trigger_mode="rearm", rearm_band_pct=0.5)
    elif kind == 4:
        fields.update(change_up_pct=rng.uniform(3, 9), change_down_pct=rng.uniform(3, 9),
                      trigger_mode="once_per_bar", bar_timeframe="5m")
    elif kind == 5:
        fields.update(trailing_pct=rng.uniform(2, 6), trailing_activation=away(1))
    elif kind == 6:
        fields.update(rebound_pct=rng.uniform(2, 6))
    else:
        fields.update(cost_price=price, take_profit_pct=5, stop_loss_pct=3,
                      trigger_mode="every_time", cooldown_s=60)
    if not modes:
        for name in ("trigger_mode", "rearm_band_pct", "bar_timeframe", "cooldown_s"):
            fields.pop(name, None)
    return validate_rule(fields).with_changes(id=index + 1)


class PlainLoop:
    """What a first implementation does: for each tick, for each rule of its symbol,
    check every condition in Python (same conditions as the engine, once mode)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.by_symbol: dict[str, list[dict]] = defaultdict(list)
        for rule in rules:
            self.by_symbol[rule.stock_code].append({"rule": rule, "fired": set(), "last": None,
                                                    "ext": None, "low": None})
        self.prev_close: dict[str, float] = {}

    def on_ticks(self, ticks: list[Tick]) -> int:
        fired = 0
        for tick in ticks:
            price = tick.price
            for state in self.by_symbol.get(tick.symbol, ()):
                fired += self._check(state, tick.symbol, price)
        return fired

    def _check(self, s: dict, code: str, price: float) -> int:
        rule: Rule = s["rule"]
        hits = 0
        tp, sl = rule.take_profit_level, rule.stop_loss_level
        short = rule.is_short
        if tp is not None and "tp" not in s["fired"] and (price <= tp if short else price >= tp):
            s["fired"].add("tp")
            hits += 1
        if sl is not None and "sl" not in s["fired"] and (price >= sl if short else price <= sl):
            s["fired"].add("sl")
            hits += 1
        if rule.has_entry and "entry" not in s["fired"]:
            low = rule.entry_min if rule.entry_min is not None else -math.inf
            high = rule.entry_max if rule.entry_max is not None else math.inf
            if low <= price <= high:
                s["fired"].add("entry")
                hits += 1
        if rule.cross_level is not None and s["last"] is not None:
            level = rule.cross_level
            if s["last"] < level <= price or s["last"] > level >= price:
                hits += 1
        s["last"] = price
        base = self.prev_close.get(code)
        if base is not None:
            if rule.change_up_pct is not None and price >= base * (1 + rule.change_up_pct / 100):
                hits += 1
            if rule.change_down_pct is not None and price <= base * (1 - rule.change_down_pct / 100):
                hits += 1
        if rule.has_trailing_stop and "trail" not in s["fired"]:
            act = rule.trailing_activation
            if s["ext"] is None:
                if act is None or price >= act:
                    s["ext"] = price
            elif price <= s["ext"] * (1 - (rule.trailing_pct or 0) / 100):
                s["fired"].add("trail")
                hits += 1
            else:
                s["ext"] = max(s["ext"], price)
        if rule.has_trailing_entry and "rebound" not in s["fired"]:
            if s["low"] is None:
                s["low"] = price
            elif price >= s["low"] * (1 + (rule.rebound_pct or 0) / 100):
                s["fired"].add("rebound")
                hits += 1
            else:
                s["low"] = min(s["low"], price)
        return hits


def snapshot_bench(n_symbols: int, n_rules: int, snapshots: int) -> None:
    rng = random.Random(7)
    symbols = [f"{600000 + i}.SH" for i in range(n_symbols)]
    base = np.array([rng.uniform(5, 200) for _ in symbols])
    rules = [make_rule(i, symbols[i % n_symbols], float(base[i % n_symbols]), rng)
             for i in range(n_rules)]
    t_build = time.perf_counter()
    engine = RuleEngine(rules)
    slots = engine.slots(symbols)
    engine.evaluate(PriceBatch.from_ticks([]))
    build_s = time.perf_counter() - t_build
    loop = PlainLoop(rules)

    walk = base.copy()
    np_rng = np.random.default_rng(7)
    columnar, objects, alerts, loop_times = [], [], 0, []
    for k in range(snapshots):
        walk = walk * (1 + np_rng.normal(0, 0.001, n_symbols))
        prices = np.round(walk, 2)
        when = T0 + timedelta(seconds=3 * k)
        epoch = np.full(n_symbols, when.timestamp())
        batch = PriceBatch(symbols=symbols, epoch=epoch, open=prices, high=prices, low=prices,
                           close=prices, times=[when] * n_symbols, is_tick=True)
        start = time.perf_counter()
        result = engine.evaluate(batch)
        columnar.append(time.perf_counter() - start)
        alerts += len(result.alerts)
        ticks = [Tick(code, when, float(p)) for code, p in zip(symbols, prices.tolist(), strict=True)]
        start = time.perf_counter()
        loop.on_ticks(ticks)
        loop_times.append(time.perf_counter() - start)
    # the same snapshots again through on_ticks (Tick objects converted each time)
    engine2 = RuleEngine(rules)
    walk = base.copy()
    np_rng = np.random.default_rng(7)
    for k in range(snapshots):
        walk = walk * (1 + np_rng.normal(0, 0.001, n_symbols))
        when = T0 + timedelta(seconds=3 * k)
        ticks = [Tick(code, when, float(p)) for code, p in zip(symbols, np.round(walk, 2).tolist(), strict=True)]
        start = time.perf_counter()
        engine2.on_ticks(ticks)
        objects.append(time.perf_counter() - start)
    del slots

    def ms(values: list[float], q: float) -> float:
        return float(np.quantile(values, q)) * 1000

    print(f"== whole-market snapshot: {n_symbols:,} symbols x {n_rules:,} rules "
          f"(8 kinds, 4 modes), {snapshots} snapshots, {alerts:,} alerts; engine built in {build_s:.2f} s")
    print(f"engine, columnar batch : p50 {ms(columnar, .5):7.2f} ms   p99 {ms(columnar, .99):7.2f} ms")
    print(f"engine, Tick objects   : p50 {ms(objects, .5):7.2f} ms   p99 {ms(objects, .99):7.2f} ms")
    print(f"plain per-rule loop    : p50 {ms(loop_times, .5):7.2f} ms   p99 {ms(loop_times, .99):7.2f} ms")
    print(f"ratio loop/engine (p50): {statistics.median(loop_times) / statistics.median(columnar):,.1f}x "
          f"columnar, {statistics.median(loop_times) / statistics.median(objects):,.1f}x Tick objects")


def replay_bench(n_rules: int, bar_limit: int | None) -> None:
    path = RESOURCES_DIR / "data" / "BTCUSDT_1m_2025-03.csv"
    bars = load_bars(path, "BTC/USDT", default_tz=None)
    if bar_limit:
        bars = bars[:bar_limit]
    rng = random.Random(11)
    first = bars[0].close
    rules = [make_rule(i, "BTC/USDT", first * rng.uniform(0.85, 1.15), rng, modes=False).with_changes(id=None)
             for i in range(n_rules)]
    start = time.perf_counter()
    alerts = RuleEngine(rules).on_bars(bars).alerts
    engine_s = time.perf_counter() - start
    loop = PlainLoop(rules)
    sample = bars[: max(200, len(bars) // 20)]  # the loop is too slow for the whole month
    ticks = [Tick(b.symbol, b.time, b.close) for b in sample]
    start = time.perf_counter()
    for tick in ticks:
        loop.on_ticks([tick])
    loop_s = (time.perf_counter() - start) * len(bars) / len(sample)
    work = len(bars) * n_rules
    print(f"== replay: BTC/USDT {len(bars):,} 1m bars x {n_rules:,} rules, {len(alerts):,} alerts")
    print(f"engine (main.py replay): {work / engine_s:>14,.0f} bar*rules/s  ({engine_s:.1f} s)")
    print(f"plain per-rule loop    : {work / loop_s:>14,.0f} bar*rules/s  (extrapolated from {len(sample):,} bars)")
    print(f"ratio engine/loop      : {loop_s / engine_s:,.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", type=int, default=5500, help="about the size of 沪深A股")
    parser.add_argument("--rules", type=int, default=20_000)
    parser.add_argument("--snapshots", type=int, default=60)
    parser.add_argument("--replay-rules", type=int, default=1000)
    parser.add_argument("--replay-bars", type=int, default=0, help="limit bars (0 = whole month)")
    args = parser.parse_args()
    snapshot_bench(args.symbols, args.rules, args.snapshots)
    replay_bench(args.replay_rules, args.replay_bars or None)


if __name__ == "__main__":
    main()



