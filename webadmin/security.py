"""Accounts, sign-in session versions and API tokens (no Flask request objects in here, so it
is testable).

Passwords use werkzeug's salted, slow hash (scrypt). API tokens are 256-bit random strings,
so a fast SHA-256 is the right hash for them: there is nothing to brute-force, and a plain
digest can be looked up by equality in an indexed, unique column.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from db.models import User, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 150
TOKEN_PREFIX = "hcmqa_"
#: Longest lifetime ``create_token`` accepts for an expiring token (ten years).
MAX_TOKEN_DAYS = 3650

# Checked against when the username does not exist, so a wrong username costs as much time
# as a wrong password and response timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


class AccountError(ValueError):
    """An account could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def password_problem(password: str) -> Optional[str]:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "the password must not start or end with spaces"
    return None


def normalise_username(username: str) -> str:
    """Usernames are compared case-insensitively (stored lower-case, surrounding spaces removed)."""
    return username.strip().lower()


def username_problem(username: str) -> Optional[str]:
    if not username:
        return "the username must not be empty"
    if len(username) > MAX_USERNAME_LENGTH:
        return f"the username must have at most {MAX_USERNAME_LENGTH} characters"
    if not all(ch.isalnum() or ch in "._-@" for ch in username):
        return "the username may contain letters, digits and . _ - @ only"
    return None


def authenticate(session: Session, username: str, password: str) -> Optional[User]:
    """The user with these credentials, or None (same work whether or not the user exists)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def create_admin(session: Session, username: str, password: str, *, reset: bool = False) -> User:
    """Create an admin account (or, with ``reset``, set an existing account's password).

    A reset also revokes the account's API token and ends every sign-in session of the
    account: whoever had to be locked out by the new password must keep neither. Commits. Raises :class:`AccountError` with a sentence
    naming the problem.
    """
    name = normalise_username(username)
    problem = username_problem(name) or password_problem(password)
    if problem:
        raise AccountError(problem)
    user = session.scalar(select(User).where(User.username == name))
    if user is not None and not reset:
        raise AccountError(f"user {name!r} already exists; pass --reset to set a new password")
    if user is None:
        user = User(username=name, is_admin=True, password_hash="", session_version=0)
        session.add(user)
    else:
        user.session_version = User.session_version + 1  # incremented in SQL: no lost update
    user.password_hash = hash_password(password)
    user.is_admin = True
    user.api_token_hash = None
    user.api_token_expires_at = None
    session.commit()
    return user


def token_digest(token: str) -> str:
    """Stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_named(session: Session, username: str) -> User:
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise AccountError(f"no user named {name!r}; create it first with create-admin")
    return user


def create_token(session: Session, username: str, *, expires_days: Optional[int] = None) -> str:
    """Issue a new API token for the admin ``username``, replacing any previous one; returns it.

    The token is shown once: only the digest is stored, so a lost token cannot be recovered,
    only replaced. With ``expires_days`` it is refused after that many days. Commits.
    """
    if expires_days is not None and (
        isinstance(expires_days, bool) or not isinstance(expires_days, int) or not 1 <= expires_days <= MAX_TOKEN_DAYS
    ):
        raise AccountError(f"expires-days must be a whole number from 1 to {MAX_TOKEN_DAYS}, got {expires_days!r}")
    user = _user_named(session, username)
    if not user.is_admin:
        raise AccountError(f"user {user.username!r} is not an admin; API tokens are for admin accounts only")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = token_digest(token)
    user.api_token_expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    session.commit()
    return token


def revoke_token(session: Session, username: str) -> bool:
    """Revoke every API token of ``username``; False when it had none. Commits."""
    user = _user_named(session, username)
    had_token = user.api_token_hash is not None
    user.api_token_hash = None
    user.api_token_expires_at = None
    session.commit()
    return had_token


def check_token(session: Session, token: str, now: Optional[datetime] = None) -> tuple[Optional[User], str]:
    """The admin an API token belongs to and ``""``, or None and why the token is refused.

    Refused: an unknown token, a token past its expiry, and the token of an account that is
    no longer an admin.
    """
    user = None
    if token.startswith(TOKEN_PREFIX) and len(token) <= 200:
        user = session.scalar(select(User).where(User.api_token_hash == token_digest(token)))
    if user is None:
        return None, "invalid API token"
    if user.api_token_expires_at is not None and user.api_token_expires_at <= (now or utcnow()):
        return None, "expired API token"
    if not user.is_admin:
        return None, "API token of an account that is not an admin"
    return user, ""


def user_for_token(session: Session, token: str) -> Optional[User]:
    """The admin a valid, unexpired API token belongs to, or None."""
    return check_token(session, token)[0]


def end_sessions(session: Session, user_id: int) -> None:
    """End every sign-in session of the account ``user_id`` (its session version moves on). Commits.

    The increment happens in the database, so two sign-outs at once both count.
    """
    session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
    session.commit()
