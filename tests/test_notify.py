"""Alert notification side: popups, tray, sound, display helpers and bundled resources."""

from __future__ import annotations

import sys
import types
import wave
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app.core.models import AlertFired, AlertKind, AlertSource
from app.ui import sound as sound_mod
from app.ui.formatting import (
    KIND_COLORS,
    alert_receipt,
    format_price,
    format_time,
    format_utc_offset,
    kind_label,
    price_move,
)
from app.ui.popup import AlertPopup, PopupManager
from app.ui.sound import SOUND_FILES, SOUNDS_DIR, AlertSound
from app.ui.tray import ALERT_ICON_PATH, APP_ICON_PATH, AlertTray, badge_icon, load_icon

SHANGHAI = timezone(timedelta(hours=8))
ROOT = Path(__file__).resolve().parents[1]


def make_alert(
    kind: AlertKind = AlertKind.TAKE_PROFIT,
    *,
    source: AlertSource = AlertSource.LIVE,
    code: str = "600000.SH",
    name: str = "PF Bank swing",
    price: float = 10.52,
    level: float = 10.5,
) -> AlertFired:
    return AlertFired(
        task_id=3,
        task_name=name,
        stock_code=code,
        kind=kind,
        time=datetime(2024, 5, 6, 14, 31, 7, tzinfo=SHANGHAI),
        price=price,
        level=level,
        prev_price=10.49,
        source=source,
    )


@pytest.fixture
def popups(qtbot):
    """Tracks standalone popups and closes any still alive after the test.

    Popups delete themselves on close, so they are not handed to qtbot.addWidget
    (which would touch the deleted C++ object at teardown).
    """
    made: list[AlertPopup] = []

    def make(alert: AlertFired, alert_id: int | None = 1, **kwargs) -> AlertPopup:
        popup = AlertPopup(alert, alert_id, **kwargs)
        made.append(popup)
        return popup

    yield make
    for popup in made:
        if shiboken6.isValid(popup):
            popup.close()


@pytest.fixture
def manager(qtbot):
    mgr = PopupManager()
    yield mgr
    mgr.close_all()


def track_closed(popup: AlertPopup) -> list[bool]:
    flag: list[bool] = []
    popup.closed.connect(lambda _p: flag.append(True))
    return flag


# -- formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (85240.45, "85240.45"),
        (1433.33, "1433.33"),
        (1433.3300000000002, "1433.33"),
        (0.1 + 0.2, "0.3"),
        (10.0, "10"),
        (10.5, "10.5"),
        (0.00001234, "0.00001234"),
        (1e-9, "0.000000001"),
        (-2.5, "-2.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (None, "\u2014"),
        (float("nan"), "\u2014"),
        (float("inf"), "\u2014"),
    ],
)
def test_format_price(value, expected):
    assert format_price(value) == expected


