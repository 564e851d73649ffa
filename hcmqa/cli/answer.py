"""``hcmqa ask``, ``chat`` and ``answer``: one question, a conversation, a FAQ list."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from hcmqa.cli.common import add_assistant_args, load_cli_assistant, progress_bar


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer one question")
    add_assistant_args(p)
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="multi-turn chat; follow-up questions are resolved against the conversation")
    add_assistant_args(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("answer", help="answer a FAQ list (CSV with a question column, or one question per line)")
    add_assistant_args(p)
    p.add_argument("--in", dest="infile", required=True, help="input .csv (column 'question') or .txt (one per line)")
    p.add_argument("--out", dest="outfile", required=True, help="output CSV: question,related,answer,path,sources,score,latency_ms")
    p.add_argument("--batch-size", type=int, help="questions generated together (default: 32 with transformers, 256 with openvino)")
    p.add_argument("--dtype", choices=["auto", "float32", "bfloat16"], default="auto",
                   help="weights for generation; auto = bfloat16 where the hardware has it natively (faster, answers may differ slightly from float32)")
    p.set_defaults(func=cmd_answer)


def _sources_text(sources: list[dict]) -> str:
    return "; ".join(s["id"] for s in sources)


def cmd_ask(args) -> int:
    answer = load_cli_assistant(args).ask(args.question)
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
    assistant = load_cli_assistant(args)
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


def cmd_answer(args) -> int:
    from hcmqa.fileio import atomic_open
    from hcmqa.questions import read_questions

    infile, outfile = Path(args.infile), Path(args.outfile)
    questions = read_questions(infile)  # validate before loading any model
    batch_size = args.batch_size if args.batch_size is not None else (32 if args.engine == "transformers" else None)
    assistant = load_cli_assistant(args, batch_size=batch_size, dtype=args.dtype)
    began = time.perf_counter()
    answers = assistant.answer_batch(questions, progress=progress_bar(len(questions)))
    seconds = time.perf_counter() - began
    outfile.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(outfile, newline="", permissions=0o600) as fh:
        writer = csv.writer(fh)
        writer.writerow(["question", "related", "answer", "path", "sources", "score", "latency_ms"])
        for a in answers:
            writer.writerow([a.question, str(a.related).lower(), a.answer, a.path, _sources_text(a.sources), f"{a.score:.4f}", f"{a.latency_ms:.1f}"])
    refused = sum(1 for a in answers if a.refused)
    print(f"{len(answers)} questions answered in {seconds:.1f}s ({len(answers) / max(seconds, 1e-9):.2f} q/s), {refused} refused -> {outfile}", file=sys.stderr)
    return 0
