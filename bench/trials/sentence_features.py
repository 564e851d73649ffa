"""Trial: re-weight the bi-encoder's sentence scores with cheap features, chosen on val.

score = cosine + wl * lexical + wt * answer type - ws * (passage rank - 1) + wn * novelty, where
lexical is the IDF-weighted share of the query's terms in the sentence, answer type is 1 when
the sentence holds what the question asks for (a date for "when", a count for "how many", a
name not in the question for "who"/"where"), and novelty is the share of the sentence's terms
not in the question. Prints the 12 best weightings on val, and no re-weighting, as the share of
questions whose best two sentences hold every key fact.

    python -m bench.trials.sentence_features --dataset DATASET_DIR
"""

from __future__ import annotations

import itertools
import re

from bench.trials.common import arguments, holds, load

_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z\u00C0-\u1EF9'-]+")


def question_type(question: str) -> str:
    from hcmqa.text import fold

    f = fold(question)
    if re.search(r"\bwhen\b|what (year|date|day|month)|which (year|date|day|month)|on what date", f):
        return "time"
    if re.search(r"\bhow (many|much|long|old|far)\b|\bwhat age\b", f):
        return "count"
    if re.search(r"\bwhere\b|(which|what) (city|country|town|village|province)", f):
        return "place"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b", f):
        return "name"
    return "other"


def type_match(kind: str, question: str, sentence: str) -> float:
    from hcmqa.answerability import _COUNT_RE, _DATE_RE, _YEAR_RE

    if kind == "time":
        return float(bool(_YEAR_RE.search(sentence) or _DATE_RE.search(sentence)))
    if kind == "count":
        return float(bool(_COUNT_RE.search(sentence)))
    if kind in ("place", "name"):
        asked = {w.lower() for w in _CAPITALISED.findall(question)}
        return float(any(w.lower() not in asked for w in _CAPITALISED.findall(sentence)[1:]))
    return 0.0


def main() -> None:
    parser = arguments(__doc__)
    args = parser.parse_args()
    from hcmqa.terms import tokenize

    retriever, splits = load(args.dataset)
    stats = retriever.stats
    data = {}
    for split, pairs in splits.items():
        questions = [p.question for p in pairs]
        hits = retriever.rank_batch(questions, k=3)
        rows = []
        for question, pair, sentences in zip(questions, pairs, retriever.focus_batch(questions, hits)):
            terms = list(dict.fromkeys(tokenize(retriever.normalise(question))))
            total = sum(stats.idf(t) for t in terms) or 1.0
            kind = question_type(question)
            features = []
            for s in sentences:
                words = set(tokenize(s.text))
                lexical = sum(stats.idf(t) for t in terms if t in words) / total
                novelty = len(words - set(terms)) / max(1, len(words))
                features.append((s, lexical, type_match(kind, question, s.text), s.source, novelty))
            rows.append((pair, features))
        data[split] = rows

    def best_two_hold(rows, wl, wt, ws, wn) -> float:
        ok = 0
        for pair, features in rows:
            ranked = sorted(features, key=lambda z: -(z[0].score + wl * z[1] + wt * z[2] - ws * (z[3] - 1) + wn * z[4]))
            ok += holds([z[0].text for z in ranked[:2]], pair.key_facts)
        return ok / len(rows)

    grid = list(itertools.product((0, 0.025, 0.05, 0.075, 0.1), (0, 0.02), (0, 0.01, 0.02, 0.04), (0, 0.02, 0.05, 0.1)))
    scores = {w: {s: best_two_hold(rows, *w) for s, rows in data.items()} for w in grid}
    print("(wl, wt, ws, wn)", " ".join(data))
    for w in sorted(grid, key=lambda w: -scores[w]["val"])[:12] + [(0, 0, 0, 0)]:
        print(w, " ".join(f"{scores[w][s]:.3f}" for s in data))


if __name__ == "__main__":
    main()