def test_format_time_keeps_the_datetimes_own_zone():
    shanghai = datetime(2024, 5, 6, 9, 30, 0, tzinfo=SHANGHAI)
    assert format_time(shanghai) == "2024-05-06 09:30:00"
    # The same instant in UTC is shown as UTC, not converted to local time.
    assert format_time(shanghai.astimezone(timezone.utc)) == "2024-05-06 01:30:00"
    assert format_time(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    assert format_time(None) == "\u2014"


def test_kind_labels_are_distinct_english_source_texts(qapp):
    assert kind_label(AlertKind.STOP_LOSS) == "Stop loss"
    assert kind_label(AlertKind.TAKE_PROFIT) == "Take profit"
    assert kind_label(AlertKind.ENTRY) == "Entry zone"
    assert kind_label("stop_loss") == "Stop loss"  # type: ignore[arg-type] - raw stored value
    assert kind_label(AlertKind.CROSS_UP) == "Crossed up"
    assert kind_label(AlertKind.CROSS_DOWN) == "Crossed down"
    assert kind_label(AlertKind.CHANGE_UP) == "Rise reached"
    assert kind_label(AlertKind.CHANGE_DOWN) == "Fall reached"
    assert kind_label(AlertKind.TRAILING_STOP) == "Trailing stop"
    assert kind_label(AlertKind.TRAILING_ENTRY) == "Trailing entry"
    assert len({kind_label(kind) for kind in AlertKind}) == len(AlertKind)


def test_every_kind_has_its_own_colour() -> None:
    assert set(KIND_COLORS) == set(AlertKind)
    assert len(set(KIND_COLORS.values())) == len(AlertKind)


def test_receipt_says_what_fired_when_and_from_where(qapp):
    alert = make_alert(AlertKind.STOP_LOSS, price=85240.45, level=85300.0)
    text = alert_receipt(alert)
    lines = text.splitlines()
    assert len(lines) == 5
    assert lines[0] == "Stop loss \u00b7 600000.SH \u00b7 PF Bank swing"
    assert lines[1] == (
        "Fired by price 85240.45 at market time 2024-05-06 14:31:07 (UTC+08:00)")
    assert lines[2] == "Level: 85300 (stop-loss level)"
    assert lines[3] == "Crossed from 10.49 to 85240.45"
    assert lines[4] == "Data: live data"


def test_receipt_tells_live_backfill_and_replay_apart(qapp):
    live = alert_receipt(make_alert(source=AlertSource.LIVE))
    backfill = alert_receipt(make_alert(source=AlertSource.BACKFILL))
    replay = alert_receipt(make_alert(source=AlertSource.REPLAY))
    assert "live" in live and "backfill" not in live
    assert "backfill" in backfill and "live" not in backfill
    assert "replay" in replay and "live" not in replay and "backfill" not in replay


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (AlertKind.TAKE_PROFIT, "take-profit level"),
        (AlertKind.ENTRY, "entry-zone bound"),
        (AlertKind.CROSS_DOWN, "crossing level"),
        (AlertKind.CHANGE_UP, "price of the change target"),
        (AlertKind.TRAILING_STOP, "trailing-stop level"),
        (AlertKind.TRAILING_ENTRY, "trailing-entry level"),
    ],
)
def test_receipt_names_the_kind_of_level(qapp, kind, words):
    assert f"Level: 10.5 ({words}" in alert_receipt(make_alert(kind))


def test_receipt_without_previous_price_and_in_utc(qapp):
    alert = replace(
        make_alert(price=0.1 + 0.2), prev_price=None,
        time=datetime(2025, 3, 3, 1, 2, 3, tzinfo=timezone.utc))
    text = alert_receipt(alert)
    assert "Fired by price 0.3 at market time 2025-03-03 01:02:03 (UTC+00:00)" in text
    assert "first price the rule saw" in text
    assert "Crossed from" not in text
    assert price_move(None, 0.3) == "first price 0.3"
    assert price_move(10.49, 10.52) == "from 10.49 \u2192 10.52"


def test_receipt_reads_records_by_event_time(qapp):
    """The history's AlertRecord has ``event_time`` where AlertFired has ``time``."""
    alert = make_alert(source=AlertSource.BACKFILL)
    record = types.SimpleNamespace(
        kind=alert.kind, stock_code=alert.stock_code, task_name=alert.task_name,
        price=alert.price, level=alert.level, prev_price=alert.prev_price,
        source=alert.source, event_time=alert.time)
    assert alert_receipt(record) == alert_receipt(alert)
    assert format_utc_offset(datetime(2024, 1, 1)) == ""
    assert format_utc_offset(datetime(2024, 1, 1, tzinfo=timezone(-timedelta(hours=4, minutes=30)))) == "UTC-04:30"


