"""``hcmqa submit trial|faq|eval|gate``: store a job through the job contract and send it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.common import EXIT_OK, CommandError, clients, command


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


@command
def cmd_submit_trial(args: argparse.Namespace) -> int:
    from hcmqa.config import TrialConfig

    from jobs import ModelPolicy, send_submitted, submit_trial

    config = TrialConfig.from_dict(_trial_config_dict(args))
    settings, factory, app = clients(args)
    models = ModelPolicy(settings.home, settings.models_root, settings.allow_hub_models)
    with factory() as session:
        trial, job = submit_trial(session, config, models=models, max_attempts=settings.max_attempts)
        trial_id, job_id = trial.id, job.id
        send_submitted(app, session, job, f"trial {trial_id}", retries=settings.send_retries,
                       trial_id=trial_id)
    print(f"trial {trial_id} ({config.name}) queued as job {job_id}")
    return EXIT_OK


@command
def cmd_submit_faq(args: argparse.Namespace) -> int:
    from hcmqa.questions import read_questions

    from jobs import send_submitted, submit_faq_batch

    # the batch limit is the job contract's, worded as the web and the API word it
    questions = read_questions(Path(args.file))
    settings, factory, app = clients(args)
    with factory() as session:
        batch, job = submit_faq_batch(
            session, args.name or Path(args.file).name, questions, trial_id=args.trial,
            max_attempts=settings.max_attempts, dataset_id=args.dataset,
        )
        batch_id, job_id = batch.id, job.id
        send_submitted(app, session, job, f"FAQ batch {batch_id}", retries=settings.send_retries,
                       batch_id=batch_id)
    model = f"trial {args.trial}" if args.trial is not None else "the base model"
    if args.dataset is not None:
        model += f" on dataset {args.dataset}"
    print(f"FAQ batch {batch_id} ({len(questions)} questions, {model}) queued as job {job_id}")
    return EXIT_OK


@command
def cmd_submit_eval(args: argparse.Namespace) -> int:
    from jobs import send_submitted, submit_eval

    settings, factory, app = clients(args)
    with factory() as session:
        job = submit_eval(session, args.trial, splits=args.split, limit=args.limit,
                          max_attempts=settings.max_attempts)
        job_id = job.id
        send_submitted(app, session, job, f"the evaluation of trial {args.trial}",
                       retries=settings.send_retries, trial_id=args.trial)
    print(f"evaluation of trial {args.trial} queued as job {job_id}")
    return EXIT_OK


@command
def cmd_submit_gate(args: argparse.Namespace) -> int:
    from jobs import send_submitted, submit_gate

    settings, factory, app = clients(args)
    with factory() as session:
        job = submit_gate(session, dataset=args.dataset, threshold=args.threshold,
                          max_attempts=settings.max_attempts)
        job_id = job.id
        send_submitted(app, session, job, "the gate training", retries=settings.send_retries)
    print(f"gate training queued as job {job_id}")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """``submit`` and its four kinds."""
    from hcmqa.config import DEFAULT_GATE_THRESHOLD

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
    p.add_argument(
        "--dataset",
        type=int,
        help="the base model answers from this ready dataset id (its documents and topic; default: the bundled one)",
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
    p.add_argument(
        "--threshold", type=float, help=f"decision threshold (default {DEFAULT_GATE_THRESHOLD})"
    )
    p.set_defaults(func=cmd_submit_gate)
