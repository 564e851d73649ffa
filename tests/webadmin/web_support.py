"""Helpers and constants shared by the web app tests (the fixtures are in conftest.py).

A plain module rather than part of conftest.py so test modules can import it under both
``pytest`` and ``python -m pytest`` (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import redis
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from db.jobs import record_metric_points
from db.models import Job, JobKind, Trial, TrialStatus
from hcmqa.config import TrialConfig

#: Database 13 belongs to these tests (the worker tests lend themselves others);
#: HCMQA_TEST_REDIS_URL points them at another server.
REDIS_URL = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/13"
#: A port nothing listens on: the broker is "down".
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
ADMIN = ("admin", "correct horse battery staple")
OTHER = ("curator", "another long passphrase")
_TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_DIR = Path("/tmp/screens")


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


def new_trial_form(client, path="/trials/new") -> dict[str, str]:
    """Every input/select of the new-trial form with its rendered value (what a browser submits)."""
    page = html(client.get(path))
    form = page.find("form", attrs={"action": "/trials/new", "method": "post"})
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    for select_tag in form.find_all("select"):
        chosen = select_tag.find("option", selected=True) or select_tag.find("option")
        data[select_tag["name"]] = chosen.get("value", "")
    return data


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
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


# --- browser helpers (Chromium + chromedriver from Debian) ----------------------------------


class LiveServer:
    """The app served by werkzeug on a free local port, in a background thread."""

    def __init__(self, app: Flask):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


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
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # Wait for the signed-in page, or the next get() would race the POST.
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".who") or d.find_elements(
        By.CSS_SELECTOR, "[data-login-error]"))
