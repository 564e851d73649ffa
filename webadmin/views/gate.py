"""The topic gate: retrain it on a ready dataset with a chosen decision threshold, see its reports.

The gate is trained by a cpu worker (``jobs.submit_gate``); its held-out report comes back in
the job's progress detail, so this page reads only the database.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from db.models import Dataset, DatasetStatus, Job, JobKind
from db.queries import ready_datasets
from hcmqa.config import DEFAULT_GATE_THRESHOLD
from jobs import SubmissionError, submit_gate
from webadmin.database import get_session
from webadmin.submissions import max_attempts
from webadmin.views.common import send_and_flash

bp = Blueprint("gate", __name__, url_prefix="/gate")

#: Gate jobs listed on the page, newest first.
RECENT_JOBS = 20


def _page(**extra: Any):
    session = get_session()
    stmt = select(Job).where(Job.kind == JobKind.gate).order_by(Job.id.desc()).limit(RECENT_JOBS)
    return render_template("gate/index.html", jobs=list(session.scalars(stmt)), datasets=ready_datasets(session),
                           default_threshold=DEFAULT_GATE_THRESHOLD, **extra)


@bp.route("/")
def index():
    return _page()


def _threshold(raw: str, problems: list[str]) -> Optional[float]:
    if not raw:
        return DEFAULT_GATE_THRESHOLD
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.0 < value < 1.0:
        problems.append(f"threshold: {raw[:40]!r} is not a number between 0 and 1 (exclusive)")
        return None
    return value


def _dataset(raw: str, problems: list[str]) -> Optional[Dataset]:
    """'' is the latest bundled default dataset; otherwise a ready dataset's id."""
    if not raw:
        return None
    dataset = get_session().get(Dataset, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if dataset is None or dataset.status is not DatasetStatus.ready:
        problems.append("dataset_id: choose a ready dataset or the bundled default")
    return dataset


@bp.route("/", methods=["POST"])
def retrain():
    raw_threshold = request.form.get("threshold", "").strip()
    raw_dataset = request.form.get("dataset_id", "").strip()
    problems: list[str] = []
    threshold = _threshold(raw_threshold, problems)
    dataset = _dataset(raw_dataset, problems)
    if not problems:
        try:
            job = submit_gate(get_session(), max_attempts=max_attempts(),
                              dataset=dataset.path if dataset else None, threshold=threshold)
        except SubmissionError as exc:
            problems.extend(f"{field}: {message}" for field, message in exc.errors.items())
    if problems:
        flash(f"The gate was not queued: {len(problems)} problem(s) found.", "error")
        return _page(problems=problems, threshold=raw_threshold, dataset_id=raw_dataset), 400
    send_and_flash([job], f"Gate retraining #{job.id} is queued (threshold {threshold:g}).")
    return redirect(url_for("gate.index"))
