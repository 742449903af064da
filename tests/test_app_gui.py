"""End to end on a real Qt event loop: demo feed → form rule → SQLite → alert popup, tray, history.

The whole app is built as ``main.py`` builds it (monitor worker thread, demo feed
thread, bridge), with a database and settings file in tmp_path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon

from app.core.models import AlertKind, TaskStatus
from app.storage.db import open_database
from app.storage.repository import Store
from app.ui.application import Session, build_session
from app.ui.settings import AppSettings
from app.ui.sound import AlertSound

SYMBOL = "BTC/USDT"


@pytest.fixture
def tray_messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Pretend the desktop has a tray and record what would be shown in it."""
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *args: shown.append(args))
    return shown


@pytest.fixture
def sounds(monkeypatch: pytest.MonkeyPatch) -> list[AlertKind]:
    played: list[AlertKind] = []
    original = AlertSound.play

    def record(self: AlertSound, kind: AlertKind) -> None:
        played.append(kind)
        original(self, kind)

    monkeypatch.setattr(AlertSound, "play", record)
    return played


@pytest.fixture
def sessions() -> Any:
    """Every session a test starts is shut down, even when the test fails."""
    started: list[Session] = []
    yield started
    for session in started:
        session.window.close()
        session.shutdown()


def start(qtbot: Any, tmp_path: Path, sessions: list[Session], speed: float = 8.0) -> Session:
    session = build_session(
        db_path=tmp_path / "monitor.db",
        settings=AppSettings(tmp_path / "settings.ini"),
        speed=speed,
        history_bars=120,
    )
    sessions.append(session)
    session.window.show()
    qtbot.waitUntil(lambda: session.feed is not None and session.feed.ticks_sent > 0, timeout=20_000)
    return session


def last_price(session: Session, symbol: str = SYMBOL) -> float:
    quote = session.window.quotes[symbol]
    assert quote.last is not None
    return quote.last


def fill_form(session: Session, qtbot: Any, **fields: str) -> None:
    form = session.window.monitor_panel.form
    session.window.monitor_panel.new_rule(SYMBOL)
    for name, text in fields.items():
        widget = getattr(form, name)
        if name == "stock_code":
            widget.setCurrentText(text)
        else:
            widget.clear()
            if text.isascii():
                qtbot.keyClicks(widget, text)
            else:  # QTest can only type ASCII; Chinese arrives through the IME as committed text
                widget.insert(text)


def test_rule_from_form_fires_popup_tray_sound_history_and_survives_restart(
    qtbot: Any, tmp_path: Path, tray_messages: list, sounds: list, sessions: list
) -> None:
    session = start(qtbot, tmp_path, sessions)
    window = session.window
    try:
        # a target just under the live price: the next tick at or above it fires
        target = round(last_price(session) * 0.995, 2)
        fill_form(session, qtbot, task_name="BTC 止盈", take_profit=f"{target}",
                  stop_loss=f"{round(target * 0.5, 2)}")
        qtbot.mouseClick(window.monitor_panel.save_button, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: window.popups.count() >= 1, timeout=10_000)
        qtbot.waitUntil(lambda: window.history_panel.model.rowCount() == 1, timeout=5_000)
        record = window.history_panel.model.row(0)
        assert record is not None
        assert (record.kind, record.stock_code, record.task_name) == (AlertKind.TAKE_PROFIT, SYMBOL, "BTC 止盈")
        assert record.price >= target and record.level == target
        assert len(tray_messages) == 1 and SYMBOL in tray_messages[0][0]
        assert sounds == [AlertKind.TAKE_PROFIT]
        window.popups.popups()[0].acknowledge()  # the trader clicks 确认
        qtbot.waitUntil(lambda: window.history_panel.model.row(0).acknowledged, timeout=5_000)
        assert window.popups.count() == 0
        qtbot.waitUntil(lambda: window.rules and window.rules[0].status is TaskStatus.TRIGGERED)
    finally:
        session.window.close()
        session.shutdown()

    # on disk, independently of the app: the rule is triggered and the alert is stored once
    database = open_database(tmp_path / "monitor.db")
    store = Store(database)
    (rule,) = store.list_rules()
    rows, total = store.alert_page(0, 50)
    database.close()
    assert rule.status is TaskStatus.TRIGGERED and rule.take_profit == target
    assert total == 1 and rows[0].kind is AlertKind.TAKE_PROFIT

    # restart: the rule, its status and the history are back, and nothing fires twice
    again = start(qtbot, tmp_path, sessions)
    try:
        panel = again.window.monitor_panel
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5_000)
        assert panel.model.rule_at(0).status is TaskStatus.TRIGGERED
        qtbot.waitUntil(lambda: again.window.history_panel.total == 1, timeout=5_000)
        sent = again.feed.ticks_sent
        qtbot.waitUntil(lambda: again.feed.ticks_sent > sent + 20, timeout=10_000)
        assert again.window.popups.count() == 0
        assert again.window.history_panel.total == 1
    finally:
        again.window.close()
        again.shutdown()


