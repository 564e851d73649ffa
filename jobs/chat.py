"""Chat turns: one turn is a one-question FAQ batch whose answer job carries the conversation.

A conversation is the batches of one user that share a ``conversation_id`` (each named
``chat``); only that user sees them.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FaqBatch, Job, JobStatus
from jobs.submit import SubmissionError, store_batch

#: Turns of history sent with a chat question; older turns are dropped to bound the prompt.
CHAT_HISTORY_TURNS = 8
#: The name of every chat turn's batch (its conversation is in its own column).
CHAT_TURN_NAME = "chat"

_CONVERSATION_RE = re.compile(r"^[0-9a-f]{32}$")


def new_conversation_id() -> str:
    return uuid.uuid4().hex


def valid_conversation_id(conversation_id: str) -> bool:
    return bool(_CONVERSATION_RE.match(conversation_id))


def is_chat(batch: FaqBatch) -> bool:
    return batch.conversation_id is not None


def batch_visible_to(batch: FaqBatch, user_id: int) -> bool:
    """Whether ``user_id`` may see ``batch``: FAQ batches are shared, a chat turn is its author's only."""
    return not is_chat(batch) or batch.submitted_by == user_id


def conversation_turns(session: Session, conversation_id: str, user_id: int) -> list[FaqBatch]:
    """The user's turns of one conversation, oldest first (another user's turns are never listed)."""
    stmt = (
        select(FaqBatch)
        .where(FaqBatch.conversation_id == conversation_id, FaqBatch.submitted_by == user_id)
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
    session: Session,
    conversation_id: str,
    question: str,
    *,
    trial_id: Optional[int],
    user_id: int,
    max_attempts: int,
    dataset_id: Optional[int] = None,
) -> tuple[FaqBatch, Job]:
    """Store one turn (committed); its job's payload carries the conversation so far.
    ``dataset_id`` is the base model's dataset (None: the bundled default)."""
    turns = conversation_turns(session, conversation_id, user_id)
    if turns and turns[0].trial_id != trial_id:
        raise SubmissionError({"trial_id": "a conversation keeps its model; start a new conversation to switch"})
    if turns and turns[0].dataset_id != dataset_id:
        raise SubmissionError({"dataset_id": "a conversation keeps its dataset; start a new conversation to switch"})
    if any(turn.status in (JobStatus.queued, JobStatus.running) for turn in turns):
        raise SubmissionError({"question": "wait for the answer to your previous question first"})
    return store_batch(session, CHAT_TURN_NAME, [question], trial_id=trial_id, max_attempts=max_attempts,
                       user_id=user_id, history=chat_history(turns), conversation_id=conversation_id,
                       dataset_id=dataset_id)
