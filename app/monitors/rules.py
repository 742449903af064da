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

from app.core.models import AlertKind, TaskStatus, Validity
from app.monitors.sessions import to_market_time

PRICE_FIELDS = ("entry_min", "entry_max", "take_profit", "stop_loss")
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
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None
    fired: frozenset[AlertKind] = field(default_factory=frozenset)

    @property
    def has_entry(self) -> bool:
        return self.entry_min is not None or self.entry_max is not None

    @property
    def watched_kinds(self) -> frozenset[AlertKind]:
        """The alert kinds this rule is configured to report."""
        kinds: set[AlertKind] = set()
        if self.has_entry:
            kinds.add(AlertKind.ENTRY)
        if self.take_profit is not None:
            kinds.add(AlertKind.TAKE_PROFIT)
        if self.stop_loss is not None:
            kinds.add(AlertKind.STOP_LOSS)
        return frozenset(kinds)

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


EDITABLE_FIELDS = frozenset(Rule.__dataclass_fields__) - {"created_at", "updated_at", "fired"}
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
    prices = {name: _price(name, merged.get(name)) for name in PRICE_FIELDS}

    if prices["entry_min"] is not None and prices["entry_max"] is not None:
        if prices["entry_min"] > prices["entry_max"]:
            raise RuleValidationError(
                "entry_min",
                "entry_order",
                f"must not be above entry_max ({prices['entry_min']:g} > {prices['entry_max']:g})",
                low=prices["entry_min"],
                high=prices["entry_max"],
            )
    if prices["stop_loss"] is not None and prices["take_profit"] is not None:
        if prices["stop_loss"] >= prices["take_profit"]:
            raise RuleValidationError(
                "stop_loss",
                "stop_not_below_target",
                f"must be below take_profit ({prices['stop_loss']:g} >= {prices['take_profit']:g})",
                stop=prices["stop_loss"],
                target=prices["take_profit"],
            )
    if all(value is None for value in prices.values()):
        raise RuleValidationError(
            "conditions",
            "no_condition",
            "set at least one of take_profit, stop_loss, entry_min, entry_max",
        )

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
        **prices,
    )
    if base is not None:
        rule = replace(
            rule,
            id=base.id,
            created_at=base.created_at,
            updated_at=base.updated_at,
            fired=base.fired,
        )
    if "id" in data and data["id"] is not None:
        rule = replace(rule, id=_integer("id", data["id"], minimum=1))
    return rule


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
