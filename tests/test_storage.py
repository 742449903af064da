"""Storage layer: migrations, connection settings and the Store, on real SQLite files."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, event, inspect, text
from sqlalchemy.exc import IntegrityError

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
from app.monitors.rules import Rule, validate_rule
from app.storage.db import (
    MIGRATIONS_DIR,
    Database,
    SchemaTooNewError,
    alembic_config,
    default_db_path,
    open_database,
)
from app.storage.repository import AlertRecord, RuleNotFound, Store
from app.storage.schema import Base

SHANGHAI = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 1, 1, 30, tzinfo=timezone.utc)


class FakeClock:
    """Deterministic 'now' so ordering and timestamp tests do not depend on timing."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "monitor.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(database: Database, clock: FakeClock) -> Store:
    return Store(database, clock=clock)


def reopen(store: Store) -> Store:
    """Close the database and open the file again, as an app restart would."""
    path = store.database.path
    store.database.close()
    return Store(open_database(path))


#: The issue-3 fields, every one set (more than validation would let through at once:
#: the Store stores whatever it is given, so each column must round-trip on its own).
LONG_CONDITIONS: dict[str, object] = {
    "direction": Direction.LONG,
    "cross_level": 1600.0,
    "cross_direction": CrossDirection.UP,
    "cost_price": 1550.5,
    "take_profit_pct": 8.75,
    "stop_loss_pct": 3.5,
    "change_up_pct": 5.0,
    "change_down_pct": 4.5,
    "trailing_activation": 1650.0,
    "trailing_pct": 2.5,
    "trailing_amount": 12.0,
    "rebound_activation": 1480.0,
    "rebound_pct": 1.25,
    "rebound_amount": 6.5,
    "trigger_mode": TriggerMode.REARM,
    "bar_timeframe": "4h",
    "cooldown_s": 90,
    "rearm_band": 0.5,
    "rearm_band_pct": 0.25,
}
SHORT_CONDITIONS: dict[str, object] = {
    **LONG_CONDITIONS,
    "direction": Direction.SHORT,
    "cross_direction": CrossDirection.DOWN,
    "trailing_activation": 1450.0,  # a short's trailing stop activates below
    "rebound_activation": 1650.0,
    "trigger_mode": TriggerMode.ONCE_PER_BAR,
    "bar_timeframe": "15m",
    "cooldown_s": 3600,
}
#: Some engine tracking as the engine writes it (canonical JSON); the Store keeps the text.
STATE = (
    '{"cross": {"prev": 1599.5}, "recent": [1709251865.25],'
    ' "trailing_stop": {"active": true, "extreme": 1702.25}}'
)


def full_rule(**changes: object) -> Rule:
    """A rule where every field differs from its default (a short: stop above target)."""
    rule = Rule(
        task_name="茅台 breakout",
        stock_code="600519.SH",
        stock_name="贵州茅台",
        status=TaskStatus.STOPPED,
        check_interval=30,
        auto_trade=True,
        trading_hours_only=True,
        entry_min=1500.25,
        entry_max=1510.5,
        take_profit=1420.125,
        stop_loss=1688.8,
        notification_enabled=False,
        quant_config='{"fast": 5, "note": "均线", "slow": 20}',
        validity=Validity.UNTIL,
        valid_until=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI),
        fired=frozenset({AlertKind.ENTRY, AlertKind.STOP_LOSS, AlertKind.CROSS_DOWN}),
        state=STATE,
        **SHORT_CONDITIONS,  # type: ignore[arg-type]
    )
    return replace(rule, **changes)


def alert_for(rule: Rule, kind: AlertKind = AlertKind.TAKE_PROFIT, **changes: object) -> AlertFired:
    alert = AlertFired(
        task_id=rule.id,
        task_name=rule.task_name,
        stock_code=rule.stock_code,
        kind=kind,
        time=datetime(2024, 3, 1, 9, 31, 5, 250000, tzinfo=SHANGHAI),
        price=1690.0,
        level=1688.8,
        prev_price=1687.5,
        source=AlertSource.LIVE,
    )
    return replace(alert, **changes)


def raw_rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


# -- migrations and schema ---------------------------------------------------------


