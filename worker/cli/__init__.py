"""``hcmqa`` subcommands for the job system: ``worker``, ``submit``, ``jobs``, ``db upgrade``.

:func:`add_commands` plugs them into the ``hcmqa`` parser (entry-point group
``hcmqa.commands``); ``python -m worker`` runs them without it. One module per command
group (:mod:`~worker.cli.start`, :mod:`~worker.cli.submit`, :mod:`~worker.cli.jobs_table`,
:mod:`~worker.cli.migrate`), what they share in :mod:`~worker.cli.common`. Every command
takes the parsed ``args`` and returns an exit status: 0 done, 2 bad input or setup (the
message says what to fix), 3 stored but not sent because the broker is down (nothing lost).
"""

from __future__ import annotations

import argparse
from typing import Any, Optional

from worker.cli import jobs_table, migrate, start, submit


def add_commands(sub: Any) -> None:
    """Add ``worker``, ``submit``, ``jobs`` and ``db`` to the ``hcmqa`` subparsers."""
    for group in (start, submit, jobs_table, migrate):
        group.add_parser(sub)


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
