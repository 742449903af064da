"""The main window: watchlist, live chart, monitor panel, alert history, status bar.

It is the GUI end of the tick path. Ticks arrive as batched Qt signals and only
update in-memory bars and quotes; the screen is repainted by a ≤30 Hz timer, so
a burst of ticks never queues a burst of paints. Alerts arrive from the monitor
worker already committed to SQLite and are shown at once (popup, tray, sound).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.models import AlertFired, Bar, TaskStatus, Tick
from app.feeds.base import Instrument
from app.feeds.demo import DemoFeed
from app.market.bars import BarSeries
from app.market.gaps import Gap
from app.market.health import FeedHealth
from app.market.quotes import Quote
from app.market.rate import TickRateMeter
from app.market.resample import resample_series
from app.monitors.rules import Rule
from app.monitors.sessions import market_timezone
from app.services.monitor_worker import MonitorWorker
from app.services.monitoring import StoredAlert
from app.storage.repository import AlertRecord
from app.ui.alert_history import AlertHistoryPanel
from app.ui.chart import AlertMark, CandleChart, LevelSet
from app.ui.chart_rules import ChartRuleEditor
from app.ui.feed_health import FeedHealthPanel, StaleBanner, health_summary, panel_title, stale_text
from app.ui.formatting import alert_receipt
from app.ui.i18n import AUTO
from app.ui.monitor_panel import MonitorPanel
from app.ui.popup import PopupManager
from app.ui.preferences import RESTART_KEYS, PreferencesDialog
from app.ui.rule_text import paused_notice, timeframe_label
from app.ui.settings import CHART_TIMEFRAMES, DEMO_SPEEDS, AppSettings, demo_speed_index
from app.ui.sound import AlertSound, SoundRepeater
from app.ui.symbol_search import SymbolSearchBox
from app.ui.tray import MUTE_MINUTES, AlertTray
from app.ui.watchlist import Watchlist

log = logging.getLogger(__name__)

REPAINT_HZ = 30
SPEEDS = DEMO_SPEEDS


class MainWindow(QMainWindow):
    """Composes the panels and routes feed, worker and user signals between them."""

    closed = Signal()
    symbol_add_requested = Signal(str)  # the trader added a symbol (exchange feeds)
    feed_settings_requested = Signal()

    def __init__(
        self,
        *,
        settings: AppSettings,
        worker: MonitorWorker,
        db_path: Path,
        tray: AlertTray | None = None,
        sound: AlertSound | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.worker = worker
        self.feed: DemoFeed | None = None
        self.db_path = db_path
        self.setWindowTitle(self.tr("Price Monitor"))
        self.resize(1400, 900)

        self.series: dict[str, BarSeries] = {}
        self.quotes: dict[str, Quote] = {}
        self.instruments: dict[str, Instrument] = {}
        self.rules: list[Rule] = []
        self.rate = TickRateMeter(window_s=2.0)
        self._dirty_quotes: set[str] = set()
        self.current_symbol: str | None = None
        saved_timeframe = settings.chart_timeframe
        self.timeframe = saved_timeframe if saved_timeframe in CHART_TIMEFRAMES else "1m"
        # Coarser bars of the charted symbols for the chosen timeframe (1m is ``series``).
        self._frames: dict[str, BarSeries] = {}
        self._alert_marks: dict[str, list[AlertMark]] = {}
        self._database_open = False
        self._quitting = False

        self.chart = CandleChart()
        self.chart.set_up_color_convention(settings.up_color_convention)
        self.chart.set_placeholder(self.tr("Waiting for data…"))
        self.stale_banner = StaleBanner()  # red, above the chart, while a feed is stale
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.chart, 1)
        self.setCentralWidget(central)
        self.health_sources: list[FeedHealth] = []
        self._build_watchlist_dock()
        self._build_bottom_dock()
        self._build_toolbar()
        self._build_chart_toolbar()
        self._build_menus()
        self._build_status_bar()

        self.popups = PopupManager(self, snooze_minutes=settings.snooze_minutes)
        self.popups.set_duration(settings.popup_seconds)
        self.popups.set_stop_loss_duration(settings.stop_loss_popup_seconds)
        self.popups.show_alert_on_chart.connect(
            lambda alert: self.show_alert_on_chart(alert.stock_code, alert.time.timestamp()))
        self.popups.acknowledged.connect(self._acknowledge)
        self.popups.more_clicked.connect(self.show_history)
        self.tray = tray if tray is not None else AlertTray(self)
        self.tray.show_window_requested.connect(self.bring_to_front)
        self.tray.quit_requested.connect(self.quit_app)
        self.sound = sound if sound is not None else AlertSound()
        self.sound.enabled = settings.sound_enabled
        self.tray.balloons = settings.tray_balloons
        # A snoozed card that comes back rings again; an unacknowledged stop may keep ringing.
        self.popups.resurfaced.connect(lambda alert, _id: self.sound.play(alert.kind))
        self.repeater = SoundRepeater(self.sound, self, enabled=settings.stop_loss_repeat,
                                      interval_s=settings.stop_loss_repeat_s)
        self.repeater.follow_popups(self.popups)
        self.muted_until: float | None = None  # epoch s; sounds off until then (tray menu)
        self._unmute_timer = QTimer(self)
        self._unmute_timer.setSingleShot(True)
        self._unmute_timer.timeout.connect(lambda: self.set_muted(False))
        self.tray.mute_toggled.connect(self.set_muted)

        self._connect_worker()
        self.chart_rules = ChartRuleEditor(
            self.chart,
            save=lambda token, data, rule_id: self.worker.save_requested.emit(token, data, rule_id),
            rules=lambda: self.rules,
            selected_rule=self.monitor_panel.selected_rule,
            last_price=lambda code: self.quotes[code].last if code in self.quotes else None,
            stock_name=lambda code: self.instruments[code].name if code in self.instruments else "",
            parent=self,
        )
        self.chart_rules.message.connect(self._on_chart_message)
        self.worker.rule_saved.connect(self.chart_rules.on_rule_saved)
        self.worker.rule_refused.connect(self.chart_rules.on_rule_refused)
        self.chart.price_menu_requested.connect(self._on_price_menu)

        self._repaint = QTimer(self)
        self._repaint.setInterval(1000 // REPAINT_HZ)
        self._repaint.timeout.connect(self._on_repaint)
        self._repaint.start()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._update_status)
        self._status_timer.start()
        self.resizeDocks([self.watchlist_dock], [320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [380], Qt.Orientation.Vertical)  # room for the rule form
        geometry, state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # ----- construction ----------------------------------------------------
    def _build_watchlist_dock(self) -> None:
        self.watchlist = Watchlist()
        self.watchlist.set_up_color_convention(self.settings.up_color_convention)
        self.watchlist.symbol_selected.connect(self.show_symbol)
        # The add-symbol box appears once an exchange feed is attached (the demo's
        # symbols are fixed).
        self.symbol_search = SymbolSearchBox()
        self.symbol_search.symbol_chosen.connect(self.symbol_add_requested)
        self.symbol_search.setVisible(False)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.symbol_search)
        column.addWidget(self.watchlist, 1)
        dock = QDockWidget(self.tr("Watchlist"), self)
        dock.setObjectName("watchlistDock")
        dock.setWidget(holder)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.watchlist_dock = dock

    def _build_bottom_dock(self) -> None:
        self.monitor_panel = MonitorPanel()
        self.history_panel = AlertHistoryPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.monitor_panel, self.tr("Monitor"))
        self.tabs.addTab(self.history_panel, self.tr("Alert history"))
        self.health_panel = FeedHealthPanel()
        self.tabs.addTab(self.health_panel, panel_title())
        dock = QDockWidget(self.tr("Rules and alerts"), self)
        dock.setObjectName("rulesDock")
        dock.setWidget(self.tabs)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.bottom_dock = dock
        self.monitor_panel.rule_selected.connect(self._on_rule_selected)
        self.history_panel.alert_activated.connect(self.show_record_on_chart)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Feed"))
        bar.setObjectName("feedToolbar")
        self.addToolBar(bar)
        self.demo_label = QLabel(self.tr("DEMO DATA — replaying recorded market data"))
        self.demo_label.setStyleSheet(
            "QLabel { background: #ffb300; color: #000; font-weight: bold; padding: 2px 8px; }"
        )
        bar.addWidget(self.demo_label)
        separator = bar.addSeparator()
        label = bar.addWidget(QLabel(self.tr("Replay speed")))
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(demo_speed_index(self.settings.demo_speed))
        self.speed_box.currentIndexChanged.connect(self._on_speed_changed)
        self.speed_actions = [separator, label, bar.addWidget(self.speed_box)]

    def _build_chart_toolbar(self) -> None:
        bar = QToolBar(self.tr("Chart"))
        bar.setObjectName("chartToolbar")
        self.addToolBar(bar)
        bar.addWidget(QLabel(self.tr("Timeframe")))
        self.timeframe_box = QComboBox()
        for timeframe in CHART_TIMEFRAMES:
            self.timeframe_box.addItem(timeframe_label(timeframe), timeframe)
        self.timeframe_box.setCurrentIndex(CHART_TIMEFRAMES.index(self.timeframe))
        self.timeframe_box.currentIndexChanged.connect(
            lambda i: self.set_timeframe(CHART_TIMEFRAMES[i]))
        bar.addWidget(self.timeframe_box)
        latest = QAction(self.tr("Latest bar"), self)
        latest.setToolTip(self.tr("Scroll to the newest bar and follow it again"))
        latest.triggered.connect(lambda: self.chart.scroll_to_latest())
        bar.addAction(latest)
        self.latest_action = latest

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut("Ctrl+Q")
        quit_action.triggered.connect(self.quit_app)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        view_menu.addAction(self.watchlist_dock.toggleViewAction())
        view_menu.addAction(self.bottom_dock.toggleViewAction())
        settings_menu = self.menuBar().addMenu(self.tr("&Settings"))
        preferences = QAction(self.tr("&Settings…"), self)
        preferences.setShortcut("Ctrl+,")
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        preferences.triggered.connect(self.open_preferences)
        settings_menu.addAction(preferences)
        self.preferences_action = preferences
        settings_menu.addSeparator()
        language_menu = settings_menu.addMenu(self.tr("Language"))
        group = QActionGroup(self)
        for code, label in ((AUTO, self.tr("Follow system")), ("zh_CN", "简体中文"), ("en", "English")):
            action = QAction(label, self, checkable=True)
            action.setChecked(self.settings.language == code)
            action.triggered.connect(lambda _checked=False, c=code: self._choose_language(c))
            group.addAction(action)
            language_menu.addAction(action)
        self.sound_action = QAction(self.tr("Alert sound"), self, checkable=True)
        self.sound_action.setChecked(self.settings.sound_enabled)
        self.sound_action.toggled.connect(self._toggle_sound)
        settings_menu.addAction(self.sound_action)
        feed_action = QAction(self.tr("Price &feed…"), self)
        feed_action.triggered.connect(self.feed_settings_requested)
        settings_menu.addAction(feed_action)
        self.feed_action = feed_action

    def _build_status_bar(self) -> None:
        self.feed_status = QLabel()
        self.rate_status = QLabel()
        self.db_status = QLabel(self.tr("Database: %1").replace("%1", self.db_path.name))
        self.db_status.setToolTip(str(self.db_path))
        status = self.statusBar()
        status.addPermanentWidget(self.feed_status)
        status.addPermanentWidget(self.rate_status)
        status.addPermanentWidget(self.db_status)

    def _connect_worker(self) -> None:
        worker = self.worker
        panel = self.monitor_panel
        panel.save_requested.connect(worker.save_requested)
        panel.delete_requested.connect(worker.delete_requested)
        panel.start_requested.connect(worker.start_requested)
        panel.stop_requested.connect(worker.stop_requested)
        self.history_panel.page_requested.connect(worker.page_requested)
        worker.opened.connect(self._on_database_opened)
        worker.rules_changed.connect(self.set_rules)
        worker.rule_saved.connect(panel.on_rule_saved)
        worker.rule_refused.connect(panel.on_rule_refused)
        worker.alerts_fired.connect(self.on_alerts)
        worker.alert_page_ready.connect(self.history_panel.show_page)
        worker.failed.connect(self.show_error)
        worker.acknowledged.connect(lambda _ids: self.history_panel.refresh())
        worker.symbol_alerts_ready.connect(self._on_symbol_alerts)
        # The runaway guard's notice (a rule that fired too often was paused). Guarded so
        # the window also runs against a worker that does not have the signal.
        if hasattr(worker, "rules_paused"):
            worker.rules_paused.connect(self.on_rules_paused)

    def attach_feed(self, feed: DemoFeed) -> None:
        """Fill watchlist and chart from a loaded feed's instruments and history."""
        self.feed = feed
        feed.set_speed(float(self.speed_box.currentData()))
        for instrument in feed.instruments():
            self.add_instrument(instrument, feed.history(instrument.symbol))

    def attach_exchange(self, exchange_id: str, symbols: Sequence[str]) -> None:
        """An exchange feed: its name instead of the demo banner, the add-symbol box, and
        the configured symbols listed (quotes appear when their history arrives)."""
        self.demo_label.setText(self.tr("LIVE — %1").replace("%1", exchange_id))
        self.demo_label.setStyleSheet(
            "QLabel { background: #1565c0; color: #fff; font-weight: bold; padding: 2px 8px; }")
        for action in self.speed_actions:
            action.setVisible(False)
        self.symbol_search.set_exchange(exchange_id)
        self.symbol_search.setVisible(True)
        self.watchlist.removable = True
        for symbol in symbols:
            self.watchlist.add_symbol(symbol, self.tr("loading…"))

    def explain_demo(self, reason: str) -> None:
        """On the demo feed: why the QMT terminal is not used (banner tooltip, status bar)."""
        text = self.tr("QMT not used: %1").replace("%1", reason)
        self.demo_label.setToolTip(text)
        self.statusBar().showMessage(text, 30_000)

    def ask_use_qmt(self) -> bool:
        """A QMT terminal answered at start-up: does the trader want it as the feed?"""
        answer = QMessageBox.question(
            self, self.tr("QMT terminal found"),
            self.tr("A QMT / MiniQMT terminal is running on this PC. Use it as the price "
                    "feed instead of the demo data? (Settings → Price feed… changes it later.)"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def on_official_bars(self, bars: Sequence[Bar]) -> None:
        """The terminal's own closed bars fill minutes the chart has no bar for."""
        added_current = False
        by_symbol: dict[str, list[Bar]] = {}
        for bar in bars:
            by_symbol.setdefault(bar.symbol, []).append(bar)
        for symbol, symbol_bars in by_symbol.items():
            series = self.series.get(symbol)
            if series is not None and series.merge(symbol_bars):
                self._refold(symbol)
                added_current = added_current or symbol == self.current_symbol
        if added_current:
            self.chart.refresh()

    def add_instrument(self, instrument: Instrument, history: Sequence[Bar]) -> None:
        """A symbol's history is in: chart series, quote, watchlist row, rule form."""
        symbol = instrument.symbol
        tz = market_timezone(symbol)
        self.instruments[symbol] = instrument
        series = self.series.get(symbol)
        if series is None:
            series = BarSeries(symbol, tz)
            series.load(list(history))
            self.series[symbol] = series
        elif series.merge(list(history)):
            self._refold(symbol)
        quote = self.quotes.get(symbol)
        if quote is not None and not history:  # new facts only (a QMT feed's new day)
            quote.set_prev_close(instrument.prev_close)
        else:
            quote = Quote(symbol, tz, instrument.prev_close)
            quote.seed(list(history))
            self.quotes[symbol] = quote
        self.watchlist.add_symbol(symbol, instrument.name, instrument.price_decimals)
        self.watchlist.set_name(symbol, instrument.name)
        self.watchlist.update_quote(quote)
        self.monitor_panel.set_instruments({s: i.name for s, i in self.instruments.items()})
        if self.current_symbol is None:
            self.watchlist.select_symbol(symbol)
            self.show_symbol(symbol)
        elif symbol == self.current_symbol:
            self.chart.refresh()

    def remove_instrument(self, symbol: str) -> None:
        """The trader removed a symbol: its row, chart and quote go (rules stay)."""
        self.watchlist.remove_symbol(symbol)
        self.series.pop(symbol, None)
        self._frames.pop(symbol, None)
        self.quotes.pop(symbol, None)
        self.instruments.pop(symbol, None)
        self._dirty_quotes.discard(symbol)
        self.monitor_panel.set_instruments({s: i.name for s, i in self.instruments.items()})
        if symbol == self.current_symbol:
            self.current_symbol = None
            remaining = self.watchlist.symbols()
            if remaining:
                self.watchlist.select_symbol(remaining[0])
                self.show_symbol(remaining[0])

    def on_markets_loaded(self, symbols: Sequence[str]) -> None:
        self.symbol_search.set_symbols(list(symbols))

    def on_symbol_failed(self, symbol: str, message: str) -> None:
        """A symbol the exchange refused: said on its row and in the status bar."""
        self.watchlist.add_symbol(symbol, "")
        self.watchlist.set_name(symbol, self.tr("stopped"), tooltip=message)
        self.show_error(self.tr("%1 stopped: %2").replace("%1", symbol).replace("%2", message))

    # ----- feed ------------------------------------------------------------
    def on_ticks(self, ticks: Sequence[Tick]) -> None:
        """Cheap per-tick bookkeeping only; painting happens on the timer."""
        for tick in ticks:
            series = self.series.get(tick.symbol)
            if series is None:
                continue
            series.add_tick(tick)
            frame = self._frames.get(tick.symbol)
            if frame is not None:
                frame.add_tick(tick)
            self.quotes[tick.symbol].update(tick.time, tick.price)
            self._dirty_quotes.add(tick.symbol)
        self.rate.add(len(ticks))

    def _on_repaint(self) -> None:
        for symbol in self._dirty_quotes:
            self.watchlist.update_quote(self.quotes[symbol])
        self._dirty_quotes.clear()
        self.chart.refresh()

    def add_feed_health(self, health: FeedHealth) -> None:
        """Show a feed's health (panel, status bar, stale warnings)."""
        self.health_sources.append(health)

    def _update_status(self) -> None:
        snapshots = [health.snapshot() for health in self.health_sources]
        if snapshots:
            self.feed_status.setText("  |  ".join(health_summary(s) for s in snapshots))
            stale = any(s.is_stale for s in snapshots)
            self.feed_status.setStyleSheet("QLabel { color: #c62828; font-weight: bold; }" if stale else "")
        else:
            self.feed_status.setText(
                self.tr("Feed: demo (%1 symbols)").replace("%1", str(len(self.series)))
            )
        self.health_panel.update_snapshots(snapshots)
        self.stale_banner.update_snapshots(snapshots)
        for snap in snapshots:
            if snap.became_stale:
                log.warning("%s", stale_text(snap))
                self._tray_message(self.tr("Feed silent — alerts are blind"), stale_text(snap))
            elif snap.recovered:
                self._tray_message(
                    self.tr("Feed back"),
                    self.tr("%1 is delivering prices again; alerts are watching.").replace(
                        "%1", snap.feed
                    ),
                )
        # the health summary already says ticks/s per feed
        self.rate_status.setVisible(not snapshots)
        self.rate_status.setText(self.tr("%1 ticks/s").replace("%1", f"{self.rate.rate():.0f}"))
        form = self.monitor_panel.form
        quote = self.quotes.get(form.stock_code.currentText().strip().upper())
        form.show_last_price(self.watchlist.price_text(quote) if quote and quote.last else None)

    def _on_speed_changed(self, index: int) -> None:
        speed = float(self.speed_box.itemData(index))
        if self.feed is not None:
            self.feed.set_speed(speed)
        self.settings.demo_speed = speed

    def on_gaps_found(self, gaps: Sequence[Gap]) -> None:
        minutes = sum(gap.missing for gap in gaps)
        symbols = ", ".join(sorted({gap.symbol for gap in gaps}))
        log.warning("data gap: %d minute(s) missing for %s; backfilling", minutes, symbols)
        self.statusBar().showMessage(
            self.tr("Data gap: %1 minute(s) missing for %2 — backfilling")
            .replace("%1", str(minutes)).replace("%2", symbols),
            15_000,
        )

    def on_backfilled(self, gap: Gap, bars: Sequence[Bar], error: str) -> None:
        """Backfilled bars go into the chart's series where it has none."""
        series = self.series.get(gap.symbol)
        added = series.merge(bars) if series is not None else 0
        if added:
            self._refold(gap.symbol)
        if error:
            text = self.tr("Backfill of %1 failed: %2").replace("%1", gap.symbol).replace("%2", error)
        elif added < gap.missing:
            text = self.tr("%1: %2 of %3 missing minute(s) filled; the rest stays marked missing") \
                .replace("%1", gap.symbol).replace("%2", str(added)).replace("%3", str(gap.missing))
        else:
            text = self.tr("%1: gap of %2 minute(s) filled from backfill") \
                .replace("%1", gap.symbol).replace("%2", str(added))
        log.info("%s", text)
        self.statusBar().showMessage(text, 15_000)
        if added and gap.symbol == self.current_symbol:
            self.chart.refresh()

    # ----- symbols and rules -------------------------------------------
    def show_symbol(self, symbol: str) -> None:
        """Show a symbol's chart with its rules' levels (also from popups and the form)."""
        if symbol not in self.series:
            return
        if symbol != self.current_symbol:
            self.current_symbol = symbol
            instrument = self.instruments.get(symbol)
            self.chart.set_price_decimals(instrument.price_decimals if instrument else None)
            self.chart.set_series(self.chart_series(symbol))
            self.chart.set_alert_marks(self._alert_marks.get(symbol, []))
            self._request_alert_marks(symbol)
            self.watchlist.select_symbol(symbol)
            self.monitor_panel.suggest_symbol(symbol)
        self._update_levels()

    # ----- timeframes ------------------------------------------------------
    def chart_series(self, symbol: str) -> BarSeries:
        """The bars the chart shows for ``symbol`` at the chosen timeframe."""
        base = self.series[symbol]
        if self.timeframe == "1m":
            return base
        frame = self._frames.get(symbol)
        if frame is None:
            frame = resample_series(base, self.timeframe)
            self._frames[symbol] = frame
        return frame

    def _refold(self, symbol: str) -> None:
        """Minute bars were inserted (backfill, the terminal's own bars): fold them again."""
        frame = self._frames.get(symbol)
        if frame is None:
            return
        fresh = resample_series(self.series[symbol], self.timeframe)
        frame.load_arrays(fresh.times, fresh.open, fresh.high, fresh.low, fresh.close,
                          fresh.volume)

    def set_timeframe(self, timeframe: str) -> None:
        """Show the chart in ``timeframe`` bars (folded from the minutes; remembered)."""
        if timeframe not in CHART_TIMEFRAMES or timeframe == self.timeframe:
            return
        self.timeframe = timeframe
        self.settings.chart_timeframe = timeframe
        self._frames.clear()
        box = self.timeframe_box
        if box.currentIndex() != CHART_TIMEFRAMES.index(timeframe):
            box.blockSignals(True)
            box.setCurrentIndex(CHART_TIMEFRAMES.index(timeframe))
            box.blockSignals(False)
        if self.current_symbol is not None and self.current_symbol in self.series:
            self.chart.set_series(self.chart_series(self.current_symbol))
            self.chart.set_alert_marks(self._alert_marks.get(self.current_symbol, []))

    # ----- alerts on the chart ---------------------------------------------
    def _request_alert_marks(self, symbol: str) -> None:
        if self._database_open:
            self.worker.symbol_alerts_requested.emit(symbol)

    def _on_symbol_alerts(self, symbol: str, records: Sequence[AlertRecord]) -> None:
        marks = [self._mark(r.event_time, r, r.id) for r in records]
        known = {m.alert_id for m in marks}
        # Alerts that fired after the query was answered are kept.
        marks += [m for m in self._alert_marks.get(symbol, []) if m.alert_id not in known]
        self._alert_marks[symbol] = marks
        if symbol == self.current_symbol:
            self.chart.set_alert_marks(marks)

    @staticmethod
    def _mark(when: datetime, alert: AlertFired | AlertRecord, alert_id: int | None) -> AlertMark:
        """A chart marker whose hover text is the alert's receipt."""
        return AlertMark(when.timestamp(), alert.price, alert.kind, alert_receipt(alert), alert_id)

    def show_alert_on_chart(self, stock_code: str, epoch: float) -> None:
        """Bring the window up on ``stock_code``'s chart, centred on the alert's bar."""
        self.bring_to_front()
        if stock_code not in self.series:
            self.statusBar().showMessage(
                self.tr("%1 is not in the watchlist: no chart to show").replace("%1", stock_code),
                10_000)
            return
        self.show_symbol(stock_code)
        self.chart.jump_to_time(epoch)

    def show_record_on_chart(self, record: AlertRecord) -> None:
        """An alert chosen in the history: its bar on the chart."""
        self.show_alert_on_chart(record.stock_code, record.event_time.timestamp())

    def _on_price_menu(self, price: float, where: QPoint) -> None:
        menu = self.chart_rules.menu_for(price, self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(where)

    def _on_chart_message(self, text: str, refused: bool) -> None:
        if refused:
            log.info("chart edit refused: %s", text)
        self.statusBar().showMessage(text, 15_000)

    def set_rules(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self.monitor_panel.set_rules(self.rules)
        self._update_levels()

    def _on_rule_selected(self, rule: Rule | None) -> None:
        if rule is not None and rule.stock_code in self.series:
            self.show_symbol(rule.stock_code)  # also redraws the levels
        else:
            self._update_levels()

    def _update_levels(self) -> None:
        selected = self.monitor_panel.selected_rule()
        levels = [
            LevelSet.from_rule(rule, highlighted=selected is not None and rule.id == selected.id)
            for rule in self.rules
            if rule.stock_code == self.current_symbol
            and (rule.status is TaskStatus.RUNNING or (selected is not None and rule.id == selected.id))
        ]
        self.chart.set_levels(levels)

    # ----- alerts ------------------------------------------------------
    def on_alerts(self, stored: Sequence[StoredAlert]) -> None:
        """Alerts are already committed; now make sure the trader sees them."""
        notify_ids = {r.id for r in self.rules if r.notification_enabled}
        for item in stored:
            alert = item.alert
            marks = self._alert_marks.setdefault(alert.stock_code, [])
            marks.append(self._mark(alert.time, alert, item.id))
            if alert.stock_code == self.current_symbol:
                self.chart.set_alert_marks(marks)
            if alert.task_id is not None and alert.task_id not in notify_ids:
                continue
            self.popups.show_alert(alert, item.id)
            self.tray.notify(alert)
            self.sound.play(alert.kind)
            self.repeater.track(alert, item.id)
        if stored:
            QApplication.alert(self)
            self.statusBar().showMessage(
                self.tr("%1 new alert(s)").replace("%1", str(len(stored))), 10_000
            )
        self.history_panel.refresh()

    def on_rules_paused(self, paused: Sequence[Rule]) -> None:
        """Rules the runaway guard just paused: tell the trader in the status bar, the tray
        and the panel, and show the new status at once (the worker's rule list follows)."""
        paused = list(paused)
        if not paused:
            return
        text = paused_notice(paused)
        log.warning("%s", text)
        self.statusBar().showMessage(text, 60_000)
        by_id = {rule.id: rule for rule in paused if rule.id is not None}
        if by_id and any(rule.id in by_id for rule in self.rules):
            self.set_rules([by_id.get(rule.id, rule) for rule in self.rules])
        self.monitor_panel.on_rules_paused(paused)
        self._tray_message(
            self.tr("Rule paused"),
            text + "\n" + self.tr("Check its levels, then press Start to resume."),
        )

    def _tray_message(
        self, title: str, body: str,
        icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Warning,
    ) -> bool:
        """A balloon that is not an alert (no unread count); False without a tray."""
        try:
            if not self.tray.refresh() or self.tray.tray_icon is None:
                return False
            self.tray.tray_icon.showMessage(title, body, icon, 10_000)
            return True
        except Exception:  # noqa: BLE001 - a tray failure must not break the window
            log.exception("Tray message failed")
            return False

    def _on_database_opened(self, rules: list[Rule], recovered_from: Path | None) -> None:
        self._database_open = True
        self.set_rules(rules)
        if self.current_symbol is not None:
            self._request_alert_marks(self.current_symbol)
        self.history_panel.request(0)
        if recovered_from is not None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Database repaired"),
                self.tr(
                    "The database could not be read and was set aside as\n%1\n"
                    "A new, empty database is in use. Nothing was deleted."
                ).replace("%1", str(recovered_from)),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setWindowModality(Qt.WindowModality.NonModal)  # alerts keep flowing meanwhile
            box.show()
            self.recovery_box = box

    def show_error(self, message: str) -> None:
        log.error("%s", message)
        self.statusBar().showMessage(self.tr("Error: %1").replace("%1", message), 30_000)

    # ----- window --------------------------------------------------------
    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.tray.clear_unread()

    def show_history(self) -> None:
        self.bring_to_front()
        self.bottom_dock.show()
        self.tabs.setCurrentWidget(self.history_panel)

    def _acknowledge(self, alert_id: int | None) -> None:
        if alert_id is not None:
            self.worker.acknowledge_requested.emit([alert_id])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """The trader looked at the window: the tray's unread count is cleared."""
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.tray.clear_unread()
        super().changeEvent(event)

    def shutdown(self) -> None:
        """Stop painting and take popups and the tray icon down (no ghost icon on Windows)."""
        self._repaint.stop()
        self._status_timer.stop()
        self.repeater.stop_all()
        self.popups.close_all()
        self.tray.shutdown()

    def _toggle_sound(self, enabled: bool) -> None:
        self.settings.sound_enabled = enabled
        self.sound.enabled = enabled and self.muted_until is None

    def set_muted(self, muted: bool) -> None:
        """Alert sounds off for ``MUTE_MINUTES`` (tray menu), then back by themselves.
        Only sound: popups, the tray and the history still show every alert."""
        if muted:
            self.repeater.stop_all()
            self.muted_until = time.time() + MUTE_MINUTES * 60
            self._unmute_timer.start(MUTE_MINUTES * 60_000)
            until = datetime.fromtimestamp(self.muted_until).strftime("%H:%M")
            self.statusBar().showMessage(
                self.tr("Alert sounds muted until %1").replace("%1", until), 15_000)
        else:
            self.muted_until = None
            self._unmute_timer.stop()
            if self.settings.sound_enabled:
                self.statusBar().showMessage(self.tr("Alert sounds are on again"), 15_000)
        self.sound.enabled = self.settings.sound_enabled and self.muted_until is None
        self.tray.set_muted(muted)

    def open_preferences(self) -> PreferencesDialog:
        """The Settings dialog (non-modal: alerts keep popping up while it is open)."""
        dialog = PreferencesDialog(self.settings, tray_available=self.tray.available, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def open_feed() -> None:
            self.feed_settings_requested.emit()
            dialog.refresh_feed_summary()

        dialog.feed_settings_requested.connect(open_feed)
        dialog.settings_applied.connect(self.apply_preferences)
        dialog.show()
        self.preferences_dialog = dialog
        return dialog

    def apply_preferences(self, keys: set[str]) -> None:
        """Use changed settings at once; only the language waits for a restart."""
        s = self.settings
        if "sound_enabled" in keys:
            self.sound_action.setChecked(s.sound_enabled)  # its slot updates the sound
        if "popup_seconds" in keys:
            self.popups.set_duration(s.popup_seconds)
        if "stop_loss_popup_seconds" in keys:
            self.popups.set_stop_loss_duration(s.stop_loss_popup_seconds)
        if "snooze_minutes" in keys:
            self.popups.set_snooze_minutes(s.snooze_minutes)
        if "stop_loss_repeat" in keys:
            self.repeater.set_enabled(s.stop_loss_repeat)
        if "stop_loss_repeat_s" in keys:
            self.repeater.set_interval(s.stop_loss_repeat_s)
        if "tray_balloons" in keys:
            self.tray.balloons = s.tray_balloons
        if "demo_speed" in keys:
            self.speed_box.setCurrentIndex(demo_speed_index(s.demo_speed))
        if "chart_timeframe" in keys:
            self.set_timeframe(s.chart_timeframe)
        if "up_color_convention" in keys:
            self.chart.set_up_color_convention(s.up_color_convention)
            self.watchlist.set_up_color_convention(s.up_color_convention)
            for quote in self.quotes.values():
                self.watchlist.update_quote(quote)
        if keys & RESTART_KEYS:
            self.offer_restart(self.tr("Language"))

    def _choose_language(self, code: str) -> None:
        if code == self.settings.language:
            return
        self.settings.language = code
        self.settings.sync()
        self.offer_restart(self.tr("Language"))

    def offer_restart(self, title: str) -> None:
        """A setting that applies on restart was saved: offer to restart now."""
        answer = QMessageBox.question(
            self, title, self.tr("The change is used after a restart. Restart now?"))
        if answer == QMessageBox.StandardButton.Yes:
            QProcess.startDetached(sys.executable, sys.argv)
            self.close()

    def quit_app(self) -> None:
        """Really quit (File → Quit, the tray's Quit): monitoring stops."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Closing the window keeps the monitor running in the tray (if the trader wants
        that and there is a tray); the first time, a balloon says where it went."""
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        if not self._quitting and self.settings.close_to_tray and self.tray.refresh():
            event.ignore()
            self.hide()
            if not self.settings.tray_hint_shown:
                shown = self._tray_message(
                    self.tr("Still monitoring"),
                    self.tr("Price Monitor keeps watching your rules in the tray. "
                            "Right-click the tray icon and choose Quit to stop it."),
                    QSystemTrayIcon.MessageIcon.Information,
                )
                if shown:
                    self.settings.tray_hint_shown = True
            return
        super().closeEvent(event)
        self.closed.emit()
