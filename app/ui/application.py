"""Start the GUI: Qt application on a qasync loop, monitor thread, demo feed, main window.

The order matters for "never silently miss one": the feed starts only after the
database is open and the rules are loaded into the engine, so no early tick is
evaluated against an empty rule set.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import qasync
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from app.core.models import Bar
from app.feeds.base import Instrument
from app.feeds.bridge import FeedBridge
from app.feeds.ccxt_feed import CcxtFeed, ExchangeConfig
from app.feeds.credentials import ApiKeys, CredentialStore, CredentialStoreError
from app.feeds.demo import DemoFeed, DemoGap
from app.feeds.qmt_feed import QmtConfig, QmtFeed, import_xtdata
from app.feeds.qmt_probe import probe_qmt
from app.market.gaps import Gap
from app.market.pipeline import MarketPipeline
from app.market.quotes import previous_close
from app.monitors import sessions
from app.resources import RESOURCES_DIR
from app.services.monitor_worker import MonitorThread
from app.ui.feed_settings import FeedSettingsDialog
from app.ui.i18n import install_translators, resolve_language
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings

log = logging.getLogger(__name__)
ICON = RESOURCES_DIR / "icons" / "app.svg"


class Session(QObject):
    """Everything one running app owns, so tests and ``main`` start and stop it the same way.

    Two things happen off the GUI thread at start-up: the database opens in the
    monitor thread and the demo feed loads its bar files in a loader thread. The
    feed starts only when both are done, so no tick is evaluated against an empty
    rule set and the window is responsive from the first frame.
    """

    feed_loaded = Signal(object)  # DemoFeed, emitted from the loader thread
    feed_failed = Signal(str)
    qmt_probed = Signal(str)  # '' = a QMT terminal answered, else why it is not used

    def __init__(
        self,
        *,
        db_path: Path,
        settings: AppSettings,
        speed: float | None,
        history_bars: int,
        demo_gap: DemoGap | None = None,
        exchange: ExchangeConfig | None = None,
        exchange_clock: Callable[[], float] | None = None,
        qmt: QmtConfig | None = None,
        qmt_sdk: Callable[[], ModuleType] | None = None,
        qmt_probe: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.monitor = MonitorThread(db_path)
        self.exchange_feed: CcxtFeed | None = None
        self.qmt_feed: QmtFeed | None = None
        self._qmt_probe = qmt_probe
        clock = exchange_clock or time.time
        if qmt is not None:
            # A whole-market push: gaps and health rows for the watchlist only.
            self.pipeline = MarketPipeline("QMT", clock=lambda _s: clock(), watched_only=True)
        elif exchange is None:
            # The demo replays recorded data: its clock is the replay's, per symbol.
            self.pipeline = MarketPipeline("demo", clock=self._feed_clock, replay=True)
        else:
            self.pipeline = MarketPipeline(exchange.exchange_id, clock=lambda _s: clock())
        self.bridge = FeedBridge(self.pipeline)
        self.window = MainWindow(settings=settings, worker=self.monitor.worker, db_path=db_path)
        self.window.add_feed_health(self.pipeline.health)
        self.window.feed_settings_requested.connect(self._edit_feed_settings)
        self.feed: DemoFeed | None = None
        self._demo_gap = demo_gap
        self._database_open = False
        self._stopping = False
        self._speed = speed if speed is not None else settings.demo_speed
        self._history_bars = history_bars
        self.bridge.ticks_received.connect(self.window.on_ticks)
        self.bridge.ticks_received.connect(self.monitor.worker.ticks_received)
        self.bridge.error.connect(self.window.show_error)
        self.bridge.gaps_found.connect(self.window.on_gaps_found)
        self.bridge.backfill_done.connect(self._on_backfilled)
        # Straight to the rules' thread, in order with the live ticks (no GUI hop).
        self.bridge.backfill_bars.connect(self.monitor.worker.bars_received)
        self.monitor.worker.opened.connect(self._on_database_opened)
        self.feed_loaded.connect(self._on_feed_loaded)
        self.feed_failed.connect(self.window.show_error)
        self.qmt_probed.connect(self._on_qmt_probed)
        if qmt is not None:
            self._wire_qmt(qmt, qmt_sdk, clock)
        elif exchange is not None:
            self._wire_exchange(exchange, exchange_clock)

    def _wire_exchange(self, config: ExchangeConfig, clock: Callable[[], float] | None) -> None:
        self.exchange_feed = CcxtFeed(config, self.bridge,
                                      load_keys=lambda: _stored_keys(config.exchange_id),
                                      clock=clock or time.time)
        self.window.attach_exchange(config.exchange_id, config.symbols)
        self._wire_live_feed()

    def _wire_qmt(self, config: QmtConfig, sdk: Callable[[], ModuleType] | None,
                  clock: Callable[[], float]) -> None:
        self.qmt_feed = QmtFeed(config, self.bridge, load_sdk=sdk or import_xtdata, clock=clock)
        # Anything but the real SDK (the developer switch, tests) says so on the banner.
        label = "QMT" if sdk is None else QCoreApplication.translate("MainWindow", "QMT (simulated)")
        self.window.attach_exchange(label, config.codes)
        self.bridge.official_bars.connect(self.window.on_official_bars)
        self._wire_live_feed()

    def _wire_live_feed(self) -> None:
        self.bridge.markets_loaded.connect(self.window.on_markets_loaded)
        self.bridge.instrument_ready.connect(self._on_instrument_ready)
        self.bridge.symbol_failed.connect(self.window.on_symbol_failed)
        self.window.symbol_add_requested.connect(self._add_live_symbol)
        self.window.watchlist.remove_requested.connect(self._remove_live_symbol)

    @property
    def live_feed(self) -> CcxtFeed | QmtFeed | None:
        """The exchange or QMT feed (None on the demo)."""
        return self.qmt_feed if self.qmt_feed is not None else self.exchange_feed

    def _on_instrument_ready(self, instrument: Instrument, history: list[Bar]) -> None:
        if instrument.prev_close is not None:  # for 涨跌幅 rules
            self.monitor.worker.previous_close_known.emit(instrument.symbol,
                                                          instrument.prev_close)
        self.window.add_instrument(instrument, history)

    def _saved_symbols(self) -> list[str]:
        return self.settings.qmt_codes if self.qmt_feed is not None \
            else self.settings.exchange_symbols

    def _save_symbols(self, symbols: list[str]) -> None:
        if self.qmt_feed is not None:
            self.settings.qmt_codes = symbols
        else:
            self.settings.exchange_symbols = symbols

    def _add_live_symbol(self, symbol: str) -> None:
        """The trader added a symbol: stream it now and remember it for the next start."""
        feed = self.live_feed
        if feed is None:
            return
        feed.add_symbol(symbol)
        self.window.watchlist.add_symbol(symbol, QCoreApplication.translate("MainWindow", "loading…"))
        self._save_symbols(list(dict.fromkeys([*self._saved_symbols(), symbol])))

    def _remove_live_symbol(self, symbol: str) -> None:
        """Stop streaming a symbol and forget it (its rules and alerts stay in the database)."""
        feed = self.live_feed
        if feed is None:
            return
        feed.remove_symbol(symbol)
        self.pipeline.unwatch([symbol])
        self.window.remove_instrument(symbol)
        self._save_symbols([s for s in self._saved_symbols() if s != symbol])

    def start(self) -> None:
        self.monitor.start()
        if self.live_feed is None:
            threading.Thread(target=self._load_feed, name="feed-loader", daemon=True).start()
            if self._qmt_probe is not None:
                threading.Thread(target=self._probe_qmt, name="qmt-probe", daemon=True).start()

    def _probe_qmt(self) -> None:
        """Is a QMT terminal running? (imports xtquant and connects: seconds, off the GUI)."""
        probe = self._qmt_probe
        try:
            reason = probe() if probe is not None else "not checked"
        except Exception as exc:  # the probe must never take the demo down
            log.exception("QMT probe failed")
            reason = str(exc) or type(exc).__name__
        self.qmt_probed.emit(reason)

    def _on_qmt_probed(self, reason: str) -> None:
        """On the demo: offer a terminal that answered (once), or say why QMT is not used."""
        if self._stopping:
            return
        if reason:
            log.info("QMT not used: %s", reason)
            self.window.explain_demo(reason)
            return
        if self.settings.qmt_offer_answered:
            return
        use = self.window.ask_use_qmt()
        self.settings.qmt_offer_answered = True
        if use:
            self.settings.feed_kind = "qmt"
            self.settings.sync()
            self.window.offer_restart(QCoreApplication.translate("MainWindow", "Price feed"))

    def _load_feed(self) -> None:
        try:
            feed = DemoFeed(
                self.bridge.make_sink(),
                speed=self._speed,
                history_bars=self._history_bars,
                on_error=self.bridge.make_error_handler(),
                gap=self._demo_gap,
            )
        except Exception as exc:  # a broken resource file must not leave a dead window
            log.exception("demo feed could not load")
            self.feed_failed.emit(f"demo data could not be loaded: {exc}")
            return
        self.feed_loaded.emit(feed)

    def _feed_clock(self, symbol: str) -> float:
        feed = self.feed
        return feed.clock(symbol) if feed is not None else float("nan")

    def _on_backfilled(self, gap: Gap, bars: list[Bar], error: str) -> None:
        """Backfilled minutes onto the chart (the rules got them from ``backfill_bars``)."""
        self.window.on_backfilled(gap, bars, error)

    def _on_feed_loaded(self, feed: DemoFeed) -> None:
        if self._stopping:
            return
        self.feed = feed
        self.pipeline.watch([i.symbol for i in feed.instruments()])
        self.window.attach_feed(feed)
        self._start_feed_when_ready()

    def _on_database_opened(self, *_args: object) -> None:
        self._database_open = True
        feed = self.live_feed
        if feed is not None and not feed.is_running and not self._stopping:
            feed.start()  # rules are loaded: no price is judged against an empty rule set
            self.bridge.start_clock(fetch=feed.backfill)
            return
        self._start_feed_when_ready()

    def _edit_feed_settings(self) -> None:
        """Settings → Price feed…: the choice takes effect on restart (offered at once)."""
        dialog = FeedSettingsDialog(self.settings, CredentialStore(),
                                    markets=self.exchange_feed.market_symbols()
                                    if self.exchange_feed is not None else None,
                                    parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.settings.sync()
            self.window.offer_restart(QCoreApplication.translate("MainWindow", "Price feed"))

    def _start_feed_when_ready(self) -> None:
        if self.feed is not None and self._database_open and not self.feed.is_running and not self._stopping:
            for instrument in self.feed.instruments():
                history = self.feed.history(instrument.symbol)
                close = instrument.prev_close or previous_close(history, instrument.tz)
                if close is not None:  # for 涨跌幅 rules
                    self.monitor.worker.previous_close_known.emit(instrument.symbol, close)
                self.pipeline.set_instrument(
                    instrument.symbol, name=instrument.name, prev_close=close,
                    last_price=history[-1].close if history else None,
                )
            self.pipeline.health.set_state("live")
            self.feed.start()
            self.bridge.start_clock(fetch=self.feed.backfill)
            # The exchange calendar imports pandas (seconds on a slow PC). Load it once
            # prices flow, off the GUI and monitor threads, so it neither delays the first
            # price nor makes a trading-hours-only rule wait later.
            threading.Thread(target=sessions.warm_up, name="calendar-loader", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the feed first (no new ticks), then let the worker finish and close the db."""
        self._stopping = True
        if self.feed is not None:
            self.feed.stop()
        if self.live_feed is not None:
            self.live_feed.stop()
        self.bridge.stop_clock()
        self.pipeline.health.set_state("stopped")
        self.window.shutdown()
        self.monitor.stop()


