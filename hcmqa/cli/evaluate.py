"""``hcmqa eval``: score a trial (or the base model) on generated answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hcmqa.cli.common import CliError, add_assistant_args, home_of, load_cli_assistant, progress_bar
from hcmqa.home import Home


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a trial (or the base model) on a questions CSV")
    add_assistant_args(p)
    p.add_argument("--questions", help="CSV with question, answer[, key_facts] (default: both test splits of the dataset)")
    p.add_argument("--split", action="append", choices=["val", "test_paraphrase", "test_unseen"], help="dataset split(s) to evaluate when --questions is not given")
    p.add_argument("--limit", type=int, default=0, help="evaluate only the first N questions of each split")
    p.add_argument("--out", help="write the JSON report here")
    p.add_argument("--academic-bleu", action="store_true", help="also compute the academic project's teacher-forced BLEU (labelled as such)")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args) -> int:
    from hcmqa.data.qa import load_qa_csv, read_split
    from hcmqa.evaluation import evaluate, teacher_forced_bleu

    # Resolved before a model is loaded: a trial whose dataset is gone fails in a second.
    dataset = Path(args.dataset) if args.dataset else dataset_of(Path(args.run) if args.run else None, home_of(args))
    if args.academic_bleu and args.engine != "transformers":
        raise CliError("--academic-bleu scores the model teacher-forced, which needs --engine transformers")
    assistant = load_cli_assistant(args, dataset_dir=dataset)
    if args.questions:
        sets = {Path(args.questions).stem: load_qa_csv(Path(args.questions))}
    else:
        sets = {s: read_split(dataset, s) for s in (args.split or ["test_paraphrase", "test_unseen"])}
    report = {"model": assistant.description, "mode": assistant.mode, "splits": {}}
    for name, pairs in sets.items():
        if args.limit:
            pairs = pairs[: args.limit]
        print(f"evaluating {len(pairs)} questions of {name} with {assistant.description}", file=sys.stderr)
        result = evaluate(assistant, pairs, progress=progress_bar(len(pairs)))
        entry = {"aggregate": result.aggregate, "bleu_signature": result.bleu_signature, "rows": result.rows}
        if args.academic_bleu:
            contexts = assistant.contexts([p.question for p in pairs]) if assistant.mode == "grounded" else [None] * len(pairs)
            prompts = [assistant.prompt(p.question, c) for p, c in zip(pairs, contexts)]
            entry["academic_teacher_forced_bleu"] = teacher_forced_bleu(assistant.generator.model, assistant.generator.tokenizer, prompts, [p.answer for p in pairs])
        report["splits"][name] = entry
        agg = result.aggregate
        kfa = agg["key_fact_accuracy"]
        print(f"{name:16s} n={agg['count']:4d} EM {agg['exact_match']:.3f}  F1 {agg['token_f1']:.3f}  key-facts {kfa if kfa is None else f'{kfa:.3f}'}  BLEU {agg['bleu']:.1f}  ROUGE-L {agg['rouge_l']:.3f}  refused {agg['refused']}  extracted {agg['paths']['extracted']:.2f} (closest {agg['closest']:.2f})  unsupported {agg['unsupported_answers']}")
    # top-level aggregate keys for the first (or only) question set
    first = next(iter(report["splits"].values()))
    report.update({k: first["aggregate"][k] for k in ("exact_match", "token_f1", "key_fact_accuracy", "bleu", "rouge_l")})
    report["rows"] = first["rows"]
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"report written to {args.out}", file=sys.stderr)
    return 0


def dataset_of(run_dir: Path | None, home: Home) -> Path:
    """The dataset a trial was trained on (its manifest's ``dataset.path``); for the base
    model (``run_dir=None``), the latest built dataset under ``home``.

    Scoring a trial on another dataset than its own would mix its test questions with
    questions it may have trained on, so a trial whose dataset is gone is an error, not a
    silent fallback to the latest one.
    """
    if run_dir is None:
        return home.latest_dataset()
    manifest_path = run_dir / "manifest.json"
    if not manifest_path.is_file():
        raise CliError(f"--run {run_dir}: not a trial run directory (no manifest.json); train one with 'hcmqa train'")
    try:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["dataset"]["path"]
    except (ValueError, KeyError, TypeError):
        raise CliError(f"{manifest_path}: records no dataset path (dataset.path); pass --dataset DIR to choose one") from None
    dataset = Path(recorded)
    if not (dataset / "manifest.json").is_file():
        raise CliError(
            f"--run {run_dir}: the trial's dataset {dataset} no longer exists (or is not a built dataset); "
            "rebuild it there with 'hcmqa data build', or pass --dataset DIR to evaluate on another one"
        )
    return dataset
