"""Uploaded files -> validated, built datasets and question lists, every problem reported at once.

Dataset uploads are staged in a hidden folder and validated with the library's own
validators (``hcmqa.data.documents.load_document`` per document, ``hcmqa.data.qa.load_qa_csv``
for the QA CSV -- the same rules the CLI and the workers apply), so every problem is named by
the file (and row) the user uploaded. A valid upload is then built with
``hcmqa.data.build.build_dataset`` -- passages, deterministic splits, the bundled off-topic
questions for the gate, ``manifest.json`` -- which is exactly the directory a worker trains
on. Only then is the staging folder renamed to ``uploads/<dataset id>/``, in the same
transaction that creates the Dataset row. Any failure removes the staging folder and rolls
the row back: nothing is left half-written.

Layout of an accepted upload::

    uploads/<id>/documents/<file>        the documents as uploaded (names made safe)
    uploads/<id>/qa.csv                  the QA CSV as uploaded
    uploads/<id>/<name>-<version>/       the built dataset (Dataset.path; has manifest.json)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from db.models import Dataset
from hcmqa.data.documents import SUPPORTED_SUFFIXES, DocumentError, load_document
from hcmqa.data.qa import ValidationError, load_qa_csv
from hcmqa.questions import parse_questions
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
        suffix = Path(original).suffix.lower()
        safe = secure_filename(original)
        if not Path(safe).stem or Path(safe).suffix.lower() != suffix:
            # a name in non-Latin letters loses everything but its suffix to secure_filename
            safe = f"document-{len(saved) + 1}{suffix}"
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


def _validate_documents(saved: list[_Saved], problems: list[str]) -> None:
    for item in saved:
        try:
            load_document(item.path)
        except DocumentError as exc:
            problems.append(_relabel(str(exc), [item]))


def _validate_qa(qa_file: FileStorage, path: Path, problems: list[str]) -> None:
    original = qa_file.filename or "qa.csv"
    if Path(original).suffix.lower() != ".csv":
        problems.append(f"{original}: the QA file must be a .csv file with columns question, answer "
                        "(optional key_facts, fact_id, split)")
        return
    qa_file.save(path)
    try:
        load_qa_csv(path)
    except ValidationError as exc:
        problems.extend(_relabel(p, [_Saved(original, path)]) for p in exc.problems)


def _build(staging: Path, name: str, saved: list[_Saved], qa_original: str) -> Path:
    """Build the dataset inside ``staging``; raises :class:`UploadRejected` with relabelled problems.

    Imported here: the build pulls in NLTK (sentence splitting), which the rest of the web app
    never needs, so pages stay fast to serve after a restart.
    """
    from hcmqa.data.build import DEFAULT_OFFTOPIC, build_dataset

    try:
        result = build_dataset(docs_dir=staging / "documents", qa_csv=staging / "qa.csv",
                               offtopic_csv=DEFAULT_OFFTOPIC, out_root=staging, name=name)
    except (ValidationError, DocumentError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else str(exc).splitlines()
        labels = saved + [_Saved(qa_original, staging / "qa.csv")]
        raise UploadRejected([_relabel(p, labels) for p in problems]) from None
    return result.path


def ingest_dataset(
    session: Session, uploads_root: Path, name: str, documents: list[FileStorage], qa_file: Optional[FileStorage]
) -> Dataset:
    """Validate and build an upload and store it as a Dataset (committed); raises :class:`UploadRejected`."""
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
        _validate_documents(saved, problems)
        if qa_file is not None and qa_file.filename:
            _validate_qa(qa_file, staging / "qa.csv", problems)
        if problems:
            raise UploadRejected(problems)
        built = _build(staging, name, saved, qa_file.filename or "qa.csv")
        manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
        version = str(manifest["version"])
        existing = session.scalar(select(Dataset).where(Dataset.name == name, Dataset.version == version))
        if existing is not None:
            raise UploadRejected([f"these exact files were already uploaded as dataset #{existing.id} "
                                  f"({name} version {version})"])
        dataset = Dataset(
            name=name, version=version, path="", counts=dict(manifest["counts"]), splits=dict(manifest["splits"]),
            # The same digest the workers record for datasets they build themselves.
            content_hash=hashlib.sha256(json.dumps(manifest.get("files", {}), sort_keys=True).encode()).hexdigest(),
        )
        session.add(dataset)
        session.flush()
        final = uploads_root / str(dataset.id)
        if final.exists():
            # Left by a crash between rename and commit: no committed row can own this id.
            shutil.rmtree(final)
        os.chmod(staging, 0o755)
        os.replace(staging, final)
        dataset.path = str((final / built.name).resolve())
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

    The rules are :mod:`hcmqa.questions`' (the CLI's too); raises :class:`UploadRejected`
    naming the file and row of every problem, and refuses more than ``MAX_FAQ_QUESTIONS``.
    """
    if storage is None or not storage.filename:
        raise UploadRejected(["questions: choose a .csv file with a 'question' column or a .txt file with one question per line"])
    original = storage.filename
    suffix = Path(original).suffix.lower()
    if suffix not in QUESTION_LIST_SUFFIXES:
        raise UploadRejected([f"{original}: unsupported file type {suffix or '(none)'!r}; upload a .csv or .txt file"])
    try:
        return parse_questions(storage.read(), original, max_count=MAX_FAQ_QUESTIONS)
    except ValidationError as exc:
        raise UploadRejected(exc.problems) from None
