"""``hcmqa db upgrade``: migrate the database to the latest schema."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.common import EXIT_OK, CommandError, command, settings_of_args


@command
def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import current, upgrade
    from worker.runtime import ensure_sqlite_folder

    settings = settings_of_args(args)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    ensure_sqlite_folder(settings.database_url)
    try:
        upgrade(settings.database_url)
        revision = current(settings.database_url)
    except SQLAlchemyError as exc:
        raise CommandError(f"could not migrate the database at {shown}: {exc}") from None
    print(f"database {shown} is at revision {revision}")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """``db`` and its one action."""
    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_action", required=True
    )
    p = db.add_parser("upgrade", help="migrate the database (DATABASE_URL) to the latest schema")
    p.set_defaults(func=cmd_db_upgrade)
