"""The messages between submitters and workers: task names, queues and payload keys.

This table is the one place they are written down. Workers register their tasks under these
names (``worker.tasks``) and route them to these queues (``worker.app``); the web app, the
command line and the reaper send by the same names. A message carries only the job id; the
job row's ``payload`` holds the options, and only the keys listed here -- the ones the
kind's worker code reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db.models import JobKind

#: Model work on the accelerator; small bookkeeping work on the CPU.
GPU_QUEUE = "gpu"
CPU_QUEUE = "cpu"
QUEUES = (GPU_QUEUE, CPU_QUEUE)


@dataclass(frozen=True)
class Task:
    """How one kind of job travels: the Celery task name, its queue, its payload keys."""

    name: str
    queue: str
    payload_keys: frozenset[str] = frozenset()


#: One row per kind of job. Payload keys, by the worker module that reads them:
#: evaluate (``worker.evaluate_job``): ``splits``, ``limit``; answer (``worker.answer_job``):
#: ``history``, a chat turn's earlier turns; gate (``worker.gate_job``): ``dataset``,
#: ``threshold``; ingest (``worker.ingest_job``): ``staging``, ``documents``, ``qa_csv``,
#: ``topic``, ``nearmiss``.
#: A train job reads its trial row only.
TASKS: dict[JobKind, Task] = {
    JobKind.train: Task("hcmqa.train_trial", GPU_QUEUE),
    JobKind.evaluate: Task("hcmqa.evaluate_trial", GPU_QUEUE, frozenset({"splits", "limit"})),
    JobKind.answer: Task("hcmqa.answer_batch", GPU_QUEUE, frozenset({"history"})),
    JobKind.gate: Task("hcmqa.train_gate", CPU_QUEUE, frozenset({"dataset", "threshold"})),
    JobKind.ingest: Task(
        "hcmqa.ingest_dataset", CPU_QUEUE, frozenset({"staging", "documents", "qa_csv", "topic", "nearmiss"})
    ),
}

#: The periodic reaper: no job row, run by the workers' beat schedule on the CPU queue.
REAP_STALE_JOBS = "hcmqa.reap_stale_jobs"

TRAIN_TRIAL = TASKS[JobKind.train].name
EVALUATE_TRIAL = TASKS[JobKind.evaluate].name
ANSWER_BATCH = TASKS[JobKind.answer].name
TRAIN_GATE = TASKS[JobKind.gate].name
INGEST_DATASET = TASKS[JobKind.ingest].name

#: Every task's queue, by task name (the workers' routing table).
TASK_QUEUES: dict[str, str] = {task.name: task.queue for task in TASKS.values()} | {
    REAP_STALE_JOBS: CPU_QUEUE
}


def task_for(kind: JobKind | str) -> Task:
    """The task that runs jobs of ``kind``."""
    return TASKS[JobKind(kind)]


def payload(kind: JobKind | str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A job payload of ``kind``: ``values`` without the None ones; an unknown key is a bug."""
    allowed = task_for(kind).payload_keys
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValueError(
            f"a {JobKind(kind).value} job's payload has no key(s) {', '.join(unknown)}; "
            f"its worker reads {', '.join(sorted(allowed)) or 'none'}"
        )
    return {key: value for key, value in values.items() if value is not None}
