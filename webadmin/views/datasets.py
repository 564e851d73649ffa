"""Datasets: upload documents + a QA CSV, see the validation report or the resulting splits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from db.models import Dataset, Trial
from webadmin.database import get_session
from webadmin.uploads import UploadRejected, ingest_dataset
from webadmin.views.common import get_or_404

bp = Blueprint("datasets", __name__, url_prefix="/datasets")


def uploads_root() -> Path:
    return Path(current_app.config["HCMQA_HOME"]) / "uploads"


def _list_page(**extra):
    datasets = list(get_session().scalars(select(Dataset).order_by(Dataset.id.desc())))
    return render_template("datasets/index.html", datasets=datasets, **extra)


@bp.route("/")
def index():
    return _list_page()


@bp.route("/", methods=["POST"])
def upload():
    name = request.form.get("name", "")
    try:
        dataset = ingest_dataset(get_session(), uploads_root(), name,
                                 request.files.getlist("documents"), request.files.get("qa_csv"))
    except UploadRejected as exc:
        flash(f"The dataset was not stored: {len(exc.problems)} problem(s) found. Fix them and upload again.", "error")
        return _list_page(problems=exc.problems, name=name), 400
    flash(f"Dataset #{dataset.id} ({dataset.name}) is stored and validated.", "success")
    return redirect(url_for("datasets.detail", dataset_id=dataset.id))


def read_manifest(dataset: Dataset) -> Optional[dict]:
    """The built dataset's manifest.json (inputs and their hashes), or None when it is missing here."""
    path = Path(dataset.path) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def shown_path(path: str) -> str:
    """A server path as an admin may see it: relative to HCMQA_HOME, never the host's full path."""
    home = Path(current_app.config["HCMQA_HOME"]).resolve()
    try:
        return str(Path("HCMQA_HOME") / Path(path).resolve().relative_to(home))
    except ValueError:
        return Path(path).name


@bp.route("/<int:dataset_id>")
def detail(dataset_id: int):
    dataset = get_or_404(Dataset, dataset_id)
    trials = list(get_session().scalars(select(Trial).where(Trial.dataset_id == dataset_id).order_by(Trial.id.desc())))
    return render_template("datasets/detail.html", dataset=dataset, stored_in=shown_path(dataset.path), manifest=read_manifest(dataset), trials=trials)
