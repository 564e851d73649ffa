"""Dataset ingest: an uploaded set of files -> the library's validators -> a built dataset.

The web app only saves an upload (documents and a QA CSV, in a staging folder under
``<home>/uploads``) and stores a ``pending`` Dataset row with an ingest job for it
(``jobs.dataset_id``). This job, on the ``cpu`` queue, checks every file with the same rules
the CLI applies (``hcmqa.data.documents.load_document`` per document,
``hcmqa.data.qa.load_qa_csv`` for the QA CSV) and builds the dataset with
``hcmqa.data.build.build_dataset`` -- passages, deterministic splits, the bundled off-topic
questions for the gate, ``manifest.json`` -- which is exactly the directory a trial trains on.

Every problem is reported at once, one ``file:row: message`` sentence each, naming the files
as the user uploaded them. A refused upload leaves no files behind: the Dataset row is marked
``failed`` with its problems, which is all the dataset page needs. A worker killed half-way
leaves the uploaded files for the next attempt (the build itself writes to a temporary
folder and renames it into place).

Layout of an accepted upload::

    uploads/<id>/documents/<file>        the documents as uploaded (names made safe)
    uploads/<id>/qa.csv                  the QA CSV as uploaded
    uploads/<id>/topic.yaml|topic.json   the topic profile, uploaded or written by the form (optional)
    uploads/<id>/nearmiss.csv            off-topic questions close to the topic (optional)
    uploads/<id>/<name>-<version>/       the built dataset (Dataset.path; has manifest.json)

Job payload: ``staging`` (the folder under ``uploads/`` the web app saved the files in),
``documents`` (``[saved name, uploaded name]`` pairs), ``qa_csv`` (the QA file's uploaded
name), and ``topic`` and ``nearmiss`` (``[saved name, uploaded name]``) when given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.jobs import dataset_failed, dataset_ready
from db.models import Dataset, DatasetStatus, Job, JobStatus
from hcmqa.home import Home
from worker.heartbeat import StopReason
from worker.lifecycle import JobContext, JobStopped, Outcome, describe_error

log = logging.getLogger(__name__)

#: What the web app may name a staging folder (``tempfile.mkdtemp(prefix=".staging-")``).
_STAGING_RE = re.compile(r"^\.staging-[A-Za-z0-9_]+$")
#: The uploaded files inside an upload's folder; anything else there is a build's.
_INPUTS = frozenset({"documents", "qa.csv", "topic.yaml", "topic.json", "nearmiss.csv"})
#: The names the web app saves a topic profile and near-miss questions under.
_TOPIC_NAMES = frozenset({"topic.yaml", "topic.json"})
_NEARMISS_NAME = "nearmiss.csv"

#: ``report(progress, phase, step, total)``: where the ingest is, for the job's progress.
Report = Callable[[float, str, Optional[int], Optional[int]], None]


class UploadRefused(ValueError):
    """The upload cannot become a dataset; ``problems`` lists one sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the upload")


@dataclass(frozen=True)
class Upload:
    """An upload's files as saved in ``folder``, with the names the user gave them."""

    folder: Path
    name: str
    documents: tuple[tuple[str, str], ...]  # (saved name, uploaded name)
    qa_csv: str  # the QA file's uploaded name
    topic: Optional[tuple[str, str]] = None  # (saved name, uploaded name)
    nearmiss: Optional[tuple[str, str]] = None  # (saved name, uploaded name)

    @property
    def documents_dir(self) -> Path:
        return self.folder / "documents"

    @property
    def qa_path(self) -> Path:
        return self.folder / "qa.csv"

    def labels(self) -> list[tuple[Path, str]]:
        """Saved path -> uploaded name, for every file."""
        saved = [(self.documents_dir / stored, original) for stored, original in self.documents]
        extra = [(self.folder / pair[0], pair[1]) for pair in (self.topic, self.nearmiss) if pair]
        return saved + [(self.qa_path, self.qa_csv)] + extra


def relabel(message: str, labels: list[tuple[Path, str]]) -> str:
    """Replace saved paths in a validator message by the names the user uploaded."""
    for path, original in labels:
        message = message.replace(str(path), original)
    return message


def _no_report(progress: float, phase: str, step: Optional[int], total: Optional[int]) -> None:
    return None


#: At most this many audit findings are kept in the ingest job's report (the CLI's ``hcmqa
#: data audit`` lists them all).
AUDIT_SHOWN = 50


