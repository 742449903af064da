"""The feed health panel, summary line and stale banner, fed by a real FeedHealth.

Expected figures are worked out from what the test records (5 s rate window, linear
percentiles), never copied from a run. A crypto symbol keeps every feed in session; an
A-share at Saturday 10:00 (2024-03-09, no trading) gives a closed market.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication

from app.market.health import FeedHealth, HealthSnapshot
from app.market.quality_types import DropReason, QualityNote
from app.monitors import sessions
from app.ui.feed_health import (
    CLOSED_GREY,
    STALE_RED,
    FeedHealthPanel,
    StaleBanner,
    health_summary,
    reason_label,
    state_label,
    state_text,
)
from app.ui.i18n import install_translators

W0 = 1_700_000_000.0
CRYPTO = "BTC/USDT"
STOCK = "600519.SH"
SATURDAY_10 = datetime(2024, 3, 9, 10, tzinfo=timezone(timedelta(hours=8))).timestamp()


@pytest.fixture(scope="module", autouse=True)
def _calendar_loaded() -> None:
    sessions.warm_up()


def busy_feed(name: str = "demo", symbols: tuple[str, ...] = (CRYPTO, "ETH/USDT")) -> FeedHealth:
    """150 ticks accepted at W0+1 (30/s over 5 s), 4 dropped, latencies 10/20/30 ms."""
    health = FeedHealth(name, symbols, now=W0)
    health.set_state("live", now=W0)
    health.record(150, {DropReason.BAD_PRICE: 3, DropReason.CROSSED_BOOK: 1},
                  {QualityNote.HELD: 2}, now=W0 + 1)
    exchange = np.array([W0, W0 + 0.5, W0 + 0.9])
    health.record_symbols([symbols[0]] * 3, exchange, exchange + [0.010, 0.020, 0.030],
                          now=W0 + 1)
    health.gaps(1, 2, 0)
    return health


def texts(table: Any, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def reason_row(panel: FeedHealthPanel, label: str) -> int:
    column = [panel.reason_table.item(r, 0).text() for r in range(panel.reason_table.rowCount())]
    return column.index(label)


@pytest.fixture
def panel(qtbot: Any) -> FeedHealthPanel:
    widget = FeedHealthPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def test_panel_shows_the_figures_of_a_snapshot(panel: FeedHealthPanel) -> None:
    snap = busy_feed().snapshot(now=W0 + 2)
    panel.update_snapshots([snap])
    # 150 ticks / 5 s = 30/s; p50 of 10/20/30 ms = 20; p99 = 10 + 0.99*2*10 = 29.8 -> "30".
    assert texts(panel.feed_table, 0) == [
        "demo", state_label("live"), "30", "150", "4", "20", "30", "1", "2", "0",
    ]
    counts = panel.reason_table
    assert counts.item(reason_row(panel, reason_label(DropReason.BAD_PRICE)), 1).text() == "3"
    assert counts.item(reason_row(panel, reason_label(DropReason.CROSSED_BOOK)), 1).text() == "1"
    assert counts.item(reason_row(panel, reason_label(DropReason.DUPLICATE)), 1).text() == "0"
    assert counts.rowCount() == len(DropReason) + len(QualityNote)
    symbols = panel.symbol_table
    assert symbols.rowCount() == 2
    # Last BTC tick: exchange W0+0.9 shown in UTC (crypto); received 30 ms later, so at
    # W0+2 it is 2 - 0.93 = 1.07 s old.
    utc_time = datetime.fromtimestamp(W0 + 0.9, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    assert texts(symbols, 0)[:4] == [CRYPTO, utc_time, "1.1", "Yes"]
    assert texts(symbols, 1)[0] == "ETH/USDT" and texts(symbols, 1)[2] == "—"
    assert panel.banner.isHidden()


def test_updates_in_place_keep_selection_and_scroll(panel: FeedHealthPanel, qtbot: Any) -> None:
    many = tuple(f"C{i:03d}/USDT" for i in range(200))
    health = busy_feed(symbols=many)
    second = busy_feed("ccxt")
    panel.update_snapshots([health.snapshot(now=W0 + 2), second.snapshot(now=W0 + 2)])
    panel.feed_table.selectRow(0)
    panel.symbol_table.selectRow(120)
    bar = panel.symbol_table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    assert scrolled > 0
    health.record(50, {DropReason.DUPLICATE: 7}, now=W0 + 3)
    panel.update_snapshots([health.snapshot(now=W0 + 4), second.snapshot(now=W0 + 4)])
    assert panel.feed_table.item(0, 3).text() == "200"  # 150 + 50 accepted
    assert panel.reason_table.item(
        reason_row(panel, reason_label(DropReason.DUPLICATE)), 1).text() == "7"
    assert panel.feed_table.currentRow() == 0
    assert panel.symbol_table.currentRow() == 120
    assert bar.value() == scrolled
    # Picking the other feed shows its symbols.
    panel.feed_table.selectRow(1)
    assert panel.selected_feed() == "ccxt"
    assert panel.symbol_table.rowCount() == 2


def test_stale_feed_is_red_and_bold_and_the_banner_shows(panel: FeedHealthPanel) -> None:
    health = busy_feed()
    stale = health.snapshot(now=W0 + 1 + health.stale_after_s + 9)
    assert stale.is_stale
    panel.update_snapshots([stale])
    cell = panel.feed_table.item(0, 1)
    assert cell.text() == state_label("stale")
    assert cell.foreground().color() == STALE_RED and cell.font().bold()
    assert panel.symbol_table.item(0, 4).text() == panel.tr("STALE")
    assert not panel.banner.isHidden()
    # Last tick at W0+1, now W0+25: silent for 24 s.
    assert "demo" in panel.banner.text() and "24 s" in panel.banner.text()
    health.record(1, now=W0 + 30)
    panel.update_snapshots([health.snapshot(now=W0 + 30)])
    cell = panel.feed_table.item(0, 1)
    assert cell.text() == state_label("live") and not cell.font().bold()
    assert panel.banner.isHidden()


def test_closed_market_is_grey(panel: FeedHealthPanel) -> None:
    health = FeedHealth("qmt", [STOCK], market_now=lambda _s: SATURDAY_10, now=W0)
    health.set_state("live", now=W0)
    snap = health.snapshot(now=W0 + 100)
    panel.update_snapshots([snap])
    cell = panel.feed_table.item(0, 1)
    assert cell.text() == state_label("market_closed")
    assert cell.foreground().color() == CLOSED_GREY and not cell.font().bold()
    assert panel.symbol_table.item(0, 3).text() == "No"
    assert panel.banner.isHidden()


def test_summary_line_carries_the_numbers() -> None:
    snap = busy_feed().snapshot(now=W0 + 2)
    assert health_summary(snap) == "demo: Live · 30 ticks/s · dropped 4 · p99 30 ms"
    quiet = FeedHealth("qmt", [STOCK], market_now=lambda _s: SATURDAY_10, now=W0)
    quiet.set_state("reconnecting", "timeout", now=W0)
    text = health_summary(quiet.snapshot(now=W0 + 1))
    assert text == "qmt: Reconnecting (timeout) · 0.0 ticks/s · dropped 0"  # no latency yet


def test_reconnecting_shows_the_attempt_and_the_next_try(panel: FeedHealthPanel) -> None:
    health = FeedHealth("binance", [CRYPTO], now=W0)
    retry_at = datetime(2026, 3, 9, 10, 15, 30).timestamp()  # local time, as shown
    health.set_state("reconnecting", "NetworkError: closed", now=W0, attempt=3, retry_at=retry_at)
    snap = health.snapshot(now=W0 + 1)
    assert (snap.reconnect_attempt, snap.next_retry_at) == (3, retry_at)
    assert state_text(snap) == "Reconnecting — attempt 3, next try at 10:15:30"
    assert health_summary(snap).startswith(
        "binance: Reconnecting — attempt 3, next try at 10:15:30 (NetworkError: closed)")
    panel.update_snapshots([snap])
    assert panel.feed_table.item(0, 1).text() == state_text(snap)
    assert "NetworkError" in panel.feed_table.item(0, 1).toolTip()
    health.set_state("live", now=W0 + 2)
    assert state_text(health.snapshot(now=W0 + 3)) == "Live"  # the attempt is cleared


def test_summary_warns_that_alerts_are_blind_when_stale() -> None:
    health = busy_feed()
    snap = health.snapshot(now=W0 + 41)  # last tick at W0+1: silent 40 s
    text = health_summary(snap)
    assert snap.is_stale and "STALE" in text and "40 s" in text and "blind" in text


def test_banner_lists_every_stale_feed(qtbot: Any) -> None:
    banner = StaleBanner()
    qtbot.addWidget(banner)
    snaps: list[HealthSnapshot] = [
        busy_feed(name).snapshot(now=W0 + 31) for name in ("binance", "okx")
    ]
    banner.update_snapshots(snaps)
    assert not banner.isHidden()
    assert banner.text().count("\n") == 1 and "binance" in banner.text() and "okx" in banner.text()
    banner.update_snapshot(busy_feed().snapshot(now=W0 + 2))
    assert banner.isHidden()


def test_chinese_texts(qapp: Any, qtbot: Any) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert state_label("stale") == "停滞（无数据）"
        assert state_label("market_closed") == "休市"
        assert reason_label(DropReason.BAD_PRICE) == "价格无效"
        assert reason_label(DropReason.CROSSED_BOOK).startswith("盘口交叉")
        assert reason_label(DropReason.UNCONFIRMED_JUMP) == "跳价未确认"
        snap = busy_feed().snapshot(now=W0 + 2)
        assert health_summary(snap) == "demo：实时 · 30 笔/秒 · 已丢弃 4 · p99 延迟 30 毫秒"
        panel = FeedHealthPanel()
        qtbot.addWidget(panel)
        headers = [panel.feed_table.horizontalHeaderItem(c).text() for c in range(4)]
        assert headers == ["行情源", "状态", "笔/秒", "已接收"]
        panel.update_snapshots([snap])
        assert panel.symbol_table.item(0, 3).text() == "是"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
    assert state_label("live") == "Live"


def test_qmt_details_are_translated_around_the_vendors_message(qapp: Any) -> None:
    from app.ui.feed_health import detail_text

    translators = install_translators(qapp, "zh_CN")
    try:
        assert detail_text("QMT terminal not reachable: Exception: 无法连接xtquant服务") == \
            "无法连接 QMT 终端：Exception: 无法连接xtquant服务"
        assert detail_text("no quotes for 20 s in a trading session: resubscribed") == \
            "交易时段内 20 秒没有行情：已重新订阅"
        assert detail_text("terminal disconnected") == "终端已断开"
        assert detail_text("whole_market:5500") == "全市场，5,500 只代码"
        assert detail_text("something else") == "something else"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
    assert detail_text("terminal disconnected 127.0.0.1:58610") == \
        "terminal disconnected 127.0.0.1:58610"
