"""The monitoring service on a real SQLite file: persisted before told, never twice, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.models import AlertKind, TaskStatus, Tick
from app.monitors.rules import RuleValidationError
from app.services.monitoring import MonitorService
from app.storage.db import Database, open_database
from app.storage.repository import RuleNotFound, Store

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    yield db
    db.close()


def prices(*values: float, start: int = 0) -> list[Tick]:
    return [Tick("BTC/USDT", T0 + timedelta(seconds=start + i), v) for i, v in enumerate(values)]


def test_alert_and_rule_state_are_committed_together_and_survive_restart(db_path: Path) -> None:
    db = open_database(db_path)
    service = MonitorService(Store(db))
    rule = service.save_rule({"task_name": "stop", "stock_code": "BTC/USDT", "stop_loss": 80000,
                              "entry_max": 85000})
    stored = service.process_ticks(prices(86000, 84000, 79000))
    assert [s.alert.kind for s in stored] == [AlertKind.ENTRY, AlertKind.STOP_LOSS]
    db.close()

    # a new process: the same database, nothing fires again
    db = open_database(db_path)
    again = MonitorService(Store(db))
    (reloaded,) = again.rules()
    assert reloaded.id == rule.id and reloaded.status is TaskStatus.TRIGGERED
    assert reloaded.fired == {AlertKind.ENTRY, AlertKind.STOP_LOSS}
    assert again.process_ticks(prices(70000, 84000, start=10)) == []
    rows, total = again.alert_page(0, 10)
    assert total == 2 and [r.id for r in rows] == sorted((s.id for s in stored), reverse=True)
    db.close()


def test_entry_state_survives_restart_while_rule_keeps_running(db_path: Path) -> None:
    db = open_database(db_path)
    MonitorService(Store(db)).save_rule(
        {"task_name": "zone", "stock_code": "BTC/USDT", "entry_min": 1, "entry_max": 100, "take_profit": 200})
    assert len(MonitorService(Store(db)).process_ticks(prices(50))) == 1
    db.close()
    db = open_database(db_path)
    service = MonitorService(Store(db))
    assert service.rules()[0].status is TaskStatus.RUNNING
    assert service.process_ticks(prices(60, 70, start=1)) == []
    assert [s.alert.kind for s in service.process_ticks(prices(250, start=3))] == [AlertKind.TAKE_PROFIT]
    db.close()


def test_failed_commit_loses_nothing_the_alert_fires_on_the_next_price(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(database)
    service = MonitorService(store)
    service.save_rule({"task_name": "stop", "stock_code": "BTC/USDT", "stop_loss": 100})
    original = store.record_alerts

    def disk_full(*args: object, **kwargs: object) -> list[int]:
        raise OSError("disk full")

    monkeypatch.setattr(store, "record_alerts", disk_full)
    with pytest.raises(OSError):
        service.process_ticks(prices(99))
    assert store.alert_page(0, 10)[1] == 0
    assert service.rules()[0].status is TaskStatus.RUNNING, "nothing marked fired that is not stored"

    monkeypatch.setattr(store, "record_alerts", original)
    stored = service.process_ticks(prices(98, start=1))
    assert [s.alert.price for s in stored] == [98]
    assert store.alert_page(0, 10)[1] == 1


def test_invalid_rule_is_refused_and_nothing_saved(database: Database) -> None:
    store = Store(database)
    service = MonitorService(store)
    with pytest.raises(RuleValidationError) as info:
        service.save_rule({"task_name": "x", "stock_code": "BTC/USDT", "stop_loss": 10, "take_profit": 5})
    assert info.value.field == "stop_loss"
    assert store.list_rules() == []
    with pytest.raises(RuleNotFound):
        service.save_rule({"task_name": "x", "stock_code": "BTC/USDT", "stop_loss": 10}, rule_id=99)


def test_moving_a_level_rearms_only_that_alert(database: Database) -> None:
    service = MonitorService(Store(database))
    rule = service.save_rule({"task_name": "r", "stock_code": "BTC/USDT", "entry_max": 100,
                              "stop_loss": 50})
    service.process_ticks(prices(90))
    edited = service.save_rule({"task_name": "renamed"}, rule_id=rule.id)
    assert edited.fired == {AlertKind.ENTRY}, "a rename keeps what fired"
    assert service.process_ticks(prices(80, start=1)) == []
    service.process_ticks(prices(40, start=2))
    assert service.rules()[0].status is TaskStatus.TRIGGERED

    moved = service.save_rule({"stop_loss": 30}, rule_id=rule.id)
    assert moved.fired == {AlertKind.ENTRY} and moved.status is TaskStatus.RUNNING
    assert [s.alert.kind for s in service.process_ticks(prices(29, start=3))] == [AlertKind.STOP_LOSS]


def test_start_and_stop_one_or_all(database: Database) -> None:
    service = MonitorService(Store(database))
    a = service.save_rule({"task_name": "a", "stock_code": "BTC/USDT", "stop_loss": 100})
    b = service.save_rule({"task_name": "b", "stock_code": "BTC/USDT", "stop_loss": 50})
    service.process_ticks(prices(99))  # a triggers
    assert [r.status for r in service.rules()] == [TaskStatus.TRIGGERED, TaskStatus.RUNNING]

    service.stop()
    assert [r.status for r in service.rules()] == [TaskStatus.TRIGGERED, TaskStatus.STOPPED]
    assert service.process_ticks(prices(10, start=1)) == [], "stopped rules do not fire"

    service.start()  # all: resumes the stopped one, leaves the triggered one alone
    assert [r.status for r in service.rules()] == [TaskStatus.TRIGGERED, TaskStatus.RUNNING]

    service.start([a.id])  # one: re-arms the triggered rule
    assert service.rules()[0].status is TaskStatus.RUNNING and service.rules()[0].fired == frozenset()
    fired = service.process_ticks(prices(40, start=2))
    assert sorted(s.alert.task_name for s in fired) == ["a", "b"]

    service.delete_rule(b.id)
    assert [r.task_name for r in service.rules()] == ["a"]
    assert service.alert_page(0, 10)[1] == 3, "history survives deleting a rule"


# ----- validity (有效期) -------------------------------------------------------

SH = timezone(timedelta(hours=8))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_today_only_ends_at_the_close_of_the_instruments_trading_day(database: Database) -> None:
    clock = Clock(datetime(2024, 9, 30, 20, 0, tzinfo=SH))  # evening before the National Day week
    service = MonitorService(Store(database), clock=clock)
    ashare = service.save_rule({"task_name": "t", "stock_code": "600519.SH", "stop_loss": 1, "validity": "today"})
    assert ashare.valid_until == datetime(2024, 10, 8, 15, 0, tzinfo=SH), "next trading day's close"
    crypto = service.save_rule({"task_name": "c", "stock_code": "BTC/USDT", "stop_loss": 1, "validity": "today"})
    assert crypto.valid_until == datetime(2024, 10, 1, 0, 0, tzinfo=timezone.utc)


def test_validity_in_the_past_is_refused(database: Database) -> None:
    service = MonitorService(Store(database), clock=Clock(datetime(2026, 3, 24, 10, 0, tzinfo=SH)))
    with pytest.raises(RuleValidationError) as info:
        service.save_rule({"task_name": "t", "stock_code": "600519.SH", "stop_loss": 1,
                           "valid_until": "2026-03-24T09:59:00+08:00"})
    assert (info.value.field, info.value.code) == ("valid_until", "in_past")
    assert Store(database).list_rules() == []


def test_rules_expire_by_the_clock_and_by_prices_and_persist(db_path: Path) -> None:
    db = open_database(db_path)
    clock = Clock(datetime(2026, 3, 24, 10, 0, tzinfo=SH))
    service = MonitorService(Store(db), clock=clock)
    quiet = service.save_rule({"task_name": "quiet", "stock_code": "600519.SH", "stop_loss": 1,
                               "validity": "today"})
    service.save_rule({"task_name": "busy", "stock_code": "BTC/USDT", "stop_loss": 1,
                       "valid_until": "2026-03-24T03:00:00+00:00"})
    assert service.expire_due() == []
    late = Tick("BTC/USDT", datetime(2026, 3, 24, 3, 0, 1, tzinfo=timezone.utc), 0.5)
    assert service.process_ticks([late]) == [], "a price after validity expires, never fires"
    clock.now = datetime(2026, 3, 24, 15, 0, 1, tzinfo=SH)
    assert [r.task_name for r in service.expire_due()] == ["quiet"]
    db.close()
    db = open_database(db_path)
    statuses = {r.task_name: r.status for r in MonitorService(Store(db), clock=clock).rules()}
    assert statuses == {"quiet": TaskStatus.EXPIRED, "busy": TaskStatus.EXPIRED}
    db.close()
    assert quiet.valid_until == datetime(2026, 3, 24, 15, 0, tzinfo=SH)


def test_starting_an_expired_today_rule_watches_the_new_day(database: Database) -> None:
    clock = Clock(datetime(2026, 3, 24, 10, 0, tzinfo=SH))
    service = MonitorService(Store(database), clock=clock)
    rule = service.save_rule({"task_name": "t", "stock_code": "600519.SH", "stop_loss": 1, "validity": "today"})
    clock.now = datetime(2026, 3, 25, 9, 0, tzinfo=SH)
    service.expire_due()
    (restarted,) = service.start([rule.id])
    assert restarted.status is TaskStatus.RUNNING
    assert restarted.valid_until == datetime(2026, 3, 25, 15, 0, tzinfo=SH)


def test_starting_a_rule_whose_fixed_validity_passed_is_refused(database: Database) -> None:
    clock = Clock(datetime(2026, 3, 24, 10, 0, tzinfo=SH))
    service = MonitorService(Store(database), clock=clock)
    rule = service.save_rule({"task_name": "t", "stock_code": "600519.SH", "stop_loss": 1,
                              "valid_until": "2026-03-24T11:00:00+08:00"})
    clock.now = datetime(2026, 3, 24, 12, 0, tzinfo=SH)
    service.expire_due()
    with pytest.raises(RuleValidationError):
        service.start([rule.id])
    assert service.rules()[0].status is TaskStatus.EXPIRED