# -- popup --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label", "color"),
    [
        (AlertKind.STOP_LOSS, "Stop loss", "#d32f2f"),
        (AlertKind.TAKE_PROFIT, "Take profit", "#2e7d32"),
        (AlertKind.ENTRY, "Entry zone", "#1565c0"),
        (AlertKind.CROSS_UP, "Crossed up", "#7b1fa2"),
        (AlertKind.CROSS_DOWN, "Crossed down", "#4527a0"),
        (AlertKind.CHANGE_UP, "Rise reached", "#ad1457"),
        (AlertKind.CHANGE_DOWN, "Fall reached", "#00695c"),
        (AlertKind.TRAILING_STOP, "Trailing stop", "#d84315"),
        (AlertKind.TRAILING_ENTRY, "Trailing entry", "#0277bd"),
    ],
)
def test_popup_shows_alert_texts(popups, kind, label, color):
    popup = popups(make_alert(kind, price=85240.45, level=85000.0))
    assert popup.kind_label.text() == label
    assert popup.kind_color == color == KIND_COLORS[kind]
    assert color in popup.kind_label.styleSheet()
    assert popup.task_label.text() == "PF Bank swing"
    assert popup.symbol_label.text() == "600000.SH"
    assert "85240.45" in popup.price_label.text()
    assert "85000" in popup.level_label.text()
    assert "2024-05-06 14:31:07" in popup.time_label.text()
    assert popup.source_label.isHidden()
    assert popup.ack_button.text() == "Acknowledge"
    assert popup.chart_button.text() == "Show on chart"


def test_popup_marks_backfill(popups):
    popup = popups(make_alert(source=AlertSource.BACKFILL))
    assert not popup.source_label.isHidden()
    assert popup.source_label.text() == "backfill"


def test_popup_elides_long_task_names_but_keeps_them_in_tooltip(popups):
    name = "A very long task name " * 10
    popup = popups(make_alert(name=name))
    assert popup.task_label.text() != name
    assert popup.task_label.toolTip() == name


def test_popup_window_does_not_steal_focus(popups):
    popup = popups(make_alert())
    flags = popup.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.Tool
    assert popup.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert popup.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    assert not popup.isModal()
    assert popup.ack_button.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_acknowledge_emits_id_and_closes(qtbot, popups):
    popup = popups(make_alert(), alert_id=42)
    closed = track_closed(popup)
    popup.show()
    with qtbot.waitSignal(popup.acknowledged, timeout=1000) as blocker:
        qtbot.mouseClick(popup.ack_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [42]
    assert closed == [True]


def test_show_on_chart_emits_code_and_stays_open(qtbot, popups):
    alert = make_alert(code="BTC/USDT")
    popup = popups(alert)
    popup.show()
    codes: list[str] = []
    alerts: list[AlertFired] = []
    popup.show_alert_on_chart.connect(alerts.append)
    with qtbot.waitSignal(popup.show_on_chart, timeout=1000) as blocker:
        popup.show_on_chart.connect(codes.append)
        qtbot.mouseClick(popup.chart_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["BTC/USDT"] and codes == ["BTC/USDT"]
    assert alerts == [alert]  # with its time: the chart can find the bar
    assert alerts[0] is alert
    assert popup.isVisible()


def test_popup_carries_the_receipt(popups):
    alert = make_alert(source=AlertSource.BACKFILL)
    popup = popups(alert)
    assert popup.toolTip() == alert_receipt(alert)
    assert popup.testAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips)  # never the active window
    assert popup.receipt_label.text() == "from 10.49 \u2192 10.52"


def test_popup_auto_closes_after_duration(qtbot, popups):
    popup = popups(make_alert(AlertKind.ENTRY), duration_s=0.05)
    acked: list[object] = []
    popup.acknowledged.connect(acked.append)
    closed = track_closed(popup)
    popup.show()
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
    assert acked == []  # a timeout is not an acknowledgement


def test_stop_loss_with_zero_duration_stays_open(qtbot, popups):
    popup = popups(make_alert(AlertKind.STOP_LOSS), duration_s=0.05)  # default SL duration: 0
    assert popup.duration_s == 0
    closed = track_closed(popup)
    popup.show()
    qtbot.wait(200)
    assert closed == []
    assert popup.isVisible()


def test_trailing_stop_popup_stays_open_like_a_stop_loss(qtbot, popups):
    popup = popups(make_alert(AlertKind.TRAILING_STOP), duration_s=0.05)
    assert popup.duration_s == 0
    assert popups(make_alert(AlertKind.TRAILING_ENTRY), duration_s=0.05).duration_s == 0.05


def test_auto_close_waits_while_the_trader_points_at_the_popup(qtbot, popups):
    popup = popups(make_alert(AlertKind.ENTRY), duration_s=0.05)
    closed = track_closed(popup)
    popup.show()
    popup._cursor_at_show = QPoint(-100, -100)  # the cursor has moved since it appeared
    popup.underMouse = lambda: True  # ... and rests on the card
    qtbot.wait(250)
    assert closed == []
    popup.underMouse = lambda: False  # mouse gone: next timeout closes it
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)


