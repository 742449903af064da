"""The feed dialog: what OK keeps (settings in the ini, keys only in the keyring) and what
keeps OK disabled. Each test has its own ini file and an in-memory keyring; ccxt's
exchange list is passed in (importing ccxt takes seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.feeds.credentials import ApiKeys, CredentialStore
from app.ui.feed_settings import FeedChoice, FeedSettingsDialog, exchange_choices
from app.ui.i18n import install_translators
from app.ui.settings import AppSettings
from tests.test_credentials import LockedKeyring, MemoryKeyring

EXCHANGES = ["kraken", "okx", "binance", "gate", "bybit"]
BINANCE_SPOT = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "WBTC/USDT", "BTC/EUR"]
KEY = "AKIAabcdef0123456789"
SECRET = "s3cr3t-Very-Private-Value"
PASSPHRASE = "okx-passphrase-42"


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def make_dialog(ini: Path, memory: MemoryKeyring, qtbot: Any) -> Any:
    def make(
        *, markets: list[str] | None = None, backend: Any = None, settings: AppSettings | None = None
    ) -> FeedSettingsDialog:
        dialog = FeedSettingsDialog(
            settings or AppSettings(ini),
            CredentialStore(backend if backend is not None else memory),
            exchange_ids=EXCHANGES,
            markets=markets,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def ok_button(dialog: FeedSettingsDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def pick_exchange(dialog: FeedSettingsDialog, exchange: str) -> None:
    dialog.exchange_combo.setCurrentIndex(dialog.exchange_combo.findText(exchange))


def pick_market_type(dialog: FeedSettingsDialog, market_type: str) -> None:
    dialog.market_type_combo.setCurrentIndex(dialog.market_type_combo.findData(market_type))


def test_exchange_list_puts_the_tested_exchanges_first() -> None:
    assert exchange_choices(EXCHANGES) == ["binance", "bybit", "okx", "gate", "kraken"]


def test_choose_exchange_symbols_and_address(
    make_dialog: Any, ini: Path, qtbot: Any
) -> None:
    dialog = make_dialog()
    assert not dialog.exchange_box.isEnabled()  # demo is the default
    dialog.exchange_radio.setChecked(True)
    assert dialog.exchange_box.isEnabled()
    pick_exchange(dialog, "okx")
    pick_market_type(dialog, "swap")
    # No markets list: symbols are typed, comma-separated (upper-cased).
    assert dialog.symbols.search is None and dialog.symbols.plain_row.isVisible()
    dialog.symbols.list.selectAll()
    dialog.symbols.remove_button.click()
    assert dialog.symbols.symbols() == []
    assert not ok_button(dialog).isEnabled() and dialog.symbols_error.isVisible()
    qtbot.keyClicks(dialog.symbols.plain, "btc/usdt:usdt, ETH/USDT:USDT,btc/usdt:usdt")
    qtbot.keyClick(dialog.symbols.plain, Qt.Key.Key_Return)
    assert dialog.symbols.symbols() == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    assert dialog.isVisible()  # Enter in the symbol field does not press OK
    dialog.address_edit.setText("127.0.0.1:8765/")
    assert ok_button(dialog).isEnabled()
    ok_button(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = FeedChoice(
        kind="exchange", exchange_id="okx", market_type="swap",
        symbols=("BTC/USDT:USDT", "ETH/USDT:USDT"), address="http://127.0.0.1:8765",
    )
    assert dialog.result_config() == expected
    stored = AppSettings(ini)
    assert FeedChoice.from_settings(stored) == expected
    assert "okx" in ini.read_text(encoding="utf-8")  # written to disk at OK


def test_dialog_shows_the_stored_choice(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    settings.feed_kind = "exchange"
    settings.exchange_id = "bybit"
    settings.exchange_market_type = "swap"
    settings.exchange_symbols = ["BTC/USDT:USDT"]
    settings.exchange_address = "http://localhost:9000"
    dialog = make_dialog(settings=settings)
    assert dialog.exchange_radio.isChecked()
    assert dialog.exchange_id() == "bybit" and dialog.market_type() == "swap"
    assert dialog.symbols.symbols() == ["BTC/USDT:USDT"]
    assert dialog.address_edit.text() == "http://localhost:9000"
    # Cancel keeps what was stored.
    dialog.reject()
    assert dialog.result_config() == FeedChoice.from_settings(settings)


def test_market_search_adds_known_symbols_and_follows_the_exchange(
    make_dialog: Any, qtbot: Any
) -> None:
    dialog = make_dialog(markets=BINANCE_SPOT)
    asked: list[tuple[str, str]] = []
    dialog.markets_wanted.connect(lambda exchange, kind: asked.append((exchange, kind)))
    dialog.exchange_radio.setChecked(True)
    search = dialog.symbols.search
    assert search is not None and search.isVisible() and search.has_markets()
    assert not dialog.symbols.plain_row.isVisible()
    qtbot.keyClicks(search.line_edit, "solusdt")
    qtbot.keyClick(search.line_edit, Qt.Key.Key_Return)
    assert dialog.symbols.symbols() == ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
    qtbot.keyClicks(search.line_edit, "xyz")
    qtbot.keyClick(search.line_edit, Qt.Key.Key_Return)
    assert search.error_text() == "Unknown symbol on binance: xyz"
    assert dialog.symbols.symbols() == ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
    assert dialog.isVisible()

    # Another exchange: its markets are asked for, the search waits for them.
    with qtbot.waitSignal(dialog.markets_wanted) as wanted:
        pick_exchange(dialog, "bybit")
    assert wanted.args == ["bybit", "spot"]
    assert not search.has_markets() and search.line_edit.placeholderText() == "Loading markets…"
    dialog.set_markets("bybit", "spot", ["DOGE/USDT"])
    assert search.has_markets()
    search.line_edit.setText("doge/usdt")
    search.choose()
    assert dialog.symbols.symbols()[-1] == "DOGE/USDT"
    # Markets that cannot be loaded: type symbols instead.
    with qtbot.waitSignal(dialog.markets_wanted) as wanted:
        pick_market_type(dialog, "swap")
    assert wanted.args == ["bybit", "swap"]
    dialog.set_markets("bybit", "swap", None)
    assert dialog.symbols.plain_row.isVisible() and not search.isVisible()
    # Back to binance spot: the markets given at the start are reused, not asked again.
    with qtbot.assertNotEmitted(dialog.markets_wanted):
        pick_market_type(dialog, "spot")
        pick_exchange(dialog, "binance")
    assert search.isVisible() and search.has_markets()
    assert asked == [("bybit", "spot"), ("bybit", "swap")]


def test_without_a_markets_loader_other_exchanges_take_typed_symbols(
    make_dialog: Any, qtbot: Any
) -> None:
    dialog = make_dialog(markets=BINANCE_SPOT)  # markets_wanted connected to nothing
    dialog.exchange_radio.setChecked(True)
    search = dialog.symbols.search
    assert search is not None and search.isVisible()
    pick_exchange(dialog, "okx")
    assert not search.isVisible() and dialog.symbols.plain_row.isVisible()
    # A Chinese comma too (set directly: QTest cannot type characters beyond Latin-1).
    dialog.symbols.plain.setText("btc/usdt，sol/usdt")
    dialog.symbols.plain_add.click()
    assert dialog.symbols.symbols() == ["BTC/USDT", "ETH/USDT", "SOL/USDT"]
    pick_exchange(dialog, "binance")
    assert search.isVisible() and search.has_markets()


def test_typed_exchange_id_is_checked(make_dialog: Any, qtbot: Any) -> None:
    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    dialog.exchange_combo.setCurrentText("nosuchexchange")
    assert not ok_button(dialog).isEnabled()
    assert dialog.exchange_error.text() == "Unknown exchange: nosuchexchange"
    dialog.exchange_combo.setCurrentText("Kraken")
    assert ok_button(dialog).isEnabled() and dialog.exchange_id() == "kraken"
    qtbot.waitUntil(lambda: "kraken" in dialog.keys.status.text())  # after the typing pause


def test_invalid_address_keeps_ok_disabled_with_the_message(make_dialog: Any) -> None:
    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    assert ok_button(dialog).isEnabled()
    for bad, reason in (("ftp://127.0.0.1:8765", "http:// or https://"),
                        ("http://127.0.0.1:99999", "invalid port"),
                        ("http://127.0.0.1:8765/api", "no path")):
        dialog.address_edit.setText(bad)
        assert not ok_button(dialog).isEnabled(), bad
        assert dialog.address_error.isVisible()
        assert dialog.address_error.text().startswith("Invalid server address")
        assert reason in dialog.address_error.text()
    dialog.accept()  # even called directly, nothing is saved
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.address_edit.setText("  ")  # empty: the exchange's own servers
    assert ok_button(dialog).isEnabled() and not dialog.address_error.isVisible()
    # The demo feed ignores the exchange fields.
    dialog.address_edit.setText("ftp://x")
    dialog.demo_radio.setChecked(True)
    assert ok_button(dialog).isEnabled() and not dialog.address_error.isVisible()


def test_keys_go_to_the_keyring_never_to_the_ini(
    make_dialog: Any, ini: Path, memory: MemoryKeyring
) -> None:
    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    pick_exchange(dialog, "okx")
    assert dialog.keys.api_key.echoMode() == dialog.keys.api_key.EchoMode.Password
    assert dialog.keys.secret.echoMode() == dialog.keys.secret.EchoMode.Password
    dialog.keys.api_key.setText(KEY)
    assert not ok_button(dialog).isEnabled()  # a key without its secret
    assert dialog.keys.error.text() == "Enter both the API key and the secret."
    dialog.keys.secret.setText(SECRET)
    dialog.keys.password.setText(PASSPHRASE)
    ok_button(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert CredentialStore(memory).load("okx") == ApiKeys(KEY, SECRET, PASSPHRASE)
    text = ini.read_text(encoding="utf-8")
    assert "okx" in text
    for value in (KEY, SECRET, PASSPHRASE):
        assert value not in text


def test_empty_key_fields_keep_stored_keys_and_forget_deletes_them(
    make_dialog: Any, memory: MemoryKeyring
) -> None:
    store = CredentialStore(memory)
    store.save("binance", ApiKeys(KEY, SECRET))
    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    assert dialog.keys.status.text() == "API keys for binance are stored in the keyring."
    assert dialog.keys.forget_button.isEnabled()
    assert dialog.keys.api_key.placeholderText() == "Stored — leave empty to keep"
    ok_button(dialog).click()
    assert store.load("binance") == ApiKeys(KEY, SECRET)

    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    dialog.keys.forget_button.click()
    assert store.load("binance") is None
    assert dialog.keys.status.text() == "The stored API keys for binance were deleted."
    assert not dialog.keys.forget_button.isEnabled()
    pick_exchange(dialog, "bybit")
    assert dialog.keys.status.text() == "No API keys stored for bybit."


def test_keyring_failure_shows_the_error_and_saves_nothing(
    make_dialog: Any, ini: Path
) -> None:
    dialog = make_dialog(backend=fail.Keyring())
    assert "keyring is not available" in dialog.keys.status.text()
    assert not dialog.keys.forget_button.isEnabled()
    dialog.exchange_radio.setChecked(True)
    pick_exchange(dialog, "bybit")
    dialog.address_edit.setText("http://127.0.0.1:8765")
    dialog.keys.api_key.setText(KEY)
    dialog.keys.secret.setText(SECRET)
    ok_button(dialog).click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    message = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert message.startswith(
        "The operating system keyring is not available, so the API keys for bybit were not saved"
    )
    assert SECRET not in message and KEY not in message
    # Nothing half-saved: not in memory, not on disk.
    assert FeedChoice.from_settings(AppSettings(ini)) == FeedChoice(
        "demo", "binance", "spot", ("BTC/USDT", "ETH/USDT"), "",
    )
    assert not ini.exists() or "bybit" not in ini.read_text(encoding="utf-8")
    assert dialog.result_config().kind == "demo"
    # Without keys the exchange can still be chosen.
    dialog.keys.api_key.clear()
    dialog.keys.secret.clear()
    ok_button(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_config().exchange_id == "bybit"


def test_locked_keyring_on_forget_shows_the_error(make_dialog: Any) -> None:
    locked = LockedKeyring()
    CredentialStore(MemoryKeyring())  # an unrelated store is not touched
    locked.entries[("PriceMonitor/ccxt/binance", "api")] = ApiKeys(KEY, SECRET).to_json()
    dialog = make_dialog(backend=locked)
    dialog.exchange_radio.setChecked(True)
    dialog.keys.forget_button.click()
    assert "were not deleted" in dialog.error_label.text()
    assert SECRET not in dialog.error_label.text()


def test_demo_choice(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    settings.feed_kind = "exchange"
    dialog = make_dialog(settings=settings)
    dialog.demo_radio.setChecked(True)
    ok_button(dialog).click()
    assert dialog.result_config().kind == "demo"
    assert AppSettings(ini).feed_kind == "demo"


def test_chinese_texts(make_dialog: Any, qapp: Any) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        dialog = make_dialog(markets=BINANCE_SPOT)
        assert dialog.windowTitle() == "行情源"
        assert dialog.exchange_radio.text() == "加密货币交易所（ccxt）"
        assert dialog.market_type_combo.itemText(1) == "永续合约"
        dialog.exchange_radio.setChecked(True)
        dialog.address_edit.setText("ftp://x")
        assert dialog.address_error.text().startswith("服务器地址无效")
        search = dialog.symbols.search
        assert search is not None
        search.line_edit.setText("xyz")
        search.choose()
        assert search.error_text() == "binance 上没有该交易对：xyz"
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)


# ----- QMT (MiniQMT / xtquant, Chinese A-shares) -------------------------------------


def type_codes(dialog: FeedSettingsDialog, qtbot: Any, text: str) -> None:
    qtbot.keyClicks(dialog.qmt_codes.plain, text)
    qtbot.keyClick(dialog.qmt_codes.plain, Qt.Key.Key_Return)


def test_choosing_qmt_shows_its_group_and_hides_the_exchange_fields(make_dialog: Any) -> None:
    dialog = make_dialog()
    assert dialog.demo_radio.isChecked() and dialog.kind() == "demo"
    assert dialog.qmt_radio.text() == "QMT / MiniQMT (A-shares)"
    # Demo as before: the exchange fields greyed out; the QMT group is not shown.
    assert dialog.exchange_box.isVisible() and not dialog.exchange_box.isEnabled()
    assert not dialog.qmt_box.isVisible() and not dialog.qmt_help.isVisible()

    dialog.qmt_radio.setChecked(True)
    assert dialog.kind() == "qmt"
    assert dialog.qmt_box.isVisible() and dialog.qmt_help.isVisible()
    assert not dialog.exchange_box.isVisible() and not dialog.keys.isVisible()
    assert "极简模式" in dialog.qmt_help.text() and "xtquant" in dialog.qmt_help.text()
    assert "沪深A股" in dialog.qmt_whole_market_check.text()
    assert not dialog.qmt_whole_market_check.isChecked()
    assert dialog.qmt_port_edit.text() == ""
    assert "automatically" in dialog.qmt_port_edit.placeholderText()
    # Codes are typed (no market search), the stored defaults listed.
    assert dialog.qmt_codes.search is None and dialog.qmt_codes.plain_row.isVisible()
    assert dialog.qmt_codes.symbols() == ["600519.SH", "000001.SZ", "300750.SZ", "000300.SH"]
    assert "600519.SH" in dialog.qmt_codes.plain.placeholderText()
    assert ok_button(dialog).isEnabled()

    dialog.exchange_radio.setChecked(True)
    assert dialog.exchange_box.isVisible() and dialog.exchange_box.isEnabled()
    assert dialog.keys.isVisible() and dialog.keys.isEnabled()
    assert not dialog.qmt_box.isVisible() and not dialog.qmt_help.isVisible()
    dialog.demo_radio.setChecked(True)
    assert not dialog.qmt_box.isVisible() and not dialog.exchange_box.isEnabled()


def test_qmt_codes_are_normalised_and_saved(make_dialog: Any, ini: Path, qtbot: Any) -> None:
    dialog = make_dialog()
    dialog.qmt_radio.setChecked(True)
    dialog.qmt_codes.list.selectAll()
    dialog.qmt_codes.remove_button.click()
    assert dialog.qmt_codes.symbols() == []
    assert not ok_button(dialog).isEnabled()
    assert dialog.qmt_codes_error.isVisible()
    assert dialog.qmt_codes_error.text() == "Add at least one code."
    dialog.accept()  # even called directly, nothing is saved
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not ini.exists() or "qmt" not in ini.read_text(encoding="utf-8")

    # Lower case, the SH600519 form, spaces or commas; repeats are dropped.
    type_codes(dialog, qtbot, "600519.sh, SH601318 sz000001,600519.SH")
    assert dialog.qmt_codes.symbols() == ["600519.SH", "601318.SH", "000001.SZ"]
    assert dialog.isVisible()  # Enter in the code field does not press OK
    assert dialog.qmt_codes.plain.text() == "" and not dialog.qmt_codes.plain_error.isVisible()
    # A Chinese comma and full-width characters (set directly: QTest types Latin-1 only).
    dialog.qmt_codes.plain.setText("bj430047，６００５１９．ＳＨ")
    dialog.qmt_codes.plain_add.click()
    assert dialog.qmt_codes.symbols() == ["600519.SH", "601318.SH", "000001.SZ", "430047.BJ"]
    assert not dialog.qmt_codes_error.isVisible()

    dialog.qmt_whole_market_check.setChecked(True)
    dialog.qmt_port_edit.setText(" 58610 ")
    assert ok_button(dialog).isEnabled()
    ok_button(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    choice = dialog.result_config()
    assert choice.kind == "qmt"
    assert choice.qmt_codes == ("600519.SH", "601318.SH", "000001.SZ", "430047.BJ")
    assert choice.qmt_whole_market is True
    assert choice.qmt_port == 58610
    # Written to disk at OK; the exchange settings are left as they were.
    stored = AppSettings(ini)
    assert FeedChoice.from_settings(stored) == choice
    assert stored.feed_kind == "qmt"
    assert stored.exchange_id == "binance" and stored.exchange_symbols == ["BTC/USDT", "ETH/USDT"]
    assert "[qmt]" in ini.read_text(encoding="utf-8")


def test_invalid_code_is_refused_with_which_and_why(
    make_dialog: Any, ini: Path, qtbot: Any
) -> None:
    dialog = make_dialog()
    dialog.qmt_radio.setChecked(True)
    before = dialog.qmt_codes.symbols()
    type_codes(dialog, qtbot, "600519.HK, 601318.sh 60051.SH 600036")
    # The good code is added, the bad ones stay in the field with the reason for each.
    assert dialog.qmt_codes.symbols() == [*before, "601318.SH"]
    assert dialog.qmt_codes.plain.text() == "600519.HK, 60051.SH, 600036"
    error = dialog.qmt_codes.plain_error
    assert error.isVisible()
    assert error.text().splitlines() == [
        "Not an A-share code: 600519.HK — the market must be SH (Shanghai), SZ (Shenzhen) "
        "or BJ (Beijing)",
        "Not an A-share code: 60051.SH — an A-share code has exactly 6 digits, e.g. 600519.SH",
        "Not an A-share code: 600036 — the market is missing: add .SH (Shanghai), "
        ".SZ (Shenzhen) or .BJ (Beijing)",
    ]
    # Typing again hides the message; a refused code never reaches the settings.
    qtbot.keyClick(dialog.qmt_codes.plain, Qt.Key.Key_Backspace)
    assert not error.isVisible()
    dialog.qmt_codes.plain.clear()
    type_codes(dialog, qtbot, "BTC/USDT")
    assert error.isVisible() and error.text() == (
        "Not an A-share code: BTC/USDT — not in the form 600519.SH (6 digits, a dot, then SH, "
        "SZ or BJ)"
    )
    ok_button(dialog).click()
    assert AppSettings(ini).qmt_codes == [*before, "601318.SH"]
    assert dialog.result_config().qmt_codes == (*before, "601318.SH")


@pytest.mark.parametrize("port", ["70000", "0", "-1", "abc", "58 610", "５８６１０"])
def test_invalid_port_keeps_ok_disabled_with_the_message(
    make_dialog: Any, ini: Path, port: str
) -> None:
    dialog = make_dialog()
    dialog.qmt_radio.setChecked(True)
    dialog.qmt_port_edit.setText(port)
    assert not ok_button(dialog).isEnabled()
    assert dialog.qmt_port_error.isVisible()
    assert dialog.qmt_port_error.text().startswith(f"Invalid port: {port} — use a number from 1 to 65535")
    assert dialog.qmt_port() is None
    dialog.accept()  # even called directly, nothing is saved
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert AppSettings(ini).feed_kind == "demo"
    # The demo feed ignores the QMT fields.
    dialog.demo_radio.setChecked(True)
    assert ok_button(dialog).isEnabled() and not dialog.qmt_port_error.isVisible()
    # Empty = find the terminal automatically.
    dialog.qmt_radio.setChecked(True)
    assert not ok_button(dialog).isEnabled()
    dialog.qmt_port_edit.setText("  ")
    assert ok_button(dialog).isEnabled() and not dialog.qmt_port_error.isVisible()
    ok_button(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert AppSettings(ini).qmt_port is None and AppSettings(ini).feed_kind == "qmt"


def test_dialog_shows_the_stored_qmt_choice(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    settings.feed_kind = "qmt"
    settings.qmt_codes = ["601318.SH", "000001.SZ"]
    settings.qmt_whole_market = True
    settings.qmt_port = 58610
    dialog = make_dialog(settings=settings)
    assert dialog.qmt_radio.isChecked() and dialog.qmt_box.isVisible()
    assert not dialog.exchange_box.isVisible()
    assert dialog.qmt_codes.symbols() == ["601318.SH", "000001.SZ"]
    assert dialog.qmt_whole_market_check.isChecked()
    assert dialog.qmt_port_edit.text() == "58610"
    assert dialog.result_config() == FeedChoice(
        "qmt", "binance", "spot", ("BTC/USDT", "ETH/USDT"), "",
        qmt_codes=("601318.SH", "000001.SZ"), qmt_whole_market=True, qmt_port=58610,
    )
    # Cancel keeps what was stored, even after edits.
    dialog.qmt_whole_market_check.setChecked(False)
    dialog.qmt_port_edit.clear()
    dialog.reject()
    assert dialog.result_config() == FeedChoice.from_settings(settings)
    assert AppSettings(ini).qmt_whole_market is True and AppSettings(ini).qmt_port == 58610


def test_whole_market_checkbox_saved(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    settings.feed_kind = "qmt"
    settings.qmt_whole_market = True
    dialog = make_dialog(settings=settings)
    dialog.qmt_whole_market_check.setChecked(False)
    ok_button(dialog).click()
    assert dialog.result_config().qmt_whole_market is False
    assert AppSettings(ini).qmt_whole_market is False
    dialog = make_dialog()
    dialog.qmt_whole_market_check.setChecked(True)
    ok_button(dialog).click()
    assert AppSettings(ini).qmt_whole_market is True


def test_leaving_qmt_keeps_its_settings(make_dialog: Any, ini: Path) -> None:
    settings = AppSettings(ini)
    settings.feed_kind = "qmt"
    settings.qmt_codes = ["601318.SH"]
    settings.qmt_port = 58610
    dialog = make_dialog(settings=settings)
    dialog.qmt_codes.list.selectAll()
    dialog.qmt_codes.remove_button.click()  # unsaved edits of a feed not chosen don't count
    dialog.qmt_port_edit.setText("bad")
    dialog.demo_radio.setChecked(True)
    ok_button(dialog).click()
    stored = AppSettings(ini)
    assert stored.feed_kind == "demo"
    assert stored.qmt_codes == ["601318.SH"] and stored.qmt_port == 58610

    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    ok_button(dialog).click()
    assert dialog.result_config().kind == "exchange"
    assert AppSettings(ini).feed_kind == "exchange"
    assert AppSettings(ini).qmt_codes == ["601318.SH"]


def test_exchange_and_demo_choices_write_no_qmt_settings(make_dialog: Any, ini: Path) -> None:
    dialog = make_dialog()
    dialog.exchange_radio.setChecked(True)
    ok_button(dialog).click()
    assert "qmt" not in ini.read_text(encoding="utf-8")
    dialog = make_dialog()
    dialog.demo_radio.setChecked(True)
    ok_button(dialog).click()
    assert "qmt" not in ini.read_text(encoding="utf-8")
    assert dialog.result_config() == FeedChoice("demo", "binance", "spot", ("BTC/USDT", "ETH/USDT"), "")
