"""Topic gate: decides whether a question is about the topic before any generation.

TF-IDF features (word 1-2 grams and character 2-5 grams, so that unseen spellings and
near-misses such as a city named after the subject are told apart) feed a
``LogisticRegression(class_weight="balanced")``. The decision threshold is configurable.

A bare question about one name ("What is Pac Bo?", "Who was Hoang Thi Loan?") has almost
nothing for word features to go on but "what is" and "who was", which open most general
knowledge questions, and the model refuses it. Such a question is let through when the name
is one of the topic's own (``topic_names``): a name the documents use and no off-topic
training question does, alone or with one word for what it names ("What is Pac Bo cave?").
Names that both sides use ("Lenin", "Hue") are left to the model.

A longer question that uses one of the topic's *rare* names ("What became of the baby Hoang
Thi Loan bore?", "tuan le vang dates") is let through as well: a name with a word that
English text almost never uses (a Zipf frequency under ``hcmqa.text.RARE_ZIPF`` in wordfreq's English
lists) points to the documents whatever the words around it say. Own names made of common
words ("June", "New Year", "Pac Bo") do not: off-topic questions use those too.

So is a question using one of the topic's *rare terms* (``topic_terms``): a lower-case word
English almost never uses that the documents and the on-topic training questions both use,
and no off-topic training question does ("mausoleum", "stilt", "plenum"). A visitor asks "Can
you take photos inside the mausoleum?" without naming the subject; "take photos" and "open"
sound like the off-topic side, but in this museum the mausoleum is his.
"""

from __future__ import annotations

import functools
import json
import platform
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from hcmqa.config import DEFAULT_GATE_THRESHOLD
from hcmqa.fileio import atomic_path, atomic_write_json
from hcmqa.home import GATE_FILE, GATE_META_FILE
from hcmqa.retrieval import normalise_query
from hcmqa.text import fold, has_word, is_rare_word
from hcmqa.topic import names_subject

# a topic other than the bundled one keeps its gate in its dataset (``gate_dir_for``)
DATASET_GATE_DIR = "gate"

# a name written in capitals, with the lower-case particles names carry ("Ba Dinh Square",
# "Pigneau de Behaine", "League of Nations")
_NAME_RE = re.compile(r"(?<![\w'’])([A-Z][\w'’-]*(?:\s+(?:(?:de|du|of|la|le|the|and|van)\s+)*[A-Z][\w'’-]*)*)")
# "what is X", "who was the X", "where is X", "tell me about X", nothing after the name
_ABOUT_RE = re.compile(
    r"^\s*(?:(?:what|who|where)\s+(?:is|was|were|are)|tell\s+me\s+about)\s+(?:the\s+)?(?P<name>[^?.!]+?)\s*[?.!]*\s*$",
    re.I,
)


@dataclass(frozen=True)
class GateDecision:
    question: str
    related: bool
    score: float
    # let through because the question asks about one of the topic's own names alone, or
    # uses one of its rare ones (``GateClassifier.rare_names``)
    by_name: bool = False
    # let through because the question names the subject (``GateData.subject_names``)
    by_subject: bool = False
    # let through because the question uses one of the topic's rare terms (``topic_terms``)
    by_term: bool = False


def document_names(texts: list[str]) -> set[str]:
    """The folded names (capitalised phrases) in ``texts``.

    A sentence's first words are left out while the texts also use them in lower case ("At
    Pac Bo" gives "pac bo", "After" nothing).
    """
    from hcmqa.data.sentences import split_sentences

    # words the texts also write in lower case: at the start of a sentence they are not names
    common = {w for text in texts for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]*", text)}
    names = set()
    for text in texts:
        for sentence in split_sentences(text) or [text]:
            for m in _NAME_RE.finditer(sentence):
                words = m.group(1).split()
                if m.start() == 0:
                    while words and words[0].lower() in common:
                        words = words[1:]
                name = fold(" ".join(words)).strip().removeprefix("the ")
                if name:
                    names.add(name)
    return names


