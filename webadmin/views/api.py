"""JSON API (token or session authenticated; see webadmin/API.md for curl examples).

Errors are JSON objects: ``{"error": sentence}`` or, for invalid input, ``{"error": sentence,
"errors": {field: sentence}}`` with every bad field at once, as the web form shows them.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, g, jsonify, request, url_for
from sqlalchemy import select

from db.models import Answer, FaqBatch, Job, Trial, TrialStatus
from db.queries import get_trial, list_trials, metric_names, trial_metrics
from hcmqa.config import ConfigError, TrialConfig, load_preset
from jobs import (
    Dispatch,
    SubmissionError,
    batch_name_problem,
    batch_visible_to,
    submit_faq_batch,
    submit_trial,
    trial_jobs,
)
from webadmin.broker import dispatch_job
from webadmin.database import get_session
from webadmin.formatting import iso_or_none
from webadmin.submissions import max_attempts, model_policy

bp = Blueprint("api", __name__, url_prefix="/api")

STATUSES = [s.value for s in TrialStatus]


def _error(status: int, message: str, errors: Optional[dict[str, str]] = None):
    body: dict[str, Any] = {"error": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def _json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise SubmissionError({"body": "send a JSON object with Content-Type: application/json"})
    return data


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise SubmissionError({name: "must be a whole number below 1000000000"})
    return int(raw)


def _dispatch_fields(dispatch: Dispatch) -> dict[str, Any]:
    return {"sent": dispatch.sent, **({"warning": dispatch.error} if not dispatch.sent else {})}


def _trial_row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "status": row.status.value, "mode": row.mode, "base_model": row.base_model,
        "created_at": iso_or_none(row.created_at), "finished_at": iso_or_none(row.finished_at),
        "summary_metrics": row.summary_metrics, "url": url_for("api.trial", trial_id=row.id, _external=False),
    }


def _job(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "kind": job.kind.value, "status": job.status.value, "attempt": job.attempt,
        "progress": job.progress, "progress_detail": job.progress_detail, "worker": job.worker,
        "cancel_requested": job.cancel_requested, "error": job.error,
        "created_at": iso_or_none(job.created_at), "finished_at": iso_or_none(job.finished_at),
    }


@bp.errorhandler(SubmissionError)
def _invalid(exc: SubmissionError):
    return _error(400, "invalid request: " + "; ".join(f"{k}: {v}" for k, v in exc.errors.items()), exc.errors)


@bp.route("/trials")
def trials():
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise SubmissionError({"status": f"must be one of {', '.join(STATUSES)}"})
    rows = list_trials(get_session(), status=status, mode=request.args.get("mode"),
                       base_model=request.args.get("base_model"), search=request.args.get("q"),
                       limit=_int_arg("limit", 50), offset=_int_arg("offset", 0))
    return jsonify(trials=[_trial_row(r) for r in rows])


@bp.route("/trials/<int:trial_id>")
def trial(trial_id: int):
    session = get_session()
    row = get_trial(session, trial_id)
    if row is None:
        return _error(404, f"there is no trial #{trial_id}")
    body = _trial_row(row) | {
        "config": row.config, "error": row.error, "dataset_id": row.dataset_id, "artifact_path": row.artifact_path,
        # the topic of its dataset; null: the bundled topic
        "topic": {k: row.dataset.topic[k] for k in ("subject", "description")} if row.dataset is not None and row.dataset.topic else None,
        "started_at": iso_or_none(row.started_at), "metric_names": metric_names(session, trial_id),
        "jobs": [_job(j) for j in trial_jobs(session, trial_id)],
    }
    return jsonify(body)


@bp.route("/trials/<int:trial_id>/metrics")
def trial_metric_points(trial_id: int):
    if get_trial(get_session(), trial_id) is None:
        return _error(404, f"there is no trial #{trial_id}")
    curves = trial_metrics(get_session(), trial_id, name=request.args.get("name"), split=request.args.get("split"))
    series = [{"name": name, "split": split, "points": [[step, value] for step, value in points]}
              for (split, name), points in curves.items()]
    return jsonify(trial_id=trial_id, metrics=series)


@bp.route("/trials", methods=["POST"])
def create_trial():
    data = _json_object()
    config_data = data.get("config", {})
    unknown = sorted(set(data) - {"config", "preset", "dataset_id"})
    if unknown or not isinstance(config_data, dict):
        raise SubmissionError({"body": "expected {\"config\": {...}, \"preset\": optional name, \"dataset_id\": optional id}"
                                       + (f"; unknown keys: {', '.join(unknown)}" if unknown else "")})
    dataset_id = data.get("dataset_id")
    if dataset_id is not None and (not isinstance(dataset_id, int) or isinstance(dataset_id, bool)):
        raise SubmissionError({"dataset_id": "must be a dataset id (a whole number) or null"})
    models = model_policy()
    try:
        base = load_preset(data["preset"]).to_dict() if data.get("preset") else {}
        config = TrialConfig.from_dict({**base, **config_data})
    except ConfigError as exc:  # the base model's problem too, so every field is reported at once
        raise SubmissionError(models.add_problem(exc.errors, config_data.get("base_model"))) from None
    trial_row, job = submit_trial(get_session(), config, user_id=g.user.id, models=models, dataset_id=dataset_id,
                                  max_attempts=max_attempts())
    body = {"trial_id": trial_row.id, "job_id": job.id, "status": trial_row.status.value}
    response = jsonify(body | _dispatch_fields(dispatch_job(get_session(), job)))
    return response, 201, {"Location": url_for("api.trial", trial_id=trial_row.id)}


@bp.route("/faq-batches", methods=["POST"])
def create_faq_batch():
    data = _json_object()
    questions, trial_id, dataset_id = data.get("questions"), data.get("trial_id"), data.get("dataset_id")
    name = data.get("name") or f"API batch ({len(questions) if isinstance(questions, list) else 0} questions)"
    errors: dict[str, str] = {}
    if not isinstance(questions, list):
        errors["questions"] = "must be a list of question strings"
    if trial_id is not None and (not isinstance(trial_id, int) or isinstance(trial_id, bool)):
        errors["trial_id"] = "must be a trial id (a whole number) or null for the base model"
    if dataset_id is not None and (not isinstance(dataset_id, int) or isinstance(dataset_id, bool)):
        errors["dataset_id"] = "must be a dataset id (a whole number) or null for the bundled default"
    name_problem = batch_name_problem(name) if isinstance(name, str) else "must be a string"
    if name_problem:
        errors["name"] = name_problem
    if errors:
        raise SubmissionError(errors)
    batch, job = submit_faq_batch(get_session(), name, questions, trial_id=trial_id, user_id=g.user.id,
                                  max_attempts=max_attempts(), dataset_id=dataset_id)
    body = {"batch_id": batch.id, "job_id": job.id, "status": batch.status.value, "total": batch.total}
    response = jsonify(body | _dispatch_fields(dispatch_job(get_session(), job)))
    return response, 201, {"Location": url_for("api.faq_batch", batch_id=batch.id)}


def _batch_topic(batch: FaqBatch) -> Optional[dict[str, str]]:
    """The topic a batch is answered on ({subject, description}); None: the bundled topic."""
    trial = get_session().get(Trial, batch.trial_id) if batch.trial_id is not None else None
    dataset = trial.dataset if trial is not None else batch.dataset
    return {k: dataset.topic[k] for k in ("subject", "description")} if dataset is not None and dataset.topic else None


@bp.route("/faq-batches/<int:batch_id>")
def faq_batch(batch_id: int):
    session = get_session()
    batch = session.get(FaqBatch, batch_id)
    if batch is None or not batch_visible_to(batch, g.user.id):  # another admin's chat turn is private
        return _error(404, f"there is no FAQ batch #{batch_id}")
    answers = session.scalars(select(Answer).where(Answer.batch_id == batch_id).order_by(Answer.position))
    return jsonify(
        id=batch.id, name=batch.name, trial_id=batch.trial_id, dataset_id=batch.dataset_id,
        topic=_batch_topic(batch), status=batch.status.value, total=batch.total,
        done=batch.done, error=batch.error, created_at=iso_or_none(batch.created_at),
        finished_at=iso_or_none(batch.finished_at),
        answers=[{"position": a.position, "question": a.question, "resolved_question": a.resolved_question,
                  "related": a.related, "gate_score": a.gate_score,
                  "answer": a.answer, "path": a.answer_path.value if a.answer_path else None,
                  "sources": a.sources, "latency_ms": a.latency_ms} for a in answers],
    )
