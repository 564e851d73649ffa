"""Read-side queries shared by the admin web app and the CLI, so both show the same numbers."""

from __future__ import annotations

import csv
import re
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, Optional

from sqlalchemy import Executable, select
from sqlalchemy.orm import Session

from db.models import Dataset, DatasetStatus, Job, JobKind, JobStatus, MetricPoint, Trial, TrialStatus, utcnow

__all__ = [
    "CSV_HEADER",
    "CompareRow",
    "DashboardJob",
    "DatasetIngest",
    "TrialRow",
    "compare_trials",
    "dashboard_jobs",
    "dataset_ingest",
    "export_metrics_csv",
    "get_trial",
    "list_trials",
    "lower_is_better",
    "metric_names",
    "ready_datasets",
    "safe_csv_cell",
    "trial_metrics",
    "workers_online",
]

MAX_LIST_LIMIT = 500

CSV_HEADER: tuple[str, ...] = ("trial_id", "trial_name", "split", "name", "step", "value")

#: Leading characters that make spreadsheet apps evaluate a cell as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# "harmless ;=1+2" is two cells, the second a formula, where ';' separates fields
_FORMULA_AFTER_SEPARATOR = re.compile(r"[;,\t|]\s*[=+\-@]")

#: Substrings marking metrics where smaller is better (everything else: larger is better).
_LOWER_IS_BETTER_MARKERS = ("loss", "perplexity", "ppl", "error", "latency", "wer", "cer")


