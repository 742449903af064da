"""Opening the SQLite database: engine setup, migrations and broken-file recovery.

The app must always start, even when the database file was damaged (a crash
mid-write on a flaky disk, a user restoring the wrong file). But the file holds
the user's rules and alert history, so a damaged database is never deleted: it
is moved aside as ``<name>.broken-<timestamp>`` (with its ``-wal``/``-shm``/
``-journal`` companions, which belong to it) and a fresh database is created.
Only *damage* triggers that. A database written by a newer app version, or one
that is locked or unreadable for environmental reasons, raises instead: moving
such a file aside would throw away perfectly good data.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import closing, contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

APP_NAME = "PriceMonitor"
DB_FILENAME = "monitor.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
#: Tables the app cannot work without; checked after migrating.
REQUIRED_TABLES = frozenset({"monitor_tasks", "alert_events"})
#: Files SQLite keeps next to a database; they are part of its state.
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")

_SQLITE_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100
#: Set while migrating; see _migrate.
_defer_wal: ContextVar[bool] = ContextVar("_defer_wal", default=False)

# Primary SQLite result codes that describe the environment (locks, permissions,
# disk), not the file's content: https://www.sqlite.org/rescode.html
_ENVIRONMENTAL_CODES = frozenset({3, 5, 6, 7, 8, 10, 13, 14, 23})
_SQLITE_IOERR_SHORT_READ = 522  # an I/O code that does mean a truncated file
_ENVIRONMENTAL_MESSAGES = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "readonly database",
    "disk i/o error",
    "database or disk is full",
    "out of memory",
    "access permission denied",
)


class DatabaseError(Exception):
    """The storage layer could not provide a usable database."""


class SchemaTooNewError(DatabaseError):
    """The database was migrated by a newer app version than this one.

    Raised instead of treating the file as broken: the data is fine, this
    build just does not know its schema, so the user should upgrade the app.
    """

    def __init__(self, path: Path, revisions: tuple[str, ...]) -> None:
        super().__init__(
            f"{path} uses database schema revision {', '.join(revisions)}, which this "
            "version of the app does not know; it was written by a newer version. "
            "Please update the app (the file was left untouched)."
        )
        self.path = path
        self.revisions = revisions


class DatabaseUnavailableError(DatabaseError):
    """The database could not be opened for a reason outside the file's content
    (locked by another process, permissions, full disk). The file was left alone."""


class _BrokenDatabase(Exception):
    """Internal: the file's content is damaged or not a database."""


