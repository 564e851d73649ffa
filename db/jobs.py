"""Job lifecycle shared by the submission contract (``jobs``), the web app and the workers.

Every status change of a job -- and of the trial, FAQ batch or uploaded dataset it serves --
is made here;
nothing else writes a ``status`` column.

Every state transition is a single conditional ``UPDATE ... WHERE id = ? AND status = ...``
whose ``rowcount`` says whether this caller won, so two workers (or a worker and the reaper)
racing on one job can never both succeed -- on SQLite (one writer at a time) as well as on
PostgreSQL (row lock + WHERE re-check under READ COMMITTED). Nothing is read and then
written back.

Transitions commit by default (``commit=True``): they are coordination points between
processes and must become visible at once; holding them in a longer transaction would also
hold the row lock (PostgreSQL) or the database write lock (SQLite). Pass ``commit=False`` to
compose them into a caller-managed transaction.
"""

from __future__ import annotations

import enum
import math
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    String,
    and_,
    cast,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import (
    TERMINAL_STATUSES,
    Answer,
    Dataset,
    DatasetStatus,
    FaqBatch,
    Job,
    JobKind,
    JobStatus,
    MetricPoint,
    Trial,
    utcnow,
)

__all__ = [
    "DEFAULT_STALE_AFTER_S",
    "CancelOutcome",
    "ClaimReason",
    "ClaimResult",
    "HeartbeatResult",
    "MetricPointTuple",
    "claim_job",
    "create_faq_batch",
    "create_job",
    "create_pending_dataset",
    "create_trial",
    "dataset_failed",
    "dataset_ready",
    "finish_job",
    "finish_trial",
    "gave_up_message",
    "heartbeat",
    "mark_unsent",
    "reap_stale",
    "record_metric_points",
    "record_sent",
    "request_cancel",
    "requeue_job",
    "staging_folders",
    "sync_ended_owners",
    "sync_owner_status",
    "unsent_jobs",
]

#: A running job whose heartbeat is older than this is presumed dead (worker crash/OOM kill).
DEFAULT_STALE_AFTER_S = 300.0

#: (step, split, name, value)
MetricPointTuple = tuple[int, str, str, float]

_GAVE_UP_PREFIX = "gave up after "
_GAVE_UP_SUFFIX = " attempts: the worker died each time"


def gave_up_message(attempts: int) -> str:
    """Error text stored when a job exhausted its attempts through worker deaths."""
    return f"{_GAVE_UP_PREFIX}{attempts}{_GAVE_UP_SUFFIX}"


def _gave_up_expr() -> ColumnElement[str]:
    """Same text as :func:`gave_up_message`, built in SQL from the row's own attempt count.

    Computing it in the UPDATE keeps the transition a single conditional statement.
    """
    return (
        literal(_GAVE_UP_PREFIX, String)
        + cast(Job.attempt, String)
        + literal(_GAVE_UP_SUFFIX, String)
    )


class ClaimReason(enum.StrEnum):
    """Why :func:`claim_job` did or did not hand the job to the caller."""

    claimed = "claimed"  # queued -> running
    reclaimed_stale = "reclaimed_stale"  # running with a dead owner -> running for us
    gave_up = "gave_up"  # dead owner, but attempts exhausted -> failed
    cancelled = "cancelled"  # dead owner after a cancel request -> cancelled, not retried
    running_elsewhere = "running_elsewhere"  # a live worker owns it (duplicate message)
    already_finished = "already_finished"  # succeeded / failed / cancelled
    not_found = "not_found"


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """Outcome of :func:`claim_job`; only ``claimed=True`` means "run it now"."""

    claimed: bool
    reason: ClaimReason
    attempt: int
    status: Optional[JobStatus] = None

    def __bool__(self) -> bool:
        return self.claimed


@dataclass(frozen=True, slots=True)
class HeartbeatResult:
    """Outcome of :func:`heartbeat`. Truthy while the caller still owns the running job."""

    owned: bool
    cancel_requested: bool

    def __bool__(self) -> bool:
        return self.owned


