"""The ``hcmqa`` command line, one module per command group.

This package is the library's boundary with the outside world: it alone reads the
``HCMQA_HOME`` environment variable (where prepared models, datasets, gates and runs live;
default: the user's cache directory; see :mod:`hcmqa.home`). Every command turns expected
failures (bad input, unknown models, missing files) into one clear message and exit status 2.
What the groups share lives in :mod:`hcmqa.cli.common`.
"""

from __future__ import annotations

import argparse
import sys

from hcmqa import __version__
from hcmqa.cli import answer, data, demo, evaluate, gate, models, topic, train
from hcmqa.cli.common import CliError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hcmqa", description="HCM-QA: a topic-gated, grounded question-answering assistant.")
    parser.add_argument("--version", action="version", version=f"hcmqa {__version__}")
    parser.add_argument("--home", help="where models, datasets, gates and runs are kept (default: $HCMQA_HOME or the user cache dir)")
    sub = parser.add_subparsers(dest="command", required=True)
    # The order of `hcmqa --help`.
    for group in (models, data, topic, gate, train, evaluate, answer, demo):
        group.add_commands(sub)
    _add_plugin_commands(sub)
    return parser


def _add_plugin_commands(sub) -> None:
    """Commands contributed by other installed packages (the job queue adds ``worker``,
    ``submit``, ``jobs`` and ``db``) through the ``hcmqa.commands`` entry-point group, so this
    library never imports them itself."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="hcmqa.commands"):
        try:
            entry.load()(sub)
        except ImportError as exc:  # an optional part that is not installed
            print(f"hcmqa: note: commands from {entry.value} unavailable ({exc})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from hcmqa.data.documents import DocumentError
    from hcmqa.data.qa import ValidationError
    from hcmqa.models import UnknownModelError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, ValidationError, DocumentError, UnknownModelError, FileNotFoundError, ValueError) as exc:
        print(f"hcmqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hcmqa: interrupted", file=sys.stderr)
        return 130
