"""Dashboard: the job queue with live progress, the workers seen recently, the latest trials."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template
from sqlalchemy import select

from db.models import FaqBatch, Trial
from db.queries import dashboard_jobs, list_trials, workers_online
from jobs import batch_visible_to
from webadmin.database import get_session
from webadmin.formatting import describe_job, iso

bp = Blueprint("dashboard", __name__)


def _jobs_payload() -> dict:
    """Queue, workers and labels; the page and its JSON poll share it so they never disagree."""
    session = get_session()
    jobs = dashboard_jobs(session)
    trial_ids = {j.trial_id for j in jobs if j.trial_id}
    batch_ids = {j.batch_id for j in jobs if j.batch_id}
    trial_names = dict(session.execute(select(Trial.id, Trial.name).where(Trial.id.in_(trial_ids))).all())
    batches = session.execute(select(FaqBatch).where(FaqBatch.id.in_(batch_ids))).scalars().all()
    batch_names = {b.id: b.name for b in batches}
    conversations = {b.id: b.conversation_id for b in batches if b.conversation_id}
    # another admin's chat turn is listed (it uses a worker) but not linked: chats are private
    private = frozenset(b.id for b in batches if not batch_visible_to(b, g.user.id))
    return {
        "jobs": [describe_job(job, trial_names, batch_names, private, conversations) for job in jobs],
        "workers": workers_online(session),
        "generated_at": iso(None),
    }


@bp.route("/")
def index():
    payload = _jobs_payload()
    trials = list_trials(get_session(), limit=10)
    return render_template("dashboard/index.html", jobs=payload["jobs"], workers=payload["workers"],
                           trials=trials, poll_ms=current_app.config["DASHBOARD_POLL_MS"])


@bp.route("/dashboard/jobs.json")
def jobs_json():
    return jsonify(_jobs_payload())
