"""Sending a job's message: the one protocol of the web app, the command line and the reaper.

The job row is committed first; the message carries only the job id; after a successful
send its Celery task id is stored in ``jobs.celery_task_id``. A queued job whose
``celery_task_id`` is still NULL was therefore never (known to be) sent: nothing is lost
when the broker is down, the row stays queued and the workers' periodic reaper sends it once
the broker is back. A duplicate message is harmless: the worker's atomic claim turns it into
a no-op. Senders use a *client* Celery app and send by task name, never importing worker code.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Optional

from celery import Celery
from kombu.exceptions import KombuError, OperationalError
from kombu.utils.url import maybe_sanitize_url
from sqlalchemy.orm import Session

from db.jobs import record_sent
from db.models import Job, JobKind
from jobs.contract import task_for

log = logging.getLogger(__name__)


class BrokerUnavailableError(RuntimeError):
    """The job broker could not be reached; ``broker`` is its URL without the password."""

    def __init__(self, broker: str, cause: BaseException):
        self.broker = broker
        self.cause = cause
        super().__init__(f"could not reach the job broker at {broker}: {describe(cause)}")


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def send_job(
    client: Celery, session: Session, job_id: int, kind: JobKind | str, *, retries: int
) -> str:
    """Send the message for committed job ``job_id`` and record its task id (committed).

    Fails within a few seconds (the client's connect timeout, ``retries`` quick retries) with
    :class:`BrokerUnavailableError`; the job row is left as it was (queued, unsent).
    """
    task = task_for(kind)
    try:
        result = client.send_task(
            task.name,
            args=[job_id],
            queue=task.queue,
            retry=retries > 0,
            retry_policy={
                "max_retries": retries,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 1.0,
            },
        )
    except (OperationalError, KombuError, OSError, socket.timeout) as exc:
        log.warning("could not send %s for job %s: %s", task.name, job_id, exc)
        raise BrokerUnavailableError(maybe_sanitize_url(str(client.conf.broker_url)), exc) from exc
    record_sent(session, job_id, str(result.id))
    log.info("sent %s for job %s as task %s", task.name, job_id, result.id)
    return str(result.id)


@dataclass(frozen=True)
class Dispatch:
    """Outcome of sending one job's message; ``error`` is a sentence for the user when not sent."""

    job_id: int
    sent: bool
    task_id: Optional[str] = None
    error: Optional[str] = None


def dispatch(client: Celery, session: Session, job: Job, *, retries: int) -> Dispatch:
    """:func:`send_job` for a page or an API answer: an unreachable broker is reported, not raised."""
    try:
        task_id = send_job(client, session, job.id, job.kind, retries=retries)
    except BrokerUnavailableError as exc:
        return Dispatch(
            job.id,
            sent=False,
            error=(
                f"Job #{job.id} is saved and queued, but the task queue (broker) is unreachable "
                f"({type(exc.cause).__name__}: {exc.cause}). Nothing was lost: the workers send it "
                "automatically once the broker is back, or use \u201cSend again\u201d on this page."
            ),
        )
    return Dispatch(job.id, sent=True, task_id=task_id)


class SubmissionNotSentError(BrokerUnavailableError):
    """Rows were stored (queued) but the message could not be sent (the command line's report)."""

    def __init__(self, cause: BrokerUnavailableError, what: str, job_id: int, **ids: Optional[int]):
        self.what = what
        self.job_id = job_id
        self.trial_id = ids.get("trial_id")
        self.batch_id = ids.get("batch_id")
        super().__init__(cause.broker, cause.cause)
        self.args = (
            f"{cause}; {what} was saved as queued (job {job_id}) and nothing was lost: it will "
            "be sent automatically once the broker is reachable again (or run "
            "'hcmqa jobs --resend')",
        )

    def __str__(self) -> str:
        return str(self.args[0])


def send_submitted(
    client: Celery, session: Session, job: Job, what: str, *, retries: int, **ids: Optional[int]
) -> str:
    """:func:`send_job` for a fresh submission: a failure says what was stored, and that it is safe."""
    job_id = job.id
    try:
        return send_job(client, session, job_id, job.kind, retries=retries)
    except BrokerUnavailableError as exc:
        raise SubmissionNotSentError(exc, what, job_id, **ids) from exc.cause
