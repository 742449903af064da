"""Migrations 0002 (rule validity, status 'expired') and 0003 (issue-3 conditions,
trigger modes, engine state, status 'paused', new alert kinds), and the Store's
validity fields.

Databases at older revisions are built by running the real migration scripts only
up to that revision and filling them with plain SQL, as an older app version left
them; ``open_database`` must then upgrade them without losing rows or alert links.
"""

from __future__ import annotations

import re
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

from app.core.models import (
    AlertFired,
    AlertKind,
    AlertSource,
    CrossDirection,
    Direction,
    TaskStatus,
    TriggerMode,
    Validity,
)
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


def test_revisions_form_one_linear_chain_ending_in_0003() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    chain = [(rev.revision, rev.down_revision) for rev in script.walk_revisions()]
    assert script.get_heads() == ["0003"]
    assert chain == [("0003", "0002"), ("0002", "0001"), ("0001", None)]


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

    assert version(db_0001) == [("0003",)]
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

    # 0003 -> 0002 ran first, in the same transaction, and was rolled back with it.
    assert version(db_0001) == [("0003",)]
    assert rows(db_0001, "SELECT * FROM monitor_tasks ORDER BY id") == dump_before
    assert rows(db_0001, "SELECT name, sql FROM sqlite_master ORDER BY name") == schema_before
    assert rows(db_0001, "SELECT id, task_id FROM alert_events ORDER BY id") == [
        (1, 7),
        (2, 9),
        (3, None),
    ]


# -- upgrade 0002 -> 0003 ---------------------------------------------------------

_TASK_COLUMNS_0002 = (
    "id, task_name, stock_code, stock_name, status, check_interval, auto_trade,"
    " trading_hours_only, entry_min, entry_max, take_profit, stop_loss,"
    " notification_enabled, quant_config, validity, valid_until, created_at, updated_at,"
    " fired_kinds"
)
# Three rules as a 0002 app wrote them (an expired 当日有效 one among them) and alerts
# of each of them plus one of a deleted rule.
_RULES_0002 = [
    (3, "茅台 today", "600519.SH", "贵州茅台", "expired", 30, 1, 1, 1500.25, 1510.5,
     1688.8, 1420.125, 0, '{"fast": 5}', "today", "2026-01-05T15:00:00+08:00", OLD_TIME,
     OLD_TIME, "entry"),
    (5, "btc stop", "BTC/USDT", "", "triggered", 0, 0, 0, None, None,
     None, 58000.0, 1, "{}", "gtc", None, OLD_TIME, "2024-03-02 08:00:00.000000", "stop_loss"),
    (8, "eth zone", "ETH/USDT", "", "running", 5, 0, 0, 3000.0, None,
     3600.0, None, 1, "{}", "until", "2026-03-01T00:00:00+00:00", OLD_TIME, OLD_TIME, ""),
]
_ALERTS_0002 = [
    (1, 3, "茅台 today", "600519.SH", "entry", 1505.0, 1500.25, 1499.0,
     "2026-01-05T09:31:05.250000+08:00", "live", OLD_TIME, 1),
    (2, 5, "btc stop", "BTC/USDT", "stop_loss", 57990.0, 58000.0, None,
     "2024-03-01T23:59:59+00:00", "backfill", "2024-03-02 00:00:00.000000", 0),
    (3, None, "deleted rule", "000001.SZ", "take_profit", 11.0, 10.5, 10.4,
     "2024-02-28T14:00:00+08:00", "replay", "2024-02-28 06:00:00.000000", 0),
    (4, 8, "eth zone", "ETH/USDT", "entry", 2999.0, 3000.0, 3001.0,
     "2024-03-03T10:00:00+00:00", "live", "2024-03-03 10:00:01.000000", 0),
]
_NEW_TASK_COLUMNS = (
    "direction, cross_level, cross_direction, cost_price, take_profit_pct, stop_loss_pct,"
    " change_up_pct, change_down_pct, trailing_activation, trailing_pct, trailing_amount,"
    " rebound_activation, rebound_pct, rebound_amount, trigger_mode, bar_timeframe,"
    " cooldown_s, rearm_band, rearm_band_pct, engine_state"
)
#: What every rule of an older app means in 0003 terms.
_DEFAULTS_0003 = (
    "long", None, "either", None, None, None, None, None, None, None, None, None, None, None,
    "once", "1m", 0, None, None, "{}",
)
#: The nullable numbers 0003 added that are conditions 0002 cannot express.
_NEW_CONDITIONS = (
    "cross_level", "cost_price", "take_profit_pct", "stop_loss_pct", "change_up_pct",
    "change_down_pct", "trailing_activation", "trailing_pct", "trailing_amount",
    "rebound_activation", "rebound_pct", "rebound_amount",
)


