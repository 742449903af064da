"""Every user-visible string has a finished Chinese translation, and the shipped .qm is current."""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import update_translations  # noqa: E402

from app.core.models import AlertKind, TaskStatus  # noqa: E402
from app.monitors.rules import RuleValidationError, validate_rule  # noqa: E402
from app.ui.formatting import kind_label  # noqa: E402
from app.ui.i18n import install_translators, resolve_language  # noqa: E402
from app.ui.rule_text import paused_notice, refusal_text, status_label  # noqa: E402


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {
        (ctx.findtext("name") or "", m.findtext("source") or ""): m.find("translation")  # type: ignore[misc]
        for ctx in root.findall("context")
        for m in ctx.findall("message")
    }


def test_every_source_string_has_a_finished_chinese_translation(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(update_translations.TS, fresh)
    update_translations.lupdate(fresh)  # picks up strings added to the code since the last update
    found = messages(fresh)
    assert len(found) > 100
    untranslated = [
        key for key, tr in found.items()
        if tr.get("type") in ("unfinished", "vanished", "obsolete")
        or not ((tr.text or "").strip() or any((n.text or "").strip() for n in tr))
    ]
    assert not untranslated, f"run tools/update_translations.py and translate: {untranslated}"


def test_shipped_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt.qm"
    update_translations.lrelease(update_translations.TS, rebuilt)
    assert rebuilt.read_bytes() == update_translations.QM.read_bytes()


@pytest.mark.parametrize(("choice", "system", "expected"), [
    ("auto", "zh_CN", "zh_CN"), ("auto", "zh_TW", "zh_CN"), ("auto", "en_US", "en"),
    ("en", "zh_CN", "en"), ("zh_CN", "de_DE", "zh_CN"), (None, "C", "en"),
])
def test_language_follows_choice_then_system(choice: str | None, system: str, expected: str) -> None:
    assert resolve_language(choice, system) == expected


def test_chinese_catalogue_translates_labels_and_refusals(qapp: Any) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert kind_label(AlertKind.STOP_LOSS) == "止损"
        with pytest.raises(RuleValidationError) as info:
            validate_rule({"task_name": "x", "stock_code": "600519.SH", "stop_loss": 10, "take_profit": 5})
        assert refusal_text(info.value) == "止损价：必须低于止盈价（10 ≥ 5）"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
    assert kind_label(AlertKind.STOP_LOSS) == "Stop loss"


def test_chinese_catalogue_names_the_new_alert_kinds_status_and_refusals(qapp: Any) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert [kind_label(k) for k in (
            AlertKind.CROSS_UP, AlertKind.CROSS_DOWN, AlertKind.CHANGE_UP, AlertKind.CHANGE_DOWN,
            AlertKind.TRAILING_STOP, AlertKind.TRAILING_ENTRY,
        )] == ["上穿", "下穿", "涨幅达标", "跌幅达标", "回落卖出", "反弹买入"]
        assert status_label(TaskStatus.PAUSED) == "已暂停·触发过频"
        rule = validate_rule({"task_name": "茅台", "stock_code": "600519.SH", "cross_level": 1500})
        assert paused_notice([rule]) == "规则「茅台」触发过于频繁，已暂停"
        with pytest.raises(RuleValidationError) as info:
            validate_rule({"task_name": "x", "stock_code": "600519.SH", "take_profit_pct": 10})
        assert refusal_text(info.value) == "成本价：设置了“止盈幅度（%）”时必须填写"
        with pytest.raises(RuleValidationError) as info:
            validate_rule({"task_name": "x", "stock_code": "600519.SH", "direction": "short",
                           "stop_loss": 5, "take_profit": 10})
        assert refusal_text(info.value) == "止损价：做空时必须高于止盈价（5 ≤ 10）"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)


def test_chinese_catalogue_labels_the_chart_level_lines(qtbot: Any, qapp: Any) -> None:
    """The level lines' labels are built outside the chart widget: they must still be
    literal translate calls that lupdate sees (a helper taking the text hid them once)."""
    from app.ui.chart import CandleChart, LevelSet

    translators = install_translators(qapp, "zh_CN")
    try:
        chart = CandleChart()
        qtbot.addWidget(chart)
        chart.set_levels([LevelSet("茅台", take_profit=1800, stop_loss=1500, cross_level=1600,
                                   cross_direction="up", entry_min=1550, entry_max=1580,
                                   stop_loss_pct=-5, rule_id=1)])
        labels = {line.field: line.label.format for line in chart.level_layer.lines()
                  if getattr(line, "label", None) is not None}  # the band's lower edge has none
        assert labels["take_profit"] == "止盈 1800 · 茅台"
        assert labels["stop_loss"] == "止损 1500（成本 −5%） · 茅台"
        assert labels["cross_level"] == "上穿 1600 · 茅台"
        assert labels["entry_max"] == "进场区间 1550–1580 · 茅台"
        assert chart.level_layer.line_for(1, "take_profit").toolTip() == "拖动可移动此价位，松开即保存"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