class CancelOutcome(enum.StrEnum):
    """What :func:`request_cancel` did."""

    cancelled = "cancelled"  # was queued: cancelled immediately
    requested = "requested"  # was running: the worker will see the flag on its next heartbeat
    not_cancellable = "not_cancellable"  # already finished
    not_found = "not_found"


def _now(now: Optional[datetime]) -> datetime:
    """``now`` if given (tests, batch consistency) else the current UTC time."""
    return now if now is not None else utcnow()


def _stale_predicate(cutoff: datetime) -> ColumnElement[bool]:
    """Running job whose owner stopped heart-beating before ``cutoff`` (or never did)."""
    return and_(
        Job.status == JobStatus.running,
        or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff),
    )


def _cancel_dead_values(now: datetime) -> dict[str, Any]:
    """A dead job whose cancellation was requested ends cancelled rather than being retried."""
    return {"status": JobStatus.cancelled, "finished_at": now}


def _give_up_values(now: datetime) -> dict[str, Any]:
    """A dead job out of attempts ends failed with the "gave up" error."""
    return {"status": JobStatus.failed, "error": _gave_up_expr(), "finished_at": now}


def _conditional_update(
    session: Session, job_id: int, where: Iterable[ColumnElement[bool]], values: Mapping[str, Any]
) -> bool:
    """``UPDATE jobs SET ... WHERE id = :id AND <where>``; True if this call changed the row.

    ``synchronize_session=False`` skips the ORM's in-Python evaluation; the cached instance,
    if any, is expired instead so it reloads the value the database now holds.
    """
    result = typing.cast(
        "CursorResult[Any]",
        session.execute(
            update(Job)
            .where(Job.id == job_id, *where)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    cached = session.identity_map.get(Session.identity_key(Job, job_id))
    if cached is not None:
        session.expire(cached)
    return result.rowcount == 1


def _finish(session: Session, commit: bool) -> None:
    if commit:
        session.commit()
    else:
        session.flush()


def create_job(
    session: Session,
    kind: JobKind | str,
    payload: Optional[Mapping[str, Any]] = None,
    trial_id: Optional[int] = None,
    batch_id: Optional[int] = None,
    max_attempts: int = 3,
    *,
    celery_task_id: Optional[str] = None,
    commit: bool = True,
) -> Job:
    """Insert a ``queued`` job and return it (with its id assigned).

    Commit before sending the Celery message, so a fast worker never looks for a row that
    is not visible yet.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    job = Job(
        kind=JobKind(kind),
        status=JobStatus.queued,
        payload=dict(payload or {}),
        trial_id=trial_id,
        batch_id=batch_id,
        attempt=0,
        max_attempts=max_attempts,
        progress=0.0,
        cancel_requested=False,
        celery_task_id=celery_task_id,
    )
    session.add(job)
    _finish(session, commit)
    return job


def create_trial(
    session: Session,
    *,
    name: str,
    config: Mapping[str, Any],
    mode: str,
    base_model: str,
    submitted_by: Optional[int] = None,
    dataset_id: Optional[int] = None,
) -> Trial:
    """Insert a ``queued`` trial (flushed, so it has an id; the caller commits)."""
    trial = Trial(
        name=name,
        config=dict(config),
        mode=mode,
        base_model=base_model,
        status=JobStatus.queued,
        submitted_by=submitted_by,
        dataset_id=dataset_id,
    )
    session.add(trial)
    session.flush()
    return trial


def create_pending_dataset(session: Session, *, name: str, version: str) -> Dataset:
    """Insert an uploaded dataset that a worker has yet to build (flushed; the caller commits).

    ``version`` is a placeholder until the build: name and version are unique together.
    """
    dataset = Dataset(name=name, version=version, content_hash="", path="", counts={}, splits={},
                      status=DatasetStatus.pending)
    session.add(dataset)
    session.flush()
    return dataset


def dataset_ready(
    session: Session,
    dataset_id: int,
    *,
    version: str,
    content_hash: str,
    path: str,
    counts: Mapping[str, Any],
    splits: Mapping[str, Any],
    inputs: Optional[Mapping[str, Any]] = None,
) -> None:
    """Record a built upload and make it usable (in the caller's transaction, the one that
    finishes its ingest job); a dataset deleted meanwhile is left alone."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        return
    dataset.version, dataset.content_hash, dataset.path = version, content_hash, path
    dataset.counts, dataset.splits, dataset.problems = dict(counts), dict(splits), []
    dataset.inputs = None if inputs is None else dict(inputs)
    dataset.status = DatasetStatus.ready


def dataset_failed(session: Session, dataset_id: int, problems: Iterable[str]) -> None:
    """Record why an upload was refused (in the caller's transaction, as :func:`dataset_ready`)."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is not None:
        dataset.problems = list(problems)
        dataset.status = DatasetStatus.failed


def create_faq_batch(
    session: Session,
    name: str,
    questions: Iterable[str],
    *,
    trial_id: Optional[int] = None,
    submitted_by: Optional[int] = None,
    conversation_id: Optional[str] = None,
    dataset_id: Optional[int] = None,
) -> FaqBatch:
    """Insert a ``queued`` FAQ batch with one unanswered Answer row per question (flushed);
    a chat turn names its conversation; ``dataset_id``: the base model's dataset."""
    batch = FaqBatch(name=name, trial_id=trial_id, status=JobStatus.queued, done=0,
                     submitted_by=submitted_by, conversation_id=conversation_id, dataset_id=dataset_id)
    batch.answers = [Answer(position=i, question=q) for i, q in enumerate(questions)]
    batch.total = len(batch.answers)
    session.add(batch)
    session.flush()
    return batch


def claim_job(
    session: Session,
    job_id: int,
    worker: str,
    *,
    stale_after_s: float = DEFAULT_STALE_AFTER_S,
    now: Optional[datetime] = None,
    commit: bool = True,
) -> ClaimResult:
    """Atomically take ownership of a job for ``worker``.

    ``queued`` -> ``running``. A ``running`` job whose heartbeat is older than
    ``stale_after_s`` (its worker died; Celery redelivered the message) is taken over with
    attempt + 1, unless that would exceed ``max_attempts``: then it is marked ``failed``
    with :func:`gave_up_message`. A dead job with a pending cancel request is marked
    ``cancelled`` instead of being retried. Anything else -- a live owner, a finished job,
    a missing row -- returns a not-claimed result, so duplicate deliveries are no-ops.
    """
    now = _now(now)
    cutoff = now - timedelta(seconds=stale_after_s)
    take_over = {
        "status": JobStatus.running,
        "worker": worker,
        "attempt": Job.attempt + 1,
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "error": None,
    }

    reason: Optional[ClaimReason] = None
    if _conditional_update(session, job_id, [Job.status == JobStatus.queued], take_over):
        reason = ClaimReason.claimed
    elif _conditional_update(
        session,
        job_id,
        [_stale_predicate(cutoff), Job.cancel_requested.is_(True)],
        _cancel_dead_values(now),
    ):
        reason = ClaimReason.cancelled
    elif _conditional_update(
        session,
        job_id,
        [_stale_predicate(cutoff), Job.attempt < Job.max_attempts],
        {**take_over, "progress_detail": None},
    ):
        reason = ClaimReason.reclaimed_stale
    elif _conditional_update(
        session,
        job_id,
        [_stale_predicate(cutoff), Job.attempt >= Job.max_attempts],
        _give_up_values(now),
    ):
        reason = ClaimReason.gave_up

    # Reading after our own conditional UPDATE is safe: the row is locked by this
    # transaction until commit (or, when nothing matched, only used for reporting).
    row = session.execute(select(Job.status, Job.attempt).where(Job.id == job_id)).first()
    _finish(session, commit)

    if row is None:
        return ClaimResult(False, ClaimReason.not_found, 0)
    status, attempt = JobStatus(row.status), int(row.attempt)
    if reason is None:
        reason = (
            ClaimReason.already_finished
            if status in TERMINAL_STATUSES
            else ClaimReason.running_elsewhere
        )
    claimed = reason in (ClaimReason.claimed, ClaimReason.reclaimed_stale)
    return ClaimResult(claimed, reason, attempt, status)


def _clamp_progress(progress: float) -> float:
    """Keep progress inside the CHECK range; rounding in callers can overshoot 1.0 slightly."""
    if math.isnan(progress):
        raise ValueError("progress must be a number in [0, 1], got NaN")
    return min(1.0, max(0.0, float(progress)))


def heartbeat(
    session: Session,
    job_id: int,
    worker: str,
    progress: Optional[float] = None,
    detail: Optional[Mapping[str, Any]] = None,
    *,
    attempt: Optional[int] = None,
    now: Optional[datetime] = None,
    commit: bool = True,
) -> HeartbeatResult:
    """Refresh the heartbeat (and optionally progress) of a job this worker owns.

    ``owned=False`` means the job was taken over, finished or deleted: the worker must stop.
    ``cancel_requested=True`` means an admin asked it to stop; the worker should wind down
    and call :func:`finish_job` with ``cancelled``. Pass the claimed ``attempt`` to also
    fence out a zombie process that shares the worker name.
    """
    values: dict[str, Any] = {"heartbeat_at": _now(now)}
    if progress is not None:
        values["progress"] = _clamp_progress(progress)
    if detail is not None:
        values["progress_detail"] = dict(detail)
    where = [Job.status == JobStatus.running, Job.worker == worker]
    if attempt is not None:
        where.append(Job.attempt == attempt)

    owned = _conditional_update(session, job_id, where, values)
    cancel = False
    if owned:
        cancel = bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))
    _finish(session, commit)
    return HeartbeatResult(owned=owned, cancel_requested=cancel)


