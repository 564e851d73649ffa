"""Commands that generate text: the demo (`make run`) and, later, ask/chat/answer/train/eval."""

from __future__ import annotations

import argparse

SAMPLE_QUESTIONS = [
    "When was Ho Chi Minh born?",
    "Where did Ho Chi Minh read the Declaration of Independence?",
    "What is the best street food in Ho Chi Minh City?",
    "Who won the 2018 football World Cup?",
]


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="prepare data and model, train and evaluate the gate, answer sample questions")
    p.add_argument("--question", action="append", help="a question to answer (repeatable; default: built-in samples)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from hcmqa import cli
    from hcmqa.data.build import build_dataset
    from hcmqa.gate import GateClassifier, gate_data_from_dataset
    from hcmqa.models import DEFAULT_MODEL, load_model, load_tokenizer, prepare_model

    home = cli._home(args)
    print(f"== 1/4 base model ({DEFAULT_MODEL}) under {home}")
    model_dir = prepare_model(DEFAULT_MODEL, home)
    print(f"   {model_dir}")
    print("== 2/4 dataset")
    result = build_dataset(out_root=home / "datasets")
    print(f"   {result.path}  counts: {result.manifest['counts']}  splits: {result.manifest['splits']}")
    print("== 3/4 topic gate")
    data = gate_data_from_dataset(result.path)
    gate = GateClassifier.train(data.train_questions, data.train_labels)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    gate.metadata.update({"dataset": str(result.path)})
    gate.save(home / "gate")
    cli._print_gate_report(report)
    print("== 4/4 sample questions (gate, then the base model closed-book)")
    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir))
    for decision in gate.classify(args.question or SAMPLE_QUESTIONS):
        print(f"\nQ: {decision.question}\n   gate: related={decision.related} score={decision.score:.3f}")
        if not decision.related:
            print("   A: (refused: off topic)")
            continue
        enc = tokenizer.apply_chat_template(
            [{"role": "user", "content": decision.question}], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        out = model.generate(**enc, max_new_tokens=48, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        print("   A: " + tokenizer.decode(out[0][enc["input_ids"].shape[1]:], skip_special_tokens=True).strip())
    return 0
