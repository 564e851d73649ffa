"""``hcmqa demo`` (``make run``): prepare the model and data, train the gate, answer samples."""

from __future__ import annotations

import argparse

from hcmqa.cli.common import home_of, print_gate_report

def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="prepare data and model, train and evaluate the gate, answer sample questions")
    p.add_argument("--question", action="append", help="a question to answer (repeatable; default: the topic profile's sample questions)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from hcmqa.answering import load_assistant
    from hcmqa.data.build import build_dataset
    from hcmqa.gate import GateClassifier, gate_data_from_dataset
    from hcmqa.models import prepare_model
    from hcmqa.registry import DEFAULT_MODEL

    home = home_of(args)
    print(f"== 1/4 base model ({DEFAULT_MODEL}) under {home.root}")
    print(f"   {prepare_model(DEFAULT_MODEL, home.root)}")
    print("== 2/4 dataset")
    result = build_dataset(out_root=home.datasets_dir)
    print(f"   {result.path}  counts: {result.manifest['counts']}  splits: {result.manifest['splits']}")
    print("== 3/4 topic gate (held-out questions)")
    data = gate_data_from_dataset(result.path)
    gate = GateClassifier.fit(data)
    gate.metadata.update({"dataset": str(result.path)})
    gate.save(home.gate_dir)
    print_gate_report(gate.evaluate(data.heldout_questions, data.heldout_labels))
    print("== 4/4 sample questions: gate, retrieval, base model")
    assistant = load_assistant(None, home.root, dataset_dir=result.path)
    for answer in assistant.answer_batch(args.question or list(assistant.topic.sample_questions)):
        print(f"\nQ: {answer.question}\n   gate: related={answer.related} score={answer.score:.3f}")
        print(f"   A: {answer.answer}")
        for s in answer.sources:
            print(f"      source {s['id']}")
    return 0