def test_invalid_rule_is_refused_in_the_form_and_nothing_is_saved(
    qtbot: Any, tmp_path: Path, sessions: list
) -> None:
    session = start(qtbot, tmp_path, sessions)
    panel = session.window.monitor_panel
    try:
        fill_form(session, qtbot, task_name="bad", take_profit="100", stop_loss="120")
        with qtbot.assertNotEmitted(panel.save_requested, wait=300):
            qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        assert "120" in panel.message.text() and "100" in panel.message.text()
        assert panel.form.stop_loss.styleSheet(), "the refused field is outlined"

        fill_form(session, qtbot, task_name="", take_profit="100")
        assert not panel.submit()
        assert panel.message.text()
    finally:
        session.window.close()
        session.shutdown()
    database = open_database(tmp_path / "monitor.db")
    assert Store(database).list_rules() == []
    database.close()


def test_start_stop_one_and_all(qtbot: Any, tmp_path: Path, sessions: list) -> None:
    session = start(qtbot, tmp_path, sessions, speed=1.0)
    window = session.window
    panel = window.monitor_panel
    try:
        price = last_price(session)
        for name in ("a", "b"):
            fill_form(session, qtbot, task_name=name, stop_loss=f"{round(price * 0.5, 2)}")
            with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000):
                panel.submit()
        qtbot.waitUntil(lambda: len(window.rules) == 2)
        assert {r.status for r in window.rules} == {TaskStatus.RUNNING}

        panel.stop_all_button.click()
        qtbot.waitUntil(lambda: {r.status for r in window.rules} == {TaskStatus.STOPPED})

        panel.table.selectRow(0)
        panel.start_button.click()
        qtbot.waitUntil(lambda: [r.status for r in window.rules] == [TaskStatus.RUNNING, TaskStatus.STOPPED])

        panel.start_all_button.click()
        qtbot.waitUntil(lambda: {r.status for r in window.rules} == {TaskStatus.RUNNING})

        asked: list[str] = []
        panel.confirm_delete = lambda rule: asked.append(rule.task_name) or False  # type: ignore[method-assign]
        panel.table.selectRow(1)
        panel.delete_button.click()
        assert asked == ["b"]
        qtbot.wait(300)
        assert len(window.rules) == 2, "declined: nothing deleted"
        panel.confirm_delete = lambda rule: True  # type: ignore[method-assign]
        panel.delete_button.click()
        qtbot.waitUntil(lambda: [r.task_name for r in window.rules] == ["a"])
    finally:
        window.close()
        session.shutdown()


def test_chart_shows_live_candles_and_the_rule_levels(qtbot: Any, tmp_path: Path, sessions: list) -> None:
    session = start(qtbot, tmp_path, sessions, speed=16.0)
    window = session.window
    try:
        window.show_symbol(SYMBOL)
        series = window.series[SYMBOL]
        before = len(series)
        qtbot.waitUntil(lambda: len(series) > before + 2, timeout=10_000)
        price = last_price(session)
        fill_form(session, qtbot, task_name="lines", take_profit=f"{round(price * 1.5, 2)}",
                  stop_loss=f"{round(price * 0.5, 2)}", entry_min=f"{round(price * 0.8, 2)}",
                  entry_max=f"{round(price * 0.9, 2)}")
        with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000):
            window.monitor_panel.submit()
        qtbot.waitUntil(lambda: len(window.chart.levels) == 1, timeout=5_000)
        (level,) = window.chart.levels
        assert level.take_profit == round(price * 1.5, 2) and level.stop_loss == round(price * 0.5, 2)
        assert (level.entry_min, level.entry_max) == (round(price * 0.8, 2), round(price * 0.9, 2))
        session.feed.stop()  # freeze prices, then the next repaint shows the last one
        shown = lambda: window.watchlist.text_at(SYMBOL, 2)  # noqa: E731
        qtbot.waitUntil(lambda: shown() == f"{last_price(session):.2f}", timeout=5_000)
        assert window.watchlist.text_at(SYMBOL, 3).endswith("%")
        qtbot.waitUntil(lambda: shown() in window.monitor_panel.form.last_price.text(), timeout=3_000)
    finally:
        window.close()
        session.shutdown()