def test_stop_loss_duration_is_a_parameter(qtbot, popups):
    popup = popups(make_alert(AlertKind.STOP_LOSS), stop_loss_duration_s=0.05)
    closed = track_closed(popup)
    popup.show()
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)


# -- popup manager ------------------------------------------------------------------


def available_geometry():
    return QGuiApplication.primaryScreen().availableGeometry()


def assert_stacked(popups_: list[AlertPopup]) -> None:
    area = available_geometry()
    geos = [p.geometry() for p in popups_]
    for g in geos:
        assert area.contains(g), (g, area)
    for older, newer in zip(geos, geos[1:]):
        assert older.y() < newer.y()
        assert older.bottom() < newer.top(), "popups overlap"
    assert geos[-1].bottom() <= area.bottom()


def test_manager_stacks_bottom_right_without_overlap(manager):
    kinds = (AlertKind.STOP_LOSS, AlertKind.CROSS_UP, AlertKind.TRAILING_ENTRY)
    shown = [manager.show_alert(make_alert(kind), i) for i, kind in enumerate(kinds)]
    assert manager.count() == 3
    assert all(p.isVisible() for p in shown)
    assert_stacked(shown)
    area = available_geometry()
    newest = shown[-1].geometry()
    assert newest.right() > area.center().x()  # right side
    assert newest.bottom() > area.center().y()  # newest at the bottom


def test_manager_restacks_after_a_close(qtbot, manager):
    shown = [manager.show_alert(make_alert(AlertKind.ENTRY), i) for i in range(3)]
    bottom_y = shown[2].y()
    top_y = shown[0].y()
    shown[1].acknowledge()
    assert manager.count() == 2
    remaining = manager.popups()
    assert remaining == [shown[0], shown[2]]
    assert_stacked(remaining)
    assert shown[2].y() == bottom_y
    assert shown[0].y() > top_y  # moved down into the gap


def test_manager_reemits_popup_signals(qtbot, manager):
    popup = manager.show_alert(make_alert(code="000001.SZ"), 9)
    with qtbot.waitSignal(manager.show_on_chart, timeout=1000) as chart:
        popup.chart_button.click()
    assert chart.args == ["000001.SZ"]
    with qtbot.waitSignal(manager.acknowledged, timeout=1000) as ack:
        popup.ack_button.click()
    assert ack.args == [9]
    assert manager.count() == 0


def test_manager_caps_visible_popups(manager):
    manager.set_max_visible(3)
    shown = [manager.show_alert(make_alert(AlertKind.ENTRY), i) for i in range(5)]
    assert manager.count() == 3
    assert [p.alert_id for p in manager.popups()] == [2, 3, 4]  # oldest closed
    assert not shiboken6.isValid(shown[0]) or not shown[0].isVisible()
    assert manager.overflow == 2
    assert_stacked(manager.popups())
    notice = manager._notice
    assert notice is not None and notice.isVisible()
    assert "+2" in notice.button.text()
    assert notice.geometry().bottom() < manager.popups()[0].geometry().top()


def test_cap_closes_other_kinds_before_an_unacknowledged_stop_loss(manager):
    manager.set_max_visible(2)
    manager.show_alert(make_alert(AlertKind.STOP_LOSS), 1)
    manager.show_alert(make_alert(AlertKind.ENTRY), 2)
    manager.show_alert(make_alert(AlertKind.TAKE_PROFIT), 3)
    assert [p.alert_id for p in manager.popups()] == [1, 3]


def test_manager_never_stacks_off_screen(manager):
    # Default cap is 5; the offscreen screen is not tall enough for that many.
    for i in range(8):
        manager.show_alert(make_alert(AlertKind.ENTRY), i)
    assert 1 <= manager.count() <= 5
    assert manager.popups()[-1].alert_id == 7
    assert_stacked(manager.popups())


