"""A feed silent during its session: the window shows it and says it once in the tray,
and says so again when prices are back (issue 4)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from app.market.health import FeedHealth
from app.services.monitor_worker import MonitorWorker
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings


def test_a_silent_feed_raises_the_banner_and_one_tray_message_then_recovers(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *args: shown.append(args))
    worker = MonitorWorker(tmp_path / "monitor.db")  # never opened: only its signals are used
    window = MainWindow(settings=AppSettings(tmp_path / "settings.ini"), worker=worker,
                        db_path=tmp_path / "m.db")
    qtbot.addWidget(window)
    window.show()
    health = FeedHealth("exchange", ["BTC/USDT"], stale_after_s=1.5)  # crypto: always in session
    window.add_feed_health(health)
    try:
        health.set_state("live")
        health.record(5)
        window._update_status()
        assert window.stale_banner.isHidden()
        assert "exchange" in window.feed_status.text()
        time.sleep(2.0)
        window._update_status()
        assert window.stale_banner.isVisible()
        assert "exchange" in window.stale_banner.text()
        assert "c62828" in window.feed_status.styleSheet()  # the status bar turns red
        warnings = [args for args in shown if args[0] == "Feed silent — alerts are blind"]
        assert len(warnings) == 1 and "exchange" in warnings[0][1]
        window._update_status()  # still silent: no second message
        assert len([a for a in shown if a[0] == "Feed silent — alerts are blind"]) == 1
        health.record(3)
        window._update_status()
        assert window.stale_banner.isHidden()
        assert [args[0] for args in shown][-1] == "Feed back"
        assert window.health_panel.feed_table.rowCount() == 1
    finally:
        window.shutdown()
