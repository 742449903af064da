"""A slow, plain reference evaluator of the rule-engine contract (issue 3).

Written straight from the written contract (the "Rule engine semantics" spec), one price
and one rule at a time, for clarity and not for speed. The property tests in
``tests/test_engine_properties.py`` compare ``app.monitors.engine.RuleEngine`` against it.
It deliberately does not import the engine.

Conventions taken where the contract leaves a choice (each is one named constant or one
short function, so it is easy to see and to change):

* A tick is a bar with open = high = low = close = price; one code path serves both.
* "If stop_loss and take_profit both hit on one bar, take_profit is dropped": the target is
  dropped only when the stop-loss fires on that bar; a stop that cannot fire then (cooldown,
  its bar, disarmed) does not hide the target (the reading docs/alerts.md settled on; see
  ``STOP_RANGE_DROPS_TARGET`` for the literal range reading).
* The runaway guard counts the rule's alerts whose time is less than ``RUNAWAY_WINDOW_S``
  seconds before the current price (``now - t < window``; an alert exactly 180 s earlier is
  no longer counted unless ``RUNAWAY_WINDOW_INCLUSIVE``), the current alert included. The
  alert that makes the count exceed the limit is reported, then the rule is paused; the
  rest of that price reports nothing more.
* The previous close derived from the feed is the close of the last valid price the engine
  saw (whichever rule could see it) on an earlier market date than the current price. A
  previous close given by ``set_previous_close`` wins over the derived one (the tests
  never mix the two with a change of day, where the contract does not say which wins).
* Re-arm thresholds are fixed when the condition fires, from its range at that moment.
* A price after ``valid_until`` expires the rule before the trading-hours and check-interval
  filters are applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.core.models import (
    AlertFired,
    AlertKind,
    AlertSource,
    Bar,
    CrossDirection,
    TaskStatus,
    Tick,
    TriggerMode,
)
from app.market.timeframes import bar_window
from app.monitors.rules import Rule
from app.monitors.sessions import is_trading_time, to_market_time

INF = math.inf
RUNAWAY_LIMIT = 15
RUNAWAY_WINDOW_S = 180.0
RUNAWAY_WINDOW_INCLUSIVE = False
#: "If stop_loss and take_profit both hit on one bar, take_profit is dropped": True reads
#: "hit" as the contract defines it (the bar meets the stop's range); False would drop the
#: target only when the stop actually fires on that bar.
STOP_RANGE_DROPS_TARGET = False

#: The conditions of a rule in the order the contract reports them for one price.
#: ``cross`` is one condition that reports ``cross_up`` or ``cross_down``.
CONDITION_ORDER = (
    "entry",
    "trailing_entry",
    "cross",
    "change_up",
    "change_down",
    "stop_loss",
    "trailing_stop",
    "take_profit",
)


@dataclass(frozen=True)
class Price:
    """One price as the rule sees it (a tick has open = high = low = close)."""

    time: datetime
    open: float
    high: float
    low: float
    close: float
    is_tick: bool


@dataclass
class Condition:
    """Everything one condition of one rule remembers."""

    name: str
    fired: bool = False  # once
    next_allowed: float = -INF  # once_per_bar / every_time: epoch seconds
    armed: bool = True  # rearm
    rearm_below: float = -INF  # rearm: re-arms when low < rearm_below ...
    rearm_above: float = INF  # ... or high > rearm_above
    active: bool = False  # trailing: activated?
    extreme: float | None = None  # trailing: E


@dataclass
class RuleRun:
    """One rule being watched."""

    rule: Rule
    status: TaskStatus
    conditions: list[Condition]
    fired_kinds: set[AlertKind] = field(default_factory=set)
    prev: float | None = None  # the close of the previous price this rule evaluated
    last_evaluated: datetime | None = None
    fire_times: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A condition's range for the current price: fires when [low, high] meets [lo, hi]."""

    kind: AlertKind
    lo: float
    hi: float
    level: float | None  # None: the entry zone, whose level depends on the alert price


def configured_conditions(rule: Rule) -> list[str]:
    """The rule's conditions, in reporting order."""
    present = {
        "entry": rule.has_entry,
        "trailing_entry": rule.has_trailing_entry,
        "cross": rule.cross_level is not None,
        "change_up": rule.change_up_pct is not None,
        "change_down": rule.change_down_pct is not None,
        "stop_loss": rule.stop_loss_level is not None,
        "trailing_stop": rule.has_trailing_stop,
        "take_profit": rule.take_profit_level is not None,
    }
    return [name for name in CONDITION_ORDER if present[name]]


