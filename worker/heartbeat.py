"""The heartbeat thread of a running job: keeps ``heartbeat_at`` fresh, writes the latest
progress and metric points, and learns whether the job should stop (a cancel request, or
the claim was lost to another worker). Work never reads it directly: it asks its
:class:`~worker.context.JobContext`."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import MetricPointTuple, heartbeat, record_metric_points

log = logging.getLogger(__name__)

#: Fastest rate at which a burst of progress reports is written to the database.
MIN_FLUSH_INTERVAL_S = 1.0


class StopReason(enum.Enum):
    """Why a running job must stop."""

    #: An admin asked; the work winds down and keeps what it can (a final checkpoint).
    cancelled = "cancelled"
    #: Another worker took the job over; this process must write nothing more for it.
    lost = "lost"


class JobMonitor:
    """Background thread that heart-beats a running job and writes its latest progress.

    Work threads call :meth:`report` (cheap, never touches the database); the thread writes
    at most every ``MIN_FLUSH_INTERVAL_S`` and at least every ``interval_s``. A database
    error is logged and retried on the next beat -- training is not aborted for a blip;
    if the blip outlasts ``stale_after_s`` the job is taken over and the claim fences us out.
    Each beat may set :attr:`stop_reason`; a lost claim outranks a cancel request.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: int,
        worker: str,
        attempt: int,
        interval_s: float,
        trial_id: Optional[int] = None,
    ):
        self.factory = factory
        self.job_id = job_id
        self.worker = worker
        self.attempt = attempt
        self.interval_s = interval_s
        self.trial_id = trial_id
        self._lock = threading.Lock()
        self._progress: Optional[float] = None
        self._detail: Optional[dict[str, Any]] = None
        self._points: list[MetricPointTuple] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_flush = 0.0
        self.stop_reason: Optional[StopReason] = None
        self._thread = threading.Thread(
            target=self._loop, name=f"heartbeat-job-{job_id}", daemon=True
        )

    @property
    def lost(self) -> bool:
        """Whether the claim was lost: this process's outcome must not be recorded."""
        return self.stop_reason is StopReason.lost

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is still pending (in the caller's thread)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=max(5.0, 2 * self.interval_s))
        self.flush()

    def report(
        self,
        progress: Optional[float] = None,
        detail: Optional[Mapping[str, Any]] = None,
        points: Iterable[MetricPointTuple] = (),
    ) -> None:
        """Remember the newest progress; new metric points wake the writer promptly."""
        new_points = list(points)
        with self._lock:
            if progress is not None:
                self._progress = progress
            if detail is not None:
                self._detail = dict(detail)
            self._points.extend(new_points)
        if new_points:
            self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            wait = MIN_FLUSH_INTERVAL_S - (time.monotonic() - self._last_flush)
            if wait > 0 and self._stop.wait(wait):
                return
            self.flush()

    def flush(self) -> None:
        """One heartbeat: progress, detail and pending points, in one transaction."""
        with self._lock:
            progress, detail, points = self._progress, self._detail, self._points
            self._points = []
        self._last_flush = time.monotonic()
        try:
            with self.factory() as session:
                beat = heartbeat(
                    session,
                    self.job_id,
                    self.worker,
                    progress,
                    detail,
                    attempt=self.attempt,
                    commit=False,
                )
                # A process that lost the job must not write its trial's curves.
                if beat.owned and points and self.trial_id is not None:
                    record_metric_points(session, self.trial_id, points, commit=False)
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("job %s: heartbeat failed, will retry: %s", self.job_id, exc)
            with self._lock:
                self._points[:0] = points
            return
        if not beat.owned and not self.lost:
            log.warning("job %s: no longer owned by %s; stopping", self.job_id, self.worker)
            self.stop_reason = StopReason.lost
        elif beat.cancel_requested and self.stop_reason is None:
            log.info("job %s: cancel requested", self.job_id)
            self.stop_reason = StopReason.cancelled
