"""The monitor task (rule) model and its validation.

A ``Rule`` carries every field of the original monitor-task model. Validation is
pure and strict: anything that could make an alert fire wrongly (a zero price, a
stop above the target, a malformed config) is refused with the field and the
reason, so nothing invalid is ever saved or evaluated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from app.core.models import (
    AlertKind,
    CrossDirection,
    Direction,
    TaskStatus,
    TriggerMode,
    Validity,
)
from app.market.timeframes import TIMEFRAMES, timeframe_refusal
from app.monitors.sessions import to_market_time

PRICE_FIELDS = ("entry_min", "entry_max", "take_profit", "stop_loss")
#: Optional prices of the issue-3 conditions (all > 0 when set).
EXTRA_PRICE_FIELDS = ("cross_level", "cost_price", "trailing_activation", "rebound_activation")
#: Percentages given as plain numbers (5 means 5 %), each > 0 and < its upper limit.
PERCENT_LIMITS: dict[str, float] = {
    "take_profit_pct": 10_000.0,
    "stop_loss_pct": 100.0,
    "change_up_pct": 10_000.0,
    "change_down_pct": 100.0,
    "trailing_pct": 100.0,
    "rebound_pct": 10_000.0,
}
AMOUNT_FIELDS = ("trailing_amount", "rebound_amount")
DEFAULT_TIMEFRAME = "1m"
MAX_NAME_LENGTH = 100
MAX_CODE_LENGTH = 40


@dataclass(frozen=True, slots=True)
class Rule:
    """A monitor task: what to watch and which levels alert.

    ``fired`` holds the alert kinds that have already fired (each kind fires at
    most once per rule); it is engine state persisted alongside the rule so a
    restart never fires the same alert twice.
    """

    task_name: str
    stock_code: str
    stock_name: str = ""
    status: TaskStatus = TaskStatus.RUNNING
    check_interval: int = 0
    auto_trade: bool = False
    trading_hours_only: bool = False
    entry_min: float | None = None
    entry_max: float | None = None
    take_profit: float | None = None
    stop_loss: float | None = None
    notification_enabled: bool = True
    quant_config: str = "{}"
    validity: Validity = Validity.UNTIL_CANCELLED
    valid_until: datetime | None = None
    direction: Direction = Direction.LONG
    cross_level: float | None = None
    cross_direction: CrossDirection = CrossDirection.EITHER
    cost_price: float | None = None
    take_profit_pct: float | None = None
    stop_loss_pct: float | None = None
    change_up_pct: float | None = None
    change_down_pct: float | None = None
    trailing_activation: float | None = None
    trailing_pct: float | None = None
    trailing_amount: float | None = None
    rebound_activation: float | None = None
    rebound_pct: float | None = None
    rebound_amount: float | None = None
    trigger_mode: TriggerMode = TriggerMode.ONCE
    bar_timeframe: str = DEFAULT_TIMEFRAME
    cooldown_s: int = 0
    rearm_band: float | None = None
    rearm_band_pct: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None
    fired: frozenset[AlertKind] = field(default_factory=frozenset)
    #: The engine's private tracking (crossing side, trailing extremes, cooldowns, recent
    #: fires) as canonical JSON; persisted with every alert so a restart continues exactly.
    state: str = "{}"

    @property
    def has_entry(self) -> bool:
        return self.entry_min is not None or self.entry_max is not None

    @property
    def is_short(self) -> bool:
        return self.direction is Direction.SHORT

    @property
    def take_profit_level(self) -> float | None:
        """The take-profit price, whether given directly or as % from ``cost_price``."""
        if self.take_profit is not None:
            return self.take_profit
        if self.take_profit_pct is None or self.cost_price is None:
            return None
        sign = -1.0 if self.is_short else 1.0
        return self.cost_price * (1.0 + sign * self.take_profit_pct / 100.0)

    @property
    def stop_loss_level(self) -> float | None:
        """The stop-loss price, whether given directly or as % from ``cost_price``."""
        if self.stop_loss is not None:
            return self.stop_loss
        if self.stop_loss_pct is None or self.cost_price is None:
            return None
        sign = 1.0 if self.is_short else -1.0
        return self.cost_price * (1.0 + sign * self.stop_loss_pct / 100.0)

    @property
    def has_trailing_stop(self) -> bool:
        return self.trailing_pct is not None or self.trailing_amount is not None

    @property
    def has_trailing_entry(self) -> bool:
        return self.rebound_pct is not None or self.rebound_amount is not None

    @property
    def cross_kinds(self) -> frozenset[AlertKind]:
        if self.cross_level is None:
            return frozenset()
        if self.cross_direction is CrossDirection.UP:
            return frozenset({AlertKind.CROSS_UP})
        if self.cross_direction is CrossDirection.DOWN:
            return frozenset({AlertKind.CROSS_DOWN})
        return frozenset({AlertKind.CROSS_UP, AlertKind.CROSS_DOWN})

    @property
    def watched_kinds(self) -> frozenset[AlertKind]:
        """The alert kinds this rule is configured to report."""
        kinds: set[AlertKind] = set(self.cross_kinds)
        if self.has_entry:
            kinds.add(AlertKind.ENTRY)
        if self.take_profit_level is not None:
            kinds.add(AlertKind.TAKE_PROFIT)
        if self.stop_loss_level is not None:
            kinds.add(AlertKind.STOP_LOSS)
        if self.change_up_pct is not None:
            kinds.add(AlertKind.CHANGE_UP)
        if self.change_down_pct is not None:
            kinds.add(AlertKind.CHANGE_DOWN)
        if self.has_trailing_stop:
            kinds.add(AlertKind.TRAILING_STOP)
        if self.has_trailing_entry:
            kinds.add(AlertKind.TRAILING_ENTRY)
        return frozenset(kinds)

    @property
    def conditions_done(self) -> bool:
        """In ``once`` mode: has every configured condition fired (a crossing either way
        counts once)? Then the rule has nothing left to watch."""
        return self.done_after(self.fired)

    def done_after(self, fired: frozenset[AlertKind] | set[AlertKind]) -> bool:
        """``conditions_done`` if ``fired`` had fired."""
        watched = set(self.watched_kinds)
        fired = set(fired)
        cross = self.cross_kinds
        if cross:
            watched -= cross
            if not fired & cross:
                return False
        return watched <= fired

    def with_changes(self, **changes: Any) -> Rule:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The editable fields, with the same names the JSON rule files use."""
        return {
            "task_name": self.task_name,
            "stock_code": self.stock_code,
            "stock_name": self.stock_name,
            "status": self.status.value,
            "check_interval": self.check_interval,
            "auto_trade": self.auto_trade,
            "trading_hours_only": self.trading_hours_only,
            "entry_min": self.entry_min,
            "entry_max": self.entry_max,
            "take_profit": self.take_profit,
            "stop_loss": self.stop_loss,
            "notification_enabled": self.notification_enabled,
            "quant_config": self.quant_config,
            "validity": self.validity.value,
            "valid_until": self.valid_until,
            "direction": self.direction.value,
            "cross_level": self.cross_level,
            "cross_direction": self.cross_direction.value,
            "cost_price": self.cost_price,
            "take_profit_pct": self.take_profit_pct,
            "stop_loss_pct": self.stop_loss_pct,
            "change_up_pct": self.change_up_pct,
            "change_down_pct": self.change_down_pct,
            "trailing_activation": self.trailing_activation,
            "trailing_pct": self.trailing_pct,
            "trailing_amount": self.trailing_amount,
            "rebound_activation": self.rebound_activation,
            "rebound_pct": self.rebound_pct,
            "rebound_amount": self.rebound_amount,
            "trigger_mode": self.trigger_mode.value,
            "bar_timeframe": self.bar_timeframe,
            "cooldown_s": self.cooldown_s,
            "rearm_band": self.rearm_band,
            "rearm_band_pct": self.rearm_band_pct,
        }


