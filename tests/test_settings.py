"""Feed settings survive a restart, and a hand-edited or damaged ini file falls back to defaults.

Each test reads the ini back in a fresh ``AppSettings``; files written by hand are what
QSettings itself produces (a one-element list comes back as plain text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray

from app.feeds.ccxt_urls import InvalidAddress
from app.market.timeframes import TIMEFRAMES
from app.ui.settings import (
    CHART_TIMEFRAMES,
    DEFAULT_QMT_CODES,
    DEMO_SPEEDS,
    POPUP_SECONDS_RANGE,
    SNOOZE_MINUTES_RANGE,
    STOP_LOSS_REPEAT_RANGE,
    UP_COLOR_CONVENTIONS,
    AppSettings,
    clean_qmt_code,
    qmt_code_problem,
)


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


# ----- QMT (MiniQMT / xtquant) -------------------------------------------------------


def test_qmt_defaults_when_nothing_is_stored(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "empty.ini")
    assert settings.qmt_codes == ["600519.SH", "000001.SZ", "300750.SZ", "000300.SH"]
    assert settings.qmt_codes == DEFAULT_QMT_CODES
    assert settings.qmt_whole_market is False
    assert settings.qmt_port is None
    assert settings.qmt_offer_answered is False
    # The default list is a copy: changing it changes nothing stored or shared.
    settings.qmt_codes.append("601318.SH")
    assert settings.qmt_codes == DEFAULT_QMT_CODES == ["600519.SH", "000001.SZ", "300750.SZ", "000300.SH"]


def test_qmt_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.feed_kind = "qmt"
    settings.qmt_codes = [" 600519.sh", "SH600519", "000001.SZ", "sz000300", "430047.bj", "000001.sz"]
    settings.qmt_whole_market = True
    settings.qmt_port = 58610
    settings.qmt_offer_answered = True
    settings.sync()
    again = AppSettings(ini)
    assert again.feed_kind == "qmt"
    # Normalised, repeats dropped, order kept; leading zeros survive the ini file.
    assert again.qmt_codes == ["600519.SH", "000001.SZ", "000300.SZ", "430047.BJ"]
    assert again.qmt_whole_market is True
    assert again.qmt_port == 58610
    assert again.qmt_offer_answered is True
    text = ini.read_text(encoding="utf-8")
    assert "[qmt]" in text and "000001.SZ" in text
    # Back to auto-detect and the single-sector watchlist.
    again.qmt_port = None
    again.qmt_whole_market = False
    again.qmt_offer_answered = False
    again.sync()
    third = AppSettings(ini)
    assert third.qmt_port is None and third.qmt_whole_market is False
    assert third.qmt_offer_answered is False
    assert "port" not in ini.read_text(encoding="utf-8")


def test_qmt_one_code_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.qmt_codes = ["000001.sz"]
    settings.sync()
    assert "codes=000001.SZ" in ini.read_text(encoding="utf-8")
    assert AppSettings(ini).qmt_codes == ["000001.SZ"]


def test_qmt_hand_edited_file(tmp_path: Path) -> None:
    ini = write_ini(
        tmp_path / "hand.ini",
        "[qmt]\ncodes=600519.sh, sh601318, 600519.HK, 12345.SZ, , 000001.SZ\n"
        "whole_market=1\nport= 58610 \noffer_answered=true\n",
    )
    settings = AppSettings(ini)
    assert settings.qmt_codes == ["600519.SH", "601318.SH", "000001.SZ"]
    assert settings.qmt_whole_market is True
    assert settings.qmt_port == 58610
    assert settings.qmt_offer_answered is True


@pytest.mark.parametrize("body", [
    "[qmt]\ncodes=600519.HK, AAPL\nwhole_market=yes please\nport=0\noffer_answered=maybe\n",
    "[qmt]\ncodes=\nwhole_market=\nport=70000\noffer_answered=\n",
    "[qmt]\ncodes=@Invalid()\nwhole_market=@Invalid()\nport=auto\noffer_answered=0\n",
    "[qmt]\ncodes=, ,\nport=-1\n",
])
def test_qmt_garbage_values_fall_back_to_defaults(tmp_path: Path, body: str) -> None:
    settings = AppSettings(write_ini(tmp_path / "garbage.ini", body))
    assert settings.qmt_codes == DEFAULT_QMT_CODES
    assert settings.qmt_whole_market is False
    assert settings.qmt_port is None
    assert settings.qmt_offer_answered is False


def test_qmt_setters_refuse_invalid_values(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    settings.qmt_codes = ["601318.SH"]
    settings.qmt_port = 58610
    with pytest.raises(ValueError, match=r"qmt_codes: '600519\.HK'.*market must be SH"):
        settings.qmt_codes = ["000001.SZ", "600519.HK"]
    with pytest.raises(ValueError, match=r"qmt_codes: '60051\.SH'.*6 digits"):
        settings.qmt_codes = ["60051.SH"]
    with pytest.raises(ValueError, match=r"qmt_codes: '600519'.*market is missing"):
        settings.qmt_codes = ["600519"]
    for bad in (0, 65536, -1, True, "58610", 5861.0):
        with pytest.raises(ValueError, match="qmt_port"):
            settings.qmt_port = bad  # type: ignore[assignment]
    with pytest.raises(ValueError, match="feed kind"):
        settings.feed_kind = "xtquant"
    # Nothing half-written.
    assert settings.qmt_codes == ["601318.SH"]
    assert settings.qmt_port == 58610
    assert settings.feed_kind == "demo"
    # Both ends of the port range are fine; an empty list brings the defaults back.
    settings.qmt_port = 1
    assert settings.qmt_port == 1
    settings.qmt_port = 65535
    assert settings.qmt_port == 65535
    settings.qmt_codes = []
    assert settings.qmt_codes == DEFAULT_QMT_CODES
    # A single code given as text is one code, not six characters.
    settings.qmt_codes = "sz300750"  # type: ignore[assignment]
    assert settings.qmt_codes == ["300750.SZ"]


@pytest.mark.parametrize(("text", "expected"), [
    ("600519.SH", "600519.SH"),
    ("600519.sh", "600519.SH"),
    ("  000001.Sz ", "000001.SZ"),
    ("430047.BJ", "430047.BJ"),
    ("SH600519", "600519.SH"),
    ("sh600519", "600519.SH"),
    ("sz000001", "000001.SZ"),
    ("bj430047", "430047.BJ"),
    ("600519", None),
    ("600519.HK", None),
    ("HK00700", None),
    ("60051.SH", None),
    ("6005190.SH", None),
    ("600519SH", None),
    ("BTC/USDT", None),
    ("", None),
    ("６００５１９．ｓｈ", "600519.SH"),  # full-width, as a Chinese input method types it
    ("٦٠٠٥١٩.SH", None),  # other digits are not
])
def test_clean_qmt_code(text: str, expected: str | None) -> None:
    assert clean_qmt_code(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("600519", "the market is missing"),
    ("600519.", "the market is missing"),
    ("600519.HK", "the market must be SH (Shanghai), SZ (Shenzhen) or BJ (Beijing)"),
    ("hk00700", "the market must be SH"),
    ("60051.SH", "exactly 6 digits"),
    ("1234567", "exactly 6 digits"),
    ("BTC/USDT", "not in the form 600519.SH"),
    ("600519SH", "not in the form 600519.SH"),
    ("  ", "empty code"),
])
def test_qmt_code_problem_says_why(text: str, reason: str) -> None:
    problem = qmt_code_problem(text)
    assert reason in problem
    assert "\n" not in problem


def test_qmt_code_problem_is_empty_for_a_valid_code() -> None:
    for code in ("600519.SH", "sh600519", "000300.sh", "430047.BJ"):
        assert qmt_code_problem(code) == ""


# ----- preferences (the Settings dialog) -----------------------------------------------

DEFAULT_PREFERENCES = {
    "language": "auto",
    "demo_speed": 1.0,
    "sound_enabled": True,
    "stop_loss_repeat": False,
    "stop_loss_repeat_s": 5,
    "popup_seconds": 10,
    "stop_loss_popup_seconds": 0,
    "snooze_minutes": 5,
    "close_to_tray": True,
    "tray_hint_shown": False,
    "tray_balloons": True,
    "up_color_convention": "red_up",
    "chart_timeframe": "1m",
}


def preferences(settings: AppSettings) -> dict[str, object]:
    return {key: getattr(settings, key) for key in DEFAULT_PREFERENCES}


def test_preference_defaults_when_nothing_is_stored(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "empty.ini")
    assert preferences(settings) == DEFAULT_PREFERENCES
    assert type(settings.popup_seconds) is int and type(settings.snooze_minutes) is int
    assert settings.window_state() == (None, None)


def test_preference_constants() -> None:
    assert DEMO_SPEEDS == (0.25, 1.0, 4.0, 16.0, 64.0, 256.0)
    assert set(CHART_TIMEFRAMES) <= set(TIMEFRAMES)  # the chart can build each of them
    assert CHART_TIMEFRAMES == ("1m", "5m", "15m", "30m", "1h", "1d")
    assert UP_COLOR_CONVENTIONS == ("red_up", "green_up")
    assert (POPUP_SECONDS_RANGE, STOP_LOSS_REPEAT_RANGE, SNOOZE_MINUTES_RANGE) == (
        (3, 300), (2, 60), (1, 60))


def test_preferences_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    changed = {
        "language": "en",
        "demo_speed": 64.0,
        "sound_enabled": False,
        "stop_loss_repeat": True,
        "stop_loss_repeat_s": 12,
        "popup_seconds": 45,
        "stop_loss_popup_seconds": 120,
        "snooze_minutes": 15,
        "close_to_tray": False,
        "tray_hint_shown": True,
        "tray_balloons": False,
        "up_color_convention": "green_up",
        "chart_timeframe": "15m",
    }
    assert set(changed) == set(DEFAULT_PREFERENCES)
    for key, value in changed.items():
        setattr(settings, key, value)
    settings.sync()
    again = AppSettings(ini)
    assert preferences(again) == changed
    assert type(again.popup_seconds) is int  # read back from text
    text = ini.read_text(encoding="utf-8")
    assert "stop_loss_repeat_s=12" in text and "up_color=green_up" in text
    # And back: "until acknowledged" is stored as 0.
    again.stop_loss_popup_seconds = 0
    again.sync()
    assert AppSettings(ini).stop_loss_popup_seconds == 0


@pytest.mark.parametrize("bad", ["abc", "", "12.5", "-1", "1e9", "nan", "inf", "@Invalid()",
                                 "5, 6", "true"])
def test_bad_preference_values_give_the_defaults(tmp_path: Path, bad: str) -> None:
    keys = {
        "ui": ["language"],
        "feed": ["demo_speed"],
        "alerts": ["sound", "stop_loss_repeat", "stop_loss_repeat_s", "popup_seconds",
                   "stop_loss_popup_seconds", "snooze_minutes"],
        "tray": ["close_to_tray", "hint_shown", "balloons"],
        "chart": ["up_color", "timeframe"],
    }
    body = "".join(
        f"[{group}]\n" + "".join(f"{name}={bad}\n" for name in names) for group, names in keys.items()
    )
    settings = AppSettings(write_ini(tmp_path / "bad.ini", body))
    expected = dict(DEFAULT_PREFERENCES)
    if bad == "true":  # a valid bool: the switches read it, the numbers and names do not
        expected.update(sound_enabled=True, stop_loss_repeat=True, close_to_tray=True,
                        tray_hint_shown=True, tray_balloons=True)
    if bad in ("1e9", "12.5"):
        expected["demo_speed"] = float(bad)  # a positive speed; the dialog shows the nearest
    assert preferences(settings) == expected


@pytest.mark.parametrize(("key", "text"), [
    ("popup_seconds", "0"), ("popup_seconds", "2"), ("popup_seconds", "301"),
    ("stop_loss_repeat_s", "1"), ("stop_loss_repeat_s", "61"),
    ("snooze_minutes", "0"), ("snooze_minutes", "61"),
    ("stop_loss_popup_seconds", "1"), ("stop_loss_popup_seconds", "2"),
    ("stop_loss_popup_seconds", "301"), ("stop_loss_popup_seconds", "-5"),
])
def test_out_of_range_numbers_give_the_defaults(tmp_path: Path, key: str, text: str) -> None:
    ini = write_ini(tmp_path / "range.ini", f"[alerts]\n{key}={text}\n")
    assert getattr(AppSettings(ini), key) == DEFAULT_PREFERENCES[key]


def test_hand_edited_numbers_and_switches_are_read(tmp_path: Path) -> None:
    ini = write_ini(
        tmp_path / "hand.ini",
        "[alerts]\npopup_seconds= 30 \nsnooze_minutes=10.0\nstop_loss_popup_seconds=3\n"
        "stop_loss_repeat_s=60\nsound=OFF\nstop_loss_repeat=yes\n"
        "[tray]\nclose_to_tray=0\nballoons=no\nhint_shown=1\n[feed]\ndemo_speed=0.25\n",
    )
    settings = AppSettings(ini)
    assert (settings.popup_seconds, settings.snooze_minutes) == (30, 10)
    assert (settings.stop_loss_popup_seconds, settings.stop_loss_repeat_s) == (3, 60)
    assert settings.sound_enabled is False and settings.stop_loss_repeat is True
    assert settings.close_to_tray is False and settings.tray_balloons is False
    assert settings.tray_hint_shown is True
    assert settings.demo_speed == 0.25


@pytest.mark.parametrize("speed", ["0", "-4", "nan", "-inf"])
def test_demo_speed_must_be_positive(tmp_path: Path, speed: str) -> None:
    ini = write_ini(tmp_path / "speed.ini", f"[feed]\ndemo_speed={speed}\n")
    assert AppSettings(ini).demo_speed == 1.0


@pytest.mark.parametrize(("key", "bad"), [
    ("popup_seconds", 0), ("popup_seconds", 2), ("popup_seconds", 301), ("popup_seconds", 10.0),
    ("popup_seconds", True), ("popup_seconds", "10"),
    ("stop_loss_repeat_s", 1), ("stop_loss_repeat_s", 61),
    ("snooze_minutes", 0), ("snooze_minutes", 61), ("snooze_minutes", None),
    ("stop_loss_popup_seconds", 1), ("stop_loss_popup_seconds", 301),
    ("stop_loss_popup_seconds", -1), ("stop_loss_popup_seconds", False),
    ("up_color_convention", "red"), ("up_color_convention", ""),
    ("chart_timeframe", "4h"), ("chart_timeframe", "1M"),
    ("language", "zh"), ("language", "fr"),
    ("demo_speed", 0), ("demo_speed", -1.0), ("demo_speed", float("nan")),
])
def test_preference_setters_refuse_invalid_values(tmp_path: Path, key: str, bad: object) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    with pytest.raises(ValueError, match=key):
        setattr(settings, key, bad)
    settings.sync()
    assert getattr(AppSettings(ini), key) == DEFAULT_PREFERENCES[key]  # nothing written
    assert not ini.exists() or key.split("_")[0] not in ini.read_text(encoding="utf-8")


def test_preference_setters_accept_the_ends_of_each_range(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    for key, (low, high) in {"popup_seconds": POPUP_SECONDS_RANGE,
                             "stop_loss_repeat_s": STOP_LOSS_REPEAT_RANGE,
                             "snooze_minutes": SNOOZE_MINUTES_RANGE,
                             "stop_loss_popup_seconds": POPUP_SECONDS_RANGE}.items():
        for value in (low, high):
            setattr(settings, key, value)
            assert getattr(settings, key) == value
    for timeframe in CHART_TIMEFRAMES:
        settings.chart_timeframe = timeframe
        assert settings.chart_timeframe == timeframe
    for language in ("auto", "zh_CN", "en"):
        settings.language = language
        assert settings.language == language


def test_window_state_round_trip(tmp_path: Path) -> None:
    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.save_window_state(QByteArray(b"geometry\x00\x01"), QByteArray(b"state"))
    settings.sync()
    geometry, state = AppSettings(ini).window_state()
    assert geometry == QByteArray(b"geometry\x00\x01") and state == QByteArray(b"state")
