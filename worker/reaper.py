"""The periodic reaper: recovers jobs whose worker died and jobs that were never sent.

Three sweeps, each safe to run concurrently with workers and with another reaper (every
transition is a conditional UPDATE, see ``db.jobs``):

1. running jobs silent for ``stale_after_s``: back to ``queued`` and re-sent when attempts
   remain, else ``failed`` (or ``cancelled`` if a cancel was pending);
2. trials and FAQ batches still open although their job already ended (a job given up by
   the reaper or by a claim): they take the job's status and error;
3. queued jobs with no recorded message (the broker was down at submission, or a re-send
   failed) older than ``unsent_grace_s``: sent again (``jobs.send``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import mark_unsent, reap_stale, sync_ended_owners, unsent_jobs
from db.models import utcnow
from jobs.send import BrokerUnavailableError, send_job
from worker.app import settings_of

log = logging.getLogger(__name__)


@dataclass
class ReapReport:
    """What one reaper pass did (logged, and returned by the task)."""

    requeued: list[int] = field(default_factory=list)
    synced: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    send_error: str | None = None
    send_failure: BrokerUnavailableError | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "requeued": self.requeued,
            "synced": self.synced,
            "sent": self.sent,
            "send_error": self.send_error,
        }


def reap(
    celery_app: Celery, factory: sessionmaker[Session], stale_after_s: float, unsent_grace_s: float
) -> ReapReport:
    """One pass of the three sweeps (see the module docstring)."""
    report = ReapReport()
    retries = settings_of(celery_app).send_retries
    with factory() as session:
        report.requeued = reap_stale(session, stale_after_s, commit=False)
        # Their old message is gone with the dead worker: mark them unsent.
        mark_unsent(session, report.requeued)
        report.synced = sync_ended_owners(session)
        session.commit()

        cutoff = utcnow() - timedelta(seconds=unsent_grace_s)
        unsent = unsent_jobs(session, cutoff, also=report.requeued)
        for job_id, kind in unsent:
            try:
                send_job(celery_app, session, job_id, kind, retries=retries)
            except BrokerUnavailableError as exc:
                report.send_error, report.send_failure = str(exc), exc
                log.warning(
                    "reaper: %s; %d job(s) stay queued until the next pass",
                    exc,
                    len(unsent) - len(report.sent),
                )
                break
            report.sent.append(job_id)
    if report.requeued or report.synced or report.sent or report.send_error:
        log.info("reaper: %s", report.as_dict())
    return report


def resend_unsent(factory: sessionmaker[Session], celery_app: Celery) -> list[int]:
    """Send every queued job that has no recorded message now (``hcmqa jobs --resend``)."""
    report = reap(
        celery_app, factory, settings_of(celery_app).stale_after_s, unsent_grace_s=0.0
    )
    if report.send_failure is not None:
        raise report.send_failure
    return report.sent
