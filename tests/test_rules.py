"""Rule validation: every refusal names the field and the reason; valid input normalises."""

from __future__ import annotations

import json
import math

import pytest

from app.core.models import AlertKind, TaskStatus
from app.monitors.rules import Rule, RuleValidationError, validate_rule

BASE = {"task_name": "茅台止损", "stock_code": "600519.sh", "stop_loss": 1400}


def refused(**changes: object) -> RuleValidationError:
    data = {**BASE, **changes}
    with pytest.raises(RuleValidationError) as info:
        validate_rule(data)
    return info.value


def test_valid_rule_takes_defaults_and_normalises() -> None:
    rule = validate_rule(BASE)
    assert rule.stock_code == "600519.SH"
    assert rule.stop_loss == 1400.0
    assert rule.status is TaskStatus.RUNNING
    assert rule.check_interval == 0
    assert rule.notification_enabled is True
    assert rule.auto_trade is False and rule.trading_hours_only is False
    assert rule.quant_config == "{}"
    assert rule.watched_kinds == {AlertKind.STOP_LOSS}


@pytest.mark.parametrize("field", ["task_name", "stock_code"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_name_or_code(field: str, value: object) -> None:
    error = refused(**{field: value})
    assert (error.field, error.code) == (field, "required")
    assert field in str(error)


@pytest.mark.parametrize("field", ["entry_min", "entry_max", "take_profit", "stop_loss"])
@pytest.mark.parametrize(
    ("value", "code"),
    [(math.nan, "not_finite"), (math.inf, "not_finite"), (0, "not_positive"), (-5, "not_positive"),
     ("abc", "not_number"), (True, "not_number")],
)
def test_bad_prices(field: str, value: object, code: str) -> None:
    data = {**BASE, "stop_loss": None, field: value}
    with pytest.raises(RuleValidationError) as info:
        validate_rule(data)
    assert (info.value.field, info.value.code) == (field, code)


def test_entry_min_above_entry_max() -> None:
    error = refused(entry_min=1500, entry_max=1450)
    assert (error.field, error.code) == ("entry_min", "entry_order")
    assert "1500" in str(error) and "1450" in str(error)


@pytest.mark.parametrize("take_profit", [1400, 1300])
def test_stop_loss_not_below_take_profit(take_profit: float) -> None:
    error = refused(take_profit=take_profit)
    assert (error.field, error.code) == ("stop_loss", "stop_not_below_target")


def test_no_condition_at_all() -> None:
    error = refused(stop_loss=None)
    assert (error.field, error.code) == ("conditions", "no_condition")


@pytest.mark.parametrize("config", ["{not json", "[1, 2]", '"text"', "{\"a\": NaN}"])
def test_invalid_quant_config(config: str) -> None:
    error = refused(quant_config=config)
    assert error.field == "quant_config"
    assert error.code in {"bad_json", "not_object"}


def test_quant_config_is_canonical_json() -> None:
    rule = validate_rule({**BASE, "quant_config": '{"b": 1, "a": "说明"}'})
    assert json.loads(rule.quant_config) == {"a": "说明", "b": 1}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("check_interval", -1, "below_minimum"), ("check_interval", 1.5, "not_integer"),
     ("status", "paused-ish", "bad_status"), ("auto_trade", "yes", "not_flag"),
     ("stoploss", 1, "unknown_field"), ("stock_code", "600 519", "bad_code")],
)
def test_other_refusals(field: str, value: object, code: str) -> None:
    error = refused(**{field: value})
    assert (error.field, error.code) == (field, code)


def test_numeric_strings_from_a_form_are_accepted() -> None:
    rule = validate_rule({**BASE, "stop_loss": " 1400.5 ", "take_profit": "", "entry_min": "1380"})
    assert rule.stop_loss == 1400.5 and rule.take_profit is None and rule.entry_min == 1380.0


def test_partial_edit_keeps_base_fields_and_identity() -> None:
    base = Rule(task_name="a", stock_code="BTC/USDT", take_profit=90000.0, id=7,
                fired=frozenset({AlertKind.ENTRY}))
    edited = validate_rule({"stop_loss": 80000}, base=base)
    assert edited.id == 7 and edited.take_profit == 90000.0 and edited.stop_loss == 80000.0
    assert edited.fired == {AlertKind.ENTRY}


def test_non_object_rule() -> None:
    with pytest.raises(RuleValidationError) as info:
        validate_rule(["not", "a", "dict"])  # type: ignore[arg-type]
    assert info.value.code == "not_object"


def test_stored_timestamps_in_input_are_accepted_and_ignored() -> None:
    rule = validate_rule({**BASE, "created_at": "2026-01-01T00:00:00", "updated_at": None, "id": 3})
    assert rule.id == 3 and rule.created_at is None and rule.updated_at is None


def test_validity_defaults_and_valid_until_on_the_market_clock() -> None:
    from datetime import datetime, timedelta, timezone

    from app.core.models import Validity

    assert validate_rule(BASE).validity is Validity.UNTIL_CANCELLED
    rule = validate_rule({**BASE, "valid_until": "2026-03-27T15:00:00"})
    assert rule.validity is Validity.UNTIL
    assert rule.valid_until == datetime(2026, 3, 27, 15, 0, tzinfo=timezone(timedelta(hours=8)))
    crypto = validate_rule({**BASE, "stock_code": "BTC/USDT", "valid_until": "2026-03-27T15:00:00Z"})
    assert crypto.valid_until == datetime(2026, 3, 27, 15, 0, tzinfo=timezone.utc)
    assert validate_rule({**BASE, "validity": "today"}).validity is Validity.TODAY
    assert validate_rule({**BASE, "validity": "gtc", "valid_until": "2026-03-27T15:00:00"}).valid_until is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [({"validity": "forever"}, "validity", "bad_validity"),
     ({"validity": "until"}, "valid_until", "required"),
     ({"valid_until": "next friday"}, "valid_until", "bad_datetime"),
     ({"valid_until": 20260327}, "valid_until", "bad_datetime")],
)
def test_bad_validity(changes: dict, field: str, code: str) -> None:
    error = refused(**changes)
    assert (error.field, error.code) == (field, code)