def build_session(
    *,
    db_path: Path,
    settings: AppSettings,
    speed: float | None = None,
    history_bars: int = 240,
    demo_gap: DemoGap | None = None,
    exchange: ExchangeConfig | None = None,
    exchange_clock: Callable[[], float] | None = None,
    qmt: QmtConfig | None = None,
    qmt_sdk: Callable[[], ModuleType] | None = None,
    qmt_probe: Callable[[], str] | None = None,
) -> Session:
    """Wire feed → bridge → (window, monitor worker) and start the background work."""
    session = Session(
        db_path=db_path, settings=settings, speed=speed, history_bars=history_bars,
        demo_gap=demo_gap, exchange=exchange, exchange_clock=exchange_clock,
        qmt=qmt, qmt_sdk=qmt_sdk, qmt_probe=qmt_probe,
    )
    session.start()
    return session


def _stored_keys(exchange_id: str) -> ApiKeys | None:
    """The exchange's API keys from the OS keyring (runs on the feed's thread)."""
    store = CredentialStore()
    if not store.available():
        log.info("no OS keyring: %s streams public data without API keys", exchange_id)
        return None
    try:
        return store.load(exchange_id)
    except CredentialStoreError as exc:  # public data needs no keys: say it, go on
        log.warning("%s", exc)
        return None


