"""BM25 retrieval over corpus passages (no model download, builds in milliseconds)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from hcmqa.data.passages import Passage, read_passages
from hcmqa.text import fold

_TOKEN_RE = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but is was were be been being are am do does did
    what when where who whom whose which why how that this these those it its as into about than then
    there their them they he him his she her hers you your i me my we our us can could would should
    tell give please know any some many much more most did done after before during while until ever
    also just only very other such own same so too not no nor s t""".split()
)


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import PorterStemmer  # rule-based: needs no downloaded data

    return PorterStemmer()


def tokenize(text: str) -> list[str]:
    """Folded, stop-word-free, Porter-stemmed terms ("born" and "birth" still differ; "died"/"dies" meet)."""
    stem = _stemmer().stem
    return [stem(t) for t in _TOKEN_RE.findall(fold(text)) if t not in STOPWORDS]


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float

    def as_source(self) -> dict:
        p = self.passage
        return {"id": p.id, "title": p.title, "section": p.section, "text": p.text, "score": round(self.score, 3)}


class Retriever:
    """Okapi BM25 over passages; a hit needs a score of at least ``min_score`` to count."""

    def __init__(self, passages: list[Passage], min_score: float = 3.0):
        from rank_bm25 import BM25Okapi

        if not passages:
            raise ValueError("cannot build a retrieval index over zero passages")
        self.passages = passages
        self.min_score = min_score
        # Section titles carry strong topical words ("Death", "Education"): index them too.
        self._bm25 = BM25Okapi([tokenize(f"{p.section} {p.text}") for p in passages], k1=1.2, b=0.5)

    @classmethod
    def from_dataset(cls, dataset_dir: Path, min_score: float = 3.0) -> "Retriever":
        return cls(read_passages(dataset_dir / "passages.jsonl"), min_score=min_score)

    def search(self, query: str, k: int = 3) -> list[Hit]:
        """Top-``k`` passages with score >= ``min_score`` (possibly none: "nothing relevant")."""
        terms = tokenize(query)
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [Hit(self.passages[i], float(scores[i])) for i in order if scores[i] >= self.min_score]

    def find_containing(self, facts: tuple[str, ...], query: str = "") -> Passage | None:
        """The best-ranked passage that contains every key fact (used to build grounded training data)."""
        from hcmqa.text import contains_fact

        candidates = [p for p in self.passages if all(contains_fact(p.text, f) for f in facts)]
        if not candidates or not query:
            return candidates[0] if candidates else None
        scores = self._bm25.get_scores(tokenize(query))
        index = {id(p): i for i, p in enumerate(self.passages)}
        return max(candidates, key=lambda p: scores[index[id(p)]])
