"""User preferences in QSettings (never secrets: API keys go to the OS keyring).

Tests and a developer's second profile pass an explicit ini path so they never
touch the trader's real settings. Every getter checks what it reads and falls back to
the default: the ini file is hand-editable, and a typo there must not stop the app.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
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

# ----- preferences (the Settings dialog, app/ui/preferences.py) -----------------------
#: Demo replay speeds offered (× real time); the toolbar and the Settings dialog share them.
DEMO_SPEEDS: tuple[float, ...] = (0.25, 1.0, 4.0, 16.0, 64.0, 256.0)
DEFAULT_DEMO_SPEED = 1.0
#: Auto-close delay of entry / take-profit popups, seconds (0 is not allowed: they would pile up).
POPUP_SECONDS_RANGE = (3, 300)
DEFAULT_POPUP_SECONDS = 10
#: Stop-loss popups: 0 = stay until acknowledged, else seconds in ``POPUP_SECONDS_RANGE``.
DEFAULT_STOP_LOSS_POPUP_SECONDS = 0
#: Seconds between repeats of the stop-loss sound while it is not acknowledged.
STOP_LOSS_REPEAT_RANGE = (2, 60)
DEFAULT_STOP_LOSS_REPEAT_S = 5
DEFAULT_STOP_LOSS_REPEAT = False  # opt-in: today the stop-loss sound plays once
SNOOZE_MINUTES_RANGE = (1, 60)
DEFAULT_SNOOZE_MINUTES = 5
#: Which colour means "up": red (A-share convention, 红涨绿跌) or green (Western).
UP_COLOR_CONVENTIONS = ("red_up", "green_up")
DEFAULT_UP_COLOR_CONVENTION = "red_up"
#: Timeframes the chart can open with (names as in ``app.market.timeframes``).
CHART_TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "1d")
DEFAULT_CHART_TIMEFRAME = "1m"

_TRUE_TEXT = ("true", "1", "yes", "on")
_FALSE_TEXT = ("false", "0", "no", "off")

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
    """Typed access to the app's settings. Getters never fail: a missing, mistyped or
    out-of-range value gives the default. Setters refuse invalid values with ValueError
    (nothing is written then)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings("PriceMonitor", "PriceMonitor")
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def language(self) -> str:
        """``"auto"`` (follow the system), ``"zh_CN"`` or ``"en"``; applies after a restart."""
        return self._choice("ui/language", (*LANGUAGES, AUTO), AUTO)

    @language.setter
    def language(self, value: str) -> None:
        self._set_choice("ui/language", "language", (AUTO, *LANGUAGES), value)

    @property
    def demo_speed(self) -> float:
        """Demo replay speed (× real time), a positive number; the toolbar and the Settings
        dialog show the nearest of ``DEMO_SPEEDS``."""
        speed = self._float("feed/demo_speed", DEFAULT_DEMO_SPEED)
        return speed if math.isfinite(speed) and speed > 0 else DEFAULT_DEMO_SPEED

    @demo_speed.setter
    def demo_speed(self, value: float) -> None:
        speed = float(value)
        if not math.isfinite(speed) or speed <= 0:
            raise ValueError(f"demo_speed must be a positive number, got {value!r}")
        self._qs.setValue("feed/demo_speed", speed)

    # ----- alerts: sounds, popups, tray --------------------------------------------
    @property
    def sound_enabled(self) -> bool:
        return self._bool("alerts/sound", True)

    @sound_enabled.setter
    def sound_enabled(self, value: bool) -> None:
        self._set_bool("alerts/sound", value)

    @property
    def stop_loss_repeat(self) -> bool:
        """The stop-loss sound repeats until the alert is acknowledged (else it plays once)."""
        return self._bool("alerts/stop_loss_repeat", DEFAULT_STOP_LOSS_REPEAT)

    @stop_loss_repeat.setter
    def stop_loss_repeat(self, value: bool) -> None:
        self._set_bool("alerts/stop_loss_repeat", value)

    @property
    def stop_loss_repeat_s(self) -> int:
        """Seconds between stop-loss sound repeats, within ``STOP_LOSS_REPEAT_RANGE``."""
        return self._int("alerts/stop_loss_repeat_s", DEFAULT_STOP_LOSS_REPEAT_S,
                         *STOP_LOSS_REPEAT_RANGE)

    @stop_loss_repeat_s.setter
    def stop_loss_repeat_s(self, value: int) -> None:
        self._set_int("alerts/stop_loss_repeat_s", "stop_loss_repeat_s", value,
                      *STOP_LOSS_REPEAT_RANGE)

    @property
    def popup_seconds(self) -> int:
        """Entry / take-profit popups close after this many seconds (``POPUP_SECONDS_RANGE``)."""
        return self._int("alerts/popup_seconds", DEFAULT_POPUP_SECONDS, *POPUP_SECONDS_RANGE)

    @popup_seconds.setter
    def popup_seconds(self, value: int) -> None:
        self._set_int("alerts/popup_seconds", "popup_seconds", value, *POPUP_SECONDS_RANGE)

    @property
    def stop_loss_popup_seconds(self) -> int:
        """Stop-loss popups: 0 = stay until acknowledged, else close after this many seconds
        (within ``POPUP_SECONDS_RANGE``)."""
        seconds = self._int("alerts/stop_loss_popup_seconds", -1, 0, POPUP_SECONDS_RANGE[1])
        return seconds if _stop_loss_popup_ok(seconds) else DEFAULT_STOP_LOSS_POPUP_SECONDS

    @stop_loss_popup_seconds.setter
    def stop_loss_popup_seconds(self, value: int) -> None:
        if not _is_int(value) or not _stop_loss_popup_ok(value):
            low, high = POPUP_SECONDS_RANGE
            raise ValueError(
                f"stop_loss_popup_seconds must be 0 (until acknowledged) or {low} to {high}, "
                f"got {value!r}"
            )
        self._qs.setValue("alerts/stop_loss_popup_seconds", int(value))

    @property
    def snooze_minutes(self) -> int:
        """How long "Snooze" puts an alert off, in minutes (``SNOOZE_MINUTES_RANGE``)."""
        return self._int("alerts/snooze_minutes", DEFAULT_SNOOZE_MINUTES, *SNOOZE_MINUTES_RANGE)

    @snooze_minutes.setter
    def snooze_minutes(self, value: int) -> None:
        self._set_int("alerts/snooze_minutes", "snooze_minutes", value, *SNOOZE_MINUTES_RANGE)

    @property
    def close_to_tray(self) -> bool:
        """Closing the window hides it in the tray (monitoring goes on) instead of quitting."""
        return self._bool("tray/close_to_tray", True)

    @close_to_tray.setter
    def close_to_tray(self, value: bool) -> None:
        self._set_bool("tray/close_to_tray", value)

    @property
    def tray_hint_shown(self) -> bool:
        """The one-time "still running in the tray" hint was shown."""
        return self._bool("tray/hint_shown", False)

    @tray_hint_shown.setter
    def tray_hint_shown(self, value: bool) -> None:
        self._set_bool("tray/hint_shown", value)

    @property
    def tray_balloons(self) -> bool:
        """Alerts also show as tray messages (balloons / desktop notifications)."""
        return self._bool("tray/balloons", True)

    @tray_balloons.setter
    def tray_balloons(self, value: bool) -> None:
        self._set_bool("tray/balloons", value)

    # ----- chart ------------------------------------------------------------------
    @property
    def up_color_convention(self) -> str:
        """``"red_up"`` (A-share: red up, green down) or ``"green_up"``."""
        return self._choice("chart/up_color", UP_COLOR_CONVENTIONS, DEFAULT_UP_COLOR_CONVENTION)

    @up_color_convention.setter
    def up_color_convention(self, value: str) -> None:
        self._set_choice("chart/up_color", "up_color_convention", UP_COLOR_CONVENTIONS, value)

    @property
    def chart_timeframe(self) -> str:
        """The timeframe the chart opens with, one of ``CHART_TIMEFRAMES``."""
        return self._choice("chart/timeframe", CHART_TIMEFRAMES, DEFAULT_CHART_TIMEFRAME)

    @chart_timeframe.setter
    def chart_timeframe(self, value: str) -> None:
        self._set_choice("chart/timeframe", "chart_timeframe", CHART_TIMEFRAMES, value)

    # ----- feed -------------------------------------------------------------------
    @property
    def feed_kind(self) -> str:
        """``"demo"`` (recorded data), ``"exchange"`` (a ccxt exchange) or ``"qmt"``
        (Chinese A-shares from a MiniQMT terminal through xtquant)."""
        return self._choice("feed/kind", FEED_KINDS, DEFAULT_FEED_KIND)

    @feed_kind.setter
    def feed_kind(self, value: str) -> None:
        self._set_choice("feed/kind", "feed kind", FEED_KINDS, value)

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
        return self._choice("exchange/market_type", MARKET_TYPES, DEFAULT_MARKET_TYPE)

    @exchange_market_type.setter
    def exchange_market_type(self, value: str) -> None:
        self._set_choice("exchange/market_type", "market type", MARKET_TYPES, value)

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
        """INI files hold text: "true"/"1"/"yes"/"on" are True, "false"/"0"/"no"/"off"
        False, anything else (a typo, an empty value) the default."""
        text = str(self._qs.value(key, "true" if default else "false")).strip().lower()
        if text in _TRUE_TEXT:
            return True
        return False if text in _FALSE_TEXT else default

    def _choice(self, key: str, choices: Sequence[str], default: str) -> str:
        """One of ``choices``; ``default`` for anything else a hand-edited file holds."""
        value = self._qs.value(key, default)
        return value if isinstance(value, str) and value in choices else default

    def _set_choice(self, key: str, name: str, choices: Sequence[str], value: str) -> None:
        if value not in choices:
            raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
        self._qs.setValue(key, value)

    def _set_bool(self, key: str, value: bool) -> None:
        self._qs.setValue(key, "true" if value else "false")

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._qs.value(key, default))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``; ``default`` for anything else (text,
        a fraction, out of range). "10.0" reads as 10."""
        value = self._qs.value(key)
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            return default
        if not number.is_integer() or not low <= number <= high:
            return default
        return int(number)

    def _set_int(self, key: str, name: str, value: int, low: int, high: int) -> None:
        if not _is_int(value) or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        self._qs.setValue(key, int(value))


def demo_speed_index(speed: float) -> int:
    """Where a stored speed (any positive number, e.g. a hand-edited 3) sits among the
    speeds offered: the nearest of ``DEMO_SPEEDS``."""
    return min(range(len(DEMO_SPEEDS)), key=lambda i: abs(DEMO_SPEEDS[i] - speed))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stop_loss_popup_ok(seconds: int) -> bool:
    low, high = POPUP_SECONDS_RANGE
    return seconds == 0 or low <= seconds <= high