def test_broken_database_is_set_aside_and_the_trader_is_told(qtbot: Any, tmp_path: Path, sessions: list) -> None:
    broken = tmp_path / "monitor.db"
    garbage = b"this is not a database, but somebody's rules might be in here\n" * 100
    broken.write_bytes(garbage)
    session = start(qtbot, tmp_path, sessions)
    qtbot.waitUntil(lambda: hasattr(session.window, "recovery_box"), timeout=10_000)
    box = session.window.recovery_box
    assert box.isVisible() and not box.isModal()
    (backup,) = tmp_path.glob("monitor.db.broken-*")
    assert str(backup) in box.text()
    assert backup.read_bytes() == garbage, "backed up byte for byte, never deleted"
    fill_form(session, qtbot, task_name="after repair", stop_loss="1")
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000):
        session.window.monitor_panel.submit()


def test_editing_a_rule_in_the_form_updates_the_stored_rule_and_the_chart(
    qtbot: Any, tmp_path: Path, sessions: list
) -> None:
    session = start(qtbot, tmp_path, sessions, speed=1.0)
    window = session.window
    panel = window.monitor_panel
    price = last_price(session)
    fill_form(session, qtbot, task_name="edit me", stop_loss=f"{round(price * 0.5, 2)}")
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000):
        panel.submit()
    qtbot.waitUntil(lambda: len(window.rules) == 1)

    panel.table.selectRow(0)
    assert panel.form.task_name.text() == "edit me"
    new_stop = round(price * 0.6, 2)
    panel.form.stop_loss.setText(f"{new_stop}")
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000) as saved:
        panel.submit()
    rule = saved.args[1]
    assert rule.id == window.rules[0].id and rule.stop_loss == new_stop, "edited, not duplicated"
    qtbot.waitUntil(lambda: [r.stop_loss for r in window.rules] == [new_stop])
    qtbot.waitUntil(lambda: [lv.stop_loss for lv in window.chart.levels] == [new_stop])


def test_validity_from_the_form(qtbot: Any, tmp_path: Path, sessions: list) -> None:
    from datetime import datetime, timedelta, timezone

    from app.core.models import Validity

    session = start(qtbot, tmp_path, sessions, speed=1.0)
    panel = session.window.monitor_panel
    price = last_price(session)
    fill_form(session, qtbot, task_name="today", stop_loss=f"{round(price * 0.5, 2)}")
    panel.form.validity.setCurrentIndex(panel.form.validity.findData(Validity.TODAY.value))
    assert not panel.form.valid_until.isEnabled()
    with qtbot.waitSignal(session.monitor.worker.rule_saved, timeout=5_000) as saved:
        panel.submit()
    rule = saved.args[1]
    midnight = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert rule.validity is Validity.TODAY and rule.valid_until == midnight, "crypto: end of the UTC day"
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    column = panel.model.COLUMNS.index("validity")
    assert panel.model.index(0, column).data() == midnight.strftime("%Y-%m-%d %H:%M")

    panel.new_rule("BTC/USDT")
    fill_form(session, qtbot, task_name="past", stop_loss=f"{round(price * 0.5, 2)}")
    panel.form.validity.setCurrentIndex(panel.form.validity.findData(Validity.UNTIL.value))
    assert panel.form.valid_until.isEnabled()
    panel.form.valid_until.setDateTime(datetime(2020, 1, 1, 9, 30))
    panel.submit()  # valid locally; the service knows the clock and refuses
    qtbot.waitUntil(lambda: panel.message.text() == "Valid until: is already in the past", timeout=5_000)
    assert panel.model.rowCount() == 1
