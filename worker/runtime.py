"""Per-process resources of a worker: the database engine.

Engines hold sockets and must not cross a ``fork()``: Celery's prefork pool forks its
children from the main process, so engines are keyed by process id and each child creates
its own on first use.
"""

from __future__ import annotations

import os
import threading

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.session import make_engine, make_session_factory
from worker.settings import WorkerSettings

_lock = threading.Lock()
_factories: dict[tuple[int, str], sessionmaker[Session]] = {}


def session_factory_for(settings: WorkerSettings) -> sessionmaker[Session]:
    """The session factory for ``settings.database_url`` in this process (created once)."""
    key = (os.getpid(), settings.database_url)
    factory = _factories.get(key)
    if factory is not None:
        return factory
    with _lock:
        factory = _factories.get(key)
        if factory is None:
            ensure_sqlite_folder(settings.database_url)
            factory = make_session_factory(make_engine(settings.database_url))
            _factories[key] = factory
    return factory


def ensure_sqlite_folder(url: str) -> None:
    """SQLite creates its file but not the folder; the default lives under a fresh home."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = os.path.dirname(os.path.abspath(parsed.database))
        os.makedirs(folder, exist_ok=True)
