"""What the admin can ask for -- a trial, an evaluation, a FAQ batch, a chat turn, a cancel, a
resume -- as plain functions on a SQLAlchemy session, shared by the HTML views and the JSON API.

Each submission writes its rows and commits *before* anything is sent to the broker (see
:mod:`webadmin.broker`); the caller then dispatches the returned job. Validation problems
raise :class:`SubmissionError` with one message per field, in the same shape as
``hcmqa.config.ConfigError`` so forms and the API report them the same way.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.jobs import CancelOutcome, create_job, request_cancel, requeue_job
from db.models import (
    Answer,
    Dataset,
    FaqBatch,
    Job,
    JobKind,
    JobStatus,
    Trial,
    TrialStatus,
    utcnow,
)
from hcmqa.config import TrialConfig
from hcmqa.data.qa import MAX_QUESTION_CHARS
from hcmqa.models import check_allowed_model, models_dir

#: Largest FAQ batch accepted in one go (each question is one generation on a GPU worker).
MAX_FAQ_QUESTIONS = 2000
#: Prefix of FaqBatch names that hold chat turns (one conversation = the batches sharing a name).
CHAT_PREFIX = "chat:"
#: Turns of history sent with a chat question; older turns are dropped to bound the prompt.
CHAT_HISTORY_TURNS = 8

_CONVERSATION_RE = re.compile(r"^[0-9a-f]{32}$")


class SubmissionError(ValueError):
    """A request cannot be carried out; ``errors`` maps each field to a sentence."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Outcome:
    """Result of cancel/resume: what happened, as a sentence, and the job to (re)send if any."""

    message: str
    job: Optional[Job] = None
    ok: bool = True


# --- trials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPolicy:
    """Which base models a submitted trial may name (see ``hcmqa.models.check_allowed_model``)."""

    home: Path
    #: Local model directories must lie inside it; None: ``<home>/models``.
    models_root: Optional[Path] = None
    allow_hub: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ModelPolicy:
        """From the app's settings: ``HCMQA_HOME``, ``MODELS_ROOT`` and ``ALLOW_HUB_MODELS``."""
        root = config.get("MODELS_ROOT")
        return cls(home=Path(config["HCMQA_HOME"]), models_root=Path(root) if root else None,
                   allow_hub=bool(config.get("ALLOW_HUB_MODELS")))

    def problem(self, base_model: object) -> Optional[str]:
        return check_allowed_model(base_model, self.home, allow_hub=self.allow_hub,
                                   models_root=self.models_root or models_dir(self.home))

    def add_problem(self, errors: dict[str, str], base_model: object) -> dict[str, str]:
        """``errors`` with the base model's problem: a value given but not allowed always gets the
        one neutral sentence (even where the config check found, say, a length problem)."""
        problem = None if base_model in (None, "") else self.problem(base_model)
        return {**errors, "base_model": problem} if problem else errors


def submit_trial(
    session: Session,
    config: TrialConfig,
    *,
    user_id: Optional[int],
    models: ModelPolicy,
    dataset_id: Optional[int] = None,
) -> tuple[Trial, Job]:
    """Store a queued trial and its train job (committed; the caller dispatches the job).

    The base model must be one ``models`` allows; every problem is reported at once.
    """
    errors = models.add_problem({}, config.base_model)
    if dataset_id is not None and session.get(Dataset, dataset_id) is None:
        errors["dataset_id"] = f"there is no dataset #{dataset_id}; pick one from the list"
    if errors:
        raise SubmissionError(errors)
    trial = Trial(
        name=config.name,
        config=config.to_dict(),
        mode=config.mode,
        base_model=config.base_model,
        status=TrialStatus.queued,
        submitted_by=user_id,
        dataset_id=dataset_id,
    )
    session.add(trial)
    session.flush()
    job = create_job(session, JobKind.train, {"trial_id": trial.id}, trial_id=trial.id)
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
    """Cancel queued jobs outright and flag running ones; returns the outright-cancelled ones."""
    if not jobs:
        return Outcome(f"{what} has no queued or running job to cancel.", ok=False), []
    cancelled, flagged = [], []
    for job in jobs:
        outcome = request_cancel(session, job.id)
        if outcome is CancelOutcome.cancelled:
            cancelled.append(job)
        elif outcome is CancelOutcome.requested:
            flagged.append(job)
    parts = []
    if cancelled:
        parts.append(f"{what} was cancelled before it started")
    if flagged:
        parts.append(f"{what} is asked to stop; the worker stops at its next heartbeat")
    if not parts:
        return Outcome(f"{what} had already finished; nothing to cancel.", ok=False), []
    return Outcome("; ".join(parts) + "."), cancelled