def build_upload(upload: Upload, report: Report = _no_report) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Validate every file, then build the dataset inside the upload's folder.

    Returns the built directory, its manifest and its data audit (``clean``, the number of
    open ``findings`` and the first ``AUDIT_SHOWN`` of them as sentences naming the uploaded
    files; findings are warnings, never a refusal); raises :class:`UploadRefused` with every
    problem found, relabelled to the uploaded names. Imported here: the validators and the
    build pull in NLTK, which the rest of the worker only needs for answering.
    """
    from hcmqa.data.build import DEFAULT_OFFTOPIC, build_dataset
    from hcmqa.data.documents import DocumentError, load_document
    from hcmqa.data.qa import ValidationError, load_qa_csv

    labels = upload.labels()
    problems: list[str] = []
    total = len(upload.documents)
    for step, (stored, _) in enumerate(upload.documents, start=1):
        report(0.05 + 0.45 * (step - 1) / max(total, 1), "checking documents", step, total)
        try:
            load_document(upload.documents_dir / stored)
        except DocumentError as exc:
            problems.append(relabel(str(exc), labels))
    report(0.5, "checking the QA CSV", None, None)
    try:
        load_qa_csv(upload.qa_path)
    except ValidationError as exc:
        problems.extend(relabel(p, labels) for p in exc.problems)
    if upload.topic:
        from hcmqa.topic import TopicError, load_topic

        try:
            load_topic(upload.folder / upload.topic[0])
        except TopicError as exc:
            problems.extend(relabel(p, labels) for p in exc.problems)
    if problems:
        raise UploadRefused(problems)

    report(0.6, "building", None, None)
    try:
        result = build_dataset(docs_dir=upload.documents_dir, qa_csv=upload.qa_path,
                               offtopic_csv=DEFAULT_OFFTOPIC, out_root=upload.folder, name=upload.name,
                               topic=upload.folder / upload.topic[0] if upload.topic else None,
                               nearmiss_csv=upload.folder / upload.nearmiss[0] if upload.nearmiss else None)
    except (ValidationError, DocumentError) as exc:
        found = exc.problems if isinstance(exc, ValidationError) else str(exc).splitlines()
        raise UploadRefused([relabel(p, labels) for p in found]) from None
    audit: dict[str, Any] = {"clean": True, "findings": 0, "shown": []}
    if result.audit is not None:
        found = result.audit.open_findings
        audit = {"clean": result.audit.clean, "findings": len(found),
                 "shown": [relabel(f.line(), labels + [(upload.documents_dir, "documents")]) for f in found[:AUDIT_SHOWN]]}
    return result.path, result.manifest, audit


def content_hash(manifest: dict[str, Any]) -> str:
    """The digest of a built dataset's files (the same one ``worker.datasets`` records)."""
    return hashlib.sha256(json.dumps(manifest.get("files", {}), sort_keys=True).encode()).hexdigest()


def duplicate_problem(session: Session, dataset_id: int, name: str, version: str) -> Optional[str]:
    """The sentence for an upload whose files are already another dataset, or None."""
    existing = session.scalar(
        select(Dataset).where(Dataset.name == name, Dataset.version == version, Dataset.id != dataset_id)
    )
    if existing is None:
        return None
    return f"these exact files were already uploaded as dataset #{existing.id} ({name} version {version})"


def mark_ready(dataset_id: int, path: Path, manifest: dict[str, Any]) -> Callable[[Session], None]:
    """The write that makes a pending dataset usable (in the job's finishing transaction)."""

    def apply(session: Session) -> None:
        dataset_ready(session, dataset_id, version=str(manifest["version"]), content_hash=content_hash(manifest),
                      path=str(path.resolve()), counts=manifest["counts"], splits=manifest["splits"],
                      inputs=manifest.get("inputs"))

    return apply


def mark_failed(dataset_id: int, problems: list[str]) -> Callable[[Session], None]:
    """The write that records why an upload was refused (in the job's finishing transaction)."""

    def apply(session: Session) -> None:
        dataset_failed(session, dataset_id, problems)

    return apply


def upload_folder(uploads: Path, dataset_id: int, staging: Any) -> Path:
    """``uploads/<id>``, moved there from the web app's staging folder on the first attempt."""
    folder = uploads / str(dataset_id)
    if folder.is_dir():
        # An earlier attempt moved it; drop what a killed build left (its temporary folders).
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name not in _INPUTS:
                shutil.rmtree(entry, ignore_errors=True)
        return folder
    if not isinstance(staging, str) or not _STAGING_RE.match(staging):
        raise ValueError(f"the ingest job names no valid staging folder ({staging!r})")
    source = uploads / staging
    if not source.is_dir():
        raise FileNotFoundError(
            f"the uploaded files are not in uploads/{staging} on this worker; workers must share "
            "the HCMQA_HOME volume of the web app"
        )
    os.chmod(source, 0o755)
    os.replace(source, folder)
    return folder


