"""Sign-in, sessions, CSRF, throttling, cookie flags, security headers and the account CLI."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
import zlib

import pytest
from flask import Flask
from sqlalchemy import select

from db.models import User
from web_support import ADMIN, OTHER, csrf_token, login, post_form
from webadmin.database import db_handle
from webadmin.access import session_id
from webadmin.security import AccountError, create_admin, create_token, token_digest


def test_every_page_redirects_anonymous_users_to_login(client, admin_user):
    for path in ("/", "/trials/", "/trials/new", "/trials/1", "/compare/", "/datasets/", "/faq/", "/chat/",
                 "/dashboard/jobs.json", "/faq/1/answers.csv"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path


def test_anonymous_post_is_redirected_not_executed(client, admin_user):
    response = client.post("/trials/new", data={"name": "x"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_then_redirect_to_next_page(client, admin_user):
    token = csrf_token(client, "/login?next=/faq/")
    response = client.post("/login", data={"username": "ADMIN ", "password": ADMIN[1], "csrf_token": token, "next": "/faq/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/faq/"
    assert client.get("/faq/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/faq/\r\nSet-Cookie: x=1", "/\x00"])
def test_login_never_redirects_off_site(client, admin_user, target):
    token = csrf_token(client)
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token, "next": target})
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_with_a_sentence(client, admin_user):
    response = login(client, ADMIN[0], "wrong password!")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_answer(client, admin_user):
    response = login(client, "nobody", "whatever password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_login_is_throttled_after_five_attempts(app, client, admin_user):
    for _ in range(5):
        assert login(client, ADMIN[0], "wrong password!").status_code == 401
    response = login(client, ADMIN[0], ADMIN[1])  # even the right password is refused now
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Too many sign-in attempts for this account" in text and "15 minutes" in text
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert client.get("/").status_code == 302
    # Another account from the same address is not locked out by someone guessing this one.
    assert login(client, "nobody", "x" * 12).status_code == 401
    # Only sign-in POSTs count: the login page itself still loads.
    assert client.get("/login").status_code == 200


def test_throttle_window_expires(make_app):
    app = make_app(LOGIN_WINDOW_S=2)
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    client = app.test_client()
    for _ in range(5):
        login(client, ADMIN[0], "wrong password!")
    response = login(client, ADMIN[0], ADMIN[1])
    assert response.status_code == 429
    assert re.search(r"Try again in [12] seconds?\.", response.get_data(as_text=True))
    time.sleep(2.5)
    assert login(client, ADMIN[0], ADMIN[1]).status_code == 302


def test_every_attempt_counts_right_or_wrong(app, client, admin_user):
    """Attempts are counted before the password is checked, so a success does not refund them."""
    for _ in range(4):
        login(client, ADMIN[0], "wrong password!")
    assert login(client, ADMIN[0], ADMIN[1]).status_code == 302
    assert login(app.test_client(), ADMIN[0], ADMIN[1]).status_code == 429


def test_login_is_throttled_per_address_across_usernames(app, client, admin_user):
    for index in range(20):
        assert login(client, f"guess{index}", "wrong password!").status_code == 401
    response = login(client, ADMIN[0], ADMIN[1])
    assert response.status_code == 429
    assert "Too many sign-in attempts from your address" in response.get_data(as_text=True)
    # Another address still gets in.
    other = app.test_client()
    token = csrf_token(other)
    response = other.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


def test_login_without_csrf_token_is_rejected(client, admin_user):
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 400
    assert "security token is missing" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_rejected_when_signed_in(signed_in, db_session):
    response = signed_in.post("/trials/new", data={"name": "no-token"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    from db.models import Trial

    assert db_session.scalar(select(Trial)) is None


def test_post_with_a_token_of_another_session_is_rejected(app, signed_in, other_user):
    stranger = app.test_client()
    login(stranger, *OTHER)
    foreign_token = csrf_token(stranger, "/")
    response = signed_in.post("/logout", data={"csrf_token": foreign_token})
    assert response.status_code == 400
    assert signed_in.get("/").status_code == 200  # still signed in


def test_logout_needs_post_and_ends_the_session(signed_in):
    assert signed_in.get("/logout").status_code == 405
    response = post_form(signed_in, "/logout")
    assert response.status_code == 302
    assert signed_in.get("/").status_code == 302


def _cookie(client, name="hcmqa_session"):
    cookie = client.get_cookie(name)
    assert cookie is not None
    return cookie.value


def test_session_cookie_flags(client, admin_user):
    response = login(client, *ADMIN)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("hcmqa_session="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # plain-http localhost default


def test_secure_cookie_flag_is_configurable(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
                           base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302, response.get_data(as_text=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("hcmqa_session="))
    assert "Secure" in header


def _decode_session(value: str) -> dict:
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        raw = zlib.decompress(raw)
    return json.loads(raw)


def test_tampered_session_cookie_is_ignored(app, signed_in, other_user):
    value = _cookie(signed_in)
    data = _decode_session(value)
    assert data["_user_id"] != session_id(other_user)
    # Swap in the other user's id without the secret key: the signature no longer matches.
    forged_data = {**data, "_user_id": session_id(other_user)}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_data).encode()).rstrip(b"=").decode()
    forged = ".".join([forged_payload, *value.lstrip(".").split(".")[1:]])
    signed_in.set_cookie("hcmqa_session", forged)
    assert signed_in.get("/").status_code == 302


def test_cookie_signed_with_another_key_is_ignored(app, admin_user, client):
    """A well-formed session for the admin, signed with a key that is not the app's."""
    with db_handle(app).sessions() as session:
        user = session.scalar(select(User).where(User.username == ADMIN[0]))
        data = {"_user_id": session_id(user), "_fresh": True, "_permanent": True}
    impostor = Flask("impostor")
    impostor.secret_key = "not-the-app-secret-" + "y" * 32
    client.set_cookie("hcmqa_session", impostor.session_interface.get_signing_serializer(impostor).dumps(data))
    assert client.get("/").status_code == 302
    # The same data signed with the real key is accepted: the refusal above is the signature's.
    genuine = app.session_interface.get_signing_serializer(app).dumps(data)
    client.set_cookie("hcmqa_session", genuine)
    assert client.get("/").status_code == 200


