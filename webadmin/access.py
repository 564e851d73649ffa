"""Who is asking, and may they: authentication and CSRF for every request, in one hook.

Login is enforced app-wide rather than per view, so a route added later cannot forget it;
only views marked :func:`public` (the login page, static files) are reachable anonymously.
Pages answer an anonymous request with a redirect to the login page, the API with 401.

Sign-in sessions are Flask-Login's. The session cookie names the account and the account's
session version at sign-in (``"<id>:<version>"``); a cookie is honoured only while the
account is an admin and still has that version. Signing out and a password reset increment
the version, so they end every session of the account, including copies of the cookie
taken before.

CSRF: every POST/PUT/PATCH/DELETE must carry a valid token (form field ``csrf_token`` or the
``X-CSRFToken`` header) -- except API calls authenticated by a bearer token, which browsers
never attach on their own, so a forged cross-site request cannot carry one. A bearer token
works only while it is unexpired and its account is an admin.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Optional, TypeVar
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from db.models import User
from hcmqa.text import has_control_characters
from webadmin.database import get_session
from webadmin.security import check_token, end_sessions

F = TypeVar("F", bound=Callable)

API_BLUEPRINT = "api"
#: Endpoints Flask itself registers that must work before signing in (the login page's CSS).
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


class SessionUser(UserMixin):
    """The signed-in account as Flask-Login sees it: the ORM row and its session id."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return session_id(self.user)


def session_id(user: User) -> str:
    """What a session cookie stores for ``user``: its id and current session version."""
    return f"{user.id}:{user.session_version}"


def _load_session_user(value: str) -> Optional[SessionUser]:
    """Flask-Login's user loader: the admin a session id names, if that session is still valid."""
    uid_text, sep, version_text = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not sep or not uid_text.isdigit() or not version_text.isdigit() or len(value) > 40:
        return None
    user = get_session().get(User, int(uid_text))
    if user is None or not user.is_admin:
        return None
    if not hmac.compare_digest(str(user.session_version).encode(), version_text.encode()):
        return None  # signed out or password reset since this session began
    return SessionUser(user)


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (no fixation) naming the account's session version."""
    session.clear()
    session.permanent = True
    login_user(SessionUser(user))


def end_session(user: Optional[User]) -> None:
    """Sign out: ends every session of ``user`` (not only this browser's) and clears this one."""
    if user is not None:
        end_sessions(get_session(), user.id)
    logout_user()
    session.clear()


def _bearer_token() -> Optional[str]:
    """The token of an ``Authorization: Bearer`` header ('' when the header is malformed)."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def api_unauthorized(message: str):
    response = jsonify(error=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="hcmqa"'
    return response


def safe_next_url(target: Optional[str]) -> Optional[str]:
    """``target`` if it is a path on this site, else None (no open redirects after login)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if has_control_characters(target):  # CR/LF would split the Location header
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def init_access(app: Flask, csrf: CSRFProtect) -> None:
    """Install Flask-Login and the authentication + CSRF hook on ``app``."""
    login_manager = LoginManager(app)
    login_manager.user_loader(_load_session_user)
    # Anonymous requests are answered by the hook below (a redirect or 401), not by Flask-Login.

    @app.before_request
    def _authenticate_and_protect():
        g.user, g.auth_method = None, None
        is_api = request.blueprint == API_BLUEPRINT
        token = _bearer_token() if is_api else None
        if token is not None:
            g.user, why = check_token(get_session(), token) if token else (None, "invalid API token")
            if g.user is None:
                return api_unauthorized(f"{why}; an admin account gets one with 'flask --app webadmin create-token USERNAME'")
            g.auth_method = "token"
        else:
            g.user = current_user.user if current_user.is_authenticated else None
            g.auth_method = "session" if g.user else None
        view = app.view_functions.get(request.endpoint or "")
        if view is None:
            return None  # unknown URL: let Flask answer 404 / 405
        is_public = request.endpoint in PUBLIC_ENDPOINTS or getattr(view, "is_public", False)
        if g.user is None and not is_public:
            if is_api:
                return api_unauthorized("authentication required: send 'Authorization: Bearer <token>' or sign in")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if g.auth_method != "token" and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        return None
