"""Programmatic Alembic commands, so the app/CLI can migrate without an ``alembic.ini`` on disk.

Every function takes the target explicitly (a URL or an Engine); nothing comes from the
environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, pool
from sqlalchemy.engine import URL, make_url

from db.session import make_engine

__all__ = ["MIGRATIONS_DIR", "current", "downgrade", "heads", "make_config", "upgrade"]

#: Folder holding env.py and versions/, shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

Target = str | URL | Engine


def _url_string(url: str | URL) -> str:
    """Render a URL with its password (Alembic needs a connectable string)."""
    return make_url(url).render_as_string(hide_password=False)


def make_config(url: Optional[str | URL] = None) -> Config:
    """Alembic ``Config`` pointing at the packaged migrations, with ``sqlalchemy.url`` set.

    ``%`` is doubled because Config values go through ConfigParser interpolation
    (URL-encoded passwords contain ``%``).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", _url_string(url).replace("%", "%%"))
    # A library must not reconfigure the host application's logging.
    config.attributes["configure_logger"] = False
    return config


@contextmanager
def _configured(target: Target) -> Iterator[Config]:
    """Config for ``target``; an Engine is handed to env.py as an open connection."""
    if isinstance(target, Engine):
        with target.connect() as connection:
            config = make_config()
            config.attributes["connection"] = connection
            yield config
    else:
        yield make_config(target)


def upgrade(url: Target, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the single head)."""
    with _configured(url) as config:
        command.upgrade(config, revision)


def downgrade(url: Target, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` drops everything)."""
    with _configured(url) as config:
        command.downgrade(config, revision)


def current(url: Target) -> Optional[str]:
    """Revision the database is at, or ``None`` if it was never migrated."""
    if isinstance(url, Engine):
        with url.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    engine = make_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def heads() -> list[str]:
    """Head revisions of the migration scripts (the project keeps exactly one)."""
    return list(ScriptDirectory.from_config(make_config()).get_heads())
