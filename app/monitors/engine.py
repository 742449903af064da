"""The rule engine: decides, for each price, which rules fire.

One engine serves the live GUI (ticks), backfilled data and the headless replay
command (bars), so what a trader tests in replay is exactly what runs live.
The engine is pure and in-memory: it returns the alerts and the rules whose
state changed, and the caller persists both in one transaction before telling
anybody (see ``app.services.monitoring``).

Semantics (documented for users in docs/alerts.md):

Ticks — stop-loss fires when price <= stop_loss; take-profit when price >=
take_profit; entry when entry_min <= price <= entry_max (a missing bound is
open-ended). Each kind fires at most once per rule; entry is reported before an
exit caused by the same price; after an exit the rule is ``triggered``.

Bars — in time order: stop-loss on the first bar with low <= SL at
min(open, SL); take-profit on the first bar with high >= TP at max(open, TP);
a bar reaching both reports only the stop-loss; entry on the first bar whose
low..high meets the zone, at the open clipped into the zone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.core.models import AlertFired, AlertKind, AlertSource, Bar, TaskStatus, Tick
from app.monitors.rules import Rule
from app.monitors.sessions import is_trading_time, to_market_time


@dataclass(slots=True)
class _Armed:
    """Runtime state of one running rule (what it has seen and fired)."""

    rule: Rule
    fired: set[AlertKind]
    watched: frozenset[AlertKind]
    last_price: float | None = None
    last_checked: datetime | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one batch of prices did: alerts in firing order, and the rules whose
    persisted state (status, fired kinds) changed because of them."""

    alerts: list[AlertFired] = field(default_factory=list)
    changed: list[Rule] = field(default_factory=list)


