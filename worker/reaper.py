"""The periodic reaper: recovers jobs whose worker died and jobs that were never sent.

Three sweeps, each safe to run concurrently with workers and with another reaper (every
transition is a conditional UPDATE, see ``db.jobs``):

1. running jobs silent for ``stale_after_s``: back to ``queued`` and re-sent when attempts
   remain, else ``failed`` (or ``cancelled`` if a cancel was pending);
2. trials and FAQ batches still open although their job already ended (a job given up by
   the reaper or by a claim): they take the job's status and error;
3. queued jobs with no recorded message (the broker was down at submission, or a re-send
   failed) older than ``unsent_grace_s``: sent again (``jobs.send``);
4. upload staging folders (``uploads/.staging-*``) that no ingest job will move any more:
   those of ingest jobs that ended without running, and those no job names that are older
   than ``ORPHAN_STAGING_AGE_S`` (the web app saved the files, then failed to enqueue).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import mark_unsent, reap_stale, staging_folders, sync_ended_owners, unsent_jobs
from db.models import utcnow
from hcmqa.home import Home
from jobs.send import BrokerUnavailableError, send_job
from worker.app import settings_of

log = logging.getLogger(__name__)

#: A staging folder no ingest job names is removed once it is this old (seconds). The web app
#: creates the job a moment after saving the files; an hour leaves a wide margin.
ORPHAN_STAGING_AGE_S = 3600.0


@dataclass
class ReapReport:
    """What one reaper pass did (logged, and returned by the task)."""

    requeued: list[int] = field(default_factory=list)
    synced: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    removed_staging: list[str] = field(default_factory=list)
    send_error: str | None = None
    send_failure: BrokerUnavailableError | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "requeued": self.requeued,
            "synced": self.synced,
            "sent": self.sent,
            "removed_staging": self.removed_staging,
            "send_error": self.send_error,
        }


def reap(
    celery_app: Celery, factory: sessionmaker[Session], stale_after_s: float, unsent_grace_s: float
) -> ReapReport:
    """One pass of the four sweeps (see the module docstring)."""
    report = ReapReport()
    settings = settings_of(celery_app)
    retries = settings.send_retries
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
        ended, in_use = staging_folders(session)
    report.removed_staging = remove_stale_staging(Home(settings.home).uploads_dir, ended, in_use)
    if report.requeued or report.synced or report.sent or report.send_error or report.removed_staging:
        log.info("reaper: %s", report.as_dict())
    return report


def remove_stale_staging(uploads: Path, ended: set[str], in_use: set[str], now: float | None = None) -> list[str]:
    """Remove the staging folders under ``uploads`` of ended ingest jobs, and orphans older
    than ``ORPHAN_STAGING_AGE_S``; never one an open job names. Returns the names removed."""
    if not uploads.is_dir():
        return []
    now = time.time() if now is None else now
    removed = []
    for folder in sorted(uploads.glob(".staging-*")):
        name = folder.name
        if name in in_use or not folder.is_dir():
            continue
        try:
            orphan_old = now - folder.stat().st_mtime > ORPHAN_STAGING_AGE_S
        except FileNotFoundError:  # another reaper got there first
            continue
        if name in ended or orphan_old:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(name)
    return removed


def resend_unsent(factory: sessionmaker[Session], celery_app: Celery) -> list[int]:
    """Send every queued job that has no recorded message now (``hcmqa jobs --resend``)."""
    report = reap(
        celery_app, factory, settings_of(celery_app).stale_after_s, unsent_grace_s=0.0
    )
    if report.send_failure is not None:
        raise report.send_failure
    return report.sent
