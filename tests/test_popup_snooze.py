"""Snooze on alert popups: hide now, the same card back later; only Acknowledge ends it."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.core.models import AlertFired, AlertKind
from app.ui.popup import DEFAULT_SNOOZE_MINUTES, AlertPopup, PopupManager
from tests.test_notify import assert_stacked, make_alert

#: 180 ms: long enough to observe the hidden state, short enough for a fast test.
SHORT = 0.003


@pytest.fixture
def manager(qtbot: Any) -> Any:
    mgr = PopupManager(snooze_minutes=SHORT)
    yield mgr
    mgr.close_all()


class Recorder:
    """Everything a PopupManager says, in order."""

    def __init__(self, mgr: PopupManager) -> None:
        self.events: list[tuple[str, Any]] = []
        mgr.snoozed.connect(lambda i: self.events.append(("snoozed", i)))
        mgr.resurfaced.connect(lambda a, i: self.events.append(("resurfaced", (a, i))))
        mgr.acknowledged.connect(lambda i: self.events.append(("acknowledged", i)))
        mgr.dismissed.connect(lambda i: self.events.append(("dismissed", i)))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


def test_default_snooze_is_five_minutes_and_the_button_says_so(qtbot: Any) -> None:
    mgr = PopupManager()
    try:
        assert mgr.snooze_minutes == DEFAULT_SNOOZE_MINUTES == 5
        popup = mgr.show_alert(make_alert(), 1)
        assert popup.snooze_button.text() == "Snooze 5 min"
        assert popup.snooze_button.focusPolicy() == Qt.FocusPolicy.NoFocus  # never takes focus
        assert not popup.snooze_button.isHidden()
        mgr.set_snooze_minutes(10)
        assert popup.snooze_button.text() == "Snooze 10 min"
        mgr.set_snooze_minutes(0)  # 0: no snoozing at all
        assert popup.snooze_button.isHidden()
        popup.snooze()
        assert popup.isVisible() and mgr.snoozed_count == 0
    finally:
        mgr.close_all()


def test_snooze_hides_then_the_same_card_resurfaces(qtbot: Any, manager: PopupManager) -> None:
    alert = make_alert(AlertKind.STOP_LOSS)
    popup = manager.show_alert(alert, 42)
    events = Recorder(manager)
    with qtbot.waitSignal(manager.snoozed, timeout=1000) as snoozed:
        qtbot.mouseClick(popup.snooze_button, Qt.MouseButton.LeftButton)
    assert snoozed.args == [42]
    assert not popup.isVisible() and popup.is_snoozed
    assert manager.count() == 0 and manager.snoozed_count == 1
    assert manager.snoozed_popups() == [popup]

    with qtbot.waitSignal(manager.resurfaced, timeout=2000) as back:
        pass
    assert back.args[0] is alert and back.args[1] == 42
    assert shiboken6.isValid(popup) and popup.isVisible() and not popup.is_snoozed
    assert manager.popups() == [popup] and manager.snoozed_count == 0
    assert events.names() == ["snoozed", "resurfaced"]  # not acknowledged, not dismissed
    # Resurfacing shows without activation, like the first time.
    assert popup.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert popup.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus


def test_resurfaced_card_is_the_newest_in_the_stack(qtbot: Any, manager: PopupManager) -> None:
    first = manager.show_alert(make_alert(AlertKind.ENTRY), 1)
    manager.show_alert(make_alert(AlertKind.TAKE_PROFIT), 2)
    first.snooze()
    manager.show_alert(make_alert(AlertKind.CROSS_UP), 3)  # arrives while 1 is snoozed
    assert [p.alert_id for p in manager.popups()] == [2, 3]
    qtbot.waitUntil(lambda: manager.snoozed_count == 0, timeout=2000)
    assert [p.alert_id for p in manager.popups()] == [2, 3, 1]
    assert_stacked(manager.popups())
    assert manager.popups()[-1] is first


def test_snoozed_card_survives_an_overflowing_stack(qtbot: Any, manager: PopupManager) -> None:
    manager.set_max_visible(2)
    snoozed = manager.show_alert(make_alert(AlertKind.ENTRY), 1)
    snoozed.snooze()
    for i in range(2, 6):  # four more: the cap closes two of them, not the snoozed one
        manager.show_alert(make_alert(AlertKind.ENTRY), i)
    assert [p.alert_id for p in manager.popups()] == [4, 5]
    assert manager.snoozed_count == 1 and manager.overflow == 2
    qtbot.waitUntil(lambda: manager.snoozed_count == 0, timeout=2000)
    # Back, and the cap still holds: the oldest shown card made room for it.
    assert [p.alert_id for p in manager.popups()] == [5, 1]
    assert manager.overflow == 3


def test_acknowledge_after_resurfacing_closes_for_good_and_is_emitted_once(
    qtbot: Any, manager: PopupManager
) -> None:
    popup = manager.show_alert(make_alert(AlertKind.STOP_LOSS), 7)
    events = Recorder(manager)
    popup.snooze()
    qtbot.waitUntil(lambda: manager.count() == 1, timeout=2000)
    with qtbot.waitSignal(manager.acknowledged, timeout=1000) as ack:
        qtbot.mouseClick(popup.ack_button, Qt.MouseButton.LeftButton)
    assert ack.args == [7]
    popup.acknowledge()  # a second click (or call) does not acknowledge twice
    qtbot.wait(int(SHORT * 60_000 * 4))  # longer than a snooze: nothing comes back
    assert manager.count() == 0 and manager.snoozed_count == 0
    assert events.names() == ["snoozed", "resurfaced", "acknowledged", "dismissed"]


def test_acknowledged_card_never_resurfaces(qtbot: Any, manager: PopupManager) -> None:
    popup = manager.show_alert(make_alert(AlertKind.STOP_LOSS), 8)
    events = Recorder(manager)
    popup.acknowledge()
    popup.snooze()  # too late: it is gone
    qtbot.wait(int(SHORT * 60_000 * 4))
    assert manager.count() == 0 and manager.snoozed_count == 0
    assert events.names() == ["acknowledged", "dismissed"]


def test_snooze_stops_the_auto_close_and_restarts_it_on_return(
    qtbot: Any, manager: PopupManager
) -> None:
    manager.set_duration(0.05)
    manager.set_snooze_minutes(0.01)  # 600 ms: much longer than the 50 ms auto-close
    popup = manager.show_alert(make_alert(AlertKind.ENTRY), 3)
    events = Recorder(manager)
    popup.snooze()
    qtbot.wait(150)  # auto-close would have fired by now
    assert manager.snoozed_count == 1 and shiboken6.isValid(popup)
    qtbot.waitUntil(lambda: events.names() == ["snoozed", "resurfaced", "dismissed"], timeout=3000)
    assert manager.count() == 0  # back, then auto-closed as usual: timeout is not an ack


def test_close_all_closes_snoozed_cards_too(qtbot: Any, manager: PopupManager) -> None:
    popup = manager.show_alert(make_alert(AlertKind.STOP_LOSS), 5)
    popup.snooze()
    events = Recorder(manager)
    manager.close_all()
    assert manager.snoozed_count == 0
    assert events.names() == ["dismissed"]
    qtbot.wait(int(SHORT * 60_000 * 4))
    assert manager.count() == 0
    assert events.names() == ["dismissed"]


def test_standalone_popup_snoozes_and_shows_itself_again(qtbot: Any) -> None:
    popup = AlertPopup(make_alert(), 11, snooze_minutes=SHORT)
    try:
        popup.show()
        snoozed: list[AlertPopup] = []
        popup.snoozed.connect(snoozed.append)
        popup.snooze()
        assert snoozed == [popup] and not popup.isVisible()
        qtbot.waitUntil(popup.isVisible, timeout=2000)
        assert popup.alert_id == 11
    finally:
        if shiboken6.isValid(popup):
            popup.close()


def test_manager_reemits_show_alert_on_chart_with_the_alert(qtbot: Any, manager: PopupManager) -> None:
    alert = make_alert(code="000001.SZ")
    popup = manager.show_alert(alert, 9)
    got: list[AlertFired] = []
    manager.show_alert_on_chart.connect(got.append)
    with qtbot.waitSignal(manager.show_on_chart, timeout=1000) as old:
        popup.chart_button.click()
    assert old.args == ["000001.SZ"]
    assert got == [alert] and got[0].time == alert.time
