"""``hcmqa gate``: train, evaluate and run the topic gate."""

from __future__ import annotations

import argparse
import json

from hcmqa.cli.common import dataset_arg, gate_dir_arg, home_of, print_gate_report, read_question_source
from hcmqa.config import DEFAULT_GATE_THRESHOLD


def add_commands(sub: argparse._SubParsersAction) -> None:
    gate = sub.add_parser("gate", help="train, evaluate and run the topic gate").add_subparsers(dest="action", required=True)
    for name, func, helptext in (
        ("train", cmd_gate_train, "train the gate on a built dataset and report held-out metrics"),
        ("eval", cmd_gate_eval, "precision/recall/F1 of a saved gate on held-out questions"),
        ("classify", cmd_gate_classify, "classify questions, one per line from FILE or stdin"),
    ):
        p = gate.add_parser(name, help=helptext)
        p.add_argument("--gate", help="gate directory (default: <home>/gate for the bundled topic, <dataset>/gate for another)")
        # Only training sets a threshold; a saved gate keeps its own unless one is given.
        p.add_argument("--threshold", type=float, default=None if name != "train" else DEFAULT_GATE_THRESHOLD, help="decision threshold on the related score")
        if name != "classify":
            p.add_argument("--dataset", help="built dataset directory (default: the latest 'default' dataset)")
        if name == "eval":
            p.add_argument("--json", action="store_true", help="print the report as JSON")
            p.add_argument("--show-errors", type=int, default=10, help="how many misclassified questions to list")
        if name == "classify":
            p.add_argument("file", nargs="?", help="file with one question per line (default: stdin)")
            p.add_argument("--json", action="store_true", help="one JSON object per line")
        p.set_defaults(func=func)


def cmd_gate_train(args) -> int:
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    home = home_of(args)
    dataset = dataset_arg(args, home)
    data = gate_data_from_dataset(dataset)
    gate = GateClassifier.fit(data, threshold=args.threshold)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    gate.metadata.update({"dataset": str(dataset), "heldout": report.to_dict() | {"errors": len(report.errors)}})
    out = gate.save(gate_dir_arg(args, home, dataset))
    print(f"gate trained on {len(data.train_questions)} questions from {dataset.name}; saved to {out}")
    print_gate_report(report)
    return 0


def cmd_gate_eval(args) -> int:
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    home = home_of(args)
    dataset = dataset_arg(args, home)
    gate = GateClassifier.load(gate_dir_arg(args, home, dataset), threshold=args.threshold)
    data = gate_data_from_dataset(dataset)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"held-out questions: {len(data.heldout_questions)}")
        print_gate_report(report)
        for err in report.errors[: args.show_errors]:
            kind = "missed related" if err["label"] else "false alarm"
            print(f"  {kind:14s} {err['score']:.3f}  {err['question']}")
    return 0


def cmd_gate_classify(args) -> int:
    from hcmqa.gate import GateClassifier

    gate = GateClassifier.load(gate_dir_arg(args, home_of(args)), threshold=args.threshold)
    questions = read_question_source(args.file)
    for decision in gate.classify(questions):
        if args.json:
            print(json.dumps({"question": decision.question, "related": decision.related, "score": decision.score, "by_name": decision.by_name, "by_subject": decision.by_subject, "by_term": decision.by_term}, ensure_ascii=False))
        else:
            print(f"{'RELATED ' if decision.related else 'OFFTOPIC'} {decision.score:.3f}  {decision.question}" + _let_through(decision))
    return 0


def _let_through(decision) -> str:
    """Why a question the model scored under the threshold was let through, if it was."""
    if decision.by_name:
        return "  (asks about one of the topic's own names, or uses a rare one)"
    if decision.by_term:
        return "  (uses one of the topic's rare terms)"
    return "  (names the subject)" if decision.by_subject else ""
