"""The symbol search box: typing shows ranked suggestions, Enter adds only a known market."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.ui.symbol_search import SymbolSearchBox

MARKETS = [
    "ETH/USDT", "WBTC/USDT", "BTC/EUR", "BTC/USDT", "BTCDOM/USDT", "SOL/USDT", "BTC/USDC",
]


@pytest.fixture
def box(qtbot: Any) -> SymbolSearchBox:
    widget = SymbolSearchBox("binance")
    qtbot.addWidget(widget)
    widget.set_symbols(MARKETS)
    widget.show()
    qtbot.waitExposed(widget)
    widget.line_edit.setFocus()
    return widget


def popup_items(box: SymbolSearchBox) -> list[str]:
    popup = box.completer.popup()
    model = popup.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_typing_shows_ranked_suggestions_in_the_popup(box: SymbolSearchBox, qtbot: Any) -> None:
    qtbot.keyClicks(box.line_edit, "btc")
    qtbot.waitUntil(lambda: box.completer.popup().isVisible())
    expected = ["BTC/USDT", "BTC/USDC", "BTC/EUR", "BTCDOM/USDT", "WBTC/USDT"]
    assert popup_items(box) == expected
    assert box.suggestions() == expected
    box.line_edit.clear()
    qtbot.keyClicks(box.line_edit, "BTC/us")
    assert popup_items(box)[:2] == ["BTC/USDT", "BTC/USDC"]


def test_separator_less_text_finds_the_pair(box: SymbolSearchBox, qtbot: Any) -> None:
    qtbot.keyClicks(box.line_edit, "btcusdt")
    assert popup_items(box) == ["BTC/USDT", "WBTC/USDT"]


def test_enter_on_an_exact_match_emits_the_canonical_symbol(
    box: SymbolSearchBox, qtbot: Any
) -> None:
    chosen: list[str] = []
    box.symbol_chosen.connect(chosen.append)
    qtbot.keyClicks(box.line_edit, "btcusdt")
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    assert chosen == ["BTC/USDT"]
    assert box.line_edit.text() == "" and box.error_text() == ""
    qtbot.keyClicks(box.line_edit, "eth/usdt")
    box.add_button.click()
    assert chosen == ["BTC/USDT", "ETH/USDT"]


def test_picking_from_the_popup_then_enter(box: SymbolSearchBox, qtbot: Any) -> None:
    chosen: list[str] = []
    box.symbol_chosen.connect(chosen.append)
    qtbot.keyClicks(box.line_edit, "btc")
    popup = box.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)  # second suggestion: BTC/USDC
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert chosen == ["BTC/USDC"]


def test_unknown_symbol_shows_an_error_and_emits_nothing(
    box: SymbolSearchBox, qtbot: Any
) -> None:
    chosen: list[str] = []
    box.symbol_chosen.connect(chosen.append)
    qtbot.keyClicks(box.line_edit, "XYZ")
    assert box.suggestions() == []
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    assert chosen == []
    assert box.error_text() == "Unknown symbol on binance: XYZ"
    assert box.error_label.isVisible()
    assert box.line_edit.text() == "XYZ"  # kept for correcting
    # A currency alone is not a market either.
    box.line_edit.clear()
    qtbot.keyClicks(box.line_edit, "btc")
    assert box.error_text() == ""  # typing clears the error
    box.add_button.click()
    assert chosen == [] and box.error_text() == "Unknown symbol on binance: btc"


def test_disabled_while_markets_load(qtbot: Any) -> None:
    box = SymbolSearchBox("okx")
    qtbot.addWidget(box)
    assert not box.has_markets()
    assert not box.line_edit.isEnabled() and not box.add_button.isEnabled()
    assert box.line_edit.placeholderText() == "Loading markets…"
    box.set_symbols(["BTC/USDT:USDT"])
    assert box.line_edit.isEnabled() and box.add_button.isEnabled()
    assert "Loading" not in box.line_edit.placeholderText()
    box.set_symbols([])  # another exchange picked: loading again
    assert not box.line_edit.isEnabled()
    assert box.line_edit.placeholderText() == "Loading markets…"


def test_suggestions_are_capped(qtbot: Any) -> None:
    box = SymbolSearchBox("binance")
    qtbot.addWidget(box)
    box.set_symbols([f"C{i:04d}/USDT" for i in range(400)])
    box.show()
    qtbot.keyClicks(box.line_edit, "usdt")
    assert len(box.suggestions()) == 50


def test_error_without_exchange_name(qtbot: Any) -> None:
    box = SymbolSearchBox()
    qtbot.addWidget(box)
    box.set_symbols(MARKETS)
    box.line_edit.setText("DOGE")
    box.choose()
    assert box.error_text() == "Unknown symbol: DOGE"


def test_a_share_list_hints_codes_and_takes_a_bare_number(qtbot: Any) -> None:
    widget = SymbolSearchBox("QMT")
    qtbot.addWidget(widget)
    widget.set_symbols(["600519.SH", "000001.SZ", "300750.SZ"])
    assert "600519" in widget.line_edit.placeholderText()
    chosen: list[str] = []
    widget.symbol_chosen.connect(chosen.append)
    widget.line_edit.setText("600519")
    widget.choose()
    widget.line_edit.setText("sz300750")
    widget.choose()
    assert chosen == ["600519.SH", "300750.SZ"]
