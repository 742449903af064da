"""Exchange API keys, kept only in the operating system's keyring.

Why the keyring and nothing else: an API key with trading rights is money. SQLite files,
QSettings ini files and logs get copied into bug reports and backups; the OS keyring
(Windows Credential Manager, macOS Keychain, Secret Service on Linux) is encrypted and
per user. So this module is the only place keys are stored, one keyring entry per
exchange (service ``PriceMonitor/ccxt/<exchange_id>``, user ``api``, value a small JSON
object), and ``ApiKeys`` masks itself so logging one never leaks it.

When no keyring works (a headless Linux box has only keyring's "fail" backend; a locked
keychain; a backend that silently drops values) the caller gets ``CredentialStoreError``
saying so in plain words, never a silent success and never the secret in the message.
Public market data needs no keys, so the app keeps working without them.

Pure Python (no Qt): the feed thread and tests use it directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = ["SERVICE_PREFIX", "USERNAME", "ApiKeys", "CredentialStore", "CredentialStoreError"]

log = logging.getLogger(__name__)

SERVICE_PREFIX = "PriceMonitor/ccxt/"
USERNAME = "api"
_SHOWN_KEY_CHARS = 4
_MIN_KEY_LENGTH_TO_SHOW = 12  # a shorter "key" would be mostly given away by 4 chars
_MIN_SCRUB_LENGTH = 3


def _mask_key(value: str) -> str:
    if not value:
        return "''"
    if len(value) < _MIN_KEY_LENGTH_TO_SHOW:
        return "***"
    return repr(value[:_SHOWN_KEY_CHARS] + "…")


def _mask_secret(value: str) -> str:
    return "***" if value else "''"


@dataclass(frozen=True, repr=False)
class ApiKeys:
    """An exchange's API key, secret and (okx and a few others) passphrase.

    ``repr``/``str`` show at most the first 4 characters of the key and nothing of the
    secret or passphrase, so ``log.info("keys %s", keys)`` is safe.
    """

    api_key: str
    secret: str
    password: str = ""

    def __repr__(self) -> str:
        return (
            f"ApiKeys(api_key={_mask_key(self.api_key)}, secret={_mask_secret(self.secret)}, "
            f"password={_mask_secret(self.password)})"
        )

    __str__ = __repr__

    def to_json(self) -> str:
        return json.dumps(
            {"api_key": self.api_key, "secret": self.secret, "password": self.password}
        )

    @classmethod
    def from_json(cls, text: str) -> ApiKeys:
        """Parse a stored value; ``ValueError`` (without the value) when it is malformed."""
        try:
            data: Any = json.loads(text)
        except (TypeError, ValueError):
            raise ValueError("not JSON") from None
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        api_key, secret = data.get("api_key"), data.get("secret")
        password = data.get("password", "")
        if not isinstance(api_key, str) or not isinstance(secret, str):
            raise ValueError("api_key or secret missing or not text")
        if not isinstance(password, str):
            raise ValueError("password not text")
        return cls(api_key, secret, password)


class CredentialStoreError(RuntimeError):
    """The OS keyring could not load, save or delete keys; the message says so plainly.

    ``action`` is ``"load"``, ``"save"`` or ``"delete"``; ``detail`` is the backend's
    reason with any key material replaced by ``***``. Neither ever holds a secret.
    """

    _OUTCOME = {
        "load": "the stored API keys for {exchange} could not be read",
        "save": "the API keys for {exchange} were not saved",
        "delete": "the stored API keys for {exchange} were not deleted",
    }

    def __init__(self, action: str, exchange_id: str, detail: str = "") -> None:
        self.action = action
        self.exchange_id = exchange_id
        self.detail = detail
        outcome = self._OUTCOME.get(action, "the API keys for {exchange} were not changed")
        message = (
            "The operating system keyring is not available, so "
            + outcome.format(exchange=exchange_id) + "."
        )
        if detail:
            message += f" ({detail})"
        super().__init__(message)


def _scrub(text: str, keys: ApiKeys | None) -> str:
    if keys is None:
        return text
    for value in (keys.secret, keys.password, keys.api_key):
        if len(value) >= _MIN_SCRUB_LENGTH:
            text = text.replace(value, "***")
    return text


def _describe(error: BaseException, keys: ApiKeys | None) -> str:
    reason = _scrub(str(error), keys).strip()
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__


class CredentialStore:
    """Load, save and delete one exchange's ``ApiKeys`` in the OS keyring.

    ``backend``: a ``keyring.backend.KeyringBackend`` (tests pass an in-memory one);
    by default ``keyring.get_keyring()``, looked up on first use.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend_instance = backend

    @staticmethod
    def service_name(exchange_id: str) -> str:
        return SERVICE_PREFIX + _exchange(exchange_id)

    def available(self) -> bool:
        """Whether a real keyring backend is configured (does not touch stored entries)."""
        try:
            backend = self._backend("load", "")
        except CredentialStoreError:
            return False
        return _usable(backend)

    def load(self, exchange_id: str) -> ApiKeys | None:
        """The stored keys, or None when there are none (or the stored value is unreadable)."""
        exchange = _exchange(exchange_id)
        with self._guard("load", exchange, None):
            stored = self._backend("load", exchange).get_password(
                SERVICE_PREFIX + exchange, USERNAME
            )
        if stored is None:
            return None
        try:
            return ApiKeys.from_json(stored)
        except ValueError as error:
            log.warning(
                "ignoring unreadable API keys stored for %s in the OS keyring (%s); "
                "enter them again to replace them", exchange, error,
            )
            return None

    def save(self, exchange_id: str, keys: ApiKeys) -> None:
        """Store ``keys`` (replacing any), then read them back: a backend that drops values
        (keyring's "null" backend) must not look like success."""
        exchange = _exchange(exchange_id)
        value = keys.to_json()
        with self._guard("save", exchange, keys):
            backend = self._backend("save", exchange)
            backend.set_password(SERVICE_PREFIX + exchange, USERNAME, value)
            kept = backend.get_password(SERVICE_PREFIX + exchange, USERNAME)
        if kept != value:
            raise CredentialStoreError("save", exchange, "the keyring did not keep the value")
        log.info("saved API keys for %s in the OS keyring", exchange)

    def delete(self, exchange_id: str) -> None:
        """Remove the stored keys; nothing stored is not an error."""
        exchange = _exchange(exchange_id)
        service = SERVICE_PREFIX + exchange
        with self._guard("delete", exchange, None):
            backend = self._backend("delete", exchange)
            if backend.get_password(service, USERNAME) is None:
                return
            backend.delete_password(service, USERNAME)
        log.info("deleted the API keys stored for %s", exchange)

    # ----- internals ----------------------------------------------------------------
    def _backend(self, action: str, exchange: str) -> KeyringBackend:
        if self._backend_instance is None:
            try:
                import keyring

                self._backend_instance = keyring.get_keyring()
            except Exception as error:  # any backend set-up failure
                raise CredentialStoreError(action, exchange, _describe(error, None)) from None
        return self._backend_instance

    @contextmanager
    def _guard(self, action: str, exchange: str, keys: ApiKeys | None) -> Iterator[None]:
        """Turn any backend failure into ``CredentialStoreError`` without the secret.

        Backends raise ``keyring.errors.*`` but also their own errors (D-Bus, Windows,
        Keychain), so everything except our own error is translated. The original is not
        chained: a traceback printer must not show a value that held the secret.
        """
        try:
            yield
        except CredentialStoreError:
            raise
        except Exception as error:  # see docstring
            detail = _describe(error, keys)
            log.warning("OS keyring failed to %s API keys for %s: %s", action, exchange, detail)
            raise CredentialStoreError(action, exchange, detail) from None


def _exchange(exchange_id: str) -> str:
    exchange = exchange_id.strip().lower()
    if not exchange:
        raise ValueError("exchange id is empty")
    return exchange


def _usable(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_usable(b) for b in backend.backends)
    return True
