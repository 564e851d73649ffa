"""Job lifecycle: atomic claims, stale re-claims, heartbeats, cancel, requeue, reaping, metrics."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import (
    CancelOutcome,
    ClaimReason,
    claim_job,
    create_job,
    finish_job,
    gave_up_message,
    heartbeat,
    reap_stale,
    record_metric_points,
    request_cancel,
    requeue_job,
)
from db.models import Job, JobKind, JobStatus, MetricPoint
from db.session import session_scope

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
STALE_S = 60.0


def _new_job(factory: sessionmaker[Session], **kwargs: object) -> int:
    with factory() as sess:
        job = create_job(sess, JobKind.train, {"trial": 1}, **kwargs)  # type: ignore[arg-type]
        return job.id


def _job(factory: sessionmaker[Session], job_id: int) -> Job:
    with factory() as sess:
        job = sess.get(Job, job_id)
        assert job is not None
        sess.expunge(job)
        return job


def test_create_job_defaults(session_factory: sessionmaker[Session]) -> None:
    job = _job(session_factory, _new_job(session_factory))
    assert job.status is JobStatus.queued
    assert job.kind is JobKind.train
    assert (job.attempt, job.max_attempts, job.progress, job.cancel_requested) == (0, 3, 0.0, False)
    assert job.payload == {"trial": 1}
    assert job.created_at.tzinfo is not None and job.created_at.utcoffset() == timedelta(0)


def test_create_job_rejects_bad_input(session: Session) -> None:
    with pytest.raises(ValueError):
        create_job(session, "bake", {})
    with pytest.raises(ValueError):
        create_job(session, JobKind.gate, {}, max_attempts=0)


def test_two_sessions_only_one_claim_wins(session_factory: sessionmaker[Session]) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as first, session_factory() as second:
        a = claim_job(first, job_id, "worker-a", now=T0)
        b = claim_job(second, job_id, "worker-b", now=T0)
    assert a.claimed and a.reason is ClaimReason.claimed and a.attempt == 1
    assert not b.claimed and b.reason is ClaimReason.running_elsewhere and not b
    job = _job(session_factory, job_id)
    assert (job.status, job.worker, job.attempt) == (JobStatus.running, "worker-a", 1)
    assert job.started_at == T0 and job.heartbeat_at == T0


def test_threaded_claim_race_has_exactly_one_winner(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory)
    n_threads = 8
    barrier = threading.Barrier(n_threads)
    results: list[tuple[str, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def contender(name: str) -> None:
        try:
            with session_factory() as sess:
                barrier.wait(timeout=30)
                result = claim_job(sess, job_id, name)
            with lock:
                results.append((name, result.claimed))
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=contender, args=(f"w{i}",)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == n_threads
    winners = [name for name, claimed in results if claimed]
    assert len(winners) == 1
    job = _job(session_factory, job_id)
    assert job.worker == winners[0] and job.attempt == 1


def test_duplicate_message_for_finished_job_is_noop(session_factory: sessionmaker[Session]) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, job_id, "w", now=T0)
        assert finish_job(sess, job_id, "w", JobStatus.succeeded, now=T0)
        again = claim_job(sess, job_id, "w2", now=T0 + timedelta(hours=1), stale_after_s=STALE_S)
    assert not again.claimed and again.reason is ClaimReason.already_finished
    assert again.status is JobStatus.succeeded
    with session_factory() as sess:
        missing = claim_job(sess, 999_999, "w")
    assert missing.reason is ClaimReason.not_found and not missing.claimed


def test_fresh_running_job_is_not_reclaimed(session_factory: sessionmaker[Session]) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, job_id, "w1", now=T0)
        result = claim_job(
            sess, job_id, "w2", now=T0 + timedelta(seconds=STALE_S - 1), stale_after_s=STALE_S
        )
    assert not result.claimed and result.reason is ClaimReason.running_elsewhere
    assert _job(session_factory, job_id).worker == "w1"


def test_stale_reclaim_increments_attempt_then_gives_up(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory, max_attempts=3)
    now = T0
    with session_factory() as sess:
        first = claim_job(sess, job_id, "w1", now=now, stale_after_s=STALE_S)
        assert (first.claimed, first.attempt) == (True, 1)
        for expected_attempt, worker in ((2, "w2"), (3, "w3")):
            now += timedelta(seconds=STALE_S + 1)  # previous owner died silently
            result = claim_job(sess, job_id, worker, now=now, stale_after_s=STALE_S)
            assert result.claimed and result.reason is ClaimReason.reclaimed_stale
            assert result.attempt == expected_attempt
            assert _job(session_factory, job_id).worker == worker

        now += timedelta(seconds=STALE_S + 1)
        final = claim_job(sess, job_id, "w4", now=now, stale_after_s=STALE_S)
    assert not final.claimed and final.reason is ClaimReason.gave_up
    assert final.attempt == 3 and final.status is JobStatus.failed
    job = _job(session_factory, job_id)
    assert job.status is JobStatus.failed
    assert job.error == "gave up after 3 attempts: the worker died each time"
    assert job.error == gave_up_message(3)
    assert job.finished_at == now


def test_stale_job_with_pending_cancel_is_cancelled_not_retried(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, job_id, "w1", now=T0)
        assert request_cancel(sess, job_id) is CancelOutcome.requested
        result = claim_job(
            sess, job_id, "w2", now=T0 + timedelta(seconds=STALE_S + 1), stale_after_s=STALE_S
        )
    assert not result.claimed and result.reason is ClaimReason.cancelled
    assert _job(session_factory, job_id).status is JobStatus.cancelled


def test_heartbeat_updates_progress_and_reports_cancel(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as worker_sess, session_factory() as admin_sess:
        claimed = claim_job(worker_sess, job_id, "w1", now=T0)
        beat = heartbeat(
            worker_sess,
            job_id,
            "w1",
            progress=0.25,
            detail={"step": 25, "total": 100},
            now=T0 + timedelta(seconds=5),
            attempt=claimed.attempt,
        )
        assert beat and beat.owned and not beat.cancel_requested

        assert request_cancel(admin_sess, job_id) is CancelOutcome.requested

        beat = heartbeat(
            worker_sess, job_id, "w1", progress=1.0000001, now=T0 + timedelta(seconds=10)
        )
        assert beat.owned and beat.cancel_requested

        assert not heartbeat(worker_sess, job_id, "someone-else")
        assert not heartbeat(worker_sess, job_id, "w1", attempt=claimed.attempt + 1)
    job = _job(session_factory, job_id)
    assert job.progress == 1.0  # clamped into the CHECK range
    assert job.progress_detail == {"step": 25, "total": 100}
    assert job.heartbeat_at == T0 + timedelta(seconds=10)


def test_heartbeat_and_finish_rejected_after_takeover(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, job_id, "zombie", now=T0)
        later = T0 + timedelta(seconds=STALE_S + 1)
        assert claim_job(sess, job_id, "rescuer", now=later, stale_after_s=STALE_S)
        assert not heartbeat(sess, job_id, "zombie", now=later)
        assert not finish_job(sess, job_id, "zombie", JobStatus.failed, error="boom")
        assert finish_job(sess, job_id, "rescuer", "succeeded")
    job = _job(session_factory, job_id)
    assert (job.status, job.worker, job.error, job.progress) == (
        JobStatus.succeeded,
        "rescuer",
        None,
        1.0,
    )


def test_finish_job_requires_terminal_status(session: Session) -> None:
    with pytest.raises(ValueError):
        finish_job(session, 1, "w", JobStatus.running)


def test_request_cancel_queued_vs_running(session_factory: sessionmaker[Session]) -> None:
    queued_id = _new_job(session_factory)
    running_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, running_id, "w1")
        assert request_cancel(sess, queued_id) is CancelOutcome.cancelled
        assert request_cancel(sess, running_id) is CancelOutcome.requested
        assert request_cancel(sess, queued_id) is CancelOutcome.not_cancellable
        assert request_cancel(sess, 424_242) is CancelOutcome.not_found

    queued = _job(session_factory, queued_id)
    assert queued.status is JobStatus.cancelled and queued.finished_at is not None
    running = _job(session_factory, running_id)
    assert running.status is JobStatus.running and running.cancel_requested is True

    with session_factory() as sess:
        # A cancelled job's late message must not start it.
        assert not claim_job(sess, queued_id, "w2")
        assert finish_job(sess, running_id, "w1", JobStatus.cancelled)
    assert _job(session_factory, running_id).status is JobStatus.cancelled


def test_requeue_failed_or_cancelled_job(session_factory: sessionmaker[Session]) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert not requeue_job(sess, job_id)  # queued: nothing to resume
        assert claim_job(sess, job_id, "w1")
        assert request_cancel(sess, job_id) is CancelOutcome.requested
        assert not requeue_job(sess, job_id)  # still running
        assert finish_job(sess, job_id, "w1", JobStatus.failed, error="CUDA OOM")
        assert requeue_job(sess, job_id)
    job = _job(session_factory, job_id)
    assert job.status is JobStatus.queued
    assert (job.error, job.cancel_requested, job.attempt, job.worker) == (None, False, 0, None)
    with session_factory() as sess:
        again = claim_job(sess, job_id, "w2")
    assert again.claimed and again.attempt == 1


def test_reap_stale_requeues_then_fails_at_cap(session_factory: sessionmaker[Session]) -> None:
    job_id = _new_job(session_factory, max_attempts=2)
    healthy_id = _new_job(session_factory)
    now = T0
    with session_factory() as sess:
        assert claim_job(sess, job_id, "w1", now=now)
        assert claim_job(sess, healthy_id, "w-ok", now=now)
        now += timedelta(seconds=STALE_S + 1)
        heartbeat(sess, healthy_id, "w-ok", now=now)

        assert reap_stale(sess, STALE_S, now=now) == [job_id]
        job = _job(session_factory, job_id)
        assert (job.status, job.worker, job.attempt) == (JobStatus.queued, None, 1)
        assert _job(session_factory, healthy_id).status is JobStatus.running

        # Redelivered: attempt 2 of 2, and that worker dies too.
        result = claim_job(sess, job_id, "w2", now=now)
        assert result.claimed and result.attempt == 2
        now += timedelta(seconds=STALE_S + 1)
        heartbeat(sess, healthy_id, "w-ok", now=now)
        assert reap_stale(sess, STALE_S, now=now) == []
        assert reap_stale(sess, STALE_S, now=now) == []  # idempotent
    job = _job(session_factory, job_id)
    assert job.status is JobStatus.failed
    assert job.error == "gave up after 2 attempts: the worker died each time"
    assert _job(session_factory, healthy_id).status is JobStatus.running


def test_reap_stale_cancels_jobs_with_pending_cancel(
    session_factory: sessionmaker[Session],
) -> None:
    job_id = _new_job(session_factory)
    with session_factory() as sess:
        assert claim_job(sess, job_id, "w1", now=T0)
        request_cancel(sess, job_id)
        assert reap_stale(sess, STALE_S, now=T0 + timedelta(seconds=STALE_S + 1)) == []
    assert _job(session_factory, job_id).status is JobStatus.cancelled


def test_transitions_can_join_a_caller_transaction(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory) as sess:
        job = create_job(sess, JobKind.evaluate, {}, commit=False)
        assert job.id is not None
        raise RuntimeError("abort enqueue")
    with session_factory() as sess:
        assert sess.scalar(select(func.count()).select_from(Job)) == 0


def _metric_count(factory: sessionmaker[Session], trial_id: int) -> int:
    with factory() as sess:
        return int(
            sess.scalar(
                select(func.count())
                .select_from(MetricPoint)
                .where(MetricPoint.trial_id == trial_id)
            )
            or 0
        )


def test_record_metric_points_is_idempotent(
    session_factory: sessionmaker[Session], make_trial: object
) -> None:
    trial_id = make_trial("idem")  # type: ignore[operator]
    points = [
        (10, "train", "loss", 2.5),
        (20, "train", "loss", 2.0),
        (20, "val", "eval_loss", 2.2),
        (20, "test_paraphrase", "key_fact_accuracy", 0.4),
    ]
    with session_factory() as sess:
        assert record_metric_points(sess, trial_id, points) == 4
    assert _metric_count(session_factory, trial_id) == 4

    # Resumed job re-reports the same steps (one with a different value) plus a new one.
    with session_factory() as sess:
        record_metric_points(sess, trial_id, points)
        record_metric_points(
            sess, trial_id, [(20, "train", "loss", 9.9), (30, "train", "loss", 1.5)]
        )
    assert _metric_count(session_factory, trial_id) == 5
    with session_factory() as sess:
        value = sess.scalar(
            select(MetricPoint.value).where(
                MetricPoint.trial_id == trial_id,
                MetricPoint.split == "train",
                MetricPoint.name == "loss",
                MetricPoint.step == 20,
            )
        )
    assert value == 2.0  # first write wins


def test_record_metric_points_drops_non_finite_and_handles_duplicates_in_batch(
    session_factory: sessionmaker[Session], make_trial: object
) -> None:
    trial_id = make_trial("nan")  # type: ignore[operator]
    with session_factory() as sess:
        submitted = record_metric_points(
            sess,
            trial_id,
            [
                (1, "train", "loss", float("nan")),
                (2, "train", "loss", float("inf")),
                (3, "train", "loss", 1.0),
                (3, "train", "loss", 1.0),
            ],
        )
        assert record_metric_points(sess, trial_id, []) == 0
    assert submitted == 2
    assert _metric_count(session_factory, trial_id) == 1


def test_deleting_a_trial_cascades_to_points_and_jobs(
    session_factory: sessionmaker[Session], make_trial: object
) -> None:
    from db.models import Trial

    trial_id = make_trial("doomed")  # type: ignore[operator]
    with session_factory() as sess:
        record_metric_points(sess, trial_id, [(1, "train", "loss", 1.0)])
        create_job(sess, JobKind.train, {}, trial_id=trial_id)
    with session_scope(session_factory) as sess:
        trial = sess.get(Trial, trial_id)
        assert trial is not None
        sess.delete(trial)
    assert _metric_count(session_factory, trial_id) == 0
    with session_factory() as sess:
        assert sess.scalar(select(func.count()).select_from(Job)) == 0
