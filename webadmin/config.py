"""Settings of the admin web app: the only module in ``webadmin`` that reads environment variables.

Everything else receives values through ``app.config``, so tests (and ``create_app``'s
``test_config``) never depend on the environment of the machine running them.

Environment variables:

``HCMQA_HOME``
    Data folder (uploads, the SQLite files, the generated secret key). Default: the user cache
    directory (``~/.cache/hcmqa`` on Linux), the same as the ``hcmqa`` command and the workers.
``DATABASE_URL``
    SQLAlchemy URL. Default ``sqlite:///<HCMQA_HOME>/hcmqa.db``.
``BROKER_URL``
    Celery broker URL. Default ``sqla+sqlite:///<HCMQA_HOME>/broker.db`` (kombu's SQLAlchemy
    transport: works with no server running); production uses ``redis://...``.
``SECRET_KEY``
    Signs session cookies and CSRF tokens. When unset, a random key is generated once and kept
    in ``<HCMQA_HOME>/secret_key`` (mode 0600) so restarts do not sign everybody out.
``MAX_UPLOAD_MB``
    Largest accepted request body (uploads), in megabytes. Default 32.
``SESSION_COOKIE_SECURE``
    ``1``/``true`` to send the session cookie over HTTPS only. Off by default because the
    default deployment is plain-http on localhost, where a Secure cookie would never be sent
    back and nobody could sign in. Turn it on behind TLS.
``PROXY_COUNT``
    Number of trusted reverse proxies in front of the app (their ``X-Forwarded-*`` headers
    are honoured, e.g. for the client address used by login throttling). Default 0: the
    headers are ignored and the client address is the connection's.
``RATELIMIT_STORAGE_URI``
    Where sign-in attempts are counted (Flask-Limiter storage URI). Default: ``BROKER_URL``
    when that is a ``redis://`` or ``rediss://`` URL, so all web processes share the counts;
    otherwise ``memory://`` (counts per process, enough for the single-process default).
``HCMQA_ALLOW_HUB_MODELS``
    ``1``/``true`` lets a trial name a Hugging Face hub id (``org/name``) as its base model,
    for deployments whose workers may download models. Off by default: registry names only.
``HCMQA_MODELS_ROOT``
    The folder under which a trial may name a local model directory (an absolute path that
    must resolve inside it). Default ``<HCMQA_HOME>/models``. Workers use the same setting.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hcmqa.home import Home

#: Values that do not depend on the environment; ``create_app`` starts from these.
DEFAULTS: dict[str, Any] = {
    "MAX_UPLOAD_MB": 32,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "hcmqa_session",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # Tokens live as long as the session: a form left open over lunch must still submit.
    "WTF_CSRF_TIME_LIMIT": None,
    # CSRF is checked by webadmin.access's own hook, which exempts bearer-token API calls only.
    "WTF_CSRF_CHECK_DEFAULT": False,
    # Sign-in attempts (right or wrong) allowed per username and per client address in a
    # moving window (webadmin.throttling).
    "LOGIN_MAX_ATTEMPTS_PER_USERNAME": 5,
    "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 20,
    "LOGIN_WINDOW_S": 15 * 60,
    # Where those attempts are counted; settings_from_env picks the broker's Redis when it is one.
    "RATELIMIT_STORAGE_URI": "memory://",
    "PROXY_COUNT": 0,
    "BROKER_SEND_RETRIES": 2,
    "BROKER_CONNECT_TIMEOUT_S": 3.0,
    "DASHBOARD_POLL_MS": 3000,
    "ALLOW_HUB_MODELS": False,
    # None: <HCMQA_HOME>/models
    "MODELS_ROOT": None,
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use; the message names it."""


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r}: expected 1/true/yes/on or 0/false/no/off")


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def persistent_secret_key(home: Path) -> str:
    """Read, or create once, a random secret key kept in ``home/secret_key``.

    Created with O_EXCL so two processes starting together agree on one key (the loser reads
    the winner's file), and mode 0600 because anyone holding it can forge sessions.
    """
    path = Home(home).secret_key_file
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise SettingsError(f"{path}: secret key file is truncated; delete it to generate a new one") from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _default_ratelimit_storage(broker_url: str) -> str:
    """The broker's Redis when the broker is Redis, else one process's memory."""
    return broker_url if broker_url.split("://", 1)[0].lower() in ("redis", "rediss") else "memory://"


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask config values taken from the environment (see the module docstring)."""
    env = os.environ if environ is None else environ
    home = Home.from_env(env)
    broker_url = env.get("BROKER_URL") or home.broker_url
    return {
        "HCMQA_HOME": str(home.root),
        "DATABASE_URL": env.get("DATABASE_URL") or home.database_url,
        "BROKER_URL": broker_url,
        "SECRET_KEY": env.get("SECRET_KEY") or persistent_secret_key(home.root),
        "MAX_UPLOAD_MB": _int(env, "MAX_UPLOAD_MB", DEFAULTS["MAX_UPLOAD_MB"], 1),
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", False),
        "PROXY_COUNT": _int(env, "PROXY_COUNT", 0, 0),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or _default_ratelimit_storage(broker_url),
        "ALLOW_HUB_MODELS": _bool(env, "HCMQA_ALLOW_HUB_MODELS", False),
        "MODELS_ROOT": str(Path(env["HCMQA_MODELS_ROOT"]).expanduser()) if env.get("HCMQA_MODELS_ROOT") else None,
    }
