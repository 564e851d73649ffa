"""Claiming a job row before any work: ``db.jobs.claim_job``, plus immediate takeover from
an owner that is provably dead on this host."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import ClaimReason, ClaimResult, claim_job
from db.models import Job
from worker.identity import owner_is_dead

log = logging.getLogger(__name__)


def claim(
    factory: sessionmaker[Session], job_id: int, worker: str, stale_after_s: float
) -> ClaimResult:
    """``claim_job``, plus immediate takeover from a provably dead owner on this host."""
    with factory() as session:
        result = claim_job(session, job_id, worker, stale_after_s=stale_after_s)
        if result.reason is ClaimReason.running_elsewhere:
            owner = session.scalar(select(Job.worker).where(Job.id == job_id))
            if owner and owner != worker and owner_is_dead(owner):
                log.info("job %s: owner %r is dead; taking over", job_id, owner)
                # stale_after_s=0: the conditional UPDATE still guards against races.
                result = claim_job(session, job_id, worker, stale_after_s=0.0)
        return result
