"""Trials: list, new-trial form (generated from TrialConfig), detail page, cancel/resume/evaluate."""

from __future__ import annotations

import io
from typing import Any, Optional

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for

from db.models import Dataset, Trial, TrialStatus, User
from db.queries import (
    compare_trials,
    dashboard_jobs,
    export_metrics_csv,
    list_trials,
    metric_names,
    ready_datasets,
    trial_metrics,
)
from hcmqa.config import ConfigError
from jobs import (
    SubmissionError,
    cancel_trial,
    queued_jobs_to_resend,
    resume_trial,
    submit_eval,
    submit_trial,
    trial_jobs,
)
from webadmin.charts import evaluation_table, trial_charts
from webadmin.database import get_session
from webadmin.formatting import duration, progress_text
from webadmin.submissions import max_attempts, model_policy
from webadmin.trial_form import build_sections, config_rows, form_values, initial_values, parse_config, preset_names
from webadmin.views.common import csv_response, get_or_404, send_and_flash

bp = Blueprint("trials", __name__, url_prefix="/trials")

STATUSES = [s.value for s in TrialStatus]


def _datasets() -> list[Dataset]:
    return ready_datasets(get_session())


def _optional_int(raw: Optional[str]) -> Optional[int]:
    return int(raw) if raw and raw.strip().isdigit() else None


def _render_form(values: dict[str, str], errors: dict[str, str] | None = None, status: int = 200, **extra: Any):
    return render_template(
        "trials/new.html", sections=build_sections(values, errors), errors=errors or {},
        presets=preset_names(), datasets=_datasets(), **extra,
    ), status


@bp.route("/")
def index():
    args = request.args
    status = args.get("status") if args.get("status") in STATUSES else None
    trials = list_trials(get_session(), status=status, mode=args.get("mode") or None,
                         base_model=args.get("base_model") or None, search=args.get("q") or None, limit=200)
    return render_template("trials/index.html", trials=trials, statuses=STATUSES, filters=args)


@bp.route("/new", methods=["GET"])
def new():
    clone_id = _optional_int(request.args.get("clone"))
    clone = get_or_404(Trial, clone_id) if clone_id else None
    preset = request.args.get("preset") or None
    values, preset_error = initial_values(preset, clone.config if clone else None)
    if preset_error:
        flash(preset_error, "error")
    dataset_id = clone.dataset_id if clone else _optional_int(request.args.get("dataset_id"))
    return _render_form(values, clone=clone, preset=preset, dataset_id=dataset_id)[0]


@bp.route("/new", methods=["POST"])
def create():
    values = form_values(request.form)
    dataset_id = _optional_int(request.form.get("dataset_id"))
    models = model_policy()
    try:
        trial, job = submit_trial(get_session(), parse_config(values), user_id=g.user.id, models=models,
                                  dataset_id=dataset_id, max_attempts=max_attempts())
    except SubmissionError as exc:
        return _render_form(values, exc.errors, 400, dataset_id=dataset_id)
    except ConfigError as exc:  # the base model's problem too, so every field is reported at once
        return _render_form(values, models.add_problem(exc.errors, values.get("base_model")), 400,
                            dataset_id=dataset_id)
    send_and_flash([job], f"Trial #{trial.id} is queued for training.")
    return redirect(url_for("trials.detail", trial_id=trial.id))


@bp.route("/<int:trial_id>")
def detail(trial_id: int):
    session = get_session()
    trial = get_or_404(Trial, trial_id)
    curves = trial_metrics(session, trial_id)
    eval_columns, eval_rows = evaluation_table(curves)
    summary = dict(trial.summary_metrics or {})
    samples = summary.pop("samples", None) or []
    return render_template(
        "trials/detail.html", trial=trial, jobs=trial_jobs(session, trial_id), charts=trial_charts(curves),
        eval_columns=eval_columns, eval_rows=eval_rows, summary=summary,
        samples=[s for s in samples if isinstance(s, dict)], config_rows=config_rows(trial.config or {}),
        best=compare_trials(session, [trial_id], metric_names(session, trial_id)),
        resendable=queued_jobs_to_resend(session, trial_id=trial_id),
        submitter=session.get(User, trial.submitted_by) if trial.submitted_by else None,
    )


@bp.route("/<int:trial_id>/status.json")
def status_json(trial_id: int):
    trial = get_or_404(Trial, trial_id)
    jobs = trial_jobs(get_session(), trial_id)
    job = jobs[0] if jobs else None
    eta = next((j.eta_s for j in dashboard_jobs(get_session()) if job and j.id == job.id), None)
    return jsonify(
        state=f"{trial.status.value}:{job.id if job else 0}:{job.status.value if job else ''}",
        status=trial.status.value,
        progress=job.progress if job else None,
        progress_text=progress_text(job.progress, job.progress_detail) if job else "",
        eta=duration(eta),
        error=trial.error,
    )


@bp.route("/<int:trial_id>/cancel", methods=["POST"])
def cancel(trial_id: int):
    outcome = cancel_trial(get_session(), get_or_404(Trial, trial_id))
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(url_for("trials.detail", trial_id=trial_id))


@bp.route("/<int:trial_id>/resume", methods=["POST"])
def resume(trial_id: int):
    outcome = resume_trial(get_session(), get_or_404(Trial, trial_id))
    if outcome.job is None:
        flash(outcome.message, "error")
    else:
        send_and_flash([outcome.job], outcome.message)
    return redirect(url_for("trials.detail", trial_id=trial_id))


@bp.route("/<int:trial_id>/resend", methods=["POST"])
def resend(trial_id: int):
    jobs = queued_jobs_to_resend(get_session(), trial_id=get_or_404(Trial, trial_id).id)
    if not jobs:
        flash("No queued job to send: the trial's jobs have all been picked up or finished.", "error")
    send_and_flash(jobs, f"Sent {len(jobs)} queued job(s) to the workers again.")
    return redirect(url_for("trials.detail", trial_id=trial_id))


@bp.route("/<int:trial_id>/evaluate", methods=["POST"])
def evaluate(trial_id: int):
    try:
        job = submit_eval(get_session(), get_or_404(Trial, trial_id).id, max_attempts=max_attempts())
    except SubmissionError as exc:
        flash("; ".join(exc.errors.values()).capitalize() + ".", "error")
    else:
        send_and_flash([job], f"Evaluation of trial #{trial_id} is queued.")
    return redirect(url_for("trials.detail", trial_id=trial_id))


@bp.route("/<int:trial_id>/metrics.csv")
def metrics_csv(trial_id: int):
    get_or_404(Trial, trial_id)
    buffer = io.StringIO()
    export_metrics_csv(get_session(), [trial_id], buffer)
    return csv_response(buffer.getvalue(), f"trial-{trial_id}-metrics.csv")

