"""Sign-in throttling with Flask-Limiter: per username and per client address.

Every POST to the login page counts, whether or not the password is right: the count is
taken (atomically, in the storage) before the password is checked, so concurrent guesses
cannot all slip in before the first one is recorded. Two limits apply, in a moving window
of ``LOGIN_WINDOW_S`` seconds:

- ``LOGIN_MAX_ATTEMPTS_PER_USERNAME`` tries for one username, from anywhere (a guesser
  cannot get more by changing address);
- ``LOGIN_MAX_ATTEMPTS_PER_ADDRESS`` tries from one client address, for any usernames.

Counts live in ``RATELIMIT_STORAGE_URI``: Redis in production, so every web process shares
them; ``memory://`` (one process) in the embedded default. If Redis becomes unreachable the
limits keep applying per process, in memory, until it is back.

The client address is ``request.remote_addr``: the peer's address, or, when ``PROXY_COUNT``
is above 0, the one the configured proxies put in ``X-Forwarded-For`` (see ``webadmin.app``).
A client cannot choose it by sending the header itself.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError

from webadmin.access import safe_next_url
from webadmin.security import normalise_username

LOGIN_ENDPOINT = "auth.login"
_EXTENSION = "hcmqa_login_limiter"


def username_key() -> str:
    """The rate-limit key of the username in the form: a digest, so the store holds no names
    and an overlong name costs no more than a short one."""
    name = normalise_username(request.form.get("username", ""))
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _per_username() -> str:
    config = current_app.config
    return f"{int(config['LOGIN_MAX_ATTEMPTS_PER_USERNAME'])} per {int(config['LOGIN_WINDOW_S'])} seconds"


def _per_address() -> str:
    config = current_app.config
    return f"{int(config['LOGIN_MAX_ATTEMPTS_PER_ADDRESS'])} per {int(config['LOGIN_WINDOW_S'])} seconds"


def _refusal(what: str) -> Callable[[RequestLimit], object]:
    """An ``on_breach`` callback answering 429 on the login page, naming ``what`` was limited."""

    def on_breach(limit: RequestLimit):
        # reset_at is rounded up to a whole second; never announce more than the window.
        wait_s = min(max(1, math.ceil(limit.reset_at - time.time())), int(current_app.config["LOGIN_WINDOW_S"]))
        if wait_s < 120:
            when = f"{wait_s} second{'s' if wait_s != 1 else ''}"
        else:
            minutes = math.ceil(wait_s / 60)
            when = f"{minutes} minutes"
        error = f"Too many sign-in attempts {what}. Try again in {when}."
        page = render_template("auth/login.html", next_url=safe_next_url(request.values.get("next")),
                               error=error, username=request.form.get("username", "").strip()[:150])
        response = current_app.make_response((page, 429))
        response.headers["Retry-After"] = str(wait_s)
        return response

    return on_breach


def init_login_throttling(app: Flask) -> Limiter:
    """Put the two sign-in limits on ``app``'s login view (call after the blueprints are registered)."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    try:
        limiter = Limiter(get_remote_address, app=app, strategy="moving-window", key_prefix="hcmqa-login",
                          in_memory_fallback_enabled=True)
    except ConfigurationError as exc:
        raise RuntimeError(f"webadmin: RATELIMIT_STORAGE_URI={uri!r} cannot be used: {exc}") from None
    app.extensions[_EXTENSION] = limiter
    view = app.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(_per_username, key_func=username_key, methods=["POST"], scope="username",
                         on_breach=_refusal("for this account"))(view)
    view = limiter.limit(_per_address, methods=["POST"], scope="address",
                         on_breach=_refusal("from your address"))(view)
    app.view_functions[LOGIN_ENDPOINT] = view

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):
        return exc.get_response()

    return limiter

