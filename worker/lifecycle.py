"""The life of one job inside a worker: claim, heartbeat, report, finish.

Every task goes through :func:`run_job`, so the guarantees live in one place:

- the job row is claimed atomically (``db.jobs.claim_job``) before any work, so a
  redelivered or duplicate message is a no-op and an attempt over the cap ends ``failed``;
- a heartbeat thread keeps ``heartbeat_at`` fresh and writes progress and metric points
  while the work runs, and notices a cancel request or a lost claim;
- the job is finished and its results written in one transaction, and only while this
  process still owns it, so a worker presumed dead never overwrites its successor's outcome.

The pieces live beside it: who we are (:mod:`worker.identity`), the claim with takeover
from a dead owner (:mod:`worker.claim`), the heartbeat thread (:mod:`worker.heartbeat`)
and what the work sees (:mod:`worker.context`); status changes are :mod:`db.jobs`'s.
Kind-specific work (training, answering, ...) lives in the ``*_job`` modules; it receives
a :class:`JobContext` and returns an :class:`Outcome`.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from billiard.exceptions import SoftTimeLimitExceeded
from celery.utils.dispatch import Signal
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import ClaimReason, finish_job, sync_owner_status
from db.models import Job, JobKind, JobStatus
from worker.claim import claim
from worker.context import JobContext, JobStopped, Outcome, Work
from worker.heartbeat import JobMonitor
from worker.identity import worker_name
from worker.runtime import session_factory_for
from worker.settings import WorkerSettings

# The work modules take their types from here or from worker.context alike.
__all__ = ["JobContext", "JobStopped", "Outcome", "Work", "describe_error", "job_started", "run_job"]

log = logging.getLogger(__name__)

#: Sent in the worker process right after a job is claimed, before its work starts, with
#: ``job_id``, ``kind``, ``attempt`` and ``payload``. Monitoring hooks and the test suite's
#: fault injection (``tests/worker/faults.py``) connect to it; production code does not.
job_started = Signal(name="hcmqa.job_started")


def run_job(
    settings: WorkerSettings, node: Optional[str], job_id: int, kind: JobKind, work: Work
) -> dict[str, Any]:
    """Claim job ``job_id``, run ``work`` under a heartbeat, record the outcome.

    Returns a small summary for the worker log; nothing waits on it. Exceptions from the
    work end the job ``failed`` with a one-line error; they are not re-raised, because a
    retry is the reaper's and the admin's decision, not an automatic loop.
    """
    factory = session_factory_for(settings)
    worker = worker_name(node)
    result = claim(factory, job_id, worker, settings.stale_after_s)
    if not result.claimed:
        log.info("job %s not run: %s (attempt %s)", job_id, result.reason.value, result.attempt)
        if result.reason in (
            ClaimReason.gave_up,
            ClaimReason.cancelled,
            ClaimReason.already_finished,
        ):
            # E.g. cancelled while queued, or given up just now: close its trial/batch too.
            with factory() as session:
                sync_owner_status(session, job_id)
                session.commit()
        return {"job_id": job_id, "claimed": False, "reason": result.reason.value}

    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None  # we just claimed it
        if JobKind(job.kind) is not kind:
            error = f"job {job_id} is a {job.kind} job but was sent to the {kind.value} task"
            finish_job(session, job_id, worker, JobStatus.failed, error, attempt=result.attempt)
            return {"job_id": job_id, "claimed": True, "status": "failed", "error": error}
        payload, trial_id, batch_id = dict(job.payload or {}), job.trial_id, job.batch_id
        sync_owner_status(session, job_id)
        session.commit()

    monitor = JobMonitor(factory, job_id, worker, result.attempt, settings.heartbeat_s, trial_id)
    ctx = JobContext(
        settings,
        factory,
        job_id,
        kind,
        result.attempt,
        worker,
        payload,
        trial_id,
        batch_id,
        monitor,
    )
    log.info("job %s (%s) claimed by %s, attempt %s", job_id, kind.value, worker, result.attempt)
    monitor.start()
    try:
        job_started.send(
            sender=kind.value, job_id=job_id, kind=kind, attempt=result.attempt, payload=payload
        )
        outcome = work(ctx)
    except JobStopped:
        outcome = ctx.stopped_outcome()
    except SoftTimeLimitExceeded:
        limit = settings.train_time_limit_s if kind is JobKind.train else settings.task_time_limit_s
        outcome = Outcome(
            JobStatus.failed,
            f"stopped by the time limit ({limit:.0f} s); raise HCMQA_TRAIN_TIME_LIMIT_S or "
            "HCMQA_TASK_TIME_LIMIT_S, or resume the job to continue from its last checkpoint",
        )
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job row
        log.exception("job %s failed", job_id)
        outcome = Outcome(JobStatus.failed, describe_error(exc))
    finally:
        monitor.stop()

    if monitor.lost:
        log.warning(
            "job %s: lost ownership; its outcome (%s) is discarded", job_id, outcome.status.value
        )
        return {"job_id": job_id, "claimed": True, "status": "lost"}
    finished = settle(factory, job_id, worker, result.attempt, outcome)
    return {
        "job_id": job_id,
        "claimed": True,
        "status": outcome.status.value if finished else "lost",
        "attempt": result.attempt,
        **outcome.summary,
    }


def settle(
    factory: sessionmaker[Session], job_id: int, worker: str, attempt: int, outcome: Outcome
) -> bool:
    """Finish the job and write its results atomically; False if we no longer own it."""
    with factory() as session:
        done = finish_job(
            session, job_id, worker, outcome.status, outcome.error, attempt=attempt, commit=False
        )
        if not done:
            session.rollback()
            log.warning(
                "job %s: finished elsewhere; outcome %s discarded", job_id, outcome.status.value
            )
            return False
        if outcome.apply is not None:
            outcome.apply(session)
        sync_owner_status(session, job_id)
        session.commit()
    log.info(
        "job %s %s%s", job_id, outcome.status.value, f": {outcome.error}" if outcome.error else ""
    )
    return True


def describe_error(exc: BaseException) -> str:
    """One readable line for the job row: messages of our own errors as they are."""
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ValueError, FileNotFoundError, LookupError)):
        return message
    return f"{type(exc).__name__}: {message}"
