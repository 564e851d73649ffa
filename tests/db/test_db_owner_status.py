"""Trial and FAQ batch statuses follow their job's, through ``db.jobs`` only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import (
    claim_job,
    create_faq_batch,
    create_job,
    create_trial,
    finish_job,
    finish_trial,
    mark_unsent,
    reap_stale,
    record_sent,
    request_cancel,
    requeue_job,
    sync_ended_owners,
    sync_owner_status,
    unsent_jobs,
)
from db.models import Answer, FaqBatch, Job, JobKind, JobStatus, Trial, TrialStatus, utcnow


def _trial_with_job(factory: sessionmaker[Session], status: TrialStatus = TrialStatus.queued) -> tuple[int, int]:
    with factory() as session:
        trial = create_trial(session, name="t", config={}, mode="grounded", base_model="smollm2-135m")
        session.execute(update(Trial).where(Trial.id == trial.id).values(status=status))
        job = create_job(session, JobKind.train, trial_id=trial.id, commit=False)
        session.commit()
        return trial.id, job.id


def _trial(factory: sessionmaker[Session], trial_id: int) -> Trial:
    with factory() as session:
        trial = session.get(Trial, trial_id)
        assert trial is not None
        session.expunge(trial)
        return trial


def test_trial_status_is_the_job_status_enum() -> None:
    """One Python enum; the stored values (and so the CHECK constraint) are unchanged."""
    assert TrialStatus is JobStatus
    assert [s.value for s in JobStatus] == ["queued", "running", "succeeded", "failed", "cancelled"]


def test_owner_follows_its_job_but_a_success_is_final(session_factory: sessionmaker[Session]) -> None:
    factory = session_factory
    trial_id, job_id = _trial_with_job(factory, TrialStatus.failed)
    with factory() as session:
        assert claim_job(session, job_id, "w").claimed
        sync_owner_status(session, job_id)
        session.commit()
    assert _trial(factory, trial_id).status is TrialStatus.running  # a resumed trial reopens
    assert _trial(factory, trial_id).started_at is not None

    with factory() as session:
        finish_job(session, job_id, "w", JobStatus.failed, "CUDA out of memory")
        sync_owner_status(session, job_id)
        session.commit()
    trial = _trial(factory, trial_id)
    assert (trial.status, trial.error) == (TrialStatus.failed, "CUDA out of memory")
    assert trial.finished_at is not None

    done_id, done_job = _trial_with_job(factory, TrialStatus.succeeded)
    with factory() as session:
        session.execute(
            update(Job).where(Job.id == done_job).values(status=JobStatus.running, worker="w")
        )
        sync_owner_status(session, done_job)
        session.commit()
    assert _trial(factory, done_id).status is TrialStatus.succeeded


def test_a_requeued_job_reopens_its_trial_and_a_cancelled_one_closes_it(
    session_factory: sessionmaker[Session],
) -> None:
    factory = session_factory
    trial_id, job_id = _trial_with_job(factory)
    with factory() as session:
        request_cancel(session, job_id, commit=False)
        sync_owner_status(session, job_id)
        session.commit()
    trial = _trial(factory, trial_id)
    assert trial.status is TrialStatus.cancelled and trial.finished_at is not None

    with factory() as session:
        assert requeue_job(session, job_id, commit=False)
        sync_owner_status(session, job_id)
        session.commit()
    trial = _trial(factory, trial_id)
    assert (trial.status, trial.error, trial.finished_at) == (TrialStatus.queued, None, None)


def test_owners_of_jobs_given_up_elsewhere_are_closed(session_factory: sessionmaker[Session]) -> None:
    factory = session_factory
    trial_id, job_id = _trial_with_job(factory)
    with factory() as session:
        batch = create_faq_batch(session, "faq", ["Who?", "When?"])
        batch_job = create_job(session, JobKind.answer, batch_id=batch.id, max_attempts=1, commit=False)
        session.commit()
        batch_id, batch_job_id = batch.id, batch_job.id
        assert batch.total == 2 and [a.position for a in batch.answers] == [0, 1]
    with factory() as session:
        for ident in (job_id, batch_job_id):
            assert claim_job(session, ident, "gone").claimed
        # The worker died on its last attempt: the reaper ends the jobs, not their owners.
        later = utcnow() + timedelta(hours=1)
        assert reap_stale(session, 60.0, now=later) == [job_id]
        assert session.get(Job, batch_job_id).status is JobStatus.failed
        assert sync_ended_owners(session) == [batch_job_id]
        session.commit()
    with factory() as session:
        batch_row = session.get(FaqBatch, batch_id)
        assert batch_row.status is JobStatus.failed and "gave up after 1 attempts" in batch_row.error
        assert session.get(Trial, trial_id).status is TrialStatus.queued
        assert session.scalar(select(Answer.question).where(Answer.position == 1)) == "When?"


def test_finish_trial_records_results_and_success(session_factory: sessionmaker[Session]) -> None:
    trial_id, _ = _trial_with_job(session_factory, TrialStatus.running)
    with session_factory() as session:
        finish_trial(session, trial_id, {"global_step": 4}, "/runs/trial-1")
        session.commit()
    trial = _trial(session_factory, trial_id)
    assert (trial.status, trial.summary_metrics, trial.artifact_path, trial.error) == (
        TrialStatus.succeeded, {"global_step": 4}, "/runs/trial-1", None)
    assert trial.finished_at is not None


def test_sent_and_unsent_jobs(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        first = create_job(session, JobKind.gate)
        second = create_job(session, JobKind.gate)
        record_sent(session, first.id, "task-1")
        assert session.get(Job, first.id).celery_task_id == "task-1"
        soon = utcnow() + timedelta(seconds=5)
        assert unsent_jobs(session, soon) == [(second.id, JobKind.gate)]
        assert unsent_jobs(session, utcnow() - timedelta(hours=1)) == []
        assert unsent_jobs(session, utcnow() - timedelta(hours=1), also=[second.id]) == [(second.id, JobKind.gate)]
        mark_unsent(session, [first.id])
        assert [ident for ident, _ in unsent_jobs(session, soon)] == [first.id, second.id]
