"""Retrieval over corpus passages: BM25 and a fine-tuned bi-encoder, fused, then a reranker.

Stages, each usable alone (``bench/retrieval`` measures every one):

1. **Query normalisation.** The subject's own names ("Ho Chi Minh", "Uncle Ho") are in almost
   every question and carry no signal when every passage is about him; they are dropped from
   the query (not when they name something else: "Ho Chi Minh City", "... Trail").
2. **Candidates.** Okapi BM25 over section title + text, and, when the dataset has a trained
   retriever, a bi-encoder (all-MiniLM-L6-v2 fine-tuned on the train split), fused by
   reciprocal rank fusion.
3. **Reranking.** A cross-encoder (the same MiniLM weights, fine-tuned as a reranker on the
   train split) scores (question, passage) pairs; its probability is the hit's score. A top
   score under the threshold chosen on the val split means "nothing relevant".
4. **Focus.** Inside the chosen passages the reranker also scores single sentences: the best
   few make the reader's short, focused context and the extractive answer.

A dataset without a trained retriever (``hcmqa data build --no-retriever``) gets BM25 alone.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from hcmqa.data.passages import Passage, read_passages
from hcmqa.data.sentences import split_sentences
from hcmqa.text import contains_fact, fold

_TOKEN_RE = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but is was were be been being are am do does did
    what when where who whom whose which why how that this these those it its as into about than then
    there their them they he him his she her hers you your i me my we our us can could would should
    tell give please know any some many much more most did done after before during while until ever
    also just only very other such own same so too not no nor s t""".split()
)
# The subject's names: dropped from queries unless they name a place or thing after him.
SUBJECT_NAMES = ("Ho Chi Minh", "Uncle Ho", "Bac Ho", "President Ho")
_NAMED_AFTER = ("city", "trail", "mausoleum", "campaign", "museum", "square", "road", "street", "thought", "memorial", "house", "relic", "stilt")
RETRIEVER_DIR = "retriever"
RRF_K = 60


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import PorterStemmer  # rule-based: needs no downloaded data

    return PorterStemmer()


def tokenize(text: str) -> list[str]:
    """Folded, stop-word-free, Porter-stemmed terms ("born" and "birth" still differ; "died"/"dies" meet)."""
    stem = _stemmer().stem
    return [stem(t) for t in _TOKEN_RE.findall(fold(text)) if t not in STOPWORDS]


@functools.lru_cache(maxsize=16)
def _subject_re(names: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(fold(n)) for n in sorted(names, key=len, reverse=True))
    after = "|".join(_NAMED_AFTER)
    return re.compile(rf"\b(?:{alternatives})(?:'s|’s)?\b(?!\s+(?:{after})\b)")


def normalise_query(query: str, names: tuple[str, ...] = SUBJECT_NAMES) -> str:
    """``query`` folded, without the subject's own names (they match every passage alike)."""
    stripped = _subject_re(tuple(names)).sub(" ", fold(query))
    stripped = re.sub(r"\s+", " ", stripped).strip()
    # a question that is nothing but the name ("Who was Ho Chi Minh?") keeps it
    return stripped if tokenize(stripped) else fold(query)


def passage_text(p: Passage) -> str:
    """What the dense and reranking models read: section title, then the text."""
    return f"{p.section}. {p.text}"


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float

    def as_source(self) -> dict:
        p = self.passage
        return {"id": p.id, "title": p.title, "section": p.section, "text": p.text, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Sentence:
    """One sentence of a hit, with its reranker score; ``source`` is the hit's 1-based number."""

    text: str
    source: int
    score: float


class BM25Index:
    def __init__(self, passages: list[Passage]):
        from rank_bm25 import BM25Okapi

        # Section titles carry strong topical words ("Death", "Education"): index them too.
        self._bm25 = BM25Okapi([tokenize(f"{p.section} {p.text}") for p in passages], k1=1.2, b=0.5)
        self.size = len(passages)

    def scores(self, query: str):
        import numpy as np

        terms = tokenize(query)
        return self._bm25.get_scores(terms) if terms else np.zeros(self.size)


class DenseIndex:
    """A sentence-transformers bi-encoder and the normalised embeddings of every passage."""

    def __init__(self, model_dir: Path, passages: list[Passage], batch_size: int = 32):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")
        self.embeddings = self.model.encode([passage_text(p) for p in passages], normalize_embeddings=True, batch_size=batch_size, convert_to_numpy=True)

    def scores_batch(self, queries: list[str]):
        q = self.model.encode(queries, normalize_embeddings=True, batch_size=64, convert_to_numpy=True)
        return q @ self.embeddings.T


class Reranker:
    """A sentence-transformers cross-encoder; ``score`` gives probabilities in [0, 1]."""

    def __init__(self, model_dir: Path):
        from sentence_transformers.cross_encoder import CrossEncoder

        self.model = CrossEncoder(str(model_dir), device="cpu")

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        import torch

        values = self.model.predict(pairs, batch_size=64, show_progress_bar=False, activation_fn=torch.nn.Sigmoid(), convert_to_numpy=True)
        return [float(v) for v in values]


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion of several rankings (lists of passage indices, best first)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused, key=lambda i: (-fused[i], i))


