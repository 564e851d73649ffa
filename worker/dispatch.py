"""Sending a job's message, shared by the submission helpers and the reaper.

Protocol (the web app's ``webadmin.broker`` follows the same one): the job row is committed
first; the message carries only the job id; after a successful send the Celery task id is
stored in ``jobs.celery_task_id``. A queued job whose ``celery_task_id`` is still NULL was
therefore never (known to be) sent, and the reaper sends it again once the broker is back.
A duplicate message is harmless: the worker's atomic claim turns it into a no-op.
"""

from __future__ import annotations

import logging
import socket

from celery import Celery
from kombu.exceptions import KombuError, OperationalError
from kombu.utils.url import maybe_sanitize_url
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Job, JobKind
from worker.app import (
    ANSWER_BATCH,
    EVALUATE_TRIAL,
    TASK_QUEUES,
    TRAIN_GATE,
    TRAIN_TRIAL,
    settings_of,
)

log = logging.getLogger(__name__)

#: The task that runs each kind of job.
TASK_FOR_KIND: dict[JobKind, str] = {
    JobKind.train: TRAIN_TRIAL,
    JobKind.evaluate: EVALUATE_TRIAL,
    JobKind.answer: ANSWER_BATCH,
    JobKind.gate: TRAIN_GATE,
}


class BrokerUnavailableError(RuntimeError):
    """The job broker could not be reached; ``broker`` is its URL without the password."""

    def __init__(self, broker: str, cause: BaseException):
        self.broker = broker
        self.cause = cause
        super().__init__(f"could not reach the job broker at {broker}: {_describe(cause)}")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def send_job(
    celery_app: Celery, factory: sessionmaker[Session], job_id: int, kind: JobKind | str
) -> str:
    """Send the message for committed job ``job_id`` and record its task id.

    Fails within a few seconds (connect timeout, ``send_retries`` quick retries) with
    :class:`BrokerUnavailableError`; the job row is left as it was (queued, unsent).
    """
    settings = settings_of(celery_app)
    name = TASK_FOR_KIND[JobKind(kind)]
    try:
        result = celery_app.send_task(
            name,
            args=[job_id],
            queue=TASK_QUEUES[name],
            retry=settings.send_retries > 0,
            retry_policy={
                "max_retries": settings.send_retries,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 1.0,
            },
        )
    except (OperationalError, KombuError, OSError, socket.timeout) as exc:
        raise BrokerUnavailableError(maybe_sanitize_url(settings.broker_url), exc) from exc
    with factory() as session:
        session.execute(update(Job).where(Job.id == job_id).values(celery_task_id=result.id))
        session.commit()
    log.info("sent %s for job %s as task %s", name, job_id, result.id)
    return str(result.id)
