"""Answer-quality benchmark: four arms on both test splits with the default model on the CPU.

Arms: base closed-book, fine-tuned closed-book, base grounded, fine-tuned grounded. Every
answer is *generated* through the full path (gate, retrieval when grounded, generation) and
scored with key-fact accuracy, token F1, exact match, sacreBLEU and ROUGE-L. The academic
project's teacher-forced BLEU is added in its own, labelled column.

Trains the two fine-tuned arms from the ``cpu-default`` preset unless runs are given:

    .venv/bin/python -m bench.quality.run --out bench/quality/RESULTS.md
    .venv/bin/python -m bench.quality.run --grounded-run R1 --closed-run R2 --limit 100
    .venv/bin/python -m bench.quality.run --topic marie-curie --arms base-grounded,fine-tuned-grounded --out bench/quality/RESULTS-marie-curie.md

``--topic`` runs the same table for another topic pack: its test splits, its ``web_style.csv``
and held-out ``unanswerable.csv`` when it has them.
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
    parser.add_argument("--academic-bleu", action="store_true", help="add the academic project's teacher-forced BLEU column (one forward pass per question)")
    parser.add_argument("--topic", help="a topic pack (a folder, or the name of a bundled one under hcmqa/resources/topics): the same table for its questions,"
                        " its web-style.csv and held-out unanswerable.csv when it has them (default: the bundled topic)")
    parser.add_argument("--arms", default="base-closed_book,fine-tuned-closed_book,base-grounded,fine-tuned-grounded", help="comma-separated arms to run; fine-tuned-grounded-bf16 adds the fine-tuned grounded arm generating in bfloat16,"
                        " fine-tuned-grounded-openvino the same arm generating through OpenVINO (bfloat16 where the CPU has it, as --dtype auto)")
    args = parser.parse_args()

    from hcmqa.answering import load_assistant
    from hcmqa.config import load_preset
    from hcmqa.data.build import build_dataset
    from hcmqa.data.qa import load_qa_csv, read_split
    import csv

    from hcmqa.evaluation import evaluate, evaluate_declines, teacher_forced_bleu
    from hcmqa.training import run_trial

    home = Path(args.home)
    root = Path(__file__).resolve().parents[2]
    if args.topic:
        from hcmqa.data.build import TOPICS_DIR, build_pack

        pack = Path(args.topic) if Path(args.topic).is_dir() else TOPICS_DIR / args.topic
        dataset = build_pack(pack, home / "datasets").path
        web_style = pack / "web_style.csv"
        held_out = pack / "unanswerable.csv"
    else:
        dataset = build_dataset(out_root=home / "datasets").path
        web_style = Path(__file__).resolve().parent / "web_style.csv"
        held_out = root / "hcmqa/resources/qa/unanswerable.csv"
    from hcmqa.retriever_training import ensure_retriever

    ensure_retriever(dataset, progress=lambda m: print(m, file=sys.stderr, flush=True))
    runs = {"grounded": args.grounded_run, "closed_book": args.closed_run}
    wanted = args.arms.split(",")
    train_notes = {}
    for mode, given in runs.items():
        if given or not any(arm.startswith(f"fine-tuned-{mode}") for arm in wanted):
            continue
        out = home / "runs" / f"bench-{dataset.name.rsplit('-', 1)[0]}-{mode}"
        config = load_preset("cpu-default").replace(mode=mode, name=f"bench-{mode}")
        began = time.perf_counter()
        result = run_trial(config, dataset, out, home)
        train_notes[mode] = f"{result.summary['global_step']} steps, {time.perf_counter() - began:.0f} s"
        runs[mode] = str(out)
    splits = {s: read_split(dataset, s) for s in ("test_paraphrase", "test_unseen")}
    # questions phrased as people on the web ask them (search queries, trivia, homework), with
    # key facts: a check that answers do not depend on our own QA set's wording
    if web_style.is_file():
        splits["web_style"] = load_qa_csv(web_style, require_key_facts=True)
    if args.limit:
        splits = {k: v[: args.limit] for k, v in splits.items()}
    arms = [(kind, mode, runs[mode] if kind == "fine-tuned" else None, "float32", "transformers") for kind, mode in (("base", "closed_book"), ("fine-tuned", "closed_book"), ("base", "grounded"), ("fine-tuned", "grounded")) if f"{kind}-{mode}" in wanted]
    # the same fine-tuned grounded arm generating in bfloat16 (`hcmqa answer --dtype auto` on CPUs that have it)
    if "fine-tuned-grounded-bf16" in wanted:
        arms.append(("fine-tuned", "grounded", runs["grounded"], "bfloat16", "transformers"))
    # and through OpenVINO (`hcmqa answer --engine openvino`)
    if "fine-tuned-grounded-openvino" in wanted:
        from hcmqa.models import resolve_compute_dtype

        arms.append(("fine-tuned", "grounded", runs["grounded"], resolve_compute_dtype("auto"), "openvino"))
    unanswerable = [row["question"] for row in csv.DictReader(open(held_out, encoding="utf-8"))] if held_out.is_file() else []
    rows, decline_rows, details = [], [], {}
    for model_kind, mode, run, dtype, engine in arms:
        assistant = load_assistant(Path(run) if run else None, home, dataset_dir=dataset, mode=mode, batch_size=16 if engine == "transformers" else None, dtype=dtype, engine=engine)
        if engine != "transformers":
            mode = f"{mode} ({dtype}, OpenVINO)"
        elif dtype != "float32":
            mode = f"{mode} ({dtype})"
        for split, pairs in splits.items():
            report = evaluate(assistant, pairs)
            academic = ""
            if args.academic_bleu and engine == "transformers":
                contexts = assistant.contexts([p.question for p in pairs]) if mode == "grounded" else [None] * len(pairs)
                prompts = [assistant.prompt(p.question, c) for p, c in zip(pairs, contexts)]
                academic = teacher_forced_bleu(assistant.generator.model, assistant.generator.tokenizer, prompts, [p.answer for p in pairs])
            a = report.aggregate
            paths = a["paths"]
            rows.append([f"{model_kind} {mode}", split, a["count"], a["key_fact_accuracy"], a["token_f1"], a["exact_match"], a["bleu"], a["rouge_l"],
                         paths["generated"], paths["extracted"] - a["closest"], a["closest"], paths["refused_off_topic"] + paths["refused_no_source"], a["unsupported_answers"], a["questions_per_second"], academic])
            details[f"{model_kind}-{mode}-{split}"] = {"aggregate": a, "academic_teacher_forced_bleu": academic, "bleu_signature": report.bleu_signature, "rows": report.rows}
            print(rows[-1], flush=True)
        if unanswerable:
            declines = evaluate_declines(assistant, unanswerable)
            closest = round(declines["closest"] * declines["count"])
            decline_rows.append([f"{model_kind} {mode}", declines["count"], declines["declined"], declines["refused"], declines["paths"].get("generated", 0), declines["paths"].get("extracted", 0) - closest, closest, declines["paths"].get("refused_no_source", 0), declines["paths"].get("refused_off_topic", 0)])
            details[f"{model_kind}-{mode}-unanswerable"] = declines
            print(decline_rows[-1], flush=True)
        del assistant
    command = "python -m bench.quality.run " + " ".join(sys.argv[1:])
    text = header("Answer-quality benchmark", command)
    text += f"\nDataset {dataset.name} ({json.loads((dataset / 'manifest.json').read_text())['topic']['description']}). Fine-tuned runs: grounded `{runs['grounded']}`, closed-book `{runs['closed_book']}`"
    if train_notes:
        text += " (trained by this command: " + "; ".join(f"{k}: {v}" for k, v in train_notes.items()) + ")"
    text += (
        ".\nAnswers through the full path, greedy: gate, retrieval, focused context, generation, faithfulness guard."
        " BLEU is sacreBLEU corpus BLEU (0-100). `generated` / `quoted` / `closest` / `refused` are the shares of answers each path produced"
        " (`quoted` and `closest` are both the `extracted` path: the quoted source sentences alone, or introduced by \"I could not find a direct answer"
        " ... The closest they come:\" when the answerability model judged the question unlikely to be answered by the sources);"
        " `unsupported` counts final answers that state a number or name found in none of their sources, their texts and section titles (closed-book answers have no sources);"
        " `q/s` is questions per second through the whole path. The last column, when filled, is the academic project's teacher-forced"
        " sentence BLEU (0-1), which does not measure generated answers. Targets: fine-tuned grounded key-fact accuracy >= 0.90 (paraphrase)"
        " and >= 0.85 (unseen), 0 unsupported.\n\n"
    )
    text += table(["arm", "split", "n", "key-fact acc.", "token F1", "EM", "BLEU", "ROUGE-L", "generated", "quoted", "closest", "refused", "unsupported", "q/s", "academic TF-BLEU"], rows) + "\n"
    if decline_rows:
        text += (f"\nOn-topic questions the corpus cannot answer (`{held_out.relative_to(root) if held_out.is_relative_to(root) else held_out}`, held out: the answerability model is fitted on"
                 " `unanswerable-dev.csv` and the val split); target: >= 0.90 declined (refused, or an answer saying the sources do not cover it)."
                 " `refused` counts refusals alone; `closest` answers say the sources do not answer directly and quote the closest they come.\n\n")
        text += table(["arm", "n", "declined", "refused", "generated", "quoted", "closest", "refused: no source", "refused: off topic"], decline_rows) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(details, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