class Retriever:
    """Candidates from BM25 (+ dense), reranked when a reranker is present.

    ``min_score`` is the lowest score a hit may have: a reranker probability when there is a
    reranker (the threshold chosen on the val split), otherwise a BM25 score.
    """

    def __init__(
        self,
        passages: list[Passage],
        min_score: float | None = None,
        dense: DenseIndex | None = None,
        reranker: Reranker | None = None,
        candidates: int = 20,
        subject_names: tuple[str, ...] = SUBJECT_NAMES,
        metadata: dict | None = None,
    ):
        if not passages:
            raise ValueError("cannot build a retrieval index over zero passages")
        self.passages = passages
        self.bm25 = BM25Index(passages)
        self.dense = dense
        self.reranker = reranker
        self.candidates = candidates
        self.subject_names = tuple(subject_names)
        self.min_score = (0.5 if reranker else 3.0) if min_score is None else min_score
        self.metadata = metadata or {"stages": self.stages}
        self._sentences: dict[int, list[str]] = {}

    @property
    def stages(self) -> list[str]:
        return ["bm25"] + (["dense"] if self.dense else []) + (["rerank"] if self.reranker else [])

    @classmethod
    def from_dataset(cls, dataset_dir: Path, min_score: float | None = None, stages: tuple[str, ...] | None = None) -> "Retriever":
        """The dataset's retriever: its trained models when it has them, BM25 otherwise.

        ``stages`` limits which stages load (``("bm25",)``, ``("bm25", "dense")``, ...).
        """
        dataset_dir = Path(dataset_dir)
        passages = read_passages(dataset_dir / "passages.jsonl")
        folder = dataset_dir / RETRIEVER_DIR
        meta_path = folder / "retriever.json"
        if not meta_path.is_file():
            return cls(passages, min_score=min_score)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        wanted = set(stages or ("bm25", "dense", "rerank"))
        dense = DenseIndex(folder / "bi-encoder", passages) if "dense" in wanted and (folder / "bi-encoder").is_dir() else None
        reranker = Reranker(folder / "cross-encoder") if "rerank" in wanted and (folder / "cross-encoder").is_dir() else None
        if min_score is None:
            min_score = meta.get("min_score") if reranker else 3.0
        return cls(passages, min_score=min_score, dense=dense, reranker=reranker, candidates=meta.get("candidates", 20), subject_names=tuple(meta.get("subject_names", SUBJECT_NAMES)), metadata=meta)

    # --- ranking --------------------------------------------------------------------------

    def normalise(self, query: str) -> str:
        return normalise_query(query, self.subject_names)

    def candidate_lists(self, queries: list[str]) -> list[list[int]]:
        """Fused candidate passage indices per (normalised) query, best first."""
        import numpy as np

        bm25 = [np.argsort(-self.bm25.scores(q), kind="stable") for q in queries]
        if self.dense is None:
            return [list(map(int, r)) for r in bm25]
        dense = self.dense.scores_batch(queries)
        depth = max(self.candidates * 3, 50)
        return [rrf([list(map(int, b[:depth])), list(map(int, np.argsort(-d, kind="stable")[:depth]))]) for b, d in zip(bm25, dense)]

    def rank_batch(self, queries: list[str], k: int = 3) -> list[list[Hit]]:
        """Top-``k`` hits per query, *before* the ``min_score`` cut (for benchmarks and training)."""
        normalised = [self.normalise(q) for q in queries]
        lists = self.candidate_lists(normalised)
        if self.reranker is None:
            out = []
            for q, order in zip(normalised, lists):
                scores = self.bm25.scores(q)
                out.append([Hit(self.passages[i], float(scores[i])) for i in order[:k]])
            return out
        pairs, spans = [], []
        for q, order in zip(normalised, lists):
            cands = order[: self.candidates]
            spans.append(cands)
            pairs.extend((q, passage_text(self.passages[i])) for i in cands)
        scores = self.reranker.score(pairs)
        out, at = [], 0
        for cands in spans:
            mine = scores[at : at + len(cands)]
            at += len(cands)
            ranked = sorted(zip(cands, mine), key=lambda t: (-t[1], t[0]))[:k]
            out.append([Hit(self.passages[i], s) for i, s in ranked])
        return out

    def search_batch(self, queries: list[str], k: int = 3) -> list[list[Hit]]:
        """Top-``k`` hits per query whose score reaches ``min_score`` (possibly none: "nothing relevant")."""
        return [[h for h in hits if h.score >= self.min_score] for hits in self.rank_batch(queries, k)]

    def search(self, query: str, k: int = 3) -> list[Hit]:
        return self.search_batch([query], k)[0]

    # --- focus ----------------------------------------------------------------------------

    def sentences_of(self, passage: Passage) -> list[str]:
        index = self._index_cache[passage]
        if index not in self._sentences:
            self._sentences[index] = split_sentences(passage.text) or [passage.text]
        return self._sentences[index]

    @functools.cached_property
    def _index_cache(self) -> dict[Passage, int]:
        return {p: i for i, p in enumerate(self.passages)}

    def focus_batch(self, queries: list[str], hits_per_query: list[list[Hit]]) -> list[list[Sentence]]:
        """Every sentence of each query's hits, scored and best first.

        With a reranker the score is its probability for (question, sentence); without one it
        is the BM25-style overlap of stemmed terms, so the order still favours the sentence
        that shares the question's words.
        """
        normalised = [self.normalise(q) for q in queries]
        items: list[tuple[int, Sentence]] = []
        for qi, hits in enumerate(hits_per_query):
            for si, hit in enumerate(hits, start=1):
                for text in self.sentences_of(hit.passage):
                    items.append((qi, Sentence(text, si, 0.0)))
        if self.reranker is not None:
            context = {(qi, s.source): hits_per_query[qi][s.source - 1].passage.section for qi, s in items}
            scores = self.reranker.score([(normalised[qi], f"{context[(qi, s.source)]}. {s.text}") for qi, s in items])
        else:
            scores = []
            for qi, s in items:
                terms = set(tokenize(normalised[qi]))
                scores.append(len(terms & set(tokenize(s.text))) / max(1, len(terms)))
        out: list[list[Sentence]] = [[] for _ in queries]
        for (qi, s), score in zip(items, scores):
            out[qi].append(Sentence(s.text, s.source, float(score)))
        for sentences in out:
            sentences.sort(key=lambda s: -s.score)
        return out

    def find_containing(self, facts: tuple[str, ...], query: str = "") -> Passage | None:
        """The best-ranked passage that contains every key fact (used to build grounded training data)."""
        candidates = [p for p in self.passages if all(contains_fact(p.text, f) for f in facts)]
        if not candidates or not query:
            return candidates[0] if candidates else None
        scores = self.bm25.scores(self.normalise(query))
        return max(candidates, key=lambda p: scores[self._index_cache[p]])


