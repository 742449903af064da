"""Alert popups: small always-on-top cards stacked in the bottom-right corner.

The trader works in the QMT terminal all day, so a popup must be seen without
ever taking the keyboard away from QMT (an order typed into the wrong window is
worse than a missed alert). Hence: a frameless tool window that stays on top,
is shown without activation and does not accept focus, and is closed by the
mouse only.

Take-profit and entry popups close themselves after a while; a stop-loss popup
by default stays until acknowledged, because it is the one alert that must not
be missed during a coffee break.

"Snooze" hides a card for a few minutes and brings the same card back (same
alert, same id) as the newest one in the stack; only "Acknowledge" ends it for
good. The window replays the alert's sound when it comes back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QCursor, QFontMetrics, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.models import AlertFired, AlertKind, AlertSource
from app.ui.formatting import (
    alert_receipt,
    format_price,
    format_time,
    kind_color,
    kind_label,
    price_move,
)

log = logging.getLogger(__name__)

#: Auto-close delay for entry and take-profit popups.
DEFAULT_DURATION_S = 10.0
#: Auto-close delay for stop-loss popups; 0 means "stay until acknowledged".
DEFAULT_STOP_LOSS_DURATION_S = 0.0
# Protective exits: a trailing stop (回落卖出) is a stop loss that follows the price,
# so its popup is kept like a stop loss's.
STOP_KINDS = frozenset({AlertKind.STOP_LOSS, AlertKind.TRAILING_STOP})
#: More popups than this and the oldest are closed (they remain in the history).
DEFAULT_MAX_VISIBLE = 5
#: How long "Snooze" hides a card before it comes back (0 hides the button).
DEFAULT_SNOOZE_MINUTES = 5.0

POPUP_WIDTH = 336  # room for three buttons (chart, snooze, acknowledge)

#: Window flags shared by popups and the overflow notice: no taskbar entry,
#: no frame, above QMT, and never given keyboard focus.
POPUP_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)

_CARD_STYLE = """
QFrame#alertCard {{
    background: #1f2329;
    border: 1px solid #3a4049;
    border-left: 5px solid {color};
    border-radius: 4px;
}}
QFrame#alertCard QLabel {{ color: #e8eaed; background: transparent; }}
QFrame#alertCard QLabel#symbolLabel {{ font-weight: bold; font-size: 13px; }}
QFrame#alertCard QLabel#priceLabel {{ font-weight: bold; }}
QFrame#alertCard QLabel#timeLabel {{ color: #aab1ba; }}
QFrame#alertCard QLabel#receiptLabel {{ color: #aab1ba; }}
QFrame#alertCard QLabel#sourceLabel {{
    color: #1f2329; background: #ffb300; border-radius: 3px; padding: 0 4px;
}}
QFrame#alertCard QPushButton {{
    color: #e8eaed; background: #2d333b; border: 1px solid #4a515c;
    border-radius: 3px; padding: 3px 6px;
}}
QFrame#alertCard QPushButton:hover {{ background: #3a414b; }}
QFrame#alertCard QPushButton#ackButton {{ background: {color}; border-color: {color}; }}
"""


def _configure_popup_window(widget: QWidget) -> None:
    """Apply the no-focus-stealing window setup shared by every popup-like window."""
    widget.setWindowFlags(POPUP_FLAGS)
    widget.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class AlertPopup(QWidget):
    """One alert card.

    ``acknowledged(alert_id)`` is emitted only by the Acknowledge button, never
    by the timeout: an alert that merely timed out is still unacknowledged in
    the history; it is emitted at most once. ``closed(popup)`` is emitted once,
    whatever closed it.

    ``snooze()`` (the Snooze button) hides the card without closing it and emits
    ``snoozed(popup)``; after ``snooze_minutes`` the card emits
    ``snooze_ended(popup)`` and shows itself again (a manager connected to
    ``snooze_ended`` places it first). A snoozed card is not deleted.
    """

    acknowledged = Signal(object)  # alert_id: int | None
    show_on_chart = Signal(str)  # stock_code (kept for old callers)
    show_alert_on_chart = Signal(object)  # the AlertFired: the chart can jump to its bar
    closed = Signal(object)  # the AlertPopup itself
    snoozed = Signal(object)  # the AlertPopup itself, hidden for snooze_minutes
    snooze_ended = Signal(object)  # the AlertPopup itself, about to show again

    def __init__(
        self,
        alert: AlertFired,
        alert_id: int | None = None,
        *,
        duration_s: float = DEFAULT_DURATION_S,
        stop_loss_duration_s: float = DEFAULT_STOP_LOSS_DURATION_S,
        snooze_minutes: float = DEFAULT_SNOOZE_MINUTES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._alert = alert
        self._alert_id = alert_id
        self._closed_emitted = False
        self._acknowledged = False
        self._snooze_minutes = max(0.0, snooze_minutes)
        self._duration_s = max(
            0.0, stop_loss_duration_s if alert.kind in STOP_KINDS else duration_s
        )

        _configure_popup_window(self)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        # The card is never the active window, and Qt shows tooltips (the receipt)
        # only in the active window unless told otherwise.
        self.setAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips, True)
        self.setWindowTitle(self.tr("Price alert"))
        self.setFixedWidth(POPUP_WIDTH)
        self._build_ui()
        self.setToolTip(alert_receipt(alert))
        self.set_snooze_minutes(self._snooze_minutes)
        self.adjustSize()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._snooze_timer = QTimer(self)
        self._snooze_timer.setSingleShot(True)
        self._snooze_timer.timeout.connect(self._end_snooze)
        self._cursor_at_show = QPoint()

    # -- public ------------------------------------------------------------------

    @property
    def alert(self) -> AlertFired:
        return self._alert

    @property
    def alert_id(self) -> int | None:
        return self._alert_id

    @property
    def duration_s(self) -> float:
        """Effective auto-close delay for this popup's kind (0 = stays open)."""
        return self._duration_s

    @property
    def kind_color(self) -> str:
        return kind_color(self._alert.kind)

    @property
    def snooze_minutes(self) -> float:
        return self._snooze_minutes

    @property
    def is_snoozed(self) -> bool:
        """Hidden by Snooze and waiting to come back."""
        return self._snooze_timer.isActive()

    def set_snooze_minutes(self, minutes: float) -> None:
        """Length of the next snooze; 0 hides the Snooze button."""
        self._snooze_minutes = max(0.0, minutes)
        shown = max(1, round(self._snooze_minutes))
        self.snooze_button.setText(self.tr("Snooze %n min", "", shown))
        self.snooze_button.setVisible(self._snooze_minutes > 0)

    def acknowledge(self) -> None:
        """What the Acknowledge button does: report the id (once), then close for good."""
        if self._acknowledged:
            return
        self._acknowledged = True
        self._snooze_timer.stop()
        self.acknowledged.emit(self._alert_id)
        self.close()

    def snooze(self) -> None:
        """What the Snooze button does: hide now, come back after ``snooze_minutes``.

        The auto-close timer stops meanwhile (a snoozed card must not quietly
        close while hidden) and starts afresh when the card is shown again.
        """
        if (self._acknowledged or self._closed_emitted or self._snooze_minutes <= 0
                or self.is_snoozed):
            return
        self._timer.stop()
        self.hide()
        self._snooze_timer.start(max(1, int(round(self._snooze_minutes * 60_000))))
        self.snoozed.emit(self)

    # -- Qt events ---------------------------------------------------------------

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._cursor_at_show = QCursor.pos()
        self._restart_timer()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        self._snooze_timer.stop()
        super().closeEvent(event)
        if event.isAccepted() and not self._closed_emitted:
            self._closed_emitted = True
            self.closed.emit(self)

    # -- internals ---------------------------------------------------------------

    def _end_snooze(self) -> None:
        """Snooze is over: let the manager place the card, then show it (without focus)."""
        if self._acknowledged or self._closed_emitted:
            return
        self.snooze_ended.emit(self)
        if not self.isVisible():
            self.show()
        self.raise_()

    def _on_timeout(self) -> None:
        """Close, unless the trader is pointing at the card (e.g. reaching for a button).

        "Pointing" means the cursor is over the card *and* has moved since it
        appeared: a cursor merely parked in the corner where popups appear must
        not keep them open forever.
        """
        if self.underMouse() and QCursor.pos() != self._cursor_at_show:
            self._restart_timer()
            return
        self.close()

    def _restart_timer(self) -> None:
        if self._duration_s > 0 and self.isVisible():
            self._timer.start(int(round(self._duration_s * 1000)))

    def _build_ui(self) -> None:
        alert = self._alert
        color = self.kind_color

        card = QFrame(self)
        card.setObjectName("alertCard")
        card.setStyleSheet(_CARD_STYLE.format(color=color))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)

        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 8, 10, 8)
        layout.setSpacing(4)

        header = QHBoxLayout()
        self.kind_label = QLabel(kind_label(alert.kind))
        self.kind_label.setObjectName("kindLabel")
        # White on the kind colour: readable on the dark card for all three kinds.
        self.kind_label.setStyleSheet(
            f"color: #ffffff; background: {color}; border-radius: 3px;"
            " padding: 1px 6px; font-weight: bold; font-size: 13px;"
        )
        header.addWidget(self.kind_label)
        self.source_label = QLabel(self._source_text(alert.source))
        self.source_label.setObjectName("sourceLabel")
        self.source_label.setVisible(alert.source is not AlertSource.LIVE)
        header.addWidget(self.source_label)
        header.addStretch(1)
        self.symbol_label = QLabel(alert.stock_code)
        self.symbol_label.setObjectName("symbolLabel")
        header.addWidget(self.symbol_label)
        layout.addLayout(header)

        self.task_label = QLabel()
        self.task_label.setObjectName("taskLabel")
        self._set_elided(self.task_label, alert.task_name, POPUP_WIDTH - 30)
        layout.addWidget(self.task_label)

        prices = QHBoxLayout()
        self.price_label = QLabel(
            self.tr("Price: {price}").format(price=format_price(alert.price))
        )
        self.price_label.setObjectName("priceLabel")
        self.level_label = QLabel(
            self.tr("Level: {level}").format(level=format_price(alert.level))
        )
        self.level_label.setObjectName("levelLabel")
        prices.addWidget(self.price_label)
        prices.addStretch(1)
        prices.addWidget(self.level_label)
        layout.addLayout(prices)

        self.time_label = QLabel(
            self.tr("Market time: {time}").format(time=format_time(alert.time))
        )
        self.time_label.setObjectName("timeLabel")
        layout.addWidget(self.time_label)

        # The receipt in one line: the move that crossed the level.
        self.receipt_label = QLabel(price_move(alert.prev_price, alert.price))
        self.receipt_label.setObjectName("receiptLabel")
        layout.addWidget(self.receipt_label)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        self.chart_button = self._button(self.tr("Show on chart"), "chartButton")
        self.chart_button.clicked.connect(self._on_chart_clicked)
        self.snooze_button = self._button("", "snoozeButton")
        self.snooze_button.clicked.connect(self.snooze)
        self.ack_button = self._button(self.tr("Acknowledge"), "ackButton")
        self.ack_button.clicked.connect(self.acknowledge)
        buttons.addWidget(self.chart_button)
        buttons.addWidget(self.snooze_button)
        buttons.addWidget(self.ack_button)
        layout.addLayout(buttons)

    def _on_chart_clicked(self) -> None:
        self.show_on_chart.emit(self._alert.stock_code)
        self.show_alert_on_chart.emit(self._alert)

    def _source_text(self, source: AlertSource) -> str:
        if source is AlertSource.BACKFILL:
            return self.tr("backfill")
        if source is AlertSource.REPLAY:
            return self.tr("replay")
        return ""

    @staticmethod
    def _button(text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        # No focus and no default-button behaviour: Enter pressed in QMT must
        # never land here.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoDefault(False)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    @staticmethod
    def _set_elided(label: QLabel, text: str, width: int) -> None:
        """One line, elided, full text in the tooltip: keeps every card the same height."""
        elided = QFontMetrics(label.font()).elidedText(text, Qt.TextElideMode.ElideRight, width)
        label.setText(elided)
        if elided != text:
            label.setToolTip(text)


class OverflowNotice(QWidget):
    """"+N more alerts" strip above the stack; clicking it asks for the history."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        _configure_popup_window(self)
        self.setFixedWidth(POPUP_WIDTH)
        self.button = QPushButton(self)
        self.button.setObjectName("overflowButton")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setAutoDefault(False)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setStyleSheet(
            "QPushButton { color: #e8eaed; background: #2d333b; border: 1px solid #4a515c;"
            " border-radius: 4px; padding: 4px; }"
        )
        self.button.clicked.connect(self.clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)

    def set_count(self, n: int) -> None:
        self.button.setText(self.tr("+%n more alert(s) in the history", "", n))
        self.adjustSize()


class PopupManager(QObject):
    """Owns the visible popups and stacks them in the bottom-right corner.

    Newest at the bottom (closest to where the eye already is after the last
    one), older ones move up; the stack is capped both by ``max_visible`` and by
    the screen height. When something must go, the oldest non-stop-loss popup
    is closed first - an unacknowledged stop loss is the last thing to hide.

    Snoozed popups leave the stack (they take no room and are never closed by
    the cap while hidden) and come back as the newest popup, where the usual
    cap applies again.
    """

    acknowledged = Signal(object)  # alert_id: int | None
    show_on_chart = Signal(str)  # stock_code (kept for old callers)
    show_alert_on_chart = Signal(object)  # AlertFired: jump the chart to the alert's bar
    more_clicked = Signal()  # the "+N more" notice was clicked: open the history
    snoozed = Signal(object)  # alert_id: a card was hidden by Snooze
    resurfaced = Signal(object, object)  # (AlertFired, alert_id): a snoozed card is back
    #: alert_id: a card is gone for good (acknowledged, timed out, closed by the cap
    #: or close_all) - not emitted by Snooze.
    dismissed = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        duration_s: float = DEFAULT_DURATION_S,
        stop_loss_duration_s: float = DEFAULT_STOP_LOSS_DURATION_S,
        max_visible: int = DEFAULT_MAX_VISIBLE,
        snooze_minutes: float = DEFAULT_SNOOZE_MINUTES,
        screen: QScreen | None = None,
        margin: int = 12,
        spacing: int = 8,
    ) -> None:
        super().__init__(parent)
        self._duration_s = duration_s
        self._stop_loss_duration_s = stop_loss_duration_s
        self._max_visible = max(1, max_visible)
        self._snooze_minutes = max(0.0, snooze_minutes)
        self._screen = screen
        self._margin = margin
        self._spacing = spacing
        self._popups: list[AlertPopup] = []
        self._snoozed: list[AlertPopup] = []
        self._overflow = 0
        self._notice: OverflowNotice | None = None
        self._batch = False
        self._watched_screen: QScreen | None = None
        self._watch_screen()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.primaryScreenChanged.connect(self._on_primary_screen_changed)

    # -- public ------------------------------------------------------------------

    def show_alert(self, alert: AlertFired, alert_id: int | None = None) -> AlertPopup:
        """Show a popup for ``alert`` at the bottom of the stack and return it."""
        popup = AlertPopup(
            alert,
            alert_id,
            duration_s=self._duration_s,
            stop_loss_duration_s=self._stop_loss_duration_s,
            snooze_minutes=self._snooze_minutes,
        )
        popup.acknowledged.connect(self.acknowledged)
        popup.show_on_chart.connect(self.show_on_chart)
        popup.show_alert_on_chart.connect(self.show_alert_on_chart)
        popup.closed.connect(self._on_popup_closed)
        popup.snoozed.connect(self._on_popup_snoozed)
        popup.snooze_ended.connect(self._on_snooze_ended)
        self._popups.append(popup)
        self._enforce_limits()
        self._restack()
        popup.show()
        return popup

    def set_duration(self, seconds: float) -> None:
        """Auto-close delay for entry/take-profit popups shown from now on."""
        self._duration_s = max(0.0, seconds)

    def set_stop_loss_duration(self, seconds: float) -> None:
        """Auto-close delay for stop-loss popups shown from now on (0 = until acknowledged)."""
        self._stop_loss_duration_s = max(0.0, seconds)

    def set_snooze_minutes(self, minutes: float) -> None:
        """How long Snooze hides a card (default 5; 0 hides the button).

        Applies to the cards already open too; a card already snoozed keeps
        the time it was given.
        """
        self._snooze_minutes = max(0.0, minutes)
        for popup in self._popups:
            popup.set_snooze_minutes(self._snooze_minutes)
        self._restack()  # the button may have appeared or gone

    @property
    def snooze_minutes(self) -> float:
        return self._snooze_minutes

    @property
    def snoozed_count(self) -> int:
        """Cards hidden by Snooze that will come back."""
        return len(self._snoozed)

    def snoozed_popups(self) -> list[AlertPopup]:
        """Snoozed cards, in the order they were snoozed (a copy)."""
        return list(self._snoozed)

    def set_max_visible(self, n: int) -> None:
        self._max_visible = max(1, n)
        self._enforce_limits()
        self._restack()

    @property
    def duration_s(self) -> float:
        return self._duration_s

    @property
    def stop_loss_duration_s(self) -> float:
        return self._stop_loss_duration_s

    @property
    def max_visible(self) -> int:
        return self._max_visible

    @property
    def overflow(self) -> int:
        """Popups closed by the cap since the stack was last empty or the notice clicked."""
        return self._overflow

    def count(self) -> int:
        """Number of popups currently shown (snoozed ones: ``snoozed_count``)."""
        return len(self._popups)

    def popups(self) -> list[AlertPopup]:
        """Shown popups, oldest first (a copy)."""
        return list(self._popups)

    def close_all(self) -> None:
        """Close every popup, snoozed ones too, without acknowledging anything (e.g. on quit)."""
        self._batch = True
        try:
            for popup in list(self._popups) + list(self._snoozed):
                popup.close()
        finally:
            self._batch = False
        self._popups.clear()
        self._snoozed.clear()
        self._overflow = 0
        self._restack()

    # -- internals ---------------------------------------------------------------

    def _available_geometry(self) -> QRect | None:
        screen = self._screen or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def _fits(self) -> bool:
        area = self._available_geometry()
        if area is None:
            return True
        needed = 2 * self._margin + sum(p.height() for p in self._popups)
        needed += self._spacing * (len(self._popups) - 1)
        if self._overflow or len(self._popups) > self._max_visible:
            needed += self._spacing + self._notice_height()
        return needed <= area.height()

    def _notice_height(self) -> int:
        return self._ensure_notice().sizeHint().height()

    def _enforce_limits(self) -> None:
        """Close popups until the cap and the screen height are respected."""
        self._batch = True
        try:
            while len(self._popups) > 1 and (
                len(self._popups) > self._max_visible or not self._fits()
            ):
                victim = next(
                    (p for p in self._popups if p.alert.kind not in STOP_KINDS),
                    self._popups[0],
                )
                if victim is self._popups[-1] and len(self._popups) > 1:
                    # Never evict the popup that is arriving right now.
                    victim = self._popups[0]
                self._overflow += 1
                self._popups.remove(victim)
                victim.close()
        finally:
            self._batch = False

    def _restack(self) -> None:
        """Place popups bottom-up, newest lowest; the overflow notice on top."""
        if not self._popups:
            self._overflow = 0
        area = self._available_geometry()
        if area is not None:
            right = area.x() + area.width() - self._margin
            y = area.y() + area.height() - self._margin
            for popup in reversed(self._popups):
                y -= popup.height()
                popup.move(right - popup.width(), y)
                y -= self._spacing
        self._update_notice(area, y if area is not None else 0)

    def _update_notice(self, area: QRect | None, bottom: int) -> None:
        if self._overflow <= 0 or not self._popups:
            if self._notice is not None:
                self._notice.hide()
            return
        notice = self._ensure_notice()
        notice.set_count(self._overflow)
        if area is not None:
            notice.move(area.x() + area.width() - self._margin - notice.width(),
                        bottom - notice.height())
        notice.show()
        notice.raise_()

    def _ensure_notice(self) -> OverflowNotice:
        if self._notice is None:
            self._notice = OverflowNotice()
            self._notice.clicked.connect(self._on_notice_clicked)
        return self._notice

    def _on_notice_clicked(self) -> None:
        self._overflow = 0
        self._restack()
        self.more_clicked.emit()

    def _on_popup_closed(self, popup: AlertPopup) -> None:
        if popup in self._popups:
            self._popups.remove(popup)
        if popup in self._snoozed:
            self._snoozed.remove(popup)
        if not self._batch:
            self._restack()
        self.dismissed.emit(popup.alert_id)

    def _on_popup_snoozed(self, popup: AlertPopup) -> None:
        if popup in self._popups:
            self._popups.remove(popup)
        if popup not in self._snoozed:
            self._snoozed.append(popup)
        self._restack()
        self.snoozed.emit(popup.alert_id)

    def _on_snooze_ended(self, popup: AlertPopup) -> None:
        """A snoozed card is back: the newest in the stack, under the usual cap."""
        if popup in self._snoozed:
            self._snoozed.remove(popup)
        if popup not in self._popups:
            self._popups.append(popup)
        popup.set_snooze_minutes(self._snooze_minutes)
        self._enforce_limits()
        self._restack()
        popup.show()
        popup.raise_()
        self.resurfaced.emit(popup.alert, popup.alert_id)

    def _watch_screen(self) -> None:
        """Re-stack when the taskbar moves or the resolution changes."""
        screen = self._screen or QGuiApplication.primaryScreen()
        if screen is self._watched_screen:
            return
        if self._watched_screen is not None:
            try:
                self._watched_screen.availableGeometryChanged.disconnect(self._restack)
            except (RuntimeError, TypeError):
                pass
        self._watched_screen = screen
        if screen is not None:
            screen.availableGeometryChanged.connect(self._restack)

    def _on_primary_screen_changed(self, _screen: QScreen) -> None:
        if self._screen is None:
            self._watch_screen()
            self._restack()