def usable(price: float) -> bool:
    return math.isfinite(price) and price > 0


class ReferenceEngine:
    """Feeds prices to every rule, one rule and one price at a time."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.runs: list[RuleRun] = []
        for rule in rules:
            if rule.fired or rule.state not in ("", "{}"):
                raise ValueError("the reference only starts rules from scratch")
            conditions = [Condition(name) for name in configured_conditions(rule)]
            self.runs.append(RuleRun(rule=rule, status=rule.status, conditions=conditions))
        self._given_close: dict[str, float] = {}
        self._derived_close: dict[str, float] = {}
        self._last_seen: dict[str, tuple[object, float]] = {}  # symbol -> (market date, close)

    # ----- feed -----------------------------------------------------------
    def set_previous_close(self, symbol: str, price: float) -> None:
        self._given_close[symbol] = price

    def on_ticks(self, ticks: Iterable[Tick], source: AlertSource = AlertSource.LIVE) -> list[AlertFired]:
        alerts: list[AlertFired] = []
        for tick in ticks:
            price = Price(tick.time, tick.price, tick.price, tick.price, tick.price, is_tick=True)
            alerts.extend(self._feed(tick.symbol, price, source))
        return alerts

    def on_bars(self, bars: Iterable[Bar], source: AlertSource = AlertSource.REPLAY) -> list[AlertFired]:
        alerts: list[AlertFired] = []
        for bar in bars:
            price = Price(bar.time, bar.open, bar.high, bar.low, bar.close, is_tick=False)
            alerts.extend(self._feed(bar.symbol, price, source))
        return alerts

    def statuses(self) -> dict[str, TaskStatus]:
        return {run.rule.task_name: run.status for run in self.runs}

    def _feed(self, symbol: str, price: Price, source: AlertSource) -> list[AlertFired]:
        if not all(usable(p) for p in (price.open, price.high, price.low, price.close)):
            return []  # invisible to everybody, and not a close either
        previous_close = self._previous_close(symbol, price)
        alerts: list[AlertFired] = []
        for run in self.runs:
            if run.rule.stock_code == symbol:
                alerts.extend(evaluate(run, price, previous_close, source))
        return alerts

    def _previous_close(self, symbol: str, price: Price) -> float | None:
        """P for this price: the feed's if given, else the last close of an earlier day."""
        day = to_market_time(symbol, price.time).date()
        last = self._last_seen.get(symbol)
        if last is not None and last[0] < day:  # type: ignore[operator]
            self._derived_close[symbol] = last[1]
        self._last_seen[symbol] = (day, price.close)
        if symbol in self._given_close:
            return self._given_close[symbol]
        return self._derived_close.get(symbol)


# ----- one price, one rule --------------------------------------------------

