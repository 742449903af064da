"""Alembic environment for the price monitor database.

Two ways in:

* the app (``app.storage.db.open_database``) passes its own connection, already
  inside a transaction with foreign keys disabled, via
  ``config.attributes["connection"]``; nothing here opens another connection,
  so the upgrade runs on the same engine and in the same transaction as the
  app's own schema checks;
* developers run ``uv run alembic -x db=PATH upgrade head`` (alembic.ini at the
  repository root); then this file opens the database itself with the app's
  connection settings.
"""

from __future__ import annotations

from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

from app.storage.db import (
    check_foreign_keys,
    create_sqlite_engine,
    default_db_path,
    foreign_keys_disabled,
)
from app.storage.schema import Base

config = context.config
target_metadata = Base.metadata

# Only the command line configures logging; the app has its own logging setup.
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=True,
        # True on SQLite because db.py makes SQLAlchemy emit BEGIN itself.
        transactional_ddl=True,
        compare_type=True,
        **kwargs,
    )


def _cli_database_path() -> Path:
    db = context.get_x_argument(as_dictionary=True).get("db")
    return Path(db).expanduser() if db else default_db_path()


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the SQL instead of running it."""
    url = config.get_main_option("sqlalchemy.url") or f"sqlite:///{_cli_database_path()}"
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run_on(given)
        return
    engine = create_sqlite_engine(_cli_database_path())
    try:
        with engine.connect() as connection, foreign_keys_disabled(connection):
            with connection.begin():
                _run_on(connection)
                check_foreign_keys(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
