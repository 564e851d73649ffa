"""``hcmqa`` subcommands for the job system: ``worker``, ``submit``, ``jobs``, ``db upgrade``.

:func:`add_commands` plugs them into the ``hcmqa`` parser (entry-point group
``hcmqa.commands``); ``python -m worker`` runs them without it. Every command takes the
parsed ``args`` and returns an exit status: 0 done, 2 bad input or setup (the message says
what to fix), 3 stored but not sent because the broker is down (nothing lost).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_SENT = 3


class CommandError(Exception):
    """An expected failure, shown as one message with exit status 2."""


# --- shared set-up ------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Any:
    from worker.settings import WorkerSettings

    settings = WorkerSettings.from_env()
    home = getattr(args, "home", None)
    return settings.with_home(Path(home).expanduser()) if home else settings


def _session_factory(settings: Any) -> Any:
    from worker.runtime import session_factory_for

    return session_factory_for(settings)


def ensure_database(settings: Any) -> None:
    """Make sure the schema is current: the embedded SQLite file is migrated on the spot;
    a server database must be migrated deliberately (``hcmqa db upgrade``, or the compose
    ``migrate`` service), so a mismatch there is an error."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import current, heads, upgrade
    from worker.runtime import ensure_sqlite_folder

    url = settings.database_url
    shown = make_url(url).render_as_string(hide_password=True)
    ensure_sqlite_folder(url)
    try:
        revision = current(url)
        if revision in heads():
            return
        if make_url(url).get_backend_name() == "sqlite":
            upgrade(url)
            return
    except SQLAlchemyError as exc:
        raise CommandError(
            f"could not use the database at {shown}: {exc.__class__.__name__}: {exc.orig or exc}"
        ) from None
    raise CommandError(
        f"the database at {shown} is at revision {revision or 'none (empty)'}, not "
        f"{', '.join(heads())}; run: hcmqa db upgrade"
    )


def _command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn expected failures into one message and an exit status, the same under any parser."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from hcmqa.config import ConfigError

        from jobs import BrokerUnavailableError, SubmissionError
        from worker.settings import SettingsError

        try:
            return func(args)
        except BrokerUnavailableError as exc:
            print(f"hcmqa: error: {exc}", file=sys.stderr)
            return EXIT_NOT_SENT
        except (CommandError, ConfigError, SubmissionError, SettingsError, FileNotFoundError) as exc:
            print(f"hcmqa: error: {exc}", file=sys.stderr)
            return EXIT_USAGE

    return wrapper


# --- worker -------------------------------------------------------------------------------


