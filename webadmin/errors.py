"""Error pages: every failure is a sentence saying what went wrong and what to do next.

API requests (under ``/api/``) get the same sentence as JSON ``{"error": ...}``.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException

# What the database drivers say when the schema is missing or behind the code, or the file is
# locked by another writer: each gets a sentence saying what to do instead of a bare 500.
_NO_SCHEMA = ("no such table", "no such column", "undefinedtable", "undefinedcolumn", "does not exist")
_LOCKED = ("database is locked",)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back, check the form and try again."),
    403: ("Forbidden", "You are not allowed to do that."),
    404: ("Not found", "There is nothing at this address. It may have been deleted, or the link is wrong."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    429: ("Too many requests", "Slow down and try again in a few minutes."),
    500: ("Server error", "Something went wrong on our side. The error is logged; try again, and tell the "
                          "administrator if it persists."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, "Security check failed",
                       f"The form's security token is missing or invalid ({exc.description}) Reload the page "
                       "and submit again; API clients send the X-CSRFToken header or use a bearer token.")

    @app.errorhandler(413)
    def _too_large(_exc):
        limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return _render(413, "Upload too large",
                       f"The upload is larger than the limit of {limit:g} MB. Upload fewer or smaller files at "
                       "a time, or ask the administrator to raise MAX_UPLOAD_MB.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        title, message = MESSAGES.get(status, (exc.name, exc.description or ""))
        return _render(status, title, message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(ProgrammingError)
    def _database(exc: Exception):
        text = f"{type(getattr(exc, 'orig', exc)).__name__} {exc}".lower()
        if any(marker in text for marker in _NO_SCHEMA):
            current_app.logger.error("database schema missing or out of date: %s", exc)
            return _render(503, "Database not ready",
                           "The database has no tables yet, or its schema is older than this version of "
                           "the app. Run `hcmqa db upgrade` against DATABASE_URL, then reload.")
        if any(marker in text for marker in _LOCKED):
            current_app.logger.warning("database locked: %s", exc)
            return _render(503, "Database busy",
                           "The database is locked by another program writing to it. Try again in a minute; "
                           "for several users at once, use PostgreSQL instead of SQLite.")
        return _unexpected(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        title, message = MESSAGES[500]
        return _render(500, title, message)
