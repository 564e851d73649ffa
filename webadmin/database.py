"""One SQLAlchemy engine per app and one session per request.

The session is opened lazily (pages that never touch the database open nothing) and always
closed at the end of the request; anything not committed by then is rolled back, so a view
that fails half-way leaves no half-written rows.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.session import make_engine, make_session_factory

_EXTENSION = "hcmqa_db"


class DatabaseHandle:
    """The app's engine and session factory (kept in ``app.extensions``)."""

    def __init__(self, url: str):
        self.engine: Engine = make_engine(url)
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)


def init_db(app: Flask) -> DatabaseHandle:
    """Create the engine for ``app.config['DATABASE_URL']`` and close sessions after requests."""
    handle = DatabaseHandle(app.config["DATABASE_URL"])
    app.extensions[_EXTENSION] = handle

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    return handle


def db_handle(app: Flask | None = None) -> DatabaseHandle:
    """The engine/session factory of ``app`` (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def get_session() -> Session:
    """The current request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = db_handle().sessions()
    return g.db_session
