"""Topic gate: decides whether a question is about the topic before any generation.

TF-IDF features (word 1-2 grams and character 2-5 grams, so that unseen spellings and
near-misses such as "Ho Chi Minh City" are told apart) feed a
``LogisticRegression(class_weight="balanced")``. The decision threshold is configurable.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from hcmqa.config import DEFAULT_GATE_THRESHOLD
from hcmqa.fileio import atomic_path, atomic_write_json
from hcmqa.home import GATE_FILE, GATE_META_FILE
from hcmqa.retrieval import SUBJECT_NAMES, normalise_query
from hcmqa.text import fold


@dataclass(frozen=True)
class GateDecision:
    question: str
    related: bool
    score: float


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


def gate_data_from_dataset(dataset_dir: Path, heldout_offtopic_fraction: float = 0.2, subject_names: tuple[str, ...] = SUBJECT_NAMES) -> GateData:
    """Split a built dataset for the gate.

    Related questions: ``train`` and ``val`` train the gate; both test splits are held out,
    so the gate is scored on wordings and facts it never saw. Off-topic questions are held
    out by a hash of their text (deterministic).

    Each training question that names the subject is also added without the name (as
    retrieval reads it): most bundled questions name him, and a gate trained on them alone
    learns the name rather than the topic, refusing on-topic questions that do not name him
    ("where did he teach before going abroad"). Off-topic near-misses that name him ("Ho Chi
    Minh City") keep the name, since retrieval's normalisation keeps it there too.
    """
    from hcmqa.data.qa import load_offtopic_csv, load_qa_csv, unit_hash

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
    return GateData(tq, tl, hq, hl)


class GateClassifier:
    """A fitted TF-IDF + logistic-regression pipeline with its threshold and metadata."""

    def __init__(self, pipeline, threshold: float = DEFAULT_GATE_THRESHOLD, metadata: dict | None = None):
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold: must be between 0 and 1 (exclusive), got {threshold}")
        self.pipeline = pipeline
        self.threshold = threshold
        self.metadata = metadata or {}

    @classmethod
    def train(cls, questions: list[str], labels: list[int], threshold: float = DEFAULT_GATE_THRESHOLD, c: float = 10.0, seed: int = 0) -> "GateClassifier":
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
        return cls(pipeline, threshold=threshold, metadata=metadata)

    def scores(self, questions: list[str]) -> list[float]:
        if not questions:
            return []
        return [float(p) for p in self.pipeline.predict_proba(questions)[:, 1]]

    def classify(self, questions: list[str]) -> list[GateDecision]:
        return [GateDecision(q, s >= self.threshold, round(s, 4)) for q, s in zip(questions, self.scores(questions))]

    def evaluate(self, questions: list[str], labels: list[int]) -> GateReport:
        from sklearn.metrics import precision_recall_fscore_support

        scores = self.scores(questions)
        predicted = [int(s >= self.threshold) for s in scores]
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
        atomic_write_json(directory / GATE_META_FILE, dict(self.metadata, threshold=self.threshold))
        return directory

    @classmethod
    def load(cls, directory: Path, threshold: float | None = None) -> "GateClassifier":
        import joblib

        path = directory / GATE_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{directory}: no trained gate found ({GATE_FILE}); run 'hcmqa gate train' first")
        meta_path = directory / GATE_META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return cls(joblib.load(path), threshold=threshold if threshold is not None else meta.get("threshold", DEFAULT_GATE_THRESHOLD), metadata=meta)


def _versions() -> dict:
    import joblib
    import numpy
    import sklearn

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "joblib": joblib.__version__}
