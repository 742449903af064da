"""API keys live only in the OS keyring, mask themselves, and fail loudly without one.

The keyring here is an in-memory ``KeyringBackend`` (never the developer's real keychain);
keyring's own "fail" and "null" backends stand for a headless box and a backend that
drops what it is given.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError

from app.feeds.credentials import (
    SERVICE_PREFIX,
    USERNAME,
    ApiKeys,
    CredentialStore,
    CredentialStoreError,
)

KEY = "AKIAabcdef0123456789"
SECRET = "s3cr3t-Very-Private-Value"
PASSPHRASE = "okx-passphrase-42"


class MemoryKeyring(KeyringBackend):
    """A dict keyring; never viable for keyring's own backend discovery."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend, never chosen automatically")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    """Reads work, writes fail the way a locked keychain does, echoing the value."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"keychain locked, could not store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("keychain locked")


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


def test_round_trip_uses_one_entry_per_exchange(memory: MemoryKeyring) -> None:
    store = CredentialStore(memory)
    assert store.available()
    assert store.load("binance") is None
    store.save("binance", ApiKeys(KEY, SECRET))
    store.save("okx", ApiKeys(KEY, SECRET, PASSPHRASE))
    assert store.load("binance") == ApiKeys(KEY, SECRET, "")
    assert store.load("OKX ") == ApiKeys(KEY, SECRET, PASSPHRASE)  # ids are normalised
    assert set(memory.entries) == {
        ("PriceMonitor/ccxt/binance", USERNAME), ("PriceMonitor/ccxt/okx", USERNAME),
    }
    stored = json.loads(memory.entries[(SERVICE_PREFIX + "okx", "api")])
    assert stored == {"api_key": KEY, "secret": SECRET, "password": PASSPHRASE}
    # Saving again replaces the entry.
    store.save("binance", ApiKeys("new-key-0123456789", "new-secret"))
    assert store.load("binance") == ApiKeys("new-key-0123456789", "new-secret")
    assert len(memory.entries) == 2


def test_delete_removes_only_that_exchange_and_is_idempotent(memory: MemoryKeyring) -> None:
    store = CredentialStore(memory)
    store.save("binance", ApiKeys(KEY, SECRET))
    store.save("bybit", ApiKeys(KEY, SECRET))
    store.delete("binance")
    assert store.load("binance") is None
    assert store.load("bybit") == ApiKeys(KEY, SECRET)
    store.delete("binance")  # nothing stored: not an error
    assert list(memory.entries) == [(SERVICE_PREFIX + "bybit", USERNAME)]


def test_empty_exchange_id_is_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        CredentialStore(memory).save("  ", ApiKeys(KEY, SECRET))


def test_repr_and_str_mask_the_keys() -> None:
    keys = ApiKeys(KEY, SECRET, PASSPHRASE)
    for text in (repr(keys), str(keys), f"{keys}", f"{keys!r}", str([keys])):
        assert SECRET not in text and PASSPHRASE not in text and KEY not in text
        assert "AKIA…" in text and "***" in text
    assert repr(keys) == "ApiKeys(api_key='AKIA…', secret=***, password=***)"
    # A short key would be mostly given away by four characters: fully masked.
    assert repr(ApiKeys("abcdef", "x")) == "ApiKeys(api_key=***, secret=***, password='')"


def test_logging_keys_never_leaks_them(caplog: pytest.LogCaptureFixture) -> None:
    keys = ApiKeys(KEY, SECRET, PASSPHRASE)
    log = logging.getLogger("test.credentials")
    with caplog.at_level(logging.DEBUG):
        log.info("connecting with %s", keys)
        log.info("connecting with %r", keys)
        log.info("connecting with %s", {"keys": keys})
        store = CredentialStore(MemoryKeyring())
        store.save("okx", keys)
        store.load("okx")
        store.delete("okx")
    assert "AKIA…" in caplog.text
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET not in message and PASSPHRASE not in message and KEY not in message


def test_malformed_stored_value_loads_as_none_with_a_warning(
    memory: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = CredentialStore(memory)
    service = SERVICE_PREFIX + "binance"
    for bad in (f"not json {SECRET}", json.dumps([SECRET]), json.dumps({"secret": SECRET}),
                json.dumps({"api_key": KEY, "secret": SECRET, "password": 5})):
        memory.entries[(service, USERNAME)] = bad
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="app.feeds.credentials"):
            assert store.load("binance") is None
        assert "binance" in caplog.text and "unreadable" in caplog.text
        assert SECRET not in caplog.text and KEY not in caplog.text


def test_no_keyring_backend_raises_a_plain_error_without_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = CredentialStore(fail.Keyring())
    assert not store.available()
    with caplog.at_level(logging.WARNING), pytest.raises(CredentialStoreError) as info:
        store.save("binance", ApiKeys(KEY, SECRET, PASSPHRASE))
    message = str(info.value)
    assert message.startswith(
        "The operating system keyring is not available, so the API keys for binance were not saved."
    )
    assert info.value.action == "save" and info.value.exchange_id == "binance"
    assert info.value.__cause__ is None  # the backend's exception is not chained
    for text in (message, repr(info.value), caplog.text):
        assert SECRET not in text and PASSPHRASE not in text and KEY not in text
    with pytest.raises(CredentialStoreError, match="could not be read"):
        store.load("binance")
    with pytest.raises(CredentialStoreError, match="were not deleted"):
        store.delete("binance")


def test_backend_error_echoing_the_value_is_scrubbed() -> None:
    store = CredentialStore(LockedKeyring())
    with pytest.raises(CredentialStoreError) as info:
        store.save("okx", ApiKeys(KEY, SECRET, PASSPHRASE))
    message = str(info.value)
    assert "KeyringLocked" in message and "not saved" in message
    assert SECRET not in message and PASSPHRASE not in message and KEY not in message


def test_backend_that_drops_values_is_not_success() -> None:
    store = CredentialStore(null.Keyring())
    assert not store.available()
    with pytest.raises(CredentialStoreError, match="did not keep"):
        store.save("binance", ApiKeys(KEY, SECRET))


def test_backend_is_looked_up_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    memory = MemoryKeyring()
    calls: list[int] = []

    def get_keyring() -> MemoryKeyring:
        calls.append(1)
        return memory

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    store = CredentialStore()
    assert calls == []
    store.save("bybit", ApiKeys(KEY, SECRET))
    assert store.load("bybit") == ApiKeys(KEY, SECRET)
    assert calls == [1]


def test_settings_files_never_contain_the_secret(tmp_path: Path, memory: MemoryKeyring) -> None:
    from app.ui.settings import AppSettings

    ini = tmp_path / "settings.ini"
    settings = AppSettings(ini)
    settings.feed_kind = "exchange"
    settings.exchange_id = "okx"
    settings.exchange_symbols = ["BTC/USDT"]
    settings.exchange_address = "http://127.0.0.1:8765"
    CredentialStore(memory).save("okx", ApiKeys(KEY, SECRET, PASSPHRASE))
    settings.sync()
    written = [p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*")
               if p.is_file()]
    assert written and "okx" in written[0]
    for text in written:
        assert SECRET not in text and PASSPHRASE not in text and KEY not in text
