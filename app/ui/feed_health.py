"""The feed health view: is the data behind the alerts flowing, and is it any good?

Why a panel of its own: a silent feed during trading hours means no alert can fire, and
nothing else on screen says so (a quiet chart looks like a quiet market). This shows each
feed's ``HealthSnapshot`` (state, ticks/s, counts, latency, gaps), why ticks were dropped,
and how fresh every symbol is; ``StaleBanner`` shouts when a feed goes silent in session
and ``health_summary`` gives the status bar one line.

The panel is refreshed once a second from snapshots taken elsewhere (one snapshot per feed
per refresh, see ``FeedHealth.snapshot``); cells are rewritten in place so the trader's
selection and scroll position survive the refresh. Every text is a literal ``tr``/
``translate`` call so lupdate extracts it for the Chinese catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.market.health import HealthSnapshot
from app.market.quality_types import DropReason, QualityNote
from app.monitors.sessions import market_timezone
from app.ui.formatting import MISSING, format_time

__all__ = [
    "FeedHealthPanel",
    "StaleBanner",
    "health_summary",
    "note_label",
    "panel_title",
    "reason_label",
    "stale_text",
    "state_label",
]

translate = QCoreApplication.translate

STALE_RED = QColor("#d32f2f")
CLOSED_GREY = QColor("#757575")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# ----- texts ------------------------------------------------------------------------

def _fill(template: str, *values: object) -> str:
    """Replace %1..%9 in one pass, so a value containing "%2" is never substituted again."""
    return re.sub(r"%([1-9])", lambda m: str(values[int(m.group(1)) - 1]), template)


def panel_title() -> str:
    """The dock/tab title for the panel."""
    return translate("FeedHealth", "Feed health")


def state_label(state: str) -> str:
    """Translated name of a feed state (``FeedHealth`` states; unknown ones shown raw)."""
    labels = {
        "connecting": translate("FeedHealth", "Connecting"),
        "backfilling": translate("FeedHealth", "Backfilling"),
        "live": translate("FeedHealth", "Live"),
        "stale": translate("FeedHealth", "STALE (no data)"),
        "reconnecting": translate("FeedHealth", "Reconnecting"),
        "stopped": translate("FeedHealth", "Stopped"),
        "market_closed": translate("FeedHealth", "Market closed"),
    }
    return labels.get(state, state)


def reason_label(reason: DropReason) -> str:
    """A short human text for why ticks were dropped."""
    labels = {
        DropReason.BAD_TIME: translate("FeedHealth", "Invalid time"),
        DropReason.BAD_PRICE: translate("FeedHealth", "Invalid price"),
        DropReason.FUTURE_TIME: translate("FeedHealth", "Time ahead of clock"),
        DropReason.OUT_OF_ORDER: translate("FeedHealth", "Out of order"),
        DropReason.DUPLICATE: translate("FeedHealth", "Duplicate"),
        DropReason.OUTSIDE_SESSION: translate("FeedHealth", "Outside trading hours"),
        DropReason.CROSSED_BOOK: translate("FeedHealth", "Crossed book (bid above ask)"),
        DropReason.BAD_RANGE: translate("FeedHealth", "Day high below low"),
        DropReason.OUTSIDE_DAY_RANGE: translate("FeedHealth", "Outside the day's high–low"),
        DropReason.UNCONFIRMED_JUMP: translate("FeedHealth", "Unconfirmed jump"),
        DropReason.MALFORMED: translate("FeedHealth", "Malformed message"),
    }
    return labels[DropReason(reason)]


def note_label(note: QualityNote) -> str:
    """A short human text for a counted event that did not drop a tick."""
    labels = {
        QualityNote.HELD: translate("FeedHealth", "Held for confirmation"),
        QualityNote.CONFIRMED_JUMP: translate("FeedHealth", "Jump confirmed"),
        QualityNote.VOLUME_REBASED: translate("FeedHealth", "Volume counter reset"),
        QualityNote.LATE_PRINT: translate("FeedHealth", "Late print (closed bar revised)"),
    }
    return labels[QualityNote(note)]


def _rate(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _ms(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def detail_text(detail: str) -> str:
    """A feed's detail; the live modes of an exchange feed in the trader's language."""
    modes = {
        "trades": translate("FeedHealth", "every trade"),
        "tickers": translate("FeedHealth", "ticker snapshots"),
        "polling": translate("FeedHealth", "REST polling"),
        "watchlist": translate("FeedHealth", "watchlist"),
        "loading xtquant": translate("FeedHealth", "loading xtquant"),
        "loading instruments and history": translate("FeedHealth",
                                                     "loading instruments and history"),
    }
    kind, _, count = detail.partition(":")
    if kind == "whole_market" and count.isdigit():  # QMT's whole-market subscription
        return _fill(translate("FeedHealth", "whole market, %1 codes"), f"{int(count):,}")
    for pattern, template in _DETAIL_PATTERNS:
        match = pattern.fullmatch(detail)
        if match:  # the fixed words translated, the vendor's own message kept
            return _fill(translate("FeedHealth", template), *match.groups()).strip()
    return modes.get(detail, detail)


# A feed's detail texts with a variable part (the QMT feed's; see app/feeds/qmt_feed.py).
_DETAIL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"QMT terminal not reachable: (.*)", re.S),
     QT_TRANSLATE_NOOP("FeedHealth", "QMT terminal not reachable: %1")),
    (re.compile(r"no quotes for (\d+) s in a trading session: resubscribed"),
     QT_TRANSLATE_NOOP("FeedHealth", "no quotes for %1 s in a trading session: resubscribed")),
    (re.compile(r"still no quotes (\d+) s after resubscribing"),
     QT_TRANSLATE_NOOP("FeedHealth", "still no quotes %1 s after resubscribing")),
    (re.compile(r"terminal disconnected ?(.*)"),
     QT_TRANSLATE_NOOP("FeedHealth", "terminal disconnected %1")),
    (re.compile(r"terminal not answering \((.*)\)", re.S),
     QT_TRANSLATE_NOOP("FeedHealth", "terminal not answering (%1)")),
    (re.compile(r"resubscribe failed \((.*)\)", re.S),
     QT_TRANSLATE_NOOP("FeedHealth", "resubscribe failed (%1)")),
    (re.compile(r"xtquant could not be loaded \((.*)\)", re.S),
     QT_TRANSLATE_NOOP("FeedHealth", "xtquant could not be loaded (%1)")),
)


def state_text(snapshot: HealthSnapshot) -> str:
    """The state, and while reconnecting which attempt comes next and when."""
    state = state_label(snapshot.state)
    if snapshot.state in ("connecting", "reconnecting") and snapshot.reconnect_attempt:
        when = MISSING if snapshot.next_retry_at is None else \
            datetime.fromtimestamp(snapshot.next_retry_at).strftime("%H:%M:%S")
        return _fill(translate("FeedHealth", "%1 — attempt %2, next try at %3"),
                     state, snapshot.reconnect_attempt, when)
    return state


def stale_text(snapshot: HealthSnapshot) -> str:
    """The warning for a feed silent in session: the trader must know alerts cannot fire."""
    return _fill(
        translate(
            "FeedHealth",
            "Feed %1 silent for %2 s during trading hours — "
            "alerts are blind until it recovers",
        ),
        snapshot.feed, f"{snapshot.silent_s:.0f}",
    )


def health_summary(snapshot: HealthSnapshot) -> str:
    """One line for the status bar, e.g. ``demo: Live · 212 ticks/s · dropped 3 · p99 48 ms``."""
    if snapshot.is_stale:
        return _fill(
            translate(
                "FeedHealth",
                "%1: STALE — no data for %2 s during trading hours, alerts are blind",
            ),
            snapshot.feed, f"{snapshot.silent_s:.0f}",
        )
    state = state_text(snapshot)
    if snapshot.detail:
        state = _fill(translate("FeedHealth", "%1 (%2)"), state, detail_text(snapshot.detail))
    parts = [
        _fill(translate("FeedHealth", "%1: %2"), snapshot.feed, state),
        _fill(translate("FeedHealth", "%1 ticks/s"), _rate(snapshot.ticks_per_s)),
        _fill(translate("FeedHealth", "dropped %1"), snapshot.dropped),
    ]
    if snapshot.latency_p99_ms is not None:
        parts.append(_fill(translate("FeedHealth", "p99 %1 ms"), _ms(snapshot.latency_p99_ms)))
    return " · ".join(parts)


# ----- widgets ----------------------------------------------------------------------

class StaleBanner(QLabel):
    """A red bar naming every feed that is silent in session; hidden when none is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(
            "QLabel { background: #d32f2f; color: white; font-weight: bold; padding: 6px; }"
        )
        self.hide()

    def update_snapshot(self, snapshot: HealthSnapshot) -> None:
        self.update_snapshots([snapshot])

    def update_snapshots(self, snapshots: Sequence[HealthSnapshot]) -> None:
        lines = [stale_text(s) for s in snapshots if s.is_stale]
        text = "\n".join(lines)
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(lines))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _set(
    table: QTableWidget,
    row: int,
    column: int,
    text: str,
    *,
    right: bool = False,
    colour: QColor | None = None,
    bold: bool = False,
    tooltip: str = "",
) -> None:
    """Rewrite one cell in place (only what changed), creating it on first use."""
    item = table.item(row, column)
    if item is None:
        item = QTableWidgetItem()
        if right:
            item.setTextAlignment(_RIGHT)
        table.setItem(row, column, item)
    if item.text() != text:
        item.setText(text)
    if item.toolTip() != tooltip:
        item.setToolTip(tooltip)
    font = item.font()
    if font.bold() != bold:
        font.setBold(bold)
        item.setFont(font)
    if colour is None:
        item.setData(Qt.ItemDataRole.ForegroundRole, None)
    else:
        item.setForeground(colour)