@pytest.fixture
def db_0002(db_path: Path) -> Path:
    """A database at revision 0002 holding rules and alerts."""
    migrate(db_path, "0002")
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executemany(
                f"INSERT INTO monitor_tasks ({_TASK_COLUMNS_0002}) VALUES ({','.join('?' * 19)})",
                _RULES_0002,
            )
            conn.executemany(
                f"INSERT INTO alert_events ({_ALERT_COLUMNS}) VALUES ({','.join('?' * 12)})",
                _ALERTS_0002,
            )
    finally:
        conn.close()
    assert version(db_path) == [("0002",)]
    return db_path


def test_upgrade_from_0002_keeps_rules_alerts_links_and_applies_defaults(db_0002: Path) -> None:
    database = open_database(db_0002)
    try:
        assert database.recovered_from is None
        assert_schema_matches_orm(database)
        store = Store(database)
        rules = store.list_rules()
        records, total = store.alert_page(0, 10)
    finally:
        database.close()

    assert version(db_0002) == [("0003",)]
    assert rows(db_0002, f"SELECT {_TASK_COLUMNS_0002} FROM monitor_tasks ORDER BY id") == (
        _RULES_0002
    )
    assert rows(db_0002, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id") == (
        _ALERTS_0002
    )
    assert rows(db_0002, f"SELECT {_NEW_TASK_COLUMNS} FROM monitor_tasks ORDER BY id") == [
        _DEFAULTS_0003
    ] * 3
    assert rows(db_0002, "PRAGMA foreign_key_check") == []
    assert rows(db_0002, "PRAGMA quick_check") == [("ok",)]

    assert [(r.id, r.status, r.validity) for r in rules] == [
        (3, TaskStatus.EXPIRED, Validity.TODAY),
        (5, TaskStatus.TRIGGERED, Validity.UNTIL_CANCELLED),
        (8, TaskStatus.RUNNING, Validity.UNTIL),
    ]
    for rule in rules:
        assert (rule.direction, rule.cross_direction, rule.trigger_mode) == (
            Direction.LONG, CrossDirection.EITHER, TriggerMode.ONCE,
        )
        assert (rule.bar_timeframe, rule.cooldown_s, rule.state) == ("1m", 0, "{}")
        assert all(getattr(rule, name) is None for name in _NEW_CONDITIONS)
        assert (rule.rearm_band, rule.rearm_band_pct) == (None, None)
    assert [r.fired for r in rules] == [{AlertKind.ENTRY}, {AlertKind.STOP_LOSS}, frozenset()]
    assert rules[0].valid_until == datetime(2026, 1, 5, 15, 0, tzinfo=BEIJING)
    assert total == 4
    assert {r.id: r.task_id for r in records} == {1: 3, 2: 5, 3: None, 4: 8}
    assert {r.id: r.kind for r in records}[2] is AlertKind.STOP_LOSS


def test_upgraded_0002_database_enforces_new_constraints_and_foreign_key(db_0002: Path) -> None:
    open_database(db_0002).close()

    execute(db_0002, "UPDATE monitor_tasks SET status = 'paused' WHERE id = 8")
    execute(
        db_0002,
        "UPDATE monitor_tasks SET direction = 'short', cross_level = 3100, trigger_mode ="
        " 'rearm', rearm_band_pct = 0.5, engine_state = '{\"x\": 1}' WHERE id = 8",
    )
    execute(db_0002, "UPDATE alert_events SET kind = 'trailing_entry' WHERE id = 4")
    for bad in (
        "direction = 'sideways'",
        "cross_direction = 'sideways'",
        "trigger_mode = 'always'",
        "bar_timeframe = '2m'",
        "cooldown_s = -5",
        "trailing_pct = 0",
        "rearm_band = -1",
        "engine_state = NULL",
        "status = 'bogus'",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            execute(db_0002, f"UPDATE monitor_tasks SET {bad} WHERE id = 3")
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0002, "UPDATE alert_events SET kind = 'cross' WHERE id = 1")
    # Both rebuilt tables still hold the FK: deleting a rule detaches its alerts, and an
    # alert cannot point at a rule that does not exist.
    execute(db_0002, "DELETE FROM monitor_tasks WHERE id = 3")
    assert rows(db_0002, "SELECT id, task_id FROM alert_events ORDER BY id") == [
        (1, None),
        (2, 5),
        (3, None),
        (4, 8),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0002, "UPDATE alert_events SET task_id = 4242 WHERE id = 2")


