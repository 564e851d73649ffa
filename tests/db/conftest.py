"""Fixtures running every db test against both SQLite (temp file) and a real PostgreSQL.

PostgreSQL is part of the contract: if the server is unreachable the PostgreSQL variants
fail (they are never skipped). The server defaults to 127.0.0.1:5432 with trust auth as
user ``postgres``; ``HCMQA_TEST_PG_ADMIN_URL`` (a libpq URL to a maintenance database)
overrides it for other CI setups. Each test session creates a uniquely named database and
drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from db.models import Base, Trial, TrialStatus
from db.session import make_engine, make_session_factory, session_scope

PG_ADMIN_URL = os.environ.get(
    "HCMQA_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


@dataclass
class PgServer:
    """Creates and drops throwaway databases on the test PostgreSQL server."""

    admin_url: str
    prefix: str = field(default_factory=lambda: f"hcmqa_test_{uuid.uuid4().hex[:12]}")
    created: list[str] = field(default_factory=list)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5)

    def create_database(self, suffix: str) -> str:
        """New empty database; returns its SQLAlchemy (psycopg 3) URL."""
        name = f"{self.prefix}_{suffix}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        info = psycopg.conninfo.conninfo_to_dict(self.admin_url)
        host = info.get("host", "127.0.0.1")
        port = info.get("port", "5432")
        user = info.get("user", "postgres")
        password = info.get("password")
        auth = f"{user}:{password}" if password else str(user)
        return f"postgresql+psycopg://{auth}@{host}:{port}/{name}"

    def drop_all(self) -> None:
        """Drop every database this session created (FORCE ends leftover connections)."""
        with self._admin() as conn:
            for name in reversed(self.created):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """Reachable PostgreSQL server, or a test FAILURE explaining what is missing."""
    problem: str | None = None
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        problem = f"{type(exc).__name__}: {exc}".strip()
    if problem is not None:  # failed outside the except block: no chained traceback noise
        pytest.fail(
            f"PostgreSQL is required for the db tests but is not reachable at {PG_ADMIN_URL!r} "
            f"({problem}). Start it (trust auth, user postgres) or set HCMQA_TEST_PG_ADMIN_URL.",
            pytrace=False,
        )
    server = PgServer(PG_ADMIN_URL)
    yield server
    server.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Backend name; parametrizes every test depending on a database over both."""
    return str(request.param)


NewDatabase = Callable[[], str]


@pytest.fixture
def new_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> NewDatabase:
    """Factory for brand-new, empty (unmigrated) databases on the current backend."""
    counter = iter(range(1_000_000))

    def factory() -> str:
        index = next(counter)
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh_{index}.sqlite3'}"
        server: PgServer = request.getfixturevalue("pg_server")
        return server.create_database(f"{uuid.uuid4().hex[:8]}_{index}")

    return factory


@pytest.fixture(scope="session")
def migrated_url(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database migrated to head, shared by all tests of one backend (rows wiped per test)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'hcmqa_test.sqlite3'}"
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create_database("shared")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(migrated_url: str) -> Iterator[Engine]:
    """Engine on the shared migrated database."""
    eng = make_engine(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory on an emptied database (children deleted before parents)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that is rolled back and closed after the test."""
    with session_factory() as sess:
        yield sess
        sess.rollback()


MakeTrial = Callable[..., int]


@pytest.fixture
def make_trial(session_factory: sessionmaker[Session]) -> MakeTrial:
    """Insert a trial (committed, so other sessions see it) and return its id."""

    def factory(
        name: str = "trial",
        *,
        mode: str = "lora",
        base_model: str = "qwen2.5-0.5b",
        status: TrialStatus = TrialStatus.queued,
        created_at: datetime | None = None,
        summary_metrics: dict[str, float] | None = None,
    ) -> int:
        with session_scope(session_factory) as sess:
            trial = Trial(
                name=name,
                config={"lr": 1e-4},
                mode=mode,
                base_model=base_model,
                status=status,
                summary_metrics=summary_metrics,
            )
            if created_at is not None:
                trial.created_at = created_at
            sess.add(trial)
            sess.flush()
            return trial.id

    return factory