class Database:
    """An open database: the engine plus a session factory.

    Sessions are created per unit of work; ``expire_on_commit=False`` lets the
    repository convert rows to dataclasses after committing without reloading.
    """

    def __init__(self, engine: Engine, path: Path, recovered_from: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        #: Where a damaged previous database was moved, so the UI can tell the user.
        self.recovered_from = recovered_from
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        """Close pooled connections; the last close checkpoints and removes the WAL."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database(path={str(self.path)!r}, recovered_from={self.recovered_from!r})"


def default_db_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def create_sqlite_engine(path: Path) -> Engine:
    """Engine for the database at ``path`` with the app's connection settings.

    ``check_same_thread=False`` because the Store may be built on one thread and
    used on its worker thread; each method uses its own session, so no
    connection is ever used by two threads at once. SQLAlchemy (not the
    sqlite3 module) emits BEGIN, so that DDL and reads are transactional too:
    a migration either completes or leaves the file as it was.
    """
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _emit_begin)
    return engine


def _configure_connection(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _emit_begin
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first, so switching to WAL waits for another process's lock.
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not _defer_wal.get():
            _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _enable_wal(dbapi: Any) -> None:
    """Switch the file to WAL (persistent), so the GUI's reads never wait for writes."""
    mode = dbapi.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        logger.warning("SQLite refused WAL mode (journal_mode=%s); continuing", mode)


def _emit_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@contextmanager
def foreign_keys_disabled(connection: Connection) -> Iterator[None]:
    """Turn off FK enforcement around a migration.

    Batch ALTERs on SQLite recreate tables (copy, DROP, rename); with enforcement
    on, dropping ``monitor_tasks`` would fire ON DELETE SET NULL and detach every
    alert from its rule. The pragma is ignored inside a transaction, so it is set
    on the raw connection before BEGIN; run :func:`check_foreign_keys` before
    committing instead.
    """
    if connection.in_transaction():
        raise RuntimeError("foreign_keys can only be changed outside a transaction")
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    """Fail (and so roll back) a migration that left dangling references."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise _BrokenDatabase(f"foreign key violations after migrating: {violations[:5]}")


def alembic_config(
    connection: Connection | None = None, script_location: Path = MIGRATIONS_DIR
) -> Config:
    """Alembic configuration built in code, so the installed app needs no alembic.ini."""
    config = Config()
    # ConfigParser interpolation would choke on a '%' in the install path.
    config.set_main_option("script_location", str(script_location).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def open_database(path: Path, *, script_location: Path = MIGRATIONS_DIR) -> Database:
    """Open (creating or upgrading as needed) the database at ``path``.

    A damaged file is moved aside and replaced by a fresh database; see the
    module docstring. Raises :class:`SchemaTooNewError` for a database from a
    newer app version and :class:`DatabaseUnavailableError` when the file cannot
    be used for environmental reasons; in both cases the file is not touched.
    """
    path = Path(path).expanduser().absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open_and_migrate(path, script_location)
    except SchemaTooNewError:
        raise
    except (_BrokenDatabase, SQLAlchemyError, sqlite3.Error, CommandError, OSError) as exc:
        if _is_environmental(exc):
            raise DatabaseUnavailableError(f"cannot open {path}: {_summary(exc)}") from exc
        problem: Exception = exc
    try:
        backup = quarantine(path)
    except OSError as exc:
        raise DatabaseUnavailableError(
            f"{path} is unusable ({_summary(problem)}) but could not be moved aside: {exc}"
        ) from exc
    logger.warning(
        "Database %s is unusable (%s); moved it to %s and created a fresh database",
        path,
        _summary(problem),
        backup,
    )
    try:
        database = _open_and_migrate(path, script_location)
    except Exception as exc:
        raise DatabaseError(
            f"could not create a fresh database at {path} (the damaged one is at {backup})"
        ) from exc
    database.recovered_from = backup
    return database


def _open_and_migrate(path: Path, script_location: Path) -> Database:
    _probe_file(path)
    engine = create_sqlite_engine(path)
    try:
        _migrate(engine, path, script_location)
    except BaseException:
        engine.dispose()  # release the file before anyone renames it
        raise
    return Database(engine, path)


def _probe_file(path: Path) -> None:
    """Detect damage before SQLAlchemy or Alembic touch the file.

    Uses a plain sqlite3 connection that is certainly closed afterwards, so a
    damaged file can be renamed even on Windows.
    """
    if not path.exists() or path.stat().st_size == 0:
        return  # SQLite treats an empty file as an empty database
    with path.open("rb") as handle:
        header = handle.read(_HEADER_SIZE)
    if not header.startswith(_SQLITE_HEADER) or len(header) < _HEADER_SIZE:
        raise _BrokenDatabase("not a SQLite database (bad file header)")
    _check_size(path, header)
    with closing(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    problems = [row[0] for row in rows if row[0] != "ok"]
    if problems:
        raise _BrokenDatabase(f"integrity check failed: {'; '.join(problems[:5])}")


def _check_size(path: Path, header: bytes) -> None:
    """Catch a truncated file, which ``quick_check`` may not notice.

    The header's page count is only trustworthy when its "version-valid-for"
    field matches the change counter, and with a ``-wal`` or hot ``-journal``
    file present the main file may legitimately differ until SQLite recovers
    it; skip the check in those cases.
    """
    if any(path.with_name(path.name + suffix).exists() for suffix in SIDECAR_SUFFIXES):
        return
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if valid_for != change_counter or page_count == 0:
        return
    expected = page_count * page_size
    actual = path.stat().st_size
    if actual < expected:
        raise _BrokenDatabase(f"file is truncated ({actual} of {expected} bytes)")


def _migrate(engine: Engine, path: Path, script_location: Path) -> None:
    """Bring the schema to head in one transaction (check, upgrade, verify).

    WAL is switched on only after that transaction committed: the switch rewrites
    the file header and is not undone by a rollback, and a file that turns out
    to be broken or too new must be left exactly as it was found.
    """
    config = alembic_config(script_location=script_location)
    script = ScriptDirectory.from_config(config)
    token = _defer_wal.set(True)
    try:
        with engine.connect() as connection:
            with foreign_keys_disabled(connection), connection.begin():
                _refuse_newer_schema(connection, script, path)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                check_foreign_keys(connection)
                _check_required_tables(connection)
            _enable_wal(connection.connection.driver_connection)
    finally:
        _defer_wal.reset(token)


def _refuse_newer_schema(connection: Connection, script: ScriptDirectory, path: Path) -> None:
    context = MigrationContext.configure(connection, opts={"transactional_ddl": True})
    current = context.get_current_heads()
    unknown = tuple(rev for rev in current if not _is_known_revision(script, rev))
    if unknown:
        raise SchemaTooNewError(path, unknown)


def _is_known_revision(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _check_required_tables(connection: Connection) -> None:
    missing = REQUIRED_TABLES - set(inspect(connection).get_table_names())
    if missing:
        raise _BrokenDatabase(f"tables missing after migrating: {', '.join(sorted(missing))}")


def quarantine(path: Path) -> Path:
    """Move a damaged database and its companion files aside; return the new path.

    Companions keep SQLite's naming (``<backup>-wal``) so opening the backup with
    any SQLite tool still sees the uncheckpointed data.
    """
    backup = _backup_name(path)
    if path.exists():
        path.rename(backup)
    for suffix in SIDECAR_SUFFIXES:
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            # A stale WAL left next to the fresh database would be replayed into it.
            sidecar.rename(backup.with_name(backup.name + suffix))
    return backup


def _backup_name(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.broken-{stamp}"
    candidate = path.with_name(base)
    counter = 1
    while _name_taken(candidate):
        candidate = path.with_name(f"{base}-{counter}")
        counter += 1
    return candidate


def _name_taken(candidate: Path) -> bool:
    names = [candidate] + [candidate.with_name(candidate.name + s) for s in SIDECAR_SUFFIXES]
    return any(name.exists() for name in names)


def _summary(exc: BaseException) -> str:
    """First line of an error: SQLAlchemy errors otherwise carry whole statements."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return lines[0][:300]


def _is_environmental(exc: BaseException) -> bool:
    """True when the error says "cannot access the file", not "the file is bad"."""
    if isinstance(exc, OSError):
        return True
    error = _find_sqlite_error(exc)
    if error is None:
        return False
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code != _SQLITE_IOERR_SHORT_READ and (code & 0xFF) in _ENVIRONMENTAL_CODES
    message = str(error).lower()
    return any(text in message for text in _ENVIRONMENTAL_MESSAGES)


def _find_sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return current
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])
    return None
