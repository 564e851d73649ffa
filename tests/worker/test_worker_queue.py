"""Queue mechanics with real PostgreSQL, Redis and worker processes, on cheap gate jobs.

Gate training takes a few seconds on a CPU and needs no language model, so these tests
exercise claiming, redelivery, the attempt cap, the reaper and broker outages quickly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from db.jobs import create_job, gave_up_message
from db.models import Answer, FaqBatch, Job, JobKind, JobStatus, Trial, TrialStatus, utcnow
from jobs import SubmissionNotSentError
from worker.reaper import reap

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.services


def _gate_job(stack: Any, **payload: object) -> int:
    with stack.factory() as session:
        job = create_job(session, JobKind.gate, payload, max_attempts=stack.settings.max_attempts)
        return job.id


def test_job_that_kills_its_worker_fails_at_the_cap(pg_redis_stack: Any, redis_queue: Any) -> None:
    stack = pg_redis_stack
    worker = stack.start_worker("killer", queues="cpu")
    job_id = _gate_job(stack, test_fault="kill_worker")
    stack.send(job_id, JobKind.gate)

    job = stack.wait_job(job_id, {"failed"}, timeout=90)
    assert job.attempt == job.max_attempts == 3
    assert job.error == gave_up_message(3)
    assert "exited with 'signal 9 (SIGKILL)'" in worker.log(400)
    # It stays failed: no message left to loop on, and the worker itself survived.
    time.sleep(3)
    assert stack.job(job_id).attempt == 3 and stack.job(job_id).status is JobStatus.failed
    assert redis_queue.llen("cpu") == 0 and redis_queue.hlen("unacked") == 0
    assert worker.alive

    # ... and the worker still serves the next job.
    next_id = _gate_job(stack)
    stack.send(next_id, JobKind.gate)
    assert (
        stack.wait_job(next_id, {"succeeded", "failed"}, timeout=90).status is JobStatus.succeeded
    )
    assert (stack.settings.home / "gate" / "gate.joblib").is_file()


def test_duplicate_messages_run_the_job_once(pg_redis_stack: Any) -> None:
    stack = pg_redis_stack
    worker = stack.start_worker("dup", queues="cpu")
    job_id = _gate_job(stack)
    for _ in range(3):
        stack.send(job_id, JobKind.gate)

    job = stack.wait_job(job_id, {"succeeded", "failed"}, timeout=90)
    assert job.status is JobStatus.succeeded and job.attempt == 1
    stack.wait_for(
        lambda: worker.log(400).count(f"job {job_id} not run") == 2,
        30,
        "both duplicates to be dropped",
    )
    assert "not run: already_finished" in worker.log(400)


def test_reaper_requeues_a_job_whose_worker_vanished(pg_redis_stack: Any) -> None:
    """A job left running by a worker on another machine: only the heartbeat can tell."""
    stack = pg_redis_stack
    job_id = _gate_job(stack)
    with stack.factory() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.running,
                attempt=1,
                worker="gone@elsewhere pid=1 host=a-machine-that-died",
                started_at=utcnow() - timedelta(minutes=5),
                heartbeat_at=utcnow() - timedelta(minutes=5),
                celery_task_id="its-message-died-with-it",
            )
        )
        session.commit()
    stack.start_worker("reaper", queues="cpu", beat=True)

    job = stack.wait_job(job_id, {"succeeded", "failed"}, timeout=90)
    assert job.status is JobStatus.succeeded
    assert job.attempt == 2
    assert job.celery_task_id not in (None, "its-message-died-with-it")


def test_broker_down_keeps_submissions_queued_and_they_are_sent_later(
    pg_server: Any, private_redis: Any, make_stack: Any, tiny_trial: dict[str, Any], tmp_path: Path
) -> None:
    """Redis stopped while submitting: a clear error within seconds, nothing lost.

    Uses its own redis-server on a free port (the machine's Redis is never stopped).
    """
    broker = private_redis.url
    stack = make_stack(
        "brokerdown",
        {"DATABASE_URL": pg_server.create_database("brokerdown"), "BROKER_URL": broker},
    )
    private_redis.stop()

    began = time.monotonic()
    with pytest.raises(SubmissionNotSentError) as info:
        stack.submit_trial({**tiny_trial, "name": "while-down"})
    assert time.monotonic() - began < 10, "an unreachable broker must fail fast"
    message = str(info.value)
    assert message.startswith(f"could not reach the job broker at {broker}: ")
    assert f"trial {info.value.trial_id} was saved as queued (job {info.value.job_id})" in message
    assert "nothing was lost" in message

    with pytest.raises(SubmissionNotSentError) as faq_info:
        stack.submit_faq(["When was Ho Chi Minh born?", "Who won the 2018 World Cup?"])

    with stack.factory() as session:
        trial = session.get(Trial, info.value.trial_id)
        assert trial is not None and trial.status is TrialStatus.queued
        assert trial.config["max_steps"] == tiny_trial["max_steps"]
        batch = session.get(FaqBatch, faq_info.value.batch_id)
        assert batch is not None and batch.status is JobStatus.queued and batch.total == 2
        questions = session.scalars(
            select(Answer.question).where(Answer.batch_id == batch.id).order_by(Answer.position)
        ).all()
        assert questions == ["When was Ho Chi Minh born?", "Who won the 2018 World Cup?"]
        jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [(j.kind, j.status, j.celery_task_id) for j in jobs] == [
            (JobKind.train, JobStatus.queued, None),
            (JobKind.answer, JobStatus.queued, None),
        ]

    # The command line says the same, with its own exit status.
    config_file = tmp_path / "tiny.json"
    config_file.write_text(json.dumps(tiny_trial))
    cli = subprocess.run(
        [sys.executable, "-m", "worker", "submit", "trial", "--config", str(config_file)],
        cwd=REPO,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 3, cli.stderr
    assert (
        f"could not reach the job broker at {broker}" in cli.stderr
        and "saved as queued" in cli.stderr
    )

    # Broker back: the reaper sends every unsent job; nothing had to be resubmitted.
    private_redis.start()
    report = reap(stack.app, stack.factory, stack.settings.stale_after_s, unsent_grace_s=0)
    assert report.send_error is None
    assert report.sent == [1, 2, 3]
    with stack.factory() as session:
        assert all(session.scalars(select(Job.celery_task_id)).all())
    assert private_redis.client().llen("gpu") == 3