def topic_names(passages, offtopic_questions: list[str], subject_names: tuple[str, ...] | None = None, aliases=None) -> list[str]:
    """Names the documents use that no off-topic question uses, without the subject's own names.

    A name stands with its other accepted spellings (``aliases``, the bundled alias table by
    default: "Guangzhou" with the documents' "Canton"): all are the topic's, or none is when
    an off-topic question uses any of them.
    """
    from hcmqa.text import bundled_aliases

    table = bundled_aliases() if aliases is None else aliases
    off = " ".join(fold(q) for q in offtopic_questions)
    if subject_names is None:
        from hcmqa.topic import default_topic

        subject_names = default_topic().query_names
    subject = {fold(n) for n in subject_names}

    names = set()
    for name in document_names([p.text for p in passages] + [p.section for p in passages]):
        forms = set(table.variants(name))
        if len(name) >= 3 and not forms & subject and not any(has_word(off, f) for f in forms):
            names |= forms
    return sorted(names)


def topic_terms(passages, related_questions: list[str], offtopic_questions: list[str], min_count: int = 2) -> list[str]:
    """The topic's rare terms: lower-case words English almost never uses (``is_rare_word``),
    written at least ``min_count`` times in the documents and asked in at least ``min_count``
    related questions, that no off-topic question uses (folded, sorted).

    Names are ``topic_names``' business: a word the documents write only capitalised is none.
    """
    from collections import Counter

    texts = [p.text for p in passages]
    lower = {fold(w) for text in texts for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]*[a-z]", text)}
    in_documents = Counter(w for text in texts for w in re.findall(r"[a-z]+", fold(text)))
    asked = Counter(w for q in related_questions for w in set(re.findall(r"[a-z]+", fold(q))))
    off = {w for q in offtopic_questions for w in re.findall(r"[a-z]+", fold(q))}
    return sorted(
        w for w, n in asked.items() if n >= min_count and in_documents[w] >= min_count and w in lower and w not in off and is_rare_word(w)
    )


def asked_name(question: str) -> str | None:
    """The folded name a bare "what is / who was / tell me about X" question asks about, or None."""
    m = _ABOUT_RE.match(question)
    return fold(m.group("name")).strip() if m else None


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class GateReport:
    threshold: float
    related: ClassMetrics
    unrelated: ClassMetrics
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GateData:
    """Questions and labels (1 = related) for training and for held-out evaluation."""

    train_questions: list[str]
    train_labels: list[int]
    heldout_questions: list[str]
    heldout_labels: list[int]
    # the topic's own names (``topic_names``), from the training side's off-topic questions only
    names: list[str] = field(default_factory=list)
    # the subject's names, when no training off-topic question names the subject: a question
    # that names the subject is then on topic whatever else it asks ("What shoes was <subject>
    # famous for wearing?"), and what the sources do not say is declined after retrieval, not here
    subject_names: list[str] = field(default_factory=list)
    # the topic profile the questions are about: {"subject", "sha256"} (recorded with the gate)
    topic: dict = field(default_factory=dict)
    # off-topic questions made from names the documents mention in passing (``mined_near_misses``;
    # in the training questions too)
    mined: list[str] = field(default_factory=list)
    # the topic's rare terms (``topic_terms``), from the training side's questions only
    terms: list[str] = field(default_factory=list)