def test_manager_caps_by_screen_height(manager, monkeypatch):
    small = QRect(0, 0, 800, 300)
    monkeypatch.setattr(manager, "_available_geometry", lambda: small)
    for i in range(4):
        manager.show_alert(make_alert(AlertKind.ENTRY), i)
    assert 1 <= manager.count() < 4
    assert manager.popups()[-1].alert_id == 3
    for p in manager.popups():
        assert small.contains(p.geometry())


def test_manager_duration_and_close_all(qtbot, manager):
    manager.set_duration(0.05)
    popup = manager.show_alert(make_alert(AlertKind.ENTRY), 1)
    sl = manager.show_alert(make_alert(AlertKind.STOP_LOSS), 2)
    assert popup.duration_s == 0.05 and sl.duration_s == 0
    qtbot.waitUntil(lambda: manager.count() == 1, timeout=2000)
    assert manager.popups() == [sl]
    manager.close_all()
    assert manager.count() == 0


def test_manager_popups_do_not_steal_focus(manager):
    popup = manager.show_alert(make_alert(), 1)
    assert popup.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert popup.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)


# -- tray ---------------------------------------------------------------------------


def test_tray_degrades_without_system_tray(qtbot):
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has no tray
    tray = AlertTray()
    assert tray.available is False
    assert tray.notify(make_alert(AlertKind.STOP_LOSS)) is False
    assert tray.tray_icon is None
    assert tray.unread == 1  # still counted: shown once a tray appears
    tray.clear_unread()
    assert tray.unread == 0
    tray.shutdown()


@pytest.fixture
def fake_tray_env(monkeypatch):
    """Pretend a system tray exists and record showMessage calls."""
    calls: list[tuple] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(
        QSystemTrayIcon, "showMessage", lambda self, *args: calls.append(args)
    )
    return calls


def test_tray_notify_shows_message(qtbot, fake_tray_env):
    tray = AlertTray()
    assert tray.available
    assert tray.notify(make_alert(AlertKind.STOP_LOSS, price=85240.45, level=85300.0))
    title, body, icon, msecs = fake_tray_env[-1]
    assert title == "Stop loss: 600000.SH"
    assert icon == QSystemTrayIcon.MessageIcon.Critical
    assert "PF Bank swing" in body and "85240.45" in body and "85300" in body
    assert "2024-05-06 14:31:07" in body
    assert msecs > 0
    assert tray.unread == 1

    assert tray.notify(make_alert(AlertKind.ENTRY, source=AlertSource.BACKFILL))
    title, body, icon, _ = fake_tray_env[-1]
    assert title == "Entry zone: 600000.SH"
    assert icon == QSystemTrayIcon.MessageIcon.Information
    assert "Backfill" in body
    assert tray.unread == 2
    assert "2" in tray.tray_icon.toolTip()

    assert tray.notify(make_alert(AlertKind.CROSS_UP))
    assert fake_tray_env[-1][0] == "Crossed up: 600000.SH"
    assert tray.unread == 3

    with_changes: list[int] = []
    tray.unread_changed.connect(with_changes.append)
    tray.clear_unread()
    assert tray.unread == 0 and with_changes == [0]
    assert "unread" not in tray.tray_icon.toolTip()
    tray.shutdown()


def test_tray_menu_and_activation(qtbot, fake_tray_env):
    tray = AlertTray()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show window", "Mute sounds for 30 min", "Quit"]
    with qtbot.waitSignal(tray.mute_toggled, timeout=1000) as muted:
        tray.mute_action.trigger()
    assert muted.args == [True] and tray.mute_action.isChecked()
    with qtbot.assertNotEmitted(tray.mute_toggled):
        tray.set_muted(False)  # the window ending a mute is not a new request
    assert not tray.mute_action.isChecked()
    with qtbot.waitSignal(tray.show_window_requested, timeout=1000):
        tray.menu.actions()[0].trigger()
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        tray.menu.actions()[-1].trigger()
    with qtbot.waitSignal(tray.show_window_requested, timeout=1000):
        tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.assertNotEmitted(tray.show_window_requested):
        tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)
    tray.shutdown()


