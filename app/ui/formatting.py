"""Display helpers shared by popups, the tray, the history view and the main window.

One place decides how a price, a market time and an alert kind look, so a
trader never sees the same alert rendered two different ways (e.g. ``1433.33``
in the popup but ``1433.3300000001`` in the history table).
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication

from app.core.models import AlertKind, AlertSource

#: Shown wherever a value is missing (no previous price, no time, ...).
MISSING = "\u2014"  # em dash

#: Significant digits kept when printing a float. 12 is well beyond any exchange
#: tick size yet short enough to swallow binary float noise (0.1 + 0.2).
_SIGNIFICANT_DIGITS = 12

#: Colours per alert kind; popups and the history view use the same ones so the
#: trader learns one code. Stop loss is red, take profit green, entry blue.
KIND_COLORS: dict[AlertKind, str] = {
    AlertKind.STOP_LOSS: "#d32f2f",
    AlertKind.TAKE_PROFIT: "#2e7d32",
    AlertKind.ENTRY: "#1565c0",
    AlertKind.CROSS_UP: "#7b1fa2",
    AlertKind.CROSS_DOWN: "#4527a0",
    AlertKind.CHANGE_UP: "#ad1457",
    AlertKind.CHANGE_DOWN: "#00695c",
    AlertKind.TRAILING_STOP: "#d84315",  # an exit like the stop loss, but not the same red
    AlertKind.TRAILING_ENTRY: "#0277bd",
}


def kind_label(kind: AlertKind) -> str:
    """Human, translated name of an alert kind.

    The literal ``translate("Alerts", ...)`` calls are deliberate: lupdate only
    extracts string literals, so a lookup table of English strings would not be
    picked up for the Chinese translation file.
    """
    if kind is AlertKind.STOP_LOSS:
        return QCoreApplication.translate("Alerts", "Stop loss")
    if kind is AlertKind.TAKE_PROFIT:
        return QCoreApplication.translate("Alerts", "Take profit")
    if kind is AlertKind.ENTRY:
        return QCoreApplication.translate("Alerts", "Entry zone")
    if kind is AlertKind.CROSS_UP:
        return QCoreApplication.translate("Alerts", "Crossed up")
    if kind is AlertKind.CROSS_DOWN:
        return QCoreApplication.translate("Alerts", "Crossed down")
    if kind is AlertKind.CHANGE_UP:
        return QCoreApplication.translate("Alerts", "Rise reached")
    if kind is AlertKind.CHANGE_DOWN:
        return QCoreApplication.translate("Alerts", "Fall reached")
    if kind is AlertKind.TRAILING_STOP:
        return QCoreApplication.translate("Alerts", "Trailing stop")
    if kind is AlertKind.TRAILING_ENTRY:
        return QCoreApplication.translate("Alerts", "Trailing entry")
    # AlertKind is a str enum: a raw stored value still deserves a label.
    return kind_label(AlertKind(kind))


def kind_color(kind: AlertKind) -> str:
    """Hex colour for an alert kind (see ``KIND_COLORS``)."""
    return KIND_COLORS[AlertKind(kind)]


def format_price(x: float | None) -> str:
    """Price with exactly the decimals it needs: ``85240.45``, ``1433.33``, ``0.00001234``.

    Prices come from very different markets (A-shares with 2-3 decimals, BTC in
    the tens of thousands, meme coins at 1e-8), so a fixed number of decimals is
    wrong somewhere. Rounding to 12 significant digits removes float noise, and
    Decimal prints without scientific notation, which traders misread.
    """
    if x is None:
        return MISSING
    try:
        value = float(x)
    except (TypeError, ValueError):
        return MISSING
    if not math.isfinite(value):
        return MISSING
    try:
        text = format(Decimal(f"{value:.{_SIGNIFICANT_DIGITS}g}"), "f")
    except InvalidOperation:  # pragma: no cover - a finite float always parses
        return MISSING
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def format_time(dt: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in the datetime's own timezone.

    Market times are shown as the market labels them (Shanghai time for
    A-shares, UTC for crypto) and are deliberately *not* converted to the local
    zone: the trader compares them with the exchange's own chart and QMT.
    """
    if dt is None:
        return MISSING
    return dt.strftime("%Y-%m-%d %H:%M:%S")


# -- the alert's receipt -------------------------------------------------------------


