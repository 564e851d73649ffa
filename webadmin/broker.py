"""The web app's Celery *client*: it sends tasks by name and never imports worker code.

Keeping only a client here preserves the dependency direction (``webadmin -> db``): the web
process starts without torch, and the task implementations can change without touching it.
The database row is the source of truth; a message only tells a worker which row to look at,
so a message that could not be sent loses nothing -- the row stays ``queued`` with a NULL
``celery_task_id`` (the protocol of ``worker/dispatch.py``), the workers' periodic reaper sends
it once the broker is back, and its page offers "Send again" (a duplicate delivery is a no-op
claim on the worker side).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from celery import Celery
from flask import Flask, current_app
from kombu.exceptions import KombuError, OperationalError
from sqlalchemy.orm import Session

from db.models import Job, JobKind

log = logging.getLogger(__name__)

_EXTENSION = "celery"

#: Task name and queue for each kind of job. Names are the worker's public contract.
TASK_ROUTES: dict[JobKind, tuple[str, str]] = {
    JobKind.train: ("hcmqa.train_trial", "gpu"),
    JobKind.evaluate: ("hcmqa.evaluate_trial", "gpu"),
    JobKind.answer: ("hcmqa.answer_batch", "gpu"),
}


@dataclass(frozen=True)
class Dispatch:
    """Outcome of sending one job's message; ``error`` is a sentence for the user when not sent."""

    job_id: int
    sent: bool
    task_id: Optional[str] = None
    error: Optional[str] = None


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
    """Send the message for a committed ``job`` and remember its Celery task id.

    Must be called after the job row is committed, so a fast worker finds it. A broker that
    cannot be reached is reported, not raised: the caller flashes ``error`` and the job stays
    queued for a later "send again".
    """
    route = TASK_ROUTES.get(JobKind(job.kind))
    if route is None:
        return Dispatch(job.id, sent=False, error=f"Job #{job.id} is a {job.kind} job, which this app does not send.")
    task_name, queue = route
    retries = current_app.config["BROKER_SEND_RETRIES"]
    try:
        result = celery_client().send_task(
            task_name,
            args=[job.id],
            queue=queue,
            retry=retries > 0,
            retry_policy={"max_retries": retries, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except (OperationalError, KombuError, OSError) as exc:
        log.warning("could not send %s for job %s: %s", task_name, job.id, exc)
        return Dispatch(
            job.id,
            sent=False,
            error=(
                f"Job #{job.id} is saved and queued, but the task queue (broker) is unreachable "
                f"({type(exc).__name__}: {exc}). Nothing was lost: the workers send it automatically once "
                "the broker is back, or use \u201cSend again\u201d on this page."
            ),
        )
    job.celery_task_id = result.id
    session.commit()
    return Dispatch(job.id, sent=True, task_id=result.id)
