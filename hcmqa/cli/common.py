"""What the command groups share: the data folder, the ``--dataset``/``--gate``/``--run``
arguments, question lists, the assistant and progress output.

``home_of`` is where the command line reads ``HCMQA_HOME``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hcmqa.config import ENGINES
from hcmqa.home import Home


class CliError(Exception):
    """An expected failure, shown to the user as one message."""


def home_of(args) -> Home:
    """``--home``, else ``$HCMQA_HOME``, else the user cache directory."""
    return Home(Path(args.home).expanduser()) if args.home else Home.from_env(os.environ)


def dataset_arg(args, home: Home) -> Path:
    """``--dataset`` (checked to be a built dataset), else the latest 'default' dataset."""
    if getattr(args, "dataset", None):
        path = Path(args.dataset)
        if not (path / "manifest.json").is_file():
            raise CliError(f"--dataset {path}: not a built dataset (no manifest.json)")
        return path
    return home.latest_dataset()


def gate_dir_arg(args, home: Home, dataset: Path | None = None) -> Path:
    """``--gate``, else the gate of ``dataset``'s topic (the home's for the bundled topic)."""
    from hcmqa.gate import gate_dir_for

    return Path(args.gate) if getattr(args, "gate", None) else gate_dir_for(home.root, dataset)


def read_question_source(source: str | None) -> list[str]:
    """Questions from the file ``source``, or one per line from stdin (``None`` or ``-``);
    the rules of :mod:`hcmqa.questions`."""
    from hcmqa.questions import parse_questions, read_questions

    if source in (None, "-"):
        return parse_questions(sys.stdin.buffer.read(), "<stdin>")
    return read_questions(Path(source))


def print_gate_report(report) -> None:
    print(f"threshold {report.threshold:.2f}")
    print(f"{'class':10s} {'precision':>9s} {'recall':>7s} {'f1':>7s} {'support':>8s}")
    for label, m in (("related", report.related), ("unrelated", report.unrelated)):
        print(f"{label:10s} {m.precision:9.4f} {m.recall:7.4f} {m.f1:7.4f} {m.support:8d}")


def add_assistant_args(p: argparse.ArgumentParser) -> None:
    """The options of every command that answers: which model, mode, dataset and gate."""
    p.add_argument("--run", help="a trained trial's run directory (default: the base model)")
    p.add_argument("--mode", choices=["grounded", "closed_book"], help="answering mode (default: the trial's mode, or grounded)")
    p.add_argument("--base-model", help="base model when no --run is given (default: smollm2-135m)")
    p.add_argument("--dataset", help="built dataset directory for retrieval (default: the trial's, or the latest)")
    p.add_argument("--gate", help="gate directory (default: <home>/gate for the bundled topic, <dataset>/gate for another)")
    p.add_argument("--engine", choices=ENGINES, default="transformers",
                   help="what generates: transformers, or OpenVINO GenAI (faster on a CPU; the model is exported on first use, "
                        "which needs 'make install-openvino'; see hcmqa.ov_engine)")


def load_cli_assistant(args, batch_size: int | None = None, dtype: str = "auto", dataset_dir: Path | None = None):
    """The assistant the options of :func:`add_assistant_args` describe."""
    from hcmqa.answering import load_assistant

    return load_assistant(
        Path(args.run) if args.run else None,
        home_of(args).root,
        dataset_dir=dataset_dir or (Path(args.dataset) if args.dataset else None),
        gate_dir=Path(args.gate) if args.gate else None,
        mode=args.mode,
        base_model=args.base_model,
        # transformers pads a batch to its longest prompt, so it takes a few at a time; OpenVINO
        # schedules any number together (load_assistant's default)
        batch_size=batch_size if batch_size is not None else (16 if args.engine == "transformers" else None),
        dtype=dtype,
        engine=args.engine,
    )


def progress_bar(total: int):
    """A ``progress(done, total)`` callback drawing a bar on stderr."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="q", file=sys.stderr, disable=total == 0)

    def update(done: int, _total: int) -> None:
        bar.total = max(_total, 1)
        bar.n = done
        bar.refresh()
        if done >= _total:
            bar.close()

    return update
