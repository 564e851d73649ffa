"""What kind-specific work receives (:class:`JobContext`) and returns (:class:`Outcome`).

Work asks whether to stop in exactly one way, :meth:`JobContext.check_stop`, which the
heartbeat's cancel and lost-claim signals feed: it raises :class:`JobStopped`, carrying
the reason, and :func:`~worker.lifecycle.run_job` turns that into the job's outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ContextManager, Optional

from sqlalchemy.orm import Session, sessionmaker

from db.jobs import MetricPointTuple
from db.models import JobKind, JobStatus
from db.session import session_scope
from worker.heartbeat import JobMonitor, StopReason
from worker.settings import WorkerSettings


class JobStopped(Exception):
    """Raised inside work (e.g. from a progress callback) to stop it: cancelled or lost."""

    def __init__(self, reason: StopReason):
        super().__init__(reason.value)
        self.reason = reason


@dataclass
class Outcome:
    """How a job ended; ``apply`` writes its results in the transaction that finishes it."""

    status: JobStatus
    error: Optional[str] = None
    apply: Optional[Callable[[Session], None]] = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobContext:
    """What kind-specific work gets: the claimed job and ways to report and stop."""

    settings: WorkerSettings
    factory: sessionmaker[Session]
    job_id: int
    kind: JobKind
    attempt: int
    worker: str
    payload: dict[str, Any]
    trial_id: Optional[int]
    batch_id: Optional[int]
    monitor: JobMonitor

    @property
    def home(self) -> Path:
        return self.settings.home

    def report(
        self,
        progress: Optional[float] = None,
        detail: Optional[Mapping[str, Any]] = None,
        points: Iterable[MetricPointTuple] = (),
    ) -> None:
        self.monitor.report(progress, detail, points)

    def check_stop(self) -> None:
        """Raise :class:`JobStopped` once the job was cancelled or taken over.

        Call it between units of work, or from callbacks deep inside them; a cancelled job
        winds down (keeping a checkpoint where it can), a lost one writes nothing more.
        """
        reason = self.monitor.stop_reason
        if reason is not None:
            raise JobStopped(reason)

    def stopped_outcome(self, apply: Optional[Callable[[Session], None]] = None) -> Outcome:
        """The outcome of work that stopped early: cancelled (a job that was taken over
        instead is recognised by :func:`~worker.lifecycle.run_job`, which then records
        nothing)."""
        return Outcome(JobStatus.cancelled, None, apply)

    def session(self) -> ContextManager[Session]:
        """A transaction: committed on success, rolled back on error."""
        return session_scope(self.factory)


Work = Callable[[JobContext], Outcome]
