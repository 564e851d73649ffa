"""Retrieval benchmark: recall@1/3/5 per split for each retrieval stage, BM25 as the baseline.

recall@k is the share of questions whose top-k passages *together* hold every key fact of the
question (case and diacritics ignored). Stages:

- ``bm25``: Okapi BM25 over section + text, the query as asked (the old retriever);
- ``bm25+norm``: the same with the subject's names dropped from the query;
- ``dense (stock)``: the bi-encoder's base encoder as shipped (all-mpnet-base-v2 by default), normalised query;
- ``dense (fine-tuned)``: the dataset's bi-encoder, fine-tuned on the train split;
- ``hybrid``: both scores scaled per query and mixed with the val-chosen BM25 weight (the product);
- ``rrf``: reciprocal rank fusion of the same two rankings, for comparison.

More columns for the product: ``focus@3``, the share whose 3 focused sentences (of the top 3
passages) hold every key fact; ``quote@2``, the share whose 2 best sentences (what an answer
quotes as its evidence) hold them; ``answered`` / ``closest`` / ``refused``, what the
answerability model decides for them (answer; say the sources do not answer directly and
quote the closest they come; refuse); ``quoted`` and ``quoted n``, the share whose quoted
sentences hold every key fact and how many sentences are quoted on average, with the default
trial's quoting (``quote_sentences``, or ``closest_sentences`` where the sources only come
close, and one more within ``quote_tie_margin``). The same decisions on the held-out unanswerable set
(``hcmqa/resources/qa/unanswerable.csv``) are the product's declines apart from the gate's:
they are taken before anything is generated. ``q/s`` is the product stage's retrieval,
focus and answerability speed. The ``web_style`` rows are questions worded as people on the
web ask them (``bench/quality/web_style.csv``), never trained on.

    .venv/bin/python -m bench.retrieval.run --out bench/retrieval/RESULTS.md
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import header, table  # noqa: E402

SPLITS = ("train", "val", "test_paraphrase", "test_unseen")
KS = (1, 3, 5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=os.environ.get("HCMQA_HOME", ".hcmqa"))
    parser.add_argument("--dataset", help="a built dataset directory (default: build the bundled one, training its retriever)")
    parser.add_argument("--topic", help="a topic pack (a folder, or the name of a bundled one): its dataset (unless --dataset), its web_style.csv and held-out unanswerable.csv when it has them")
    parser.add_argument("--out", default="bench/retrieval/RESULTS.md")
    args = parser.parse_args()

    import numpy as np

    from hcmqa.answering import quoted_sentences
    from hcmqa.config import TrialConfig
    from hcmqa.data.build import build_dataset
    from hcmqa.data.qa import load_qa_csv, read_split
    from hcmqa.retrieval import DenseIndex, Retriever, focused_context, normalise_query, rrf
    from hcmqa.encoders import encoder_dir
    from hcmqa.retriever_training import ensure_retriever
    from hcmqa.text import contains_fact, fold

    home = Path(args.home)
    root = Path(__file__).resolve().parents[2]
    if args.topic:
        from hcmqa.data.build import TOPICS_DIR, build_pack

        pack = Path(args.topic) if Path(args.topic).is_dir() else TOPICS_DIR / args.topic
        dataset = Path(args.dataset) if args.dataset else build_pack(pack, home / "datasets").path
        web_style, held_out = pack / "web_style.csv", pack / "unanswerable.csv"
    else:
        dataset = Path(args.dataset) if args.dataset else build_dataset(out_root=home / "datasets").path
        web_style, held_out = root / "bench/quality/web_style.csv", root / "hcmqa/resources/qa/unanswerable.csv"
    began = time.perf_counter()
    meta = ensure_retriever(dataset, progress=lambda m: print(m, file=sys.stderr, flush=True))
    train_note = f"retriever trained in {meta['seconds']:.0f} s" if time.perf_counter() - began > 5 else f"retriever trained earlier ({meta['seconds']:.0f} s)"
    full = Retriever.from_dataset(dataset)
    passages = full.passages
    splits = {s: [p for p in read_split(dataset, s) if p.key_facts] for s in SPLITS}
    if web_style.is_file():
        splits["web_style"] = load_qa_csv(web_style, require_key_facts=True)
    unanswerable = [row["question"] for row in csv.DictReader(open(held_out, encoding="utf-8"))] if held_out.is_file() else []
    # the encoder the dataset's bi-encoder was fine-tuned from, as shipped (retrievers without the field: MiniLM)
    stock = DenseIndex(encoder_dir(meta['settings'].get('base_encoder', 'minilm')), passages)

    def holds(texts: list[str], facts) -> bool:
        joined = " ".join(texts)
        return all(contains_fact(joined, f) for f in facts)

    def recall_of(orders: list[list[int]], pairs) -> list[float]:
        return [sum(holds([passages[i].text for i in order[:k]], p.key_facts) for order, p in zip(orders, pairs)) / len(pairs) for k in KS]

    def decisions(questions: list[str], top, focus) -> list[str]:
        model = full.answerability
        if model is None:
            return ["answer" if max(h.score for h in hits) >= full.min_score else "refuse" for hits in top]
        return [model.decide(model.probability(x)) for x in full.answerability_features(questions, top, focus)]

    def shares(decided: list[str]) -> list[float]:
        return [sum(d == kind for d in decided) / len(decided) for kind in ("answer", "closest", "refuse")]

    def argsort_rows(matrix) -> list[list[int]]:
        return [list(map(int, np.argsort(-row, kind="stable"))) for row in matrix]

    defaults = TrialConfig()
    rows = []
    for split, pairs in splits.items():
        questions = [p.question for p in pairs]
        normalised = [normalise_query(q, full.subject_names) for q in questions]
        bm25 = argsort_rows([full.bm25.scores(q) for q in normalised])
        stages = {
            "bm25": argsort_rows([full.bm25.scores(fold(q)) for q in questions]),
            "bm25+norm": bm25,
            "dense (stock)": argsort_rows(stock.scores_batch(normalised)),
        }
        if full.dense is not None:
            dense = argsort_rows(full.dense.scores_batch(normalised))
            stages["dense (fine-tuned)"] = dense
            stages["rrf"] = [rrf([b[:50], d[:50]]) for b, d in zip(bm25, dense)]
        for name, orders in stages.items():
            rows.append([name, split, len(pairs), *recall_of(orders, pairs), "", "", "", "", "", "", "", ""])
        if full.dense is not None:
            t = time.perf_counter()
            ranked = full.rank_batch(questions, k=max(KS))
            top = [hits[:3] for hits in ranked]
            focus = full.focus_batch(questions, top)
            decided = decisions(questions, top, focus)
            speed = len(questions) / (time.perf_counter() - t)
            orders = [[full._index_cache[h.passage] for h in hits] for hits in ranked]
            focus_ok = sum(holds(focused_context(h, s, 3).texts, p.key_facts) for h, s, p in zip(top, focus, pairs)) / len(pairs)
            quote_ok = sum(holds([x.text for x in s[:2]], p.key_facts) for s, p in zip(focus, pairs)) / len(pairs)
            # what an answer quotes: its evidence, or more when it says the sources only come close
            quoted = [quoted_sentences(s, defaults.closest_sentences if d == "closest" else defaults.quote_sentences, defaults.quote_tie_margin) for s, d in zip(focus, decided)]
            quoted_ok = sum(holds([x.text for x in q], p.key_facts) for q, p in zip(quoted, pairs)) / len(pairs)
            quoted_n = sum(map(len, quoted)) / len(pairs)
            rows.append([f"hybrid (bm25 weight {full.bm25_weight})", split, len(pairs), *recall_of(orders, pairs), focus_ok, quote_ok, quoted_ok, quoted_n, *shares(decided), round(speed, 1)])
        print(rows[-1], file=sys.stderr, flush=True)
    declined = None
    if full.dense is not None and unanswerable:
        top = full.rank_batch(unanswerable, k=3)
        declined = shares(decisions(unanswerable, top, full.focus_batch(unanswerable, top)))

    command = "python -m bench.retrieval.run " + " ".join(sys.argv[1:])
    text = header("Retrieval benchmark", command)
    text += (
        f"\nDataset {dataset.name} ({len(passages)} passages); {train_note}. The bi-encoder was fine-tuned on the train"
        f" split only ({meta['train_questions']} questions, {meta.get('train_pairs', meta['train_questions'])} passage and sentence pairs,"
        f" seed {meta['settings']['seed']}); the val split chose the BM25 weight ({meta['bm25_weight']}), the passage weight in"
        f" sentence scores ({meta.get('passage_weight', 0.0)}), the share of each sentence's similarity read after the sentence before it ({meta.get('context_weight', 0.0)}) and the threshold (min_score {meta['min_score']}: val recall {meta['calibration']['passage']['val_recall']},"
        f" false accepts with the answer removed {meta['calibration']['passage']['val_false_accept']}). Rows on `train` show what the model saw;"
        f" `val` and the test splits did not train it.\n\n"
    )
    text += table(["stage", "split", "n", "R@1", "R@3", "R@5", "focus@3", "quote@2", "quoted", "quoted n", "answered", "closest", "refused", "q/s"], rows) + "\n"
    if declined is not None:
        answered, closest, refused = declined
        how = "answerability model" if full.answerability is not None else "retrieval threshold (no answerability model)"
        text += (f"\nHeld-out unanswerable questions ({len(unanswerable)}), decided by the {how} before generation: answered {answered:.3f},"
                 f" closest the sources come {closest:.3f}, refused {refused:.3f}; declined (not answered) {closest + refused:.3f}.\n")
        if full.answerability is not None:
            val = meta["answerability"]["val"]
            text += (f"\nThe answerability model was fitted on {val['answerable']} answerable val questions and {val['unanswerable']} unanswerable"
                     f" examples ({meta['answerability']['negatives']}); cross-validated on them it answers {val['cv_answerable_answered']} and refuses"
                     f" {val['cv_answerable_refused']} of the answerable, and answers {val['cv_unanswerable_answered']} of the unanswerable"
                     + (f"; it declines {val['cv_real_unanswerable_declined']} of the {val['real_unanswerable']} unanswerable development questions"
                        f" (decline target {meta['settings'].get('decline_target')})" if "real_unanswerable" in val else "") + ".\n")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
