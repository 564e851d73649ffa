"""Retrieval over corpus passages: BM25 and a fine-tuned bi-encoder, fused by score.

Stages, each usable alone (``bench/retrieval`` measures every one):

1. **Query normalisation.** The subject's own names (the topic profile's subject and aliases)
   are in almost every question and carry no signal when every passage is about the subject;
   they are dropped from the query (not when they name something else: "<name> City",
   "<name> Trail", nor when the question asks about the name: "Why is he called <alias>?").
2. **BM25** over section title + text.
3. **Dense**: a bi-encoder (all-MiniLM-L6-v2 fine-tuned on the dataset's train split).
4. **Hybrid**: per query, both scores scaled to [0, 1] and mixed with the BM25 weight chosen
   on the val split. A hit's ``score`` is its bi-encoder cosine similarity, an absolute
   measure: a top score under the threshold chosen on the val split means "nothing relevant".
5. **Focus.** Inside the chosen passages the bi-encoder also scores single sentences (their
   embeddings are computed once, when the retriever is trained): the best few make the
   reader's short, focused context and the extractive answer. A sentence is read alone and
   with the sentence before it ("He began it on 10 May 1965" says what "it" is only after "In
   May 1965 he began writing his testament"); the two similarities are mixed with a weight
   chosen on the val split.

A cross-encoder reranker over the hybrid's candidates was tried and dropped: on 2 CPU cores it
cost about 0.3 s a question for 12 candidates, and one epoch of fine-tuning did not beat the
hybrid order (bench/retrieval/RESULTS.md).

A dataset without a trained retriever (``hcmqa data build --no-retriever``) gets BM25 alone.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from hcmqa.data.passages import Passage, read_passages
from hcmqa.data.sentences import split_sentences
from hcmqa.terms import WORD_RE, content_words, tokenize
from hcmqa.text import contains_fact, fold
from hcmqa.topic import default_topic, subject_re

RETRIEVER_DIR = "retriever"
RRF_K = 60


# a name right after one of these, or before "mean" and the like, is the name asked about
# ("Why is he called Uncle Ho?", "What does the name Ho Chi Minh mean?"), not the person
_NAMING_BEFORE = re.compile(
    r"\b(?:call|calls|called|calling|call him|call her|name|named|nickname|nicknamed|title|alias|pseudonym|known as|referred to as|addressed as"
    # what bears his name: "What city is named after Ho Chi Minh?" looks for "Ho Chi Minh City"
    # ("in honour of Uncle Ho" is left out: the name there is the person, and kept it pulled
    # the answerability of such questions down)
    r"|named after|named for|renamed after|renamed for)\W*$"
)
_NAMING_AFTER = re.compile(r"^\W*(?:mean|means|meant|meaning|signify|signifies|stand for|stands for)\b")
# ... unless what follows names what he was called ("Did UNESCO call Ho Chi Minh a man of
# culture?", "named Uncle Ho one of the most influential people") or makes him the one who had
# the name ("the first name Ho Chi Minh ever had"): then the name is the person
_PREDICATE_AFTER = re.compile(r"^\W*(?:a|an|the|one|his|her|their|ever|had|has|bore)\b")


def normalise_query(query: str, names: tuple[str, ...] | None = None) -> str:
    """``query`` folded, without the subject's own names (they match every passage alike).

    A name the question asks about as a name stays: "Why is he called Uncle Ho?" searches
    for "Uncle Ho", which the passage explaining it holds, and so does a name right after
    another kept one ("calling Ho Chi Minh Uncle Ho") and one that something is named after
    ("What city is named after Ho Chi Minh?" looks for Ho Chi Minh City).
    """
    folded = fold(query)
    kept_until = -1

    def drop(m: re.Match) -> str:
        nonlocal kept_until
        before = folded[: m.start()]
        after = folded[m.end() :]
        named = _NAMING_BEFORE.search(before) and not _PREDICATE_AFTER.search(after)
        if named or _NAMING_AFTER.search(after) or (kept_until >= 0 and not folded[kept_until : m.start()].strip()):
            kept_until = m.end()
            return m.group(0)
        return " "

    stripped = subject_re(tuple(names or default_topic().query_names)).sub(drop, folded)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    # a question that is nothing but the name ("Who was <subject>?") keeps it
    return stripped if tokenize(stripped) else fold(query)


def passage_text(p: Passage) -> str:
    """What the dense and reranking models read: section title, then the text."""
    return f"{p.section}. {p.text}"


def sentence_text(p: Passage, sentence: str) -> str:
    """What the bi-encoder reads for one sentence: its section title, then the sentence."""
    return f"{p.section}. {sentence}"


def sentence_in_context(p: Passage, sentences: list[str], i: int) -> str:
    """The ``i``-th of a passage's ``sentences`` after the one before it (the first stands alone), with the section title."""
    before = f"{sentences[i - 1]} " if i else ""
    return f"{p.section}. {before}{sentences[i]}"


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float

    def as_source(self) -> dict:
        p = self.passage
        return {"id": p.id, "title": p.title, "section": p.section, "text": p.text, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Sentence:
    """One sentence of a hit, with its score; ``source`` is the hit's 1-based number.

    ``about`` is the section title a quote of it is shown with, where the sentence speaks of
    someone through a pronoun that may not be the subject ("He died in 1929 in Cao Lanh" in
    "His father Nguyen Sinh Sac"); empty where the sentence reads rightly on its own.
    ``lead`` is the sentence before it in its passage, quoted with it where it opens on a word
    that points back to that one ("It is built of grey granite ...").
    """

    text: str
    source: int
    score: float
    about: str = ""
    lead: str = ""  # the sentence before it, where it opens by pointing back to it (``quote_lead``)


_SUBJECT_CASE = frozenset("he she they".split())
_POSSESSIVES = frozenset("his her their".split())
_PLURAL_PRONOUNS = frozenset("they them their".split())
_POSSESSIVE_SECTION_RE = re.compile(r"(?:his|her|their)\s", re.I)
_EDGE_PUNCTUATION = ".,;:!?()[]\"'\u2018\u2019\u201c\u201d"


def quote_label(sentence: str, section: str, subject_pronouns: frozenset[str]) -> str:
    """The section title a quote of ``sentence`` needs beside it, or "" (see :class:`Sentence`).

    A sentence that opens on a pronoun ("He died ...", "His time as a magistrate ...") or whose
    subject is one before any name ("In 1910 he was removed ...") points outside itself; "her"
    in "Soon after giving birth to her last child, Hoang Thi Loan ..." points ahead. Quoted
    alone it would be read as being about the subject, so it carries its section's title when
    that section is about someone related to the subject ("His father Nguyen Sinh Sac", "Her parents"), or when the pronoun cannot be
    the subject's ("She died in 1954." in a passage about his sister). A name before the
    pronoun, or a section title whose names the sentence repeats, needs no label.
    """
    words = sentence.split()
    pronoun = ""
    for i, word in enumerate(words):
        bare = word.strip(_EDGE_PUNCTUATION)
        if bare.lower() in _SUBJECT_CASE or (i == 0 and bare.lower() in _POSSESSIVES):
            pronoun = bare.lower()
            break
        if i > 0 and bare[:1].isupper():
            return ""  # a name comes first: the sentence says whom it is about
    if not pronoun:
        return ""
    names = [w.strip(_EDGE_PUNCTUATION) for w in section.split()[1:] if w[:1].isupper()]
    if names and all(re.search(rf"\b{re.escape(n)}\b", sentence) for n in names):
        return ""
    other = pronoun not in subject_pronouns and pronoun not in _PLURAL_PRONOUNS
    return section if _POSSESSIVE_SECTION_RE.match(section) or other else ""


# A sentence opening on one of these points back to the sentence before it: "It is built of
# grey granite", "These voyages took him ...", "There he was taken on as a teacher". He and she
# are left to ``quote_label``: in a passage about the subject they are the subject.
_BACK_POINTING = frozenset("it its this these that those they them their there here such".split())
# ... unless "It was" only puts a time or place first: "It was in 1901 that the boy ..."
_CLEFT_RE = re.compile(r"^It (?:is|was) (?:in|on|at|around|about|during|only|not|from|after|before|under|through|because)\b[^.;:]*?\b(?:that|when)\b")


def quote_lead(sentences: list[str], index: int) -> str:
    """The sentence before ``sentences[index]`` where that sentence points back to it, or "".

    A quote of "It is built of grey granite and marble" alone does not say what is built;
    quoted after "The mausoleum was designed by ..." it does. The first sentence of a passage
    has nothing before it to quote.
    """
    if index <= 0 or index >= len(sentences):
        return ""
    text = sentences[index].lstrip(_EDGE_PUNCTUATION + " ")
    first = text.split(maxsplit=1)[0].strip(_EDGE_PUNCTUATION).lower() if text else ""
    if first not in _BACK_POINTING or _CLEFT_RE.match(text):
        return ""
    return sentences[index - 1]


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
    """A sentence-transformers bi-encoder with the normalised embeddings of every passage, of
    every passage's sentences, and of each sentence read after the one before it (read from
    ``embeddings.npz`` when the trainer saved them)."""

    def __init__(self, model_dir: Path, passages: list[Passage], batch_size: int = 64):
        import numpy as np
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")
        self.passages = passages
        self.batch_size = batch_size
        self.sentences = [split_sentences(p.text) or [p.text] for p in passages]
        cache = Path(model_dir).parent / "embeddings.npz"
        flat = [s for group in self.sentences for s in group]
        context_vectors = None
        if cache.is_file():
            data = np.load(cache)
            if data["passages"].shape[0] == len(passages) and data["sentences"].shape[0] == len(flat):
                self.embeddings, sentence_vectors = data["passages"], data["sentences"]
                # saved by an older version without them: computed when first needed
                context_vectors = data["contexts"] if "contexts" in data.files else None
            else:
                cache = None
        if not cache or not cache.is_file():
            self.embeddings = self.encode([passage_text(p) for p in passages], batch_size)
            sentence_vectors = self.encode([sentence_text(p, s) for p, group in zip(passages, self.sentences) for s in group], batch_size)
        self.sentence_vectors = self._grouped(sentence_vectors)
        self._context_vectors = self._grouped(context_vectors) if context_vectors is not None else None
        # the passages' words embedded alone (``word_similarity``), when the trainer saved them
        self._word_vectors: dict = {}
        if cache and cache.is_file() and "words" in data.files:
            self._word_vectors = dict(zip(data["words"].tolist(), data["word_vectors"]))

    def _grouped(self, flat) -> list:
        """A flat matrix of sentence rows cut into one matrix per passage."""
        out, at = [], 0
        for group in self.sentences:
            out.append(flat[at : at + len(group)])
            at += len(group)
        return out

    @property
    def context_vectors(self) -> list:
        """Per passage, its sentences' embeddings each read after the sentence before it."""
        if self._context_vectors is None:
            texts = [sentence_in_context(p, group, i) for p, group in zip(self.passages, self.sentences) for i in range(len(group))]
            self._context_vectors = self._grouped(self.encode(texts, self.batch_size))
        return self._context_vectors

    def encode(self, texts: list[str], batch_size: int = 64):
        return self.model.encode(texts, normalize_embeddings=True, batch_size=batch_size, convert_to_numpy=True)

    @property
    def vocabulary(self) -> list[str]:
        """The folded words of the passages and their section titles, stopwords aside: the evidence words of ``word_similarity``."""
        return sorted({w for p in self.passages for w in content_words(f"{p.section} {p.text}")})

    def save_embeddings(self, path: Path) -> None:
        """Passage, sentence and sentence-in-context embeddings, and those of the passages' words (about 10 s for 3,000 words)."""
        import numpy as np

        words = self.vocabulary
        self._embed_words(words)
        np.savez(
            path,
            passages=self.embeddings,
            sentences=np.concatenate(self.sentence_vectors),
            contexts=np.concatenate(self.context_vectors),
            words=np.array(words, dtype=str),
            word_vectors=np.array([self._word_vectors[w] for w in words]).reshape(len(words), self.embeddings.shape[1]),
        )

    def query_vectors(self, queries: list[str]):
        return self.encode(queries)

    # words whose embeddings are kept: the corpus's vocabulary and recent questions' words
    WORD_CACHE = 50_000

    def word_similarity(self, asked: list[str], evidence: list[str]) -> list[float]:
        """Per ``asked`` word, the cosine similarity of the ``evidence`` word closest to it,
        each word embedded alone (and kept: the evidence words recur from question to question)."""
        import numpy as np

        if not asked or not evidence:
            return [0.0] * len(asked)
        self._embed_words([*asked, *evidence])
        cache = self._word_vectors
        sims = np.array([cache[w] for w in asked]) @ np.array([cache[w] for w in evidence]).T
        return [float(v) for v in sims.max(axis=1)]

    def _embed_words(self, words: list[str]) -> None:
        """Embed the ``words`` not kept yet (starting afresh when the cache would outgrow ``WORD_CACHE``)."""
        cache = self._word_vectors
        new = [w for w in dict.fromkeys(words) if w not in cache]
        if not new:
            return
        if len(cache) + len(new) > self.WORD_CACHE:
            cache.clear()
            new = list(dict.fromkeys(words))
        cache.update(zip(new, self.encode(new, batch_size=256)))

    def scores_batch(self, queries: list[str]):
        return self.query_vectors(queries) @ self.embeddings.T


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion of several rankings (lists of passage indices, best first)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused, key=lambda i: (-fused[i], i))


