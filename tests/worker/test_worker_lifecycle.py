"""Job lifecycle pieces on a real (SQLite) database, without a broker or a worker process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import claim_job, create_job, request_cancel
from db.migrate import upgrade
from db.models import Job, JobKind, MetricPoint, Trial, TrialStatus
from db.session import make_engine, make_session_factory
from worker.heartbeat import JobMonitor, StopReason


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'lifecycle.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _trial_with_job(
    factory: sessionmaker[Session], status: TrialStatus = TrialStatus.queued
) -> tuple[int, int]:
    with factory() as session:
        trial = Trial(
            name="t", config={}, mode="grounded", base_model="smollm2-135m", status=status
        )
        session.add(trial)
        session.flush()
        job = create_job(session, JobKind.train, trial_id=trial.id, commit=False)
        session.commit()
        return trial.id, job.id


def _points(session: Session, trial_id: int) -> int:
    stmt = select(func.count()).select_from(MetricPoint).where(MetricPoint.trial_id == trial_id)
    return int(session.scalar(stmt) or 0)


def _trial(factory: sessionmaker[Session], trial_id: int) -> Any:
    with factory() as session:
        trial = session.get(Trial, trial_id)
        session.expunge(trial)
        return trial


def test_monitor_heartbeats_writes_points_and_sees_cancel(factory: sessionmaker[Session]) -> None:
    trial_id, job_id = _trial_with_job(factory)
    with factory() as session:
        attempt = claim_job(session, job_id, "w").attempt
    monitor = JobMonitor(factory, job_id, "w", attempt, interval_s=0.1, trial_id=trial_id)
    monitor.report(progress=0.5, detail={"step": 1, "total": 2}, points=[(1, "train", "loss", 2.5)])
    monitor.flush()
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.progress, job.progress_detail) == (0.5, {"step": 1, "total": 2})
        assert _points(session, trial_id) == 1
        request_cancel(session, job_id)
    assert monitor.stop_reason is None
    monitor.flush()
    assert monitor.stop_reason is StopReason.cancelled and not monitor.lost


def test_monitor_notices_a_takeover_and_stops_writing(factory: sessionmaker[Session]) -> None:
    trial_id, job_id = _trial_with_job(factory)
    with factory() as session:
        attempt = claim_job(session, job_id, "old").attempt
        # Presumed dead (no heartbeat for long): another worker takes the job over.
        assert claim_job(session, job_id, "new", stale_after_s=0.0).claimed
    monitor = JobMonitor(factory, job_id, "old", attempt, interval_s=0.1, trial_id=trial_id)
    monitor.report(points=[(1, "train", "loss", 9.9)])
    monitor.flush()
    assert monitor.lost and monitor.stop_reason is StopReason.lost
    with factory() as session:
        assert _points(session, trial_id) == 0
        assert session.get(Job, job_id).worker == "new"


def test_monitor_thread_beats_on_its_own(factory: sessionmaker[Session]) -> None:
    _, job_id = _trial_with_job(factory)
    with factory() as session:
        attempt = claim_job(session, job_id, "w").attempt
        first = session.get(Job, job_id).heartbeat_at
    monitor = JobMonitor(factory, job_id, "w", attempt, interval_s=0.05)
    monitor.start()
    try:
        time.sleep(1.3)  # the writer spaces beats at least MIN_FLUSH_INTERVAL_S apart
    finally:
        monitor.stop()
    with factory() as session:
        assert session.get(Job, job_id).heartbeat_at > first