def test_cookie_of_a_user_whose_password_changed_is_ignored(app, signed_in):
    assert signed_in.get("/").status_code == 200
    with db_handle(app).sessions() as session:
        create_admin(session, ADMIN[0], "a brand new passphrase", reset=True)
    assert signed_in.get("/").status_code == 302


def test_security_headers_on_every_page(signed_in):
    response = signed_in.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_create_admin_rejects_short_passwords_and_duplicates(db_session):
    with pytest.raises(AccountError, match="at least 10 characters"):
        create_admin(db_session, "alice", "short")
    create_admin(db_session, "Alice", "long enough password")
    with pytest.raises(AccountError, match="already exists"):
        create_admin(db_session, "alice", "another long password")
    user = db_session.scalar(select(User).where(User.username == "alice"))
    assert user.is_admin and user.password_hash.startswith("scrypt:")


def test_create_token_stores_only_a_digest(db_session):
    create_admin(db_session, "alice", "long enough password")
    token = create_token(db_session, "alice")
    user = db_session.scalar(select(User).where(User.username == "alice"))
    assert token not in (user.api_token_hash or "")
    assert user.api_token_hash == token_digest(token)


def _flask(env, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "webadmin", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_init_db_create_admin_and_token(tmp_path):
    import os

    env = {**os.environ, "HCMQA_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "BROKER_URL": "redis://127.0.0.1:6379/13"}
    env.pop("SECRET_KEY", None)
    early = _flask(env, "create-admin", "root", "--password-stdin", stdin="long enough password\n")
    assert early.returncode != 0 and "init-db" in early.stderr
    assert _flask(env, "init-db").returncode == 0
    created = _flask(env, "create-admin", "root", "--password-stdin", stdin="long enough password\n")
    assert created.returncode == 0, created.stderr
    again = _flask(env, "create-admin", "root", "--password-stdin", stdin="long enough password\n")
    assert again.returncode != 0 and "already exists" in again.stderr
    prompted = _flask(env, "create-admin", "second", stdin="long enough password\nlong enough password\n")
    assert prompted.returncode == 0, prompted.stderr
    issued = _flask(env, "create-token", "root")
    assert issued.returncode == 0 and issued.stdout.strip().startswith("hcmqa_")
    assert "cannot be shown again" in issued.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # generated key is private
