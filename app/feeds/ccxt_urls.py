"""Point a ccxt exchange at another host (a local test exchange, a proxy, a mirror).

Why: ccxt builds every REST and websocket URL from the strings in ``exchange.urls['api']``
(see ``shared/reference/ccxt.md`` §2). Replacing scheme and host of each string while
keeping its path makes one address serve every section (binance ``/api/v3``, ``/fapi/v1``,
bybit ``/v5/...``, okx ``/ws/v5``) without per-exchange tables. ``{hostname}`` placeholders
sit in the host part, so they go away with it.

Pure Python; no ccxt import needed (the exchange object is duck-typed).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["InvalidAddress", "normalise_address", "point_at", "repoint"]

_SCHEME_HOST = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>[^/]*)(?P<rest>.*)$", re.I)
_WS_SCHEMES = {"ws", "wss"}


class InvalidAddress(ValueError):
    """The address is not ``http(s)://host[:port]``; the message says what is wrong."""


def normalise_address(address: str) -> str:
    """``127.0.0.1:8765`` or ``http://127.0.0.1:8765/`` → ``http://127.0.0.1:8765``."""
    text = address.strip()
    if not text:
        raise InvalidAddress("address is empty")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise InvalidAddress(f"address must start with http:// or https://, got {parts.scheme}://")
    if not parts.hostname:
        raise InvalidAddress(f"address has no host: {address!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidAddress(f"address has an invalid port: {address!r}") from None
    if parts.path not in ("", "/") or parts.query:
        raise InvalidAddress(f"address must be scheme://host[:port] with no path, got {address!r}")
    return f"{parts.scheme}://{parts.netloc}"


def repoint(url: str, base: str) -> str:
    """One URL with its scheme+host replaced by ``base`` (ws/wss follow http/https)."""
    match = _SCHEME_HOST.match(url)
    if match is None:
        return url
    base_parts = urlsplit(base)
    secure = base_parts.scheme == "https"
    if match["scheme"].lower() in _WS_SCHEMES:
        scheme = "wss" if secure else "ws"
    else:
        scheme = base_parts.scheme
    return f"{scheme}://{base_parts.netloc}{match['rest']}"


def _walk(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return repoint(value, base)
    if isinstance(value, dict):
        return {key: _walk(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, base) for item in value]
    return value


def point_at(exchange: Any, address: str) -> None:
    """Send all of ``exchange``'s REST and websocket traffic to ``address``.

    Call after constructing the exchange and before its first request.
    """
    base = normalise_address(address)
    exchange.urls["api"] = _walk(exchange.urls["api"], base)
