"""Trial: add to each passage's fused score a share (beta) of its best same-section neighbour's.

Many recall@3 misses put the answer in the passage next to a top hit. Prints recall@3 per
split for each beta (0: the retriever as it is).

    python -m bench.trials.section_neighbours --dataset DATASET_DIR
"""

from __future__ import annotations


from bench.trials.common import arguments, holds, load


def main() -> None:
    parser = arguments(__doc__)
    args = parser.parse_args()
    import numpy as np

    retriever, splits = load(args.dataset)
    passages = retriever.passages
    n = len(passages)

    def same(i: int, j: int) -> bool:
        return 0 <= j < n and (passages[i].title, passages[i].section) == (passages[j].title, passages[j].section)

    has_prev = np.array([same(i, i - 1) for i in range(n)])
    has_next = np.array([same(i, i + 1) for i in range(n)])
    print(f"{n} passages, {int((has_prev | has_next).sum())} with a neighbour in the same section")
    betas = (0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
    table = {b: {} for b in betas}
    for split, pairs in splits.items():
        fused, _, _ = retriever._scores([retriever.normalise(p.question) for p in pairs])
        neighbour = np.maximum(np.where(has_prev, np.roll(fused, 1, axis=1), 0), np.where(has_next, np.roll(fused, -1, axis=1), 0))
        for b in betas:
            scores = fused + b * neighbour
            ok = sum(holds([passages[i].text for i in np.argsort(-row, kind="stable")[:3]], p.key_facts) for row, p in zip(scores, pairs))
            table[b][split] = ok / len(pairs)
    print("beta", " ".join(splits))
    for b, row in table.items():
        print(b, " ".join(f"{v:.3f}" for v in row.values()))


if __name__ == "__main__":
    main()
