"""Fixtures for the web app tests: a real migrated SQLite database, a real Celery client on a
real Redis (database 13, emptied around each test that inspects it), the Flask test client.

Nothing is mocked: a test that sends a task reads the message back from the Redis list of
its queue, exactly as a worker would receive it.
"""

from __future__ import annotations

import base64
import json
import os
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

#: Database 13 belongs to these tests (the worker tests lend themselves others);
#: HCMQA_TEST_REDIS_URL points them at another server.
REDIS_URL = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/13"
#: A port nothing listens on: the broker is "down".
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
ADMIN = ("admin", "correct horse battery staple")
OTHER = ("curator", "another long passphrase")

_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


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


# --- browser fixtures (Chromium + chromedriver from Debian) -----------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_DIR = Path("/tmp/screens")


class LiveServer:
    """The app served by werkzeug on a free local port, in a background thread."""

    def __init__(self, app: Flask):
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


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


def screenshot(driver: Any, name: str) -> Path:
    """Full-page PNG of the current page in SCREENSHOT_DIR (the window grows to the page height)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(1360, max(600, min(int(height) + 120, 8000)))
    path = SCREENSHOT_DIR / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1360, 900)
    return path


def browser_errors(driver: Any) -> list[str]:
    """Console errors since the last call (CSP violations, script errors, failed fetches)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def browser_login(driver: Any, base_url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # Wait for the signed-in page, or the next get() would race the POST.
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".who") or d.find_elements(
        By.CSS_SELECTOR, "[data-login-error]"))
