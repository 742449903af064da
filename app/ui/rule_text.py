"""Translated display text for rule fields, statuses and validation refusals.

The pure core raises ``RuleValidationError`` with a stable field name and reason
code; this module turns them into the user's language so a Chinese-speaking
trader reads "止损价：必须低于止盈价" instead of an English identifier.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.models import AlertKind, TaskStatus, Validity
from app.monitors.rules import RuleValidationError

translate = QCoreApplication.translate


def field_label(name: str) -> str:
    labels = {
        "task_name": translate("RuleText", "Task name"),
        "stock_code": translate("RuleText", "Symbol"),
        "stock_name": translate("RuleText", "Name"),
        "status": translate("RuleText", "Status"),
        "check_interval": translate("RuleText", "Check interval"),
        "auto_trade": translate("RuleText", "Auto trade"),
        "trading_hours_only": translate("RuleText", "Trading hours only"),
        "entry_min": translate("RuleText", "Entry zone low"),
        "entry_max": translate("RuleText", "Entry zone high"),
        "take_profit": translate("RuleText", "Take profit"),
        "stop_loss": translate("RuleText", "Stop loss"),
        "notification_enabled": translate("RuleText", "Notifications"),
        "quant_config": translate("RuleText", "Quant config"),
        "validity": translate("RuleText", "Validity"),
        "valid_until": translate("RuleText", "Valid until"),
        "conditions": translate("RuleText", "Conditions"),
        "rule": translate("RuleText", "Rule"),
    }
    return labels.get(name, name)


def status_label(status: TaskStatus) -> str:
    return {
        TaskStatus.RUNNING: translate("RuleText", "Running"),
        TaskStatus.STOPPED: translate("RuleText", "Stopped"),
        TaskStatus.TRIGGERED: translate("RuleText", "Triggered"),
        TaskStatus.EXPIRED: translate("RuleText", "Expired"),
    }[status]


def validity_label(validity: Validity) -> str:
    return {
        Validity.UNTIL_CANCELLED: translate("RuleText", "Until cancelled"),
        Validity.TODAY: translate("RuleText", "Today only"),
        Validity.UNTIL: translate("RuleText", "Until a date and time"),
    }[validity]


def kind_short_label(kind: AlertKind) -> str:
    return {
        AlertKind.ENTRY: translate("RuleText", "Entry"),
        AlertKind.TAKE_PROFIT: translate("RuleText", "TP"),
        AlertKind.STOP_LOSS: translate("RuleText", "SL"),
    }[kind]


def refusal_text(error: RuleValidationError) -> str:
    """'<field>: <reason>' in the UI language, with the numbers that explain it."""
    p = error.params
    reasons = {
        "required": translate("RuleText", "is required"),
        "not_text": translate("RuleText", "must be text"),
        "too_long": translate("RuleText", "must be at most %1 characters"),
        "bad_code": translate("RuleText", "must not contain spaces"),
        "not_number": translate("RuleText", "must be a number"),
        "not_finite": translate("RuleText", "must be a finite number"),
        "not_positive": translate("RuleText", "must be above 0"),
        "not_integer": translate("RuleText", "must be a whole number"),
        "below_minimum": translate("RuleText", "must be at least %1"),
        "not_flag": translate("RuleText", "must be true or false"),
        "bad_status": translate("RuleText", "is not a known status"),
        "entry_order": translate("RuleText", "must not be above the entry zone high (%1 > %2)"),
        "stop_not_below_target": translate("RuleText", "must be below the take profit (%1 ≥ %2)"),
        "no_condition": translate("RuleText", "set at least one of take profit, stop loss or an entry zone bound"),
        "bad_json": translate("RuleText", "is not valid JSON: %1"),
        "not_object": translate("RuleText", "must be a JSON object"),
        "unknown_field": translate("RuleText", "is not a known field"),
        "bad_validity": translate("RuleText", "is not a known validity"),
        "bad_datetime": translate("RuleText", "must be a date and time"),
        "in_past": translate("RuleText", "is already in the past"),
    }
    template = reasons.get(error.code)
    if template is None:
        return f"{field_label(error.field)}: {error.reason}"
    args = {
        "too_long": [p.get("limit")],
        "below_minimum": [p.get("minimum")],
        "entry_order": [p.get("low"), p.get("high")],
        "stop_not_below_target": [p.get("stop"), p.get("target")],
        "bad_json": [p.get("detail")],
    }.get(error.code, [])
    text = template
    for index, value in enumerate(args, start=1):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        text = text.replace(f"%{index}", shown)
    return translate("RuleText", "%1: %2").replace("%1", field_label(error.field)).replace("%2", text)