def test_migration_creates_schema_matching_orm(database: Database) -> None:
    with database.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    assert {"monitor_tasks", "alert_events", "alembic_version"} <= tables
    assert diff == []
    assert version == [head]


def _normalise_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().strip("()").strip()


def test_check_constraints_match_orm(database: Database) -> None:
    """compare_metadata ignores CHECK constraints, so compare them by name and SQL."""
    inspector = inspect(database.engine)
    for table in Base.metadata.sorted_tables:
        reflected = {
            ck["name"]: _normalise_sql(ck["sqltext"])
            for ck in inspector.get_check_constraints(table.name)
        }
        declared = {
            ck.name: _normalise_sql(str(ck.sqltext))
            for ck in table.constraints
            if isinstance(ck, CheckConstraint)
        }
        assert declared, table.name
        assert reflected == declared, table.name


def test_check_constraints_refuse_bad_values(store: Store, db_path: Path) -> None:
    rule = store.save_rule(full_rule())
    with pytest.raises(IntegrityError):
        store.save_rule(replace(rule, take_profit=0.0))
    with sqlite3.connect(db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE monitor_tasks SET status = 'Running' WHERE id = ?", (rule.id,))
    with sqlite3.connect(db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO alert_events (task_name, stock_code, kind, price, level, event_time,"
            " source, created_at) VALUES ('t', 'X', 'take-profit', 1, 1, '', 'live', '')"
        )
    assert store.get_rule(rule.id) == rule


#: (column, refused values) of the issue-3 columns.
BAD_NEW_VALUES: list[tuple[str, tuple[str, ...]]] = [
    ("direction", ("'sideways'", "'Long'", "NULL")),
    ("cross_direction", ("'both'", "NULL")),
    ("trigger_mode", ("'twice'", "NULL")),
    ("bar_timeframe", ("'2h'", "'1M'", "NULL")),
    ("cooldown_s", ("-1", "NULL")),
    ("engine_state", ("NULL",)),
    ("status", ("'Paused'",)),
    *(
        (name, ("0", "-1.5"))
        for name in (
            "cross_level", "cost_price", "take_profit_pct", "stop_loss_pct", "change_up_pct",
            "change_down_pct", "trailing_activation", "trailing_pct", "trailing_amount",
            "rebound_activation", "rebound_pct", "rebound_amount", "rearm_band",
            "rearm_band_pct",
        )
    ),
]


def test_check_constraints_refuse_bad_new_rule_values(store: Store, db_path: Path) -> None:
    """The issue-3 columns refuse bad values at the SQL level, whoever writes them."""
    rule = store.save_rule(full_rule())
    accepted = []
    for column, values in BAD_NEW_VALUES:
        for value in values:
            with sqlite3.connect(db_path) as conn:
                try:
                    conn.execute(f"UPDATE monitor_tasks SET {column} = {value} WHERE id = ?",
                                 (rule.id,))
                except sqlite3.IntegrityError:
                    continue
                accepted.append(f"{column} = {value}")
    assert accepted == []
    assert store.get_rule(rule.id) == rule


def test_check_constraints_accept_every_new_enum_value(store: Store, db_path: Path) -> None:
    rule = store.save_rule(full_rule())
    assignments = [
        *(f"status = '{s.value}'" for s in TaskStatus),
        *(f"direction = '{d.value}'" for d in Direction),
        *(f"cross_direction = '{d.value}'" for d in CrossDirection),
        *(f"trigger_mode = '{m.value}'" for m in TriggerMode),
        *(f"bar_timeframe = '{t}'" for t in ("1m", "5m", "15m", "30m", "1h", "4h", "1d")),
        "cooldown_s = 0",
    ]
    with sqlite3.connect(db_path) as conn:
        for assignment in assignments:
            conn.execute(f"UPDATE monitor_tasks SET {assignment} WHERE id = ?", (rule.id,))
        for kind in AlertKind:
            conn.execute(
                "INSERT INTO alert_events (task_id, task_name, stock_code, kind, price, level,"
                " event_time, source, created_at) VALUES (?, 't', 'X', ?, 1, 1, '', 'live', '')",
                (rule.id, kind.value),
            )
    assert raw_rows(db_path, "SELECT count(*) FROM alert_events") == [(len(AlertKind),)]


def test_orm_refuses_values_outside_the_enums(store: Store) -> None:
    rule = store.save_rule(full_rule())
    for field_name, bad in (("direction", "sideways"), ("trigger_mode", "twice"),
                            ("cross_direction", "both")):
        with pytest.raises(Exception, match="is not a valid"):
            store.save_rule(replace(rule, **{field_name: bad}))
    with pytest.raises(IntegrityError):
        store.save_rule(replace(rule, bar_timeframe="2h"))
    assert store.get_rule(rule.id) == rule


def test_open_twice_is_idempotent(db_path: Path) -> None:
    first = open_database(db_path)
    saved = Store(first).save_rule(full_rule())
    first.close()
    schema_before = raw_rows(db_path, "SELECT type, name, sql FROM sqlite_master ORDER BY name")

    second = open_database(db_path)
    try:
        assert second.recovered_from is None
        assert Store(second).list_rules() == [saved]
    finally:
        second.close()
    schema_after = raw_rows(db_path, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    assert schema_after == schema_before
    assert raw_rows(db_path, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_empty_file_is_initialised_not_recovered(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    database = open_database(db_path)
    try:
        assert database.recovered_from is None
        assert Store(database).list_rules() == []
    finally:
        database.close()
    assert list(db_path.parent.glob("*.broken-*")) == []


def test_connection_pragmas(database: Database) -> None:
    names = ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
    # Two connections at once: the pool must configure every new connection.
    with database.engine.connect() as first, database.engine.connect() as second:
        seen = [
            {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}
            for conn in (first, second)
        ]
    expected = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1, "busy_timeout": 5000}
    assert seen == [expected, expected]
    # WAL is a property of the file, so other tools see it too.
    assert raw_rows(database.path, "PRAGMA journal_mode") == [("wal",)]


def test_default_db_path_is_in_user_data_dir() -> None:
    path = default_db_path()
    assert path.name == "monitor.db"
    assert path.parent.name == "PriceMonitor"


def test_alembic_ini_points_at_the_package_migrations() -> None:
    """Developers' `alembic -x db=... upgrade head` must use the same scripts as the app."""
    from alembic.config import Config

    ini = Path(__file__).resolve().parents[1] / "alembic.ini"
    script = ScriptDirectory.from_config(Config(str(ini)))
    assert Path(script.dir).resolve() == MIGRATIONS_DIR
    app_script = ScriptDirectory.from_config(alembic_config())
    assert script.get_current_head() == app_script.get_current_head()


# -- rules ------------------------------------------------------------------------


def test_every_rule_field_survives_restart(store: Store, clock: FakeClock) -> None:
    full = store.save_rule(full_rule())
    sparse = store.save_rule(
        Rule(task_name="btc stop", stock_code="BTC/USDT", stop_loss=58000.0)
    )

    restarted = reopen(store)
    try:
        assert restarted.list_rules() == [full, sparse]
    finally:
        restarted.database.close()
    assert full.to_dict() == full_rule().to_dict()
    assert full.fired == {AlertKind.ENTRY, AlertKind.STOP_LOSS, AlertKind.CROSS_DOWN}
    assert full.state == STATE
    assert (sparse.entry_min, sparse.entry_max, sparse.take_profit) == (None, None, None)
    assert (sparse.fired, sparse.state) == (frozenset(), "{}")
    assert full.created_at == full.updated_at == clock.now
    assert full.created_at.tzinfo == timezone.utc


@pytest.mark.parametrize("conditions", [LONG_CONDITIONS, SHORT_CONDITIONS], ids=["long", "short"])
def test_every_new_rule_field_survives_restart(
    store: Store, db_path: Path, conditions: dict[str, object]
) -> None:
    rule = Rule(
        task_name="茅台",
        stock_code="600519.SH",
        status=TaskStatus.PAUSED,
        fired=frozenset({AlertKind.CROSS_UP, AlertKind.TRAILING_ENTRY, AlertKind.CHANGE_DOWN}),
        state=STATE,
        **conditions,  # type: ignore[arg-type]
    )
    saved = store.save_rule(rule)

    restarted = reopen(store)
    try:
        loaded = restarted.get_rule(saved.id)
    finally:
        restarted.database.close()
    assert loaded == saved
    assert loaded.to_dict() == rule.to_dict()
    assert (loaded.status, loaded.fired, loaded.state) == (rule.status, rule.fired, rule.state)
    for name, value in conditions.items():
        assert getattr(loaded, name) == value, name
        assert type(getattr(loaded, name)) is type(value), name
    stored = raw_rows(
        db_path,
        "SELECT status, direction, cross_direction, trigger_mode, bar_timeframe, cooldown_s,"
        " fired_kinds, engine_state FROM monitor_tasks",
    )
    assert stored == [
        (
            "paused",
            str(conditions["direction"].value),  # type: ignore[attr-defined]
            str(conditions["cross_direction"].value),  # type: ignore[attr-defined]
            str(conditions["trigger_mode"].value),  # type: ignore[attr-defined]
            conditions["bar_timeframe"],
            conditions["cooldown_s"],
            "change_down,cross_up,trailing_entry",
            STATE,
        )
    ]


def test_a_default_rule_stores_the_defaults(store: Store, db_path: Path) -> None:
    saved = store.save_rule(Rule(task_name="btc", stock_code="BTC/USDT", stop_loss=58000.0))
    assert (saved.direction, saved.cross_direction, saved.trigger_mode) == (
        Direction.LONG, CrossDirection.EITHER, TriggerMode.ONCE,
    )
    assert (saved.bar_timeframe, saved.cooldown_s, saved.state) == ("1m", 0, "{}")
    assert raw_rows(
        db_path,
        "SELECT direction, cross_direction, trigger_mode, bar_timeframe, cooldown_s,"
        " engine_state, cross_level, cost_price, trailing_pct, rearm_band FROM monitor_tasks",
    ) == [("long", "either", "once", "1m", 0, "{}", None, None, None, None)]


def test_saving_a_rule_stores_its_state(store: Store) -> None:
    """save_rule writes ``state`` like ``fired`` (e.g. the service re-arming one condition)."""
    rule = store.save_rule(full_rule(state="{}"))
    moved = store.save_rule(replace(rule, state=STATE))
    assert store.get_rule(rule.id).state == moved.state == STATE
    cleared = store.save_rule(replace(moved, state="{}"))
    assert store.get_rule(rule.id).state == cleared.state == "{}"


def test_rule_from_validate_rule_round_trips(store: Store) -> None:
    rule = validate_rule(
        {
            "task_name": " ETH ",
            "stock_code": "eth/usdt",
            "entry_min": "3000",
            "quant_config": {"b": 1},
            "direction": "short",
            "cross_level": "3100",
            "cross_direction": "down",
            "cost_price": 3050,
            "take_profit_pct": 10,
            "stop_loss_pct": 5,
            "change_down_pct": 7.5,
            "trailing_activation": 2900,
            "trailing_amount": 25,
            "rebound_pct": 3,
            "trigger_mode": "every_time",
            "bar_timeframe": "4h",
            "cooldown_s": 300,
            "rearm_band_pct": 0.5,
        }
    )
    saved = store.save_rule(rule)
    assert store.get_rule(saved.id) == saved
    assert saved.to_dict() == rule.to_dict()


def test_fired_kinds_are_stored_sorted(store: Store, db_path: Path) -> None:
    rule = store.save_rule(full_rule(fired=frozenset(AlertKind)))
    stored = raw_rows(db_path, f"SELECT fired_kinds FROM monitor_tasks WHERE id = {rule.id}")
    assert stored == [(",".join(sorted(kind.value for kind in AlertKind)),)]


def test_update_keeps_created_at_and_moves_updated_at(store: Store, clock: FakeClock) -> None:
    created = store.save_rule(full_rule())
    later = clock.advance(90)
    updated = store.save_rule(
        replace(created, take_profit=1700.0, stop_loss=None, fired=frozenset(), created_at=None)
    )

    assert updated.id == created.id
    assert updated.created_at == created.created_at
    assert updated.updated_at == later
    assert (updated.take_profit, updated.stop_loss, updated.fired) == (1700.0, None, frozenset())
    assert store.list_rules() == [updated]


def test_timestamps_are_normalised_to_utc(database: Database) -> None:
    store = Store(database, clock=lambda: datetime(2024, 3, 1, 9, 30, tzinfo=SHANGHAI))
    saved = store.save_rule(full_rule())
    assert saved.created_at == datetime(2024, 3, 1, 1, 30, tzinfo=timezone.utc)
    assert saved.created_at.utcoffset() == timedelta(0)


def test_save_rule_with_unknown_id_raises(store: Store) -> None:
    with pytest.raises(RuleNotFound) as info:
        store.save_rule(full_rule(id=4242))
    assert isinstance(info.value, KeyError)
    assert store.list_rules() == []


def test_get_rule_missing_returns_none(store: Store) -> None:
    assert store.get_rule(1) is None


def test_delete_rule_keeps_alert_history(store: Store) -> None:
    keep = store.save_rule(full_rule(task_name="keep"))
    gone = store.save_rule(full_rule(task_name="gone"))
    store.record_alerts([alert_for(keep), alert_for(gone)], [])

    store.delete_rule(gone.id)

    assert store.get_rule(gone.id) is None
    records, total = store.alert_page(0, 10)
    assert total == 2
    by_name = {record.task_name: record for record in records}
    assert by_name["gone"].task_id is None
    assert by_name["gone"].stock_code == gone.stock_code
    assert by_name["keep"].task_id == keep.id
    with pytest.raises(RuleNotFound):
        store.delete_rule(gone.id)


def test_set_status_selected_and_all(store: Store, clock: FakeClock) -> None:
    rules = [
        store.save_rule(full_rule(task_name=f"r{i}", status=TaskStatus.RUNNING)) for i in range(3)
    ]
    clock.advance(5)

    stopped = store.set_status([rules[2].id, rules[0].id], TaskStatus.STOPPED)
    assert [r.id for r in stopped] == [rules[0].id, rules[2].id]
    assert all(r.status is TaskStatus.STOPPED and r.updated_at == clock.now for r in stopped)
    assert store.get_rule(rules[1].id) == rules[1]
    assert all(r.fired == rules[0].fired for r in stopped)

    assert all(r.state == STATE for r in stopped), "stopping keeps the tracking"

    clock.advance(5)
    everything = store.set_status(None, TaskStatus.RUNNING, clear_fired=True)
    assert everything == store.list_rules()
    assert [(r.status, r.fired, r.state) for r in everything] == [
        (TaskStatus.RUNNING, frozenset(), "{}")
    ] * 3


def test_set_status_clear_fired_resets_engine_state(store: Store, db_path: Path) -> None:
    """A re-armed rule starts tracking from scratch; a resumed one continues."""
    rule = store.save_rule(full_rule(status=TaskStatus.RUNNING))
    (paused,) = store.set_status([rule.id], TaskStatus.PAUSED)
    assert (paused.status, paused.fired, paused.state) == (TaskStatus.PAUSED, rule.fired, STATE)
    (resumed,) = store.set_status([rule.id], TaskStatus.RUNNING)
    assert (resumed.fired, resumed.state) == (rule.fired, STATE)

    (rearmed,) = store.set_status([rule.id], TaskStatus.RUNNING, clear_fired=True)

    assert (rearmed.fired, rearmed.state) == (frozenset(), "{}")
    assert raw_rows(db_path, "SELECT fired_kinds, engine_state FROM monitor_tasks") == [("", "{}")]
    restarted = reopen(store)
    try:
        assert restarted.get_rule(rule.id) == rearmed
    finally:
        restarted.database.close()


def test_set_status_with_missing_id_changes_nothing(store: Store) -> None:
    rule = store.save_rule(full_rule(status=TaskStatus.RUNNING))
    with pytest.raises(RuleNotFound):
        store.set_status([rule.id, rule.id + 100], TaskStatus.STOPPED)
    assert store.get_rule(rule.id) == rule
    assert store.set_status([], TaskStatus.STOPPED) == []


# -- alerts -----------------------------------------------------------------------


def test_record_alerts_persists_alerts_and_rule_state(store: Store, clock: FakeClock) -> None:
    rule = store.save_rule(full_rule(status=TaskStatus.RUNNING, fired=frozenset(), state="{}"))
    clock.advance(60)
    fired_rule = replace(
        rule,
        status=TaskStatus.TRIGGERED,
        fired=frozenset({AlertKind.TAKE_PROFIT}),
        state=STATE,
    )
    alert = alert_for(rule, source=AlertSource.BACKFILL, prev_price=None)

    ids = store.record_alerts([alert], [fired_rule])

    restarted = reopen(store)
    try:
        stored_rule = restarted.get_rule(rule.id)
        records, total = restarted.alert_page(0, 10)
    finally:
        restarted.database.close()
    assert stored_rule == replace(fired_rule, updated_at=clock.now)
    assert stored_rule.state == STATE
    assert total == 1
    assert records == [
        AlertRecord(
            id=ids[0],
            task_id=rule.id,
            task_name=alert.task_name,
            stock_code=alert.stock_code,
            kind=AlertKind.TAKE_PROFIT,
            event_time=alert.time,
            price=alert.price,
            level=alert.level,
            prev_price=None,
            source=AlertSource.BACKFILL,
            created_at=clock.now,
            acknowledged=False,
        )
    ]


def test_record_alerts_only_writes_engine_state(store: Store) -> None:
    """A stale engine copy must not undo the user's edit of the rule's levels."""
    rule = store.save_rule(full_rule(fired=frozenset(), state="{}"))
    edited = store.save_rule(
        replace(rule, take_profit=1400.0, trailing_pct=4.0, trigger_mode=TriggerMode.ONCE)
    )
    store.record_alerts(
        [alert_for(rule)],
        [replace(rule, fired=frozenset({AlertKind.ENTRY}), state=STATE, task_name="stale")],
    )
    stored = store.get_rule(rule.id)
    assert (stored.take_profit, stored.trailing_pct, stored.trigger_mode, stored.task_name) == (
        edited.take_profit, edited.trailing_pct, edited.trigger_mode, edited.task_name,
    )
    assert (stored.fired, stored.state) == ({AlertKind.ENTRY}, STATE)


def test_record_alerts_writes_tracking_only_states(store: Store, clock: FakeClock) -> None:
    """``states``: rules whose only change is their tracking; just engine_state is written."""
    tracked = store.save_rule(full_rule(task_name="tracked", state="{}"))
    changed = store.save_rule(full_rule(task_name="changed", state="{}", fired=frozenset()))
    untouched = store.save_rule(full_rule(task_name="untouched"))
    clock.advance(30)
    new_changed = replace(changed, fired=frozenset({AlertKind.CROSS_DOWN}), state='{"c":{}}')

    ids = store.record_alerts(
        [alert_for(changed, AlertKind.CROSS_DOWN)],
        [new_changed],
        states={tracked.id: STATE, changed.id: '{"stale": 1}', 4242: STATE},
    )

    restarted = reopen(store)
    try:
        rules = {rule.task_name: rule for rule in restarted.list_rules()}
        _, total = restarted.alert_page(0, 10)
    finally:
        restarted.database.close()
    assert len(ids) == total == 1
    assert rules["tracked"] == replace(tracked, state=STATE), "only the state, not updated_at"
    assert rules["changed"] == replace(new_changed, updated_at=clock.now), "rules win"
    assert rules["untouched"] == untouched


def test_record_alerts_states_alone(store: Store) -> None:
    rule = store.save_rule(full_rule(state="{}"))
    assert store.record_alerts([], [], states={rule.id: STATE}) == []
    assert store.get_rule(rule.id) == replace(rule, state=STATE)
    assert store.record_alerts([], [], states={}) == []


def test_record_alerts_failure_loses_tracking_states_too(store: Store) -> None:
    rule = store.save_rule(full_rule(state="{}"))
    other = store.save_rule(full_rule(task_name="other", state="{}"))
    with pytest.raises(IntegrityError):
        store.record_alerts(
            [alert_for(rule, task_id=rule.id + 1000)], [], states={other.id: STATE}
        )
    assert store.get_rule(other.id) == other
    assert store.alert_page(0, 10) == ([], 0)


@pytest.mark.parametrize("kind", list(AlertKind), ids=[kind.value for kind in AlertKind])
def test_every_alert_kind_is_recorded_with_the_rule_state(
    store: Store, kind: AlertKind
) -> None:
    rule = store.save_rule(full_rule(fired=frozenset(), state="{}", status=TaskStatus.RUNNING))
    changed = replace(rule, fired=frozenset({kind}), state=STATE)

    (alert_id,) = store.record_alerts([alert_for(rule, kind)], [changed])

    restarted = reopen(store)
    try:
        records, _ = restarted.alert_page(0, 10)
        stored = restarted.get_rule(rule.id)
    finally:
        restarted.database.close()
    assert [(r.id, r.kind) for r in records] == [(alert_id, kind)]
    assert (stored.fired, stored.state) == ({kind}, STATE)


def test_record_alerts_returns_ids_in_order(store: Store) -> None:
    rule = store.save_rule(full_rule())
    alerts = [alert_for(rule, price=p) for p in (1.5, 2.5, 3.5)]
    ids = store.record_alerts(alerts, [rule])
    records, _ = store.alert_page(0, 10)
    price_by_id = {record.id: record.price for record in records}
    assert [price_by_id[i] for i in ids] == [1.5, 2.5, 3.5]


def _fail_with_unknown_rule(store: Store, rule: Rule) -> None:
    good = replace(
        rule, status=TaskStatus.TRIGGERED, fired=frozenset({AlertKind.TAKE_PROFIT}), state=STATE
    )
    gone = replace(rule, id=rule.id + 1000)
    with pytest.raises(RuleNotFound):
        store.record_alerts([alert_for(rule)], [good, gone])


def _fail_with_unknown_alert_task(store: Store, rule: Rule) -> None:
    alerts = [alert_for(rule), alert_for(rule, task_id=rule.id + 1000)]
    with pytest.raises(IntegrityError):
        store.record_alerts(alerts, [replace(rule, status=TaskStatus.TRIGGERED, state=STATE)])


def _fail_with_naive_alert_time(store: Store, rule: Rule) -> None:
    alerts = [alert_for(rule), alert_for(rule, time=datetime(2024, 3, 1, 9, 30))]
    with pytest.raises(Exception, match="naive datetime"):
        store.record_alerts(alerts, [replace(rule, status=TaskStatus.TRIGGERED, state=STATE)])


def _fail_with_bad_state_value(store: Store, rule: Rule) -> None:
    """A state the database refuses (NULL breaks NOT NULL) while writing the batch."""
    changed = replace(rule, fired=frozenset({AlertKind.TAKE_PROFIT}), state=None)
    with pytest.raises(IntegrityError):
        store.record_alerts([alert_for(rule)], [changed])


def _fail_at_commit(store: Store, rule: Rule) -> None:
    """Everything was written (and flushed); then COMMIT itself fails, e.g. disk full."""

    def disk_full(connection: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    changed = replace(
        rule, status=TaskStatus.TRIGGERED, fired=frozenset({AlertKind.TAKE_PROFIT}), state=STATE
    )
    event.listen(store.database.engine, "commit", disk_full)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            store.record_alerts([alert_for(rule)], [changed])
    finally:
        event.remove(store.database.engine, "commit", disk_full)


@pytest.mark.parametrize(
    "fail",
    [
        _fail_with_unknown_rule,
        _fail_with_unknown_alert_task,
        _fail_with_naive_alert_time,
        _fail_with_bad_state_value,
        _fail_at_commit,
    ],
    ids=["unknown-rule", "foreign-key", "bad-value", "bad-state", "commit"],
)
def test_record_alerts_is_atomic(store: Store, fail: Callable[[Store, Rule], None]) -> None:
    """A failure loses the alerts AND the rules' new status, fired kinds and state: the
    engine then sees the price again with the old state and fires the alert again."""
    rule = store.save_rule(full_rule(status=TaskStatus.RUNNING, fired=frozenset(), state="{}"))
    store.record_alerts([alert_for(rule, price=1.0)], [])
    before = store.alert_page(0, 100)

    fail(store, rule)

    assert store.get_rule(rule.id) == rule
    assert store.alert_page(0, 100) == before


def test_event_time_offsets_survive_restart(store: Store) -> None:
    rule = store.save_rule(full_rule())
    times = [
        datetime(2024, 3, 1, 9, 31, 5, 250000, tzinfo=SHANGHAI),
        datetime(2024, 3, 1, 23, 59, 59, tzinfo=timezone.utc),
        datetime(2024, 3, 1, 4, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    ]
    ids = store.record_alerts([alert_for(rule, time=t) for t in times], [])

    restarted = reopen(store)
    try:
        records, _ = restarted.alert_page(0, 10)
    finally:
        restarted.database.close()
    by_id = {record.id: record.event_time for record in records}
    for alert_id, original in zip(ids, times):
        assert by_id[alert_id] == original
        assert by_id[alert_id].utcoffset() == original.utcoffset()


def test_alert_page_newest_first_with_paging(store: Store, clock: FakeClock) -> None:
    rule = store.save_rule(full_rule())
    expected: list[tuple[datetime, int]] = []
    # Out-of-order clock plus repeats: order must follow created_at, then id.
    for offset in (30, 10, 20, 20, 50, 10, 40):
        clock.now = T0 + timedelta(seconds=offset)
        (alert_id,) = store.record_alerts([alert_for(rule)], [])
        expected.append((clock.now, alert_id))
    expected.sort(reverse=True)

    pages = [store.alert_page(page, 3) for page in range(4)]

    assert [total for _, total in pages] == [len(expected)] * 4
    assert [len(rows) for rows, _ in pages] == [3, 3, 1, 0]
    flattened = [(r.created_at, r.id) for rows, _ in pages for r in rows]
    assert flattened == expected


@pytest.mark.parametrize("page, size", [(-1, 10), (0, 0)])
def test_alert_page_rejects_bad_arguments(store: Store, page: int, size: int) -> None:
    with pytest.raises(ValueError):
        store.alert_page(page, size)


def test_acknowledge(store: Store) -> None:
    rule = store.save_rule(full_rule())
    ids = store.record_alerts([alert_for(rule) for _ in range(3)], [])

    assert store.acknowledge([ids[0], ids[2], 9999]) == 2
    assert store.acknowledge([]) == 0

    restarted = reopen(store)
    try:
        records, _ = restarted.alert_page(0, 10)
    finally:
        restarted.database.close()
    assert {r.id: r.acknowledged for r in records} == {ids[0]: True, ids[1]: False, ids[2]: True}


def test_store_built_on_one_thread_used_on_another(db_path: Path) -> None:
    store = Store(open_database(db_path))
    store.save_rule(full_rule())
    results: list[object] = []

    def worker() -> None:
        try:
            rule = store.list_rules()[0]
            store.record_alerts([alert_for(rule)], [replace(rule, status=TaskStatus.TRIGGERED)])
            results.append(store.get_rule(rule.id).status)
        except Exception as exc:  # surfaced by the assert below
            results.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    try:
        assert results == [TaskStatus.TRIGGERED]
        assert store.alert_page(0, 1)[1] == 1
    finally:
        store.database.close()


# -- future migrations ------------------------------------------------------------

_BATCH_MIGRATION = '''
"""test-only: a batch ALTER that recreates monitor_tasks."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitor_tasks", recreate="always") as batch:
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("monitor_tasks") as batch:
        batch.drop_column("note")
'''


def test_batch_migration_keeps_alert_links_and_newer_schema_is_refused(
    tmp_path: Path, db_path: Path
) -> None:
    """A table-recreating migration must not fire ON DELETE SET NULL on the history;
    and the older app then refuses the upgraded file instead of calling it broken."""
    database = open_database(db_path)
    store = Store(database)
    rule = store.save_rule(full_rule())
    (alert_id,) = store.record_alerts([alert_for(rule)], [])
    database.close()

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    migration = _BATCH_MIGRATION.replace('"HEAD"', repr(head))
    (scripts / "versions" / "9001_add_note.py").write_text(migration)
    upgraded = open_database(db_path, script_location=scripts)
    upgraded.close()

    assert raw_rows(db_path, "SELECT id, task_id FROM alert_events") == [(alert_id, rule.id)]
    assert raw_rows(db_path, "SELECT note FROM monitor_tasks") == [("",)]
    assert raw_rows(db_path, "PRAGMA foreign_key_check") == []
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="9001"):
        open_database(db_path)
    assert db_path.read_bytes() == before
    assert list(db_path.parent.glob("*.broken-*")) == []