@dataclass(frozen=True)
class Context:
    """What the reader sees for one question: the cited hits and, per hit, its chosen text."""

    hits: list[Hit]
    texts: list[str]
    sentences: list[Sentence]  # every sentence of the retrieved hits, best first (numbered by ``hits``)


def focused_context(hits: list[Hit], sentences: list[Sentence], max_sentences: int = 3) -> Context:
    """The best ``max_sentences`` sentences, grouped by passage in reading order.

    Only passages that contribute a sentence are cited, renumbered 1..n; ``max_sentences=0``
    keeps every retrieved passage whole (the unfocused context).
    """
    if max_sentences <= 0 or not sentences:
        return Context(list(hits), [h.passage.text for h in hits], sentences)
    chosen = sentences[:max_sentences]
    order = sorted({s.source for s in chosen})
    renumber = {old: new for new, old in enumerate(order, start=1)}
    texts = []
    for old in order:
        hit = hits[old - 1]
        picked = {s.text for s in chosen if s.source == old}
        # reading order inside the passage, not score order
        parts = [t for t in split_sentences(hit.passage.text) if t in picked] or [s.text for s in chosen if s.source == old]
        texts.append(" ".join(parts))
    kept = [hits[old - 1] for old in order]
    remapped = [Sentence(s.text, renumber[s.source], s.score) for s in sentences if s.source in renumber]
    return Context(kept, texts, remapped)
