"""Celery tasks: thin wrappers that take a job id and hand it to :func:`run_job`.

Each task re-reads its rows, claims the job atomically and does the work in the
``*_job`` modules (row -> hcmqa config -> hcmqa call -> rows). Nothing here waits on
another task's result. Task names are the job contract's (:mod:`jobs.contract`); queues,
time limits and acknowledgement settings come from the app configuration
(:mod:`worker.app`), not from these decorators.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from db.models import JobKind
from jobs.contract import (
    ANSWER_BATCH,
    EVALUATE_TRIAL,
    INGEST_DATASET,
    REAP_STALE_JOBS,
    TRAIN_GATE,
    TRAIN_TRIAL,
)
from worker.app import settings_of
from worker.lifecycle import Work, run_job


def _run(task: Any, job_id: int, kind: JobKind, work: Work) -> dict[str, Any]:
    return run_job(settings_of(task.app), task.request.hostname, int(job_id), kind, work)


@shared_task(name=TRAIN_TRIAL, bind=True)
def train_trial(self: Any, job_id: int) -> dict[str, Any]:
    """Fine-tune a trial; resumes from its last checkpoint when redelivered."""
    from worker.train_job import train_trial as work

    return _run(self, job_id, JobKind.train, work)


@shared_task(name=EVALUATE_TRIAL, bind=True)
def evaluate_trial(self: Any, job_id: int) -> dict[str, Any]:
    """Score a succeeded trial's generated answers on the test splits."""
    from worker.evaluate_job import evaluate_trial as work

    return _run(self, job_id, JobKind.evaluate, work)


@shared_task(name=ANSWER_BATCH, bind=True)
def answer_batch(self: Any, job_id: int) -> dict[str, Any]:
    """Answer an FAQ batch with a (warm) assistant."""
    from worker.answer_job import answer_batch as work

    return _run(self, job_id, JobKind.answer, work)


@shared_task(name=TRAIN_GATE, bind=True)
def train_gate(self: Any, job_id: int) -> dict[str, Any]:
    """Retrain the topic gate."""
    from worker.gate_job import train_gate as work

    return _run(self, job_id, JobKind.gate, work)


@shared_task(name=INGEST_DATASET, bind=True)
def ingest_dataset(self: Any, job_id: int) -> dict[str, Any]:
    """Validate an uploaded dataset and build it."""
    from worker.ingest_job import ingest_dataset as work

    return _run(self, job_id, JobKind.ingest, work)


@shared_task(name=REAP_STALE_JOBS, bind=True)
def reap_stale_jobs(self: Any) -> dict[str, Any]:
    """Requeue/fail jobs of dead workers, close their trials, re-send unsent jobs."""
    from worker.reaper import reap
    from worker.runtime import session_factory_for

    settings = settings_of(self.app)
    report = reap(
        self.app, session_factory_for(settings), settings.stale_after_s, settings.unsent_grace_s
    )
    return report.as_dict()
