"""Uploaded files -> validated datasets and question lists, with every problem reported at once.

Dataset uploads are staged in a hidden folder, validated with the library's own validators
(``hcmqa.data.documents.load_document`` and ``hcmqa.data.qa.load_qa_csv`` -- the same rules
the CLI and the workers apply), and only then renamed to ``uploads/<dataset id>/`` in the
same transaction that creates the Dataset row. Any failure removes the staging folder and
rolls the row back: nothing is left half-written.

Layout of an accepted upload (what a worker gives to ``hcmqa.data.build.build_dataset``)::

    uploads/<id>/documents/<file>   the documents, names made safe
    uploads/<id>/qa.csv             the QA CSV as uploaded
    uploads/<id>/upload.json        name, version, file hashes, counts, splits preview
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from db.models import Dataset
from hcmqa.data.documents import SUPPORTED_SUFFIXES, DocumentError, load_document
from hcmqa.data.qa import MAX_QUESTION_CHARS, SPLITS, ValidationError, assign_splits, load_qa_csv, read_csv_rows
from hcmqa.text import fold, question_key
from webadmin.submissions import MAX_FAQ_QUESTIONS

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
QUESTION_LIST_SUFFIXES = (".csv", ".txt")


class UploadRejected(ValueError):
    """The upload is invalid; ``problems`` lists one ``file:row: message`` sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the upload")


@dataclass(frozen=True)
class _Saved:
    original: str  # the name the user sees in messages
    path: Path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relabel(message: str, saved: list[_Saved]) -> str:
    """Replace staging paths in a validator message by the names the user uploaded."""
    for item in saved:
        message = message.replace(str(item.path), item.original)
    return message


def _save_documents(files: list[FileStorage], folder: Path, problems: list[str]) -> list[_Saved]:
    folder.mkdir(parents=True)
    saved: list[_Saved] = []
    used: set[str] = set()
    for storage in files:
        original = storage.filename or "(unnamed file)"
        safe = secure_filename(original)
        suffix = Path(safe).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
            problems.append(f"{original}: unsupported document type {suffix or '(none)'!r}; upload {allowed} files")
            continue
        if safe.lower() in used:
            problems.append(f"{original}: two documents have the same name; rename one of them")
            continue
        used.add(safe.lower())
        path = folder / safe
        storage.save(path)
        saved.append(_Saved(original, path))
    return saved


def _validate_documents(saved: list[_Saved], problems: list[str]) -> list[Any]:
    documents = []
    for item in saved:
        try:
            documents.append(load_document(item.path))
        except DocumentError as exc:
            problems.append(_relabel(str(exc), [item]))
    return documents


def _validate_qa(qa_file: FileStorage, path: Path, problems: list[str]) -> list[Any]:
    original = qa_file.filename or "qa.csv"
    if Path(original).suffix.lower() != ".csv":
        problems.append(f"{original}: the QA file must be a .csv file with columns question, answer (optional key_facts, fact_id, split)")
        return []
    qa_file.save(path)
    try:
        return load_qa_csv(path)
    except ValidationError as exc:
        problems.extend(_relabel(p, [_Saved(original, path)]) for p in exc.problems)
        return []


def _summary(documents: list[Any], pairs: list[Any]) -> tuple[list[Any], dict[str, int], dict[str, int]]:
    """Deterministic splits (as ``hcmqa data build`` will make them) and counts for the report."""
    corpus = fold(" ".join(p for d in documents for s in d.sections for p in s.paragraphs))
    in_corpus = {
        p.fact_id for p in pairs if p.fact_id and p.key_facts and all(fold(f) in corpus for f in p.key_facts)
    }
    pairs = assign_splits(pairs, eligible_unseen=in_corpus)
    counts = {
        "documents": len(documents),
        "words": sum(d.word_count for d in documents),
        "qa_pairs": len(pairs),
        "facts": len({p.fact_id for p in pairs if p.fact_id}),
        "facts_found_in_corpus": len(in_corpus),
    }
    splits = {s: sum(1 for p in pairs if p.split == s) for s in SPLITS}
    return pairs, counts, splits