def exchange_from(args: argparse.Namespace, settings: AppSettings) -> ExchangeConfig | None:
    """The exchange feed to run: command-line switches win over the saved settings;
    None = the demo. Raises ValueError (with the field and reason) for a bad choice."""
    exchange_id = getattr(args, "exchange", None)
    if exchange_id is None and settings.feed_kind != "exchange":
        return None
    exchange_id = exchange_id or settings.exchange_id
    symbols = getattr(args, "symbols", None) or settings.exchange_symbols
    address = getattr(args, "exchange_address", None)
    return ExchangeConfig(
        exchange_id=exchange_id,
        symbols=tuple(symbols),
        market_type=settings.exchange_market_type,
        address=settings.exchange_address if address is None else address,
    )


def qmt_from(args: argparse.Namespace, settings: AppSettings) -> QmtConfig | None:
    """The QMT feed to run (``--qmt``/``--fake-qmt`` or the saved choice); None = not QMT.
    Raises ValueError (with the field and reason) for a bad choice."""
    wanted = getattr(args, "qmt", False) or getattr(args, "fake_qmt", False)
    if not wanted and settings.feed_kind != "qmt":
        return None
    codes = getattr(args, "qmt_codes", None) or settings.qmt_codes
    return QmtConfig(
        codes=tuple(codes),
        whole_market=bool(getattr(args, "whole_market", False) or settings.qmt_whole_market),
        port=settings.qmt_port,
    )


