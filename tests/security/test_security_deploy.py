"""Production deployment: the app under a real gunicorn (with several worker processes sharing
one sign-in limit in Redis), compose without default secrets or a world-reachable port, and a
SQLite store only its owner can read."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import yaml

from db.migrate import upgrade
from db.session import make_engine, make_session_factory, session_scope
from webadmin.security import create_admin

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(url, timeout=5)
    except urllib.error.HTTPError as err:  # 3xx and 4xx arrive here without the redirect handler
        return err


@contextmanager
def _gunicorn(home: Path, workers: int = 2, **env_extra: str) -> Iterator[str]:
    """A real gunicorn serving ``webadmin.wsgi:app`` on a migrated SQLite store; yields its base URL."""
    url = f"sqlite:///{home / 'hcmqa.db'}"
    upgrade(url)
    port = _free_port()
    env = {**os.environ, "HCMQA_HOME": str(home), "DATABASE_URL": url, "BROKER_URL": f"sqla+sqlite:///{home / 'broker.db'}",
           "SECRET_KEY": "k" * 64, "PYTHONPATH": str(ROOT), **env_extra}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "webadmin.wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {proc.returncode}:\n{proc.stdout.read()}")
            try:
                _get(base + "/login")
                break
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not answer within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_gunicorn_serves_the_app_from_the_wsgi_module(tmp_path):
    with _gunicorn(tmp_path) as base:
        login = _get(base + "/login")
        assert login.status == 200
        assert login.headers["Server"].startswith("gunicorn")
        assert b"password" in login.read().lower()
        home_page = _get(base + "/")
        assert home_page.status == 302 and "/login" in home_page.headers["Location"]


def _wrong_login(base: str) -> int:
    """One sign-in with a wrong password from a new browser (own cookie jar and CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(base + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "alice", "password": "not the password", "csrf_token": token}).encode()
    try:
        return opener.open(base + "/login", data=data, timeout=10).status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.services
def test_two_gunicorn_processes_share_one_sign_in_limit_in_redis(tmp_path):
    """Several gunicorn worker processes count sign-in attempts in one Redis: together they
    allow five tries for a username, not five per process."""
    storage = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/6"
    connection = redis.Redis.from_url(storage, socket_connect_timeout=3)
    connection.flushdb()
    try:
        url = f"sqlite:///{tmp_path / 'hcmqa.db'}"
        with _gunicorn(tmp_path, workers=3, RATELIMIT_STORAGE_URI=storage) as base:
            engine = make_engine(url)
            with session_scope(make_session_factory(engine)) as session:
                create_admin(session, "alice", "the right passphrase")
            engine.dispose()
            answers = [_wrong_login(base) for _ in range(15)]
        assert answers.count(401) == 5, answers
        assert answers[5:] == [429] * 10, answers
        assert connection.keys("*"), "the attempts were not counted in Redis"
    finally:
        connection.flushdb()
        connection.close()


def test_compose_has_no_default_secrets_and_serves_through_gunicorn_on_loopback():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    assert ":-hcmqa}" not in text
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    web = compose["services"]["web"]
    assert "${POSTGRES_PASSWORD:?" in compose["x-app"]["environment"]["DATABASE_URL"]
    assert web["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert web["command"][0] == "gunicorn" and web["command"][-1] == "webadmin.wsgi:app"
    assert all(str(p).startswith("127.0.0.1:") for p in web["ports"])
    assert web["environment"]["SESSION_COOKIE_SECURE"] == "${SESSION_COOKIE_SECURE:-1}"
    assert "gunicorn" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "hcmqa.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
        conn.commit()
    engine.dispose()
    for name in ("hcmqa.db", "hcmqa.db-wal", "hcmqa.db-shm"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_an_existing_sqlite_store_keeps_its_mode(tmp_path):
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