def gate_data_from_dataset(dataset_dir: Path, heldout_offtopic_fraction: float = 0.2, subject_names: tuple[str, ...] | None = None) -> GateData:
    """Split a built dataset for the gate.

    Related questions: ``train`` and ``val`` train the gate; both test splits are held out,
    so the gate is scored on wordings and facts it never saw. Off-topic questions are held
    out by a hash of their text (deterministic).

    Each training question that names the subject is also added without the name (as
    retrieval reads it): most bundled questions name the subject, and a gate trained on them
    alone learns the name rather than the topic, refusing on-topic questions that do not name
    it ("where did he teach before going abroad"). Off-topic near-misses that use the name for
    something else (a city named after the subject) keep it, since retrieval's normalisation
    keeps it there too.

    ``subject_names``: the dataset's topic profile's (``TopicProfile.query_names``) when None.
    """
    from hcmqa.data.passages import read_passages
    from hcmqa.data.qa import load_offtopic_csv, load_qa_csv, unit_hash
    from hcmqa.topic import dataset_topic, default_topic

    profile = dataset_topic(dataset_dir)
    subject_names = tuple(subject_names or profile.query_names)

    pairs = load_qa_csv(dataset_dir / "qa.csv")
    offtopic = load_offtopic_csv(dataset_dir / "offtopic.csv")
    if not offtopic:
        raise ValueError(f"{dataset_dir}: the dataset has no off-topic questions; rebuild it with --offtopic FILE")
    tq, tl, hq, hl = [], [], [], []
    seen = {fold(pair.question) for pair in pairs}
    for pair in pairs:
        target = (tq, tl) if pair.split in ("train", "val") else (hq, hl)
        target[0].append(pair.question)
        target[1].append(1)
        if pair.split in ("train", "val"):
            unnamed = normalise_query(pair.question, subject_names)
            if unnamed not in seen:
                seen.add(unnamed)
                tq.append(unnamed)
                tl.append(1)
    for question in offtopic:
        target = (hq, hl) if unit_hash("gate:" + question) < heldout_offtopic_fraction else (tq, tl)
        target[0].append(question)
        target[1].append(0)
    passages = read_passages(dataset_dir / "passages.jsonl") if (dataset_dir / "passages.jsonl").is_file() else []
    off_topic = [q for q, label in zip(tq, tl) if label == 0]
    names = topic_names(passages, off_topic, subject_names)
    named = [] if any(names_subject(q, subject_names) for q in off_topic) else list(subject_names)
    mined: list[str] = []
    if profile != default_topic():
        # after topic_names: a bare "Who was X?" about a passing name stays the topic's
        known = {fold(q) for q in tq} | {fold(q) for q in hq}
        mined = [q for q in mined_near_misses(passages, profile.all_names) if fold(q) not in known]
        tq.extend(mined)
        tl.extend([0] * len(mined))
    related = [pair.question for pair in pairs if pair.split in ("train", "val")]
    terms = topic_terms(passages, related, [q for q, label in zip(tq, tl) if label == 0])
    return GateData(tq, tl, hq, hl, names, named, {"subject": profile.subject, "sha256": profile.sha256()}, mined, terms)


#: Questions about a name itself, not about the topic that mentions it: "What is X known for today?"
MINED_FRAMES = (
    "What is {name} best known for today?",
    "Where can I read the latest news about {name}?",
    "Give me a short biography of {name}.",
    "What is there to see at {name} today?",
)


def mined_near_misses(passages, subject_names: tuple[str, ...], limit: int = 80) -> list[str]:
    """Off-topic near-misses made from the names the documents mention in passing.

    A museum about one subject mentions other people, places and things once or twice; a
    question about one of them for its own sake ("What is Albert Einstein best known for
    today?") shares the name with the documents but is not about the subject. The names are
    the documents' capitalised phrases of two words or more (``document_names``) found in
    one passage only, not containing a word of the subject's names; each gets one frame of
    ``MINED_FRAMES``, chosen by a hash of the name (deterministic), at most ``limit`` names.
    """
    from hcmqa.data.qa import unit_hash

    texts = [p.text for p in passages]
    folded = [fold(t) for t in texts]
    subject_words = {w for n in subject_names for w in fold(n).split()}
    candidates = []
    for name in sorted(document_names(texts)):
        words = name.split()
        if len(words) < 2 or subject_words & set(words) or not all(w[:1].isalpha() for w in words):
            continue
        if sum(1 for t in folded if has_word(t, name)) == 1:
            candidates.append(name)
    chosen = sorted(candidates, key=lambda n: unit_hash("mine:" + n))[:limit]
    return [MINED_FRAMES[int(unit_hash("frame:" + n) * len(MINED_FRAMES)) % len(MINED_FRAMES)].format(name=n.title()) for n in sorted(chosen)]