class Retriever:
    """BM25, plus the fine-tuned bi-encoder fused with it when the dataset has one.

    ``min_score`` is the lowest score a hit may have: the bi-encoder's cosine similarity when
    there is one (the threshold chosen on the val split), otherwise a BM25 score.
    ``bm25_weight`` is BM25's share in the fused score (chosen on the val split).
    ``passage_weight`` and ``context_weight`` shape a sentence's score (see :meth:`focus_batch`).
    """

    def __init__(
        self,
        passages: list[Passage],
        min_score: float | None = None,
        dense: DenseIndex | None = None,
        bm25_weight: float = 0.3,
        subject_names: tuple[str, ...] | None = None,
        metadata: dict | None = None,
        passage_weight: float = 0.0,
        context_weight: float = 0.0,
        topic=None,
    ):
        if not passages:
            raise ValueError("cannot build a retrieval index over zero passages")
        self.passages = passages
        self.bm25 = BM25Index(passages)
        self.dense = dense
        self.bm25_weight = bm25_weight
        self.passage_weight = passage_weight
        self.context_weight = context_weight
        # the topic profile of the passages' dataset: its names, pronouns and texts
        self.topic = topic or default_topic()
        self.subject_names = tuple(subject_names or self.topic.query_names)
        self.min_score = (0.3 if dense else 3.0) if min_score is None else min_score
        self.metadata = metadata or {"stages": self.stages}
        self._sentences: dict[int, list[str]] = {}

    @property
    def stages(self) -> list[str]:
        return ["bm25"] + (["dense", "hybrid"] if self.dense else [])

    @classmethod
    def from_dataset(cls, dataset_dir: Path, min_score: float | None = None, stages: tuple[str, ...] | None = None) -> "Retriever":
        """The dataset's retriever: BM25 fused with its trained bi-encoder when it has one.

        ``stages=("bm25",)`` loads BM25 alone even when a bi-encoder exists.
        """
        dataset_dir = Path(dataset_dir)
        from hcmqa.topic import dataset_topic

        passages = read_passages(dataset_dir / "passages.jsonl")
        topic = dataset_topic(dataset_dir)
        folder = dataset_dir / RETRIEVER_DIR
        meta_path = folder / "retriever.json"
        wanted = set(stages or ("bm25", "dense"))
        if not meta_path.is_file() or "dense" not in wanted:
            return cls(passages, min_score=min_score, topic=topic)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        dense = DenseIndex(folder / "bi-encoder", passages)
        return cls(
            passages,
            min_score=meta.get("min_score") if min_score is None else min_score,
            dense=dense,
            bm25_weight=meta.get("bm25_weight", 0.3),
            passage_weight=meta.get("passage_weight", 0.0),
            context_weight=meta.get("context_weight", 0.0),
            subject_names=topic.query_names,
            metadata=meta,
            topic=topic,
        )

    # --- ranking --------------------------------------------------------------------------

    def normalise(self, query: str) -> str:
        return normalise_query(query, self.subject_names)

    def _scores(self, normalised: list[str]):
        """(fused ranking scores, reported scores) per query, as matrices over all passages."""
        import numpy as np

        bm25 = np.array([self.bm25.scores(q) for q in normalised], dtype=float).reshape(len(normalised), len(self.passages))
        if self.dense is None or not normalised:
            # no queries: the encoder would return a flat empty array, not a 0 x dim matrix
            return bm25, bm25, None
        queries = self.dense.query_vectors(normalised)
        cosine = queries @ self.dense.embeddings.T
        top = bm25.max(axis=1, keepdims=True)
        b = np.where(top > 0, bm25 / np.maximum(top, 1e-9), 0.0)
        low, high = cosine.min(axis=1, keepdims=True), cosine.max(axis=1, keepdims=True)
        d = (cosine - low) / np.maximum(high - low, 1e-9)
        return self.bm25_weight * b + (1 - self.bm25_weight) * d, cosine, queries

    def candidate_lists(self, normalised: list[str]) -> list[list[int]]:
        """Passage indices per (normalised) query, best first by the fused score."""
        import numpy as np

        fused, _, _ = self._scores(normalised)
        return [list(map(int, np.argsort(-row, kind="stable"))) for row in fused]

    def rank_batch(self, queries: list[str], k: int = 3) -> list[list[Hit]]:
        """Top-``k`` hits per query, *before* the ``min_score`` cut (for benchmarks and training)."""
        import numpy as np

        normalised = [self.normalise(q) for q in queries]
        fused, reported, vectors = self._scores(normalised)
        self._last_vectors = dict(zip(normalised, vectors)) if vectors is not None else {}
        out = []
        for row, rep in zip(fused, reported):
            order = np.argsort(-row, kind="stable")[:k]
            out.append([Hit(self.passages[int(i)], float(rep[int(i)])) for i in order])
        return out

    def search_batch(self, queries: list[str], k: int = 3) -> list[list[Hit]]:
        """Top-``k`` hits per query when the best reaches ``min_score``; none means "nothing relevant"."""
        ranked = self.rank_batch(queries, k)
        return [hits if hits and self.has_terms(q) and max(h.score for h in hits) >= self.min_score else [] for q, hits in zip(queries, ranked)]

    def has_terms(self, query: str) -> bool:
        """Whether ``query`` keeps any search term after normalisation (a query without any finds nothing)."""
        return bool(tokenize(self.normalise(query)))

    def search(self, query: str, k: int = 3) -> list[Hit]:
        return self.search_batch([query], k)[0]

    # --- focus ----------------------------------------------------------------------------

    @functools.cached_property
    def _index_cache(self) -> dict[Passage, int]:
        return {p: i for i, p in enumerate(self.passages)}

    @functools.cached_property
    def stats(self):
        """Term document frequencies and raw words of the passages (for answerability)."""
        from hcmqa.answerability import CorpusStats

        return CorpusStats(self.passages)

    @functools.cached_property
    def answerability(self):
        """The answerability model fitted on the val split, or None (BM25-only or older retrievers)."""
        from hcmqa.answerability import AnswerabilityModel

        return AnswerabilityModel.from_dict((self.metadata or {}).get("answerability", {}).get("model"))

    def answerability_features(self, questions: list[str], hits_per_query: list[list[Hit]], sentences_per_query: list[list[Sentence]]) -> list[list[float]]:
        """The answerability features of each question with its hits and their scored sentences
        (a term found in other words counts through the bi-encoder's word similarity)."""
        from hcmqa.answerability import features, subject_words

        words = subject_words(self.subject_names)
        names = tuple(dict.fromkeys((*self.subject_names, *self.topic.all_names)))
        similar = self.dense.word_similarity if self.dense is not None else None
        return [features(q, self.normalise(q), hits, sentences, self.stats, words, names, similar) for q, hits, sentences in zip(questions, hits_per_query, sentences_per_query)]

    @functools.cached_property
    def _vocabulary(self) -> frozenset[str]:
        return frozenset(w for p in self.passages for w in WORD_RE.findall(fold(f"{p.section} {p.text}")))

    def knows(self, name: str) -> bool:
        """Whether every word of ``name`` occurs in the passages (case and diacritics ignored)."""
        words = WORD_RE.findall(fold(name))
        return bool(words) and all(w in self._vocabulary for w in words)

    def sentences_of(self, passage: Passage) -> list[str]:
        index = self._index_cache[passage]
        if self.dense is not None:
            return self.dense.sentences[index]
        if index not in self._sentences:
            self._sentences[index] = split_sentences(passage.text) or [passage.text]
        return self._sentences[index]

    @functools.cached_property
    def _subject_pronouns(self) -> frozenset[str]:
        return frozenset(str(p).lower() for p in self.topic.pronouns.values())

    def focus_batch(self, queries: list[str], hits_per_query: list[list[Hit]]) -> list[list[Sentence]]:
        """Every sentence of each query's hits, scored and best first.

        With a bi-encoder the score is the cosine similarity of (question, sentence), mixed
        with that of the sentence read after the one before it (``context_weight``: "it", "he"
        and "that year" point back) and with its passage's (``passage_weight``: a sentence reads
        better in a passage that matches the question as a whole), both weights chosen on the
        val split; without one it is the share of the question's stemmed terms the sentence
        holds.
        """
        normalised = [self.normalise(q) for q in queries]
        out: list[list[Sentence]] = []
        vectors = None
        if self.dense is not None:
            cached = getattr(self, "_last_vectors", {})
            missing = [q for q in normalised if q not in cached]
            fresh = dict(zip(missing, self.dense.query_vectors(missing))) if missing else {}
            vectors = [cached.get(q, fresh.get(q)) for q in normalised]
        for qi, hits in enumerate(hits_per_query):
            sentences = []
            terms = set(tokenize(normalised[qi]))
            for si, hit in enumerate(hits, start=1):
                index = self._index_cache[hit.passage]
                texts = self.sentences_of(hit.passage)
                if vectors is not None:
                    alone = self.dense.sentence_vectors[index] @ vectors[qi]
                    if self.context_weight:
                        alone = (1 - self.context_weight) * alone + self.context_weight * (self.dense.context_vectors[index] @ vectors[qi])
                    scores = (alone + self.passage_weight * hit.score) / (1 + self.passage_weight)
                else:
                    scores = [len(terms & set(tokenize(t))) / max(1, len(terms)) for t in texts]
                sentences.extend(
                    Sentence(t, si, float(sc), quote_label(t, hit.passage.section, self._subject_pronouns), quote_lead(texts, j))
                    for j, (t, sc) in enumerate(zip(texts, scores))
                )
            sentences.sort(key=lambda s: -s.score)
            out.append(sentences)
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
    remapped = [replace(s, source=renumber[s.source]) for s in sentences if s.source in renumber]
    return Context(kept, texts, remapped)
