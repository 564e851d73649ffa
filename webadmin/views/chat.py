"""Chat playground: a multi-turn conversation with a trial's model (or the base model).

Each turn is a one-question FAQ batch whose answer job carries the conversation so far; the
page polls the turn's status and reloads when the answer is in. Conversations are private to
the user who started them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from db.models import Dataset, FaqBatch, Trial
from db.queries import ready_datasets
from jobs import (
    SubmissionError,
    conversation_turns,
    new_conversation_id,
    submit_chat_turn,
    valid_conversation_id,
)
from webadmin.database import get_session
from webadmin.submissions import max_attempts
from webadmin.views.common import send_and_flash
from webadmin.views.faq import answering_trials, parse_dataset_choice, parse_trial_choice

bp = Blueprint("chat", __name__, url_prefix="/chat")


def _conversations() -> list[dict]:
    """The user's conversations, newest first, with their first question and turn count."""
    stmt = (select(FaqBatch).where(FaqBatch.conversation_id.is_not(None), FaqBatch.submitted_by == g.user.id)
            .order_by(FaqBatch.id.desc()).limit(500))
    conversations: dict[str, dict] = {}
    for batch in get_session().scalars(stmt):
        entry = conversations.setdefault(batch.conversation_id, {"turns": 0, "trial_id": batch.trial_id, "dataset": batch.dataset})
        entry["turns"] += 1
        entry["first_question"] = batch.answers[0].question if batch.answers else ""
        entry["started_at"] = batch.created_at
    return [{"id": cid, **entry} for cid, entry in conversations.items()]


def _checked_id(conversation_id: str) -> str:
    if not valid_conversation_id(conversation_id):
        abort(404)
    return conversation_id


@bp.route("/")
def index():
    return render_template("chat/index.html", trials=answering_trials(), conversations=_conversations(),
                           datasets=ready_datasets(get_session()))


@bp.route("/new", methods=["POST"])
def start():
    trial_id = parse_trial_choice(request.form.get("trial_id"))
    dataset_id = parse_dataset_choice(request.form.get("dataset_id")) if trial_id is None else None
    return redirect(url_for("chat.conversation", conversation_id=new_conversation_id(), trial_id=trial_id,
                            dataset_id=dataset_id))


@bp.route("/<conversation_id>")
def conversation(conversation_id: str):
    turns = conversation_turns(get_session(), _checked_id(conversation_id), g.user.id)
    trial_id = turns[0].trial_id if turns else parse_trial_choice(request.args.get("trial_id"))
    dataset_id = turns[0].dataset_id if turns else parse_dataset_choice(request.args.get("dataset_id"))
    trial = get_session().get(Trial, trial_id) if trial_id else None
    dataset = get_session().get(Dataset, dataset_id) if dataset_id else None
    if trial_id and trial is None or dataset_id and dataset is None:
        abort(404)
    pending = next((t for t in turns if t.status.value in ("queued", "running")), None)
    return render_template("chat/conversation.html", conversation_id=conversation_id, turns=turns,
                           trial=trial, trial_id=trial_id, dataset=dataset, pending=pending)


@bp.route("/<conversation_id>", methods=["POST"])
def send(conversation_id: str):
    trial_id = parse_trial_choice(request.form.get("trial_id"))
    dataset_id = parse_dataset_choice(request.form.get("dataset_id"))
    question = request.form.get("question", "")
    try:
        _, job = submit_chat_turn(get_session(), _checked_id(conversation_id), question,
                                  trial_id=trial_id, user_id=g.user.id, max_attempts=max_attempts(),
                                  dataset_id=dataset_id)
    except SubmissionError as exc:
        flash(" ".join(f"{message[0].upper()}{message[1:]}." for message in exc.errors.values()), "error")
    else:
        send_and_flash([job], "Question sent; the answer appears here when a worker has it.")
    return redirect(url_for("chat.conversation", conversation_id=conversation_id, trial_id=trial_id,
                            dataset_id=dataset_id))


@bp.route("/<conversation_id>/status.json")
def status_json(conversation_id: str):
    turns = conversation_turns(get_session(), _checked_id(conversation_id), g.user.id)
    if not turns:
        abort(404)
    last = turns[-1]
    return jsonify(state=f"{len(turns)}:{last.status.value}", status=last.status.value, turns=len(turns))
