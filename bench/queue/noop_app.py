"""The benchmark's Celery app: the product's configuration plus one empty task.

Built with :func:`worker.app.create_celery_app`, so the measured path is the product's
(acks_late, prefetch 1, JSON, the same transport options); a result backend is added only
so the client can see each task finish. Loaded by ``celery -A noop_app worker`` from this
folder; the broker and backend come from the environment set by ``run.py``.
"""

from __future__ import annotations

import os
import time

from worker.app import create_celery_app
from worker.settings import WorkerSettings

NOOP = "hcmqa.bench.noop"

app = create_celery_app(WorkerSettings.from_env(), main="hcmqa-bench")
app.conf.update(
    result_backend=os.environ["BENCH_RESULT_BACKEND"],
    task_ignore_result=False,
    task_routes={NOOP: {"queue": "bench"}},
    # The db+sqlite backend needs its tables; nothing else about results matters here.
    database_create_tables_at_setup=True,
)


@app.task(name=NOOP)
def noop(sent_at: float) -> float:
    """Does nothing; returns when it started so the client can split the round trip."""
    return time.time() - sent_at
