"""Production deployment (V14-style): the app under a real gunicorn, compose without default
secrets or a world-reachable port, and a SQLite store only its owner can read."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from db.migrate import upgrade
from db.session import make_engine

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


def test_gunicorn_serves_the_app_from_the_wsgi_module(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'hcmqa.db'}"
    upgrade(url)
    port = _free_port()
    env = {**os.environ, "HCMQA_HOME": str(home), "DATABASE_URL": url, "BROKER_URL": f"sqla+sqlite:///{home / 'broker.db'}",
           "SECRET_KEY": "k" * 64, "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "webadmin.wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        login = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {proc.returncode}:\n{proc.stdout.read()}")
            try:
                login = _get(f"http://127.0.0.1:{port}/login")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.3)
        assert login is not None, "gunicorn did not answer within 60 s"
        assert login.status == 200
        assert login.headers["Server"].startswith("gunicorn")
        assert b"password" in login.read().lower()
        home_page = _get(f"http://127.0.0.1:{port}/")
        assert home_page.status == 302 and "/login" in home_page.headers["Location"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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