def test_icons_render_and_badge_draws(qapp):
    for path in (APP_ICON_PATH, ALERT_ICON_PATH):
        assert path.is_file()
        icon = load_icon(path)
        assert not icon.pixmap(32, 32).isNull()
    base = load_icon(APP_ICON_PATH).pixmap(64, 64).toImage()
    badged = badge_icon(load_icon(APP_ICON_PATH), 3).pixmap(64, 64).toImage()
    assert badged != base
    assert not badge_icon(QIcon(), 150).pixmap(16, 16).isNull()


# -- sound --------------------------------------------------------------------------


def test_sound_picks_distinct_file_per_kind():
    played: list[Path] = []
    snd = AlertSound(player=played.append)
    assert snd.has_player
    for kind in (AlertKind.ENTRY, AlertKind.TAKE_PROFIT, AlertKind.STOP_LOSS):
        assert snd.play(kind)
    assert played == [
        SOUNDS_DIR / "entry.wav",
        SOUNDS_DIR / "take_profit.wav",
        SOUNDS_DIR / "stop_loss.wav",
    ]
    assert len(set(played)) == 3


def test_winsound_player_uses_async_flags(monkeypatch):
    """Simulate Windows: a fake winsound module records PlaySound calls."""
    calls: list[tuple[str, int]] = []
    fake = types.SimpleNamespace(
        SND_FILENAME=0x20000,
        SND_ASYNC=0x1,
        SND_NODEFAULT=0x2,
        PlaySound=lambda path, flags: calls.append((path, flags)),
    )
    monkeypatch.setitem(sys.modules, "winsound", fake)
    monkeypatch.setattr(sound_mod.sys, "platform", "win32")
    snd = AlertSound()  # "auto" -> winsound on Windows
    assert snd.has_player
    assert snd.play(AlertKind.STOP_LOSS)
    assert calls == [(str(SOUNDS_DIR / "stop_loss.wav"), 0x20000 | 0x1 | 0x2)]


def test_sound_falls_back_to_beep(monkeypatch, qapp):
    beeps: list[bool] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(True)))
    snd = AlertSound(player=None)
    assert not snd.has_player
    assert snd.play(AlertKind.STOP_LOSS)
    assert beeps == [True]


def test_sound_never_raises_and_respects_enabled(tmp_path):
    beeps: list[bool] = []

    def broken(_path: Path) -> None:
        raise OSError("no audio device")

    snd = AlertSound(player=broken, beep=lambda: beeps.append(True))
    assert snd.play(AlertKind.ENTRY)  # player failed -> beep
    assert beeps == [True]

    missing = AlertSound(player=broken, beep=lambda: beeps.append(True), sounds_dir=tmp_path)
    assert missing.play(AlertKind.ENTRY)  # file missing -> beep, player not called
    assert beeps == [True, True]

    def broken_beep() -> None:
        raise RuntimeError("no app")

    assert AlertSound(player=None, beep=broken_beep).play(AlertKind.ENTRY) is False

    snd.enabled = False
    assert snd.play(AlertKind.STOP_LOSS) is False
    assert beeps == [True, True]


@pytest.mark.parametrize("name", sorted(set(SOUND_FILES.values())))
def test_wav_files_are_valid_and_small(name):
    path = ROOT / "resources" / "sounds" / name
    assert path.stat().st_size < 60_000
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert w.getnframes() > 0
        duration = w.getnframes() / w.getframerate()
    assert 0.1 < duration < 2.0


def test_stop_loss_take_profit_and_entry_sounds_are_distinct_files():
    sounds = ROOT / "resources" / "sounds"
    names = [SOUND_FILES[k] for k in (AlertKind.STOP_LOSS, AlertKind.TAKE_PROFIT, AlertKind.ENTRY)]
    assert len(set(names)) == 3
    contents = [(sounds / name).read_bytes() for name in names]
    assert len(set(contents)) == 3  # not three names for one recording


def test_every_alert_kind_has_a_sound_and_stops_sound_like_stops():
    assert set(SOUND_FILES) == set(AlertKind)
    assert SOUND_FILES[AlertKind.TRAILING_STOP] == SOUND_FILES[AlertKind.STOP_LOSS]