@dataclass(frozen=True, slots=True)
class TrialRow:
    """Lightweight trial listing row (no config blob, no metric points)."""

    id: int
    name: str
    status: TrialStatus
    mode: str
    base_model: str
    created_at: datetime
    finished_at: Optional[datetime]
    summary_metrics: Optional[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One (trial, split, metric) cell group of a comparison table.

    ``split`` and the values are None when the trial never reported that metric, so the
    table still has a row for it.
    """

    trial_id: int
    trial_name: str
    split: Optional[str]
    metric: str
    last_step: Optional[int]
    last_value: Optional[float]
    best_step: Optional[int]
    best_value: Optional[float]


@dataclass(frozen=True, slots=True)
class DashboardJob:
    """A queued or running job as shown on the dashboard, with an ETA estimate."""

    id: int
    kind: JobKind
    status: JobStatus
    trial_id: Optional[int]
    batch_id: Optional[int]
    dataset_id: Optional[int]
    worker: Optional[str]
    attempt: int
    max_attempts: int
    progress: float
    progress_detail: Optional[dict[str, Any]]
    cancel_requested: bool
    created_at: datetime
    started_at: Optional[datetime]
    heartbeat_at: Optional[datetime]
    eta_s: Optional[float]


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards so a search for "50%" matches literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_trials(
    session: Session,
    status: Optional[TrialStatus | str] = None,
    mode: Optional[str] = None,
    base_model: Optional[str] = None,
    search: Optional[str] = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TrialRow]:
    """Newest-first page of trials, optionally filtered.

    ``search`` is a case-insensitive substring of the name; ``limit`` is capped at
    ``MAX_LIST_LIMIT`` so a crafted query string cannot pull the whole table.
    """
    stmt = select(
        Trial.id,
        Trial.name,
        Trial.status,
        Trial.mode,
        Trial.base_model,
        Trial.created_at,
        Trial.finished_at,
        Trial.summary_metrics,
    )
    if status is not None:
        stmt = stmt.where(Trial.status == TrialStatus(status))
    if mode is not None:
        stmt = stmt.where(Trial.mode == mode)
    if base_model is not None:
        stmt = stmt.where(Trial.base_model == base_model)
    if search:
        stmt = stmt.where(Trial.name.ilike(f"%{_escape_like(search)}%", escape="\\"))
    stmt = (
        stmt.order_by(Trial.created_at.desc(), Trial.id.desc())
        .limit(max(0, min(limit, MAX_LIST_LIMIT)))
        .offset(max(0, offset))
    )
    return [TrialRow(**row._asdict()) for row in session.execute(stmt)]


def get_trial(session: Session, trial_id: int) -> Optional[Trial]:
    """The full trial (config, dataset, errors) or None."""
    return session.get(Trial, trial_id)


def trial_metrics(
    session: Session,
    trial_id: int,
    name: Optional[str] = None,
    split: Optional[str] = None,
) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """Curves of one trial keyed by (split, name), each a step-ordered list of (step, value)."""
    stmt = select(MetricPoint.split, MetricPoint.name, MetricPoint.step, MetricPoint.value).where(
        MetricPoint.trial_id == trial_id
    )
    if name is not None:
        stmt = stmt.where(MetricPoint.name == name)
    if split is not None:
        stmt = stmt.where(MetricPoint.split == split)
    stmt = stmt.order_by(MetricPoint.split, MetricPoint.name, MetricPoint.step)
    curves: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for row in session.execute(stmt):
        curves[(row.split, row.name)].append((row.step, row.value))
    return dict(curves)


def metric_names(session: Session, trial_id: int) -> list[str]:
    """Distinct metric names a trial reported, sorted (for metric pickers)."""
    stmt = (
        select(MetricPoint.name)
        .where(MetricPoint.trial_id == trial_id)
        .distinct()
        .order_by(MetricPoint.name)
    )
    return list(session.scalars(stmt))


def lower_is_better(metric: str) -> bool:
    """Whether "best" means minimum for this metric (losses, errors, latency)."""
    lowered = metric.lower()
    return any(marker in lowered for marker in _LOWER_IS_BETTER_MARKERS)


def compare_trials(
    session: Session, trial_ids: Sequence[int], names: Sequence[str]
) -> list[CompareRow]:
    """Last and best value of each requested metric for each trial, per split.

    Rows follow the order of ``trial_ids`` then ``names``, splits sorted; unknown trial ids
    are skipped. "Best" is the minimum for loss-like metrics, else the maximum (ties keep
    the earliest step).
    """
    if not trial_ids or not names:
        return []
    trial_names: dict[int, str] = {
        row.id: row.name
        for row in session.execute(select(Trial.id, Trial.name).where(Trial.id.in_(trial_ids)))
    }
    stmt = (
        select(
            MetricPoint.trial_id,
            MetricPoint.split,
            MetricPoint.name,
            MetricPoint.step,
            MetricPoint.value,
        )
        .where(MetricPoint.trial_id.in_(trial_ids), MetricPoint.name.in_(names))
        .order_by(MetricPoint.trial_id, MetricPoint.name, MetricPoint.split, MetricPoint.step)
    )
    # (trial_id, name) -> split -> [(step, value), ...] in step order
    series: dict[tuple[int, str], dict[str, list[tuple[int, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in session.execute(stmt):
        series[(row.trial_id, row.name)][row.split].append((row.step, row.value))

    rows: list[CompareRow] = []
    seen: set[int] = set()
    for trial_id in trial_ids:
        if trial_id not in trial_names or trial_id in seen:
            continue
        seen.add(trial_id)
        for metric in dict.fromkeys(names):
            by_split = series.get((trial_id, metric))
            if not by_split:
                rows.append(
                    CompareRow(
                        trial_id, trial_names[trial_id], None, metric, None, None, None, None
                    )
                )
                continue
            sign = 1.0 if lower_is_better(metric) else -1.0
            for split in sorted(by_split):
                points = by_split[split]
                last_step, last_value = points[-1]
                best_step, best_value = min(points, key=lambda p: (sign * p[1], p[0]))
                rows.append(
                    CompareRow(
                        trial_id=trial_id,
                        trial_name=trial_names[trial_id],
                        split=split,
                        metric=metric,
                        last_step=last_step,
                        last_value=last_value,
                        best_step=best_step,
                        best_value=best_value,
                    )
                )
    return rows


def safe_csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in a CSV cell.

    Strings starting with ``= + - @`` (or tab/CR), or holding one of them right after a field
    separator of some locale (``; , | tab``), get a leading single quote so Excel or
    LibreOffice show them as text instead of executing them; trial names and metric names
    are user-controlled. Writers also quote every text cell (``QUOTE_NONNUMERIC``), so a
    separator inside a cell never splits it. Non-strings (e.g. a negative float) are
    returned unchanged.
    """
    if isinstance(value, str) and (value.startswith(_FORMULA_PREFIXES) or _FORMULA_AFTER_SEPARATOR.search(value)):
        return "'" + value
    return value


def export_metrics_csv(
    session: Session,
    trial_ids: Sequence[int],
    out_file: str | os.PathLike[str] | IO[str],
) -> int:
    """Write the metric points of ``trial_ids`` as CSV; returns the number of data rows.

    Columns: trial_id, trial_name, split, name, step, value. Accepts a path or an open text
    file (open files are not closed). Rows are streamed, so large trials do not load at once.
    """
    stmt = (
        select(
            MetricPoint.trial_id,
            Trial.name.label("trial_name"),
            MetricPoint.split,
            MetricPoint.name,
            MetricPoint.step,
            MetricPoint.value,
        )
        .join(Trial, Trial.id == MetricPoint.trial_id)
        .where(MetricPoint.trial_id.in_(list(trial_ids)))
        .order_by(MetricPoint.trial_id, MetricPoint.split, MetricPoint.name, MetricPoint.step)
        .execution_options(yield_per=1000)
    )
    if isinstance(out_file, (str, os.PathLike)):
        with open(out_file, "w", newline="", encoding="utf-8") as handle:
            return _write_metric_rows(session, stmt if trial_ids else None, handle)
    return _write_metric_rows(session, stmt if trial_ids else None, out_file)


def _write_metric_rows(session: Session, stmt: Optional[Executable], handle: IO[str]) -> int:
    """Header plus neutralised data rows; ``stmt=None`` writes the header only."""
    writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CSV_HEADER)
    count = 0
    if stmt is not None:
        for row in session.execute(stmt):
            writer.writerow([safe_csv_cell(cell) for cell in row])
            count += 1
    return count


