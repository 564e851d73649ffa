"""Answer-quality benchmark: four arms on both test splits with the default model on the CPU.

Arms: base closed-book, fine-tuned closed-book, base grounded, fine-tuned grounded. Every
answer is *generated* through the full path (gate, retrieval when grounded, generation) and
scored with key-fact accuracy, token F1, exact match, sacreBLEU and ROUGE-L. The academic
project's teacher-forced BLEU is added in its own, labelled column.

Trains the two fine-tuned arms from the ``cpu-default`` preset unless runs are given:

    .venv/bin/python -m bench.quality.run --out bench/quality/RESULTS.md
    .venv/bin/python -m bench.quality.run --grounded-run R1 --closed-run R2 --limit 100
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import header, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grounded-run", help="a trained grounded trial (default: train cpu-default)")
    parser.add_argument("--closed-run", help="a trained closed-book trial (default: train cpu-default with mode closed_book)")
    parser.add_argument("--limit", type=int, default=0, help="questions per split (0 = all)")
    parser.add_argument("--home", default=os.environ.get("HCMQA_HOME", ".hcmqa"))
    parser.add_argument("--out", default="bench/quality/RESULTS.md")
    args = parser.parse_args()

    from hcmqa.answering import load_assistant
    from hcmqa.config import load_preset
    from hcmqa.data.build import build_dataset
    from hcmqa.data.qa import read_split
    from hcmqa.evaluation import evaluate, teacher_forced_bleu
    from hcmqa.prompts import build_messages, render_prompt
    from hcmqa.training import run_trial

    home = Path(args.home)
    dataset = build_dataset(out_root=home / "datasets").path
    runs = {"grounded": args.grounded_run, "closed_book": args.closed_run}
    train_notes = {}
    for mode, given in runs.items():
        if given:
            continue
        out = home / "runs" / f"bench-{mode}"
        config = load_preset("cpu-default").replace(mode=mode, name=f"bench-{mode}")
        began = time.perf_counter()
        result = run_trial(config, dataset, out, home)
        train_notes[mode] = f"{result.summary['global_step']} steps, {time.perf_counter() - began:.0f} s"
        runs[mode] = str(out)
    splits = {s: read_split(dataset, s) for s in ("test_paraphrase", "test_unseen")}
    if args.limit:
        splits = {k: v[: args.limit] for k, v in splits.items()}
    arms = [("base", "closed_book", None), ("fine-tuned", "closed_book", runs["closed_book"]), ("base", "grounded", None), ("fine-tuned", "grounded", runs["grounded"])]
    rows, details = [], {}
    for model_kind, mode, run in arms:
        assistant = load_assistant(Path(run) if run else None, home, dataset_dir=dataset, mode=mode, batch_size=16)
        for split, pairs in splits.items():
            began = time.perf_counter()
            report = evaluate(assistant, pairs)
            prompts = []
            for p in pairs:
                hits = assistant.retriever.search(p.question, k=assistant.top_k) if mode == "grounded" else []
                prompts.append(render_prompt(assistant.generator.tokenizer, build_messages(p.question, [h.passage for h in hits], mode)))
            academic = teacher_forced_bleu(assistant.generator.model, assistant.generator.tokenizer, prompts, [p.answer for p in pairs])
            a = report.aggregate
            rows.append([f"{model_kind} {mode}", split, a["count"], a["key_fact_accuracy"], a["token_f1"], a["exact_match"], a["bleu"], a["rouge_l"], a["refused"], academic])
            details[f"{model_kind}-{mode}-{split}"] = {"aggregate": a, "academic_teacher_forced_bleu": academic, "bleu_signature": report.bleu_signature, "seconds": time.perf_counter() - began, "rows": report.rows[:20]}
            print(rows[-1], flush=True)
        del assistant
    command = "python -m bench.quality.run " + " ".join(sys.argv[1:])
    text = header("Answer-quality benchmark", command)
    text += f"\nDataset {dataset.name}. Fine-tuned runs: grounded `{runs['grounded']}`, closed-book `{runs['closed_book']}`"
    if train_notes:
        text += " (trained by this command: " + "; ".join(f"{k}: {v}" for k, v in train_notes.items()) + ")"
    text += ".\nGenerated answers, greedy, through the gate. BLEU is sacreBLEU corpus BLEU (0-100); the last column is the academic project's teacher-forced sentence BLEU (0-1), which does not measure generated answers. Target: fine-tuned grounded key-fact accuracy >= 0.85 on both splits.\n\n"
    text += table(["arm", "split", "n", "key-fact acc.", "token F1", "EM", "BLEU", "ROUGE-L", "refused", "academic TF-BLEU"], rows) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(details, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