def gate_dir_for(home: Path, dataset_dir: Path | None) -> Path:
    """Where the gate of ``dataset_dir``'s topic lives.

    The bundled topic's gate is the home's (``<home>/gate``, shared by every dataset of that
    topic, as before topics were data); any other topic's is its dataset's own
    (``<dataset>/gate``), so that topics side by side never answer through each other's gate.
    """
    from hcmqa.home import Home
    from hcmqa.topic import dataset_topic, default_topic

    if dataset_dir is not None and dataset_topic(dataset_dir).sha256() != default_topic().sha256():
        return Path(dataset_dir) / DATASET_GATE_DIR
    return Home(home).gate_dir


class GateClassifier:
    """A fitted TF-IDF + logistic-regression pipeline with its threshold and metadata."""

    def __init__(
        self,
        pipeline,
        threshold: float = DEFAULT_GATE_THRESHOLD,
        metadata: dict | None = None,
        names: list[str] | tuple[str, ...] = (),
        subject_names: list[str] | tuple[str, ...] = (),
        terms: list[str] | tuple[str, ...] = (),
    ):
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold: must be between 0 and 1 (exclusive), got {threshold}")
        self.pipeline = pipeline
        self.threshold = threshold
        self.metadata = metadata or {}
        self.names = frozenset(names)
        self.subject_names = tuple(subject_names)
        self.terms = frozenset(terms)

    @classmethod
    def train(
        cls,
        questions: list[str],
        labels: list[int],
        threshold: float = DEFAULT_GATE_THRESHOLD,
        c: float = 10.0,
        seed: int = 0,
        names: list[str] | tuple[str, ...] = (),
        subject_names: list[str] | tuple[str, ...] = (),
        terms: list[str] | tuple[str, ...] = (),
    ) -> "GateClassifier":
        """Fit the model; ``names``, ``subject_names`` and ``terms`` are ``GateData``'s."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        if len(set(labels)) != 2:
            raise ValueError("the gate needs both related and off-topic questions to train")
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode", lowercase=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, strip_accents="unicode", lowercase=True)),
            ]
        )
        model = LogisticRegression(class_weight="balanced", C=c, max_iter=2000, random_state=seed)
        pipeline = Pipeline([("tfidf", features), ("clf", model)])
        pipeline.fit(questions, labels)
        metadata = {
            "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "train_size": len(questions),
            "train_related": int(sum(labels)),
            "C": c,
            "versions": _versions(),
        }
        return cls(pipeline, threshold=threshold, metadata=metadata, names=names, subject_names=subject_names, terms=terms)

    @classmethod
    def fit(cls, data: GateData, threshold: float = DEFAULT_GATE_THRESHOLD, **kwargs) -> "GateClassifier":
        """``train`` on ``data``'s training side, with its names, subject names and terms."""
        gate = cls.train(data.train_questions, data.train_labels, threshold=threshold, names=data.names, subject_names=data.subject_names, terms=data.terms, **kwargs)
        if data.topic:
            gate.metadata["topic"] = dict(data.topic)
        return gate

    def scores(self, questions: list[str]) -> list[float]:
        if not questions:
            return []
        return [float(p) for p in self.pipeline.predict_proba(questions)[:, 1]]

    def classify(self, questions: list[str]) -> list[GateDecision]:
        out = []
        for q, s in zip(questions, self.scores(questions)):
            by_name = s < self.threshold and (self.asks_about_own_name(q) or self.uses_rare_name(q))
            by_subject = s < self.threshold and not by_name and bool(self.subject_names) and names_subject(q, self.subject_names)
            by_term = s < self.threshold and not (by_name or by_subject) and self.uses_topic_term(q)
            out.append(GateDecision(q, s >= self.threshold or by_name or by_subject or by_term, round(s, 4), by_name, by_subject, by_term))
        return out

    def asks_about_own_name(self, question: str) -> bool:
        """Whether ``question`` asks about one of the topic's own names alone ("Who was Hoang Thi
        Loan?"), or with one word saying what kind of thing it names ("what is pac bo cave",
        "what is kim lien village")."""
        name = asked_name(question) if self.names else None
        if not name:
            return False
        head, _, kind = name.rpartition(" ")
        return name in self.names or (head in self.names and kind.isalpha())

    @functools.cached_property
    def rare_names(self) -> frozenset[str]:
        """The topic's own names with a word English text almost never uses (``hcmqa.text.is_rare_word``)."""
        return frozenset(n for n in self.names if any(is_rare_word(w) for w in n.split()))

    def uses_rare_name(self, question: str) -> bool:
        """Whether ``question`` uses one of the topic's rare names anywhere ("tuan le vang dates")."""
        text = fold(question)
        return any(has_word(text, n) for n in self.rare_names)

    def uses_topic_term(self, question: str) -> bool:
        """Whether ``question`` uses one of the topic's rare terms ("the mausoleum", ``topic_terms``)."""
        return bool(self.terms) and bool(self.terms.intersection(re.findall(r"[a-z]+", fold(question))))

    def evaluate(self, questions: list[str], labels: list[int]) -> GateReport:
        from sklearn.metrics import precision_recall_fscore_support

        decisions = self.classify(questions)
        scores = [d.score for d in decisions]
        predicted = [int(d.related) for d in decisions]
        p, r, f, s = precision_recall_fscore_support(labels, predicted, labels=[1, 0], zero_division=0)
        errors = [
            {"question": q, "label": int(y), "score": round(sc, 4)}
            for q, y, yhat, sc in zip(questions, labels, predicted, scores)
            if y != yhat
        ]
        return GateReport(
            threshold=self.threshold,
            related=ClassMetrics(float(p[0]), float(r[0]), float(f[0]), int(s[0])),
            unrelated=ClassMetrics(float(p[1]), float(r[1]), float(f[1]), int(s[1])),
            errors=errors,
        )

    def save(self, directory: Path) -> Path:
        import joblib

        directory.mkdir(parents=True, exist_ok=True)
        with atomic_path(directory / GATE_FILE) as tmp:
            joblib.dump(self.pipeline, tmp)
        atomic_write_json(
            directory / GATE_META_FILE,
            dict(self.metadata, threshold=self.threshold, names=sorted(self.names), subject_names=list(self.subject_names), terms=sorted(self.terms)),
        )
        return directory

    @classmethod
    def load(cls, directory: Path, threshold: float | None = None) -> "GateClassifier":
        import joblib

        path = directory / GATE_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{directory}: no trained gate found ({GATE_FILE}); run 'hcmqa gate train' first")
        meta_path = directory / GATE_META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        names = meta.pop("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{meta_path}: names: must be a list of strings; retrain with 'hcmqa gate train'")
        # a gate saved before the rule existed lets nothing through by the subject's name
        subject_names = meta.pop("subject_names", [])
        if not isinstance(subject_names, list) or not all(isinstance(n, str) for n in subject_names):
            raise ValueError(f"{meta_path}: subject_names: must be a list of strings; retrain with 'hcmqa gate train'")
        # nor one saved before topic terms by a term
        terms = meta.pop("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError(f"{meta_path}: terms: must be a list of strings; retrain with 'hcmqa gate train'")
        threshold = threshold if threshold is not None else meta.get("threshold", DEFAULT_GATE_THRESHOLD)
        return cls(joblib.load(path), threshold=threshold, metadata=meta, names=names, subject_names=subject_names, terms=terms)


def _versions() -> dict:
    import joblib
    import numpy
    import sklearn

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "joblib": joblib.__version__}
