"""The periodic reaper: recovers jobs whose worker died and jobs that were never sent.

Three sweeps, each safe to run concurrently with workers and with another reaper (every
transition is a conditional UPDATE, see ``db.jobs``):

1. running jobs silent for ``stale_after_s``: back to ``queued`` and re-sent when attempts
   remain, else ``failed`` (or ``cancelled`` if a cancel was pending);
2. trials and FAQ batches still open although their job already ended (a job given up by
   the reaper or by a claim): they take the job's status and error;
3. queued jobs with no recorded message (the broker was down at submission, or a re-send
   failed) older than ``unsent_grace_s``: sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from celery import Celery
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import reap_stale
from db.models import FaqBatch, Job, JobKind, JobStatus, Trial, TrialStatus, utcnow
from worker.dispatch import BrokerUnavailableError, send_job
from worker.lifecycle import sync_owner_status

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
    with factory() as session:
        report.requeued = reap_stale(session, stale_after_s, commit=False)
        if report.requeued:
            # Their old message is gone with the dead worker: mark them unsent.
            session.execute(
                update(Job)
                .where(Job.id.in_(report.requeued))
                .values(celery_task_id=None)
                .execution_options(synchronize_session=False)
            )
        session.commit()
        report.synced = _sync_finished_owners(session)
        session.commit()

        cutoff = utcnow() - timedelta(seconds=unsent_grace_s)
        unsent = session.execute(
            select(Job.id, Job.kind)
            .where(
                Job.status == JobStatus.queued,
                Job.celery_task_id.is_(None),
                (Job.created_at < cutoff) | Job.id.in_(report.requeued or [-1]),
            )
            .order_by(Job.id)
        ).all()

    for job_id, kind in unsent:
        try:
            send_job(celery_app, factory, job_id, kind)
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


def _sync_finished_owners(session: Session) -> list[int]:
    """Close trials/batches whose train/answer job ended without updating them."""
    ended = [JobStatus.failed, JobStatus.cancelled]
    trial_jobs = (
        select(Job.id)
        .join(Trial, Trial.id == Job.trial_id)
        .where(
            Job.kind == JobKind.train,
            Job.status.in_(ended),
            Trial.status.in_([TrialStatus.queued, TrialStatus.running]),
        )
    )
    batch_jobs = (
        select(Job.id)
        .join(FaqBatch, FaqBatch.id == Job.batch_id)
        .where(
            Job.kind == JobKind.answer,
            Job.status.in_(ended),
            FaqBatch.status.in_([JobStatus.queued, JobStatus.running]),
        )
    )
    job_ids = list(session.scalars(trial_jobs)) + list(session.scalars(batch_jobs))
    for job_id in job_ids:
        sync_owner_status(session, job_id)
    return job_ids
