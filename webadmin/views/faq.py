"""FAQ batches: upload a question list, follow the answering, read and download the answers."""

from __future__ import annotations

import csv
import io
from typing import Any, Optional

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from db.models import FaqBatch, Job, Trial, TrialStatus
from db.queries import ready_datasets, safe_csv_cell
from jobs import (
    SubmissionError,
    batch_name_problem,
    cancel_batch,
    queued_jobs_to_resend,
    submit_faq_batch,
)
from webadmin.database import get_session
from webadmin.formatting import progress_text, source_label
from webadmin.submissions import max_attempts
from webadmin.uploads import UploadRejected, parse_question_list
from webadmin.views.common import batch_or_404, csv_response, send_and_flash

bp = Blueprint("faq", __name__, url_prefix="/faq")

# ``resolved_question`` comes last so the older columns keep their places.
CSV_COLUMNS = ("position", "question", "related", "gate_score", "answer", "path", "sources", "latency_ms",
               "resolved_question")


def answering_trials() -> list[Trial]:
    """Trials that can answer: those that finished training."""
    stmt = select(Trial).where(Trial.status == TrialStatus.succeeded).order_by(Trial.id.desc())
    return list(get_session().scalars(stmt))


def parse_trial_choice(raw: Optional[str]) -> Optional[int]:
    """The ``trial_id`` select: '' or 'base' means the base model."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def parse_dataset_choice(raw: Optional[str]) -> Optional[int]:
    """The ``dataset_id`` select: '' means the bundled default."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _list_page(**extra: Any):
    stmt = select(FaqBatch).where(FaqBatch.conversation_id.is_(None)).order_by(FaqBatch.id.desc()).limit(200)
    return render_template("faq/index.html", batches=list(get_session().scalars(stmt)),
                           trials=answering_trials(), datasets=ready_datasets(get_session()), **extra)


@bp.route("/")
def index():
    return _list_page()


def _submit_form(name: str, trial_id: Optional[int], dataset_id: Optional[int]) -> tuple[FaqBatch, Job]:
    """Validate the name, the uploaded list and the model together; every problem at once."""
    problems = [f"name: {p}" for p in [batch_name_problem(name)] if p]
    questions: list[str] = []
    try:
        questions = parse_question_list(request.files.get("questions"))
    except UploadRejected as exc:
        problems.extend(exc.problems)
    if problems:
        raise UploadRejected(problems)
    try:
        return submit_faq_batch(get_session(), name, questions, trial_id=trial_id, user_id=g.user.id,
                                max_attempts=max_attempts(), dataset_id=dataset_id)
    except SubmissionError as exc:
        raise UploadRejected([f"{field}: {message}" for field, message in exc.errors.items()]) from None


@bp.route("/", methods=["POST"])
def create():
    name = request.form.get("name", "").strip()
    trial_id = parse_trial_choice(request.form.get("trial_id"))
    dataset_id = parse_dataset_choice(request.form.get("dataset_id"))
    try:
        batch, job = _submit_form(name, trial_id, dataset_id)
    except UploadRejected as exc:
        flash(f"The batch was not created: {len(exc.problems)} problem(s) found.", "error")
        return _list_page(problems=exc.problems, name=name, trial_id=trial_id, dataset_id=dataset_id), 400
    send_and_flash([job], f"FAQ batch #{batch.id} with {batch.total} question(s) is queued.")
    return redirect(url_for("faq.detail", batch_id=batch.id))


def _batch_job(batch_id: int) -> Optional[Job]:
    return get_session().scalar(select(Job).where(Job.batch_id == batch_id).order_by(Job.id.desc()).limit(1))


@bp.route("/<int:batch_id>")
def detail(batch_id: int):
    """A FAQ batch, or one turn of the signed-in admin's own chat (other admins get 404)."""
    batch = batch_or_404(batch_id)
    return render_template("faq/detail.html", batch=batch, job=_batch_job(batch_id),
                           resendable=queued_jobs_to_resend(get_session(), batch_id=batch_id))


@bp.route("/<int:batch_id>/status.json")
def status_json(batch_id: int):
    batch = batch_or_404(batch_id)
    job = _batch_job(batch_id)
    progress = batch.done / batch.total if batch.total else 0.0
    return jsonify(state=f"{batch.status.value}:{batch.done}", status=batch.status.value, done=batch.done,
                   total=batch.total, progress=progress,
                   progress_text=progress_text(progress, job.progress_detail if job else None), error=batch.error)


@bp.route("/<int:batch_id>/cancel", methods=["POST"])
def cancel(batch_id: int):
    outcome = cancel_batch(get_session(), batch_or_404(batch_id))
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(url_for("faq.detail", batch_id=batch_id))


@bp.route("/<int:batch_id>/resend", methods=["POST"])
def resend(batch_id: int):
    jobs = queued_jobs_to_resend(get_session(), batch_id=batch_or_404(batch_id).id)
    if not jobs:
        flash("No queued job to send: the batch has been picked up or has finished.", "error")
    send_and_flash(jobs, "Sent the batch to the workers again.")
    return redirect(url_for("faq.detail", batch_id=batch_id))


@bp.route("/<int:batch_id>/answers.csv")
def answers_csv(batch_id: int):
    batch = batch_or_404(batch_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CSV_COLUMNS)
    for a in batch.answers:
        sources = "; ".join(source_label(s) for s in (a.sources or []))
        path = a.answer_path.value if a.answer_path else ""
        # empty when the question was understood as asked (stored NULL)
        resolved = a.resolved_question if a.resolved_question and a.resolved_question != a.question else ""
        row = [a.position + 1, a.question, "" if a.related is None else a.related, a.gate_score, a.answer, path, sources,
               a.latency_ms, resolved]
        writer.writerow([safe_csv_cell(cell) for cell in row])
    return csv_response(buffer.getvalue(), f"faq-batch-{batch_id}-answers.csv")