def cancel_trial(session: Session, trial: Trial) -> Outcome:
    """Cancel the trial's queued/running jobs; a train job cancelled before it ran ends the trial."""
    outcome, cancelled = cancel_jobs(session, _active_jobs(session, trial_id=trial.id), f"Trial #{trial.id}")
    if any(job.kind is JobKind.train for job in cancelled):
        # No worker will ever claim this job, so nobody else would close the trial.
        session.execute(
            update(Trial)
            .where(Trial.id == trial.id, Trial.status == TrialStatus.queued)
            .values(status=TrialStatus.cancelled, finished_at=utcnow())
        )
        session.commit()
    return outcome


def resume_trial(session: Session, trial: Trial) -> Outcome:
    """Requeue the trial's failed/cancelled train job (the worker resumes from its last checkpoint)."""
    job = _latest(session, JobKind.train, trial_id=trial.id)
    if job is None or not requeue_job(session, job.id, commit=False):
        session.rollback()
        return Outcome(f"Trial #{trial.id} can be resumed only after it failed or was cancelled.", ok=False)
    # The old task id belongs to a message that is gone; NULL marks the job "not sent yet", so
    # the workers' reaper re-sends it if our send below fails (worker/dispatch.py protocol).
    session.execute(update(Job).where(Job.id == job.id).values(celery_task_id=None))
    session.execute(
        update(Trial)
        .where(Trial.id == trial.id)
        .values(status=TrialStatus.queued, error=None, finished_at=None)
    )
    session.commit()
    session.refresh(job)
    return Outcome(f"Trial #{trial.id} is queued again; training resumes from its last checkpoint.", job)


def evaluate_trial(session: Session, trial: Trial) -> Job:
    """Queue a fresh evaluation of a finished trial (answers base vs tuned on the validation split)."""
    if trial.status is not TrialStatus.succeeded:
        raise SubmissionError({"trial": f"trial #{trial.id} is {trial.status.value}; only a succeeded trial can be evaluated"})
    if _active_jobs(session, trial_id=trial.id):
        raise SubmissionError({"trial": f"trial #{trial.id} already has a queued or running job; wait for it"})
    return create_job(session, JobKind.evaluate, {"trial_id": trial.id}, trial_id=trial.id)


def queued_jobs_to_resend(session: Session, *, trial_id: int | None = None, batch_id: int | None = None) -> list[Job]:
    """Queued jobs whose message may not have reached the broker (sending again is harmless)."""
    where = {"trial_id": trial_id} if trial_id is not None else {"batch_id": batch_id}
    return [job for job in _active_jobs(session, **where) if job.status is JobStatus.queued]


# --- FAQ batches and chat -------------------------------------------------------------------


def answering_trial_problem(session: Session, trial_id: Optional[int]) -> Optional[str]:
    """Why ``trial_id`` cannot answer questions (None: the base model, or a finished trial)."""
    if trial_id is None:
        return None
    trial = session.get(Trial, trial_id)
    if trial is None:
        return f"there is no trial #{trial_id}"
    if trial.status is not TrialStatus.succeeded:
        return f"trial #{trial_id} is {trial.status.value}; pick a trial that finished training, or the base model"
    return None


def question_problems(questions: list[Any]) -> dict[str, str]:
    """Per-question problems of a JSON question list, keyed ``questions[i]``."""
    errors: dict[str, str] = {}
    if not questions:
        return {"questions": "give at least one question"}
    if len(questions) > MAX_FAQ_QUESTIONS:
        return {"questions": f"at most {MAX_FAQ_QUESTIONS} questions per batch, got {len(questions)}; split the list"}
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
    if len(name) > 200:
        return "at most 200 characters"
    if "\x00" in name:
        return "must not contain a NUL byte"
    if name.startswith(CHAT_PREFIX):
        return f"names starting with {CHAT_PREFIX!r} are reserved for chat conversations"
    return None