class RuleValidationError(ValueError):
    """A rule was refused. ``field`` names the offending field, ``code`` is a stable
    reason identifier (the UI translates it), ``params`` fill the message."""

    def __init__(self, field_name: str, code: str, message: str, **params: Any) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.code = code
        self.reason = message
        self.params = params


EDITABLE_FIELDS = frozenset(Rule.__dataclass_fields__) - {
    "created_at",
    "updated_at",
    "fired",
    "state",
}
# Set by storage, not by the user; accepted (and ignored) so a rule exported with every
# field of the model can be fed back, e.g. to the replay command.
STORED_ONLY_FIELDS = frozenset({"created_at", "updated_at"})


def validate_rule(data: Mapping[str, Any], *, base: Rule | None = None) -> Rule:
    """Build a valid ``Rule`` from user or file input, or raise ``RuleValidationError``.

    Missing optional fields take their defaults (or, with ``base``, the base rule's
    values, so a partial edit keeps what it does not mention). Unknown fields are
    refused: a typo such as ``stoploss`` must not silently create a rule without a stop.
    """
    if not isinstance(data, Mapping):
        raise RuleValidationError("rule", "not_object", "must be a JSON object")
    unknown = sorted(set(data) - EDITABLE_FIELDS - STORED_ONLY_FIELDS)
    if unknown:
        raise RuleValidationError(
            unknown[0], "unknown_field", f"unknown field {unknown[0]!r}", name=unknown[0]
        )
    current = base.to_dict() if base is not None else {}
    merged: dict[str, Any] = {**current, **data}
    for name in STORED_ONLY_FIELDS:
        merged.pop(name, None)

    task_name = _required_text(merged, "task_name", MAX_NAME_LENGTH)
    stock_code = _required_text(merged, "stock_code", MAX_CODE_LENGTH).upper()
    if any(ch.isspace() for ch in stock_code):
        raise RuleValidationError("stock_code", "bad_code", "must not contain spaces")
    stock_name = _optional_text(merged, "stock_name", MAX_NAME_LENGTH)
    status = _status(merged.get("status", TaskStatus.RUNNING.value))
    check_interval = _check_interval(merged.get("check_interval", 0))
    prices = {name: _price(name, merged.get(name)) for name in PRICE_FIELDS + EXTRA_PRICE_FIELDS}
    percents = {name: _percent(name, merged.get(name), limit) for name, limit in PERCENT_LIMITS.items()}
    amounts = {name: _price(name, merged.get(name)) for name in AMOUNT_FIELDS}
    direction = _choice(merged, "direction", Direction, Direction.LONG)
    cross_direction = _choice(merged, "cross_direction", CrossDirection, CrossDirection.EITHER)
    trigger_mode = _choice(merged, "trigger_mode", TriggerMode, TriggerMode.ONCE)

    if prices["entry_min"] is not None and prices["entry_max"] is not None:
        if prices["entry_min"] > prices["entry_max"]:
            raise RuleValidationError(
                "entry_min",
                "entry_order",
                f"must not be above entry_max ({prices['entry_min']:g} > {prices['entry_max']:g})",
                low=prices["entry_min"],
                high=prices["entry_max"],
            )
    _one_of(prices, percents, "take_profit", "take_profit_pct")
    _one_of(prices, percents, "stop_loss", "stop_loss_pct")
    _one_of(percents, amounts, "trailing_pct", "trailing_amount")
    _one_of(percents, amounts, "rebound_pct", "rebound_amount")
    for pct_name in ("take_profit_pct", "stop_loss_pct"):
        if percents[pct_name] is not None and prices["cost_price"] is None:
            raise RuleValidationError(
                "cost_price", "required_for", f"is required by {pct_name}", other=pct_name
            )
    _requires(prices, "trailing_activation", percents["trailing_pct"] or amounts["trailing_amount"],
              "trailing_pct")
    _requires(prices, "rebound_activation", percents["rebound_pct"] or amounts["rebound_amount"],
              "rebound_pct")

    conditions = {**prices, **percents, **amounts}
    if all(conditions[name] is None for name in CONDITION_FIELDS):
        raise RuleValidationError(
            "conditions",
            "no_condition",
            "set at least one condition: take-profit, stop-loss, entry zone, crossing, "
            "change vs previous close, trailing stop or trailing entry",
        )

    cooldown_s = _whole(merged, "cooldown_s", 0)
    rearm_band = _price("rearm_band", merged.get("rearm_band"))
    rearm_band_pct = _percent("rearm_band_pct", merged.get("rearm_band_pct"), 100.0)
    if rearm_band is not None and rearm_band_pct is not None:
        raise RuleValidationError(
            "rearm_band_pct", "exclusive", "set rearm_band or rearm_band_pct, not both",
            other="rearm_band",
        )
    bar_timeframe = _timeframe(merged.get("bar_timeframe"), stock_code)

    validity, valid_until = _validity(merged, stock_code)
    rule = Rule(
        task_name=task_name,
        stock_code=stock_code,
        stock_name=stock_name,
        status=status,
        check_interval=check_interval,
        auto_trade=_flag(merged, "auto_trade", False),
        trading_hours_only=_flag(merged, "trading_hours_only", False),
        notification_enabled=_flag(merged, "notification_enabled", True),
        quant_config=_quant_config(merged.get("quant_config", "{}")),
        validity=validity,
        valid_until=valid_until,
        direction=direction,
        cross_direction=cross_direction,
        trigger_mode=trigger_mode,
        bar_timeframe=bar_timeframe,
        cooldown_s=cooldown_s,
        rearm_band=rearm_band,
        rearm_band_pct=rearm_band_pct,
        **conditions,
    )
    _check_exit_order(rule)
    if base is not None:
        rule = replace(
            rule,
            id=base.id,
            created_at=base.created_at,
            updated_at=base.updated_at,
            fired=base.fired,
            state=base.state,
        )
    if "id" in data and data["id"] is not None:
        rule = replace(rule, id=_integer("id", data["id"], minimum=1))
    return rule