def test_fresh_and_from_0002_upgraded_databases_have_the_same_schema(
    db_0002: Path, tmp_path: Path
) -> None:
    open_database(db_0002).close()
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    assert schema(db_0002) == schema(fresh)


def test_store_writes_new_fields_into_an_upgraded_database(db_0002: Path) -> None:
    database = open_database(db_0002)
    try:
        store = Store(database)
        rule = store.get_rule(8)
        edited = store.save_rule(
            replace(rule, direction=Direction.SHORT, cross_level=3100.0, trailing_pct=2.0,
                    trigger_mode=TriggerMode.EVERY_TIME, cooldown_s=60)
        )
        alert = AlertFired(
            8, rule.task_name, rule.stock_code, AlertKind.CROSS_DOWN,
            datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc), 3099.0, 3100.0, 3101.0,
        )
        state = '{"cross": {"prev": 3099.0}}'
        store.record_alerts(
            [alert], [replace(edited, fired=frozenset({AlertKind.CROSS_DOWN}), state=state)]
        )
        assert store.get_rule(8) == replace(
            edited,
            fired=frozenset({AlertKind.CROSS_DOWN}),
            state=state,
            updated_at=store.get_rule(8).updated_at,
        )
        records, total = store.alert_page(0, 10)
    finally:
        database.close()
    assert total == 5
    assert records[0].kind is AlertKind.CROSS_DOWN and records[0].task_id == 8


# -- downgrade 0003 -> 0002 -----------------------------------------------------------


def test_downgrade_to_0002_restores_the_0002_schema_and_keeps_data(
    db_0002: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference.db"
    migrate(reference, "0002")
    open_database(db_0002).close()
    # Settings a 0002 rule behaves the same without (they only matter with a crossing
    # or another trigger mode), tracking state, and kinds left in fired_kinds by
    # conditions since removed: dropped, not refused.
    execute(
        db_0002,
        "UPDATE monitor_tasks SET cross_direction = 'up', bar_timeframe = '4h',"
        " cooldown_s = 60, rearm_band = 1.5, rearm_band_pct = 0.5,"
        " engine_state = '{\"cross\": {\"prev\": 1}}' WHERE id = 3",
    )
    execute(
        db_0002,
        "UPDATE monitor_tasks SET fired_kinds = 'change_down,cross_up,stop_loss,trailing_stop'"
        " WHERE id = 5",
    )
    execute(db_0002, "UPDATE monitor_tasks SET fired_kinds = 'change_up,cross_down' WHERE id = 8")

    migrate(db_0002, "0002", down=True)

    assert version(db_0002) == [("0002",)]
    assert schema(db_0002) == schema(reference)
    expected_rules = [list(rule) for rule in _RULES_0002]
    expected_rules[2][-1] = ""  # only stale new kinds: nothing left
    assert rows(db_0002, f"SELECT {_TASK_COLUMNS_0002} FROM monitor_tasks ORDER BY id") == [
        tuple(rule) for rule in expected_rules
    ]
    assert rows(db_0002, f"SELECT {_ALERT_COLUMNS} FROM alert_events ORDER BY id") == (
        _ALERTS_0002
    )
    assert rows(db_0002, "PRAGMA foreign_key_check") == []
    assert rows(db_0002, "PRAGMA quick_check") == [("ok",)]
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0002, "UPDATE monitor_tasks SET status = 'paused' WHERE id = 8")
    with pytest.raises(sqlite3.IntegrityError):
        execute(db_0002, "UPDATE alert_events SET kind = 'cross_up' WHERE id = 4")
    # The FK survived the rebuild of both tables.
    execute(db_0002, "DELETE FROM monitor_tasks WHERE id = 3")
    assert rows(db_0002, "SELECT id, task_id FROM alert_events ORDER BY id") == [
        (1, None), (2, 5), (3, None), (4, 8),
    ]

    # ...and the app upgrades it again.
    database = open_database(db_0002)
    try:
        assert database.recovered_from is None
        assert [(r.id, r.state) for r in Store(database).list_rules()] == [(5, "{}"), (8, "{}")]
    finally:
        database.close()