def _resize_keyed(table: QTableWidget, keys: list[str], shown: list[str]) -> list[str]:
    """Make the rows match ``keys`` (in order). Only rebuilds when the keys changed, then
    restores the current row by key; an unchanged key list leaves selection and scroll."""
    if keys == shown:
        return shown
    current = table.currentRow()
    current_key = shown[current] if 0 <= current < len(shown) else None
    blocked = table.blockSignals(True)  # the caller refreshes what depends on the selection
    try:
        table.clearContents()
        table.setRowCount(len(keys))
        if current_key in keys:
            table.setCurrentCell(keys.index(current_key), 0)
        else:
            table.clearSelection()
            table.selectionModel().clearCurrentIndex()
    finally:
        table.blockSignals(blocked)
    return list(keys)


class FeedHealthPanel(QWidget):
    """Feeds table, drop reasons and per-symbol freshness of the selected feed.

    The details (reasons, symbols) follow the row picked in the feeds table, else the
    first feed. ``update_snapshots`` is cheap and keeps selection and scroll.
    """

    FEED_COLUMNS = (
        "feed", "state", "rate", "accepted", "dropped", "p50", "p99",
        "gaps_open", "gaps_filled", "gaps_missing",
    )
    SYMBOL_COLUMNS = ("symbol", "last_time", "age", "in_session", "stale")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._snapshots: dict[str, HealthSnapshot] = {}
        self._feeds: list[str] = []
        self._symbols: list[str] = []
        self._details_feed: str | None = None
        self.banner = StaleBanner()
        self.feed_table = _table([
            self.tr("Feed"), self.tr("State"), self.tr("Ticks/s"), self.tr("Accepted"),
            self.tr("Dropped"), self.tr("Latency p50 (ms)"), self.tr("Latency p99 (ms)"),
            self.tr("Gaps open"), self.tr("Gaps filled"), self.tr("Gaps missing"),
        ])
        self.reason_table = _table([self.tr("Reason"), self.tr("Count")])
        self._reason_keys: list[DropReason | QualityNote] = [*DropReason, *QualityNote]
        self.reason_table.setRowCount(len(self._reason_keys))
        not_dropped = self.tr("Counted only; these ticks were not dropped")
        for row, key in enumerate(self._reason_keys):
            is_note = isinstance(key, QualityNote)
            label = note_label(key) if is_note else reason_label(key)
            _set(self.reason_table, row, 0, label, colour=CLOSED_GREY if is_note else None,
                 tooltip=not_dropped if is_note else "")
            _set(self.reason_table, row, 1, "0", right=True)
        self.symbol_table = _table([
            self.tr("Symbol"), self.tr("Last tick time"), self.tr("Age (s)"),
            self.tr("In session"), self.tr("Stale"),
        ])
        self.feed_table.currentCellChanged.connect(lambda *_: self._show_details())

        self.details_label = QLabel()
        reasons = QWidget()
        reasons_layout = QVBoxLayout(reasons)
        reasons_layout.setContentsMargins(0, 0, 0, 0)
        reasons_layout.addWidget(QLabel(self.tr("Drop reasons")))
        reasons_layout.addWidget(self.reason_table)
        symbols = QWidget()
        symbols_layout = QVBoxLayout(symbols)
        symbols_layout.setContentsMargins(0, 0, 0, 0)
        symbols_layout.addWidget(QLabel(self.tr("Symbols")))
        symbols_layout.addWidget(self.symbol_table)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(reasons)
        splitter.addWidget(symbols)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.reason_table.setMinimumWidth(300)  # every reason readable without scrolling
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(QLabel(self.tr("Feeds")))
        layout.addWidget(self.feed_table, 1)
        layout.addWidget(self.details_label)
        layout.addWidget(splitter, 2)

    # ----- public ---------------------------------------------------------------
    def update_snapshots(self, snapshots: Sequence[HealthSnapshot]) -> None:
        """Show these feeds (in this order), rewriting cells in place."""
        self._snapshots = {s.feed: s for s in snapshots}
        self._feeds = _resize_keyed(self.feed_table, list(self._snapshots), self._feeds)
        for row, feed in enumerate(self._feeds):
            self._write_feed_row(row, self._snapshots[feed])
        self.banner.update_snapshots(snapshots)
        self._show_details()

    def selected_feed(self) -> str | None:
        """The feed whose details are shown: the picked row, else the first feed."""
        row = self.feed_table.currentRow()
        if 0 <= row < len(self._feeds):
            return self._feeds[row]
        return self._feeds[0] if self._feeds else None

    # ----- rows -----------------------------------------------------------------
    def _write_feed_row(self, row: int, snap: HealthSnapshot) -> None:
        table = self.feed_table
        stale = snap.is_stale
        grey = snap.state in ("market_closed", "stopped")
        colour = STALE_RED if stale else CLOSED_GREY if grey else None
        tooltip = stale_text(snap) if stale else snap.detail
        _set(table, row, 0, snap.feed, colour=colour, bold=stale)
        _set(table, row, 1, state_text(snap), colour=colour, bold=stale, tooltip=tooltip)
        values = (
            _rate(snap.ticks_per_s), str(snap.accepted), str(snap.dropped),
            _ms(snap.latency_p50_ms), _ms(snap.latency_p99_ms),
            str(snap.gaps_open), str(snap.gaps_filled), str(snap.gaps_missing),
        )
        for column, text in enumerate(values, start=2):
            _set(table, row, column, text, right=True)

    def _show_details(self) -> None:
        feed = self.selected_feed()
        snap = self._snapshots.get(feed) if feed is not None else None
        if feed != self._details_feed:
            self._details_feed = feed
            self.details_label.setText(
                "" if feed is None else self.tr("Details of %1").replace("%1", feed)
            )
        counts: dict[DropReason | QualityNote, int] = {}
        if snap is not None:
            counts.update(snap.dropped_by_reason)
            counts.update(snap.notes)
        for row, key in enumerate(self._reason_keys):
            _set(self.reason_table, row, 1, str(counts.get(key, 0)), right=True)
        rows = snap.symbols if snap is not None else ()
        self._symbols = _resize_keyed(
            self.symbol_table, [r.symbol for r in rows], self._symbols
        )
        yes, no, stale_mark = self.tr("Yes"), self.tr("No"), self.tr("STALE")
        table = self.symbol_table
        for row, info in enumerate(rows):
            colour = STALE_RED if info.stale else None if info.in_session else CLOSED_GREY
            last = (
                MISSING if info.last_exchange_time is None
                else format_time(
                    datetime.fromtimestamp(info.last_exchange_time, market_timezone(info.symbol))
                )
            )
            _set(table, row, 0, info.symbol, colour=colour, bold=info.stale)
            _set(table, row, 1, last, colour=colour)
            _set(table, row, 2, _seconds(info.age_s), right=True, colour=colour)
            _set(table, row, 3, yes if info.in_session else no, colour=colour)
            _set(table, row, 4, stale_mark if info.stale else "", colour=colour, bold=info.stale)
