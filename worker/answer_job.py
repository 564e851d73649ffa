"""FAQ batch work: answer rows -> a warm ``Assistant`` -> answer rows.

The questions are the batch's ``answers`` rows (written at submission, ``related`` still
NULL). They are answered in chunks; each chunk's answers are upserted by
(batch_id, position) in one transaction, together with the batch's ``done`` count. A
redelivered job therefore answers only what is still missing, and writing a position twice
just rewrites the same row.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import func, select, update

from db.models import Answer, FaqBatch, JobStatus, Trial, TrialStatus
from worker.assistants import assistant_cache
from worker.datasets import dataset_dir_of, optional_dataset_dir
from worker.lifecycle import JobContext, Outcome
from worker.sql import upsert_update

log = logging.getLogger(__name__)

#: Questions answered (and committed) together; matches the generator's default batch.
CHUNK_SIZE = 16


def trained_run_dir(session: Any, trial_id: int) -> Path:
    """The run directory of a succeeded trial, or a ValueError saying why there is none."""
    trial = session.get(Trial, trial_id)
    if trial is None:
        raise ValueError(f"trial {trial_id} does not exist")
    if trial.status != TrialStatus.succeeded or not trial.artifact_path:
        raise ValueError(
            f"trial {trial_id} has no trained model (status {trial.status.value}); "
            "use a trial that succeeded, or the base model"
        )
    return Path(trial.artifact_path)


def answer_batch(ctx: JobContext) -> Outcome:
    """Answer every still-unanswered question of the job's FAQ batch."""
    if ctx.batch_id is None:
        return Outcome(JobStatus.failed, f"job {ctx.job_id} has no FAQ batch to answer")
    batch_id = ctx.batch_id
    with ctx.session() as session:
        batch = session.get(FaqBatch, batch_id)
        if batch is None:
            return Outcome(JobStatus.failed, f"FAQ batch {batch_id} no longer exists")
        run_dir: Optional[Path] = None
        if batch.trial_id is not None:
            run_dir = trained_run_dir(session, batch.trial_id)
        dataset_dir = batch_dataset_dir(session, batch)
        pending = session.execute(
            select(Answer.position, Answer.question)
            .where(Answer.batch_id == batch_id, Answer.related.is_(None))
            .order_by(Answer.position)
        ).all()
        total = batch.total

    done = total - len(pending)
    ctx.report(progress=_fraction(done, total), detail={"done": done, "total": total})
    if not pending:
        return Outcome(JobStatus.succeeded, summary={"answered": 0})

    assistant = assistant_cache(ctx.settings.assistant_cache_size).get(
        run_dir, ctx.home, dataset_dir, engine=ctx.settings.engine
    )
    queries = chat_queries(ctx.payload.get("history"), [q for _, q in pending], getattr(assistant, "topic", None))
    for start in range(0, len(pending), CHUNK_SIZE):
        ctx.check_stop()
        chunk = pending[start : start + CHUNK_SIZE]

        def generation_progress(
            generated: int, to_generate: int, base: int = done, size: int = len(chunk)
        ) -> None:
            ctx.check_stop()  # cancel between generation batches, not only between chunks
            share = generated / to_generate if to_generate else 1.0
            ctx.report(progress=_fraction(base + share * size, total))

        chunk_queries = queries[start : start + CHUNK_SIZE] if queries else None
        answers = assistant.answer_batch(
            [q for _, q in chunk], progress=generation_progress, queries=chunk_queries
        )
        rows = [
            {
                "batch_id": batch_id,
                "position": position,
                "question": question,
                "related": bool(answer.related),
                "gate_score": float(answer.score),
                "answer": answer.answer,
                "sources": list(answer.sources),
                "latency_ms": float(answer.latency_ms),
                # Which path produced it (hcmqa.answering.ANSWER_PATHS). The column is an
                # enum with a CHECK: an unknown path fails the job instead of being stored.
                "answer_path": answer.path or None,
                "resolved_question": resolved_or_none(question, answer.resolved_question),
            }
            for (position, question), answer in zip(chunk, answers, strict=True)
        ]
        with ctx.session() as session:
            session.execute(upsert_update(session, Answer, ["batch_id", "position"], rows))
            done = (
                session.scalar(
                    select(func.count())
                    .select_from(Answer)
                    .where(Answer.batch_id == batch_id, Answer.related.is_not(None))
                )
                or 0
            )
            session.execute(update(FaqBatch).where(FaqBatch.id == batch_id).values(done=done))
        ctx.report(progress=_fraction(done, total), detail={"done": done, "total": total})
    return Outcome(JobStatus.succeeded, summary={"answered": len(pending)})


def resolved_or_none(question: str, resolved: Optional[str]) -> Optional[str]:
    """What ``question`` was understood as (gated and retrieved with), stored only where it
    differs from the question as asked: a chat follow-up naming its subject, initials written
    out. None when it is the same (but for surrounding spaces) or was not given."""
    resolved = (resolved or "").strip()
    return resolved if resolved and resolved != question.strip() else None


def _fraction(done: float, total: int) -> float:
    return min(1.0, done / total) if total else 1.0


def batch_dataset_dir(session: Any, batch: FaqBatch) -> Optional[Path]:
    """The dataset a batch is answered from: its trial's, else the one chosen for the base
    model; None: the bundled default."""
    dataset_dir = optional_dataset_dir(session, batch.trial_id)
    if dataset_dir is None and batch.trial_id is None and batch.dataset is not None:
        dataset_dir = dataset_dir_of(batch.dataset)
    return dataset_dir


def chat_queries(history: Any, questions: list[str], topic: Any = None) -> Optional[list[str]]:
    """A chat turn's questions resolved against the conversation so far ("when did he die?").

    ``history`` is the payload's list of earlier turns, ``{question, answer, related}``;
    returns None for an ordinary FAQ batch, which has no history. ``topic`` is the
    assistant's profile (its subject's names and pronouns; the bundled one when None).
    """
    if not history or not isinstance(history, list):
        return None
    from hcmqa.answering import Answer as Turn
    from hcmqa.answering import resolve_followup

    previous = [
        Turn(question=str(t.get("question", "")), related=bool(t.get("related")), answer=str(t.get("answer", "")))
        for t in history
        if isinstance(t, dict)
    ]
    return [resolve_followup(q, previous, topic=topic) for q in questions]
