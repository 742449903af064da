"""The Settings dialog: it shows what is stored, OK / Apply store exactly what the trader
changed (read back from the ini file in a fresh AppSettings) and say which settings
those were, Cancel stores nothing, a damaged ini shows the defaults, half-typed numbers
are refused, and every piece of its text goes through Qt's translation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QSpinBox,
)

from app.ui.preferences import LIVE_KEYS, PREFERENCE_KEYS, RESTART_KEYS, PreferencesDialog
from app.ui.settings import (
    CHART_TIMEFRAMES,
    DEMO_SPEEDS,
    POPUP_SECONDS_RANGE,
    SNOOZE_MINUTES_RANGE,
    STOP_LOSS_REPEAT_RANGE,
    AppSettings,
)

DEFAULTS = {
    "demo_speed": 1.0,
    "sound_enabled": True,
    "stop_loss_repeat": False,
    "stop_loss_repeat_s": 5,
    "popup_seconds": 10,
    "stop_loss_popup_seconds": 0,
    "snooze_minutes": 5,
    "close_to_tray": True,
    "tray_balloons": True,
    "language": "auto",
    "up_color_convention": "red_up",
    "chart_timeframe": "1m",
}
STORED = {  # every value differs from the default
    "demo_speed": 16.0,
    "sound_enabled": False,
    "stop_loss_repeat": True,
    "stop_loss_repeat_s": 9,
    "popup_seconds": 25,
    "stop_loss_popup_seconds": 90,
    "snooze_minutes": 20,
    "close_to_tray": False,
    "tray_balloons": False,
    "language": "zh_CN",
    "up_color_convention": "green_up",
    "chart_timeframe": "1h",
}


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_dialog(ini: Path, qtbot: Any) -> Any:
    def make(*, settings: AppSettings | None = None, tray_available: bool = True) -> PreferencesDialog:
        dialog = PreferencesDialog(settings or AppSettings(ini), tray_available=tray_available)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def store(ini: Path, values: dict[str, Any]) -> AppSettings:
    settings = AppSettings(ini)
    for key, value in values.items():
        setattr(settings, key, value)
    settings.sync()
    return settings


def stored(ini: Path) -> dict[str, Any]:
    """The preferences as a fresh AppSettings reads them from the file."""
    settings = AppSettings(ini)
    return {key: getattr(settings, key) for key in PREFERENCE_KEYS}


def pick(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def button(dialog: PreferencesDialog, which: QDialogButtonBox.StandardButton) -> QAbstractButton:
    return dialog.buttons.button(which)


def record(dialog: PreferencesDialog) -> list[set[str]]:
    applied: list[set[str]] = []
    dialog.settings_applied.connect(applied.append)
    return applied


def set_spin(qtbot: Any, spin: QSpinBox, text: str) -> None:
    """Type into a spin box as the trader does."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Backspace)
    qtbot.keyClicks(spin.lineEdit(), text)


# ----- what the dialog shows ---------------------------------------------------------


def test_keys_cover_the_dialog() -> None:
    assert set(PREFERENCE_KEYS) == set(DEFAULTS)
    assert RESTART_KEYS == {"language"}
    assert LIVE_KEYS == set(DEFAULTS) - {"language"}