def submit_faq_batch(
    session: Session,
    name: str,
    questions: list[str],
    *,
    trial_id: Optional[int],
    user_id: Optional[int],
    payload: Optional[dict[str, Any]] = None,
) -> tuple[FaqBatch, Job]:
    """Store a queued FAQ batch, one Answer row per question, and its answer job (committed).

    The base model answers when ``trial_id`` is None; its registry name travels in the payload
    so the worker needs no default of its own.
    """
    errors = question_problems(questions)
    trial_problem = answering_trial_problem(session, trial_id)
    if trial_problem:
        errors["trial_id"] = trial_problem
    if errors:
        raise SubmissionError(errors)
    batch = FaqBatch(
        name=name.strip(),
        trial_id=trial_id,
        status=JobStatus.queued,
        total=len(questions),
        done=0,
        submitted_by=user_id,
    )
    batch.answers = [Answer(position=i, question=q.strip()) for i, q in enumerate(questions)]
    session.add(batch)
    session.flush()
    job_payload: dict[str, Any] = {"batch_id": batch.id}
    if trial_id is None:
        job_payload["base_model"] = TrialConfig().base_model
    job_payload.update(payload or {})
    job = create_job(session, JobKind.answer, job_payload, batch_id=batch.id)
    return batch, job


def cancel_batch(session: Session, batch: FaqBatch) -> Outcome:
    """Cancel a batch's job; a batch cancelled before it started is closed here (no worker will)."""
    outcome, cancelled = cancel_jobs(session, _active_jobs(session, batch_id=batch.id), f"Batch #{batch.id}")
    if cancelled:
        session.execute(
            update(FaqBatch)
            .where(FaqBatch.id == batch.id, FaqBatch.status == JobStatus.queued)
            .values(status=JobStatus.cancelled, finished_at=utcnow())
        )
        session.commit()
    return outcome


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def valid_conversation_id(conversation_id: str) -> bool:
    return bool(_CONVERSATION_RE.match(conversation_id))


def is_chat(batch: FaqBatch) -> bool:
    return batch.name.startswith(CHAT_PREFIX)


def batch_visible_to(batch: FaqBatch, user_id: int) -> bool:
    """Whether ``user_id`` may see ``batch``: FAQ batches are shared, a chat turn is its author's only."""
    return not is_chat(batch) or batch.submitted_by == user_id


def conversation_turns(session: Session, conversation_id: str, user_id: int) -> list[FaqBatch]:
    """The user's turns of one conversation, oldest first (another user's turns are never listed)."""
    stmt = (
        select(FaqBatch)
        .where(FaqBatch.name == CHAT_PREFIX + conversation_id, FaqBatch.submitted_by == user_id)
        .order_by(FaqBatch.id)
    )
    return list(session.scalars(stmt))


def chat_history(turns: list[FaqBatch]) -> list[dict[str, Any]]:
    """Answered turns as ``{question, answer, related}``, the last ``CHAT_HISTORY_TURNS`` only.

    The fields mirror ``hcmqa.answering.Answer``, so a worker can rebuild the previous turns
    and resolve a follow-up ("when did he die?") with ``resolve_followup``.
    """
    history: list[dict[str, Any]] = []
    for turn in turns[-CHAT_HISTORY_TURNS:]:
        answer = turn.answers[0] if turn.answers else None
        if answer is None or answer.answer is None or answer.related is None:
            continue  # unanswered or failed turns add nothing the model could build on
        history.append({"question": answer.question, "answer": answer.answer, "related": bool(answer.related)})
    return history


def submit_chat_turn(
    session: Session, conversation_id: str, question: str, *, trial_id: Optional[int], user_id: int
) -> tuple[FaqBatch, Job]:
    """One chat turn = a one-question FAQ batch whose job carries the conversation so far."""
    turns = conversation_turns(session, conversation_id, user_id)
    if turns and turns[0].trial_id != trial_id:
        raise SubmissionError({"trial_id": "a conversation keeps its model; start a new conversation to switch"})
    if any(turn.status in (JobStatus.queued, JobStatus.running) for turn in turns):
        raise SubmissionError({"question": "wait for the answer to your previous question first"})
    payload = {"conversation_id": conversation_id, "history": chat_history(turns)}
    return submit_faq_batch(
        session, CHAT_PREFIX + conversation_id, [question], trial_id=trial_id, user_id=user_id, payload=payload
    )
