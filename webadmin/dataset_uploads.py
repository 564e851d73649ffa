"""Dataset uploads, the web app's part: cheap checks, then the files saved for a worker.

The web app never validates a document or builds a dataset: that needs the document parsers
and NLTK, and takes a while on a large upload. It checks only what needs no library code --
a usable name, the files chosen, their types (the request size is capped by
``MAX_CONTENT_LENGTH``) -- and saves the files in a staging folder under
``<HCMQA_HOME>/uploads/``. The view then stores a pending Dataset row with an ingest job
(``jobs.submit_ingest``), which a ``cpu`` worker runs (``worker.ingest_job``): it moves the
folder to ``uploads/<dataset id>/``, validates with the library's own rules and builds.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from webadmin.uploads import UploadRejected

#: The document types the library reads (``hcmqa.data.documents.SUPPORTED_SUFFIXES``; a test
#: keeps the two equal). Written out so the web app needs none of the document code.
DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".md", ".markdown", ".txt"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class StagedUpload:
    """An upload's files saved in ``folder`` (``documents/<file>`` and ``qa.csv``)."""

    folder: Path
    name: str
    documents: list[tuple[str, str]]  # (saved name, uploaded name)
    qa_csv: str  # the QA file's uploaded name

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _save_documents(files: list[FileStorage], folder: Path, problems: list[str]) -> list[tuple[str, str]]:
    folder.mkdir(parents=True)
    saved: list[tuple[str, str]] = []
    used: set[str] = set()
    for storage in files:
        original = storage.filename or "(unnamed file)"
        suffix = Path(original).suffix.lower()
        safe = secure_filename(original)
        if not Path(safe).stem or Path(safe).suffix.lower() != suffix:
            # a name in non-Latin letters loses everything but its suffix to secure_filename
            safe = f"document-{len(saved) + 1}{suffix}"
        if suffix not in DOCUMENT_SUFFIXES:
            allowed = ", ".join(sorted(DOCUMENT_SUFFIXES))
            problems.append(f"{original}: unsupported document type {suffix or '(none)'!r}; upload {allowed} files")
            continue
        if safe.lower() in used:
            problems.append(f"{original}: two documents have the same name; rename one of them")
            continue
        used.add(safe.lower())
        storage.save(folder / safe)
        saved.append((safe, original))
    return saved


def stage_dataset(
    uploads_root: Path, name: str, documents: list[FileStorage], qa_file: Optional[FileStorage]
) -> StagedUpload:
    """Check what needs no library code and save the files; raises :class:`UploadRejected`
    with every problem found (nothing is kept then)."""
    problems: list[str] = []
    name = name.strip()
    if not _NAME_RE.match(name):
        problems.append("name: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    documents = [f for f in documents if f and f.filename]
    if not documents:
        problems.append("documents: choose at least one .html, .md or .txt document")
    qa_original = qa_file.filename if qa_file is not None and qa_file.filename else None
    if qa_original is None:
        problems.append("qa_csv: choose the QA CSV file (columns question, answer; optional key_facts, fact_id, split)")
    elif Path(qa_original).suffix.lower() != ".csv":
        problems.append(f"{qa_original}: the QA file must be a .csv file with columns question, answer "
                        "(optional key_facts, fact_id, split)")
    uploads_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=uploads_root))
    try:
        saved = _save_documents(documents, folder / "documents", problems)
        if problems:
            raise UploadRejected(problems)
        assert qa_file is not None and qa_original is not None  # no problems: both were chosen
        qa_file.save(folder / "qa.csv")
        os.chmod(folder, 0o755)  # mkdtemp's 0700 would shut out a worker running as another user
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedUpload(folder, name, saved, qa_original)