def test_defaults_when_nothing_is_stored(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    assert dialog.values() == DEFAULTS
    assert dialog.sound_check.isChecked() and not dialog.repeat_check.isChecked()
    assert dialog.stop_loss_sticky_check.isChecked()
    assert not dialog.stop_loss_popup_spin.isEnabled()
    assert dialog.speed_combo.currentText() == "1×"
    assert not dialog.apply_button.isEnabled()  # nothing edited yet
    assert stored(ini) == DEFAULTS


def test_each_control_shows_the_stored_value(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog(settings=store(ini, STORED))
    assert dialog.values() == STORED
    assert dialog.speed_combo.currentText() == "16×"
    assert not dialog.sound_check.isChecked()
    assert dialog.repeat_check.isChecked()
    assert dialog.repeat_spin.value() == 9
    assert dialog.popup_spin.value() == 25
    assert not dialog.stop_loss_sticky_check.isChecked()
    assert dialog.stop_loss_popup_spin.value() == 90 and dialog.stop_loss_popup_spin.isEnabled()
    assert dialog.snooze_spin.value() == 20
    assert not dialog.close_to_tray_check.isChecked()
    assert not dialog.balloons_check.isChecked()
    assert dialog.language_combo.currentText() == "简体中文"
    assert dialog.up_color_combo.currentText() == "Green up, red down"
    assert dialog.timeframe_combo.currentText() == "1 hour"
    assert not dialog.apply_button.isEnabled()


def test_choices_and_ranges(make_dialog: Any) -> None:
    dialog = make_dialog()
    combo = dialog.speed_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(DEMO_SPEEDS)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "0.25×", "1×", "4×", "16×", "64×", "256×"]
    combo = dialog.timeframe_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(CHART_TIMEFRAMES)
    combo = dialog.language_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["auto", "zh_CN", "en"]
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Follow system", "简体中文", "English"]
    combo = dialog.up_color_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Red up, green down (A-share)", "Green up, red down"]
    for spin, bounds in ((dialog.repeat_spin, STOP_LOSS_REPEAT_RANGE),
                         (dialog.popup_spin, POPUP_SECONDS_RANGE),
                         (dialog.stop_loss_popup_spin, POPUP_SECONDS_RANGE),
                         (dialog.snooze_spin, SNOOZE_MINUTES_RANGE)):
        assert (spin.minimum(), spin.maximum()) == bounds
    assert POPUP_SECONDS_RANGE[0] > 0  # "0" (never close) is not offered for entry popups
    assert "restart" in dialog.language_note.text()


@pytest.mark.parametrize("bad", ["abc", "", "-3", "9999", "3.5", "@Invalid()"])
def test_bad_stored_values_show_the_defaults(make_dialog: Any, ini: Path, bad: str) -> None:
    ini.write_text(
        f"[ui]\nlanguage={bad}\n[feed]\ndemo_speed={bad}\n"
        f"[alerts]\nsound={bad}\nstop_loss_repeat={bad}\nstop_loss_repeat_s={bad}\n"
        f"popup_seconds={bad}\nstop_loss_popup_seconds={bad}\nsnooze_minutes={bad}\n"
        f"[tray]\nclose_to_tray={bad}\nballoons={bad}\n"
        f"[chart]\nup_color={bad}\ntimeframe={bad}\n",
        encoding="utf-8",
    )
    before = ini.read_text(encoding="utf-8")
    dialog = make_dialog()
    expected = dict(DEFAULTS)
    if bad in ("9999", "3.5"):  # positive speeds: the nearest offered one is shown
        expected["demo_speed"] = 256.0 if bad == "9999" else 4.0
    assert dialog.values() == expected
    # OK without touching anything does not "repair" the file behind the trader's back.
    applied = record(dialog)
    dialog.ok_button.click()
    assert applied == [] and dialog.changed_keys() == set()
    assert ini.read_text(encoding="utf-8") == before


# ----- OK, Apply, Cancel -------------------------------------------------------------


def test_ok_writes_the_changed_values_and_reports_exactly_them(
    make_dialog: Any, ini: Path, qtbot: Any
) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    dialog.tabs.setCurrentWidget(dialog.alerts_page)
    dialog.sound_check.click()  # off
    set_spin(qtbot, dialog.popup_spin, "30")
    pick(dialog.timeframe_combo, "5m")
    pick(dialog.up_color_combo, "green_up")
    assert dialog.pending_keys() == {
        "sound_enabled", "popup_seconds", "chart_timeframe", "up_color_convention"}
    assert dialog.apply_button.isEnabled()
    assert stored(ini) == DEFAULTS  # nothing written before OK
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    expected = {"sound_enabled", "popup_seconds", "chart_timeframe", "up_color_convention"}
    assert applied == [expected]
    assert dialog.changed_keys() == expected
    assert not dialog.restart_needed()
    assert stored(ini) == {**DEFAULTS, "sound_enabled": False, "popup_seconds": 30,
                           "chart_timeframe": "5m", "up_color_convention": "green_up"}
    text = ini.read_text(encoding="utf-8")
    for untouched in ("snooze", "language", "demo_speed", "balloons", "close_to_tray"):
        assert untouched not in text


def test_every_setting_is_written(make_dialog: Any, ini: Path, qtbot: Any) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    pick(dialog.speed_combo, 16.0)
    dialog.repeat_check.setChecked(True)
    dialog.repeat_spin.setValue(9)
    dialog.sound_check.setChecked(False)  # the repeat keeps its value while greyed out
    dialog.popup_spin.setValue(25)
    dialog.stop_loss_sticky_check.setChecked(False)
    dialog.stop_loss_popup_spin.setValue(90)
    dialog.snooze_spin.setValue(20)
    dialog.close_to_tray_check.setChecked(False)
    dialog.balloons_check.setChecked(False)
    pick(dialog.language_combo, "zh_CN")
    pick(dialog.up_color_combo, "green_up")
    pick(dialog.timeframe_combo, "1h")
    assert dialog.values() == STORED
    dialog.ok_button.click()
    assert applied == [set(PREFERENCE_KEYS)]
    assert stored(ini) == STORED
    assert dialog.restart_needed()


def test_cancel_writes_nothing(make_dialog: Any, ini: Path) -> None:
    store(ini, STORED)
    before = ini.read_text(encoding="utf-8")
    dialog = make_dialog()
    applied = record(dialog)
    dialog.sound_check.setChecked(True)
    dialog.snooze_spin.setValue(45)
    pick(dialog.language_combo, "en")
    button(dialog, QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert applied == [] and dialog.changed_keys() == set()
    assert ini.read_text(encoding="utf-8") == before
    assert stored(ini) == STORED


def test_apply_stores_and_keeps_the_dialog_open(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    dialog.snooze_spin.setValue(15)
    dialog.apply_button.click()
    assert dialog.isVisible()
    assert applied == [{"snooze_minutes"}]
    assert stored(ini)["snooze_minutes"] == 15
    assert not dialog.apply_button.isEnabled()  # stored: nothing pending
    # Each press reports only its own changes; changed_keys() has them all.
    pick(dialog.language_combo, "en")
    dialog.snooze_spin.setValue(15)  # unchanged since Apply
    dialog.ok_button.click()
    assert applied == [{"snooze_minutes"}, {"language"}]
    assert dialog.changed_keys() == {"snooze_minutes", "language"}
    assert dialog.restart_needed()
    assert stored(ini) == {**DEFAULTS, "snooze_minutes": 15, "language": "en"}


def test_cancel_after_apply_keeps_what_apply_stored(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    dialog.balloons_check.setChecked(False)
    assert dialog.apply() == {"tray_balloons"}
    dialog.popup_spin.setValue(200)
    dialog.reject()
    assert dialog.changed_keys() == {"tray_balloons"}
    assert stored(ini) == {**DEFAULTS, "tray_balloons": False}


def test_changing_back_is_no_change(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    pick(dialog.timeframe_combo, "30m")
    assert dialog.apply_button.isEnabled()
    pick(dialog.timeframe_combo, "1m")
    assert not dialog.apply_button.isEnabled()
    dialog.ok_button.click()
    assert applied == [] and dialog.changed_keys() == set()
    assert not ini.exists() or "timeframe" not in ini.read_text(encoding="utf-8")


def test_a_rounded_demo_speed_is_not_written_unless_chosen(make_dialog: Any, ini: Path) -> None:
    ini.write_text("[feed]\ndemo_speed=3\n", encoding="utf-8")
    dialog = make_dialog()
    assert dialog.speed_combo.currentText() == "4×"  # the nearest offered speed
    dialog.ok_button.click()
    assert AppSettings(ini).demo_speed == 3.0
    dialog = make_dialog()
    applied = record(dialog)
    pick(dialog.speed_combo, 0.25)
    dialog.ok_button.click()
    assert applied == [{"demo_speed"}]
    assert AppSettings(ini).demo_speed == 0.25


# ----- validation and dependent controls ----------------------------------------------


def test_half_typed_number_keeps_the_dialog_open(make_dialog: Any, ini: Path, qtbot: Any) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    pick(dialog.language_combo, "en")
    dialog.tabs.setCurrentIndex(0)
    set_spin(qtbot, dialog.popup_spin, "1")  # 1 is below 3: Qt keeps the old value
    assert dialog.popup_spin.value() == 10 and not dialog.popup_spin.hasAcceptableInput()
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_label.isVisible()
    assert "3 to 300" in dialog.error_label.text()
    assert "Entry and take-profit popups" in dialog.error_label.text()
    assert dialog.tabs.currentWidget() is dialog.alerts_page  # shows the box at fault
    assert applied == [] and stored(ini) == DEFAULTS  # all or nothing: not even the language
    set_spin(qtbot, dialog.popup_spin, "")
    dialog.apply_button.setEnabled(True)
    assert dialog.apply() is None and stored(ini) == DEFAULTS
    set_spin(qtbot, dialog.popup_spin, "12")
    assert not dialog.error_label.isVisible()  # typing clears the complaint
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert applied == [{"language", "popup_seconds"}]
    assert stored(ini) == {**DEFAULTS, "language": "en", "popup_seconds": 12}


def test_numbers_beyond_the_range_cannot_be_entered(make_dialog: Any, ini: Path,
                                                   qtbot: Any) -> None:
    dialog = make_dialog()
    set_spin(qtbot, dialog.snooze_spin, "999")  # the box refuses the keys that overflow
    assert 1 <= dialog.snooze_spin.value() <= 60
    dialog.repeat_spin.setValue(0)
    assert dialog.repeat_spin.value() == 2
    dialog.stop_loss_popup_spin.setValue(10_000)
    assert dialog.stop_loss_popup_spin.value() == 300
    dialog.ok_button.click()
    assert not dialog.isVisible()
    values = stored(ini)
    assert 1 <= values["snooze_minutes"] <= 60
    assert values["stop_loss_repeat_s"] == 2


def test_stop_loss_popup_until_acknowledged_or_seconds(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    assert dialog.stop_loss_sticky_check.isChecked()
    dialog.stop_loss_sticky_check.setChecked(False)
    assert dialog.stop_loss_popup_spin.isEnabled()
    dialog.stop_loss_popup_spin.setValue(45)
    dialog.ok_button.click()
    assert AppSettings(ini).stop_loss_popup_seconds == 45
    dialog = make_dialog()
    assert not dialog.stop_loss_sticky_check.isChecked()
    assert dialog.stop_loss_popup_spin.value() == 45
    dialog.stop_loss_sticky_check.setChecked(True)
    assert not dialog.stop_loss_popup_spin.isEnabled()
    assert dialog.values()["stop_loss_popup_seconds"] == 0
    dialog.ok_button.click()
    assert AppSettings(ini).stop_loss_popup_seconds == 0


def test_repeat_needs_the_sound(make_dialog: Any) -> None:
    dialog = make_dialog()
    assert dialog.repeat_check.isEnabled() and not dialog.repeat_spin.isEnabled()
    dialog.repeat_check.setChecked(True)
    assert dialog.repeat_spin.isEnabled()
    dialog.sound_check.setChecked(False)
    assert not dialog.repeat_check.isEnabled() and not dialog.repeat_spin.isEnabled()
    assert dialog.values()["stop_loss_repeat"] is True  # kept for when the sound is back
    dialog.sound_check.setChecked(True)
    assert dialog.repeat_spin.isEnabled()


def test_tray_options_without_a_tray(make_dialog: Any) -> None:
    dialog = make_dialog(tray_available=False)
    assert not dialog.close_to_tray_check.isEnabled()
    assert not dialog.balloons_check.isEnabled()
    assert not dialog.tray_note.isHidden()
    assert make_dialog().tray_note.isHidden()


# ----- the price feed page ----------------------------------------------------------


def test_feed_button_emits_the_signal(make_dialog: Any, qtbot: Any) -> None:
    dialog = make_dialog()
    with qtbot.waitSignal(dialog.feed_settings_requested, timeout=1000):
        qtbot.mouseClick(dialog.feed_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # the feed dialog opens on top; Settings stays


def test_feed_summary_follows_the_stored_feed(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    dialog = make_dialog(settings=settings)
    assert dialog.feed_summary.text().startswith("Demo")
    assert not dialog.speed_note.isVisibleTo(dialog)

    settings.feed_kind = "exchange"
    settings.exchange_id = "okx"
    settings.exchange_market_type = "swap"
    settings.exchange_symbols = ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    settings.exchange_address = "127.0.0.1:8765"
    dialog.refresh_feed_summary()  # what the window calls after the feed dialog
    text = dialog.feed_summary.text()
    assert "okx" in text and "perpetual swap" in text
    assert "BTC/USDT:USDT, ETH/USDT:USDT" in text and "http://127.0.0.1:8765" in text
    assert dialog.speed_note.isVisibleTo(dialog)

    settings.feed_kind = "qmt"
    settings.qmt_codes = [f"6000{n:02d}.SH" for n in range(10)]
    settings.qmt_whole_market = True
    settings.qmt_port = 58610
    dialog.refresh_feed_summary()
    text = dialog.feed_summary.text()
    assert text.startswith("QMT")
    assert "600000.SH" in text and "600007.SH" in text and "600008.SH" not in text
    assert "and 2 more" in text
    assert "whole A-share market" in text and "58610" in text
    settings.qmt_whole_market = False
    settings.qmt_codes = ["000001.SZ"]
    settings.qmt_port = None
    dialog.refresh_feed_summary()
    assert dialog.feed_summary.text() == "QMT / MiniQMT (A-shares): 000001.SZ"


# ----- language and translation -----------------------------------------------------


def test_language_change_is_reported_and_needs_a_restart(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    applied = record(dialog)
    pick(dialog.language_combo, "en")
    dialog.ok_button.click()
    assert applied == [{"language"}]
    assert dialog.changed_keys() & RESTART_KEYS == {"language"}
    assert dialog.restart_needed()
    assert AppSettings(ini).language == "en"
    dialog = make_dialog()
    assert dialog.language_combo.currentData() == "en"
    pick(dialog.language_combo, "auto")
    dialog.ok_button.click()
    assert AppSettings(ini).language == "auto"


class MarkingTranslator(QTranslator):
    """Translates every string to "译" + the English text."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return "译" + source

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def test_all_text_is_translatable(qapp: Any, make_dialog: Any, ini: Path) -> None:
    settings = store(ini, {"feed_kind": "qmt"})
    translator = MarkingTranslator()
    qapp.installTranslator(translator)
    try:
        dialog = make_dialog(settings=settings)
        dialog.stop_loss_sticky_check.setChecked(False)
        dialog.popup_spin.lineEdit().setText("")
        dialog.apply()
    finally:
        QCoreApplication.removeTranslator(translator)
    texts = [dialog.windowTitle()]
    texts += [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    texts += [w.title() for w in dialog.findChildren(QGroupBox)]
    texts += [w.text() for w in dialog.findChildren(QAbstractButton) if w.parent() is not dialog.buttons]
    texts += [w.text() for w in dialog.findChildren(QLabel) if w.text()]
    texts += [w.suffix() for w in dialog.findChildren(QSpinBox)]
    texts += [w.toolTip() for w in dialog.findChildren(QSpinBox) if w.toolTip()]
    for combo in (dialog.up_color_combo, dialog.timeframe_combo):
        texts += [combo.itemText(i) for i in range(combo.count())]
    texts.append(dialog.language_combo.itemText(0))
    # Qt's own OK / Cancel / Apply come from qtbase's catalogue, the speeds are numbers,
    # the languages are named in their own words.
    texts = [t for t in texts if t and t not in ("OK", "Cancel", "Apply", "&OK", "&Cancel", "&Apply")]
    untranslated = [t for t in texts if not t.startswith("译")]
    assert len(texts) > 30
    assert not untranslated
    assert dialog.feed_summary.text().startswith("译QMT")
    assert dialog.error_label.text().startswith("译")  # the refusal too
