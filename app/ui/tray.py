"""The system tray icon: unread-alert badge, balloon messages and a tiny menu.

The trader keeps QMT in front all day; the tray is the one place that shows
"something happened" even when every popup has timed out. Some environments
have no tray at all (CI, some Linux desktops, a Windows session whose Explorer
has not started yet), so everything here degrades to a no-op and ``notify()``
reports False, letting the caller rely on popups alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon

from app.core.models import AlertFired, AlertKind, AlertSource
from app.resources import RESOURCES_DIR
from app.ui.formatting import format_price, format_time, kind_label

log = logging.getLogger(__name__)



ICONS_DIR: Path = RESOURCES_DIR / "icons"
APP_ICON_PATH: Path = ICONS_DIR / "app.svg"
ALERT_ICON_PATH: Path = ICONS_DIR / "app_alert.svg"

#: How long a balloon stays up (Windows may clamp this to its own setting).
DEFAULT_MESSAGE_MS = 10_000


#: How long "Mute sounds" lasts: a meeting or a call, never the rest of the day. Popups,
#: the tray and the history still show every alert while muted.
MUTE_MINUTES = 30


def load_icon(path: Path = APP_ICON_PATH) -> QIcon:
    """The icon at ``path``, or a stock Qt icon if it cannot be rendered.

    Rendering is checked (not just loading) because a frozen build without the
    SVG plugin yields an icon that is "not null" yet paints nothing, and a tray
    icon with no pixmap is invisible on Windows.
    """
    icon = QIcon(str(path))
    if icon.isNull() or icon.pixmap(32, 32).isNull():
        log.warning("Icon %s could not be rendered; using a stock icon", path)
        return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
    return icon


def badge_icon(base: QIcon, count: int, size: int = 64) -> QIcon:
    """``base`` with a red unread-count bubble in the bottom-right corner.

    Counts above 99 show as "99+" so the bubble stays readable at 16 px.
    """
    pixmap = base.pixmap(size, size)
    if pixmap.isNull():
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
    if count <= 0:
        return QIcon(pixmap)
    text = str(count) if count <= 99 else "99+"
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        diameter = int(size * (0.62 if len(text) < 3 else 0.72))
        rect = QRect(size - diameter, size - diameter, diameter, diameter)
        painter.setPen(QColor("#ffffff"))
        painter.setBrush(QColor("#d32f2f"))
        painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(diameter * (0.6 if len(text) == 1 else 0.45)))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return QIcon(pixmap)


class AlertTray(QObject):
    """Wraps ``QSystemTrayIcon``; safe to use whether or not a tray exists.

    The icon is created lazily: if no tray is available at start-up (Windows
    autostart can run before Explorer's notification area is ready) the next
    ``notify()`` or ``refresh()`` tries again instead of giving up for the day.

    ``unread`` counts every alert passed to ``notify()`` - shown or not - since
    the last ``clear_unread()``, so the tooltip is right once a tray appears.
    """

    show_window_requested = Signal()
    quit_requested = Signal()
    unread_changed = Signal(int)
    mute_toggled = Signal(bool)  # the trader muted (True) or unmuted alert sounds

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        icon: QIcon | None = None,
        alert_icon: QIcon | None = None,
        message_ms: int = DEFAULT_MESSAGE_MS,
    ) -> None:
        super().__init__(parent)
        self._icon = icon if icon is not None else load_icon(APP_ICON_PATH)
        self._alert_icon = alert_icon if alert_icon is not None else load_icon(ALERT_ICON_PATH)
        self._message_ms = message_ms
        self._unread = 0
        self._tray: QSystemTrayIcon | None = None
        #: Balloons for alerts (the trader may turn them off: popups already show them).
        self.balloons = True
        self._menu = self._build_menu()
        self.refresh()

    # -- state -----------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether the desktop currently has a system tray (asked live, it can change)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    @property
    def is_shown(self) -> bool:
        """True once the tray icon exists and is visible."""
        return self._tray is not None and self._tray.isVisible()

    @property
    def unread(self) -> int:
        return self._unread

    @property
    def menu(self) -> QMenu:
        """The context menu (exposed so the main window can add entries)."""
        return self._menu

    @property
    def tray_icon(self) -> QSystemTrayIcon | None:
        """The underlying ``QSystemTrayIcon`` (None while no tray exists)."""
        return self._tray

    def clear_unread(self) -> None:
        """The trader has looked at the alerts (e.g. opened the main window)."""
        if self._unread:
            self._unread = 0
            self._update_appearance()
            self.unread_changed.emit(0)

    # -- actions ---------------------------------------------------------------

    def refresh(self) -> bool:
        """Create and show the tray icon if a tray is available now; returns ``is_shown``."""
        if self._tray is None and self.available:
            tray = QSystemTrayIcon(self)
            tray.setContextMenu(self._menu)
            tray.activated.connect(self._on_activated)
            tray.messageClicked.connect(self.show_window_requested)
            self._tray = tray
            self._update_appearance()
            tray.show()
        return self.is_shown

    def notify(self, alert: AlertFired) -> bool:
        """Count the alert as unread and show a tray balloon.

        Returns False (never raises) when no tray exists, so the caller knows
        the popup is the only notice the trader gets.
        """
        self._unread += 1
        self.unread_changed.emit(self._unread)
        try:
            if not self.refresh():
                self._update_appearance()
                return False
            self._update_appearance()
            if not self.balloons:
                return True  # counted and badged; the popup is the notice
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if alert.kind in (AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP)
                else QSystemTrayIcon.MessageIcon.Information
            )
            assert self._tray is not None
            self._tray.showMessage(
                self.message_title(alert), self.message_body(alert), icon, self._message_ms
            )
            return True
        except Exception:  # noqa: BLE001 - a tray failure must not lose the alert path
            log.exception("Tray notification failed")
            return False

    def shutdown(self) -> None:
        """Remove the icon now; Windows otherwise leaves a ghost icon until hovered."""
        if self._tray is not None:
            self._tray.hide()

    # -- texts -----------------------------------------------------------------

    def message_title(self, alert: AlertFired) -> str:
        """Kind first: it is what the trader must react to; the symbol says where."""
        return self.tr("{kind}: {symbol}").format(
            kind=kind_label(alert.kind), symbol=alert.stock_code
        )

    def message_body(self, alert: AlertFired) -> str:
        lines = [
            alert.task_name,
            self.tr("Price {price} (level {level})").format(
                price=format_price(alert.price), level=format_price(alert.level)
            ),
            format_time(alert.time),
        ]
        if alert.source is AlertSource.BACKFILL:
            lines.append(self.tr("Backfill: fired on data received after a gap"))
        elif alert.source is AlertSource.REPLAY:
            lines.append(self.tr("Replay: not a live alert"))
        return "\n".join(lines)

    def tooltip_text(self) -> str:
        if self._unread:
            return self.tr("Price Monitor - %n unread alert(s)", "", self._unread)
        return self.tr("Price Monitor")

    # -- internals -------------------------------------------------------------

    def _build_menu(self) -> QMenu:
        menu = QMenu()
        self._show_action = QAction(self.tr("Show window"), menu)
        self._show_action.triggered.connect(self.show_window_requested)
        self.mute_action = QAction(self.tr("Mute sounds for %n min", "", MUTE_MINUTES), menu)
        self.mute_action.setCheckable(True)
        self.mute_action.toggled.connect(self.mute_toggled)
        self._quit_action = QAction(self.tr("Quit"), menu)
        self._quit_action.triggered.connect(self.quit_requested)
        menu.addAction(self._show_action)
        menu.addAction(self.mute_action)
        menu.addSeparator()
        menu.addAction(self._quit_action)
        return menu

    def set_muted(self, muted: bool) -> None:
        """Show the mute state (the window ends a mute after ``MUTE_MINUTES``)."""
        self.mute_action.blockSignals(True)
        self.mute_action.setChecked(muted)
        self.mute_action.blockSignals(False)

    def _update_appearance(self) -> None:
        if self._tray is None:
            return
        if self._unread:
            self._tray.setIcon(badge_icon(self._alert_icon, self._unread))
        else:
            self._tray.setIcon(self._icon)
        self._tray.setToolTip(self.tooltip_text())

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # Context (right click) opens the menu by itself; a left or double
        # click means "bring the monitor back".
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window_requested.emit()


__all__ = ["AlertTray", "badge_icon", "load_icon", "APP_ICON_PATH", "ALERT_ICON_PATH",
           "MUTE_MINUTES"]
