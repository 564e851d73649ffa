"""``hcmqa jobs``: the table of queued and running jobs, ``--cancel`` and ``--resend``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from jobs.formatting import duration, training_step
from worker.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    command,
    ensure_database,
    session_factory,
    settings_of_args,
)

#: Job columns shown by ``hcmqa jobs`` (and in its JSON).
_JOB_COLUMNS = (
    "id",
    "kind",
    "status",
    "trial_id",
    "batch_id",
    "worker",
    "attempt",
    "max_attempts",
    "progress",
    "progress_detail",
    "cancel_requested",
    "created_at",
)


def _job_rows(session: Any, show_all: bool, limit: int) -> list[dict[str, Any]]:
    """Active jobs with ETA (db.queries.dashboard_jobs), or the latest ``limit`` of all."""
    from sqlalchemy import select

    from db.models import Job
    from db.queries import dashboard_jobs

    if not show_all:
        return [
            {**{c: getattr(j, c) for c in _JOB_COLUMNS}, "eta_s": j.eta_s, "error": None}
            for j in dashboard_jobs(session)
        ]
    jobs = session.scalars(select(Job).order_by(Job.id.desc()).limit(limit))
    return [
        {**{c: getattr(j, c) for c in _JOB_COLUMNS}, "eta_s": None, "error": j.error} for j in jobs
    ]


_HEADER = (
    f"{'ID':>5}  {'KIND':<8} {'STATUS':<9} TRY  PROGRESS {'WHERE':<18} {'LOSS':>8}  "
    f"{'ETA':>7}  {'FOR':<10} WORKER / ERROR"
)


def _format_job(row: dict[str, Any]) -> str:
    """One line: progress as step/total (training) or answered/total (FAQ), loss, ETA."""
    detail = row["progress_detail"] or {}
    where = training_step(detail) or ""
    if not where and detail.get("total") and "split" in detail:
        where = f"{detail['split']} {detail.get('done', 0)}/{detail['total']}"
    elif not where and detail.get("total") and "done" in detail:
        where = f"{detail['done']}/{detail['total']} answered"
    loss = detail.get("loss")
    loss_text = f"{loss:.4f}" if isinstance(loss, (int, float)) else "-"
    eta = row["eta_s"] if row["eta_s"] is not None else detail.get("eta_s")
    owner = ""
    if row["trial_id"]:
        owner = f"trial {row['trial_id']}"
    elif row["batch_id"]:
        owner = f"batch {row['batch_id']}"
    note = row.get("error") or row["worker"] or ""
    if row["cancel_requested"] and row["status"] == "running":
        note = "cancel requested; " + note
    return (
        f"{row['id']:>5}  {row['kind']:<8} {row['status']:<9} "
        f"{row['attempt']}/{row['max_attempts']}  {row['progress'] * 100:5.1f}%  {where:<18} "
        f"{loss_text:>8}  {duration(eta, compact=True, unknown='-'):>7}  {owner:<10} {note}"
    )


def _cancel_job(factory: Any, job_id: int) -> int:
    from db.jobs import CancelOutcome, request_cancel

    with factory() as session:
        outcome = request_cancel(session, job_id)
    messages = {
        CancelOutcome.cancelled: f"job {job_id} cancelled (it had not started)",
        CancelOutcome.requested: f"job {job_id}: cancel requested; its worker stops at the next step",
        CancelOutcome.not_cancellable: f"job {job_id} has already finished",
        CancelOutcome.not_found: f"job {job_id} does not exist",
    }
    print(messages[outcome])
    done = outcome in (CancelOutcome.cancelled, CancelOutcome.requested)
    return EXIT_OK if done else EXIT_USAGE


def _resend(factory: Any, settings: Any) -> int:
    from worker.app import create_celery_app
    from worker.reaper import resend_unsent

    sent = resend_unsent(factory, create_celery_app(settings))
    listed = f": {', '.join(map(str, sent))}" if sent else ""
    print(f"sent {len(sent)} queued job(s){listed}")
    return EXIT_OK


def _json_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


@command
def cmd_jobs(args: argparse.Namespace) -> int:
    """List jobs with progress, or cancel one, or re-send the unsent ones."""
    settings = settings_of_args(args)
    ensure_database(settings)
    factory = session_factory(settings)
    if args.cancel is not None:
        return _cancel_job(factory, args.cancel)
    if args.resend:
        return _resend(factory, settings)
    with factory() as session:
        rows = _job_rows(session, args.all, args.limit)
    if args.json:
        print(json.dumps(rows, default=_json_value, indent=2))
    elif not rows:
        print("no jobs" if args.all else "no queued or running jobs (use --all for finished ones)")
    else:
        print(_HEADER)
        for row in rows:
            print(_format_job(row))
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """``jobs`` with its options."""
    p = sub.add_parser("jobs", help="list queued and running jobs with progress; cancel or re-send")
    p.add_argument("--all", action="store_true", help="the latest jobs of every status")
    p.add_argument("--limit", type=int, default=30, help="how many jobs with --all (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--cancel",
        type=int,
        metavar="ID",
        help="cancel job ID (a running one stops at its next step)",
    )
    p.add_argument(
        "--resend",
        action="store_true",
        help="send queued jobs the broker never received (e.g. it was down)",
    )
    p.set_defaults(func=cmd_jobs)