def evaluate(run: RuleRun, price: Price, previous_close: float | None,
             source: AlertSource) -> list[AlertFired]:
    """Everything one rule does with one (valid) price; returns the alerts it reports."""
    rule = run.rule
    if run.status is not TaskStatus.RUNNING:
        return []
    if rule.valid_until is not None and price.time > rule.valid_until:
        run.status = TaskStatus.EXPIRED
        return []
    if rule.trading_hours_only and not is_trading_time(rule.stock_code, price.time):
        return []
    if price.is_tick and rule.check_interval > 0 and run.last_evaluated is not None:
        if (price.time - run.last_evaluated).total_seconds() < rule.check_interval:
            return []
    run.last_evaluated = price.time

    # Re-arming (rearm mode): only a later price than the firing one gets here, and the
    # re-arming price itself never fires the condition.
    rearmed_now: set[str] = set()
    if rule.trigger_mode is TriggerMode.REARM:
        for cond in run.conditions:
            if not cond.armed and (price.low < cond.rearm_below or price.high > cond.rearm_above):
                cond.armed = True
                rearmed_now.add(cond.name)
                if cond.name in ("trailing_stop", "trailing_entry"):
                    cond.active = False  # tracking restarts; this price is its first
                    cond.extreme = None

    # Which conditions this price hits, in reporting order.
    hits: list[tuple[Condition, Target]] = []
    stop_loss_hit = False
    for cond in run.conditions:
        target = target_of(run, cond, previous_close)
        if target is None or not (price.low <= target.hi and price.high >= target.lo):
            continue
        if cond.name == "stop_loss" and STOP_RANGE_DROPS_TARGET:
            stop_loss_hit = True
        if cond.name in rearmed_now or not may_fire(run, cond, price):
            continue
        hits.append((cond, target))
        if cond.name == "stop_loss":
            stop_loss_hit = True
    if stop_loss_hit:  # assume the worse: the stop came first
        hits = [(cond, target) for cond, target in hits if cond.name != "take_profit"]

    alerts: list[AlertFired] = []
    once = rule.trigger_mode is TriggerMode.ONCE
    exited = False
    for cond, target in hits:
        if once and exited and target.kind.is_exit:
            continue  # the first exit reported ended the rule
        fill = min(max(price.open, target.lo), target.hi)
        level = target.level if target.level is not None else zone_level(rule, fill)
        alerts.append(AlertFired(
            task_id=rule.id, task_name=rule.task_name, stock_code=rule.stock_code,
            kind=target.kind, time=price.time, price=fill, level=level,
            prev_price=run.prev, source=source,
        ))
        mark_fired(run, cond, target, price)
        exited = exited or target.kind.is_exit
        if runaway(run, price.time):
            run.status = TaskStatus.PAUSED
            break
    if once and run.status is TaskStatus.RUNNING:
        done = rule.with_changes(fired=frozenset(run.fired_kinds)).conditions_done
        if exited or done:
            run.status = TaskStatus.TRIGGERED

    # Tracking after the price was evaluated: prev, trailing activation and extremes.
    run.prev = price.close
    for cond in run.conditions:
        if cond.name in ("trailing_stop", "trailing_entry") and cond.armed:
            track(rule, cond, price)
    return alerts


def target_of(run: RuleRun, cond: Condition, previous_close: float | None) -> Target | None:
    """The condition's range for the current price, or None when it cannot apply."""
    rule = run.rule
    short = rule.is_short
    name = cond.name
    if name == "entry":
        lo = rule.entry_min if rule.entry_min is not None else -INF
        hi = rule.entry_max if rule.entry_max is not None else INF
        return Target(AlertKind.ENTRY, lo, hi, None)
    if name == "take_profit":
        tp = rule.take_profit_level
        assert tp is not None
        return Target(AlertKind.TAKE_PROFIT, -INF, tp, tp) if short else Target(AlertKind.TAKE_PROFIT, tp, INF, tp)
    if name == "stop_loss":
        sl = rule.stop_loss_level
        assert sl is not None
        return Target(AlertKind.STOP_LOSS, sl, INF, sl) if short else Target(AlertKind.STOP_LOSS, -INF, sl, sl)
    if name == "cross":
        level = rule.cross_level
        assert level is not None
        if run.prev is None:
            return None  # no previous price: never a crossing
        up_ok = rule.cross_direction in (CrossDirection.UP, CrossDirection.EITHER)
        down_ok = rule.cross_direction in (CrossDirection.DOWN, CrossDirection.EITHER)
        if run.prev < level and up_ok:
            return Target(AlertKind.CROSS_UP, level, INF, level)
        if run.prev > level and down_ok:
            return Target(AlertKind.CROSS_DOWN, -INF, level, level)
        return None
    if name == "change_up":
        if previous_close is None:
            return None
        assert rule.change_up_pct is not None
        level = previous_close * (1 + rule.change_up_pct / 100)
        return Target(AlertKind.CHANGE_UP, level, INF, level)
    if name == "change_down":
        if previous_close is None:
            return None
        assert rule.change_down_pct is not None
        level = previous_close * (1 - rule.change_down_pct / 100)
        return Target(AlertKind.CHANGE_DOWN, -INF, level, level)
    if name == "trailing_stop":
        if not cond.active or cond.extreme is None:
            return None
        e = cond.extreme
        if short:  # E is the lowest price; stop above it
            stop = e * (1 + rule.trailing_pct / 100) if rule.trailing_pct is not None else e + rule.trailing_amount  # type: ignore[operator]
            return Target(AlertKind.TRAILING_STOP, stop, INF, stop)
        stop = e * (1 - rule.trailing_pct / 100) if rule.trailing_pct is not None else e - rule.trailing_amount  # type: ignore[operator]
        return Target(AlertKind.TRAILING_STOP, -INF, stop, stop)
    if name == "trailing_entry":
        if not cond.active or cond.extreme is None:
            return None
        e = cond.extreme
        if short:  # E is the highest price; enter short on the fall from it
            rebound = e * (1 - rule.rebound_pct / 100) if rule.rebound_pct is not None else e - rule.rebound_amount  # type: ignore[operator]
            return Target(AlertKind.TRAILING_ENTRY, -INF, rebound, rebound)
        rebound = e * (1 + rule.rebound_pct / 100) if rule.rebound_pct is not None else e + rule.rebound_amount  # type: ignore[operator]
        return Target(AlertKind.TRAILING_ENTRY, rebound, INF, rebound)
    raise AssertionError(name)