#: Fields of which at least one must be set for a rule to watch anything.
CONDITION_FIELDS = (
    *PRICE_FIELDS,
    "cross_level",
    "take_profit_pct",
    "stop_loss_pct",
    "change_up_pct",
    "change_down_pct",
    "trailing_pct",
    "trailing_amount",
    "rebound_pct",
    "rebound_amount",
)


def _one_of(first: Mapping[str, Any], second: Mapping[str, Any], a: str, b: str) -> None:
    """Two ways to give the same thing (a price or a %): refuse both at once."""
    if first[a] is not None and second[b] is not None:
        raise RuleValidationError(b, "exclusive", f"set {a} or {b}, not both", other=a)


def _requires(data: Mapping[str, Any], name: str, needed: Any, needed_name: str) -> None:
    """``name`` only means something together with ``needed_name``."""
    value = data.get(name)
    if value is not None and value != "" and needed is None:
        raise RuleValidationError(
            needed_name, "required_for", f"is required by {name}", other=name
        )


def _check_exit_order(rule: Rule) -> None:
    """Long: stop below target; short: stop above target (after resolving % levels)."""
    stop, target = rule.stop_loss_level, rule.take_profit_level
    if stop is None or target is None:
        return
    field_name = "stop_loss" if rule.stop_loss is not None else "stop_loss_pct"
    if rule.is_short and stop <= target:
        raise RuleValidationError(
            field_name,
            "stop_not_above_target",
            f"must be above take-profit for a short ({stop:g} <= {target:g})",
            stop=stop,
            target=target,
        )
    if not rule.is_short and stop >= target:
        raise RuleValidationError(
            field_name,
            "stop_not_below_target",
            f"must be below take_profit ({stop:g} >= {target:g})",
            stop=stop,
            target=target,
        )


