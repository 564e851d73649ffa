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

import json
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
#: A topic profile file's types (``hcmqa.topic.load_topic`` reads both).
TOPIC_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
#: The pronoun sets the upload form offers for a profile it writes (subject, object,
#: possessive, reflexive), by the subject form.
PRONOUNS = {
    "he": ("he", "him", "his", "himself"),
    "she": ("she", "her", "her", "herself"),
    "they": ("they", "them", "their", "themselves"),
    "it": ("it", "it", "its", "itself"),
}
PRONOUN_ROLES = ("subject", "object", "possessive", "reflexive")


@dataclass(frozen=True)
class SubjectForm:
    """The upload form's fields for a topic profile it writes itself (no profile file given)."""

    subject: str = ""
    aliases: str = ""  # comma-separated
    pronouns: str = ""  # a key of PRONOUNS
    description: str = ""  # optional: "the life of <subject>" when empty

    @property
    def given(self) -> bool:
        return any(v.strip() for v in (self.subject, self.aliases, self.description))


def profile_from_form(form: SubjectForm, problems: list[str]) -> Optional[dict]:
    """The topic profile the form's fields describe, or None with its problems added.

    The worker validates it with the library's own rules, like an uploaded profile; here only
    what the form itself asks for is checked.
    """
    subject = " ".join(form.subject.split())
    if not subject:
        problems.append("subject: give the subject's name (or upload a topic profile file)")
    elif len(subject) > 100:
        problems.append(f"subject: at most 100 characters, got {len(subject)}")
    aliases = [" ".join(a.split()) for a in form.aliases.split(",") if a.strip()]
    if form.pronouns not in PRONOUNS:
        problems.append(f"pronouns: choose one of {', '.join(PRONOUNS)}")
    description = " ".join(form.description.split()) or f"the life of {subject}"
    if problems:
        return None
    return {
        "subject": subject,
        "description": description,
        "aliases": aliases,
        "other_names": [],
        "pronouns": dict(zip(PRONOUN_ROLES, PRONOUNS[form.pronouns])),
        "system_grounded": f"You answer visitors' questions about {description} in one or two short sentences, using only the numbered passages.",
        "system_closed": f"You answer visitors' questions about {description} in one or two short sentences.",
        "refusal_off_topic": f"I'm sorry, I can only answer questions about {description}.",
        "refusal_no_source": "I'm sorry, I could not find that in the museum's sources, so I won't guess.",
        "sample_questions": [f"Who was {subject}?" if form.pronouns in ("he", "she") else f"What is {subject}?"],
    }


@dataclass(frozen=True)
class StagedUpload:
    """An upload's files saved in ``folder`` (``documents/<file>``, ``qa.csv``, and
    ``topic.yaml``/``topic.json`` and ``nearmiss.csv`` when given)."""

    folder: Path
    name: str
    documents: list[tuple[str, str]]  # (saved name, uploaded name)
    qa_csv: str  # the QA file's uploaded name
    topic: Optional[tuple[str, str]] = None  # (saved name, uploaded name or "the upload form")
    nearmiss: Optional[tuple[str, str]] = None  # (saved name, uploaded name)

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
    uploads_root: Path,
    name: str,
    documents: list[FileStorage],
    qa_file: Optional[FileStorage],
    topic_file: Optional[FileStorage] = None,
    nearmiss_file: Optional[FileStorage] = None,
    subject: SubjectForm = SubjectForm(),
) -> StagedUpload:
    """Check what needs no library code and save the files; raises :class:`UploadRejected`
    with every problem found (nothing is kept then).

    The topic is an uploaded profile (``topic_file``), or the one the form's ``subject``
    fields describe, or, with neither, the bundled one."""
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
    topic_original = topic_file.filename if topic_file is not None and topic_file.filename else None
    profile = None
    if topic_original is not None:
        if subject.given:
            problems.append("subject: upload a topic profile file or fill in the subject's name, not both")
        if Path(topic_original).suffix.lower() not in TOPIC_SUFFIXES:
            problems.append(f"{topic_original}: the topic profile must be a .yaml or .json file (see the README's topic profile)")
    elif subject.given:
        profile = profile_from_form(subject, problems)
    nearmiss_original = nearmiss_file.filename if nearmiss_file is not None and nearmiss_file.filename else None
    if nearmiss_original is not None and Path(nearmiss_original).suffix.lower() != ".csv":
        problems.append(f"{nearmiss_original}: the near-miss questions must be a .csv file with a question column")
    uploads_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=uploads_root))
    try:
        saved = _save_documents(documents, folder / "documents", problems)
        if problems:
            raise UploadRejected(problems)
        assert qa_file is not None and qa_original is not None  # no problems: both were chosen
        qa_file.save(folder / "qa.csv")
        topic: Optional[tuple[str, str]] = None
        if topic_file is not None and topic_original is not None:
            stored = "topic.json" if Path(topic_original).suffix.lower() == ".json" else "topic.yaml"
            topic_file.save(folder / stored)
            topic = (stored, topic_original)
        elif profile is not None:
            (folder / "topic.json").write_text(json.dumps(profile, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            topic = ("topic.json", "the upload form")
        nearmiss: Optional[tuple[str, str]] = None
        if nearmiss_file is not None and nearmiss_original is not None:
            nearmiss_file.save(folder / "nearmiss.csv")
            nearmiss = ("nearmiss.csv", nearmiss_original)
        os.chmod(folder, 0o755)  # mkdtemp's 0700 would shut out a worker running as another user
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedUpload(folder, name, saved, qa_original, topic, nearmiss)