def may_fire(run: RuleRun, cond: Condition, price: Price) -> bool:
    """Does the trigger mode let this condition fire now?"""
    mode = run.rule.trigger_mode
    if mode is TriggerMode.ONCE:
        return not cond.fired
    if mode is TriggerMode.REARM:
        return cond.armed
    return price.time.timestamp() >= cond.next_allowed  # once_per_bar, every_time


def mark_fired(run: RuleRun, cond: Condition, target: Target, price: Price) -> None:
    rule = run.rule
    run.fired_kinds.add(target.kind)
    run.fire_times.append(price.time)
    now = price.time.timestamp()
    mode = rule.trigger_mode
    if mode is TriggerMode.ONCE:
        cond.fired = True
    elif mode is TriggerMode.ONCE_PER_BAR:
        cond.next_allowed = bar_window(rule.stock_code, rule.bar_timeframe, now)[1]
    elif mode is TriggerMode.EVERY_TIME:
        cond.next_allowed = now + rule.cooldown_s
    else:  # rearm: disarmed until a later price is beyond the range by the band
        lo, hi = target.lo, target.hi
        if cond.name == "cross" and rule.cross_direction is CrossDirection.EITHER:
            lo = hi = rule.cross_level  # type: ignore[assignment]
        cond.armed = False
        cond.rearm_below = lo - band(rule, lo) if math.isfinite(lo) else -INF
        cond.rearm_above = hi + band(rule, hi) if math.isfinite(hi) else INF


def band(rule: Rule, bound: float) -> float:
    if rule.rearm_band is not None:
        return rule.rearm_band
    if rule.rearm_band_pct is not None:
        return bound * rule.rearm_band_pct / 100
    return 0.0


def runaway(run: RuleRun, now: datetime) -> bool:
    """More than RUNAWAY_LIMIT alerts within the last RUNAWAY_WINDOW_S seconds?"""
    def recent(when: datetime) -> bool:
        age = (now - when).total_seconds()
        return age < RUNAWAY_WINDOW_S or (RUNAWAY_WINDOW_INCLUSIVE and age == RUNAWAY_WINDOW_S)

    run.fire_times = [when for when in run.fire_times if recent(when)]  # older ones never count again
    return len(run.fire_times) > RUNAWAY_LIMIT


def track(rule: Rule, cond: Condition, price: Price) -> None:
    """Fold the evaluated price into a trailing condition (activation, then extreme E)."""
    if cond.name == "trailing_stop":
        activation = rule.trailing_activation
        use_highs = not rule.is_short  # long stop trails the highest price
    else:
        activation = rule.rebound_activation
        use_highs = rule.is_short  # long entry trails the lowest price
    if not cond.active:
        if activation is None:
            cond.active = True
        elif use_highs and price.high >= activation:
            cond.active = True
        elif not use_highs and price.low <= activation:
            cond.active = True
        if not cond.active:
            return
        cond.extreme = price.high if use_highs else price.low
        return
    assert cond.extreme is not None
    cond.extreme = max(cond.extreme, price.high) if use_highs else min(cond.extreme, price.low)


def zone_level(rule: Rule, fill: float) -> float:
    """The zone bound nearest the alert price (the lower one on a tie)."""
    bounds = [b for b in (rule.entry_min, rule.entry_max) if b is not None]
    return min(bounds, key=lambda b: abs(b - fill))