def _fake_qmt(speed: float) -> tuple[Callable[[], ModuleType], Callable[[], float]]:
    """Developer switch ``--fake-qmt``: the fake ``xtquant.xtdata`` of the tests (a simulated
    market of 5,500 A-shares on a clock that starts in a trading session) stands in for
    the SDK, so the QMT feed runs on any PC without a terminal."""
    fake_dir = RESOURCES_DIR.parent / "tests" / "fake_xtquant"
    sys.path.insert(0, str(fake_dir))
    xtdata = importlib.import_module("xtquant.xtdata")
    market = xtdata.fake_reset(speed=speed)
    log.warning("developer mode: QMT feed on the fake xtdata in %s", fake_dir)
    return (lambda: xtdata), market.clock


def _install_excepthooks() -> None:
    """An exception anywhere is logged, never a silent dead thread or a vanished window."""

    def on_exception(exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        log.critical("unhandled exception", exc_info=(exc_type, exc, tb))

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        log.critical(
            "unhandled exception in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception


def _screenshot(app: QApplication, path: Path) -> None:
    """Developer switch: save what the screen shows (window, popups) and quit."""
    screen = app.primaryScreen()
    pixmap = screen.grabWindow(0)
    if not pixmap.save(str(path)):
        log.error("could not save screenshot to %s", path)
    app.quit()


def share_the_gil_finely() -> None:
    """Hand the GIL between threads every 1 ms instead of Python's 5 ms.

    Feeds, validation and the rules run on worker threads; every call from Qt into
    Python on the GUI thread (a table cell, a slot) must win the GIL back from them. With
    the whole market streaming, 5 ms per hand-over adds up to visible stalls; 1 ms costs
    the workers a little throughput (bench/qmt_gui_lag.py shows both)."""
    sys.setswitchinterval(0.001)


def run_gui(args: argparse.Namespace) -> int:
    """Run the window until it is closed; returns the process exit code."""
    _install_excepthooks()
    share_the_gil_finely()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("PriceMonitor")
    app.setOrganizationName("PriceMonitor")
    app.setWindowIcon(QIcon(str(ICON)))
    settings = AppSettings(args.settings)
    language = resolve_language(args.lang or settings.language)
    translators = install_translators(app, language)  # noqa: F841 - kept alive for the run

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    exchange: ExchangeConfig | None = None
    qmt: QmtConfig | None = None
    try:
        qmt = None if getattr(args, "exchange", None) else qmt_from(args, settings)
        exchange = None if qmt is not None else exchange_from(args, settings)
    except ValueError as exc:  # a bad setting must not keep the app from starting
        log.error("live feed not started, running the demo: %s", exc)
    qmt_sdk = clock = None
    if qmt is not None and getattr(args, "fake_qmt", False):
        qmt_sdk, clock = _fake_qmt(args.speed or 1.0)
    probe = None
    if qmt is None and exchange is None:
        port = settings.qmt_port
        probe = lambda: probe_qmt(port=port)  # noqa: E731
    session = build_session(
        db_path=args.db, settings=settings, speed=args.speed, history_bars=args.history_bars,
        demo_gap=getattr(args, "demo_gap", None), exchange=exchange, exchange_clock=clock,
        qmt=qmt, qmt_sdk=qmt_sdk, qmt_probe=probe,
    )
    # Closing the window may only hide it (the monitor keeps running in the tray): the
    # app quits when the window says it really closed, not when none is visible.
    app.setQuitOnLastWindowClosed(False)
    session.window.closed.connect(app.quit)
    session.window.show()
    if getattr(args, "screenshot_tab", None) is not None:
        session.window.tabs.setCurrentIndex(args.screenshot_tab)
    if args.screenshot is not None:
        QTimer.singleShot(int(args.screenshot_after * 1000), lambda: _screenshot(app, args.screenshot))
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        session.shutdown()
    return 0
