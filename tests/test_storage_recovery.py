"""Damaged, foreign, future and locked database files: what open_database does with them."""

from __future__ import annotations

import logging
import random
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.models import AlertFired, AlertKind
from app.monitors.rules import Rule
from app.storage import db as db_module
from app.storage.db import (
    Database,
    DatabaseUnavailableError,
    SchemaTooNewError,
    open_database,
    quarantine,
)
from app.storage.repository import Store

BACKUP_NAME = re.compile(r"^monitor\.db\.broken-\d{8}-\d{6}(-\d+)?$")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


def populated_db(path: Path, alerts: int = 80) -> bytes:
    """A real, closed database with enough rows to span several pages."""
    database = open_database(path)
    store = Store(database)
    rule = store.save_rule(Rule(task_name="t" * 60, stock_code="600519.SH", take_profit=10.0))
    when = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    fired = [
        AlertFired(rule.id, rule.task_name, rule.stock_code, AlertKind.TAKE_PROFIT, when, p, 10.0)
        for p in range(10, 10 + alerts)
    ]
    store.record_alerts(fired, [])
    database.close()
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close
    return path.read_bytes()


def assert_fresh_and_usable(database: Database) -> None:
    store = Store(database)
    assert store.list_rules() == []
    assert store.alert_page(0, 10) == ([], 0)
    saved = store.save_rule(Rule(task_name="new", stock_code="X", stop_loss=1.0))
    assert store.list_rules() == [saved]


def backups(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if ".broken-" in p.name)


def recover(path: Path, original: bytes, caplog: pytest.LogCaptureFixture) -> None:
    """Open a damaged file and check the backup and the fresh database."""
    with caplog.at_level(logging.WARNING, logger="app.storage.db"):
        database = open_database(path)
    try:
        backup = database.recovered_from
        assert backup is not None
        assert backup.parent == path.parent
        assert BACKUP_NAME.match(backup.name), backup.name
        assert backup.read_bytes() == original
        assert backups(path.parent) == [backup]
        assert any(str(backup) in record.getMessage() for record in caplog.records)
        assert_fresh_and_usable(database)
    finally:
        database.close()


def test_garbage_file_is_backed_up_and_replaced(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = random.Random(7).randbytes(10_000)
    db_path.write_bytes(garbage)
    recover(db_path, garbage, caplog)


def test_text_file_with_sidecars_moves_them_too(db_path: Path) -> None:
    db_path.write_text("this is my shopping list, not a database\n")
    sidecars = {suffix: random.Random(suffix).randbytes(512) for suffix in ("-wal", "-shm")}
    for suffix, data in sidecars.items():
        db_path.with_name(db_path.name + suffix).write_bytes(data)

    database = open_database(db_path)
    try:
        backup = database.recovered_from
        assert backup is not None
        for suffix, data in sidecars.items():
            assert backup.with_name(backup.name + suffix).read_bytes() == data
        assert_fresh_and_usable(database)
    finally:
        database.close()


def test_corrupted_sqlite_file_is_backed_up_and_replaced(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = bytearray(populated_db(db_path))
    page_size = int.from_bytes(data[16:18], "big")
    rng = random.Random(11)
    for index in range(2 * page_size, len(data)):  # keep page 1 (header, schema) intact
        data[index] = rng.randrange(256)
    db_path.write_bytes(bytes(data))
    recover(db_path, bytes(data), caplog)


def test_truncated_sqlite_file_is_backed_up_and_replaced(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = populated_db(db_path)
    page_size = int.from_bytes(data[16:18], "big")
    truncated = data[: len(data) - page_size]
    db_path.write_bytes(truncated)
    recover(db_path, truncated, caplog)


def test_migration_failure_is_treated_as_broken(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A valid SQLite file whose tables clash with ours (no alembic_version)."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE monitor_tasks (name TEXT)")
        conn.execute("INSERT INTO monitor_tasks VALUES ('somebody else''s data')")
    conn.close()
    original = db_path.read_bytes()
    recover(db_path, original, caplog)
    with sqlite3.connect(backups(db_path.parent)[0]) as conn:
        assert conn.execute("SELECT name FROM monitor_tasks").fetchall() == [
            ("somebody else's data",)
        ]
    conn.close()


def test_future_revision_is_refused_and_file_untouched(db_path: Path) -> None:
    database = open_database(db_path)
    Store(database).save_rule(Rule(task_name="keep me", stock_code="X", stop_loss=1.0))
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dcafe9999'")
    database.close()
    before = db_path.read_bytes()

    with pytest.raises(SchemaTooNewError) as info:
        open_database(db_path)

    assert isinstance(info.value, db_module.DatabaseError)
    assert "f00dcafe9999" in str(info.value)
    assert info.value.path == db_path
    assert db_path.read_bytes() == before
    assert backups(db_path.parent) == []


def test_locked_database_is_not_treated_as_broken(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the lock is not damage: raise, leave the file alone."""
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("CREATE TABLE other (x)")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO other VALUES (1)")
        with pytest.raises(DatabaseUnavailableError, match="locked"):
            open_database(db_path)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert backups(db_path.parent) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM other").fetchall() == [(0,)]
    conn.close()


def test_quarantine_never_overwrites_an_earlier_backup(db_path: Path) -> None:
    db_path.write_bytes(b"first")
    first = quarantine(db_path)
    db_path.write_bytes(b"second")
    second = quarantine(db_path)

    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
    assert not db_path.exists()