@pytest.mark.parametrize(
    "sql, named",
    [
        ("UPDATE monitor_tasks SET status = 'paused' WHERE id = 8", r"ids 8 \(status paused\)"),
        ("UPDATE monitor_tasks SET direction = 'short' WHERE id = 5", r"ids 5 \(direction short\)"),
        *(
            (
                f"UPDATE monitor_tasks SET trigger_mode = '{mode}' WHERE id = 3",
                rf"ids 3 \(trigger_mode {mode}\)",
            )
            for mode in ("once_per_bar", "every_time", "rearm")
        ),
        (
            "UPDATE monitor_tasks SET cross_level = 3100, cross_direction = 'up' WHERE id = 8",
            r"ids 8 \(cross_level\)",
        ),
        (
            "UPDATE monitor_tasks SET status = 'paused', direction = 'short',"
            " trailing_amount = 3 WHERE id = 3",
            r"ids 3 \(status paused, direction short, trailing_amount\)",
        ),
        (
            "UPDATE alert_events SET kind = 'trailing_stop' WHERE id = 2",
            r"alert\(s\) .* ids 2 \(trailing_stop, rule 5\)",
        ),
        (
            "UPDATE alert_events SET kind = 'cross_up' WHERE id = 3",
            r"alert\(s\) .* ids 3 \(cross_up, rule deleted\)",
        ),
    ],
    ids=[
        "paused", "short", "once_per_bar", "every_time", "rearm", "cross_level", "several",
        "alert-kind", "alert-of-deleted-rule",
    ],
)
def test_downgrade_refuses_what_0002_cannot_store(db_0002: Path, sql: str, named: str) -> None:
    open_database(db_0002).close()
    execute(db_0002, sql)
    tasks_before = rows(db_0002, "SELECT * FROM monitor_tasks ORDER BY id")
    alerts_before = rows(db_0002, "SELECT * FROM alert_events ORDER BY id")
    schema_before = rows(db_0002, "SELECT name, sql FROM sqlite_master ORDER BY name")

    with pytest.raises(RuntimeError, match="cannot downgrade to 0002") as info:
        migrate(db_0002, "0002", down=True)

    assert re.search(named, str(info.value)), str(info.value)
    assert "nothing was changed" in str(info.value)
    assert version(db_0002) == [("0003",)]
    assert rows(db_0002, "SELECT * FROM monitor_tasks ORDER BY id") == tasks_before
    assert rows(db_0002, "SELECT * FROM alert_events ORDER BY id") == alerts_before
    assert rows(db_0002, "SELECT name, sql FROM sqlite_master ORDER BY name") == schema_before


def test_downgrade_refuses_every_new_condition(db_0002: Path) -> None:
    open_database(db_0002).close()
    for name in _NEW_CONDITIONS:
        execute(db_0002, f"UPDATE monitor_tasks SET {name} = 2.5 WHERE id = 8")
        with pytest.raises(RuntimeError, match=rf"cannot downgrade to 0002: .*ids 8 \({name}\)"):
            migrate(db_0002, "0002", down=True)
        execute(db_0002, f"UPDATE monitor_tasks SET {name} = NULL WHERE id = 8")
    assert version(db_0002) == [("0003",)]
    migrate(db_0002, "0002", down=True)  # with every condition unset again, it goes through
    assert version(db_0002) == [("0002",)]


def test_downgrade_refusal_lists_every_offender(db_0002: Path) -> None:
    open_database(db_0002).close()
    execute(db_0002, "UPDATE monitor_tasks SET status = 'paused' WHERE id = 3")
    execute(db_0002, "UPDATE monitor_tasks SET change_up_pct = 5 WHERE id = 8")
    execute(db_0002, "UPDATE alert_events SET kind = 'change_up' WHERE id = 4")

    with pytest.raises(RuntimeError) as info:
        migrate(db_0002, "0002", down=True)

    message = str(info.value)
    assert "2 rule(s)" in message and "ids 3 (status paused), 8 (change_up_pct)" in message
    assert "1 alert(s)" in message and "ids 4 (change_up, rule 8)" in message
    assert version(db_0002) == [("0003",)]
