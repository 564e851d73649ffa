"""The ``hcmqa`` command line.

This module is the library's boundary with the outside world: it alone reads the
``HCMQA_HOME`` environment variable (where prepared models, datasets, gates and runs live;
default: the user's cache directory). Every command turns expected failures (bad input,
unknown models, missing files) into one clear message and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from hcmqa import __version__


def default_home() -> Path:
    env = os.environ.get("HCMQA_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hcmqa"))


class CliError(Exception):
    """An expected failure, shown to the user as one message."""


def _home(args) -> Path:
    return Path(args.home).expanduser() if args.home else default_home()


def latest_dataset(home: Path, name: str = "default") -> Path:
    """The most recently built dataset called ``name`` under ``<home>/datasets``."""
    from hcmqa.data.build import latest_dataset as latest

    return latest(home / "datasets", name)


def _dataset_arg(args, home: Path) -> Path:
    if getattr(args, "dataset", None):
        path = Path(args.dataset)
        if not (path / "manifest.json").is_file():
            raise CliError(f"--dataset {path}: not a built dataset (no manifest.json)")
        return path
    return latest_dataset(home)


def _read_questions(source: str | None) -> list[str]:
    if source in (None, "-"):
        lines = sys.stdin.read().splitlines()
    else:
        path = Path(source)
        if not path.is_file():
            raise CliError(f"{path}: file not found")
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise CliError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    return [line.strip() for line in lines if line.strip()]


# --- models -----------------------------------------------------------------------------


def cmd_models_list(args) -> int:
    from hcmqa.models import REGISTRY, STAMP_FILE, models_dir

    home = _home(args)
    for name, source in sorted(REGISTRY.items()):
        prepared = (models_dir(home) / name / STAMP_FILE).is_file()
        state = "prepared" if prepared else ("hub" if source.kind == "hub" else "not prepared")
        print(f"{name:22s} {state:13s} {source.description}")
    return 0


def cmd_models_prepare(args) -> int:
    from hcmqa.models import prepare_model

    path = prepare_model(args.name, _home(args), force=args.force)
    print(f"model {args.name} ready at {path}")
    return 0


# --- data -------------------------------------------------------------------------------


def cmd_data_build(args) -> int:
    from hcmqa.data.build import DEFAULT_DOCS, DEFAULT_OFFTOPIC, DEFAULT_QA, build_dataset

    home = _home(args)
    result = build_dataset(
        docs_dir=Path(args.docs) if args.docs else DEFAULT_DOCS,
        qa_csv=Path(args.qa) if args.qa else DEFAULT_QA,
        offtopic_csv=None if args.no_offtopic else (Path(args.offtopic) if args.offtopic else DEFAULT_OFFTOPIC),
        out_root=Path(args.out) if args.out else home / "datasets",
        name=args.name,
        max_words=args.max_words,
        unanswerable_csv=Path(args.unanswerable) if args.unanswerable else None,
    )
    m = result.manifest
    state = "unchanged, reused" if result.reused else "built"
    print(f"dataset {m['name']} version {m['version']} {state}: {result.path}")
    print("counts: " + ", ".join(f"{k}={v}" for k, v in m["counts"].items()))
    print("splits: " + ", ".join(f"{k}={v}" for k, v in m["splits"].items()))
    if result.audit is not None:
        print(result.audit.format_text(limit=10))
    if not args.no_retriever:
        from hcmqa.retriever_training import ensure_retriever

        meta = ensure_retriever(result.path, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
        answerability = meta["answerability"]["val"]
        print(
            f"retriever: bi-encoder trained on {meta['train_questions']} train questions; answerability model fitted on "
            f"{answerability['answerable']} answerable and {answerability['unanswerable']} unanswerable val examples "
            f"(cross-validated: answers {answerability['cv_answerable_answered']:.0%} and refuses {answerability['cv_answerable_refused']:.0%} "
            f"of the answerable; answers {answerability['cv_unanswerable_answered']:.0%} of the unanswerable)"
        )
    return 0


def cmd_data_audit(args) -> int:
    import json

    from hcmqa.data.audit import DEFAULT_ALLOW, audit_dataset
    from hcmqa.data.build import DEFAULT_DOCS, DEFAULT_QA

    # The bundled allow-list explains findings in the bundled QA set only.
    allow = None if args.no_allow or (args.qa and not args.allow) else (Path(args.allow) if args.allow else DEFAULT_ALLOW)
    report = audit_dataset(Path(args.docs) if args.docs else DEFAULT_DOCS, Path(args.qa) if args.qa else DEFAULT_QA, allow)
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.format_text(show_allowed=args.all))
    return 0 if report.clean else 1


# --- gate -------------------------------------------------------------------------------


def _gate_dir(args, home: Path) -> Path:
    return Path(args.gate) if getattr(args, "gate", None) else home / "gate"


def _print_gate_report(report) -> None:
    print(f"threshold {report.threshold:.2f}")
    print(f"{'class':10s} {'precision':>9s} {'recall':>7s} {'f1':>7s} {'support':>8s}")
    for label, m in (("related", report.related), ("unrelated", report.unrelated)):
        print(f"{label:10s} {m.precision:9.4f} {m.recall:7.4f} {m.f1:7.4f} {m.support:8d}")


def cmd_gate_train(args) -> int:
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    home = _home(args)
    dataset = _dataset_arg(args, home)
    data = gate_data_from_dataset(dataset)
    gate = GateClassifier.train(data.train_questions, data.train_labels, threshold=args.threshold)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    gate.metadata.update({"dataset": str(dataset), "heldout": report.to_dict() | {"errors": len(report.errors)}})
    out = gate.save(_gate_dir(args, home))
    print(f"gate trained on {len(data.train_questions)} questions from {dataset.name}; saved to {out}")
    _print_gate_report(report)
    return 0


def cmd_gate_eval(args) -> int:
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    home = _home(args)
    gate = GateClassifier.load(_gate_dir(args, home), threshold=args.threshold)
    data = gate_data_from_dataset(_dataset_arg(args, home))
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"held-out questions: {len(data.heldout_questions)}")
        _print_gate_report(report)
        for err in report.errors[: args.show_errors]:
            kind = "missed related" if err["label"] else "false alarm"
            print(f"  {kind:14s} {err['score']:.3f}  {err['question']}")
    return 0


def cmd_gate_classify(args) -> int:
    from hcmqa.gate import GateClassifier

    gate = GateClassifier.load(_gate_dir(args, _home(args)), threshold=args.threshold)
    questions = _read_questions(args.file)
    for decision in gate.classify(questions):
        if args.json:
            print(json.dumps({"question": decision.question, "related": decision.related, "score": decision.score}, ensure_ascii=False))
        else:
            print(f"{'RELATED ' if decision.related else 'OFFTOPIC'} {decision.score:.3f}  {decision.question}")
    return 0


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hcmqa", description="HCM-QA: a topic-gated, grounded question-answering assistant.")
    parser.add_argument("--version", action="version", version=f"hcmqa {__version__}")
    parser.add_argument("--home", help="where models, datasets, gates and runs are kept (default: $HCMQA_HOME or the user cache dir)")
    sub = parser.add_subparsers(dest="command", required=True)

    models = sub.add_parser("models", help="list and prepare base models").add_subparsers(dest="action", required=True)
    p = models.add_parser("list", help="list registry models and whether they are prepared")
    p.set_defaults(func=cmd_models_list)
    p = models.add_parser("prepare", help="convert an embedded model into a safetensors directory (once)")
    p.add_argument("name", nargs="?", default="smollm2-135m")
    p.add_argument("--force", action="store_true", help="convert again even if already prepared")
    p.set_defaults(func=cmd_models_prepare)

    data = sub.add_parser("data", help="build and audit datasets").add_subparsers(dest="action", required=True)
    p = data.add_parser("build", help="validate documents + QA CSV and write a versioned dataset directory")
    p.add_argument("--docs", help="folder of .html/.md/.txt documents (default: the bundled corpus)")
    p.add_argument("--qa", help="QA CSV with question,answer[,key_facts,fact_id,split] (default: the bundled dataset)")
    p.add_argument("--offtopic", help="CSV of off-topic questions for the gate (default: the bundled set)")
    p.add_argument("--no-offtopic", action="store_true", help="build without off-topic questions")
    p.add_argument("--unanswerable", help="CSV of on-topic questions the documents cannot answer (column question); they calibrate when to decline (default: the bundled ones with the bundled QA set, none otherwise)")
    p.add_argument("--out", help="parent folder for datasets (default: <home>/datasets)")
    p.add_argument("--name", default="default", help="dataset name (default: default)")
    p.add_argument("--max-words", type=int, default=90, help="longest passage in words (default: 90)")
    p.add_argument("--no-retriever", action="store_true", help="skip training the bi-encoder and reranker (retrieval falls back to BM25)")
    p.set_defaults(func=cmd_data_build)
    p = data.add_parser("audit", help="check that key facts fit their questions and occur in answers and corpus (exit 1 on findings)")
    p.add_argument("--docs", help="folder of documents (default: the bundled corpus)")
    p.add_argument("--qa", help="QA CSV (default: the bundled dataset)")
    p.add_argument("--allow", help="allow-list CSV check,subject,key,reason (default: the bundled one)")
    p.add_argument("--no-allow", action="store_true", help="report every finding, ignoring the allow-list")
    p.add_argument("--all", action="store_true", help="also list allow-listed findings with their reasons")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_data_audit)

    gate = sub.add_parser("gate", help="train, evaluate and run the topic gate").add_subparsers(dest="action", required=True)
    for name, func, helptext in (
        ("train", cmd_gate_train, "train the gate on a built dataset and report held-out metrics"),
        ("eval", cmd_gate_eval, "precision/recall/F1 of a saved gate on held-out questions"),
        ("classify", cmd_gate_classify, "classify questions, one per line from FILE or stdin"),
    ):
        p = gate.add_parser(name, help=helptext)
        p.add_argument("--gate", help="gate directory (default: <home>/gate)")
        p.add_argument("--threshold", type=float, default=None if name != "train" else 0.5, help="decision threshold on the related score")
        if name != "classify":
            p.add_argument("--dataset", help="built dataset directory (default: the latest 'default' dataset)")
        if name == "eval":
            p.add_argument("--json", action="store_true", help="print the report as JSON")
            p.add_argument("--show-errors", type=int, default=10, help="how many misclassified questions to list")
        if name == "classify":
            p.add_argument("file", nargs="?", help="file with one question per line (default: stdin)")
            p.add_argument("--json", action="store_true", help="one JSON object per line")
        p.set_defaults(func=func)

    from hcmqa import cli_answering

    cli_answering.add_commands(sub)
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


if __name__ == "__main__":
    sys.exit(main())