def finish_job(
    session: Session,
    job_id: int,
    worker: str,
    status: JobStatus | str,
    error: Optional[str] = None,
    *,
    attempt: Optional[int] = None,
    now: Optional[datetime] = None,
    commit: bool = True,
) -> bool:
    """Move a job this worker still owns to a terminal status; False if it no longer owns it.

    A worker that lost ownership (it was presumed dead and the job re-claimed) must not
    overwrite the outcome of the run that replaced it.
    """
    final = JobStatus(status)
    if final not in TERMINAL_STATUSES:
        raise ValueError(f"finish_job needs a terminal status, got {final.value!r}")
    now = _now(now)
    values: dict[str, Any] = {
        "status": final,
        "error": error,
        "finished_at": now,
        "heartbeat_at": now,
    }
    if final is JobStatus.succeeded:
        values["progress"] = 1.0
    where = [Job.status == JobStatus.running, Job.worker == worker]
    if attempt is not None:
        where.append(Job.attempt == attempt)
    done = _conditional_update(session, job_id, where, values)
    _finish(session, commit)
    return done


def request_cancel(
    session: Session,
    job_id: int,
    *,
    now: Optional[datetime] = None,
    commit: bool = True,
) -> CancelOutcome:
    """Cancel a queued job outright, or flag a running one for its worker to stop."""
    now = _now(now)
    if _conditional_update(
        session,
        job_id,
        [Job.status == JobStatus.queued],
        {"status": JobStatus.cancelled, "finished_at": now},
    ):
        outcome = CancelOutcome.cancelled
    elif _conditional_update(
        session, job_id, [Job.status == JobStatus.running], {"cancel_requested": True}
    ):
        outcome = CancelOutcome.requested
    else:
        exists = session.scalar(select(Job.id).where(Job.id == job_id)) is not None
        outcome = CancelOutcome.not_cancellable if exists else CancelOutcome.not_found
    _finish(session, commit)
    return outcome


