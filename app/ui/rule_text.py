"""Translated display text for rule fields, statuses, conditions and validation refusals.

The pure core raises ``RuleValidationError`` with a stable field name and reason
code; this module turns them into the user's language so a Chinese-speaking
trader reads "止损价：必须低于止盈价" instead of an English identifier. It also
writes the one-line summary of a rule's conditions shown in the rule table.

Every text is a literal ``translate("RuleText", ...)`` call: lupdate only extracts
string literals, so a table of English strings would not reach the catalogue.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.models import AlertKind, CrossDirection, Direction, TaskStatus, TriggerMode, Validity
from app.monitors.conditions import KIND_ORDER
from app.monitors.rules import Rule, RuleValidationError
from app.ui.formatting import format_price

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
        "direction": translate("RuleText", "Direction"),
        "cross_level": translate("RuleText", "Crossing level"),
        "cross_direction": translate("RuleText", "Crossing direction"),
        "cost_price": translate("RuleText", "Cost price"),
        "take_profit_pct": translate("RuleText", "Take profit %"),
        "stop_loss_pct": translate("RuleText", "Stop loss %"),
        "change_up_pct": translate("RuleText", "Rise vs previous close %"),
        "change_down_pct": translate("RuleText", "Fall vs previous close %"),
        "trailing_activation": translate("RuleText", "Trailing stop activation price"),
        "trailing_pct": translate("RuleText", "Trailing stop pull-back %"),
        "trailing_amount": translate("RuleText", "Trailing stop pull-back amount"),
        "rebound_activation": translate("RuleText", "Trailing entry activation price"),
        "rebound_pct": translate("RuleText", "Trailing entry rebound %"),
        "rebound_amount": translate("RuleText", "Trailing entry rebound amount"),
        "trigger_mode": translate("RuleText", "Trigger mode"),
        "bar_timeframe": translate("RuleText", "Bar timeframe"),
        "cooldown_s": translate("RuleText", "Cooldown"),
        "rearm_band": translate("RuleText", "Re-arm distance"),
        "rearm_band_pct": translate("RuleText", "Re-arm distance %"),
    }
    return labels.get(name, name)


def status_label(status: TaskStatus) -> str:
    return {
        TaskStatus.RUNNING: translate("RuleText", "Running"),
        TaskStatus.STOPPED: translate("RuleText", "Stopped"),
        TaskStatus.TRIGGERED: translate("RuleText", "Triggered"),
        TaskStatus.EXPIRED: translate("RuleText", "Expired"),
        TaskStatus.PAUSED: translate("RuleText", "Paused (fired too often)"),
    }[TaskStatus(status)]


def validity_label(validity: Validity) -> str:
    return {
        Validity.UNTIL_CANCELLED: translate("RuleText", "Until cancelled"),
        Validity.TODAY: translate("RuleText", "Today only"),
        Validity.UNTIL: translate("RuleText", "Until a date and time"),
    }[validity]


def direction_label(direction: Direction) -> str:
    return {
        Direction.LONG: translate("RuleText", "Long"),
        Direction.SHORT: translate("RuleText", "Short"),
    }[Direction(direction)]


def cross_direction_label(direction: CrossDirection) -> str:
    return {
        CrossDirection.UP: translate("RuleText", "Crosses up"),
        CrossDirection.DOWN: translate("RuleText", "Crosses down"),
        CrossDirection.EITHER: translate("RuleText", "Either way"),
    }[CrossDirection(direction)]


def trigger_mode_label(mode: TriggerMode) -> str:
    return {
        TriggerMode.ONCE: translate("RuleText", "Only once"),
        TriggerMode.ONCE_PER_BAR: translate("RuleText", "Once per bar"),
        TriggerMode.EVERY_TIME: translate("RuleText", "Every time (with cooldown)"),
        TriggerMode.REARM: translate("RuleText", "Again after moving back out"),
    }[TriggerMode(mode)]


def timeframe_label(timeframe: str) -> str:
    return {
        "1m": translate("RuleText", "1 minute"),
        "5m": translate("RuleText", "5 minutes"),
        "15m": translate("RuleText", "15 minutes"),
        "30m": translate("RuleText", "30 minutes"),
        "1h": translate("RuleText", "1 hour"),
        "4h": translate("RuleText", "4 hours"),
        "1d": translate("RuleText", "1 day"),
    }.get(timeframe, timeframe)


def kind_short_label(kind: AlertKind) -> str:
    return {
        AlertKind.ENTRY: translate("RuleText", "Entry"),
        AlertKind.TAKE_PROFIT: translate("RuleText", "TP"),
        AlertKind.STOP_LOSS: translate("RuleText", "SL"),
        AlertKind.CROSS_UP: translate("RuleText", "Cross↑"),
        AlertKind.CROSS_DOWN: translate("RuleText", "Cross↓"),
        AlertKind.CHANGE_UP: translate("RuleText", "Rise"),
        AlertKind.CHANGE_DOWN: translate("RuleText", "Fall"),
        AlertKind.TRAILING_STOP: translate("RuleText", "Trail"),
        AlertKind.TRAILING_ENTRY: translate("RuleText", "Rebound"),
    }[AlertKind(kind)]


def fired_text(rule: Rule) -> str:
    return " ".join(kind_short_label(k) for k in KIND_ORDER if k in rule.fired)


def _fill(template: str, *values: object) -> str:
    for index, value in enumerate(values, start=1):
        template = template.replace(f"%{index}", str(value))
    return template


def _signed_pct(value: float, sign: int) -> str:
    return ("+" if sign > 0 else "\u2212") + format_price(value)


def condition_parts(rule: Rule) -> list[str]:
    """One short phrase per configured condition, e.g. ``["止盈 1500", "上穿 1420"]``."""
    p = format_price
    parts: list[str] = []
    short = rule.is_short
    if rule.has_entry:
        if rule.entry_min is not None and rule.entry_max is not None:
            parts.append(_fill(translate("RuleText", "Entry %1–%2"), p(rule.entry_min), p(rule.entry_max)))
        elif rule.entry_min is not None:
            parts.append(_fill(translate("RuleText", "Entry ≥ %1"), p(rule.entry_min)))
        else:
            parts.append(_fill(translate("RuleText", "Entry ≤ %1"), p(rule.entry_max)))
    if rule.take_profit is not None:
        parts.append(_fill(translate("RuleText", "TP %1"), p(rule.take_profit)))
    elif rule.take_profit_pct is not None and rule.take_profit_level is not None:
        parts.append(_fill(
            translate("RuleText", "TP %1% (≈ %2)"),
            _signed_pct(rule.take_profit_pct, -1 if short else 1), p(rule.take_profit_level),
        ))
    if rule.stop_loss is not None:
        parts.append(_fill(translate("RuleText", "SL %1"), p(rule.stop_loss)))
    elif rule.stop_loss_pct is not None and rule.stop_loss_level is not None:
        parts.append(_fill(
            translate("RuleText", "SL %1% (≈ %2)"),
            _signed_pct(rule.stop_loss_pct, 1 if short else -1), p(rule.stop_loss_level),
        ))
    if rule.cross_level is not None:
        template = {
            CrossDirection.UP: translate("RuleText", "Cross ↑ %1"),
            CrossDirection.DOWN: translate("RuleText", "Cross ↓ %1"),
            CrossDirection.EITHER: translate("RuleText", "Cross %1"),
        }[rule.cross_direction]
        parts.append(_fill(template, p(rule.cross_level)))
    if rule.change_up_pct is not None:
        parts.append(_fill(translate("RuleText", "Rise ≥ %1%"), p(rule.change_up_pct)))
    if rule.change_down_pct is not None:
        parts.append(_fill(translate("RuleText", "Fall ≥ %1%"), p(rule.change_down_pct)))
    if rule.has_trailing_stop:
        size = f"{p(rule.trailing_pct)}%" if rule.trailing_pct is not None else p(rule.trailing_amount)
        name = (translate("RuleText", "Trailing stop (short) %1") if short
                else translate("RuleText", "Trailing stop %1"))
        text = _fill(name, size)
        if rule.trailing_activation is not None:
            text += _fill(translate("RuleText", " from %1"), p(rule.trailing_activation))
        parts.append(text)
    if rule.has_trailing_entry:
        size = f"{p(rule.rebound_pct)}%" if rule.rebound_pct is not None else p(rule.rebound_amount)
        name = (translate("RuleText", "Trailing entry (short) %1") if short
                else translate("RuleText", "Trailing entry %1"))
        text = _fill(name, size)
        if rule.rebound_activation is not None:
            text += _fill(translate("RuleText", " from %1"), p(rule.rebound_activation))
        parts.append(text)
    return parts


def rule_summary(rule: Rule) -> str:
    """The conditions on one line (the rule table's column); a short is marked as such."""
    text = " · ".join(condition_parts(rule))
    if rule.is_short:
        text = _fill(translate("RuleText", "[Short] %1"), text)
    return text


def trigger_summary(rule: Rule) -> str:
    """How often the rule may fire, with its parameter: 'Once per bar (5 minutes)'."""
    mode = rule.trigger_mode
    label = trigger_mode_label(mode)
    if mode is TriggerMode.ONCE_PER_BAR:
        return _fill(translate("RuleText", "%1 (%2)"), label, timeframe_label(rule.bar_timeframe))
    if mode is TriggerMode.EVERY_TIME:
        if rule.cooldown_s <= 0:
            return translate("RuleText", "Every time, no cooldown")
        return _fill(translate("RuleText", "Every time, cooldown %1 s"), rule.cooldown_s)
    if mode is TriggerMode.REARM:
        if rule.rearm_band_pct is not None:
            band = f"{format_price(rule.rearm_band_pct)}%"
        elif rule.rearm_band is not None:
            band = format_price(rule.rearm_band)
        else:
            return label
        return _fill(translate("RuleText", "%1 (%2)"), label, _fill(translate("RuleText", "by %1"), band))
    return label


def paused_notice(rules: list[Rule]) -> str:
    """'规则「X」触发过于频繁，已暂停' for one or more rules paused by the runaway guard."""
    names = translate("RuleText", "”, “").join(r.task_name for r in rules)
    if len(rules) == 1:
        return _fill(translate("RuleText", "Rule “%1” fired too often and was paused"), names)
    return _fill(translate("RuleText", "Rules “%1” fired too often and were paused"), names)


def _refusal_field(error: RuleValidationError) -> str:
    """The field as the trader knows it; a trailing size may be a % or an amount."""
    if error.code == "required_for" and error.field == "trailing_pct":
        return translate("RuleText", "Trailing stop pull-back (% or amount)")
    if error.code == "required_for" and error.field == "rebound_pct":
        return translate("RuleText", "Trailing entry rebound (% or amount)")
    return field_label(error.field)


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
        "stop_not_above_target": translate(
            "RuleText", "must be above the take profit for a short (%1 ≤ %2)"
        ),
        "no_condition": translate(
            "RuleText",
            "set at least one condition: take profit, stop loss, entry zone, crossing, "
            "rise/fall vs previous close, trailing stop or trailing entry",
        ),
        "bad_json": translate("RuleText", "is not valid JSON: %1"),
        "not_object": translate("RuleText", "must be a JSON object"),
        "unknown_field": translate("RuleText", "is not a known field"),
        "bad_validity": translate("RuleText", "is not a known validity"),
        "bad_datetime": translate("RuleText", "must be a date and time"),
        "in_past": translate("RuleText", "is already in the past"),
        "exclusive": translate("RuleText", "set either this or “%1”, not both"),
        "required_for": translate("RuleText", "is required when “%1” is set"),
        "percent_range": translate("RuleText", "must be a percentage above 0 and below %1"),
        "bad_choice": translate("RuleText", "must be one of %1"),
        "not_for_market": translate("RuleText", "%1 bars do not exist for this market (A-shares: use 1h or 1d)"),
    }
    template = reasons.get(error.code)
    if template is None:
        return f"{_refusal_field(error)}: {error.reason}"
    args = {
        "too_long": [p.get("limit")],
        "below_minimum": [p.get("minimum")],
        "entry_order": [p.get("low"), p.get("high")],
        "stop_not_below_target": [p.get("stop"), p.get("target")],
        "stop_not_above_target": [p.get("stop"), p.get("target")],
        "bad_json": [p.get("detail")],
        "exclusive": [field_label(str(p.get("other", "")))],
        "required_for": [field_label(str(p.get("other", "")))],
        "percent_range": [p.get("limit")],
        "bad_choice": [p.get("allowed")],
        "not_for_market": [timeframe_label(str(p.get("timeframe", "")))],
    }.get(error.code, [])
    text = template
    for index, value in enumerate(args, start=1):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        text = text.replace(f"%{index}", shown)
    return translate("RuleText", "%1: %2").replace("%1", _refusal_field(error)).replace("%2", text)
