"""Compare trials: pick trials and metrics, see overlaid curves and a last/best table."""

from __future__ import annotations

import io

from flask import Blueprint, render_template, request

from db.queries import compare_trials, export_metrics_csv, get_trial, list_trials, metric_names, trial_metrics
from webadmin.charts import comparison_charts
from webadmin.database import get_session
from webadmin.views.common import csv_response

bp = Blueprint("compare", __name__, url_prefix="/compare")

#: Trials overlaid at most (more lines than this are unreadable, and colours repeat).
MAX_COMPARED = 8


def _selected_ids() -> list[int]:
    ids = [int(v) for v in request.args.getlist("ids") if v.strip().isdigit()]
    return list(dict.fromkeys(ids))[:MAX_COMPARED]


@bp.route("/")
def index():
    session = get_session()
    ids = _selected_ids()
    trials = {t.id: t for t in (get_trial(session, i) for i in ids) if t is not None}
    available = sorted({name for i in trials for name in metric_names(session, i)})
    metrics = [m for m in request.args.getlist("metric") if m in available] or available
    per_trial = {i: (t.name, trial_metrics(session, i)) for i, t in trials.items()}
    return render_template(
        "compare/index.html", candidates=list_trials(session, limit=200), selected=list(trials),
        available=available, metrics=metrics, charts=comparison_charts(per_trial, metrics),
        rows=compare_trials(session, list(trials), metrics), max_compared=MAX_COMPARED,
    )


@bp.route("/metrics.csv")
def metrics_csv():
    buffer = io.StringIO()
    export_metrics_csv(get_session(), _selected_ids(), buffer)
    return csv_response(buffer.getvalue(), "compared-metrics.csv")