def _percent(name: str, value: Any, limit: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(name, value)
    if not math.isfinite(number):
        raise RuleValidationError(name, "not_finite", "must be a finite number")
    if number <= 0 or number >= limit:
        raise RuleValidationError(
            name,
            "percent_range",
            f"must be a percentage above 0 and below {limit:g} (got {number:g})",
            limit=limit,
        )
    return number


def _whole(data: Mapping[str, Any], name: str, default: int) -> int:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return _integer(name, value, minimum=0)


def _choice(data: Mapping[str, Any], name: str, enum_cls: type[Any], default: Any) -> Any:
    value = data.get(name)
    if value is None or value == "":
        return default
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise RuleValidationError(
            name, "bad_choice", f"must be one of {allowed}", allowed=allowed
        ) from None


def _timeframe(value: Any, code: str) -> str:
    if value is None or value == "":
        return DEFAULT_TIMEFRAME
    if not isinstance(value, str) or value not in TIMEFRAMES:
        allowed = ", ".join(TIMEFRAMES)
        raise RuleValidationError(
            "bar_timeframe", "bad_choice", f"must be one of {allowed}", allowed=allowed
        )
    refusal = timeframe_refusal(code, value)
    if refusal:
        raise RuleValidationError("bar_timeframe", "not_for_market", refusal, timeframe=value)
    return value


def _required_text(data: Mapping[str, Any], name: str, max_length: int) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleValidationError(name, "required", "is required")
    if not isinstance(value, str):
        raise RuleValidationError(name, "not_text", "must be text")
    value = value.strip()
    if len(value) > max_length:
        raise RuleValidationError(
            name, "too_long", f"must be at most {max_length} characters", limit=max_length
        )
    return value


def _optional_text(data: Mapping[str, Any], name: str, max_length: int) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RuleValidationError(name, "not_text", "must be text")
    value = value.strip()
    if len(value) > max_length:
        raise RuleValidationError(
            name, "too_long", f"must be at most {max_length} characters", limit=max_length
        )
    return value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise RuleValidationError(name, "not_number", "must be a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            raise RuleValidationError(name, "not_number", "must be a number") from None
    if isinstance(value, (int, float)):
        return float(value)
    raise RuleValidationError(name, "not_number", "must be a number")


def _price(name: str, value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(name, value)
    if not math.isfinite(number):
        raise RuleValidationError(name, "not_finite", "must be a finite number")
    if number <= 0:
        raise RuleValidationError(name, "not_positive", f"must be above 0 (got {number:g})")
    return number


def _integer(name: str, value: Any, *, minimum: int) -> int:
    number = _number(name, value)
    if not math.isfinite(number) or number != int(number):
        raise RuleValidationError(name, "not_integer", "must be a whole number")
    if number < minimum:
        raise RuleValidationError(
            name, "below_minimum", f"must be at least {minimum}", minimum=minimum
        )
    return int(number)


def _check_interval(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    return _integer("check_interval", value, minimum=0)


def _flag(data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise RuleValidationError(name, "not_flag", "must be true or false")


def _status(value: Any) -> TaskStatus:
    if isinstance(value, TaskStatus):
        return value
    try:
        return TaskStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in TaskStatus)
        raise RuleValidationError(
            "status", "bad_status", f"must be one of {allowed}", allowed=allowed
        ) from None


def _validity(data: Mapping[str, Any], code: str) -> tuple[Validity, datetime | None]:
    """Validity kind and expiry.

    A ``valid_until`` alone means "until that time" (the replay files carry only it).
    A naive ``valid_until`` is on the market's clock (Beijing time for A-shares).
    For "today only" the expiry is set by the service from the exchange calendar
    when the rule is saved or started, so it is not required here.
    """
    raw_kind = data.get("validity")
    until = _datetime("valid_until", data.get("valid_until"), code)
    if raw_kind is None or raw_kind == "":
        kind = Validity.UNTIL if until is not None else Validity.UNTIL_CANCELLED
    else:
        try:
            kind = Validity(raw_kind)
        except ValueError:
            allowed = ", ".join(v.value for v in Validity)
            raise RuleValidationError(
                "validity", "bad_validity", f"must be one of {allowed}", allowed=allowed
            ) from None
    if kind is Validity.UNTIL and until is None:
        raise RuleValidationError("valid_until", "required", "is required")
    if kind is Validity.UNTIL_CANCELLED:
        until = None
    return kind, until


def _datetime(name: str, value: Any, code: str) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise RuleValidationError(
                name, "bad_datetime", "must be an ISO-8601 date-time, e.g. 2026-03-27T15:00:00+08:00"
            ) from None
    else:
        raise RuleValidationError(
            name, "bad_datetime", "must be an ISO-8601 date-time, e.g. 2026-03-27T15:00:00+08:00"
        )
    return to_market_time(code, parsed)


def _quant_config(value: Any) -> str:
    """Normalise ``quant_config`` to canonical JSON text of an object."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "{}"
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RuleValidationError(
                "quant_config",
                "bad_json",
                f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                detail=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            ) from None
    else:
        parsed = value
    if not isinstance(parsed, dict):
        raise RuleValidationError("quant_config", "not_object", "must be a JSON object")
    try:
        return json.dumps(parsed, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RuleValidationError(
            "quant_config", "bad_json", f"is not valid JSON ({exc})", detail=str(exc)
        ) from None
