"""The thin Qt bridge that runs the monitoring service on its own thread.

SQLite writes (alerts, rule edits) and rule evaluation happen here, never on the
GUI thread, so a slow disk can not freeze the chart. The GUI talks to the worker
only through queued signals: request signals in, result signals out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.core.models import Bar, Tick
from app.monitors.rules import RuleValidationError
from app.services.monitoring import MonitorService
from app.storage.db import Database, open_database
from app.storage.repository import RuleNotFound, Store

log = logging.getLogger(__name__)

EXPIRY_CHECK_MS = 30_000


class MonitorWorker(QObject):
    """Owns the database and the engine; lives in a ``QThread``.

    Requests are signals so that emitting them from the GUI thread queues the
    call into the worker thread (Qt picks a queued connection because the
    receiver lives in another thread).
    """

    # requests (emit from the GUI thread)
    open_requested = Signal()
    save_requested = Signal(object, object, object)  # token, field dict, rule id or None
    delete_requested = Signal(int)  # rule id
    start_requested = Signal(object)  # list of rule ids, or None for all stopped rules
    stop_requested = Signal(object)  # list of rule ids, or None for all running rules
    page_requested = Signal(int, int)  # page (0-based), page size
    acknowledge_requested = Signal(object)  # list of alert ids
    symbol_alerts_requested = Signal(str)  # stock code: its alerts for the chart's markers
    ticks_received = Signal(object)  # list[Tick]
    bars_received = Signal(object)  # list[Bar] from a backfill (bar semantics)
    previous_close_known = Signal(str, float)  # symbol, previous close (from the feed)
    shutdown_requested = Signal()

    # results (delivered to the GUI thread)
    opened = Signal(object, object)  # list[Rule], Path of a backed-up broken db or None
    rules_changed = Signal(object)  # full list[Rule]
    rule_saved = Signal(object, object)  # token, Rule
    rule_refused = Signal(object, object)  # token, RuleValidationError
    alerts_fired = Signal(object)  # list[StoredAlert], already committed
    rules_paused = Signal(object)  # list[Rule] just paused by the runaway guard (committed)
    alert_page_ready = Signal(int, object, int)  # page, list[AlertRecord], total
    acknowledged = Signal(object)  # list of alert ids now stored as acknowledged
    symbol_alerts_ready = Signal(str, object)  # stock code, list[AlertRecord] oldest first
    failed = Signal(str)  # a message for the user

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self._db_path = db_path
        self._database: Database | None = None
        self._service: MonitorService | None = None
        self.open_requested.connect(self._open)
        self.save_requested.connect(self._save)
        self.delete_requested.connect(self._delete)
        self.start_requested.connect(self._start)
        self.stop_requested.connect(self._stop)
        self.page_requested.connect(self._page)
        self.acknowledge_requested.connect(self._acknowledge)
        self.symbol_alerts_requested.connect(self._symbol_alerts)
        self.ticks_received.connect(self._on_ticks)
        self.bars_received.connect(self._on_bars)
        self.previous_close_known.connect(self._previous_close)
        self.shutdown_requested.connect(self._shutdown)
        self._expiry_timer: QTimer | None = None

    @Slot()
    def _open(self) -> None:
        try:
            self._database = open_database(self._db_path)
            self._service = MonitorService(Store(self._database))
        except Exception as exc:  # the window must still come up and say why
            log.exception("cannot open database %s", self._db_path)
            self.failed.emit(f"{self._db_path}: {exc}")
            return
        self.opened.emit(self._service.rules(), self._database.recovered_from)
        # Validity ends by the clock too, not only when a price arrives (nights, weekends).
        self._expiry_timer = QTimer(self)
        self._expiry_timer.setInterval(EXPIRY_CHECK_MS)
        self._expiry_timer.timeout.connect(self._expire_due)
        self._expiry_timer.start()
        self._expire_due()

    @Slot()
    def _shutdown(self) -> None:
        """Runs after every request queued before it (ticks, saves): stop the timer in
        its own thread, then end the thread's event loop."""
        if self._expiry_timer is not None:
            self._expiry_timer.stop()
        thread = self.thread()
        if thread is not None:
            thread.quit()

    @Slot()
    def _expire_due(self) -> None:
        service = self._service
        if service is None:
            return
        try:
            expired = service.expire_due()
        except Exception as exc:
            log.exception("expiring rules failed")
            self.failed.emit(str(exc))
            return
        if expired:
            self.rules_changed.emit(service.rules())

    @Slot(object, object, object)
    def _save(self, token: Any, data: dict[str, Any], rule_id: int | None) -> None:
        service = self._require()
        if service is None:
            return
        try:
            rule = service.save_rule(data, rule_id)
        except RuleValidationError as exc:
            self.rule_refused.emit(token, exc)
            return
        except RuleNotFound:
            self.failed.emit(f"rule {rule_id} no longer exists")
            self.rules_changed.emit(service.rules())
            return
        except Exception as exc:
            log.exception("saving rule failed")
            self.failed.emit(str(exc))
            return
        self.rule_saved.emit(token, rule)
        self.rules_changed.emit(service.rules())

    @Slot(int)
    def _delete(self, rule_id: int) -> None:
        self._run(lambda s: s.delete_rule(rule_id))

    @Slot(object)
    def _start(self, rule_ids: list[int] | None) -> None:
        self._run(lambda s: s.start(rule_ids))

    @Slot(object)
    def _stop(self, rule_ids: list[int] | None) -> None:
        self._run(lambda s: s.stop(rule_ids))

    @Slot(object)
    def _acknowledge(self, alert_ids: list[int]) -> None:
        service = self._require()
        if service is None:
            return
        try:
            service.acknowledge(alert_ids)
        except Exception as exc:
            log.exception("acknowledging alerts failed")
            self.failed.emit(str(exc))
            return
        self.acknowledged.emit(list(alert_ids))

    @Slot(str)
    def _symbol_alerts(self, stock_code: str) -> None:
        service = self._require()
        if service is None:
            return
        try:
            records = service.alerts_for(stock_code)
        except Exception as exc:
            log.exception("reading alerts of %s failed", stock_code)
            self.failed.emit(str(exc))
            return
        self.symbol_alerts_ready.emit(stock_code, records)

    @Slot(int, int)
    def _page(self, page: int, page_size: int) -> None:
        service = self._require()
        if service is None:
            return
        try:
            rows, total = service.alert_page(page, page_size)
        except Exception as exc:
            log.exception("reading alert history failed")
            self.failed.emit(str(exc))
            return
        self.alert_page_ready.emit(page, rows, total)

    @Slot(object)
    def _on_ticks(self, ticks: list[Tick]) -> None:
        service = self._service
        if service is not None:
            self._publish(service, lambda: service.process_ticks(ticks))

    @Slot(object)
    def _on_bars(self, bars: list[Bar]) -> None:
        service = self._service
        if service is not None:
            self._publish(service, lambda: service.process_bars(bars))

    def _publish(self, service: MonitorService, evaluate: Any) -> None:
        """Evaluate prices, then tell the GUI what was stored, paused and changed."""
        try:
            stored = evaluate()
        except Exception as exc:
            self.failed.emit(f"alerts could not be saved: {exc}")
            self.rules_changed.emit(service.rules())
            return
        if stored:
            self.alerts_fired.emit(list(stored))
        if stored.paused:
            self.rules_paused.emit(list(stored.paused))
        if stored.changed:
            self.rules_changed.emit(service.rules())

    @Slot(str, float)
    def _previous_close(self, symbol: str, price: float) -> None:
        if self._service is not None:
            self._service.set_previous_close(symbol, price)

    def _run(self, action: Any) -> None:
        """Run a rule-set change and publish the new rule list, reporting failures."""
        service = self._require()
        if service is None:
            return
        try:
            action(service)
        except RuleValidationError as exc:  # e.g. starting a rule whose validity has passed
            self.rule_refused.emit(None, exc)
        except RuleNotFound as exc:
            self.failed.emit(f"rule {exc.args[0] if exc.args else ''} no longer exists")
        except Exception as exc:
            log.exception("rule change failed")
            self.failed.emit(str(exc))
        self.rules_changed.emit(service.rules())

    def _require(self) -> MonitorService | None:
        if self._service is None:
            self.failed.emit("the database is not open")
        return self._service

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None
            self._service = None


class MonitorThread:
    """Starts a ``MonitorWorker`` in its own ``QThread`` and shuts both down cleanly."""

    def __init__(self, db_path: Path) -> None:
        self.thread = QThread()
        self.thread.setObjectName("monitor")
        self.worker = MonitorWorker(db_path)
        self.worker.moveToThread(self.thread)

    def start(self) -> None:
        self.thread.start()
        self.worker.open_requested.emit()

    def stop(self) -> None:
        """Finish queued work (alerts being saved), then close the database."""
        if self.thread.isRunning():
            self.worker.shutdown_requested.emit()
            if not self.thread.wait(10_000):
                self.thread.quit()
                self.thread.wait(5000)
        self.worker.close()
