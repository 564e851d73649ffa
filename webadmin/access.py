"""Who is asking, and may they: authentication and CSRF for every request, in one hook.

Login is enforced app-wide rather than per view, so a route added later cannot forget it;
only views marked :func:`public` (the login page, static files) are reachable anonymously.
Pages answer an anonymous request with a redirect to the login page, the API with 401.

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

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from db.models import User
from hcmqa.text import has_control_characters
from webadmin.database import get_session
from webadmin.security import LoginThrottle, check_token, session_fingerprint

F = TypeVar("F", bound=Callable)

API_BLUEPRINT = "api"
#: Endpoints Flask itself registers that must work before signing in (the login page's CSS).
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (no fixation) holding the id and password fingerprint."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["fp"] = session_fingerprint(user)


def end_session() -> None:
    session.clear()


def _user_from_session() -> Optional[User]:
    uid, fingerprint = session.get("uid"), session.get("fp")
    if not isinstance(uid, int) or not isinstance(fingerprint, str):
        return None
    user = get_session().get(User, uid)
    if user is None or not user.is_admin:
        return None
    if not hmac.compare_digest(session_fingerprint(user), fingerprint):
        return None
    return user


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


def login_throttle() -> LoginThrottle:
    return current_app.extensions["hcmqa_login_throttle"]


def init_access(app: Flask, csrf: CSRFProtect) -> None:
    """Install the authentication + CSRF hook on ``app``."""
    app.extensions["hcmqa_login_throttle"] = LoginThrottle(
        app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_WINDOW_S"]
    )

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
            g.user = _user_from_session()
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
