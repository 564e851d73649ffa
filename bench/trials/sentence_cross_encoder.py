"""Trial: a cross-encoder sentence reranker over the hybrid's top passages, mixed with the bi-encoder.

A CrossEncoder starts from the all-MiniLM-L6-v2 weights (a new one-logit head) and is
fine-tuned with sentence-transformers' CrossEncoderTrainer and BinaryCrossEntropyLoss on the
train split: for each question, the sentences of its top ``--passages`` hybrid passages that
hold every key fact (up to two) against up to seven that hold none, each read after the
sentence before it with its section title. Then, per split, every sentence of the top
passages gets ``a * p(cross-encoder) + (1 - a) * bi-encoder score``; passages are re-ranked by
their best sentence (plus ``pw`` times a small prior for the hybrid's order), and the table
gives recall@3, the best two sentences holding every key fact (q2) and the best three (f3).

    python -m bench.trials.sentence_cross_encoder --dataset DATASET_DIR --out MODEL_DIR
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.trials.common import arguments, holds, load


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--out", required=True, help="where the cross-encoder is saved (reused when it exists)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--passages", type=int, default=5)
    args = parser.parse_args()
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    from hcmqa.data.qa import read_split
    from hcmqa.encoders import encoder_dir
    from hcmqa.fileio import atomic_directory
    from hcmqa.retrieval import sentence_in_context
    from hcmqa.text import contains_fact

    retriever, splits = load(args.dataset)
    k = args.passages

    def candidates(pairs):
        questions = [p.question for p in pairs]
        hits = retriever.rank_batch(questions, k=k)
        items = []
        for found in hits:
            rows = []
            for pi, hit in enumerate(found):
                sentences = retriever.sentences_of(hit.passage)
                rows += [(pi, si, s, sentence_in_context(hit.passage, sentences, si)) for si, s in enumerate(sentences)]
            items.append(rows)
        bi = [{(s.source - 1, s.text): s.score for s in scored} for scored in retriever.focus_batch(questions, hits)]
        return questions, hits, items, bi

    out = Path(args.out)
    if not (out / "config.json").is_file():
        from datasets import Dataset
        from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
        from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

        rng = random.Random(13)
        train = [p for p in read_split(Path(args.dataset), "train") if p.key_facts]
        questions, _, items, _ = candidates(train)
        anchors, texts, labels = [], [], []
        for question, pair, rows in zip(questions, train, items):
            query = retriever.normalise(question)
            positive = [r for r in rows if holds([r[2]], pair.key_facts)]
            negative = [r for r in rows if not any(contains_fact(r[2], f) for f in pair.key_facts)]
            if not positive:
                continue
            for r in positive[:2]:
                anchors.append(query), texts.append(r[3]), labels.append(1.0)
            for r in rng.sample(negative, min(7, len(negative))):
                anchors.append(query), texts.append(r[3]), labels.append(0.0)
        print(f"{len(labels)} pairs, {int(sum(labels))} positive", flush=True)
        model = CrossEncoder(str(encoder_dir("minilm")), num_labels=1, max_length=160, device="cpu")
        data = Dataset.from_dict({"query": anchors, "passage": texts, "label": labels}).shuffle(seed=13)
        with tempfile.TemporaryDirectory(prefix="cross-encoder-") as scratch:
            training = CrossEncoderTrainingArguments(
                output_dir=scratch, num_train_epochs=args.epochs, per_device_train_batch_size=32,
                learning_rate=args.learning_rate, warmup_ratio=0.1, bf16=True, use_cpu=True, seed=13, save_strategy="no",
                logging_steps=20, report_to="none",
            )
            began = time.perf_counter()
            CrossEncoderTrainer(model=model, args=training, train_dataset=data, loss=BinaryCrossEntropyLoss(model)).train()
        print(f"trained in {time.perf_counter() - began:.0f} s", flush=True)
        # written whole or not at all: a half-saved model would be reused by the next run
        with atomic_directory(out) as folder:
            model.save_pretrained(str(folder))
    reranker = CrossEncoder(str(out), device="cpu")
    for split, pairs in splits.items():
        questions, hits, items, bi = candidates(pairs)
        flat = [(retriever.normalise(q), r[3]) for q, rows in zip(questions, items) for r in rows]
        began = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            probabilities = reranker.predict(flat, batch_size=64, activation_fn=torch.nn.Sigmoid())
        seconds = time.perf_counter() - began
        per, at = [], 0
        for rows in items:
            per.append(probabilities[at : at + len(rows)])
            at += len(rows)
        print(f"{split}: n {len(pairs)}, {len(flat) / len(pairs):.1f} sentences and {seconds / len(pairs):.3f} s of cross-encoder per question")
        for a in (0.0, 0.25, 0.5, 0.75, 1.0):
            for pw in (0.0, 0.5):
                r3 = q2 = f3 = 0
                for pair, found, rows, ps, scores in zip(pairs, hits, items, per, bi):
                    mixed = [a * float(p) + (1 - a) * scores[(r[0], r[2])] for r, p in zip(rows, ps)]
                    best: dict[int, float] = {}
                    for r, m in zip(rows, mixed):
                        best[r[0]] = max(best.get(r[0], float("-inf")), m)
                    top = sorted(best, key=lambda pi: -(best[pi] + pw * 0.2 * (1 - pi / k)))[:3]
                    r3 += holds([found[pi].passage.text for pi in top], pair.key_facts)
                    order = [i for i in sorted(range(len(rows)), key=lambda i: -mixed[i]) if rows[i][0] in top]
                    q2 += holds([rows[i][2] for i in order[:2]], pair.key_facts)
                    f3 += holds([rows[i][2] for i in order[:3]], pair.key_facts)
                n = len(pairs)
                print(f"  a={a:.2f} pw={pw:.1f}: R@3 {r3 / n:.3f}, q2 {q2 / n:.3f}, f3 {f3 / n:.3f}", flush=True)


if __name__ == "__main__":
    main()
