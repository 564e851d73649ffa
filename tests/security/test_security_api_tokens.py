"""API tokens: admins only, revoked by a password reset and by ``revoke-token``, optional expiry.

Each check sends the request a stolen or stale token would send (``GET /api/trials`` with
``Authorization: Bearer``) to the real app, and the commands run through Flask's CLI runner
against the same database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import User, utcnow
from web_support import ADMIN
from webadmin.database import db_handle
from webadmin.security import AccountError, check_token, create_admin, create_token


def _get(client, token: str):
    return client.get("/api/trials", headers={"Authorization": f"Bearer {token}"})


def _token(app, **kwargs) -> str:
    with db_handle(app).sessions() as session:
        return create_token(session, ADMIN[0], **kwargs)


def _update_admin(app, **values) -> None:
    with db_handle(app).sessions() as session:
        user = session.scalar(select(User).where(User.username == ADMIN[0]))
        for key, value in values.items():
            setattr(user, key, value)
        session.commit()


def _cli(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_token_of_an_account_that_is_no_longer_an_admin_gets_401(app, client, admin_user):
    token = _token(app)
    assert _get(client, token).status_code == 200
    _update_admin(app, is_admin=False)
    response = _get(client, token)
    assert response.status_code == 401
    assert "not an admin" in response.get_json()["error"]
    with db_handle(app).sessions() as session, pytest.raises(AccountError, match="not an admin"):
        create_token(session, ADMIN[0])


def test_password_reset_revokes_the_api_token(app, client, admin_user):
    token = _token(app)
    assert _get(client, token).status_code == 200
    result = _cli(app, "create-admin", ADMIN[0], "--reset", "--password-stdin", input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "API token" in result.output and "revoked" in result.output
    assert _get(client, token).status_code == 401
    with db_handle(app).sessions() as session:  # the same through the function the command calls
        fresh = create_token(session, ADMIN[0])
        create_admin(session, ADMIN[0], "yet another passphrase", reset=True)
    assert _get(client, fresh).status_code == 401


def test_revoke_token_command(app, client, admin_user):
    token = _token(app)
    result = _cli(app, "revoke-token", "Admin")
    assert result.exit_code == 0 and "the API token of 'admin' is revoked" in result.output
    assert _get(client, token).status_code == 401
    again = _cli(app, "revoke-token", "admin")
    assert again.exit_code == 0 and "has no API token; nothing to revoke" in again.output
    unknown = _cli(app, "revoke-token", "nobody")
    assert unknown.exit_code != 0 and "no user named 'nobody'" in unknown.output
    with db_handle(app).sessions() as session:
        user = session.scalar(select(User).where(User.username == ADMIN[0]))
        assert user.api_token_hash is None and user.api_token_expires_at is None


def test_expired_token_gets_401_and_unexpired_one_works(app, client, admin_user):
    result = _cli(app, "create-token", ADMIN[0], "--expires-days", "30")
    assert result.exit_code == 0, result.output
    token = result.output.splitlines()[0].strip()
    assert token.startswith("hcmqa_") and "expires in 30 day(s)" in result.output
    with db_handle(app).sessions() as session:
        expires = session.scalar(select(User.api_token_expires_at).where(User.username == ADMIN[0]))
    assert timedelta(days=29, hours=23) < expires - utcnow() <= timedelta(days=30)
    assert _get(client, token).status_code == 200
    _update_admin(app, api_token_expires_at=utcnow() - timedelta(seconds=1))
    response = _get(client, token)
    assert response.status_code == 401 and "expired API token" in response.get_json()["error"]
    with db_handle(app).sessions() as session:
        assert check_token(session, token) == (None, "expired API token")


@pytest.mark.parametrize("days", ["0", "-1", "3651", "ten"])
def test_create_token_refuses_a_bad_expiry(app, admin_user, days):
    result = _cli(app, "create-token", ADMIN[0], "--expires-days", days)
    assert result.exit_code != 0 and "--expires-days" in result.output
    with db_handle(app).sessions() as session:
        assert session.scalar(select(User.api_token_hash).where(User.username == ADMIN[0])) is None
        with pytest.raises(AccountError, match="expires-days"):
            create_token(session, ADMIN[0], expires_days=0)


def test_token_without_expiry_keeps_working(app, client, admin_user):
    token = _token(app)
    with db_handle(app).sessions() as session:
        assert session.scalar(select(User.api_token_expires_at).where(User.username == ADMIN[0])) is None
        user, why = check_token(session, token, now=utcnow() + timedelta(days=36500))
        assert user is not None and why == ""
    assert _get(client, token).status_code == 200
