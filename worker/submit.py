"""Submitting work: validated rows first, then the message.

Each helper validates its input, commits the rows (trial/batch + a ``queued`` job) in one
transaction, then sends the task by name (:func:`worker.dispatch.send_job`).

If the broker cannot be reached the rows are **kept, queued**, and
:class:`SubmissionNotSentError` says so: the job is not lost, its row records that it was
never sent (``celery_task_id`` NULL), and the periodic reaper sends it as soon as the broker
is back (``hcmqa jobs --resend`` does it at once). Marking it failed instead would turn a
broker restart into work the admin has to redo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import create_job
from db.models import Answer, FaqBatch, JobKind, JobStatus, Trial, TrialStatus
from worker.app import settings_of
from worker.dispatch import BrokerUnavailableError, send_job

#: Longest accepted FAQ question, in characters (the QA dataset's own limit).
MAX_QUESTION_CHARS = 500
#: Most questions in one FAQ batch.
MAX_BATCH_QUESTIONS = 10_000


class SubmitError(ValueError):
    """The submission itself is invalid (nothing was stored); the message says what to fix."""


class SubmissionNotSentError(BrokerUnavailableError):
    """Rows were stored (queued) but the message could not be sent; see the module docstring."""

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


def _send_or_explain(
    celery_app: Celery,
    factory: sessionmaker[Session],
    job: tuple[int, JobKind],
    what: str,
    **ids: Optional[int],
) -> None:
    job_id, kind = job
    try:
        send_job(celery_app, factory, job_id, kind)
    except BrokerUnavailableError as exc:
        raise SubmissionNotSentError(exc, what, job_id, **ids) from exc.cause


def submit_trial(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    config: Mapping[str, Any],
    user_id: Optional[int] = None,
) -> tuple[int, int]:
    """Validate ``config`` through ``TrialConfig``, store the trial and its job, send it.

    Returns ``(trial_id, job_id)``. Raises ``hcmqa.config.ConfigError`` (every bad field)
    before storing anything, or :class:`SubmissionNotSentError` after storing.
    """
    from hcmqa.config import TrialConfig

    trial_config = TrialConfig.from_dict(dict(config))
    settings = settings_of(celery_app)
    with session_factory() as session:
        trial = Trial(
            name=trial_config.name,
            config=trial_config.to_dict(),
            mode=trial_config.mode,
            base_model=trial_config.base_model,
            status=TrialStatus.queued,
            submitted_by=user_id,
        )
        session.add(trial)
        session.flush()
        job = create_job(
            session,
            JobKind.train,
            trial_id=trial.id,
            max_attempts=settings.max_attempts,
            commit=False,
        )
        session.commit()
        trial_id, job_id = trial.id, job.id
    _send_or_explain(
        celery_app, session_factory, (job_id, JobKind.train), f"trial {trial_id}", trial_id=trial_id
    )
    return trial_id, job_id


def submit_faq_batch(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    questions: Sequence[str],
    trial_id: Optional[int] = None,
    name: Optional[str] = None,
    user_id: Optional[int] = None,
) -> tuple[int, int]:
    """Store an FAQ batch (one ``answers`` row per question) and send its job.

    ``trial_id`` None answers with the base model. Returns ``(batch_id, job_id)``.
    """
    cleaned = [str(q).strip() for q in questions]
    problems = [
        f"question {i}: longer than {MAX_QUESTION_CHARS} characters ({len(q)})"
        for i, q in enumerate(cleaned, start=1)
        if len(q) > MAX_QUESTION_CHARS
    ]
    cleaned = [q for q in cleaned if q]
    if not cleaned:
        problems.insert(0, "the batch has no questions (blank lines are skipped)")
    if len(cleaned) > MAX_BATCH_QUESTIONS:
        problems.append(
            f"{len(cleaned)} questions; split the file into batches of at most {MAX_BATCH_QUESTIONS}"
        )
    if problems:
        raise SubmitError("cannot submit the FAQ batch:\n" + "\n".join(f"  {p}" for p in problems))
    settings = settings_of(celery_app)
    with session_factory() as session:
        if trial_id is not None:
            _require_trained(session, trial_id)
        batch = FaqBatch(
            name=(name or f"FAQ batch of {len(cleaned)} questions")[:200],
            trial_id=trial_id,
            status=JobStatus.queued,
            total=len(cleaned),
            done=0,
            submitted_by=user_id,
        )
        session.add(batch)
        session.flush()
        session.add_all(
            Answer(batch_id=batch.id, position=i, question=q) for i, q in enumerate(cleaned)
        )
        job = create_job(
            session,
            JobKind.answer,
            batch_id=batch.id,
            trial_id=trial_id,
            max_attempts=settings.max_attempts,
            commit=False,
        )
        session.commit()
        batch_id, job_id = batch.id, job.id
    _send_or_explain(
        celery_app,
        session_factory,
        (job_id, JobKind.answer),
        f"FAQ batch {batch_id}",
        batch_id=batch_id,
    )
    return batch_id, job_id


def submit_evaluation(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    trial_id: int,
    splits: Optional[Sequence[str]] = None,
    limit: Optional[int] = None,
    user_id: Optional[int] = None,
) -> int:
    """Queue an evaluation of a succeeded trial on test splits; returns the job id.

    ``user_id`` is accepted for symmetry; jobs do not record a submitter.
    """
    if limit is not None and limit < 1:
        raise SubmitError(f"limit: must be at least 1, got {limit}")
    payload: dict[str, Any] = {}
    if splits:
        payload["splits"] = list(splits)
    if limit is not None:
        payload["limit"] = int(limit)
    settings = settings_of(celery_app)
    with session_factory() as session:
        _require_trained(session, trial_id)
        job = create_job(
            session,
            JobKind.evaluate,
            payload,
            trial_id=trial_id,
            max_attempts=settings.max_attempts,
            commit=False,
        )
        session.commit()
        job_id = job.id
    _send_or_explain(
        celery_app,
        session_factory,
        (job_id, JobKind.evaluate),
        f"the evaluation of trial {trial_id}",
        trial_id=trial_id,
    )
    return job_id


def submit_gate_training(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    dataset: Optional[str] = None,
    threshold: Optional[float] = None,
) -> int:
    """Queue a retraining of the topic gate (``cpu`` queue); returns the job id."""
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise SubmitError(f"threshold: must be between 0 and 1 (exclusive), got {threshold}")
    payload: dict[str, Any] = {}
    if dataset:
        payload["dataset"] = str(dataset)
    if threshold is not None:
        payload["threshold"] = float(threshold)
    settings = settings_of(celery_app)
    with session_factory() as session:
        job = create_job(
            session, JobKind.gate, payload, max_attempts=settings.max_attempts, commit=False
        )
        session.commit()
        job_id = job.id
    _send_or_explain(celery_app, session_factory, (job_id, JobKind.gate), "the gate training")
    return job_id


def resend_unsent(session_factory: sessionmaker[Session], celery_app: Celery) -> list[int]:
    """Send every queued job that has no recorded message now (no grace period)."""
    from worker.reaper import reap

    report = reap(
        celery_app, session_factory, settings_of(celery_app).stale_after_s, unsent_grace_s=0.0
    )
    if report.send_failure is not None:
        raise report.send_failure
    return report.sent


def _require_trained(session: Session, trial_id: int) -> None:
    """Refuse before storing anything when the trial has no trained model to answer with."""
    from worker.answer_job import trained_run_dir

    try:
        trained_run_dir(session, trial_id)
    except ValueError as exc:
        raise SubmitError(str(exc)) from None


__all__ = [
    "MAX_BATCH_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "SubmissionNotSentError",
    "SubmitError",
    "resend_unsent",
    "submit_evaluation",
    "submit_faq_batch",
    "submit_gate_training",
    "submit_trial",
]
