"""Migration 0002 (rule validity, status 'expired') and the Store's validity fields.

Databases at older revisions are built by running the real migration scripts only
up to that revision and filling them with plain SQL, as an older app version left
them; ``open_database`` must then upgrade them without losing rows or alert links.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, inspect

from app.core.models import AlertFired, AlertKind, AlertSource, TaskStatus, Validity
from app.monitors.rules import Rule
from app.storage.db import (
    Database,
    alembic_config,
    check_foreign_keys,
    create_sqlite_engine,
    foreign_keys_disabled,
    open_database,
)
from app.storage.repository import Store
from app.storage.schema import Base

BEIJING = timezone(timedelta(hours=8))
SHANGHAI_ZONE = ZoneInfo("Asia/Shanghai")
CLOSE = datetime(2026, 11, 23, 15, 0, tzinfo=BEIJING)
OLD_TIME = "2024-03-01 01:30:00.000000"  # how SQLAlchemy writes a (UTC) DateTime


def migrate(path: Path, revision: str, *, down: bool = False) -> None:
    """Run the real scripts to ``revision`` the way the app does (FKs off, one
    transaction, foreign_key_check before committing)."""
    engine = create_sqlite_engine(path)
    try:
        with engine.connect() as connection:
            with foreign_keys_disabled(connection), connection.begin():
                config = alembic_config(connection)
                (command.downgrade if down else command.upgrade)(config, revision)
                check_foreign_keys(connection)
    finally:
        engine.dispose()


def rows(path: Path, sql: str, *params: Any) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(path: Path, sql: str, *params: Any) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(sql, params)
    finally:
        conn.close()


def version(path: Path) -> list[tuple]:
    return rows(path, "SELECT version_num FROM alembic_version")


def schema(path: Path) -> dict[str, Any]:
    """What the migrations control, in a form independent of DDL text and order."""
    engine = create_sqlite_engine(path)
    try:
        inspector = inspect(engine)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c["default"])
                    for c in inspector.get_columns(table)
                ],
                "checks": sorted(
                    (ck["name"], " ".join(ck["sqltext"].split()))
                    for ck in inspector.get_check_constraints(table)
                ),
                "indexes": sorted(
                    (ix["name"], tuple(ix["column_names"])) for ix in inspector.get_indexes(table)
                ),
                "fks": inspector.get_foreign_keys(table),
                "pk": inspector.get_pk_constraint(table),
            }
            for table in ("monitor_tasks", "alert_events")
        }
    finally:
        engine.dispose()


def assert_schema_matches_orm(database: Database) -> None:
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    inspector = inspect(database.engine)
    for table in Base.metadata.sorted_tables:
        reflected = {
            ck["name"]: " ".join(ck["sqltext"].split())
            for ck in inspector.get_check_constraints(table.name)
        }
        declared = {
            ck.name: " ".join(str(ck.sqltext).split())
            for ck in table.constraints
            if isinstance(ck, CheckConstraint)
        }
        assert reflected == declared, table.name


# Two rules and three alerts as a 0001 app wrote them (one alert's rule was deleted).
_RULES_0001 = [
    (7, "茅台 breakout", "600519.SH", "贵州茅台", "running", 30, 1, 1, 1500.25, 1510.5,
     1688.8, 1420.125, 0, '{"fast": 5}', OLD_TIME, OLD_TIME, "entry"),
    (9, "btc stop", "BTC/USDT", "", "triggered", 0, 0, 0, None, None,
     None, 58000.0, 1, "{}", OLD_TIME, "2024-03-02 08:00:00.000000", "stop_loss"),
]
_ALERTS_0001 = [
    (1, 7, "茅台 breakout", "600519.SH", "entry", 1505.0, 1500.25, 1499.0,
     "2024-03-01T09:31:05.250000+08:00", "live", OLD_TIME, 1),
    (2, 9, "btc stop", "BTC/USDT", "stop_loss", 57990.0, 58000.0, None,
     "2024-03-01T23:59:59+00:00", "backfill", "2024-03-02 00:00:00.000000", 0),
    (3, None, "deleted rule", "000001.SZ", "take_profit", 11.0, 10.5, 10.4,
     "2024-02-28T14:00:00+08:00", "replay", "2024-02-28 06:00:00.000000", 0),
]
_OLD_TASK_COLUMNS = (
    "id, task_name, stock_code, stock_name, status, check_interval, auto_trade,"
    " trading_hours_only, entry_min, entry_max, take_profit, stop_loss,"
    " notification_enabled, quant_config, created_at, updated_at, fired_kinds"
)
_ALERT_COLUMNS = (
    "id, task_id, task_name, stock_code, kind, price, level, prev_price, event_time,"
    " source, created_at, acknowledged"
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def db_0001(db_path: Path) -> Path:
    """A database at revision 0001 holding rules and alerts."""
    migrate(db_path, "0001")
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executemany(
                f"INSERT INTO monitor_tasks ({_OLD_TASK_COLUMNS}) VALUES ({','.join('?' * 17)})",
                _RULES_0001,
            )
            conn.executemany(
                f"INSERT INTO alert_events ({_ALERT_COLUMNS}) VALUES ({','.join('?' * 12)})",
                _ALERTS_0001,
            )
    finally:
        conn.close()
    assert version(db_path) == [("0001",)]
    return db_path


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def store(database: Database) -> Store:
    return Store(database)


def reopen(store: Store) -> Store:
    path = store.database.path
    store.database.close()
    return Store(open_database(path))


def a_rule(**changes: Any) -> Rule:
    return replace(Rule(task_name="茅台", stock_code="600519.SH", take_profit=1688.8), **changes)


# -- the revision chain -----------------------------------------------------------


def test_revisions_form_one_linear_chain_ending_in_0002() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    chain = [(rev.revision, rev.down_revision) for rev in script.walk_revisions()]
    assert script.get_heads() == ["0002"]
    assert chain[:2] == [("0002", "0001"), ("0001", None)]


# -- upgrade 0001 -> 0002 ---------------------------------------------------------


def test_upgrade_from_0001_keeps_rules_alerts_and_links(db_0001: Path) -> None:
    tasks_before = rows(db_0001, f"SELECT {_OLD_TASK_COLUMNS} FROM monitor_tasks ORDER BY id")
    alerts_before = rows(db_0001, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id")

    database = open_database(db_0001)
    try:
        assert database.recovered_from is None
        assert_schema_matches_orm(database)
        store = Store(database)
        rules = store.list_rules()
        records, total = store.alert_page(0, 10)
    finally:
        database.close()

    assert version(db_0001) == [("0002",)]
    assert rows(db_0001, f"SELECT {_OLD_TASK_COLUMNS} FROM monitor_tasks ORDER BY id") == (
        tasks_before
    )
    assert rows(db_0001, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id") == (
        alerts_before
    )
    assert rows(db_0001, "SELECT id, validity, valid_until FROM monitor_tasks ORDER BY id") == [
        (7, "gtc", None),
        (9, "gtc", None),
    ]
    assert rows(db_0001, "PRAGMA foreign_key_check") == []
    assert rows(db_0001, "PRAGMA quick_check") == [("ok",)]

    assert [(r.id, r.status, r.validity, r.valid_until) for r in rules] == [
        (7, TaskStatus.RUNNING, Validity.UNTIL_CANCELLED, None),
        (9, TaskStatus.TRIGGERED, Validity.UNTIL_CANCELLED, None),
    ]
    assert rules[0].fired == {AlertKind.ENTRY}
    assert (rules[0].entry_min, rules[0].quant_config) == (1500.25, '{"fast": 5}')
    assert total == 3
    assert {r.id: r.task_id for r in records} == {1: 7, 2: 9, 3: None}
    assert {r.id: r.event_time.utcoffset() for r in records}[1] == timedelta(hours=8)


def test_upgraded_database_enforces_new_constraints_and_foreign_key(db_0001: Path) -> None:
    open_database(db_0001).close()

    execute(db_0001, "UPDATE monitor_tasks SET status = 'expired' WHERE id = 9")
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0001, "UPDATE monitor_tasks SET validity = 'forever' WHERE id = 7")
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0001, "UPDATE monitor_tasks SET status = 'bogus' WHERE id = 7")
    # The rebuilt table is still the FK target: deleting a rule detaches its alerts,
    # and an alert cannot point at a rule that does not exist.
    execute(db_0001, "DELETE FROM monitor_tasks WHERE id = 7")
    assert rows(db_0001, "SELECT id, task_id FROM alert_events ORDER BY id") == [
        (1, None),
        (2, 9),
        (3, None),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0001, "UPDATE alert_events SET task_id = 4242 WHERE id = 2")


def test_fresh_and_upgraded_databases_have_the_same_schema(db_0001: Path, tmp_path: Path) -> None:
    open_database(db_0001).close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    assert schema(db_0001) == schema(fresh)


# -- the Store ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "validity, valid_until",
    [
        (Validity.UNTIL_CANCELLED, None),
        (Validity.TODAY, None),  # not yet armed by the service
        (Validity.TODAY, CLOSE),
        (Validity.TODAY, datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI_ZONE)),
        (Validity.UNTIL, CLOSE),
        (Validity.UNTIL, datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)),
        (Validity.UNTIL, datetime(2027, 1, 4, 23, 59, 59, 500000, tzinfo=timezone.utc)),
    ],
    ids=["gtc", "today-unarmed", "today", "today-zoneinfo", "until-beijing", "until-utc", "until-us"],
)
def test_validity_round_trips_with_its_offset(
    store: Store, validity: Validity, valid_until: datetime | None
) -> None:
    saved = store.save_rule(a_rule(validity=validity, valid_until=valid_until))

    restarted = reopen(store)
    try:
        loaded = restarted.get_rule(saved.id)
    finally:
        restarted.database.close()
    assert loaded == saved
    assert loaded.validity is validity
    assert loaded.valid_until == valid_until
    if valid_until is not None:
        assert loaded.valid_until.utcoffset() == valid_until.utcoffset()
    stored = rows(store.database.path, "SELECT validity, valid_until FROM monitor_tasks")
    expected_text = None if valid_until is None else valid_until.isoformat()
    assert stored == [(validity.value, expected_text)]


def test_stored_valid_until_text_keeps_the_offset(store: Store) -> None:
    store.save_rule(a_rule(validity=Validity.UNTIL, valid_until=CLOSE))
    store.save_rule(
        a_rule(validity=Validity.UNTIL, valid_until=CLOSE.astimezone(timezone.utc))
    )
    assert rows(store.database.path, "SELECT valid_until FROM monitor_tasks ORDER BY id") == [
        ("2026-11-23T15:00:00+08:00",),
        ("2026-11-23T07:00:00+00:00",),
    ]


def test_naive_valid_until_is_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.save_rule(a_rule(validity=Validity.UNTIL, valid_until=datetime(2026, 11, 23, 15)))
    assert store.list_rules() == []


def test_bad_validity_is_refused(store: Store) -> None:
    rule = store.save_rule(a_rule())
    with pytest.raises(Exception, match="not a valid Validity"):
        store.save_rule(replace(rule, validity="forever"))
    with pytest.raises(sqlite3.IntegrityError):
        execute(store.database.path, "UPDATE monitor_tasks SET validity = 'Today'")
    with pytest.raises(sqlite3.IntegrityError):
        execute(store.database.path, "UPDATE monitor_tasks SET validity = NULL")
    assert store.get_rule(rule.id) == rule


def test_status_expired_round_trips(store: Store) -> None:
    rule = store.save_rule(a_rule(validity=Validity.TODAY, valid_until=CLOSE))
    (expired,) = store.set_status([rule.id], TaskStatus.EXPIRED)
    assert expired.status is TaskStatus.EXPIRED
    assert (expired.validity, expired.valid_until) == (Validity.TODAY, CLOSE)

    restarted = reopen(store)
    try:
        assert restarted.get_rule(rule.id) == expired
    finally:
        restarted.database.close()
    assert rows(store.database.path, "SELECT status FROM monitor_tasks") == [("expired",)]


def test_engine_expiry_is_persisted_by_record_alerts(store: Store) -> None:
    """The engine reports an expired rule as a changed rule without alerts."""
    rule = store.save_rule(a_rule(validity=Validity.UNTIL, valid_until=CLOSE))
    store.record_alerts([], [replace(rule, status=TaskStatus.EXPIRED)])
    assert store.get_rule(rule.id).status is TaskStatus.EXPIRED


def test_rearming_a_today_rule_needs_only_save_rule(store: Store) -> None:
    """Restarting an expired 当日有效 rule for the next trading day: new expiry, running,
    levels armed again, in one save."""
    rule = store.save_rule(
        a_rule(validity=Validity.TODAY, valid_until=CLOSE, fired=frozenset({AlertKind.TAKE_PROFIT}))
    )
    (expired,) = store.set_status([rule.id], TaskStatus.EXPIRED)
    next_close = CLOSE + timedelta(days=1)

    rearmed = store.save_rule(
        replace(expired, status=TaskStatus.RUNNING, valid_until=next_close, fired=frozenset())
    )

    assert store.get_rule(rule.id) == rearmed
    assert (rearmed.status, rearmed.validity, rearmed.valid_until, rearmed.fired) == (
        TaskStatus.RUNNING,
        Validity.TODAY,
        next_close,
        frozenset(),
    )


def test_alerts_of_expiring_rules_keep_their_link(store: Store) -> None:
    rule = store.save_rule(a_rule(validity=Validity.TODAY, valid_until=CLOSE))
    alert = AlertFired(
        rule.id, rule.task_name, rule.stock_code, AlertKind.TAKE_PROFIT,
        CLOSE - timedelta(minutes=5), 1690.0, 1688.8, 1687.0, AlertSource.LIVE,
    )
    store.record_alerts([alert], [replace(rule, fired=frozenset({AlertKind.TAKE_PROFIT}))])
    store.set_status([rule.id], TaskStatus.EXPIRED)
    records, _ = store.alert_page(0, 10)
    assert [r.task_id for r in records] == [rule.id]


# -- downgrade 0002 -> 0001 -----------------------------------------------------------


def test_downgrade_to_0001_restores_the_0001_schema_and_keeps_data(
    db_0001: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference.db"
    migrate(reference, "0001")
    tasks_before = rows(db_0001, f"SELECT {_OLD_TASK_COLUMNS} FROM monitor_tasks ORDER BY id")
    alerts_before = rows(db_0001, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id")
    open_database(db_0001).close()

    migrate(db_0001, "0001", down=True)

    assert version(db_0001) == [("0001",)]
    assert schema(db_0001) == schema(reference)
    assert rows(db_0001, f"SELECT {_OLD_TASK_COLUMNS} FROM monitor_tasks ORDER BY id") == (
        tasks_before
    )
    assert rows(db_0001, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id") == (
        alerts_before
    )
    assert rows(db_0001, "PRAGMA foreign_key_check") == []
    assert rows(db_0001, "PRAGMA quick_check") == [("ok",)]
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0001, "UPDATE monitor_tasks SET status = 'expired' WHERE id = 7")

    # ...and the app upgrades it again.
    database = open_database(db_0001)
    try:
        assert database.recovered_from is None
        assert [r.id for r in Store(database).list_rules()] == [7, 9]
    finally:
        database.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE monitor_tasks SET status = 'expired' WHERE id = 9",
        "UPDATE monitor_tasks SET validity = 'today' WHERE id = 7",
        "UPDATE monitor_tasks SET validity = 'until',"
        " valid_until = '2026-11-23T15:00:00+08:00' WHERE id = 7",
    ],
    ids=["expired", "today", "until"],
)
def test_downgrade_refuses_rules_0001_cannot_store(db_0001: Path, sql: str) -> None:
    open_database(db_0001).close()
    execute(db_0001, sql)
    dump_before = rows(db_0001, "SELECT * FROM monitor_tasks ORDER BY id")
    schema_before = rows(db_0001, "SELECT name, sql FROM sqlite_master ORDER BY name")

    with pytest.raises(RuntimeError, match="cannot downgrade to 0001.*ids (7|9) "):
        migrate(db_0001, "0001", down=True)

    assert version(db_0001) == [("0002",)]
    assert rows(db_0001, "SELECT * FROM monitor_tasks ORDER BY id") == dump_before
    assert rows(db_0001, "SELECT name, sql FROM sqlite_master ORDER BY name") == schema_before
    assert rows(db_0001, "SELECT id, task_id FROM alert_events ORDER BY id") == [
        (1, 7),
        (2, 9),
        (3, None),
    ]
