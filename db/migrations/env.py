"""Alembic environment for the HCM-QA schema.

The database URL comes, in order of precedence, from an existing connection placed in
``config.attributes["connection"]`` (used by :mod:`db.migrate`), ``-x url=...`` on the
command line, or the ``sqlalchemy.url`` option. Nothing is read from the environment.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, pool

from db.models import Base
from db.session import make_engine

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

log = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def _database_url() -> str:
    """Resolve the URL from ``-x url=...`` first, then from ``sqlalchemy.url``."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError(
            "no database URL: pass `-x url=<sqlalchemy url>` or set the sqlalchemy.url option"
        )
    return url


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade --sql``) without a database connection."""
    url = _database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with_connection(connection: Connection) -> None:
    """Run migrations on ``connection``, disabling SQLite FK enforcement around them.

    Batch ("move and copy") migrations drop and recreate tables on SQLite; with foreign keys
    enforced that DROP would cascade-delete child rows. The pragma only takes effect outside
    a transaction, so it is skipped when the caller already opened one.
    """
    toggle_fks = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if toggle_fks:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if toggle_fks:
            if connection.in_transaction():
                connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def run_migrations_online() -> None:
    """Run migrations against a live database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with_connection(connection)
        return
    # NullPool: the migration connection (with its pragma changes) is never reused.
    engine = make_engine(_database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            _run_with_connection(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