def ingest_dataset(
    session: Session, uploads_root: Path, name: str, documents: list[FileStorage], qa_file: Optional[FileStorage]
) -> Dataset:
    """Validate an upload and store it as a Dataset (committed); raises :class:`UploadRejected`."""
    problems: list[str] = []
    name = name.strip()
    if not _NAME_RE.match(name):
        problems.append("name: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    documents = [f for f in documents if f and f.filename]
    if not documents:
        problems.append("documents: choose at least one .html, .md or .txt document")
    if qa_file is None or not qa_file.filename:
        problems.append("qa_csv: choose the QA CSV file (columns question, answer; optional key_facts, fact_id, split)")
    uploads_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=uploads_root))
    final: Optional[Path] = None
    try:
        saved = _save_documents(documents, staging / "documents", problems)
        parsed = _validate_documents(saved, problems)
        pairs = _validate_qa(qa_file, staging / "qa.csv", problems) if qa_file and qa_file.filename else []
        if problems:
            raise UploadRejected(problems)
        pairs, counts, splits = _summary(parsed, pairs)
        files = {f"documents/{s.path.name}": _sha256(s.path) for s in saved}
        files["qa.csv"] = _sha256(staging / "qa.csv")
        content_hash = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
        version = content_hash[:12]
        existing = session.scalar(select(Dataset).where(Dataset.name == name, Dataset.version == version))
        if existing is not None:
            raise UploadRejected([f"these exact files were already uploaded as dataset #{existing.id} ({name} version {version})"])
        dataset = Dataset(name=name, version=version, content_hash=content_hash, path="", counts=counts, splits=splits)
        session.add(dataset)
        session.flush()
        manifest = {"name": name, "version": version, "files": files, "counts": counts, "splits": splits}
        (staging / "upload.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        final = uploads_root / str(dataset.id)
        if final.exists():
            # Left by a crash between rename and commit: no committed row can own this id.
            shutil.rmtree(final)
        os.chmod(staging, 0o755)
        os.replace(staging, final)
        dataset.path = str(final)
        session.commit()
        return dataset
    except BaseException:
        session.rollback()
        shutil.rmtree(staging, ignore_errors=True)
        if final is not None:
            shutil.rmtree(final, ignore_errors=True)
        raise


def parse_question_list(storage: Optional[FileStorage]) -> list[str]:
    """Questions from an uploaded ``.csv`` (a ``question`` column) or ``.txt`` (one per line).

    Raises :class:`UploadRejected` naming the file and row of every problem: empty or overlong
    questions, duplicates, undecodable bytes, a missing column.
    """
    if storage is None or not storage.filename:
        raise UploadRejected(["questions: choose a .csv file with a 'question' column or a .txt file with one question per line"])
    original = storage.filename
    suffix = Path(original).suffix.lower()
    if suffix not in QUESTION_LIST_SUFFIXES:
        raise UploadRejected([f"{original}: unsupported file type {suffix or '(none)'!r}; upload a .csv or .txt file"])
    data = storage.read()
    if suffix == ".csv":
        rows = _csv_questions(original, data)
    else:
        rows = _txt_questions(original, data)
    return _checked_questions(original, rows)


def _csv_questions(original: str, data: bytes) -> list[tuple[int, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload-{secrets.token_hex(4)}.csv"
        path.write_bytes(data)
        parsed = read_csv_rows(path, ("question",), ())
        saved = [_Saved(original, path)]
        if parsed.problems:
            raise UploadRejected([_relabel(p, saved) for p in parsed.problems])
    return [(line, row.get("question", "")) for line, row in parsed.rows]


def _txt_questions(original: str, data: bytes) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UploadRejected([f"{original}:{line}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8"]) from None
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _checked_questions(original: str, rows: list[tuple[int, str]]) -> list[str]:
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    for line, question in rows:
        if not question:
            problems.append(f"{original}:{line}: empty question")
        elif len(question) > MAX_QUESTION_CHARS:
            problems.append(f"{original}:{line}: question longer than {MAX_QUESTION_CHARS} characters")
        else:
            key = question_key(question)
            if key in first_seen:
                problems.append(f"{original}:{line}: duplicate question (same as row {first_seen[key]})")
            else:
                first_seen[key] = line
    if not rows:
        problems.append(f"{original}: no questions found")
    if len(rows) > MAX_FAQ_QUESTIONS:
        problems.append(f"{original}: {len(rows)} questions; at most {MAX_FAQ_QUESTIONS} per batch, split the file")
    if problems:
        raise UploadRejected(problems)
    return [question for _, question in rows]
