"""Fixtures for the web app tests: a real migrated SQLite database, a real Celery client on a
real Redis (database 13, emptied around each test that inspects it), the Flask test client.

Nothing is mocked: a test that sends a task reads the message back from the Redis list of
its queue, exactly as a worker would receive it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from db.migrate import upgrade
from db.models import Base, User
from webadmin import create_app
from webadmin.broker import celery_client
from webadmin.database import db_handle
from webadmin.security import create_admin

REDIS_URL = "redis://127.0.0.1:6379/13"
#: A port nothing listens on: the broker is "down".
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
ADMIN = ("admin", "correct horse battery staple")
OTHER = ("curator", "another long passphrase")

_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite file migrated with the real Alembic migrations, shared by the web tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'web.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def web_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(web_database_url: str, web_home: Path) -> Iterator[MakeApp]:
    """Factory for apps on the emptied test database; extra keys override the test config."""
    apps: list[Flask] = []
    first = True

    def factory(**overrides: Any) -> Flask:
        nonlocal first
        config = {
            "TESTING": True,
            "HCMQA_HOME": str(web_home),
            "DATABASE_URL": web_database_url,
            "BROKER_URL": REDIS_URL,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "MAX_UPLOAD_MB": 2,
            "BROKER_SEND_RETRIES": 0,
            "BROKER_CONNECT_TIMEOUT_S": 2.0,
            **overrides,
        }
        app = create_app(config)
        if first:
            with db_handle(app).engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(delete(table))
            first = False
        apps.append(app)
        return app

    yield factory
    for app in apps:
        celery_client(app).close()
        db_handle(app).engine.dispose()


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    return make_app()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the app's database for arranging and checking rows."""
    with db_handle(app).sessions() as session:
        yield session


@pytest.fixture
def admin_user(app: Flask) -> User:
    with db_handle(app).sessions() as session:
        user = create_admin(session, *ADMIN)
        session.refresh(user)
        session.expunge(user)
        return user


@pytest.fixture
def other_user(app: Flask) -> User:
    with db_handle(app).sessions() as session:
        user = create_admin(session, *OTHER)
        session.refresh(user)
        session.expunge(user)
        return user


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token rendered into a form of ``path`` for this client's session."""
    response = client.get(path)
    match = _TOKEN_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf_token field on {path} (status {response.status_code})"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str):
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def signed_in(app: Flask, admin_user: User) -> FlaskClient:
    """A test client signed in as the admin."""
    client = app.test_client()
    response = login(client, *ADMIN)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(client: FlaskClient, path: str, data: dict[str, Any] | None = None, *, token_from: str = "/", **kw: Any):
    """POST a form with a valid CSRF token taken from ``token_from``."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)}, **kw)


class RedisQueues:
    """Reads the Celery messages that landed in Redis lists (one list per queue)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def messages(self, queue: str) -> list[dict[str, Any]]:
        """Messages of ``queue``, oldest first, as {task, args, kwargs, id}."""
        out = []
        for raw in reversed(self.redis.lrange(queue, 0, -1)):  # LPUSH: newest first
            envelope = json.loads(raw)
            body = json.loads(base64.b64decode(envelope["body"]))
            args, kwargs, _embed = body
            headers = envelope["headers"]
            out.append({"task": headers["task"], "args": args, "kwargs": kwargs, "id": headers["id"]})
        return out


@pytest.fixture
def redis_queues() -> Iterator[RedisQueues]:
    """The real Redis broker's database 13, empty at the start and the end of the test."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(
            f"Redis is required for the broker tests but is not reachable at {REDIS_URL} ({exc}). "
            "Start it with 'make services'.",
            pytrace=False,
        )
    connection.flushdb()
    yield RedisQueues(connection)
    connection.flushdb()
    connection.close()


def seed_trial(
    session: Session,
    name: str = "trial",
    *,
    status: str = "succeeded",
    config: dict[str, Any] | None = None,
    points: list[tuple[int, str, str, float]] = (),
    summary: dict[str, Any] | None = None,
    error: str | None = None,
    job_status: str | None = None,
) -> int:
    """Insert a trial (with a train job in ``job_status``, default the trial's status) and points."""
    from db.jobs import record_metric_points
    from db.models import Job, JobKind, Trial, TrialStatus
    from hcmqa.config import TrialConfig

    cfg = TrialConfig.from_dict({**(config or {}), "name": name}).to_dict()
    trial = Trial(name=name, config=cfg, mode=cfg["mode"], base_model=cfg["base_model"],
                  status=TrialStatus(status), summary_metrics=summary, error=error)
    session.add(trial)
    session.flush()
    session.add(Job(kind=JobKind.train, status=job_status or status, trial_id=trial.id,
                    payload={"trial_id": trial.id}, error=error))
    session.commit()
    if points:
        record_metric_points(session, trial.id, points)
    return trial.id


def html(response) -> Any:
    """Parsed HTML of a response (BeautifulSoup)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.get_data(as_text=True), "html.parser")
