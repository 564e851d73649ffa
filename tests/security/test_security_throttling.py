"""V2.2.1 sign-in throttling: atomic, shared by every web process, per username and per address.

The attempts are counted in the real Redis (database 8, emptied before and after each test),
as they are in production. Two apps built by the app factory on the same Redis stand for two
web processes; concurrent guesses come from threads, each with its own client and CSRF token,
released together.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from web_support import ADMIN, csrf_token, login
from webadmin.app import create_app
from webadmin.config import settings_from_env
from webadmin.database import db_handle
from webadmin.security import create_admin

pytestmark = pytest.mark.services

#: Database 8 belongs to these tests (the web tests use 13, the worker tests lend 9-12, 14, 15).
THROTTLE_REDIS_URL = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/8"
WRONG = "wrong password!"


@pytest.fixture
def throttle_redis() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(THROTTLE_REDIS_URL, socket_connect_timeout=3)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is required for the throttling tests but is not reachable at {THROTTLE_REDIS_URL} "
                    f"({exc}). Start it with 'make services'.", pytrace=False)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def web_process(make_app, throttle_redis):
    """Builds an app ("web process") counting sign-in attempts in the test Redis."""

    def build(**overrides):
        return make_app(RATELIMIT_STORAGE_URI=THROTTLE_REDIS_URL, **overrides)

    return build


def _with_admin(app):
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    return app


def _post_login(client, token: str, username: str, password: str, **kwargs):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kwargs)


def test_concurrent_guesses_on_two_web_processes_get_at_most_five_answers(web_process, throttle_redis):
    first = _with_admin(web_process())
    second = web_process()
    tries = 25
    clients = [(first if index % 2 == 0 else second).test_client() for index in range(tries)]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(tries)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guess(client, token):
        try:
            start.wait(timeout=30)
            status = _post_login(client, token, ADMIN[0], WRONG).status_code
            with lock:
                statuses.append(status)
        except BaseException as exc:  # reported below, with the statuses seen
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == tries
    answered = [status for status in statuses if status != 429]
    assert 1 <= len(answered) <= 5, statuses
    assert set(answered) == {401}
    assert throttle_redis.keys("*hcmqa-login*")  # the counts are in the shared Redis
    # Either process now refuses even the right password.
    for app in (first, second):
        assert login(app.test_client(), *ADMIN).status_code == 429


def test_a_second_web_process_gives_no_extra_tries(web_process):
    first = _with_admin(web_process())
    second = web_process()
    for app in (first, second, first, second, first):
        assert login(app.test_client(), ADMIN[0], WRONG).status_code == 401
    response = login(second.test_client(), ADMIN[0], ADMIN[1])
    assert response.status_code == 429
    assert "Too many sign-in attempts for this account" in response.get_data(as_text=True)


@pytest.mark.parametrize("proxy_count", [0, 1])
def test_a_fresh_forwarded_address_per_try_does_not_bypass_the_username_limit(web_process, proxy_count):
    app = _with_admin(web_process(PROXY_COUNT=proxy_count))
    statuses = []
    for index in range(10):
        client = app.test_client()
        token = csrf_token(client)
        forged = f"203.0.113.{index + 1}"
        response = _post_login(client, token, ADMIN[0], WRONG, headers={"X-Forwarded-For": forged})
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429] * 5


def test_forwarded_for_is_ignored_without_configured_proxies(web_process):
    """PROXY_COUNT=0: the address limit counts the connection's address, whatever the header says."""
    app = _with_admin(web_process(PROXY_COUNT=0))
    client = app.test_client()
    token = csrf_token(client)
    for index in range(20):
        response = _post_login(client, token, f"guess{index}", WRONG, headers={"X-Forwarded-For": f"198.51.100.{index}"})
        assert response.status_code == 401
    response = _post_login(client, token, ADMIN[0], ADMIN[1], headers={"X-Forwarded-For": "198.51.100.200"})
    assert response.status_code == 429
    assert "Too many sign-in attempts from your address" in response.get_data(as_text=True)


def test_forwarded_for_from_a_configured_proxy_names_the_client(web_process):
    """PROXY_COUNT=1: the proxy's X-Forwarded-For is the client address, so one client's
    guesses across usernames do not lock out another client behind the same proxy."""
    app = _with_admin(web_process(PROXY_COUNT=1))
    client = app.test_client()
    token = csrf_token(client)
    for index in range(20):
        assert _post_login(client, token, f"guess{index}", WRONG,
                           headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 401
    assert _post_login(client, token, "guess99", WRONG, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    colleague = app.test_client()
    response = _post_login(colleague, csrf_token(colleague), ADMIN[0], ADMIN[1],
                           headers={"X-Forwarded-For": "198.51.100.2"})
    assert response.status_code == 302


def test_right_password_is_refused_until_the_window_has_passed(web_process):
    window_s = 3
    app = _with_admin(web_process(LOGIN_WINDOW_S=window_s))
    client = app.test_client()
    token = csrf_token(client)
    began = time.monotonic()
    for _ in range(5):
        assert _post_login(client, token, ADMIN[0], WRONG).status_code == 401
    response = _post_login(client, token, ADMIN[0], ADMIN[1])
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= window_s
    assert "Try again in" in response.get_data(as_text=True)
    if time.monotonic() - began < window_s - 1:  # still inside the window: still refused
        assert _post_login(client, token, ADMIN[0], ADMIN[1]).status_code == 429
    time.sleep(max(0.0, window_s + 0.5 - (time.monotonic() - began)))
    response = _post_login(client, token, ADMIN[0], ADMIN[1])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_storage_defaults_to_the_redis_broker(tmp_path):
    env = {"HCMQA_HOME": str(tmp_path), "SECRET_KEY": "k" * 40}
    assert settings_from_env(env)["RATELIMIT_STORAGE_URI"] == "memory://"  # the embedded default
    redis_env = {**env, "BROKER_URL": "redis://cache:6379/0"}
    assert settings_from_env(redis_env)["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    explicit = {**redis_env, "RATELIMIT_STORAGE_URI": "redis://limits:6379/3"}
    assert settings_from_env(explicit)["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/3"


def test_unusable_storage_uri_fails_at_startup_with_its_name(tmp_path):
    config = {"HCMQA_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
              "BROKER_URL": "redis://127.0.0.1:6379/13", "SECRET_KEY": "k" * 40,
              "RATELIMIT_STORAGE_URI": f"nosuchstore://{uuid.uuid4().hex}"}
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(config)
