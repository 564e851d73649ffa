"""Trial: how many sentences the "closest the sources come" answer quotes, on the same decisions.

For each question of val, both test splits and the web-style set, the dataset's retriever and
answerability model decide as the product does (answer, closest, refuse). An answered question
quotes its evidence as the default trial does (``quote_sentences`` and one more within
``quote_tie_margin``); a "closest" one quotes each variant below; a refused one quotes nothing
and counts as a miss. The table gives the share whose quoted sentences hold every key fact,
and the sentences quoted per question.

    python -m bench.trials.closest_quotes --dataset DATASET_DIR
"""

from __future__ import annotations

from bench.trials.common import arguments, holds, load

# (sentences, tie margin) quoted for a "closest" answer
VARIANTS = {"two, a third within 0.03": (2, 0.03), "three": (3, 0.0), "three, a fourth within 0.03": (3, 0.03), "four": (4, 0.0)}


def main() -> None:
    args = arguments(__doc__).parse_args()
    from hcmqa.answering import quoted_sentences
    from hcmqa.config import TrialConfig

    retriever, splits = load(args.dataset)
    model = retriever.answerability
    if model is None:
        raise SystemExit(f"--dataset: {args.dataset} has no answerability model, so no question is answered with the closest sources")
    defaults = TrialConfig()
    print("| split | n | answered | closest | refused | " + " | ".join(VARIANTS) + " |")
    print("|---|---|---|---|---|" + "---|" * len(VARIANTS))
    for split, pairs in splits.items():
        questions = [p.question for p in pairs]
        hits = [h if retriever.has_terms(q) else [] for q, h in zip(questions, retriever.rank_batch(questions, k=defaults.top_k))]
        focus = retriever.focus_batch(questions, hits)
        decided = [model.decide(model.probability(x)) for x in retriever.answerability_features(questions, hits, focus)]
        shares = [sum(d == kind for d in decided) / len(pairs) for kind in ("answer", "closest", "refuse")]
        cells = []
        for n, margin in VARIANTS.values():
            held = quoted = 0
            for sentences, decision, pair in zip(focus, decided, pairs):
                if decision == "refuse":
                    continue
                chosen = quoted_sentences(sentences, n, margin) if decision == "closest" else quoted_sentences(sentences, defaults.quote_sentences, defaults.quote_tie_margin)
                held += holds([s.text for s in chosen], pair.key_facts)
                quoted += len(chosen)
            cells.append(f"{held / len(pairs):.3f} ({quoted / len(pairs):.2f})")
        print(f"| {split} | {len(pairs)} | " + " | ".join(f"{x:.3f}" for x in shares) + " | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