def _eta_seconds(job: Job, now: datetime) -> Optional[float]:
    """Best-effort remaining time for a running job.

    Prefers the worker's own ``eta_s`` (aged by the time since that heartbeat), then linear
    extrapolation from progress (or step/total) and elapsed time since start.
    """
    if job.status is not JobStatus.running:
        return None
    detail = job.progress_detail or {}
    eta = detail.get("eta_s")
    if isinstance(eta, (int, float)) and not isinstance(eta, bool) and math.isfinite(eta):
        since_beat = (now - job.heartbeat_at).total_seconds() if job.heartbeat_at else 0.0
        return max(0.0, float(eta) - max(0.0, since_beat))
    fraction = job.progress or 0.0
    step, total = detail.get("step"), detail.get("total")
    if (
        fraction <= 0
        and isinstance(step, (int, float))
        and isinstance(total, (int, float))
        and total > 0
    ):
        fraction = min(1.0, max(0.0, step / total))
    if job.started_at is None or fraction <= 0:
        return None
    if fraction >= 1:
        return 0.0
    elapsed = max(0.0, (now - job.started_at).total_seconds())
    return elapsed * (1.0 - fraction) / fraction


def dashboard_jobs(session: Session, *, now: Optional[datetime] = None) -> list[DashboardJob]:
    """Queued and running jobs, running first then oldest first, with progress and ETA."""
    now = now if now is not None else utcnow()
    stmt = (
        select(Job)
        .where(Job.status.in_([JobStatus.queued, JobStatus.running]))
        .order_by((Job.status == JobStatus.running).desc(), Job.created_at, Job.id)
    )
    return [
        DashboardJob(
            id=job.id,
            kind=job.kind,
            status=job.status,
            trial_id=job.trial_id,
            batch_id=job.batch_id,
            dataset_id=job.dataset_id,
            worker=job.worker,
            attempt=job.attempt,
            max_attempts=job.max_attempts,
            progress=job.progress,
            progress_detail=job.progress_detail,
            cancel_requested=job.cancel_requested,
            created_at=job.created_at,
            started_at=job.started_at,
            heartbeat_at=job.heartbeat_at,
            eta_s=_eta_seconds(job, now),
        )
        for job in session.scalars(stmt)
    ]


def workers_online(
    session: Session, within_s: float = 60, *, now: Optional[datetime] = None
) -> list[str]:
    """Names of workers that heart-beat a job within the last ``within_s`` seconds, sorted.

    Derived from job heartbeats, so an idle worker (no job for a while) is not listed.
    """
    now = now if now is not None else utcnow()
    cutoff = now - timedelta(seconds=within_s)
    stmt = (
        select(Job.worker)
        .where(Job.worker.is_not(None), Job.heartbeat_at >= cutoff)
        .distinct()
        .order_by(Job.worker)
    )
    return [worker for worker in session.scalars(stmt) if worker]


# --- datasets -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatasetIngest:
    """Where a dataset stands, as its pages show it.

    ``state`` is ``ready`` or ``failed`` once the ingest job wrote its outcome, else the job's
    ``queued`` or ``running``. A job that ended without writing one (cancelled while queued,
    given up after its workers died) leaves the dataset ``failed`` with the job's error.
    """

    state: str
    problems: list[str]
    job: Optional[Job]


def _ingest_job(session: Session, dataset_id: int) -> Optional[Job]:
    stmt = (
        select(Job)
        .where(Job.dataset_id == dataset_id, Job.kind == JobKind.ingest)
        .order_by(Job.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def dataset_ingest(session: Session, dataset: Dataset) -> DatasetIngest:
    """The state, problems and ingest job (None for a dataset a worker built itself) of ``dataset``."""
    job = _ingest_job(session, dataset.id)
    if dataset.status != DatasetStatus.pending:
        return DatasetIngest(dataset.status.value, list(dataset.problems or []), job)
    if job is None or job.status in (JobStatus.queued, JobStatus.running):
        return DatasetIngest(job.status.value if job else JobStatus.queued.value, [], job)
    ended = job.error or f"the ingest job ended {job.status.value} without building the dataset"
    return DatasetIngest(DatasetStatus.failed.value, [ended], job)


def ready_datasets(session: Session) -> list[Dataset]:
    """Datasets a trial can use, newest first: uploads still being built or refused are left out."""
    stmt = select(Dataset).where(Dataset.status == DatasetStatus.ready).order_by(Dataset.id.desc())
    return list(session.scalars(stmt))
