"""Fixtures for the web app tests: a real migrated SQLite database, a real Celery client on a
real Redis (database 13, emptied around each test that inspects it), the Flask test client,
a live server and headless Chromium. Helpers and constants are in ``web_support.py``.

Nothing is mocked: a test that sends a task reads the message back from the Redis list of
its queue, exactly as a worker would receive it.
"""

from __future__ import annotations

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
from web_support import ADMIN, CHROMEDRIVER, CHROMIUM, OTHER, REDIS_URL, LiveServer, RedisQueues, login
from webadmin.app import create_app
from webadmin.broker import celery_client
from webadmin.database import db_handle
from webadmin.security import create_admin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the Redis broker need the real server: mark them ``services``."""
    for item in items:
        if "redis_queues" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.services)


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




@pytest.fixture
def live_server_for() -> Iterator[Callable[[Flask], LiveServer]]:
    servers: list[LiveServer] = []

    def start(app: Flask) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium driven by Debian's chromedriver, with a fresh profile."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"browser tests need {' and '.join(missing)}: apt-get install chromium chromium-driver",
                    pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1360,900",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


