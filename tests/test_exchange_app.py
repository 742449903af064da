"""The whole app on a crypto exchange: settings pick the exchange, prices fill the window.

A real ``Session`` (window, monitor thread with its SQLite file, bridge, ccxt feed) talks
to the local fake exchange. What a trader sees is checked: live prices in the watchlist,
a chart that starts full, a symbol added from the search box streams and is remembered,
a rule's stop-loss fires from live exchange prices and lands in the database, and the
health view names the exchange and its state.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.models import AlertKind
from app.storage.db import open_database
from app.storage.repository import Store
from app.ui.application import Session, build_session, exchange_from
from app.ui.settings import AppSettings
from tests.fake_exchange import FakeExchange, FakeMarket

NO_SWITCHES = argparse.Namespace(exchange=None, symbols=None, exchange_address=None)


@pytest.fixture
def fake() -> Iterator[FakeExchange]:
    with FakeExchange("binance", FakeMarket(speed=60.0)) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, fake: FakeExchange) -> AppSettings:
    settings = AppSettings(tmp_path / "settings.ini")
    settings.feed_kind = "exchange"
    settings.exchange_id = "binance"
    settings.exchange_symbols = ["BTC/USDT"]
    settings.exchange_address = fake.base_url
    return settings


@pytest.fixture
def session(qtbot: Any, tmp_path: Path, settings: AppSettings, fake: FakeExchange) -> Iterator[Session]:
    config = exchange_from(NO_SWITCHES, settings)
    assert config is not None and config.address == fake.base_url
    session = build_session(db_path=tmp_path / "monitor.db", settings=settings,
                            exchange=config, exchange_clock=fake.market.now_s)
    session.window.show()
    yield session
    session.window.close()
    session.shutdown()


def test_settings_choose_the_exchange_and_demo_stays_the_default(tmp_path: Path) -> None:
    fresh = AppSettings(tmp_path / "fresh.ini")
    assert exchange_from(NO_SWITCHES, fresh) is None  # a fresh install runs the demo
    switches = argparse.Namespace(exchange="okx", symbols=["ETH/USDT"],
                                  exchange_address="127.0.0.1:9")
    config = exchange_from(switches, fresh)
    assert (config.exchange_id, config.symbols, config.address) == ("okx", ("ETH/USDT",),
                                                                      "127.0.0.1:9")
    with pytest.raises(ValueError, match="address"):
        exchange_from(argparse.Namespace(exchange="okx", symbols=None,
                                         exchange_address="ftp://x"), fresh)


def test_live_exchange_prices_fill_watchlist_and_chart(qtbot: Any, session: Session,
                                                        settings: AppSettings) -> None:
    window = session.window
    qtbot.waitUntil(lambda: "BTC/USDT" in window.series, timeout=60_000)
    assert len(window.series["BTC/USDT"].times) >= 400  # the chart starts full
    qtbot.waitUntil(lambda: window.watchlist.text_at("BTC/USDT", 2) not in ("—", ""), timeout=30_000)
    assert "LIVE" in window.demo_label.text() and "binance" in window.demo_label.text()
    qtbot.waitUntil(lambda: window.symbol_search.has_markets(), timeout=10_000)

    window.symbol_search.line_edit.setText("ethusdt")
    window.symbol_search.choose()
    qtbot.waitUntil(lambda: window.watchlist.text_at("ETH/USDT", 2) not in ("—", ""), timeout=30_000)
    assert settings.exchange_symbols == ["BTC/USDT", "ETH/USDT"]  # remembered for next start

    # remove it again: the row, the setting and the health row go, the stream stops
    window.watchlist.select_symbol("ETH/USDT")
    window.watchlist.remove_action.trigger()
    assert "ETH/USDT" not in window.watchlist.symbols() and "ETH/USDT" not in window.series
    assert settings.exchange_symbols == ["BTC/USDT"]
    assert "ETH/USDT" not in {s.symbol for s in session.pipeline.health.snapshot().symbols}
    qtbot.waitUntil(lambda: "ETH/USDT" not in session.exchange_feed.symbols(), timeout=5_000)
    streamed: list[str] = []
    session.bridge.ticks_received.connect(lambda ticks: streamed.extend(t.symbol for t in ticks))
    qtbot.waitUntil(lambda: "BTC/USDT" in streamed, timeout=20_000)
    qtbot.wait(1500)
    assert "ETH/USDT" not in streamed

    window.symbol_search.line_edit.setText("XYZ/ABC")
    window.symbol_search.choose()
    assert "XYZ/ABC" in window.symbol_search.error_text()
    assert "XYZ/ABC" not in window.watchlist.symbols()

    qtbot.waitUntil(lambda: session.pipeline.health.snapshot().accepted > 0, timeout=20_000)
    snap = session.pipeline.health.snapshot()
    assert snap.feed == "binance" and snap.state == "live"
    assert [s.symbol for s in snap.symbols] == ["BTC/USDT"]  # ETH/USDT was removed
    qtbot.waitUntil(lambda: "binance" in window.feed_status.text(), timeout=5_000)


def test_a_stop_loss_fires_from_live_exchange_prices(qtbot: Any, session: Session,
                                                     tmp_path: Path) -> None:
    window = session.window
    qtbot.waitUntil(lambda: window.quotes.get("BTC/USDT") is not None
                    and window.quotes["BTC/USDT"].last is not None, timeout=60_000)
    last = window.quotes["BTC/USDT"].last
    fired: list = []
    session.monitor.worker.alerts_fired.connect(lambda stored: fired.extend(stored))
    # a stop above the market: the next live price is at or below it
    session.monitor.worker.save_requested.emit(
        "t1", {"task_name": "btc stop", "stock_code": "BTC/USDT", "stop_loss": round(last * 1.05, 2)},
        None)
    qtbot.waitUntil(lambda: bool(fired), timeout=30_000)
    alert = fired[0].alert
    assert alert.kind.value == "stop_loss" and alert.source.value == "live"
    assert alert.price <= last * 1.05
    window.close()
    session.shutdown()
    database = open_database(tmp_path / "monitor.db")  # on disk, independently of the app
    try:
        rows, total = Store(database).alert_page(0, 10)
    finally:
        database.close()
    assert total == 1 and rows[0].kind is AlertKind.STOP_LOSS and rows[0].stock_code == "BTC/USDT"