def requeue_job(session: Session, job_id: int, *, commit: bool = True) -> bool:
    """Put a failed or cancelled job back in the queue (the admin "resume" button).

    Resets the attempt counter -- a manual resume grants a fresh retry budget -- and clears
    the error, cancel flag and ownership. The caller re-sends the Celery message after commit.
    """
    requeued = _conditional_update(
        session,
        job_id,
        [Job.status.in_([JobStatus.failed, JobStatus.cancelled])],
        {
            "status": JobStatus.queued,
            "cancel_requested": False,
            "celery_task_id": None,  # NULL means "not sent": the reaper re-sends it if our send fails
            "error": None,
            "attempt": 0,
            "worker": None,
            "heartbeat_at": None,
            "started_at": None,
            "finished_at": None,
        },
    )
    _finish(session, commit)
    return requeued


def reap_stale(
    session: Session,
    stale_after_s: float,
    now: Optional[datetime] = None,
    *,
    commit: bool = True,
) -> list[int]:
    """Recover running jobs whose worker stopped heart-beating.

    Jobs with attempts left go back to ``queued`` and their ids are returned so the caller
    re-enqueues them; exhausted ones are marked ``failed``; ones with a pending cancel
    request are marked ``cancelled``. Each row is moved by its own
    conditional UPDATE (re-checking staleness), so a heartbeat or a concurrent reaper that
    got there first wins cleanly.
    """
    now = _now(now)
    cutoff = now - timedelta(seconds=stale_after_s)
    candidates = list(
        session.scalars(select(Job.id).where(_stale_predicate(cutoff)).order_by(Job.id))
    )
    requeued: list[int] = []
    for job_id in candidates:
        if _conditional_update(
            session,
            job_id,
            [_stale_predicate(cutoff), Job.cancel_requested.is_(True)],
            _cancel_dead_values(now),
        ):
            continue
        if _conditional_update(
            session,
            job_id,
            [_stale_predicate(cutoff), Job.attempt < Job.max_attempts],
            {
                "status": JobStatus.queued,
                "worker": None,
                "heartbeat_at": None,
                "started_at": None,
                "progress_detail": None,
            },
        ):
            requeued.append(job_id)
        else:
            _conditional_update(
                session,
                job_id,
                [_stale_predicate(cutoff), Job.attempt >= Job.max_attempts],
                _give_up_values(now),
            )
    _finish(session, commit)
    return requeued


