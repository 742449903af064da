"""A rule's conditions as price ranges, and the tracking state each one carries.

Every condition a trader can set reduces to one question: does the price (or a
bar's low..high) meet a range [lo, hi]? A long take-profit is [TP, +inf), a
stop-loss (-inf, SL], an entry zone [min, max], a crossing up [L, +inf) with the
previous price below L, a trailing stop (-inf, S] whose S follows the highest
price. Reducing them all to ranges is what lets the engine test thousands of
rules with a handful of numpy operations, and gives bars one rule for the alert
price: the bar's open clipped into the range.

This module turns a ``Rule`` into those condition specs and (de)serialises the
per-condition tracking state kept in ``Rule.state``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.models import AlertKind, CrossDirection
from app.monitors.rules import Rule

INF = math.inf
NAN = math.nan

#: Report order within one price: entries before exits (the trader reads "entered"
#: before "stopped out"), stops before targets (a bar reaching both counts as a stop).
KIND_ORDER: tuple[AlertKind, ...] = (
    AlertKind.ENTRY,
    AlertKind.TRAILING_ENTRY,
    AlertKind.CROSS_UP,
    AlertKind.CROSS_DOWN,
    AlertKind.CHANGE_UP,
    AlertKind.CHANGE_DOWN,
    AlertKind.STOP_LOSS,
    AlertKind.TRAILING_STOP,
    AlertKind.TAKE_PROFIT,
)
KIND_CODE: dict[AlertKind, int] = {kind: code for code, kind in enumerate(KIND_ORDER)}
CROSS_KINDS = frozenset({AlertKind.CROSS_UP, AlertKind.CROSS_DOWN})

STATE_VERSION = 1


@dataclass(slots=True)
class ConditionSpec:
    """One condition of one rule, ready to become a row of the engine's arrays.

    ``cross``: +1 also needs the previous price below ``lo``, -1 above ``hi``.
    ``trail``: +1 follows the highest price and fires at or below ``hi`` = ext*mul+add;
    -1 follows the lowest and fires at or above ``lo`` = ext*mul+add.
    ``change``: +1 ``lo`` = previous close*mul; -1 ``hi`` = previous close*mul.
    """

    kind: AlertKind
    lo: float = -INF
    hi: float = INF
    cross: int = 0
    trail: int = 0
    change: int = 0
    mul: float = 1.0
    add: float = 0.0
    activation: float = NAN


def condition_specs(rule: Rule) -> list[ConditionSpec]:
    """The conditions a rule watches, in report order."""
    specs: list[ConditionSpec] = []
    short = rule.is_short
    if rule.has_entry:
        specs.append(
            ConditionSpec(
                AlertKind.ENTRY,
                lo=rule.entry_min if rule.entry_min is not None else -INF,
                hi=rule.entry_max if rule.entry_max is not None else INF,
            )
        )
    if rule.has_trailing_entry:
        specs.append(_trailing(AlertKind.TRAILING_ENTRY, rule.rebound_activation,
                               rule.rebound_pct, rule.rebound_amount, follow_high=short))
    if rule.cross_level is not None:
        level = rule.cross_level
        if rule.cross_direction in (CrossDirection.UP, CrossDirection.EITHER):
            specs.append(ConditionSpec(AlertKind.CROSS_UP, lo=level, cross=1))
        if rule.cross_direction in (CrossDirection.DOWN, CrossDirection.EITHER):
            specs.append(ConditionSpec(AlertKind.CROSS_DOWN, hi=level, cross=-1))
    if rule.change_up_pct is not None:
        specs.append(ConditionSpec(AlertKind.CHANGE_UP, lo=NAN, change=1,
                                   mul=1.0 + rule.change_up_pct / 100.0))
    if rule.change_down_pct is not None:
        specs.append(ConditionSpec(AlertKind.CHANGE_DOWN, hi=NAN, change=-1,
                                   mul=1.0 - rule.change_down_pct / 100.0))
    stop = rule.stop_loss_level
    if stop is not None:
        specs.append(ConditionSpec(AlertKind.STOP_LOSS, lo=stop) if short
                     else ConditionSpec(AlertKind.STOP_LOSS, hi=stop))
    if rule.has_trailing_stop:
        specs.append(_trailing(AlertKind.TRAILING_STOP, rule.trailing_activation,
                               rule.trailing_pct, rule.trailing_amount, follow_high=not short))
    target = rule.take_profit_level
    if target is not None:
        specs.append(ConditionSpec(AlertKind.TAKE_PROFIT, hi=target) if short
                     else ConditionSpec(AlertKind.TAKE_PROFIT, lo=target))
    return specs


def _trailing(
    kind: AlertKind, activation: float | None, pct: float | None, amount: float | None,
    *, follow_high: bool,
) -> ConditionSpec:
    """A trailing condition; inactive (NaN bound, never met) until activated."""
    act = activation if activation is not None else NAN
    if follow_high:  # fires on a fall from the highest price
        mul, add = (1.0 - pct / 100.0, 0.0) if pct is not None else (1.0, -(amount or 0.0))
        return ConditionSpec(kind, hi=NAN, trail=1, mul=mul, add=add, activation=act)
    mul, add = (1.0 + pct / 100.0, 0.0) if pct is not None else (1.0, amount or 0.0)
    return ConditionSpec(kind, lo=NAN, trail=-1, mul=mul, add=add, activation=act)


def rearm_band(rule: Rule, bound: float) -> float:
    """The hysteresis a ``rearm`` rule needs beyond ``bound`` before it can fire again."""
    if not math.isfinite(bound):
        return 0.0
    if rule.rearm_band is not None:
        return rule.rearm_band
    if rule.rearm_band_pct is not None:
        return abs(bound) * rule.rearm_band_pct / 100.0
    return 0.0


# ----- persisted tracking state ---------------------------------------------------
@dataclass(slots=True)
class ConditionState:
    """What one condition has seen (restored after a restart)."""

    side: int | None = None  # crossing: -1 last price below the level, 0 at, +1 above
    active: bool = False  # trailing: activated
    extreme: float | None = None  # trailing: highest (or lowest) price since activation
    next_allowed: float | None = None  # epoch s before which it may not fire again
    rearm: tuple[float, float] | None = None  # disarmed until price < [0] or > [1]


@dataclass(slots=True)
class RuleState:
    conditions: dict[AlertKind, ConditionState]
    fires: list[float]  # epoch seconds of recent alerts (runaway guard)
    #: Epoch of the last price this state includes. After a restart, a feed that sends
    #: those prices again (replay, backfill) must not move crossings or trails twice.
    seen: float | None = None
    #: check_interval: the rule looks at no price before this epoch (its rhythm survives a restart)
    next_check: float | None = None


def parse_state(text: str) -> RuleState:
    """Read ``Rule.state``; anything unreadable starts fresh rather than failing the rule."""
    try:
        data = json.loads(text or "{}")
    except (json.JSONDecodeError, TypeError):
        data = {}
    if not isinstance(data, Mapping):
        data = {}
    conditions: dict[AlertKind, ConditionState] = {}
    raw_conditions = data.get("c", {})
    if isinstance(raw_conditions, Mapping):
        for name, raw in raw_conditions.items():
            try:
                kind = AlertKind(name)
            except ValueError:
                continue
            if isinstance(raw, Mapping):
                conditions[kind] = _condition_state(raw)
    fires = [float(x) for x in data.get("fires", []) if isinstance(x, (int, float))]
    return RuleState(conditions, fires, _float_or_none(data.get("t")),
                     _float_or_none(data.get("check")))


def _condition_state(raw: Mapping[str, Any]) -> ConditionState:
    rearm = raw.get("rearm")
    return ConditionState(
        side=_int_or_none(raw.get("side")),
        active=bool(raw.get("active", False)),
        extreme=_float_or_none(raw.get("ext")),
        next_allowed=_float_or_none(raw.get("next")),
        rearm=(
            (_bound(rearm[0], -INF), _bound(rearm[1], INF))
            if isinstance(rearm, list) and len(rearm) == 2
            else None
        ),
    )


def format_state(state: RuleState) -> str:
    """Canonical JSON for ``Rule.state`` (infinite bounds as null)."""
    conditions: dict[str, dict[str, Any]] = {}
    for kind, cs in state.conditions.items():
        entry: dict[str, Any] = {}
        if cs.side is not None:
            entry["side"] = cs.side
        if cs.active:
            entry["active"] = True
        if cs.extreme is not None and math.isfinite(cs.extreme):
            entry["ext"] = cs.extreme
        if cs.next_allowed is not None and math.isfinite(cs.next_allowed):
            entry["next"] = cs.next_allowed
        if cs.rearm is not None:
            entry["rearm"] = [_finite_or_none(cs.rearm[0]), _finite_or_none(cs.rearm[1])]
        if entry:
            conditions[kind.value] = entry
    data: dict[str, Any] = {"v": STATE_VERSION}
    if conditions:
        data["c"] = conditions
    if state.next_check is not None and math.isfinite(state.next_check):
        data["check"] = state.next_check
    if state.fires:
        data["fires"] = state.fires
    if state.seen is not None and math.isfinite(state.seen):
        data["t"] = state.seen
    if len(data) == 1:
        return "{}"
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def forget_conditions(text: str, kinds: set[AlertKind]) -> str:
    """``Rule.state`` without the tracking of some conditions (their levels moved)."""
    if not kinds:
        return text
    state = parse_state(text)
    for kind in kinds:
        state.conditions.pop(kind, None)
    return format_state(state)


def forget_fires(text: str) -> str:
    """``Rule.state`` with the runaway guard's count reset (the trader resumed the rule)."""
    state = parse_state(text)
    state.fires = []
    return format_state(state)


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _bound(value: Any, default: float) -> float:
    number = _float_or_none(value)
    return default if number is None else number


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
