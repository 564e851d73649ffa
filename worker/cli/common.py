"""What every job-system command shares: exit statuses, expected errors, the settings of a
command line, and the database check."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_SENT = 3


class CommandError(Exception):
    """An expected failure, shown as one message with exit status 2."""


def settings_of_args(args: argparse.Namespace) -> Any:
    """The worker settings from the environment, moved to ``--home`` when given."""
    from worker.settings import WorkerSettings

    settings = WorkerSettings.from_env()
    home = getattr(args, "home", None)
    return settings.with_home(Path(home).expanduser()) if home else settings


def session_factory(settings: Any) -> Any:
    from worker.runtime import session_factory_for

    return session_factory_for(settings)


def ensure_database(settings: Any) -> None:
    """Make sure the schema is current: the embedded SQLite file is migrated on the spot;
    a server database must be migrated deliberately (``hcmqa db upgrade``, or the compose
    ``migrate`` service), so a mismatch there is an error."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import current, heads, upgrade
    from worker.runtime import ensure_sqlite_folder

    url = settings.database_url
    shown = make_url(url).render_as_string(hide_password=True)
    ensure_sqlite_folder(url)
    try:
        revision = current(url)
        if revision in heads():
            return
        if make_url(url).get_backend_name() == "sqlite":
            upgrade(url)
            return
    except SQLAlchemyError as exc:
        raise CommandError(
            f"could not use the database at {shown}: {exc.__class__.__name__}: {exc.orig or exc}"
        ) from None
    raise CommandError(
        f"the database at {shown} is at revision {revision or 'none (empty)'}, not "
        f"{', '.join(heads())}; run: hcmqa db upgrade"
    )


def clients(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Settings, a session factory on a current database, and a Celery app to send with."""
    from worker.app import create_celery_app

    settings = settings_of_args(args)
    ensure_database(settings)
    return settings, session_factory(settings), create_celery_app(settings)


def command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn expected failures into one message and an exit status, the same under any parser."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from hcmqa.config import ConfigError
        from hcmqa.data.qa import ValidationError

        from jobs import BrokerUnavailableError, SubmissionError
        from worker.settings import SettingsError

        try:
            return func(args)
        except BrokerUnavailableError as exc:
            print(f"hcmqa: error: {exc}", file=sys.stderr)
            return EXIT_NOT_SENT
        except (
            CommandError,
            ConfigError,
            SubmissionError,
            SettingsError,
            ValidationError,
            FileNotFoundError,
        ) as exc:
            print(f"hcmqa: error: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return wrapper