def record_metric_points(
    session: Session,
    trial_id: int,
    points: Iterable[MetricPointTuple],
    *,
    now: Optional[datetime] = None,
    commit: bool = True,
) -> int:
    """Insert metric points, silently skipping ones already recorded (idempotent).

    A resumed or redelivered job re-reports steps it already logged; ``ON CONFLICT DO
    NOTHING`` on (trial_id, split, name, step) keeps the first value. Non-finite values are
    dropped because SQLite cannot store NaN (it becomes NULL). Returns how many points were
    submitted after that filtering (not how many were new).
    """
    created_at = _now(now)
    rows: list[dict[str, Any]] = []
    for step, split, name, value in points:
        number = float(value)
        if not math.isfinite(number):
            continue
        rows.append(
            {
                "trial_id": trial_id,
                "step": int(step),
                "split": str(split),
                "name": str(name),
                "value": number,
                "created_at": created_at,
            }
        )
    if rows:
        dialect = session.get_bind(MetricPoint).dialect.name
        stmt: postgresql.Insert | sqlite.Insert
        if dialect == "postgresql":
            stmt = postgresql.insert(MetricPoint).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(MetricPoint).on_conflict_do_nothing()
        else:
            raise NotImplementedError(f"record_metric_points does not support {dialect!r}")
        session.execute(stmt, rows)
    _finish(session, commit)
    return len(rows)