def _upload_of(payload: dict[str, Any], folder: Path, name: str) -> Upload:
    documents = tuple((str(stored), str(original)) for stored, original in payload.get("documents") or [])
    for stored, _ in documents:
        if Path(stored).name != stored or stored.startswith("."):
            raise ValueError(f"the ingest job names a document outside its folder ({stored!r})")
    topic = _saved_file(payload.get("topic"), _TOPIC_NAMES, "topic")
    nearmiss = _saved_file(payload.get("nearmiss"), frozenset({_NEARMISS_NAME}), "nearmiss")
    return Upload(folder, name, documents, str(payload.get("qa_csv") or "qa.csv"), topic, nearmiss)


def _saved_file(value: Any, allowed: frozenset[str], key: str) -> Optional[tuple[str, str]]:
    """A payload's ``[saved name, uploaded name]`` for an optional file, the saved name checked."""
    if not value:
        return None
    stored, original = (str(v) for v in value)
    if stored not in allowed:
        raise ValueError(f"the ingest job names an unexpected {key} file ({stored!r})")
    return stored, original


def ingest_dataset(ctx: JobContext) -> Outcome:
    """Validate and build the job's upload; the dataset ends ready, or failed with its problems."""
    with ctx.session() as session:
        job = session.get(Job, ctx.job_id)
        dataset = session.get(Dataset, job.dataset_id) if job is not None and job.dataset_id else None
        if dataset is None:
            return Outcome(JobStatus.failed, f"job {ctx.job_id} has no dataset to build")
        if dataset.status != DatasetStatus.pending:
            return Outcome(JobStatus.succeeded, summary={"dataset": dataset.id, "already": dataset.status.value})
        dataset_id, name = dataset.id, dataset.name

    folder: Optional[Path] = None
    try:
        folder = upload_folder(Home(ctx.home).uploads_dir, dataset_id, ctx.payload.get("staging"))
        upload = _upload_of(ctx.payload, folder, name)

        def report(progress: float, phase: str, step: Optional[int], total: Optional[int]) -> None:
            ctx.check_stop()
            detail: dict[str, Any] = {"phase": phase}
            if step is not None:
                detail.update(step=step, total=total)
            ctx.report(progress=progress, detail=detail)

        built, manifest, audit = build_upload(upload, report)
        with ctx.session() as session:
            duplicate = duplicate_problem(session, dataset_id, name, str(manifest["version"]))
        if duplicate:
            raise UploadRefused([duplicate])
    except UploadRefused as exc:
        return _refused(ctx, dataset_id, folder, exc.problems)
    except JobStopped:
        _discard(ctx, folder)
        return ctx.stopped_outcome(mark_failed(dataset_id, ["the ingest was cancelled before it finished"]))
    except Exception as exc:  # noqa: BLE001 - the upload is refused with the reason, not left pending
        log.exception("job %s: ingest of dataset %s failed", ctx.job_id, dataset_id)
        reason = _without_home(describe_error(exc), ctx.home)
        _discard(ctx, folder)
        return Outcome(JobStatus.failed, reason, mark_failed(dataset_id, [f"the dataset could not be built: {reason}"]))
    ctx.report(progress=1.0, detail={"phase": "stored", "version": manifest["version"], "audit": audit})
    return Outcome(JobStatus.succeeded, apply=mark_ready(dataset_id, built, manifest),
                   summary={"dataset": dataset_id, "version": manifest["version"]})


def _refused(ctx: JobContext, dataset_id: int, folder: Optional[Path], problems: list[str]) -> Outcome:
    _discard(ctx, folder)
    ctx.report(progress=1.0, detail={"phase": "refused", "problems": len(problems)})
    return Outcome(JobStatus.failed, f"{len(problems)} problem(s) in the upload; see the dataset's page",
                   mark_failed(dataset_id, problems))


def _without_home(message: str, home: Path) -> str:
    """``message`` with this worker's HCMQA_HOME written as such: admins see no host paths."""
    for path in sorted({str(home.resolve()), str(home)}, key=len, reverse=True):
        message = message.replace(path, "HCMQA_HOME")
    return message


def _discard(ctx: JobContext, folder: Optional[Path]) -> None:
    """Nothing half-written: a refused upload keeps neither its files nor a partial build.

    Unless the job was taken over: the files are then its new owner's.
    """
    try:
        ctx.check_stop()
    except JobStopped as exc:
        if exc.reason is StopReason.lost:
            return
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
