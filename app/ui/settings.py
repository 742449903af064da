"""User preferences in QSettings (never secrets: API keys go to the OS keyring).

Tests and a developer's second profile pass an explicit ini path so they never
touch the trader's real settings. Every getter checks what it reads and falls back to
the default: the ini file is hand-editable, and a typo there must not stop the app.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.feeds.ccxt_urls import InvalidAddress, normalise_address
from app.ui.i18n import AUTO, LANGUAGES

FEED_KINDS = ("demo", "exchange", "qmt")
MARKET_TYPES = ("spot", "swap")
DEFAULT_FEED_KIND = "demo"
DEFAULT_EXCHANGE = "binance"
DEFAULT_SYMBOLS = ("BTC/USDT", "ETH/USDT")
DEFAULT_MARKET_TYPE = "spot"
QMT_MARKETS = ("SH", "SZ", "BJ")  # Shanghai, Shenzhen, Beijing
DEFAULT_QMT_CODES = ["600519.SH", "000001.SZ", "300750.SZ", "000300.SH"]

_EXCHANGE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SYMBOL = re.compile(r"^[^\s,]{1,64}$")  # ccxt symbols: BTC/USDT, BTC/USDT:USDT, 1000SATS/USDT
_QMT_CODE = re.compile(r"^[0-9]{6}\.(SH|SZ|BJ)$")  # xtquant's form: 600519.SH
_QMT_SUFFIXED = re.compile(r"^([0-9]+)\.([A-Z]*)$")  # 600519.SH, 60051.SH, 600519.HK
_QMT_PREFIXED = re.compile(r"^([A-Z]{2})\.?([0-9]+)$")  # SH600519 (as brokers' pages write it)
_QMT_PROBLEMS = {
    "empty": "empty code",
    "digits": "an A-share code has exactly 6 digits, e.g. 600519.SH",
    "no_market": "the market is missing: add .SH (Shanghai), .SZ (Shenzhen) or .BJ (Beijing)",
    "market": "the market must be SH (Shanghai), SZ (Shenzhen) or BJ (Beijing)",
    "form": "not in the form 600519.SH (6 digits, a dot, then SH, SZ or BJ)",
}


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


def _split_list(value: object) -> list[str]:
    """The stripped, non-empty text items of a list QSettings gave back (a one-element
    list comes back as text, a hand-edited ``A, B`` line too)."""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return []
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def clean_qmt_code(text: str) -> str | None:
    """``text`` as xtquant names an A-share code (``600519.SH``), or None when it cannot be
    one. Accepts lower case (``600519.sh``), the prefix form (``SH600519``, ``sh600519``)
    and full-width characters as a Chinese input method types them (``６００５１９．ＳＨ``)."""
    if not isinstance(text, str):
        return None
    code = _qmt_text(text)
    prefixed = _QMT_PREFIXED.match(code)
    if prefixed:
        code = f"{prefixed.group(2)}.{prefixed.group(1)}"
    return code if _QMT_CODE.match(code) else None


def qmt_code_fault(text: str) -> str:
    """Why ``text`` is not an A-share code, as a key for a translated message: ``""`` (it
    is one), ``"empty"``, ``"digits"``, ``"no_market"``, ``"market"`` or ``"form"``."""
    if not isinstance(text, str) or not text.strip():
        return "empty"
    if clean_qmt_code(text) is not None:
        return ""
    code = _qmt_text(text)
    if re.fullmatch(r"[0-9]+", code):
        return "no_market" if len(code) == 6 else "digits"
    if suffixed := _QMT_SUFFIXED.match(code):
        digits, market = suffixed.groups()
    elif prefixed := _QMT_PREFIXED.match(code):
        market, digits = prefixed.groups()
    else:
        return "form"
    if market and market not in QMT_MARKETS:
        return "market"
    if len(digits) != 6:
        return "digits"
    return "no_market" if not market else "form"


def _qmt_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def qmt_code_problem(text: str) -> str:
    """A one-line English reason why ``text`` is not an A-share code; ``""`` when it is."""
    fault = qmt_code_fault(text)
    return _QMT_PROBLEMS[fault] if fault else ""


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
        return self._bool("alerts/sound", True)

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._set_bool("alerts/sound", value)

    # ----- feed -------------------------------------------------------------------
    @property
    def feed_kind(self) -> str:
        """``"demo"`` (recorded data), ``"exchange"`` (a ccxt exchange) or ``"qmt"``
        (Chinese A-shares from a MiniQMT terminal through xtquant)."""
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

    # ----- QMT (MiniQMT / xtquant, Chinese A-shares) ---------------------------------
    @property
    def qmt_codes(self) -> list[str]:
        """The QMT watchlist, e.g. ``600519.SH``; never empty. Invalid codes in a
        hand-edited file are dropped, ``SH600519`` / lower case read as ``600519.SH``."""
        codes = (clean_qmt_code(item) for item in _split_list(self._qs.value("qmt/codes")))
        return list(dict.fromkeys(c for c in codes if c)) or list(DEFAULT_QMT_CODES)

    @qmt_codes.setter
    def qmt_codes(self, value: Iterable[str]) -> None:
        """Stored normalised, in order, without repeats; ``ValueError`` naming the first
        invalid code and why. An empty list removes the entry (the defaults apply)."""
        codes: list[str] = []
        for item in [value] if isinstance(value, str) else value:
            code = clean_qmt_code(item)
            if code is None:
                raise ValueError(f"qmt_codes: {item!r} is not an A-share code: {qmt_code_problem(item)}")
            codes.append(code)
        codes = list(dict.fromkeys(codes))
        if codes:
            self._qs.setValue("qmt/codes", codes)
        else:
            self._qs.remove("qmt/codes")

    @property
    def qmt_whole_market(self) -> bool:
        """Also subscribe the whole 沪深A股 sector, so rules on any A-share fire."""
        return self._bool("qmt/whole_market", False)

    @qmt_whole_market.setter
    def qmt_whole_market(self, value: bool) -> None:
        self._set_bool("qmt/whole_market", value)

    @property
    def qmt_port(self) -> int | None:
        """The MiniQMT terminal's port; None = let xtquant find the running terminal."""
        value = self._qs.value("qmt/port")
        try:
            port = int(str(value).strip())
        except (TypeError, ValueError):
            return None
        return port if 1 <= port <= 65535 else None

    @qmt_port.setter
    def qmt_port(self, value: int | None) -> None:
        if value is None:
            self._qs.remove("qmt/port")
            return
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise ValueError(f"qmt_port must be a port number from 1 to 65535 or None, got {value!r}")
        self._qs.setValue("qmt/port", value)

    @property
    def qmt_offer_answered(self) -> bool:
        """The trader already answered "use the QMT terminal found on this PC?" (asked once)."""
        return self._bool("qmt/offer_answered", False)

    @qmt_offer_answered.setter
    def qmt_offer_answered(self, value: bool) -> None:
        self._set_bool("qmt/offer_answered", value)

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

    def _bool(self, key: str, default: bool) -> bool:
        """INI files hold text: "true"/"1" are True, anything else False."""
        return str(self._qs.value(key, "true" if default else "false")).lower() in ("true", "1")

    def _set_bool(self, key: str, value: bool) -> None:
        self._qs.setValue(key, "true" if value else "false")

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._qs.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
