"""The whole app on a QMT terminal (the fake xtdata): settings, start-up offer, live window.

A real ``Session`` (window, monitor thread with its SQLite file, bridge, QMT feed) runs on
the fake terminal in real time (its market clock starts in a trading session). What a
trader sees is checked: live A-share quotes with names, the whole market reaching the
rules, a stop-loss firing into the database, the health view, and at start-up on the demo
feed either an offer to use a running terminal or the reason it is not used.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.models import AlertKind
from app.feeds.qmt_probe import probe_qmt
from app.monitors.sessions import SHANGHAI
from app.storage.db import open_database
from app.storage.repository import Store
from app.ui.application import Session, build_session, qmt_from
from app.ui.settings import AppSettings
from tests.helpers.fake_qmt import load_fake_xtdata

NO_SWITCHES = argparse.Namespace(exchange=None, qmt=False, fake_qmt=False, qmt_codes=None,
                                 whole_market=False)
MORNING = datetime(2026, 3, 24, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def xtdata() -> Iterator[Any]:
    xt = load_fake_xtdata()
    xt.fake_reset(start=MORNING, speed=4.0, universe=1000)
    yield xt
    xt.fake_reset(paused=True)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    settings = AppSettings(tmp_path / "settings.ini")
    settings.feed_kind = "qmt"
    settings.qmt_codes = ["600519.SH", "000001.SZ"]
    settings.qmt_whole_market = True
    return settings


@pytest.fixture
def session(qtbot: Any, tmp_path: Path, settings: AppSettings, xtdata: Any) -> Iterator[Session]:
    config = qmt_from(NO_SWITCHES, settings)
    assert config is not None and config.whole_market
    session = build_session(db_path=tmp_path / "monitor.db", settings=settings, qmt=config,
                            qmt_sdk=lambda: xtdata, exchange_clock=xtdata.fake_market().clock)
    session.window.show()
    yield session
    session.window.close()
    session.shutdown()


def test_settings_choose_qmt_and_switches_win(tmp_path: Path) -> None:
    fresh = AppSettings(tmp_path / "fresh.ini")
    assert qmt_from(NO_SWITCHES, fresh) is None  # a fresh install runs the demo
    switches = argparse.Namespace(exchange=None, qmt=True, fake_qmt=False,
                                  qmt_codes=["300750.SZ"], whole_market=True)
    config = qmt_from(switches, fresh)
    assert config is not None
    assert (config.codes, config.whole_market, config.port) == (("300750.SZ",), True, None)


def test_live_quotes_whole_market_and_a_stop_loss(qtbot: Any, session: Session,
                                                  tmp_path: Path) -> None:
    window = session.window
    qtbot.waitUntil(lambda: "600519.SH" in window.series, timeout=30_000)
    assert len(window.series["600519.SH"].times) >= 200  # the chart starts full
    assert "QMT" in window.demo_label.text()
    qtbot.waitUntil(lambda: window.watchlist.text_at("000001.SZ", 2) not in ("—", ""),
                    timeout=30_000)
    assert window.instruments["600519.SH"].name == "贵州茅台"
    # the whole market reaches the rules; health lists the watchlist only
    qtbot.waitUntil(lambda: session.pipeline.health.snapshot().accepted > 800, timeout=30_000)
    snap = session.pipeline.health.snapshot()
    assert snap.feed == "QMT" and snap.state == "live"
    assert {s.symbol for s in snap.symbols} == {"600519.SH", "000001.SZ"}
    qtbot.waitUntil(lambda: window.symbol_search.has_markets(), timeout=10_000)

    # a stop-loss on a code outside the watchlist fires from the whole-market push
    xt = load_fake_xtdata()
    code = next(c for c in xt.get_stock_list_in_sector("沪深A股")
                if c not in ("600519.SH", "000001.SZ") and xt.get_full_tick([c]).get(c, {})
                .get("lastPrice", 0) > 0)
    last = xt.get_full_tick([code])[code]["lastPrice"]
    fired: list = []
    session.monitor.worker.alerts_fired.connect(lambda stored: fired.extend(stored))
    session.monitor.worker.save_requested.emit(
        "t1", {"task_name": "whole market stop", "stock_code": code,
               "stop_loss": round(last * 1.05, 2)}, None)
    qtbot.waitUntil(lambda: any(a.alert.stock_code == code for a in fired), timeout=30_000)
    session.shutdown()
    with open_database(tmp_path / "monitor.db") as database:
        records, total = Store(database).alert_page(0, 50)
    assert total >= 1
    assert any(r.kind is AlertKind.STOP_LOSS and r.stock_code == code for r in records)


def _demo_session(tmp_path: Path, probe: Any) -> Session:
    settings = AppSettings(tmp_path / "demo.ini")
    return build_session(db_path=tmp_path / "demo.db", settings=settings, qmt_probe=probe)


def test_startup_offers_a_running_terminal_once(qtbot: Any, tmp_path: Path, xtdata: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    session = _demo_session(tmp_path, lambda: probe_qmt(lambda: xtdata))
    monkeypatch.setattr(session.window, "ask_use_qmt", lambda: asked.append(True) or True)
    monkeypatch.setattr(session.window, "offer_restart", lambda _title: None)
    try:
        qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
        assert session.settings.feed_kind == "qmt" and session.settings.qmt_offer_answered
    finally:
        session.shutdown()
    # asked once: the next start on the demo does not ask again
    again: list[bool] = []
    settings = AppSettings(tmp_path / "demo.ini")
    settings.feed_kind = "demo"
    second = build_session(db_path=tmp_path / "demo2.db", settings=settings,
                           qmt_probe=lambda: probe_qmt(lambda: xtdata))
    monkeypatch.setattr(second.window, "ask_use_qmt", lambda: again.append(True) or True)
    try:
        qtbot.wait(800)
        assert not again and settings.feed_kind == "demo"
    finally:
        second.shutdown()


def test_startup_says_why_qmt_is_not_used(qtbot: Any, tmp_path: Path, xtdata: Any) -> None:
    xtdata.fake_market().terminal_down()
    session = _demo_session(tmp_path, lambda: probe_qmt(lambda: xtdata))
    try:
        qtbot.waitUntil(lambda: "QMT" in session.window.demo_label.toolTip(), timeout=20_000)
        assert "无法连接xtquant服务" in session.window.demo_label.toolTip()
        assert not session.settings.qmt_offer_answered
    finally:
        session.shutdown()


def test_probe_reasons() -> None:
    def broken() -> Any:
        raise ImportError("cannot import name 'datacenter'")

    assert "could not be loaded" in probe_qmt(broken)
    xt = load_fake_xtdata()
    xt.fake_reset(paused=True)
    assert probe_qmt(lambda: xt) == ""
    xt.fake_market().terminal_down()
    assert "no QMT terminal answered" in probe_qmt(lambda: xt)
    xt.fake_reset(paused=True)