def format_utc_offset(dt: datetime | None) -> str:
    """``UTC+08:00`` for an aware datetime, ``""`` for a naive one or None.

    The receipt shows it next to the market time so a trader comparing a BTC alert
    (UTC) with an A-share one (Shanghai) is never off by eight hours.
    """
    if dt is None:
        return ""
    offset = dt.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def level_label(kind: AlertKind) -> str:
    """Which kind of level fired, for the receipt: "take-profit level", "entry-zone bound", ..."""
    kind = AlertKind(kind)
    if kind is AlertKind.STOP_LOSS:
        return QCoreApplication.translate("Receipt", "stop-loss level")
    if kind is AlertKind.TAKE_PROFIT:
        return QCoreApplication.translate("Receipt", "take-profit level")
    if kind is AlertKind.ENTRY:
        return QCoreApplication.translate("Receipt", "entry-zone bound")
    if kind in (AlertKind.CROSS_UP, AlertKind.CROSS_DOWN):
        return QCoreApplication.translate("Receipt", "crossing level")
    if kind in (AlertKind.CHANGE_UP, AlertKind.CHANGE_DOWN):
        return QCoreApplication.translate("Receipt", "price of the change target vs the previous close")
    if kind is AlertKind.TRAILING_STOP:
        return QCoreApplication.translate("Receipt", "trailing-stop level")
    return QCoreApplication.translate("Receipt", "trailing-entry level")


def source_label(source: AlertSource) -> str:
    """Where the firing price came from, in words (the receipt's last line)."""
    source = AlertSource(source)
    if source is AlertSource.BACKFILL:
        return QCoreApplication.translate(
            "Receipt", "backfill (prices recovered after a feed outage)")
    if source is AlertSource.REPLAY:
        return QCoreApplication.translate("Receipt", "replay (recorded prices)")
    return QCoreApplication.translate("Receipt", "live data")


def price_move(prev_price: float | None, price: float | None) -> str:
    """The short "from X → Y" line of a popup card (``first price Y`` without a previous one)."""
    if prev_price is None:
        return QCoreApplication.translate("Receipt", "first price %1").replace(
            "%1", format_price(price))
    return (
        QCoreApplication.translate("Receipt", "from %1 → %2")
        .replace("%1", format_price(prev_price))
        .replace("%2", format_price(price))
    )


def receipt_text(
    *,
    kind: AlertKind,
    stock_code: str,
    task_name: str,
    price: float,
    level: float,
    prev_price: float | None,
    time: datetime | None,
    source: AlertSource,
) -> str:
    """The alert's receipt: what fired, on which price at which market time, from where.

    One translated, multi-line text used wherever a trader asks "why did this
    fire?" (the history tooltip, the popup tooltip, "Copy receipt"). Market time
    is the market's own clock (see ``format_time``) with its UTC offset.
    """
    when = format_time(time)
    offset = format_utc_offset(time)
    if offset:
        when = f"{when} ({offset})"
    lines = [
        f"{kind_label(kind)} \u00b7 {stock_code} \u00b7 {task_name}",
        QCoreApplication.translate("Receipt", "Fired by price %1 at market time %2")
        .replace("%1", format_price(price))
        .replace("%2", when),
        QCoreApplication.translate("Receipt", "Level: %1 (%2)")
        .replace("%1", format_price(level))
        .replace("%2", level_label(kind)),
    ]
    if prev_price is None:
        lines.append(QCoreApplication.translate(
            "Receipt", "No previous price: this was the first price the rule saw"))
    else:
        lines.append(
            QCoreApplication.translate("Receipt", "Crossed from %1 to %2")
            .replace("%1", format_price(prev_price))
            .replace("%2", format_price(price))
        )
    lines.append(
        QCoreApplication.translate("Receipt", "Data: %1").replace("%1", source_label(source)))
    return "\n".join(lines)


def alert_receipt(alert: object) -> str:
    """``receipt_text`` for an ``AlertFired`` (``time``) or an ``AlertRecord`` (``event_time``)."""
    time = getattr(alert, "event_time", None)
    if time is None:
        time = getattr(alert, "time", None)
    return receipt_text(
        kind=alert.kind,  # type: ignore[attr-defined]
        stock_code=alert.stock_code,  # type: ignore[attr-defined]
        task_name=alert.task_name,  # type: ignore[attr-defined]
        price=alert.price,  # type: ignore[attr-defined]
        level=alert.level,  # type: ignore[attr-defined]
        prev_price=getattr(alert, "prev_price", None),
        time=time,
        source=getattr(alert, "source", AlertSource.LIVE),
    )
