"""Datasets: upload documents + a QA CSV, follow the worker building them, see the report or splits.

An upload is only checked for what needs no library code and saved; a ``cpu`` worker's ingest
job validates and builds it (``worker.ingest_job``). The dataset's page follows the job and
shows the outcome: the counts and splits, or every problem by file and row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from db.models import Dataset, Job, JobStatus, Trial
from db.queries import dataset_ingest
from hcmqa.home import Home
from jobs import submit_ingest
from webadmin.database import get_session
from webadmin.dataset_uploads import PRONOUNS, SubjectForm, stage_dataset
from webadmin.formatting import progress_text
from webadmin.submissions import max_attempts
from webadmin.uploads import UploadRejected
from webadmin.views.common import get_or_404, send_and_flash

bp = Blueprint("datasets", __name__, url_prefix="/datasets")


def uploads_root() -> Path:
    return Home(Path(current_app.config["HCMQA_HOME"])).uploads_dir


def _list_page(**extra):
    session = get_session()
    datasets = list(session.scalars(select(Dataset).order_by(Dataset.id.desc())))
    states = {d.id: dataset_ingest(session, d).state for d in datasets}
    return render_template("datasets/index.html", datasets=datasets, states=states, pronoun_choices=PRONOUNS, **extra)


@bp.route("/")
def index():
    return _list_page()


@bp.route("/", methods=["POST"])
def upload():
    name = request.form.get("name", "")
    subject = SubjectForm(*(request.form.get(key, "") for key in ("subject", "aliases", "pronouns", "description")))
    try:
        staged = stage_dataset(uploads_root(), name, request.files.getlist("documents"), request.files.get("qa_csv"),
                               request.files.get("topic"), request.files.get("nearmiss"), subject)
    except UploadRejected as exc:
        flash(f"The dataset was not stored: {len(exc.problems)} problem(s) found. Fix them and upload again.", "error")
        return _list_page(problems=exc.problems, name=name, subject=subject), 400
    try:
        dataset, job = submit_ingest(get_session(), staged.name, staging=staged.folder.name,
                                     documents=staged.documents, qa_csv=staged.qa_csv, topic=staged.topic,
                                     nearmiss=staged.nearmiss, max_attempts=max_attempts())
    except BaseException:
        staged.discard()
        raise
    send_and_flash([job], f"Dataset #{dataset.id} ({dataset.name}) is uploaded; a worker is checking and building it.")
    return redirect(url_for("datasets.detail", dataset_id=dataset.id))


def shown_path(path: str) -> str:
    """A server path as an admin may see it: relative to HCMQA_HOME, never the host's full path."""
    if not path:
        return ""
    home = Path(current_app.config["HCMQA_HOME"]).resolve()
    try:
        return str(Path("HCMQA_HOME") / Path(path).resolve().relative_to(home))
    except ValueError:
        return Path(path).name


@bp.route("/<int:dataset_id>")
def detail(dataset_id: int):
    dataset = get_or_404(Dataset, dataset_id)
    session = get_session()
    ingest = dataset_ingest(session, dataset)
    trials = list(session.scalars(select(Trial).where(Trial.dataset_id == dataset_id).order_by(Trial.id.desc())))
    job = ingest.job
    audit = (job.progress_detail or {}).get("audit") if job is not None and job.status == JobStatus.succeeded else None
    return render_template("datasets/detail.html", dataset=dataset, ingest=ingest, resendable=_queued(job), audit=audit,
                           progress=progress_text(job.progress, job.progress_detail) if job else "",
                           stored_in=shown_path(dataset.path), inputs=dataset.inputs, trials=trials)


def _queued(job: Optional[Job]) -> bool:
    """A queued job may never have reached the broker; sending it again is harmless."""
    return job is not None and job.status == JobStatus.queued


@bp.route("/<int:dataset_id>/status.json")
def status_json(dataset_id: int):
    ingest = dataset_ingest(get_session(), get_or_404(Dataset, dataset_id))
    job = ingest.job
    return jsonify(state=ingest.state, status=ingest.state, progress=job.progress if job else 0.0,
                   progress_text=progress_text(job.progress, job.progress_detail) if job else "",
                   problems=ingest.problems)


@bp.route("/<int:dataset_id>/resend", methods=["POST"])
def resend(dataset_id: int):
    """Send an ingest job again that was stored while the broker was down."""
    job = dataset_ingest(get_session(), get_or_404(Dataset, dataset_id)).job
    if job is not None and _queued(job):
        send_and_flash([job], "Sent again; a worker will pick it up.")
    else:
        flash("Nothing to send: the ingest job is not waiting to be sent.", "error")
    return redirect(url_for("datasets.detail", dataset_id=dataset_id))