@_command
def cmd_worker(args: argparse.Namespace) -> int:
    """Start a Celery worker in this process (blocks until it shuts down)."""
    from jobs import CPU_QUEUE, QUEUES
    from worker.app import create_celery_app

    settings = _settings(args)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = [q for q in queues if q not in QUEUES]
    if not queues or unknown:
        raise CommandError(
            f"--queues: use {', '.join(QUEUES)} or {','.join(QUEUES)} (got {args.queues!r})"
        )
    if args.concurrency < 1:
        raise CommandError(f"--concurrency: must be at least 1, got {args.concurrency}")
    ensure_database(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    beat = args.beat if args.beat is not None else CPU_QUEUE in queues
    argv = [
        "worker",
        "--queues",
        ",".join(queues),
        "--concurrency",
        str(args.concurrency),
        "--hostname",
        args.name or f"hcmqa-{'-'.join(queues)}@%h",
        "--loglevel",
        args.loglevel,
        "--without-gossip",
        "--without-mingle",
    ]
    if args.pool:
        argv += ["--pool", args.pool]
    if beat:
        # One schedule per home; several beats are harmless (the reaper is race-safe).
        argv += ["--beat", "--schedule", str(settings.home / "celerybeat-schedule")]
    app = create_celery_app(settings)
    app.worker_main(argv=argv)
    return EXIT_OK


# --- submit -------------------------------------------------------------------------------


def _parse_set(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--set {item!r}: use FIELD=VALUE, e.g. --set max_steps=20")
        values[key.strip()] = value.strip()
    return values


def _trial_config_dict(args: argparse.Namespace) -> dict[str, Any]:
    from hcmqa.config import TrialConfig, load_preset

    if args.config:
        config = TrialConfig.from_file(Path(args.config))
    else:
        config = load_preset(args.preset or "cpu-default")
    data = {**config.to_dict(), **_parse_set(args.set)}
    if args.name:
        data["name"] = args.name
    return data


def _clients(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from worker.app import create_celery_app

    settings = _settings(args)
    ensure_database(settings)
    return settings, _session_factory(settings), create_celery_app(settings)


@_command
def cmd_submit_trial(args: argparse.Namespace) -> int:
    from hcmqa.config import TrialConfig

    from jobs import ModelPolicy, send_submitted, submit_trial

    config = TrialConfig.from_dict(_trial_config_dict(args))
    settings, factory, app = _clients(args)
    models = ModelPolicy(settings.home, settings.models_root, settings.allow_hub_models)
    with factory() as session:
        trial, job = submit_trial(session, config, models=models, max_attempts=settings.max_attempts)
        trial_id, job_id = trial.id, job.id
        send_submitted(app, session, job, f"trial {trial_id}", retries=settings.send_retries,
                       trial_id=trial_id)
    print(f"trial {trial_id} ({config.name}) queued as job {job_id}")
    return EXIT_OK


def read_questions(path: Path) -> list[str]:
    """Questions from a .txt (one per line) or .csv (column ``question``, else the first)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path}: not valid UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None
    if path.suffix.lower() != ".csv":
        return [line.strip() for line in text.splitlines() if line.strip()]
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "question" in header:
        column = header.index("question")
        rows = rows[1:]
    else:
        column = 0
    return [row[column].strip() for row in rows if len(row) > column and row[column].strip()]


@_command
def cmd_submit_faq(args: argparse.Namespace) -> int:
    from jobs import send_submitted, submit_faq_batch

    questions = read_questions(Path(args.file))
    settings, factory, app = _clients(args)
    with factory() as session:
        batch, job = submit_faq_batch(
            session, args.name or Path(args.file).name, questions, trial_id=args.trial,
            max_attempts=settings.max_attempts,
        )
        batch_id, job_id = batch.id, job.id
        send_submitted(app, session, job, f"FAQ batch {batch_id}", retries=settings.send_retries,
                       batch_id=batch_id)
    model = f"trial {args.trial}" if args.trial is not None else "the base model"
    print(f"FAQ batch {batch_id} ({len(questions)} questions, {model}) queued as job {job_id}")
    return EXIT_OK


@_command
def cmd_submit_eval(args: argparse.Namespace) -> int:
    from jobs import send_submitted, submit_eval

    settings, factory, app = _clients(args)
    with factory() as session:
        job = submit_eval(session, args.trial, splits=args.split, limit=args.limit,
                          max_attempts=settings.max_attempts)
        job_id = job.id
        send_submitted(app, session, job, f"the evaluation of trial {args.trial}",
                       retries=settings.send_retries, trial_id=args.trial)
    print(f"evaluation of trial {args.trial} queued as job {job_id}")
    return EXIT_OK


@_command
def cmd_submit_gate(args: argparse.Namespace) -> int:
    from jobs import send_submitted, submit_gate

    settings, factory, app = _clients(args)
    with factory() as session:
        job = submit_gate(session, dataset=args.dataset, threshold=args.threshold,
                          max_attempts=settings.max_attempts)
        job_id = job.id
        send_submitted(app, session, job, "the gate training", retries=settings.send_retries)
    print(f"gate training queued as job {job_id}")
    return EXIT_OK


# --- jobs ---------------------------------------------------------------------------------


def _duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


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
    where = ""
    if detail.get("total") and "step" in detail:
        where = f"step {detail['step']}/{detail['total']}"
    elif detail.get("total") and "split" in detail:
        where = f"{detail['split']} {detail.get('done', 0)}/{detail['total']}"
    elif detail.get("total") and "done" in detail:
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
        f"{loss_text:>8}  {_duration(eta):>7}  {owner:<10} {note}"
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


@_command
def cmd_jobs(args: argparse.Namespace) -> int:
    """List jobs with progress, or cancel one, or re-send the unsent ones."""
    settings = _settings(args)
    ensure_database(settings)
    factory = _session_factory(settings)
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


# --- db -----------------------------------------------------------------------------------


@_command
def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import current, upgrade
    from worker.runtime import ensure_sqlite_folder

    settings = _settings(args)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    ensure_sqlite_folder(settings.database_url)
    try:
        upgrade(settings.database_url)
        revision = current(settings.database_url)
    except SQLAlchemyError as exc:
        raise CommandError(f"could not migrate the database at {shown}: {exc}") from None
    print(f"database {shown} is at revision {revision}")
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------


def add_commands(sub: Any) -> None:
    """Add ``worker``, ``submit``, ``jobs`` and ``db`` to the ``hcmqa`` subparsers."""
    from jobs.contract import QUEUES

    every_queue = ",".join(QUEUES)
    p = sub.add_parser("worker", help="start a job worker (Celery) for the gpu and/or cpu queues")
    p.add_argument(
        "--queues",
        default=every_queue,
        help=f"queues to serve: {', '.join(QUEUES)} or {every_queue} (default: {every_queue})",
    )
    p.add_argument(
        "--concurrency", type=int, default=1, help="jobs run at once (default 1: one model per GPU)"
    )
    p.add_argument("--name", help="worker node name (default: hcmqa-<queues>@<host>)")
    p.add_argument("--loglevel", default="INFO", help="log level (default INFO)")
    p.add_argument(
        "--pool",
        choices=("prefork", "solo", "threads"),
        help="Celery pool (default prefork: time limits need it)",
    )
    beat = p.add_mutually_exclusive_group()
    beat.add_argument(
        "--beat",
        dest="beat",
        action="store_true",
        default=None,
        help="also run the reaper schedule (default when serving cpu)",
    )
    beat.add_argument(
        "--no-beat", dest="beat", action="store_false", help="do not run the reaper schedule"
    )
    p.set_defaults(func=cmd_worker)

    submit = sub.add_parser(
        "submit", help="queue a trial, an FAQ batch, an evaluation or a gate training"
    ).add_subparsers(dest="submit_what", required=True)
    p = submit.add_parser("trial", help="queue a fine-tuning trial")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--config", help="trial config file (.yaml or .json)")
    source.add_argument(
        "--preset", help="named preset, e.g. cpu-default (the default), falcon-7b-academic"
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="override one config field (repeatable)",
    )
    p.add_argument("--name", help="trial name (overrides the config's)")
    p.set_defaults(func=cmd_submit_trial)

    p = submit.add_parser("faq", help="queue an FAQ batch to answer")
    p.add_argument(
        "--file",
        required=True,
        help="questions: .txt one per line, or .csv with a 'question' column",
    )
    p.add_argument(
        "--trial",
        type=int,
        help="answer with this succeeded trial's model (default: the base model)",
    )
    p.add_argument("--name", help="batch name (default: the file name)")
    p.set_defaults(func=cmd_submit_faq)

    p = submit.add_parser(
        "eval", help="queue an evaluation of a succeeded trial on the test splits"
    )
    p.add_argument("--trial", type=int, required=True, help="trial id")
    p.add_argument(
        "--split",
        action="append",
        help="test split (repeatable; default test_paraphrase and test_unseen)",
    )
    p.add_argument("--limit", type=int, help="first N questions per split (a quick look)")
    p.set_defaults(func=cmd_submit_eval)

    p = submit.add_parser("gate", help="queue a retraining of the topic gate")
    p.add_argument("--dataset", help="built dataset directory (default: the latest)")
    p.add_argument("--threshold", type=float, help="decision threshold (default 0.5)")
    p.set_defaults(func=cmd_submit_gate)

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

    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_action", required=True
    )
    p = db.add_parser("upgrade", help="migrate the database (DATABASE_URL) to the latest schema")
    p.set_defaults(func=cmd_db_upgrade)


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser with only these commands (``python -m worker``)."""
    parser = argparse.ArgumentParser(
        prog="python -m worker", description="HCM-QA job system commands."
    )
    parser.add_argument("--home", help="data folder (default: $HCMQA_HOME or the user cache dir)")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
