"""Feed settings survive a restart, and a hand-edited or damaged ini file falls back to defaults.

Each test reads the ini back in a fresh ``AppSettings``; files written by hand are what
QSettings itself produces (a one-element list comes back as plain text).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.feeds.ccxt_urls import InvalidAddress
from app.ui.settings import AppSettings


def write_ini(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_stored(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "empty.ini")
    assert settings.feed_kind == "demo"
    assert settings.exchange_id == "binance"
    assert settings.exchange_symbols == ["BTC/USDT", "ETH/USDT"]
    assert settings.exchange_address == ""
    assert settings.exchange_market_type == "spot"


def test_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.feed_kind = "exchange"
    settings.exchange_id = "OKX"
    settings.exchange_symbols = ["BTC/USDT:USDT", " SOL/USDT:USDT ", "BTC/USDT:USDT"]
    settings.exchange_address = "127.0.0.1:8765/"
    settings.exchange_market_type = "swap"
    settings.sync()
    again = AppSettings(ini)
    assert again.feed_kind == "exchange"
    assert again.exchange_id == "okx"
    assert again.exchange_symbols == ["BTC/USDT:USDT", "SOL/USDT:USDT"]
    assert again.exchange_address == "http://127.0.0.1:8765"
    assert again.exchange_market_type == "swap"
    assert "exchange" in ini.read_text(encoding="utf-8")
    # Back to the real servers.
    again.exchange_address = ""
    assert again.exchange_address == ""


def test_one_symbol_list_read_back_as_text(tmp_path: Path) -> None:
    # What QSettings writes for ["BTC/USDT"]: a bare value, read back as a string.
    ini = write_ini(tmp_path / "one.ini", "[exchange]\nsymbols=BTC/USDT\n")
    assert AppSettings(ini).exchange_symbols == ["BTC/USDT"]
    ini = write_ini(tmp_path / "two.ini", "[exchange]\nsymbols=BTC/USDT, ETH/USDT\n")
    assert AppSettings(ini).exchange_symbols == ["BTC/USDT", "ETH/USDT"]
    # Quoted text with a comma (hand-edited): split into symbols.
    ini = write_ini(tmp_path / "quoted.ini", '[exchange]\nsymbols="SOL/USDT,XRP/USDT"\n')
    assert AppSettings(ini).exchange_symbols == ["SOL/USDT", "XRP/USDT"]


def test_one_symbol_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.exchange_symbols = ["ETH/USDT"]
    settings.sync()
    assert "symbols=ETH/USDT" in ini.read_text(encoding="utf-8")
    assert AppSettings(ini).exchange_symbols == ["ETH/USDT"]


@pytest.mark.parametrize("body", [
    "[feed]\nkind=live\n[exchange]\nid=Not An Id!\nsymbols=@Invalid()\naddress=ftp://x\n"
    "market_type=future\n",
    "[feed]\nkind=3\n[exchange]\nid=\nsymbols=, ,\naddress=http://host/path\nmarket_type=\n",
    "[feed]\nkind=@Invalid()\n[exchange]\nid=42\nsymbols=BTC USDT\naddress=127.0.0.1:notaport\n",
])
def test_garbage_values_fall_back_to_defaults(tmp_path: Path, body: str) -> None:
    settings = AppSettings(write_ini(tmp_path / "garbage.ini", body))
    assert settings.feed_kind == "demo"
    assert settings.exchange_id == "binance"
    assert settings.exchange_symbols == ["BTC/USDT", "ETH/USDT"]
    assert settings.exchange_address == ""
    assert settings.exchange_market_type == "spot"


def test_invalid_symbols_are_dropped_valid_ones_kept(tmp_path: Path) -> None:
    ini = write_ini(tmp_path / "mixed.ini", "[exchange]\nsymbols=BTC/USDT, bad symbol, , ETH/USDT\n")
    assert AppSettings(ini).exchange_symbols == ["BTC/USDT", "ETH/USDT"]


def test_setters_refuse_invalid_values(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    with pytest.raises(ValueError):
        settings.feed_kind = "live"
    with pytest.raises(ValueError):
        settings.exchange_market_type = "future"
    with pytest.raises(ValueError):
        settings.exchange_id = "not an id"
    with pytest.raises(InvalidAddress):
        settings.exchange_address = "ftp://127.0.0.1"
    assert settings.feed_kind == "demo" and settings.exchange_address == ""
    # An empty list removes the entry: the defaults apply again.
    settings.exchange_symbols = ["SOL/USDT"]
    settings.exchange_symbols = []
    assert settings.exchange_symbols == ["BTC/USDT", "ETH/USDT"]


def test_existing_settings_unchanged(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.language = "zh_CN"
    settings.demo_speed = 4
    settings.sound_enabled = False
    settings.sync()
    again = AppSettings(ini)
    assert (again.language, again.demo_speed, again.sound_enabled) == ("zh_CN", 4.0, False)
