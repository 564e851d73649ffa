"""The application factory (re-exported as ``webadmin.create_app``; see the package docstring).

It lives in a submodule so that code (and tests) can import ``webadmin.app`` directly; the
package ``__init__`` stays a thin re-export that ``flask --app webadmin`` finds.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from webadmin.access import init_access
from webadmin.broker import celery_init_app
from webadmin.cli import register_commands
from webadmin.config import DEFAULTS, settings_from_env
from webadmin.database import init_db
from webadmin.errors import register_error_handlers
from webadmin.formatting import register_filters
from webadmin.submissions import init_submissions
from webadmin.throttling import init_login_throttling
from webadmin.views import register_blueprints

csrf = CSRFProtect()

_REQUIRED = ("HCMQA_HOME", "DATABASE_URL", "BROKER_URL", "SECRET_KEY")

#: Sent with every response: no inline scripts or styles, nothing from other origins.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(test_config: Optional[dict[str, Any]] = None) -> Flask:
    """Build the app from the environment (``webadmin.config``), or from ``test_config`` alone.

    ``test_config`` replaces the environment entirely, so tests never pick up the settings
    of the machine they run on; it must give HCMQA_HOME, DATABASE_URL, BROKER_URL and SECRET_KEY.
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings_from_env() if test_config is None else test_config)
    missing = [key for key in _REQUIRED if not app.config.get(key)]
    if missing:
        raise RuntimeError(f"webadmin: missing configuration {', '.join(missing)}")
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    csrf.init_app(app)
    init_db(app)
    celery_init_app(app)
    init_submissions(app, os.environ if test_config is None else None)
    init_access(app, csrf)
    register_blueprints(app)
    init_login_throttling(app)
    register_error_handlers(app)
    register_filters(app)
    register_commands(app)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            # Pages show private data: keep them out of shared and back-button caches.
            response.headers["Cache-Control"] = "no-store"
        return response

    return app
