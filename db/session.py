"""Engine and session construction shared by the web app, the CLI and the workers.

Callers pass the database URL explicitly; this package never reads configuration itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_SQLITE_BUSY_TIMEOUT_S",
    "make_engine",
    "make_session_factory",
    "session_scope",
]

#: How long a SQLite connection waits for another process's write lock before failing.
DEFAULT_SQLITE_BUSY_TIMEOUT_S = 30.0


def _is_memory_sqlite(url: URL) -> bool:
    """In-memory databases cannot use WAL and are private to one connection anyway."""
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or ("mode=memory" in database)
    )


def _install_sqlite_pragmas(engine: Engine, *, busy_timeout_s: float, wal: bool) -> None:
    """Set per-connection pragmas so several worker processes can share one SQLite file.

    WAL lets readers proceed while one writer commits; the busy timeout makes writers queue
    instead of failing with "database is locked"; foreign keys are off by default in SQLite
    and the schema relies on ON DELETE CASCADE.
    """
    busy_timeout_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                # Safe with WAL (no corruption on power loss, at worst the last commit is lost).
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()


def _create_private_file(parsed: URL) -> None:
    """Create a SQLite database file readable by its owner alone (0600) before SQLite creates it
    with the process umask (usually 0644: the whole trial store readable by every local user).
    SQLite gives its -wal and -shm files the main file's permissions. An existing file is left
    as it is."""
    if _is_memory_sqlite(parsed) or not parsed.database or parsed.database.startswith("file:"):
        return
    path = Path(parsed.database)
    if path.exists() or not path.parent.is_dir():
        return  # an existing file keeps its mode; a missing folder gets SQLite's own error
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process created it first


def make_engine(
    url: str | URL,
    *,
    echo: bool = False,
    sqlite_busy_timeout_s: float = DEFAULT_SQLITE_BUSY_TIMEOUT_S,
    **engine_kwargs: Any,
) -> Engine:
    """Create an Engine tuned for the backend named by ``url``.

    SQLite: usable across threads (``check_same_thread=False``), WAL journal, busy timeout and
    foreign keys set on every new connection. PostgreSQL and others: ``pool_pre_ping`` so
    connections dropped by a server restart or idle timeout are replaced transparently.
    Extra keyword arguments go to :func:`sqlalchemy.create_engine` (e.g. ``poolclass``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _create_private_file(parsed)
        connect_args: dict[str, Any] = dict(engine_kwargs.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", sqlite_busy_timeout_s)
        engine = create_engine(parsed, echo=echo, connect_args=connect_args, **engine_kwargs)
        _install_sqlite_pragmas(
            engine, busy_timeout_s=sqlite_busy_timeout_s, wal=not _is_memory_sqlite(parsed)
        )
        return engine
    engine_kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, echo=echo, **engine_kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to ``engine``.

    ``expire_on_commit`` stays on: rows are shared with other processes, so attribute values
    must be reloaded after each commit rather than trusted from before it.
    """
    return sessionmaker(bind=engine, expire_on_commit=True)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Transactional scope: commit on success, roll back on any exception, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