class RuleEngine:
    """Evaluates running rules against ticks or bars, indexed by symbol."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._by_key: dict[int, _Armed] = {}
        self._by_symbol: dict[str, list[_Armed]] = {}
        self._next_anonymous = -1
        self.load(rules)

    # ----- rule set -------------------------------------------------------
    def load(self, rules: Iterable[Rule]) -> None:
        """Replace all rules (e.g. after reading them from the database)."""
        self._by_key.clear()
        self._by_symbol.clear()
        for rule in rules:
            self.upsert(rule)

    def upsert(self, rule: Rule) -> None:
        """Add or replace one rule. Replacing restarts its tracking (it has seen no price)."""
        key = rule.id if rule.id is not None else self._anonymous_key()
        self.remove(key)
        armed = _Armed(rule=rule, fired=set(rule.fired), watched=rule.watched_kinds)
        self._by_key[key] = armed
        self._by_symbol.setdefault(rule.stock_code, []).append(armed)

    def remove(self, rule_id: int) -> None:
        armed = self._by_key.pop(rule_id, None)
        if armed is None:
            return
        siblings = self._by_symbol.get(armed.rule.stock_code, [])
        siblings[:] = [a for a in siblings if a is not armed]
        if not siblings:
            self._by_symbol.pop(armed.rule.stock_code, None)

    def rules(self) -> list[Rule]:
        return [armed.rule for armed in self._by_key.values()]

    def _anonymous_key(self) -> int:
        """Rules without a database id (replay) get negative keys that never clash."""
        key = self._next_anonymous
        self._next_anonymous -= 1
        return key

    # ----- evaluation -----------------------------------------------------
    def on_ticks(self, ticks: Iterable[Tick], source: AlertSource = AlertSource.LIVE) -> Evaluation:
        result = Evaluation()
        changed: dict[int, Rule] = {}
        for tick in ticks:
            for armed in self._by_symbol.get(tick.symbol, ()):
                self._evaluate_tick(armed, tick, source, result.alerts, changed)
        result.changed.extend(changed.values())
        return result

    def on_bars(self, bars: Iterable[Bar], source: AlertSource = AlertSource.REPLAY) -> Evaluation:
        result = Evaluation()
        changed: dict[int, Rule] = {}
        for bar in bars:
            for armed in self._by_symbol.get(bar.symbol, ()):
                self._evaluate_bar(armed, bar, source, result.alerts, changed)
        result.changed.extend(changed.values())
        return result

    def _evaluate_tick(
        self,
        armed: _Armed,
        tick: Tick,
        source: AlertSource,
        out: list[AlertFired],
        changed: dict[int, Rule],
    ) -> None:
        rule = armed.rule
        if rule.status is not TaskStatus.RUNNING or not _usable_price(tick.price):
            return
        if self._expired(armed, tick.time, changed):
            return
        if rule.trading_hours_only and not is_trading_time(rule.stock_code, tick.time):
            return
        if rule.check_interval > 0 and armed.last_checked is not None:
            if (tick.time - armed.last_checked).total_seconds() < rule.check_interval:
                return
        armed.last_checked = tick.time
        price = tick.price
        hits: list[tuple[AlertKind, float, float]] = []
        if self._can_fire(armed, AlertKind.ENTRY) and _in_zone(rule, price, price):
            hits.append((AlertKind.ENTRY, price, _zone_level(rule, price)))
        if self._can_fire(armed, AlertKind.STOP_LOSS) and price <= rule.stop_loss:  # type: ignore[operator]
            hits.append((AlertKind.STOP_LOSS, price, rule.stop_loss))  # type: ignore[arg-type]
        elif self._can_fire(armed, AlertKind.TAKE_PROFIT) and price >= rule.take_profit:  # type: ignore[operator]
            hits.append((AlertKind.TAKE_PROFIT, price, rule.take_profit))  # type: ignore[arg-type]
        self._fire(armed, hits, tick.time, source, out, changed)
        armed.last_price = price

    def _evaluate_bar(
        self,
        armed: _Armed,
        bar: Bar,
        source: AlertSource,
        out: list[AlertFired],
        changed: dict[int, Rule],
    ) -> None:
        rule = armed.rule
        if rule.status is not TaskStatus.RUNNING:
            return
        if self._expired(armed, bar.time, changed):
            return
        if rule.trading_hours_only and not is_trading_time(rule.stock_code, bar.time):
            return
        hits: list[tuple[AlertKind, float, float]] = []
        if self._can_fire(armed, AlertKind.ENTRY) and _in_zone(rule, bar.low, bar.high):
            low = rule.entry_min if rule.entry_min is not None else -math.inf
            high = rule.entry_max if rule.entry_max is not None else math.inf
            fill = min(max(bar.open, low), high)
            hits.append((AlertKind.ENTRY, fill, _zone_level(rule, fill)))
        if self._can_fire(armed, AlertKind.STOP_LOSS) and bar.low <= rule.stop_loss:  # type: ignore[operator]
            sl = rule.stop_loss
            hits.append((AlertKind.STOP_LOSS, min(bar.open, sl), sl))  # type: ignore[arg-type, type-var]
        elif self._can_fire(armed, AlertKind.TAKE_PROFIT) and bar.high >= rule.take_profit:  # type: ignore[operator]
            tp = rule.take_profit
            hits.append((AlertKind.TAKE_PROFIT, max(bar.open, tp), tp))  # type: ignore[arg-type, type-var]
        self._fire(armed, hits, bar.time, source, out, changed)
        armed.last_price = bar.close

    @staticmethod
    def _expired(armed: _Armed, when: datetime, changed: dict[int, Rule]) -> bool:
        """A price after the rule's validity ends it (status ``expired``) instead of firing.

        A price exactly at ``valid_until`` (e.g. the 15:00 closing print of a 当日有效
        rule) still counts.
        """
        rule = armed.rule
        if rule.valid_until is None or to_market_time(rule.stock_code, when) <= rule.valid_until:
            return False
        armed.rule = rule.with_changes(status=TaskStatus.EXPIRED)
        if rule.id is not None:
            changed[rule.id] = armed.rule
        return True

    @staticmethod
    def _can_fire(armed: _Armed, kind: AlertKind) -> bool:
        return kind in armed.watched and kind not in armed.fired

    def _fire(
        self,
        armed: _Armed,
        hits: list[tuple[AlertKind, float, float]],
        when: datetime,
        source: AlertSource,
        out: list[AlertFired],
        changed: dict[int, Rule],
    ) -> None:
        if not hits:
            return
        rule = armed.rule
        for kind, price, level in hits:
            armed.fired.add(kind)
            out.append(
                AlertFired(
                    task_id=rule.id,
                    task_name=rule.task_name,
                    stock_code=rule.stock_code,
                    kind=kind,
                    time=when,
                    price=price,
                    level=level,
                    prev_price=armed.last_price,
                    source=source,
                )
            )
        exited = bool(armed.fired & {AlertKind.STOP_LOSS, AlertKind.TAKE_PROFIT})
        finished = exited or armed.fired >= armed.watched
        status = TaskStatus.TRIGGERED if finished else rule.status
        armed.rule = rule.with_changes(status=status, fired=frozenset(armed.fired))
        if rule.id is not None:
            changed[rule.id] = armed.rule


def _usable_price(price: float) -> bool:
    """Last line of defence: a non-finite or non-positive price never fires anything."""
    return math.isfinite(price) and price > 0


def _in_zone(rule: Rule, low: float, high: float) -> bool:
    """Does the price range low..high touch the entry zone (open-ended where unset)?"""
    if rule.entry_min is not None and high < rule.entry_min:
        return False
    if rule.entry_max is not None and low > rule.entry_max:
        return False
    return True


def _zone_level(rule: Rule, price: float) -> float:
    """The zone bound nearest the fill price: the level a trader reads on the receipt."""
    bounds = [b for b in (rule.entry_min, rule.entry_max) if b is not None]
    return min(bounds, key=lambda b: abs(b - price))
