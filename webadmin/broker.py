"""The web app's Celery *client*, stored on the app; sending follows :mod:`jobs.send`.

Keeping only a client here preserves the dependency direction (``webadmin -> jobs -> db``):
the web process starts without torch, and the task implementations can change without
touching it. A message that could not be sent loses nothing (the job row stays queued and
unsent, the workers' reaper sends it later); the page shows why and offers "Send again".
"""

from __future__ import annotations

from celery import Celery
from flask import Flask, current_app
from sqlalchemy.orm import Session

from db.models import Job
from jobs import Dispatch, dispatch

_EXTENSION = "celery"


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery client for ``app.config['BROKER_URL']`` (Flask's Celery pattern).

    ``set_as_current=False`` keeps this client from becoming the process-wide default app, so
    it never interferes with a worker app living in the same process (tests, shells).
    """
    client = Celery(
        "webadmin",
        broker=app.config["BROKER_URL"],
        set_as_current=False,
    )
    timeout = app.config["BROKER_CONNECT_TIMEOUT_S"]
    client.conf.update(
        task_serializer="json",
        accept_content=["json"],
        broker_connection_timeout=timeout,
        broker_connection_retry_on_startup=False,
        task_ignore_result=True,
    )
    if str(app.config["BROKER_URL"]).startswith(("redis://", "rediss://")):
        # A broker that accepts the connection but never answers must not hang the request:
        # every socket read and write times out too, not only the connect.
        client.conf.broker_transport_options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    app.extensions[_EXTENSION] = client
    return client


def celery_client(app: Flask | None = None) -> Celery:
    """The current app's Celery client."""
    return (app or current_app).extensions[_EXTENSION]


def dispatch_job(session: Session, job: Job) -> Dispatch:
    """Send the message for a committed ``job``; an unreachable broker is reported in ``error``."""
    return dispatch(celery_client(), session, job, retries=current_app.config["BROKER_SEND_RETRIES"])
