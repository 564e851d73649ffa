"""What may be asked of the workers -- a trial, an evaluation, a FAQ batch, a gate retraining --
and the cancel and resume of a trial or batch, as plain functions on a SQLAlchemy session.

The web admin (HTML views and JSON API) and the command line both call these, so a request
is checked by the same rules and stored the same way whichever door it came in by. Each
submission validates everything first (problems raise :class:`SubmissionError`, one sentence
per field, in the shape of ``hcmqa.config.ConfigError``), then writes its rows and the
``queued`` job and commits -- *before* anything is sent (:mod:`jobs.send`), so a fast worker
never looks for a row that is not there yet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.jobs import (
    CancelOutcome,
    create_faq_batch,
    create_job,
    create_trial,
    request_cancel,
    requeue_job,
    sync_owner_status,
)
from db.models import Dataset, DatasetStatus, FaqBatch, Job, JobKind, JobStatus, Trial
from hcmqa.config import TrialConfig
from hcmqa.data.qa import MAX_QUESTION_CHARS, SPLITS
from hcmqa.home import Home
from hcmqa.registry import check_allowed_model
from jobs.contract import payload

#: Most questions in one FAQ batch, from any door (each question is one generation on a GPU
#: worker, and the batch's answers are shown and exported as one table).
MAX_BATCH_QUESTIONS = 2000
#: Longest batch name (the column's width).
MAX_BATCH_NAME_CHARS = 200
#: Batch names may not start with it: chat turns were once named ``chat:<conversation id>``,
#: and old exports still say so (a turn's conversation is ``faq_batches.conversation_id`` now).
CHAT_PREFIX = "chat:"

#: Environment variable holding the attempt cap of every job, and its default.
MAX_ATTEMPTS_ENV = "HCMQA_MAX_ATTEMPTS"
DEFAULT_MAX_ATTEMPTS = 3


class SubmissionError(ValueError):
    """A request cannot be carried out (nothing was stored); ``errors`` maps each field to a sentence."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def max_attempts_from_env(environ: Optional[Mapping[str, str]] = None) -> int:
    """The attempt cap of new jobs: ``HCMQA_MAX_ATTEMPTS``, default 3 (the workers read the same)."""
    raw = (os.environ if environ is None else environ).get(MAX_ATTEMPTS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_ATTEMPTS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{MAX_ATTEMPTS_ENV}={raw!r}: must be a whole number, at least 1")
    return value


@dataclass(frozen=True)
class Outcome:
    """Result of cancel/resume: what happened, as a sentence, and the job to (re)send if any."""

    message: str
    job: Optional[Job] = None
    ok: bool = True


# --- trials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPolicy:
    """Which base models a submitted trial may name (see ``hcmqa.registry.check_allowed_model``)."""

    home: Path
    #: Local model directories must lie inside it; None: ``<home>/models``.
    models_root: Optional[Path] = None
    allow_hub: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ModelPolicy:
        """From the web app's settings: ``HCMQA_HOME``, ``MODELS_ROOT`` and ``ALLOW_HUB_MODELS``."""
        root = config.get("MODELS_ROOT")
        return cls(home=Path(config["HCMQA_HOME"]), models_root=Path(root) if root else None,
                   allow_hub=bool(config.get("ALLOW_HUB_MODELS")))

    def problem(self, base_model: object) -> Optional[str]:
        return check_allowed_model(base_model, self.home, allow_hub=self.allow_hub,
                                   models_root=self.models_root or Home(self.home).models_dir)

    def add_problem(self, errors: dict[str, str], base_model: object) -> dict[str, str]:
        """``errors`` with the base model's problem: a value given but not allowed always gets the
        one neutral sentence (even where the config check found, say, a length problem)."""
        problem = None if base_model in (None, "") else self.problem(base_model)
        return {**errors, "base_model": problem} if problem else errors


def submit_trial(
    session: Session,
    config: TrialConfig,
    *,
    models: ModelPolicy,
    max_attempts: int,
    user_id: Optional[int] = None,
    dataset_id: Optional[int] = None,
) -> tuple[Trial, Job]:
    """Store a queued trial and its train job (committed); every problem is reported at once."""
    errors = models.add_problem({}, config.base_model)
    if problem := dataset_problem(session, dataset_id):
        errors["dataset_id"] = problem
    if errors:
        raise SubmissionError(errors)
    trial = create_trial(session, name=config.name, config=config.to_dict(), mode=config.mode,
                         base_model=config.base_model, submitted_by=user_id, dataset_id=dataset_id)
    job = create_job(session, JobKind.train, payload(JobKind.train, {}), trial_id=trial.id,
                     max_attempts=max_attempts, commit=False)
    session.commit()
    return trial, job


def trial_jobs(session: Session, trial_id: int) -> list[Job]:
    """Jobs of a trial, newest first."""
    return list(session.scalars(select(Job).where(Job.trial_id == trial_id).order_by(Job.id.desc())))


def _latest(session: Session, kind: JobKind, **where: int) -> Optional[Job]:
    stmt = select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(1)
    for column, value in where.items():
        stmt = stmt.where(getattr(Job, column) == value)
    return session.scalar(stmt)


def _active_jobs(session: Session, **where: int) -> list[Job]:
    stmt = select(Job).where(Job.status.in_([JobStatus.queued, JobStatus.running])).order_by(Job.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(Job, column) == value)
    return list(session.scalars(stmt))


def cancel_jobs(session: Session, jobs: list[Job], what: str) -> tuple[Outcome, list[Job]]:
    """Cancel queued jobs outright and flag running ones; returns the outright-cancelled ones.

    A train or answer job cancelled before it ran also closes its trial or batch here: no
    worker will ever claim it, so nobody else would.
    """
    if not jobs:
        return Outcome(f"{what} has no queued or running job to cancel.", ok=False), []
    cancelled, flagged = [], []
    for job in jobs:
        outcome = request_cancel(session, job.id, commit=False)
        if outcome is CancelOutcome.cancelled:
            sync_owner_status(session, job.id)
            cancelled.append(job)
        elif outcome is CancelOutcome.requested:
            flagged.append(job)
    session.commit()
    parts = []
    if cancelled:
        parts.append(f"{what} was cancelled before it started")
    if flagged:
        parts.append(f"{what} is asked to stop; the worker stops at its next heartbeat")
    if not parts:
        return Outcome(f"{what} had already finished; nothing to cancel.", ok=False), []
    return Outcome("; ".join(parts) + "."), cancelled


def cancel_trial(session: Session, trial: Trial) -> Outcome:
    """Cancel the trial's queued/running jobs."""
    return cancel_jobs(session, _active_jobs(session, trial_id=trial.id), f"Trial #{trial.id}")[0]


def resume_trial(session: Session, trial: Trial) -> Outcome:
    """Requeue the trial's failed/cancelled train job (the worker resumes from its last checkpoint).

    The requeued job is unsent (NULL ``celery_task_id``), so the workers' reaper sends it if
    the caller's send fails (the protocol of :mod:`jobs.send`).
    """
    job = _latest(session, JobKind.train, trial_id=trial.id)
    if job is None or not requeue_job(session, job.id, commit=False):
        session.rollback()
        return Outcome(f"Trial #{trial.id} can be resumed only after it failed or was cancelled.", ok=False)
    sync_owner_status(session, job.id)
    session.commit()
    session.refresh(job)
    return Outcome(f"Trial #{trial.id} is queued again; training resumes from its last checkpoint.", job)


def submit_eval(
    session: Session,
    trial_id: int,
    *,
    max_attempts: int,
    splits: Optional[Sequence[str]] = None,
    limit: Optional[int] = None,
) -> Job:
    """Queue a fresh evaluation of a succeeded trial on test splits (committed).

    ``splits`` default to the worker's (both test splits); ``limit`` takes the first N
    questions of each.
    """
    errors: dict[str, str] = {}
    trial = session.get(Trial, trial_id)
    if trial is None:
        errors["trial"] = f"there is no trial #{trial_id}"
    elif trial.status is not JobStatus.succeeded:
        errors["trial"] = f"trial #{trial_id} is {trial.status.value}; only a succeeded trial can be evaluated"
    elif _active_jobs(session, trial_id=trial_id):
        errors["trial"] = f"trial #{trial_id} already has a queued or running job; wait for it"
    unknown = [s for s in splits or () if s not in SPLITS]
    if unknown:
        errors["splits"] = f"unknown split(s) {', '.join(unknown)}; use {', '.join(SPLITS)}"
    if limit is not None and limit < 1:
        errors["limit"] = f"must be at least 1, got {limit}"
    if errors:
        raise SubmissionError(errors)
    values = {"splits": list(splits) if splits else None, "limit": limit}
    job = create_job(session, JobKind.evaluate, payload(JobKind.evaluate, values), trial_id=trial_id,
                     max_attempts=max_attempts, commit=False)
    session.commit()
    return job


def queued_jobs_to_resend(session: Session, *, trial_id: int | None = None, batch_id: int | None = None) -> list[Job]:
    """Queued jobs whose message may not have reached the broker (sending again is harmless)."""
    where = {"trial_id": trial_id} if trial_id is not None else {"batch_id": batch_id}
    return [job for job in _active_jobs(session, **where) if job.status is JobStatus.queued]


# --- FAQ batches ----------------------------------------------------------------------------


def dataset_problem(session: Session, dataset_id: Optional[int]) -> Optional[str]:
    """Why ``dataset_id`` cannot be used (None: no dataset named, or a ready one)."""
    if dataset_id is None:
        return None
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        return f"there is no dataset #{dataset_id}; pick one from the list"
    if dataset.status != DatasetStatus.ready:
        why = "it is still being built" if dataset.status == DatasetStatus.pending else "its upload was refused"
        return f"dataset #{dataset_id} is not ready ({why}); pick one from the list"
    return None


def answering_trial_problem(session: Session, trial_id: Optional[int]) -> Optional[str]:
    """Why ``trial_id`` cannot answer questions (None: the base model, or a finished trial)."""
    if trial_id is None:
        return None
    trial = session.get(Trial, trial_id)
    if trial is None:
        return f"there is no trial #{trial_id}"
    if trial.status is not JobStatus.succeeded:
        return f"trial #{trial_id} is {trial.status.value}; pick a trial that finished training, or the base model"
    return None


def question_problems(questions: Sequence[Any]) -> dict[str, str]:
    """Per-question problems of a question list, keyed ``questions[i]``."""
    errors: dict[str, str] = {}
    if not questions:
        return {"questions": "give at least one question"}
    if len(questions) > MAX_BATCH_QUESTIONS:
        return {"questions": f"at most {MAX_BATCH_QUESTIONS} questions per batch, got {len(questions)}; split the list"}
    for index, question in enumerate(questions):
        key = f"questions[{index}]"
        if not isinstance(question, str):
            errors[key] = "must be a string"
        elif not question.strip():
            errors[key] = "empty question"
        elif "\x00" in question:
            errors[key] = "must not contain a NUL byte"
        elif len(question.strip()) > MAX_QUESTION_CHARS:
            errors[key] = f"longer than {MAX_QUESTION_CHARS} characters"
    return errors


def batch_name_problem(name: str) -> Optional[str]:
    if not name.strip():
        return "give the batch a name"
    if len(name) > MAX_BATCH_NAME_CHARS:
        return f"at most {MAX_BATCH_NAME_CHARS} characters"
    if "\x00" in name:
        return "must not contain a NUL byte"
    if name.startswith(CHAT_PREFIX):
        return f"names starting with {CHAT_PREFIX!r} are reserved for chat conversations"
    return None


def submit_faq_batch(
    session: Session,
    name: str,
    questions: Sequence[str],
    *,
    trial_id: Optional[int],
    max_attempts: int,
    user_id: Optional[int] = None,
    dataset_id: Optional[int] = None,
) -> tuple[FaqBatch, Job]:
    """Store a queued FAQ batch, one Answer row per question, and its answer job (committed).

    The base model answers when ``trial_id`` is None, from ``dataset_id`` (a ready dataset;
    None: the bundled default); a trial answers from its own dataset.
    """
    errors = {"name": problem} if (problem := batch_name_problem(name)) else {}
    return store_batch(session, name.strip(), questions, errors=errors, trial_id=trial_id,
                       max_attempts=max_attempts, user_id=user_id, dataset_id=dataset_id)


def store_batch(
    session: Session,
    name: str,
    questions: Sequence[str],
    *,
    trial_id: Optional[int],
    max_attempts: int,
    user_id: Optional[int],
    errors: Optional[dict[str, str]] = None,
    history: Optional[list[dict[str, Any]]] = None,
    conversation_id: Optional[str] = None,
    dataset_id: Optional[int] = None,
) -> tuple[FaqBatch, Job]:
    """Validate the questions and the model (with ``errors`` found by the caller), then store
    the batch and its answer job; a chat turn passes its conversation's id, and the
    conversation so far as ``history``."""
    errors = {**(errors or {}), **question_problems(questions)}
    trial_problem = answering_trial_problem(session, trial_id)
    if trial_problem:
        errors["trial_id"] = trial_problem
    if dataset_id is not None and trial_id is not None:
        errors["dataset_id"] = "a trial answers from the dataset it was trained on; choose a dataset for the base model only"
    elif problem := dataset_problem(session, dataset_id):
        errors["dataset_id"] = problem
    if errors:
        raise SubmissionError(errors)
    batch = create_faq_batch(session, name, [q.strip() for q in questions], trial_id=trial_id,
                             submitted_by=user_id, conversation_id=conversation_id, dataset_id=dataset_id)
    job = create_job(session, JobKind.answer, payload(JobKind.answer, {"history": history}),
                     batch_id=batch.id, max_attempts=max_attempts, commit=False)
    session.commit()
    return batch, job


def cancel_batch(session: Session, batch: FaqBatch) -> Outcome:
    """Cancel a batch's job; a batch cancelled before it started is closed at once."""
    return cancel_jobs(session, _active_jobs(session, batch_id=batch.id), f"Batch #{batch.id}")[0]


# --- the topic gate -------------------------------------------------------------------------


def submit_gate(
    session: Session,
    *,
    max_attempts: int,
    dataset: Optional[str] = None,
    threshold: Optional[float] = None,
) -> Job:
    """Queue a retraining of the topic gate (committed); ``dataset`` None: the latest built one."""
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise SubmissionError({"threshold": f"must be between 0 and 1 (exclusive), got {threshold}"})
    values = {"dataset": str(dataset) if dataset else None,
              "threshold": None if threshold is None else float(threshold)}
    job = create_job(session, JobKind.gate, payload(JobKind.gate, values), max_attempts=max_attempts,
                     commit=False)
    session.commit()
    return job
