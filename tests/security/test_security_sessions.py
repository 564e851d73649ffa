"""V3.3.1 sign-out ends the session; V3.4 session cookie attributes.

Each check replays what an attacker holding a copied session cookie would send (``GET /`` and a
complete, CSRF-valid ``POST /trials/new``) to the real app, after the account signed out or had
its password reset.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Trial, User
from web_support import ADMIN, csrf_token, login, new_trial_form, post_form
from webadmin.database import db_handle
from webadmin.security import create_admin

COOKIE = "hcmqa_session"


def _captured(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def _replaying(app, cookie_value: str):
    """A new client (another machine) that sends only the copied cookie."""
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie_value)
    return attacker


def _trial_count(app) -> int:
    with db_handle(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(Trial))


def _refused(response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _signed_in_with_trial_form(app):
    """A signed-in client, its session cookie, and a complete new-trial form with its CSRF token."""
    client = app.test_client()
    assert login(client, *ADMIN).status_code == 302
    form = {**new_trial_form(client), "name": "replayed", "max_steps": "5", "lora_r": "4",
            "csrf_token": csrf_token(client, "/trials/new")}
    return client, _captured(client), form


@pytest.mark.services
def test_cookie_captured_before_logout_is_refused_afterwards(app, admin_user, redis_queues):
    client, stolen, form = _signed_in_with_trial_form(app)
    other_browser = app.test_client()
    assert login(other_browser, *ADMIN).status_code == 302
    assert _replaying(app, stolen).get("/").status_code == 200  # the copy works while signed in

    assert post_form(client, "/logout").status_code == 302

    attacker = _replaying(app, stolen)
    response = attacker.get("/")
    assert _refused(response), response.status_code
    response = attacker.post("/trials/new", data=form)
    assert _refused(response), response.status_code
    assert _trial_count(app) == 0
    assert redis_queues.messages("gpu") == []
    # Signing out ends every session of the account, not only the browser that signed out.
    assert _refused(other_browser.get("/"))

    # The same form from a fresh sign-in does create the trial: the refusal above was the session's.
    fresh, _cookie, fresh_form = _signed_in_with_trial_form(app)
    response = fresh.post("/trials/new", data=fresh_form)
    assert response.status_code == 302 and response.headers["Location"].startswith("/trials/")
    assert _trial_count(app) == 1


def test_password_reset_ends_an_existing_session(app, signed_in):
    stolen = _captured(signed_in)
    assert _replaying(app, stolen).get("/").status_code == 200
    with db_handle(app).sessions() as session:
        create_admin(session, ADMIN[0], "a brand new passphrase", reset=True)
    assert _refused(signed_in.get("/"))
    assert _refused(_replaying(app, stolen).get("/"))
    assert login(app.test_client(), *ADMIN).status_code == 401  # the old password is gone
    assert login(app.test_client(), ADMIN[0], "a brand new passphrase").status_code == 302


def test_password_reset_from_the_command_line_ends_sessions(app, signed_in):
    result = app.test_cli_runner().invoke(args=["create-admin", ADMIN[0], "--password-stdin", "--reset"],
                                          input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "sessions are signed out" in result.output
    assert _refused(signed_in.get("/"))


def test_normal_login_and_logout_still_work(app, admin_user):
    client = app.test_client()
    token = csrf_token(client, "/login?next=/trials/")
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token,
                                           "next": "/trials/"})
    assert response.status_code == 302 and response.headers["Location"] == "/trials/"
    assert client.get("/trials/").status_code == 200
    assert post_form(client, "/logout").status_code == 302
    assert _refused(client.get("/"))
    # Signing in again after signing out gives a working session.
    assert login(client, *ADMIN).status_code == 302
    assert client.get("/").status_code == 200
    with db_handle(app).sessions() as session:
        assert session.scalar(select(User.session_version).where(User.username == ADMIN[0])) == 1


def test_bearer_token_is_not_ended_by_logout(app, signed_in):
    from webadmin.security import create_token

    with db_handle(app).sessions() as session:
        token = create_token(session, ADMIN[0])
    post_form(signed_in, "/logout")
    response = app.test_client().get("/api/trials", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def _session_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}="))


def test_session_cookie_is_httponly_and_samesite_lax(client, admin_user):
    header = _session_cookie_header(login(client, *ADMIN))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # the plain-http localhost default


def test_session_cookie_is_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
                           base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302, response.get_data(as_text=True)
    header = _session_cookie_header(response)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_session_cookie_secure_setting_is_read_from_the_environment(tmp_path):
    from webadmin.config import SettingsError, settings_from_env

    env = {"HCMQA_HOME": str(tmp_path), "SECRET_KEY": "k" * 40}
    assert settings_from_env(env)["SESSION_COOKIE_SECURE"] is False
    assert settings_from_env({**env, "SESSION_COOKIE_SECURE": "1"})["SESSION_COOKIE_SECURE"] is True
    with pytest.raises(SettingsError, match="SESSION_COOKIE_SECURE"):
        settings_from_env({**env, "SESSION_COOKIE_SECURE": "maybe"})
