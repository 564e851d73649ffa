"""``hcmqa worker``: start a Celery worker for the gpu and/or cpu queues."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.common import (
    EXIT_OK,
    CommandError,
    command,
    ensure_database,
    settings_of_args,
)


@command
def cmd_worker(args: argparse.Namespace) -> int:
    """Start a Celery worker in this process (blocks until it shuts down)."""
    from jobs import CPU_QUEUE, QUEUES
    from worker.app import create_celery_app

    settings = settings_of_args(args)
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


def add_parser(sub: Any) -> None:
    """``worker`` with its options."""
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
