"""The Settings dialog (设置): price feed summary, demo speed, alert sounds and popups, the
tray, the language and the chart's colours and timeframe.

Nothing is stored until OK or Apply, and then only what the trader changed: every page is
compared with what it showed when the dialog opened (or at the last Apply), so a value
the dialog merely rounded for display (a hand-edited demo speed of 3×, shown as 4×) is
never written behind the trader's back. The names of the written settings (AppSettings
property names, e.g. ``"popup_seconds"``) go out with ``settings_applied`` so the window
applies the live ones at once; only ``language`` (``RESTART_KEYS``) needs a restart.

The spin boxes limit every number to its range; a half-typed number (an empty box, "1"
where 3 is the least) keeps the dialog open with the reason instead of being guessed.

The feed itself is edited in its own dialog (``FeedSettingsDialog``): "Change price
feed…" emits ``feed_settings_requested`` and the window opens it, then calls
``refresh_feed_summary()``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import AUTO
from app.ui.rule_text import timeframe_label
from app.ui.settings import (
    CHART_TIMEFRAMES,
    DEMO_SPEEDS,
    POPUP_SECONDS_RANGE,
    SNOOZE_MINUTES_RANGE,
    STOP_LOSS_REPEAT_RANGE,
    UP_COLOR_CONVENTIONS,
    AppSettings,
    demo_speed_index,
)
from app.ui.symbol_search import ERROR_STYLE, fill

__all__ = ["LIVE_KEYS", "PREFERENCE_KEYS", "RESTART_KEYS", "PreferencesDialog"]

NOTE_STYLE = "QLabel { color: #616161; }"
#: Shown in the stop-loss seconds box while "stay until acknowledged" is ticked.
STOP_LOSS_TIMED_FALLBACK_S = 30
#: Symbols named in the feed summary before "and N more".
SUMMARY_SYMBOLS = 8

#: The AppSettings properties this dialog edits.
PREFERENCE_KEYS = (
    "demo_speed",
    "sound_enabled",
    "stop_loss_repeat",
    "stop_loss_repeat_s",
    "popup_seconds",
    "stop_loss_popup_seconds",
    "snooze_minutes",
    "close_to_tray",
    "tray_balloons",
    "language",
    "up_color_convention",
    "chart_timeframe",
)
#: Settings that only take effect after a restart; the window offers one for them.
RESTART_KEYS = frozenset({"language"})
#: Settings the window applies at once.
LIVE_KEYS = frozenset(PREFERENCE_KEYS) - RESTART_KEYS


class PreferencesDialog(QDialog):
    """The trader's preferences, on four tabs. OK and Apply store what changed (Apply
    keeps the dialog open); Cancel stores nothing (what Apply already stored stays).

    ``tray_available``: False on a desktop without a system tray; the tray options are
    then shown disabled with the reason.
    """

    #: "Change price feed…" was clicked: the window opens the feed dialog.
    feed_settings_requested = Signal()
    #: OK or Apply stored these settings (a ``set[str]`` of AppSettings property names);
    #: not emitted when nothing changed.
    settings_applied = Signal(object)

    def __init__(
        self,
        settings: AppSettings,
        *,
        tray_available: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self._changed: set[str] = set()

        # ----- price feed
        self.feed_summary = QLabel()
        self.feed_summary.setWordWrap(True)
        self.feed_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.feed_button = QPushButton(self.tr("Change price feed…"))
        self.feed_button.setAutoDefault(False)
        self.feed_note = _note(self.tr("A new price feed is used after a restart."))
        self.speed_combo = QComboBox()
        for speed in DEMO_SPEEDS:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.speed_note = _note(self.tr("Used only by the demo feed."))

        # ----- notifications and sounds
        self.sound_check = QCheckBox(self.tr("Play alert sounds"))
        self.repeat_check = QCheckBox(self.tr("Stop-loss sound repeats until acknowledged"))
        self.repeat_spin = _spin(STOP_LOSS_REPEAT_RANGE, self.tr(" s"))
        self.popup_spin = _spin(POPUP_SECONDS_RANGE, self.tr(" s"))
        self.stop_loss_sticky_check = QCheckBox(self.tr("Stay until acknowledged"))
        self.stop_loss_popup_spin = _spin(POPUP_SECONDS_RANGE, self.tr(" s"))
        self.snooze_spin = _spin(SNOOZE_MINUTES_RANGE, self.tr(" min"))
        self.close_to_tray_check = QCheckBox(
            self.tr("Minimise to the tray when the window is closed (alerts keep working)")
        )
        self.balloons_check = QCheckBox(self.tr("Show alerts as tray messages"))
        self.tray_note = _note(self.tr("This desktop has no system tray."))
        self.tray_note.setVisible(not tray_available)
        for check in (self.close_to_tray_check, self.balloons_check):
            check.setEnabled(tray_available)

        # ----- language
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("Follow system"), AUTO)
        self.language_combo.addItem("简体中文", "zh_CN")  # each language in its own words
        self.language_combo.addItem("English", "en")
        self.language_note = _note(self.tr("The language changes after a restart."))

        # ----- chart
        self.up_color_combo = QComboBox()
        up_color_labels = {
            "red_up": self.tr("Red up, green down (A-share)"),
            "green_up": self.tr("Green up, red down"),
        }
        for convention in UP_COLOR_CONVENTIONS:
            self.up_color_combo.addItem(up_color_labels[convention], convention)
        self.timeframe_combo = QComboBox()
        for timeframe in CHART_TIMEFRAMES:
            self.timeframe_combo.addItem(timeframe_label(timeframe), timeframe)  # as the toolbar

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self._layout()

        self._load()
        self._baseline = self.values()
        self.refresh_feed_summary()
        self._update_enabled()
        self._update_apply()

        self.feed_button.clicked.connect(self.feed_settings_requested)
        for check in (self.sound_check, self.repeat_check, self.stop_loss_sticky_check):
            check.toggled.connect(lambda _on: self._update_enabled())
        for check in (self.sound_check, self.repeat_check, self.stop_loss_sticky_check,
                      self.close_to_tray_check, self.balloons_check):
            check.toggled.connect(lambda _on: self._on_edited())
        for spin in self._spins():
            spin.valueChanged.connect(lambda _v: self._on_edited())
            spin.lineEdit().textEdited.connect(lambda _t: self._on_edited())
        for combo in (self.speed_combo, self.language_combo, self.up_color_combo,
                      self.timeframe_combo):
            combo.currentIndexChanged.connect(lambda _i: self._on_edited())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)

    # ----- public -------------------------------------------------------------------
    @property
    def apply_button(self) -> QAbstractButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Apply)

    @property
    def ok_button(self) -> QAbstractButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> dict[str, Any]:
        """What the dialog shows now, by AppSettings property name."""
        return {
            "demo_speed": float(self.speed_combo.currentData()),
            "sound_enabled": self.sound_check.isChecked(),
            "stop_loss_repeat": self.repeat_check.isChecked(),
            "stop_loss_repeat_s": self.repeat_spin.value(),
            "popup_seconds": self.popup_spin.value(),
            "stop_loss_popup_seconds": (
                0 if self.stop_loss_sticky_check.isChecked() else self.stop_loss_popup_spin.value()
            ),
            "snooze_minutes": self.snooze_spin.value(),
            "close_to_tray": self.close_to_tray_check.isChecked(),
            "tray_balloons": self.balloons_check.isChecked(),
            "language": str(self.language_combo.currentData()),
            "up_color_convention": str(self.up_color_combo.currentData()),
            "chart_timeframe": str(self.timeframe_combo.currentData()),
        }

    def pending_keys(self) -> set[str]:
        """Settings edited in the dialog and not stored yet."""
        now = self.values()
        return {key for key in PREFERENCE_KEYS if now[key] != self._baseline[key]}

    def changed_keys(self) -> set[str]:
        """Every setting OK or Apply stored since the dialog opened (empty after Cancel
        without Apply)."""
        return set(self._changed)

    def restart_needed(self) -> bool:
        """A stored change only takes effect after a restart (the language)."""
        return bool(self._changed & RESTART_KEYS)

    def apply(self) -> set[str] | None:
        """Store what was edited; the stored keys (maybe none), or None when a half-typed
        number keeps anything from being stored (the reason is shown)."""
        problem = self._problem()
        if problem:
            self.error_label.setText(problem)
            self.error_label.show()
            return None
        self.error_label.hide()
        now = self.values()
        keys = self.pending_keys()
        for key in PREFERENCE_KEYS:  # in a fixed order, so a failure is reproducible
            if key in keys:
                setattr(self._settings, key, now[key])
        if keys:
            self._settings.sync()
        self._baseline = now
        self._changed |= keys
        self._update_apply()
        if keys:
            self.settings_applied.emit(set(keys))
        return keys

    def accept(self) -> None:
        if self.apply() is None:
            return
        super().accept()

    def refresh_feed_summary(self) -> None:
        """Show the stored feed again (after the feed dialog changed it)."""
        self.feed_summary.setText(self._feed_text())
        self.speed_note.setVisible(self._settings.feed_kind != "demo")

    # ----- layout -----------------------------------------------------------------
    def _layout(self) -> None:
        self.tabs = QTabWidget()

        feed_page = QWidget()
        feed_box = QGroupBox(self.tr("Current price feed"))
        feed_column = QVBoxLayout(feed_box)
        feed_column.addWidget(self.feed_summary)
        feed_row = QHBoxLayout()
        feed_row.addWidget(self.feed_note, 1)
        feed_row.addWidget(self.feed_button)
        feed_column.addLayout(feed_row)
        demo_box = QGroupBox(self.tr("Demo feed"))
        demo_form = _form(demo_box)
        demo_form.addRow(self.tr("Demo replay speed:"), self.speed_combo)
        demo_form.addRow(self.speed_note)
        _page(feed_page, feed_box, demo_box)
        self.tabs.addTab(feed_page, self.tr("Price feed"))

        alerts_page = self.alerts_page = QWidget()
        sound_box = QGroupBox(self.tr("Sounds"))
        sound_form = _form(sound_box)
        sound_form.addRow(self.sound_check)
        sound_form.addRow(self.repeat_check)
        self.repeat_label = QLabel(self.tr("Repeat every:"))
        sound_form.addRow(self.repeat_label, self.repeat_spin)
        popup_box = QGroupBox(self.tr("Popups"))
        popup_form = _form(popup_box)
        popup_form.addRow(self.tr("Entry and take-profit popups close after:"), self.popup_spin)
        stop_row = QHBoxLayout()
        stop_row.addWidget(self.stop_loss_sticky_check)
        self.stop_loss_after_label = QLabel(self.tr("or close after:"))
        stop_row.addWidget(self.stop_loss_after_label)
        stop_row.addWidget(self.stop_loss_popup_spin)
        stop_row.addStretch(1)
        popup_form.addRow(self.tr("Stop-loss popups:"), stop_row)
        popup_form.addRow(self.tr("Snooze for:"), self.snooze_spin)
        tray_box = QGroupBox(self.tr("System tray"))
        tray_form = _form(tray_box)
        tray_form.addRow(self.close_to_tray_check)
        tray_form.addRow(self.balloons_check)
        tray_form.addRow(self.tray_note)
        _page(alerts_page, sound_box, popup_box, tray_box)
        self.tabs.addTab(alerts_page, self.tr("Notifications and sounds"))

        language_page = QWidget()
        language_box = QGroupBox(self.tr("Language"))
        language_form = _form(language_box)
        language_form.addRow(self.tr("Language:"), self.language_combo)
        language_form.addRow(self.language_note)
        _page(language_page, language_box)
        self.tabs.addTab(language_page, self.tr("Language"))

        chart_page = QWidget()
        chart_box = QGroupBox(self.tr("Chart"))
        chart_form = _form(chart_box)
        chart_form.addRow(self.tr("Up and down colours:"), self.up_color_combo)
        chart_form.addRow(self.tr("Default timeframe:"), self.timeframe_combo)
        _page(chart_page, chart_box)
        self.tabs.addTab(chart_page, self.tr("Chart"))

        self.repeat_spin.setToolTip(
            self.tr("Seconds between repeats of the stop-loss sound until you acknowledge it.")
        )
        self.snooze_spin.setToolTip(
            self.tr("How long Snooze on a popup puts the alert off before it reminds you again.")
        )
        self.up_color_combo.setToolTip(
            self.tr("Colours of rising and falling prices in the chart and the watchlist.")
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    # ----- state ------------------------------------------------------------------
    def _load(self) -> None:
        s = self._settings
        self.speed_combo.setCurrentIndex(demo_speed_index(s.demo_speed))
        self.sound_check.setChecked(s.sound_enabled)
        self.repeat_check.setChecked(s.stop_loss_repeat)
        self.repeat_spin.setValue(s.stop_loss_repeat_s)
        self.popup_spin.setValue(s.popup_seconds)
        stop_loss_s = s.stop_loss_popup_seconds
        self.stop_loss_sticky_check.setChecked(stop_loss_s == 0)
        self.stop_loss_popup_spin.setValue(stop_loss_s or STOP_LOSS_TIMED_FALLBACK_S)
        self.snooze_spin.setValue(s.snooze_minutes)
        self.close_to_tray_check.setChecked(s.close_to_tray)
        self.balloons_check.setChecked(s.tray_balloons)
        _select(self.language_combo, s.language)
        _select(self.up_color_combo, s.up_color_convention)
        _select(self.timeframe_combo, s.chart_timeframe)

    def _spins(self) -> tuple[QSpinBox, ...]:
        return (self.repeat_spin, self.popup_spin, self.stop_loss_popup_spin, self.snooze_spin)

    def _problem(self) -> str:
        """Why the numbers cannot be stored ("" when they can); focuses the box."""
        labels = {
            self.repeat_spin: self.tr("Stop-loss sound repeat"),
            self.popup_spin: self.tr("Entry and take-profit popups"),
            self.stop_loss_popup_spin: self.tr("Stop-loss popups"),
            self.snooze_spin: self.tr("Snooze"),
        }
        for spin in self._spins():
            if spin.isEnabled() and not spin.hasAcceptableInput():
                self.tabs.setCurrentWidget(self.alerts_page)
                spin.setFocus()
                return fill(
                    self.tr("%1: enter a whole number from %2 to %3."),
                    labels[spin], spin.minimum(), spin.maximum(),
                )
        return ""

    def _on_edited(self) -> None:
        self.error_label.hide()
        self._update_apply()

    def _update_apply(self) -> None:
        self.apply_button.setEnabled(bool(self.pending_keys()))

    def _update_enabled(self) -> None:
        """The repeat needs the sound, the seconds need "stay" to be off; greyed-out
        controls keep their values."""
        sound = self.sound_check.isChecked()
        self.repeat_check.setEnabled(sound)
        repeat = sound and self.repeat_check.isChecked()
        self.repeat_spin.setEnabled(repeat)
        self.repeat_label.setEnabled(repeat)
        timed = not self.stop_loss_sticky_check.isChecked()
        self.stop_loss_popup_spin.setEnabled(timed)
        self.stop_loss_after_label.setEnabled(timed)

    def _feed_text(self) -> str:
        s = self._settings
        kind = s.feed_kind
        if kind == "exchange":
            market = self.tr("perpetual swap") if s.exchange_market_type == "swap" else self.tr("spot")
            text = fill(self.tr("Crypto exchange %1 (%2): %3"),
                        s.exchange_id, market, self._symbols_text(s.exchange_symbols))
            if s.exchange_address:
                text += "\n" + fill(self.tr("Server: %1"), s.exchange_address)
            return text
        if kind == "qmt":
            text = fill(self.tr("QMT / MiniQMT (A-shares): %1"), self._symbols_text(s.qmt_codes))
            if s.qmt_whole_market:
                text += "\n" + self.tr("Also watching the whole A-share market (沪深A股)")
            if s.qmt_port is not None:
                text += "\n" + fill(self.tr("Terminal port: %1"), s.qmt_port)
            return text
        return self.tr("Demo: recorded market data replayed as live prices")

    def _symbols_text(self, symbols: list[str]) -> str:
        shown = ", ".join(symbols[:SUMMARY_SYMBOLS])
        rest = len(symbols) - SUMMARY_SYMBOLS
        if rest <= 0:
            return shown
        return fill(self.tr("%1 and %n more", "", rest), shown)


def _spin(bounds: tuple[int, int], suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(*bounds)
    spin.setSuffix(suffix)
    spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
    spin.setAccelerated(True)
    return spin


def _form(box: QWidget) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    return form


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _page(page: QWidget, *boxes: QWidget) -> None:
    column = QVBoxLayout(page)
    for box in boxes:
        column.addWidget(box)
    column.addStretch(1)


def _select(combo: QComboBox, data: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(data)))
