"""Build a versioned dataset directory from documents, a QA CSV and off-topic questions.

Layout of a built dataset (``<out>/<name>-<version>/``)::

    manifest.json     inputs with content hashes, counts, splits, settings, file hashes
    passages.jsonl    one passage per line (id, doc, title, section, text)
    qa.csv            question, answer, key_facts, fact_id, split
    offtopic.csv      question (negative examples for the topic gate: the off-topic set, less
                      the bundled topic's own near-misses when the topic is another, plus
                      the topic's near-misses when given)
    unanswerable-dev.csv  question (on-topic questions the documents cannot answer; optional:
                      they calibrate when to decline, with the val split)
    topic.json        the topic profile (``hcmqa.topic``): the subject, its names and
                      pronouns, the system prompts, refusals and sample questions

The version is a hash of the inputs and settings, so rebuilding unchanged inputs gives the
same directory. Everything is validated first and written to a temporary directory that is
renamed into place only when complete: a failed build leaves nothing behind.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from hcmqa.data.audit import DEFAULT_ALLOW, AuditReport, audit_pairs, facts_found_in_corpus
from hcmqa.data.documents import DocumentError, load_documents
from hcmqa.data.passages import chunk_documents, write_passages
from hcmqa.data.qa import SPLITS, UNANSWERABLE_FILE, ValidationError, assign_splits, load_offtopic_csv, load_qa_csv, load_unanswerable_csv, write_qa_csv
from hcmqa.fileio import atomic_directory
from hcmqa.text import question_key
from hcmqa.topic import DATASET_TOPIC_FILE, DEFAULT_TOPIC, TOPIC_FILE, TopicError, TopicProfile, default_topic, load_topic, pack_paths

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEFAULT_DOCS = RESOURCES / "corpus"
DEFAULT_QA = RESOURCES / "qa" / "qa.csv"
DEFAULT_OFFTOPIC = RESOURCES / "offtopic" / "offtopic.csv"
# Topic packs that ship with the package (``hcmqa topic add``, ``bench/quality --topic NAME``)
TOPICS_DIR = RESOURCES / "topics"
# Categories of the bundled off-topic set that are near-misses of the bundled topic ("near-hcmc-food"):
# kept for that topic only; another topic gets the generic categories and its own near-misses.
NEAR_MISS_PREFIX = "near-"
# Development questions for the bundled topic; resources/qa/unanswerable.csv is kept apart as
# the held-out test set of bench/quality.
DEFAULT_UNANSWERABLE = RESOURCES / "qa" / UNANSWERABLE_FILE
# part of every dataset version: a change to how the inputs become a dataset must not reuse a
# dataset built the old way under the same settings (2: passages follow paragraphs)
FORMAT_VERSION = 2


@dataclass(frozen=True)
class BuildResult:
    path: Path
    manifest: dict
    reused: bool
    audit: AuditReport | None = None  # findings are warnings: printed, never fatal to a build
    warnings: tuple[str, ...] = ()  # printed, never fatal (a topic profile taken by default, say)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_dataset(
    docs_dir: Path = DEFAULT_DOCS,
    qa_csv: Path = DEFAULT_QA,
    offtopic_csv: Path | None = DEFAULT_OFFTOPIC,
    out_root: Path = Path("datasets"),
    name: str = "default",
    max_words: int = 100,
    unseen_fraction: float = 0.15,
    seed: str = "hcmqa-v1",
    unanswerable_csv: Path | None = None,
    topic: Path | None = None,
    nearmiss_csv: Path | None = None,
) -> BuildResult:
    """Validate the inputs, then write the dataset atomically; raises ``ValidationError``.

    ``unanswerable_csv`` holds on-topic questions the documents cannot answer; the bundled
    ones are used with the bundled QA set when none is given. ``topic`` is the topic profile
    (YAML or JSON); without one, the documents' own ``topic.yaml``, else the bundled profile
    (a warning when the documents are not the bundled ones). ``nearmiss_csv`` holds off-topic
    questions close to the topic (column ``question``): the gate learns them as off topic.
    With the bundled off-topic set and a topic other than the bundled one, that set's
    near-misses of the bundled topic (categories ``near-...``) and its questions that name
    the topic's subject are left out.
    """
    if unanswerable_csv is None and Path(qa_csv).resolve() == DEFAULT_QA.resolve():
        unanswerable_csv = DEFAULT_UNANSWERABLE
    problems: list[str] = []
    docs = []
    try:
        docs = load_documents(docs_dir)
    except DocumentError as exc:
        problems.extend(str(exc).splitlines())
    pairs = []
    try:
        pairs = load_qa_csv(qa_csv)
    except ValidationError as exc:
        problems.extend(exc.problems)

    def questions(load, path: Path | None) -> list[str]:
        """The questions of an optional question file; its problems join the others."""
        if path is None:
            return []
        try:
            return load(path)
        except ValidationError as exc:
            problems.extend(exc.problems)
            return []

    warnings: list[str] = []
    if topic is None:
        topic = Path(docs_dir) / TOPIC_FILE if (Path(docs_dir) / TOPIC_FILE).is_file() else DEFAULT_TOPIC
        if topic == DEFAULT_TOPIC and Path(docs_dir).resolve() != DEFAULT_DOCS.resolve():
            warnings.append(f"no topic profile given (--topic FILE, or {TOPIC_FILE} beside the documents): using the bundled one ({DEFAULT_TOPIC.name})")
    profile: TopicProfile | None = None
    try:
        profile = load_topic(Path(topic))
    except TopicError as exc:
        problems.extend(exc.problems)

    offtopic = questions(load_offtopic_csv, offtopic_csv)
    if offtopic and profile is not None and offtopic_csv is not None and Path(offtopic_csv).resolve() == DEFAULT_OFFTOPIC.resolve() and profile != default_topic():
        # nor those that name this topic's subject: "What did Marie Curie discover?" is a
        # general-science question for one museum and its own topic for another
        offtopic = [q for q in offtopic if q in _generic_offtopic() and not profile.names_subject(q)]
    nearmiss = questions(load_offtopic_csv, nearmiss_csv)
    if nearmiss:
        asked = {question_key(p.question): i for i, p in enumerate(pairs, start=2)}
        for line, q in enumerate(nearmiss, start=2):
            if question_key(q) in asked:
                problems.append(f"{nearmiss_csv}:{line}: {q!r} is also a QA question (row {asked[question_key(q)]} of {Path(qa_csv).name}): a near-miss must be off topic")
        known = {question_key(q) for q in offtopic}
        offtopic = offtopic + [q for q in nearmiss if question_key(q) not in known]
    unanswerable = questions(load_unanswerable_csv, unanswerable_csv)
    if not isinstance(max_words, int) or max_words < 1:
        problems.append(f"max_words: must be a whole number of at least 1, got {max_words!r}")
    if not name or any(c in name for c in "/\\ ") or name.startswith("."):
        problems.append(f"name: {name!r} is not a valid dataset name (letters, digits, - and _ only)")
    if problems:
        raise ValidationError(problems)

    passages = chunk_documents(docs, root=docs_dir, max_words=max_words)
    facts_in_corpus = facts_found_in_corpus(pairs, " ".join(p.text for p in passages))
    # The bundled allow-list explains findings in the bundled QA set only.
    allow = DEFAULT_ALLOW if Path(qa_csv).resolve() == DEFAULT_QA.resolve() else None
    report = audit_pairs(pairs, docs, str(qa_csv), str(docs_dir), allow, unseen_fraction=unseen_fraction, seed=seed)
    pairs = assign_splits(pairs, unseen_fraction=unseen_fraction, seed=seed, eligible_unseen=facts_in_corpus)

    inputs = {
        "documents": [{"path": str(Path(d.path).relative_to(docs_dir)), "sha256": sha256_file(Path(d.path))} for d in docs],
        "qa": {"path": qa_csv.name, "sha256": sha256_file(qa_csv)},
        "offtopic": {"path": offtopic_csv.name, "sha256": sha256_file(offtopic_csv)} if offtopic_csv else None,
    }
    inputs["topic"] = {"path": Path(topic).name, "sha256": profile.sha256(), "subject": profile.subject, "description": profile.description}
    if nearmiss_csv is not None:
        inputs["nearmiss"] = {"path": Path(nearmiss_csv).name, "sha256": sha256_file(Path(nearmiss_csv))}
    if unanswerable_csv is not None:
        inputs["unanswerable"] = {"path": Path(unanswerable_csv).name, "sha256": sha256_file(Path(unanswerable_csv))}
    settings = {"max_words": max_words, "unseen_fraction": unseen_fraction, "seed": seed, "format": FORMAT_VERSION}
    version = hashlib.sha256(json.dumps([inputs, settings], sort_keys=True).encode()).hexdigest()[:12]
    target = out_root / f"{name}-{version}"
    if (target / "manifest.json").is_file():
        return BuildResult(target, json.loads((target / "manifest.json").read_text()), reused=True, audit=report, warnings=tuple(warnings))

    all_facts = {p.fact_id for p in pairs if p.fact_id}
    manifest = {
        "name": name,
        "version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": inputs,
        "settings": settings,
        "counts": {
            "documents": len(docs),
            "words": sum(d.word_count for d in docs),
            "passages": len(passages),
            "qa_pairs": len(pairs),
            "facts": len(all_facts),
            "facts_found_in_corpus": len(facts_in_corpus),
            "offtopic": len(offtopic),
            "nearmiss": len(nearmiss),
            "unanswerable": len(unanswerable),
        },
        "splits": {s: sum(1 for p in pairs if p.split == s) for s in SPLITS},
        "split_facts": {s: len({p.fact_id for p in pairs if p.split == s}) for s in SPLITS},
        "audit": {"clean": report.clean, "open_findings": len(report.open_findings), "findings": len(report.findings)},
        "topic": {"subject": profile.subject, "description": profile.description, "sha256": profile.sha256()},
    }
    out_root.mkdir(parents=True, exist_ok=True)
    with atomic_directory(target) as tmp:
        write_passages(passages, tmp / "passages.jsonl")
        write_qa_csv(pairs, tmp / "qa.csv")
        with (tmp / "offtopic.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["question"])
            writer.writerows([q] for q in offtopic)
        if unanswerable:
            with (tmp / UNANSWERABLE_FILE).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["question"])
                writer.writerows([q] for q in unanswerable)
        (tmp / DATASET_TOPIC_FILE).write_text(json.dumps(profile.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        manifest["files"] = {f.name: sha256_file(f) for f in sorted(tmp.iterdir())}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return BuildResult(target, manifest, reused=False, audit=report, warnings=tuple(warnings))


def build_pack(folder: Path, out_root: Path, name: str | None = None) -> BuildResult:
    """Build a topic pack (``hcmqa.topic.pack_paths``: topic.yaml, docs/, qa.csv, optional
    nearmiss.csv and unanswerable-dev.csv) with the bundled off-topic set; the dataset is named
    after the folder unless ``name`` is given."""
    import re

    paths = pack_paths(Path(folder))
    name = name or re.sub(r"[^A-Za-z0-9_-]+", "-", Path(folder).resolve().name).strip("-") or "topic"
    return build_dataset(
        docs_dir=paths["docs"],
        qa_csv=paths["qa"],
        offtopic_csv=DEFAULT_OFFTOPIC,
        out_root=out_root,
        name=name,
        unanswerable_csv=paths["unanswerable"],
        topic=paths["topic"],
        nearmiss_csv=paths["nearmiss"],
    )


@functools.lru_cache(maxsize=1)
def _generic_offtopic() -> frozenset[str]:
    """The bundled off-topic questions outside the bundled topic's near-miss categories."""
    with DEFAULT_OFFTOPIC.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["question"] for row in csv.DictReader(fh) if not (row.get("category") or "").startswith(NEAR_MISS_PREFIX))


def load_manifest(dataset_dir: Path) -> dict:
    path = dataset_dir / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{dataset_dir}: not a built dataset (no manifest.json); run 'hcmqa data build' first")
    return json.loads(path.read_text(encoding="utf-8"))