def record_sent(session: Session, job_id: int, task_id: str, *, commit: bool = True) -> None:
    """Remember the Celery task id of a job's message: from now on it counts as sent."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(celery_task_id=task_id)
        .execution_options(synchronize_session=False)
    )
    cached = session.identity_map.get(Session.identity_key(Job, job_id))
    if cached is not None:
        session.expire(cached)
    _finish(session, commit)


def mark_unsent(session: Session, job_ids: Iterable[int], *, commit: bool = True) -> None:
    """Forget the messages of ``job_ids`` (they died with their worker): the reaper sends anew."""
    ids = list(job_ids)
    if ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(ids))
            .values(celery_task_id=None)
            .execution_options(synchronize_session=False)
        )
    _finish(session, commit)


def unsent_jobs(
    session: Session, created_before: datetime, also: Iterable[int] = ()
) -> list[tuple[int, JobKind]]:
    """Queued jobs with no recorded message, created before ``created_before`` or in ``also``."""
    rows = session.execute(
        select(Job.id, Job.kind)
        .where(
            Job.status == JobStatus.queued,
            Job.celery_task_id.is_(None),
            (Job.created_at < created_before) | Job.id.in_(list(also) or [-1]),
        )
        .order_by(Job.id)
    ).all()
    return [(int(job_id), JobKind(kind)) for job_id, kind in rows]


def staging_folders(session: Session) -> tuple[set[str], set[str]]:
    """Upload staging folders named by ingest jobs: (those of ended jobs, those of open ones).

    An ingest job moves its staging folder away when it first runs; one that ended without
    running (given up, cancelled) leaves it behind for the reaper to remove.
    """
    ended: set[str] = set()
    open_: set[str] = set()
    rows = session.execute(select(Job.status, Job.payload).where(Job.kind == JobKind.ingest)).all()
    for status, payload in rows:
        name = (payload or {}).get("staging")
        if isinstance(name, str):
            (open_ if status in (JobStatus.queued, JobStatus.running) else ended).add(name)
    return ended - open_, open_


# --- owners of a job (trial, FAQ batch) ---------------------------------------------------


def sync_owner_status(session: Session, job_id: int) -> None:
    """Mirror a train/answer job's status onto its trial or FAQ batch (caller commits).

    A queued or running job (re)opens its owner -- a failed trial whose job was resumed is
    queued, then running, again -- but never one that succeeded; an ended job closes only an
    open owner, so a late duplicate never overwrites a finished trial.
    """
    job = session.get(Job, job_id)
    if job is None:
        return
    owner: type[Trial] | type[FaqBatch]
    if job.kind == JobKind.train and job.trial_id is not None:
        owner, row_id = Trial, job.trial_id
    elif job.kind == JobKind.answer and job.batch_id is not None:
        owner, row_id = FaqBatch, job.batch_id
    else:
        return
    now = utcnow()
    status = JobStatus(job.status)
    values: dict[str, Any]
    if status in (JobStatus.queued, JobStatus.running):
        where = owner.status != JobStatus.succeeded
        values = {"status": status, "error": None, "finished_at": None}
    else:
        where = owner.status.in_([JobStatus.queued, JobStatus.running])
        values = {"status": status, "error": job.error, "finished_at": job.finished_at or now}
    session.execute(
        update(owner)
        .where(owner.id == row_id, where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if owner is Trial and status is JobStatus.running:
        session.execute(
            update(Trial)
            .where(Trial.id == row_id, Trial.started_at.is_(None))
            .values(started_at=now)
            .execution_options(synchronize_session=False)
        )
    cached = session.identity_map.get(Session.identity_key(owner, row_id))
    if cached is not None:
        session.expire(cached)


def sync_ended_owners(session: Session) -> list[int]:
    """Close trials/batches still open although their train/answer job ended; returns the jobs.

    Such a job was given up by the reaper or by a claim, which moved only the job row.
    """
    ended = [JobStatus.failed, JobStatus.cancelled]
    open_ = [JobStatus.queued, JobStatus.running]
    trial_jobs = (
        select(Job.id)
        .join(Trial, Trial.id == Job.trial_id)
        .where(Job.kind == JobKind.train, Job.status.in_(ended), Trial.status.in_(open_))
    )
    batch_jobs = (
        select(Job.id)
        .join(FaqBatch, FaqBatch.id == Job.batch_id)
        .where(Job.kind == JobKind.answer, Job.status.in_(ended), FaqBatch.status.in_(open_))
    )
    job_ids = list(session.scalars(trial_jobs)) + list(session.scalars(batch_jobs))
    for job_id in job_ids:
        sync_owner_status(session, job_id)
    return job_ids


def finish_trial(
    session: Session,
    trial_id: int,
    summary_metrics: Optional[Mapping[str, Any]],
    artifact_path: str,
    *,
    now: Optional[datetime] = None,
) -> None:
    """Record a trained trial's results and mark it ``succeeded`` (in the caller's transaction,
    the one that finishes its train job)."""
    session.execute(
        update(Trial)
        .where(Trial.id == trial_id)
        .values(
            status=JobStatus.succeeded,
            summary_metrics=None if summary_metrics is None else dict(summary_metrics),
            artifact_path=artifact_path,
            error=None,
            finished_at=_now(now),
        )
        .execution_options(synchronize_session=False)
    )
    cached = session.identity_map.get(Session.identity_key(Trial, trial_id))
    if cached is not None:
        session.expire(cached)
