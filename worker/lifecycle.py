"""The life of one job inside a worker: claim, heartbeat, report, finish.

Every task goes through :func:`run_job`, so the guarantees live in one place:

- the job row is claimed atomically (``db.jobs.claim_job``) before any work, so a
  redelivered or duplicate message is a no-op and an attempt over the cap ends ``failed``;
- a heartbeat thread keeps ``heartbeat_at`` fresh and writes progress and metric points
  while the work runs, and notices a cancel request or a lost claim;
- the job is finished and its results written in one transaction, and only while this
  process still owns it, so a worker presumed dead never overwrites its successor's outcome.

Kind-specific work (training, answering, ...) lives in the ``*_job`` modules; it receives
a :class:`JobContext` and returns an :class:`Outcome`.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ContextManager, Optional

from billiard.exceptions import SoftTimeLimitExceeded
from celery.utils.dispatch import Signal
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import (
    ClaimReason,
    ClaimResult,
    MetricPointTuple,
    claim_job,
    finish_job,
    heartbeat,
    record_metric_points,
    sync_owner_status,
)
from db.models import Job, JobKind, JobStatus
from db.session import session_scope
from worker.runtime import session_factory_for
from worker.settings import WorkerSettings

log = logging.getLogger(__name__)

#: Sent in the worker process right after a job is claimed, before its work starts, with
#: ``job_id``, ``kind``, ``attempt`` and ``payload``. Monitoring hooks and the test suite's
#: fault injection (:mod:`worker.testing`) connect to it; production code does not.
job_started = Signal(name="hcmqa.job_started")

#: Fastest rate at which a burst of progress reports is written to the database.
MIN_FLUSH_INTERVAL_S = 1.0


class JobStopped(Exception):
    """Raised inside work (e.g. from a progress callback) to stop it: cancelled or lost."""


# --- who we are ---------------------------------------------------------------------------

_OWNER_RE = re.compile(r" pid=(?P<pid>\d+) host=(?P<host>\S+)$")


def worker_name(node: Optional[str]) -> str:
    """Name stored in ``jobs.worker``: the Celery node plus this process's pid and host.

    Per process, not per node: each prefork child is a separate owner, which lets a sibling
    recognise a dead one (see :func:`owner_is_dead`).
    """
    host = socket.gethostname()
    return f"{node or 'worker'} pid={os.getpid()} host={host}"


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` is a live (non-zombie) process on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        # Third field is the state; "Z" is a zombie (dead, not yet reaped).
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def owner_is_dead(owner: str) -> bool:
    """Whether a job's recorded owner is certainly dead: same host, process gone.

    Lets a redelivered message of a crashed (e.g. OOM-killed) process be taken over at once
    instead of after ``stale_after_s``. Anything we cannot check (another host, a name in
    another format) counts as alive and is left to the heartbeat timeout.
    """
    match = _OWNER_RE.search(owner)
    if match is None or match["host"] != socket.gethostname():
        return False
    return not _pid_alive(int(match["pid"]))


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


# --- heartbeat ----------------------------------------------------------------------------


class JobMonitor:
    """Background thread that heart-beats a running job and writes its latest progress.

    Work threads call :meth:`report` (cheap, never touches the database); the thread writes
    at most every ``MIN_FLUSH_INTERVAL_S`` and at least every ``interval_s``. A database
    error is logged and retried on the next beat -- training is not aborted for a blip;
    if the blip outlasts ``stale_after_s`` the job is taken over and the claim fences us out.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: int,
        worker: str,
        attempt: int,
        interval_s: float,
        trial_id: Optional[int] = None,
    ):
        self.factory = factory
        self.job_id = job_id
        self.worker = worker
        self.attempt = attempt
        self.interval_s = interval_s
        self.trial_id = trial_id
        self._lock = threading.Lock()
        self._progress: Optional[float] = None
        self._detail: Optional[dict[str, Any]] = None
        self._points: list[MetricPointTuple] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_flush = 0.0
        self.cancel_requested = False
        self.lost = False
        self._thread = threading.Thread(
            target=self._loop, name=f"heartbeat-job-{job_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is still pending (in the caller's thread)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=max(5.0, 2 * self.interval_s))
        self.flush()

    def report(
        self,
        progress: Optional[float] = None,
        detail: Optional[Mapping[str, Any]] = None,
        points: Iterable[MetricPointTuple] = (),
    ) -> None:
        """Remember the newest progress; new metric points wake the writer promptly."""
        new_points = list(points)
        with self._lock:
            if progress is not None:
                self._progress = progress
            if detail is not None:
                self._detail = dict(detail)
            self._points.extend(new_points)
        if new_points:
            self._wake.set()

    @property
    def should_stop(self) -> bool:
        return self.cancel_requested or self.lost

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            wait = MIN_FLUSH_INTERVAL_S - (time.monotonic() - self._last_flush)
            if wait > 0 and self._stop.wait(wait):
                return
            self.flush()

    def flush(self) -> None:
        """One heartbeat: progress, detail and pending points, in one transaction."""
        with self._lock:
            progress, detail, points = self._progress, self._detail, self._points
            self._points = []
        self._last_flush = time.monotonic()
        try:
            with self.factory() as session:
                beat = heartbeat(
                    session,
                    self.job_id,
                    self.worker,
                    progress,
                    detail,
                    attempt=self.attempt,
                    commit=False,
                )
                # A process that lost the job must not write its trial's curves.
                if beat.owned and points and self.trial_id is not None:
                    record_metric_points(session, self.trial_id, points, commit=False)
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("job %s: heartbeat failed, will retry: %s", self.job_id, exc)
            with self._lock:
                self._points[:0] = points
            return
        if not beat.owned and not self.lost:
            log.warning("job %s: no longer owned by %s; stopping", self.job_id, self.worker)
            self.lost = True
        if beat.cancel_requested and not self.cancel_requested:
            log.info("job %s: cancel requested", self.job_id)
            self.cancel_requested = True


# --- the job run --------------------------------------------------------------------------


@dataclass
class Outcome:
    """How a job ended; ``apply`` writes its results in the transaction that finishes it."""

    status: JobStatus
    error: Optional[str] = None
    apply: Optional[Callable[[Session], None]] = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobContext:
    """What kind-specific work gets: the claimed job and ways to report and stop."""

    settings: WorkerSettings
    factory: sessionmaker[Session]
    job_id: int
    kind: JobKind
    attempt: int
    worker: str
    payload: dict[str, Any]
    trial_id: Optional[int]
    batch_id: Optional[int]
    monitor: JobMonitor

    @property
    def home(self) -> Path:
        return self.settings.home

    def report(
        self,
        progress: Optional[float] = None,
        detail: Optional[Mapping[str, Any]] = None,
        points: Iterable[MetricPointTuple] = (),
    ) -> None:
        self.monitor.report(progress, detail, points)

    def should_stop(self) -> bool:
        """True once the job was cancelled or taken over: wind down, keep a checkpoint."""
        return self.monitor.should_stop

    def check_stop(self) -> None:
        """Raise :class:`JobStopped` if the work should stop (for callbacks deep inside)."""
        if self.monitor.should_stop:
            raise JobStopped()

    def stopped_outcome(self, apply: Optional[Callable[[Session], None]] = None) -> Outcome:
        """The outcome of work that stopped early: cancelled (a job that was taken over
        instead is recognised by :func:`run_job`, which then records nothing)."""
        return Outcome(JobStatus.cancelled, None, apply)

    def session(self) -> ContextManager[Session]:
        """A transaction: committed on success, rolled back on error."""
        return session_scope(self.factory)


Work = Callable[[JobContext], Outcome]


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
