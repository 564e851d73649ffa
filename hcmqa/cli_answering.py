"""Commands that train and generate: train, eval, ask, chat, answer, and the demo (`make run`)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

SAMPLE_QUESTIONS = [
    "When was Ho Chi Minh born?",
    "Where did Ho Chi Minh read the Declaration of Independence?",
    "What is the best street food in Ho Chi Minh City?",
    "Who won the 2018 football World Cup?",
]


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="run one fine-tuning trial")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config", help="trial config file (.yaml/.yml/.json)")
    src.add_argument("--preset", help="a named preset (cpu-default, falcon-7b-academic)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one config field (repeatable)")
    p.add_argument("--out", required=True, help="run directory (created; an existing one is resumed)")
    p.add_argument("--dataset", help="built dataset directory (default: the latest 'default' dataset)")
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints already in --out")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="evaluate a trial (or the base model) on a questions CSV")
    _add_assistant_args(p)
    p.add_argument("--questions", help="CSV with question, answer[, key_facts] (default: both test splits of the dataset)")
    p.add_argument("--split", action="append", choices=["val", "test_paraphrase", "test_unseen"], help="dataset split(s) to evaluate when --questions is not given")
    p.add_argument("--limit", type=int, default=0, help="evaluate only the first N questions of each split")
    p.add_argument("--out", help="write the JSON report here")
    p.add_argument("--academic-bleu", action="store_true", help="also compute the academic project's teacher-forced BLEU (labelled as such)")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("ask", help="answer one question")
    _add_assistant_args(p)
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="multi-turn chat; follow-up questions are resolved against the conversation")
    _add_assistant_args(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("answer", help="answer a FAQ list (CSV with a question column, or one question per line)")
    _add_assistant_args(p)
    p.add_argument("--in", dest="infile", required=True, help="input .csv (column 'question') or .txt (one per line)")
    p.add_argument("--out", dest="outfile", required=True, help="output CSV: question,related,answer,path,sources,score,latency_ms")
    p.add_argument("--batch-size", type=int, default=32, help="questions generated together (default 32)")
    p.add_argument("--dtype", choices=["auto", "float32", "bfloat16"], default="auto",
                   help="weights for generation; auto = bfloat16 where the hardware has it natively (faster, answers may differ slightly from float32)")
    p.set_defaults(func=cmd_answer)

    p = sub.add_parser("demo", help="prepare data and model, train and evaluate the gate, answer sample questions")
    p.add_argument("--question", action="append", help="a question to answer (repeatable; default: built-in samples)")
    p.set_defaults(func=cmd_demo)


def _add_assistant_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", help="a trained trial's run directory (default: the base model)")
    p.add_argument("--mode", choices=["grounded", "closed_book"], help="answering mode (default: the trial's mode, or grounded)")
    p.add_argument("--base-model", help="base model when no --run is given (default: smollm2-135m)")
    p.add_argument("--dataset", help="built dataset directory for retrieval (default: the trial's, or the latest)")
    p.add_argument("--gate", help="gate directory (default: <home>/gate)")


def _assistant(args, batch_size: int = 16, dtype: str = "float32", dataset_dir: Path | None = None):
    from hcmqa import cli
    from hcmqa.answering import load_assistant
    from hcmqa.models import preferred_inference_dtype

    home = cli._home(args)
    if dtype == "auto":
        dtype = preferred_inference_dtype()
    return load_assistant(
        Path(args.run) if args.run else None,
        home,
        dataset_dir=dataset_dir or (Path(args.dataset) if args.dataset else None),
        gate_dir=Path(args.gate) if args.gate else None,
        mode=args.mode,
        base_model=args.base_model,
        batch_size=batch_size,
        dtype=dtype,
    )


def _sources_text(sources: list[dict]) -> str:
    return "; ".join(s["id"] for s in sources)


# --- train ------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from hcmqa import cli
    from hcmqa.config import ConfigError, TrialConfig, load_preset
    from hcmqa.training import run_trial

    home = cli._home(args)
    if args.config:
        config = TrialConfig.from_file(Path(args.config))
    else:
        config = load_preset(args.preset or "cpu-default")
    overrides = {}
    for item in args.set:
        if "=" not in item:
            raise ConfigError({"--set": f"expected FIELD=VALUE, got {item!r}"})
        key, value = item.split("=", 1)
        overrides[key.strip()] = value
    if overrides:
        config = TrialConfig.from_dict({**config.to_dict(), **overrides})
    dataset = cli._dataset_arg(args, home)
    out = Path(args.out)
    print(f"trial {config.name}: {config.mode}, {config.base_model}, 4-bit={config.load_in_4bit}, dataset {dataset.name} -> {out}")
    started = time.perf_counter()

    def progress(p) -> None:
        line = f"step {p.step}/{p.total_steps}"
        if p.loss is not None:
            line += f" loss {p.loss:.4f}"
        evals = {x.name: x.value for x in p.points if x.split == "val"}
        if evals:
            line += " | " + " ".join(f"{k} {v:.4f}" for k, v in evals.items())
        if p.step:
            eta = (time.perf_counter() - started) / p.step * max(0, p.total_steps - p.step)
            line += f" | eta {eta:.0f}s"
        print(line, flush=True)

    result = run_trial(config, dataset, out, home, progress=progress, resume=not args.no_resume)
    s = result.summary
    print(f"{result.status}: {s.get('global_step')} steps in {s.get('train_seconds', 0):.0f}s, best eval loss {s.get('best_eval_loss')}"
          + (" (stopped early)" if result.stopped_early else ""))
    print(f"adapter: {out / 'adapter'}")
    return 0 if result.status == "succeeded" else 1


# --- eval -------------------------------------------------------------------------------


def cmd_eval(args) -> int:
    from hcmqa import cli
    from hcmqa.data.qa import load_qa_csv, read_split
    from hcmqa.evaluation import evaluate, teacher_forced_bleu

    # Resolved before a model is loaded: a trial whose dataset is gone fails in a second.
    dataset = Path(args.dataset) if args.dataset else _dataset_of(Path(args.run) if args.run else None, cli._home(args))
    assistant = _assistant(args, dataset_dir=dataset)
    if args.questions:
        sets = {Path(args.questions).stem: load_qa_csv(Path(args.questions))}
    else:
        sets = {s: read_split(dataset, s) for s in (args.split or ["test_paraphrase", "test_unseen"])}
    report = {"model": assistant.description, "mode": assistant.mode, "splits": {}}
    for name, pairs in sets.items():
        if args.limit:
            pairs = pairs[: args.limit]
        print(f"evaluating {len(pairs)} questions of {name} with {assistant.description}", file=sys.stderr)
        result = evaluate(assistant, pairs, progress=_bar(len(pairs)))
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


def _dataset_of(run_dir: Path | None, home: Path) -> Path:
    """The dataset a trial was trained on (its manifest's ``dataset.path``); for the base
    model (``run_dir=None``), the latest built dataset under ``home``.

    Scoring a trial on another dataset than its own would mix its test questions with
    questions it may have trained on, so a trial whose dataset is gone is an error, not a
    silent fallback to the latest one.
    """
    from hcmqa.cli import CliError
    from hcmqa.data.build import latest_dataset

    if run_dir is None:
        return latest_dataset(home / "datasets")
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


def _bar(total: int):
    from tqdm import tqdm

    bar = tqdm(total=total, unit="q", file=sys.stderr, disable=total == 0)

    def update(done: int, _total: int) -> None:
        bar.total = max(_total, 1)
        bar.n = done
        bar.refresh()
        if done >= _total:
            bar.close()

    return update


# --- ask / chat / answer ----------------------------------------------------------------


def cmd_ask(args) -> int:
    answer = _assistant(args).ask(args.question)
    if args.json:
        print(json.dumps({k: answer.to_dict()[k] for k in ("question", "related", "answer", "path", "sources", "score", "answerable")}, ensure_ascii=False))
    else:
        _print_answer(answer)
    return 0


def _print_answer(answer) -> None:
    print(answer.answer)
    for i, s in enumerate(answer.sources, start=1):
        print(f"  [{i}] {s['id']}: {s['text'][:100]}...")


def cmd_chat(args) -> int:
    assistant = _assistant(args)
    history = []
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"chatting with {assistant.description}; an empty line or Ctrl-D ends the chat")
    while True:
        try:
            question = input("you> " if interactive else "")
        except EOFError:
            break
        if not question.strip():
            if interactive:
                break
            continue
        answer = assistant.chat_turn(history, question.strip())
        history.append(answer)
        print(("bot> " if interactive else "") + answer.answer)
        if answer.resolved_question != answer.question:
            print(f"     (understood as: {answer.resolved_question})")
        for s in answer.sources:
            print(f"     source: {s['id']}")
    return 0


def read_question_file(path: Path) -> list[str]:
    """Questions from a .csv (column ``question``) or a text file (one per line)."""
    from hcmqa.data.qa import ValidationError, read_csv_rows

    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    if path.suffix.lower() == ".csv":
        data = read_csv_rows(path, ("question",), ("answer", "key_facts", "fact_id", "category", "split"))
        problems = list(data.problems) + [f"{path}:{line}: empty question" for line, row in data.rows if not row.get("question")]
        if problems:
            raise ValidationError(problems)
        questions = [row["question"] for _, row in data.rows]
    else:
        try:
            questions = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
        except UnicodeDecodeError as exc:
            raise ValidationError([f"{path}: not valid UTF-8 (byte {exc.start})"]) from None
    if not questions:
        raise ValidationError([f"{path}: no questions found"])
    return questions


def cmd_answer(args) -> int:
    import os
    import tempfile

    infile, outfile = Path(args.infile), Path(args.outfile)
    questions = read_question_file(infile)  # validate before loading any model
    assistant = _assistant(args, batch_size=args.batch_size, dtype=args.dtype)
    began = time.perf_counter()
    answers = assistant.answer_batch(questions, progress=_bar(len(questions)))
    seconds = time.perf_counter() - began
    outfile.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".answers-", suffix=".csv", dir=outfile.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["question", "related", "answer", "path", "sources", "score", "latency_ms"])
            for a in answers:
                writer.writerow([a.question, str(a.related).lower(), a.answer, a.path, _sources_text(a.sources), f"{a.score:.4f}", f"{a.latency_ms:.1f}"])
        os.replace(tmp, outfile)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    refused = sum(1 for a in answers if a.refused)
    print(f"{len(answers)} questions answered in {seconds:.1f}s ({len(answers) / max(seconds, 1e-9):.2f} q/s), {refused} refused -> {outfile}", file=sys.stderr)
    return 0


# --- demo -------------------------------------------------------------------------------


def cmd_demo(args) -> int:
    from hcmqa import cli
    from hcmqa.answering import load_assistant
    from hcmqa.data.build import build_dataset
    from hcmqa.gate import GateClassifier, gate_data_from_dataset
    from hcmqa.models import DEFAULT_MODEL, prepare_model

    home = cli._home(args)
    print(f"== 1/4 base model ({DEFAULT_MODEL}) under {home}")
    print(f"   {prepare_model(DEFAULT_MODEL, home)}")
    print("== 2/4 dataset")
    result = build_dataset(out_root=home / "datasets")
    print(f"   {result.path}  counts: {result.manifest['counts']}  splits: {result.manifest['splits']}")
    print("== 3/4 topic gate (held-out questions)")
    data = gate_data_from_dataset(result.path)
    gate = GateClassifier.train(data.train_questions, data.train_labels)
    gate.metadata.update({"dataset": str(result.path)})
    gate.save(home / "gate")
    cli._print_gate_report(gate.evaluate(data.heldout_questions, data.heldout_labels))
    print("== 4/4 sample questions: gate, retrieval, base model")
    assistant = load_assistant(None, home, dataset_dir=result.path)
    for answer in assistant.answer_batch(args.question or SAMPLE_QUESTIONS):
        print(f"\nQ: {answer.question}\n   gate: related={answer.related} score={answer.score:.3f}")
        print(f"   A: {answer.answer}")
        for s in answer.sources:
            print(f"      source {s['id']}")
    return 0
