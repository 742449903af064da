"""The rule form: every condition and trigger mode, on real widgets (pytest-qt, offscreen).

The form must produce exactly the dict ``validate_rule`` takes (Rule field names,
empty = None), load a stored rule back unchanged, show only the fields of the
current choices, and point at the refused field in the trader's language.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QSystemTrayIcon

from app.core.models import AlertKind, CrossDirection, Direction, TaskStatus, TriggerMode
from app.monitors.rules import EDITABLE_FIELDS, Rule, RuleValidationError, validate_rule
from app.services.monitor_worker import MonitorWorker
from app.ui.chart import CandleChart, LevelSet
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow
from app.ui.monitor_panel import MonitorPanel, RuleForm, RuleTableModel
from app.ui.rule_text import rule_summary, trigger_summary
from app.ui.settings import AppSettings

CODE = "600519.SH"


@pytest.fixture
def panel(qtbot: Any) -> MonitorPanel:
    widget = MonitorPanel()
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.new_rule(CODE)
    return widget


@pytest.fixture
def form(panel: MonitorPanel) -> RuleForm:
    return panel.form


@pytest.fixture
def chinese(qapp: Any) -> Any:
    translators = install_translators(qapp, "zh_CN")
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def type_into(qtbot: Any, form: RuleForm, **texts: str) -> None:
    """Type like the trader: unfold the section, click into the box, type (ASCII only)."""
    for name, text in texts.items():
        edit = getattr(form, name)
        assert isinstance(edit, QLineEdit), name
        section = form.section_of(edit)
        if section is not None and not section.is_expanded():
            qtbot.mouseClick(section.header, Qt.MouseButton.LeftButton)
        assert edit.isVisible(), f"{name} is not shown"
        edit.clear()
        qtbot.keyClicks(edit, text)


def choose(form: RuleForm, combo_name: str, data: str) -> None:
    combo = getattr(form, combo_name)
    index = combo.findData(data)
    assert index >= 0, (combo_name, data)
    combo.setCurrentIndex(index)


def build(qtbot: Any, form: RuleForm, choices: dict[str, str] | None = None, **texts: str) -> Rule:
    type_into(qtbot, form, task_name="rule")
    for combo, data in (choices or {}).items():
        choose(form, combo, data)
    type_into(qtbot, form, **texts)
    values = form.values()
    assert set(values) <= EDITABLE_FIELDS, set(values) - EDITABLE_FIELDS
    return validate_rule(values)


# ----- each condition and mode -------------------------------------------------------------
def test_blank_form_gives_none_for_every_empty_box(form: RuleForm) -> None:
    values = form.values()
    numeric = {
        "cost_price", "take_profit", "take_profit_pct", "stop_loss", "stop_loss_pct", "entry_min",
        "entry_max", "cross_level", "change_up_pct", "change_down_pct", "trailing_activation",
        "trailing_pct", "trailing_amount", "rebound_activation", "rebound_pct", "rebound_amount",
        "bar_timeframe", "cooldown_s", "rearm_band", "rearm_band_pct",
    }
    assert {name: values[name] for name in numeric} == dict.fromkeys(numeric)
    assert values["stock_code"] == CODE
    assert (values["direction"], values["trigger_mode"], values["cross_direction"]) == ("long", "once", "either")


def test_take_profit_and_stop_loss_as_prices(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, take_profit="1500", stop_loss="1300.5")
    assert (rule.take_profit, rule.stop_loss, rule.direction) == (1500.0, 1300.5, Direction.LONG)
    assert rule.watched_kinds == {AlertKind.TAKE_PROFIT, AlertKind.STOP_LOSS}


def test_take_profit_and_stop_loss_as_percent_of_cost(qtbot: Any, form: RuleForm) -> None:
    choose(form, "take_profit_mode", form.PERCENT)
    choose(form, "stop_loss_mode", form.PERCENT)
    assert form.take_profit.isHidden() and not form.take_profit_pct.isHidden()
    rule = build(qtbot, form, cost_price="1400", take_profit_pct="10", stop_loss_pct="5%")
    assert (rule.cost_price, rule.take_profit_pct, rule.stop_loss_pct) == (1400.0, 10.0, 5.0)
    assert rule.take_profit is None and rule.stop_loss is None
    assert rule.take_profit_level == pytest.approx(1540) and rule.stop_loss_level == pytest.approx(1330)
    assert form.take_profit_hint.text() == "≈ 1540"
    assert form.stop_loss_hint.text() == "≈ 1330"


def test_short_mirrors_percent_levels(qtbot: Any, form: RuleForm) -> None:
    choose(form, "take_profit_mode", form.PERCENT)
    rule = build(qtbot, form, {"direction": "short"}, cost_price="100", take_profit_pct="10", stop_loss="105")
    assert rule.direction is Direction.SHORT
    assert rule.take_profit_level == pytest.approx(90) and rule.stop_loss == 105
    assert form.take_profit_hint.text() == "≈ 90"
    assert "+5.00%" in form.stop_loss_hint.text()
    assert form.direction_hint.text().startswith("Short: take profit below the cost")


def test_switching_a_percent_back_to_a_price_sends_only_the_price(qtbot: Any, form: RuleForm) -> None:
    choose(form, "take_profit_mode", form.PERCENT)
    type_into(qtbot, form, cost_price="100", take_profit_pct="10")
    choose(form, "take_profit_mode", form.PRICE)
    rule = build(qtbot, form, take_profit="120")
    assert (rule.take_profit, rule.take_profit_pct) == (120.0, None)


def test_entry_zone(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, entry_min="1380", entry_max="1420")
    assert (rule.entry_min, rule.entry_max) == (1380.0, 1420.0)
    one_sided = build(qtbot, form, entry_max="")
    assert (one_sided.entry_min, one_sided.entry_max) == (1380.0, None)


@pytest.mark.parametrize(
    ("direction", "kinds"),
    [("up", {AlertKind.CROSS_UP}), ("down", {AlertKind.CROSS_DOWN}),
     ("either", {AlertKind.CROSS_UP, AlertKind.CROSS_DOWN})],
)
def test_crossing(qtbot: Any, form: RuleForm, direction: str, kinds: set[AlertKind]) -> None:
    rule = build(qtbot, form, {"cross_direction": direction}, cross_level="1450")
    assert (rule.cross_level, rule.cross_direction) == (1450.0, CrossDirection(direction))
    assert rule.watched_kinds == kinds


def test_change_vs_previous_close(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, change_up_pct="5", change_down_pct="3.5")
    assert (rule.change_up_pct, rule.change_down_pct) == (5.0, 3.5)
    assert rule.watched_kinds == {AlertKind.CHANGE_UP, AlertKind.CHANGE_DOWN}


def test_trailing_stop_percent_with_activation(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, trailing_activation="1500", trailing_pct="3")
    assert (rule.trailing_activation, rule.trailing_pct, rule.trailing_amount) == (1500.0, 3.0, None)
    assert rule.watched_kinds == {AlertKind.TRAILING_STOP}


def test_trailing_stop_amount_without_activation(qtbot: Any, form: RuleForm) -> None:
    assert not form.trailing_pct.isHidden() and form.trailing_amount.isHidden(), "% is the default"
    rule = build(qtbot, form, {"trailing_mode": form.AMOUNT}, trailing_amount="20")
    assert (rule.trailing_activation, rule.trailing_pct, rule.trailing_amount) == (None, None, 20.0)


def test_trailing_entry_percent_and_amount(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, rebound_activation="1350", rebound_pct="2")
    assert (rule.rebound_activation, rule.rebound_pct, rule.rebound_amount) == (1350.0, 2.0, None)
    assert rule.watched_kinds == {AlertKind.TRAILING_ENTRY}
    rule = build(qtbot, form, {"rebound_mode": form.AMOUNT}, rebound_amount="10")
    assert (rule.rebound_activation, rule.rebound_pct, rule.rebound_amount) == (1350.0, None, 10.0)


def test_trigger_once_is_the_default(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, stop_loss="1300")
    assert (rule.trigger_mode, rule.bar_timeframe, rule.cooldown_s) == (TriggerMode.ONCE, "1m", 0)
    assert rule.rearm_band is None and rule.rearm_band_pct is None


def test_trigger_once_per_bar(qtbot: Any, form: RuleForm) -> None:
    rule = build(qtbot, form, {"trigger_mode": "once_per_bar", "bar_timeframe": "15m"}, stop_loss="1300")
    assert (rule.trigger_mode, rule.bar_timeframe) == (TriggerMode.ONCE_PER_BAR, "15m")


def test_trigger_every_time_with_cooldown(qtbot: Any, form: RuleForm) -> None:
    choose(form, "trigger_mode", "every_time")
    form.cooldown_s.clear()
    qtbot.keyClicks(form.cooldown_s, "90")
    rule = build(qtbot, form, cross_level="1450")
    assert (rule.trigger_mode, rule.cooldown_s) == (TriggerMode.EVERY_TIME, 90)


@pytest.mark.parametrize(("mode", "box", "field"), [("price", "rearm_band", "rearm_band"),
                                                     ("percent", "rearm_band_pct", "rearm_band_pct")])
def test_trigger_rearm_with_band(qtbot: Any, form: RuleForm, mode: str, box: str, field: str) -> None:
    rule = build(qtbot, form, {"trigger_mode": "rearm", "rearm_mode": mode}, cross_level="1450", **{box: "0.5"})
    assert rule.trigger_mode is TriggerMode.REARM
    assert getattr(rule, field) == 0.5
    other = "rearm_band_pct" if field == "rearm_band" else "rearm_band"
    assert getattr(rule, other) is None


def test_mode_parameters_show_only_for_their_mode(form: RuleForm) -> None:
    rows = {
        "once": (),
        "once_per_bar": ("bar_timeframe_row",),
        "every_time": ("cooldown_row",),
        "rearm": ("rearm_row",),
    }
    for mode, shown in rows.items():
        choose(form, "trigger_mode", mode)
        for row in ("bar_timeframe_row", "cooldown_row", "rearm_row"):
            assert getattr(form, row).isHidden() is (row not in shown), (mode, row)
    choose(form, "rearm_mode", form.PERCENT)
    assert form.rearm_band.isHidden() and not form.rearm_band_pct.isHidden()
    choose(form, "rearm_mode", form.PRICE)
    assert not form.rearm_band.isHidden() and form.rearm_band_pct.isHidden()


def test_hidden_mode_parameters_are_not_saved(qtbot: Any, form: RuleForm) -> None:
    choose(form, "trigger_mode", "once_per_bar")
    choose(form, "bar_timeframe", "4h")  # not for A-shares, but it is not the chosen mode below
    choose(form, "trigger_mode", "once")
    rule = build(qtbot, form, stop_loss="1300")
    assert rule.bar_timeframe == "1m"


def test_sections_fold_and_say_when_something_is_set(qtbot: Any, form: RuleForm) -> None:
    section = form.cross_section
    assert not section.is_expanded(), "unused conditions start folded"
    assert form.exits_section.is_expanded(), "a new rule starts at take profit / stop loss"
    type_into(qtbot, form, cross_level="1450")
    assert section.is_expanded() and section.marker.text()
    qtbot.mouseClick(section.header, Qt.MouseButton.LeftButton)
    assert not section.is_expanded() and not form.cross_level.isVisible()
    assert form.values()["cross_level"] == 1450.0, "folding only hides"


def test_short_renames_the_trailing_sections(form: RuleForm) -> None:
    long_title = form.trailing_section.title()
    choose(form, "direction", "short")
    assert form.trailing_section.title() != long_title
    assert "short" in form.trailing_section.title()


# ----- round trip -------------------------------------------------------------------------
FULL = {
    "task_name": "茅台 全部条件",
    "stock_code": CODE,
    "stock_name": "贵州茅台",
    "cost_price": 1400,
    "take_profit_pct": 10,
    "stop_loss": 1300,
    "entry_min": 1380,
    "entry_max": 1420.5,
    "cross_level": 1450,
    "cross_direction": "up",
    "change_up_pct": 5,
    "change_down_pct": 3,
    "trailing_activation": 1500,
    "trailing_pct": 3,
    "rebound_activation": 1350,
    "rebound_amount": 10,
    "check_interval": 5,
    "trading_hours_only": True,
    "notification_enabled": False,
    "auto_trade": True,
    "quant_config": '{"k": 1}',
    "validity": "until",
    "valid_until": "2030-03-27T15:00:00+08:00",
}
SHORT = {
    **FULL,
    "direction": "short",
    "take_profit_pct": None,
    "take_profit": 1250,
    "stop_loss": None,
    "stop_loss_pct": 4,
    "entry_max": None,
    "cross_direction": "either",
    "trailing_pct": None,
    "trailing_amount": 15,
    "rebound_amount": None,
    "rebound_pct": 1.5,
}
MODES = [
    {"trigger_mode": "once"},
    {"trigger_mode": "once_per_bar", "bar_timeframe": "1h"},
    {"trigger_mode": "every_time", "cooldown_s": 300},
    {"trigger_mode": "rearm", "rearm_band": 2.5},
    {"trigger_mode": "rearm", "rearm_band_pct": 0.25},
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: "-".join(str(v) for v in m.values()))
@pytest.mark.parametrize("data", [FULL, SHORT], ids=["long", "short"])
def test_round_trip_load_then_values(form: RuleForm, data: dict[str, Any], mode: dict[str, Any]) -> None:
    stored = validate_rule({**data, **mode}).with_changes(id=7, status=TaskStatus.PAUSED)
    form.load(stored)
    again = validate_rule(form.values())
    assert again == stored.with_changes(id=None)
    values = form.values()
    for name, value in stored.to_dict().items():
        if name == "valid_until":
            continue  # naive on the market's clock in the form, placed in the zone by validation
        expected = value if name != "quant_config" else '{"k": 1}'
        if name in ("bar_timeframe", "cooldown_s") and name not in mode:
            expected = None  # a parameter of another mode is not sent
        assert values[name] == expected, name


def test_loading_unfolds_the_sections_in_use(form: RuleForm) -> None:
    form.load(validate_rule({"task_name": "x", "stock_code": CODE, "rebound_pct": 2}))
    assert form.rebound_section.is_expanded()
    assert not form.exits_section.is_expanded() and not form.cross_section.is_expanded()
    form.load(None, code=CODE)
    assert form.exits_section.is_expanded() and not form.rebound_section.is_expanded()


# ----- refusals -------------------------------------------------------------------------
def outlined(widget: Any) -> bool:
    return "#d32f2f" in widget.styleSheet()


def test_refusal_outlines_the_field_in_chinese(qtbot: Any, panel: MonitorPanel, chinese: Any) -> None:
    form = panel.form
    choose(form, "direction", "short")
    type_into(qtbot, form, task_name="short", take_profit="100", stop_loss="90")
    with qtbot.assertNotEmitted(panel.save_requested, wait=100):
        assert not panel.submit()
    assert panel.message.text() == "止损价：做空时必须高于止盈价（90 ≤ 100）"
    assert outlined(form.stop_loss) and not outlined(form.take_profit)


def test_refusal_in_a_folded_section_unfolds_it(qtbot: Any, panel: MonitorPanel, chinese: Any) -> None:
    form = panel.form
    type_into(qtbot, form, task_name="rebound", rebound_activation="1350")
    choose(form, "rebound_mode", form.AMOUNT)
    qtbot.mouseClick(form.rebound_section.header, Qt.MouseButton.LeftButton)
    assert not form.rebound_section.is_expanded()
    assert not panel.submit()
    assert form.rebound_section.is_expanded()
    assert outlined(form.rebound_amount), "the shown box (amount), not the hidden %"
    assert panel.message.text() == "反弹幅度或金额：设置了“反弹买入启动价”时必须填写"


def test_refusal_from_the_worker_outlines_the_mode_parameter(panel: MonitorPanel, chinese: Any) -> None:
    form = panel.form
    choose(form, "trigger_mode", "once_per_bar")
    choose(form, "bar_timeframe", "4h")
    with pytest.raises(RuleValidationError) as info:
        validate_rule({**form.values(), "task_name": "x", "stop_loss": 1})
    panel.on_rule_refused(None, info.value)
    assert outlined(form.bar_timeframe)
    assert panel.message.text().startswith("K线周期：该市场没有 4小时 K线")


def test_a_refusal_of_someone_elses_save_leaves_the_form_alone(
    panel: MonitorPanel, chinese: Any
) -> None:
    """A level dragged on the chart is refused where it was dragged, not in the form."""
    with pytest.raises(RuleValidationError) as info:
        validate_rule({"task_name": "x", "stock_code": "600519.SH", "stop_loss": 10,
                       "take_profit": 5})
    panel.show_message("")
    panel.on_rule_refused(object(), info.value)  # a token the panel never sent
    assert panel.message.text() == "" and not outlined(panel.form.stop_loss)


def test_no_condition_outlines_the_main_condition_boxes(qtbot: Any, panel: MonitorPanel) -> None:
    type_into(qtbot, panel.form, task_name="empty")
    assert not panel.submit()
    form = panel.form
    assert all(outlined(w) for w in (form.take_profit, form.stop_loss, form.entry_min, form.cross_level))
    assert "at least one condition" in panel.message.text()


@pytest.mark.parametrize(
    ("texts", "field", "code"),
    [
        ({"change_down_pct": "100"}, "change_down_pct", "percent_range"),
        ({"trailing_pct": "abc"}, "trailing_pct", "not_number"),
        ({"cross_level": "-3"}, "cross_level", "not_positive"),
    ],
)
def test_bad_numbers_are_refused_by_name(
    qtbot: Any, panel: MonitorPanel, texts: dict[str, str], field: str, code: str
) -> None:
    type_into(qtbot, panel.form, task_name="bad", **texts)
    with pytest.raises(RuleValidationError) as info:
        validate_rule(panel.form.values())
    assert (info.value.field, info.value.code) == (field, code)
    assert not panel.submit()
    assert outlined(panel.form.field_widgets()[field])


# ----- display ------------------------------------------------------------------------------
def test_rule_table_summarises_conditions_and_trigger(panel: MonitorPanel, chinese: Any) -> None:
    rule = validate_rule({**SHORT, "trigger_mode": "every_time", "cooldown_s": 60}).with_changes(id=1)
    paused = validate_rule({"task_name": "p", "stock_code": CODE, "cross_level": 10}).with_changes(
        id=2, status=TaskStatus.PAUSED, fired=frozenset({AlertKind.CROSS_UP})
    )
    panel.set_rules([rule, paused])
    model = panel.model
    column = RuleTableModel.COLUMNS.index
    summary = model.index(0, column("conditions")).data()
    assert summary == rule_summary(rule)
    for part in ("[空]", "止盈 1250", "止损 +4%（≈1456）", "穿越 1450", "涨幅 ≥ 5%", "反弹平空 15（1500 启动）",
                 "回落开空 1.5%（1350 启动）"):
        assert part in summary, part
    assert model.index(0, column("trigger")).data() == trigger_summary(rule) == "每次（冷却 60 秒）"
    assert model.index(1, column("status")).data() == "已暂停·触发过频"
    assert model.index(1, column("fired")).data() == "上穿"
    assert model.index(1, column("status")).data(Qt.ItemDataRole.ToolTipRole)
    assert panel.start_button.isEnabled() is False  # nothing selected yet
    panel.table.selectRow(1)
    assert panel.start_button.isEnabled(), "a paused rule can be started again"


def test_chart_levels_from_a_rule_include_cross_and_resolved_percent(qtbot: Any) -> None:
    rule = validate_rule({
        "task_name": "lines", "stock_code": CODE, "cost_price": 100, "take_profit_pct": 10,
        "stop_loss_pct": 5, "cross_level": 104, "cross_direction": "down",
        "trailing_activation": 108, "trailing_pct": 2, "rebound_activation": 96, "rebound_pct": 1,
    })
    level = LevelSet.from_rule(rule)
    assert (level.take_profit, level.stop_loss) == (pytest.approx(110), pytest.approx(95))
    assert (level.cross_level, level.cross_direction) == (104, "down")
    assert (level.trailing_activation, level.rebound_activation) == (108, 96)
    chart = CandleChart()
    qtbot.addWidget(chart)
    chart.set_levels([level])
    values = sorted(round(item.value(), 6) for item in chart.level_items)
    assert values == [95, 96, 104, 108, 110]
    cross = next(item for item in chart.level_items if item.value() == 104)
    assert cross.label.format.startswith("Cross ↓ 104")


# ----- runaway guard notice -------------------------------------------------------------
if hasattr(MonitorWorker, "rules_paused"):
    PausingWorker = MonitorWorker
else:  # the runaway guard's signal is not in the worker yet: the window's side still counts

    class PausingWorker(MonitorWorker):  # type: ignore[no-redef]
        rules_paused = Signal(list)


def test_paused_rules_are_announced_in_status_bar_tray_and_panel(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chinese: Any
) -> None:
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *args: shown.append(args))
    worker = PausingWorker(tmp_path / "monitor.db")  # never opened: only its signals are used
    window = MainWindow(settings=AppSettings(tmp_path / "settings.ini"), worker=worker, db_path=tmp_path / "m.db")
    qtbot.addWidget(window)
    try:
        rule = validate_rule({"task_name": "茅台穿越", "stock_code": CODE, "cross_level": 1450}).with_changes(id=4)
        window.set_rules([rule])
        worker.rules_paused.emit([rule.with_changes(status=TaskStatus.PAUSED)])
        notice = "规则「茅台穿越」触发过于频繁，已暂停"
        assert window.statusBar().currentMessage() == notice
        assert shown and shown[-1][0] == "规则已暂停" and notice in shown[-1][1]
        assert shown[-1][2] == QSystemTrayIcon.MessageIcon.Warning
        panel = window.monitor_panel
        assert panel.model.rule_at(0).status is TaskStatus.PAUSED
        status = panel.model.index(0, RuleTableModel.COLUMNS.index("status")).data()
        assert status == "已暂停·触发过频"
        assert panel.message.text() == notice
    finally:
        window.shutdown()


def test_rule_table_updates_changed_rows_in_place(panel: MonitorPanel) -> None:
    """A fired rule changes one row: no reset (which makes the view re-read every cell of
    every visible row, thousands of calls with a whole market of rules)."""
    rules = [validate_rule({"task_name": f"r{i}", "stock_code": CODE, "cross_level": 10 + i})
             .with_changes(id=i + 1) for i in range(50)]
    panel.set_rules(rules)
    model = panel.model
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    fired = rules[7].with_changes(status=TaskStatus.TRIGGERED)
    panel.set_rules([*rules[:7], fired, *rules[8:]])
    assert not resets and changed == [(7, 7)]
    assert model.rule_at(7) is not None and model.rule_at(7).status is TaskStatus.TRIGGERED
    panel.set_rules(rules[:10])  # a different list: a reset
    assert resets and model.rowCount() == 10
    assert panel.table.horizontalHeader().resizeContentsPrecision() == 0


def test_tray_mute_silences_alert_sounds_for_30_minutes(qtbot: Any, tmp_path: Path) -> None:
    worker = PausingWorker(tmp_path / "monitor.db")  # never opened: only its signals are used
    window = MainWindow(settings=AppSettings(tmp_path / "settings.ini"), worker=worker,
                        db_path=tmp_path / "m.db")
    qtbot.addWidget(window)
    try:
        assert window.sound.enabled
        window.tray.mute_action.trigger()
        assert not window.sound.enabled and window.muted_until is not None
        assert 29 * 60 < window.muted_until - time.time() <= 30 * 60
        assert window._unmute_timer.isActive() and window._unmute_timer.interval() == 30 * 60_000
        assert "muted until" in window.statusBar().currentMessage()
        window._unmute_timer.timeout.emit()  # 30 minutes later
        assert window.sound.enabled and window.muted_until is None
        assert not window.tray.mute_action.isChecked()
        window.sound_action.setChecked(False)  # the trader's own setting wins after a mute
        window.set_muted(True)
        window.set_muted(False)
        assert not window.sound.enabled
    finally:
        window.shutdown()
