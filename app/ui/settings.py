"""User preferences in QSettings (never secrets: API keys go to the OS keyring).

Tests and a developer's second profile pass an explicit ini path so they never
touch the trader's real settings. Every getter checks what it reads and falls back to
the default: the ini file is hand-editable, and a typo there must not stop the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.feeds.ccxt_urls import InvalidAddress, normalise_address
from app.ui.i18n import AUTO, LANGUAGES

FEED_KINDS = ("demo", "exchange")
MARKET_TYPES = ("spot", "swap")
DEFAULT_FEED_KIND = "demo"
DEFAULT_EXCHANGE = "binance"
DEFAULT_SYMBOLS = ("BTC/USDT", "ETH/USDT")
DEFAULT_MARKET_TYPE = "spot"

_EXCHANGE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SYMBOL = re.compile(r"^[^\s,]{1,64}$")  # ccxt symbols: BTC/USDT, BTC/USDT:USDT, 1000SATS/USDT


def clean_exchange_id(value: object) -> str | None:
    """A ccxt exchange id (lower case), or None when ``value`` cannot be one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if _EXCHANGE_ID.match(text) else None


def clean_symbols(value: object) -> list[str]:
    """The valid symbols in ``value`` (list, or text as QSettings gives back a one-element
    list or a hand-edited ``A, B`` line), stripped and without repeats; may be empty."""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return []
    symbols = (item.strip() for item in items if isinstance(item, str))
    return list(dict.fromkeys(s for s in symbols if _SYMBOL.match(s)))


class AppSettings:
    """Typed access to the few settings this slice has."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings("PriceMonitor", "PriceMonitor")
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def language(self) -> str:
        value = str(self._qs.value("ui/language", AUTO))
        return value if value in (*LANGUAGES, AUTO) else AUTO

    @language.setter
    def language(self, value: str) -> None:
        self._qs.setValue("ui/language", value)

    @property
    def demo_speed(self) -> float:
        return self._float("feed/demo_speed", 1.0)

    @demo_speed.setter
    def demo_speed(self, value: float) -> None:
        self._qs.setValue("feed/demo_speed", float(value))

    @property
    def popup_seconds(self) -> int:
        return int(self._float("alerts/popup_seconds", 10))

    @property
    def sound_enabled(self) -> bool:
        return str(self._qs.value("alerts/sound", "true")).lower() in ("true", "1")

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._qs.setValue("alerts/sound", "true" if value else "false")

    # ----- feed -------------------------------------------------------------------
    @property
    def feed_kind(self) -> str:
        """``"demo"`` (recorded data) or ``"exchange"`` (a ccxt exchange)."""
        value = self._qs.value("feed/kind", DEFAULT_FEED_KIND)
        return value if value in FEED_KINDS else DEFAULT_FEED_KIND

    @feed_kind.setter
    def feed_kind(self, value: str) -> None:
        if value not in FEED_KINDS:
            raise ValueError(f"feed kind must be one of {FEED_KINDS}, got {value!r}")
        self._qs.setValue("feed/kind", value)

    @property
    def exchange_id(self) -> str:
        """The ccxt exchange id, e.g. ``binance``."""
        return clean_exchange_id(self._qs.value("exchange/id")) or DEFAULT_EXCHANGE

    @exchange_id.setter
    def exchange_id(self, value: str) -> None:
        cleaned = clean_exchange_id(value)
        if cleaned is None:
            raise ValueError(f"not an exchange id: {value!r}")
        self._qs.setValue("exchange/id", cleaned)

    @property
    def exchange_symbols(self) -> list[str]:
        """The watched symbols (ccxt unified, e.g. ``BTC/USDT``); never empty."""
        return clean_symbols(self._qs.value("exchange/symbols")) or list(DEFAULT_SYMBOLS)

    @exchange_symbols.setter
    def exchange_symbols(self, value: Iterable[str]) -> None:
        symbols = clean_symbols(list(value))
        if symbols:
            self._qs.setValue("exchange/symbols", symbols)
        else:
            self._qs.remove("exchange/symbols")

    @property
    def exchange_address(self) -> str:
        """``http(s)://host[:port]`` of a local test exchange or proxy; "" = the real servers."""
        value = self._qs.value("exchange/address", "")
        if not isinstance(value, str) or not value.strip():
            return ""
        try:
            return normalise_address(value)
        except InvalidAddress:
            return ""

    @exchange_address.setter
    def exchange_address(self, value: str) -> None:
        """Stored normalised; ``InvalidAddress`` (a ValueError) for a bad address."""
        self._qs.setValue("exchange/address", normalise_address(value) if value.strip() else "")

    @property
    def exchange_market_type(self) -> str:
        """``"spot"`` or ``"swap"`` (perpetual)."""
        value = self._qs.value("exchange/market_type", DEFAULT_MARKET_TYPE)
        return value if value in MARKET_TYPES else DEFAULT_MARKET_TYPE

    @exchange_market_type.setter
    def exchange_market_type(self, value: str) -> None:
        if value not in MARKET_TYPES:
            raise ValueError(f"market type must be one of {MARKET_TYPES}, got {value!r}")
        self._qs.setValue("exchange/market_type", value)

    # ----- window -----------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)

    def sync(self) -> None:
        self._qs.sync()

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._qs.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
