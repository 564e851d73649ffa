"""A real ``cpu`` worker process for the web tests whose pages follow a job to its end.

The worker (``python -m worker worker --queues cpu``) shares the test app's database,
HCMQA_HOME and Redis database, exactly as a deployment's workers share the web app's, so
an upload made through the test client is validated and built by the worker code users run.

Such a worker takes every message of its queue, so it must not listen on the web tests'
shared Redis database 13, where other test modules (or another test session) read their own
messages back: ``worker_broker_url`` lends a database of its own, claimed with a lock key as
the worker tests claim theirs. A module using ``cpu_worker`` points its ``app`` fixture at it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from db.models import Dataset
from webadmin.database import db_handle

REPO = Path(__file__).resolve().parents[2]
INGEST_TIMEOUT_S = 180
REDIS_BASE_URL = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
#: Databases no other tests use (13: the web tests; 6, 8: the security tests; 9-15: the
#: worker tests).
REDIS_DB_CANDIDATES = (1, 2, 3, 4, 5, 7)
REDIS_LOCK_KEY = "hcmqa-web-worker-tests:lock"
REDIS_MARKER_KEY = "hcmqa-web-worker-tests:owned"


class WorkerProcess:
    """A worker process (``argv``) in its own process group, logging to a file."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def log(self, tail: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-tail:])

    def wait_ready(self, timeout: float = 90.0) -> "WorkerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the worker exited with {self.proc.returncode}:\n{self.log()}", pytrace=False)
            if re.search(r"@\S+ ready\.", self.log_path.read_text(errors="replace")):
                return self
            time.sleep(0.2)
        pytest.fail(f"the worker was not ready after {timeout:.0f} s:\n{self.log()}", pytrace=False)

    def stop(self) -> None:
        """SIGTERM the worker's process group (warm shutdown), SIGKILL it if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()

    def wait_for(self, predicate: Callable[[], Any], what: str, timeout: float = INGEST_TIMEOUT_S) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}.\nWorker log:\n{self.log()}", pytrace=False)


class CpuWorker(WorkerProcess):
    """One worker process on the ``cpu`` queue."""

    def __init__(self, env: dict[str, str], log_path: Path):
        super().__init__([sys.executable, "-m", "worker", "worker", "--queues", "cpu", "--concurrency", "1",
                          "--name", "web-tests@%h", "--loglevel", "INFO", "--no-beat"], env, log_path)


def wait_for_dataset(app: Flask, worker: WorkerProcess, dataset_id: int) -> Dataset:
    """The dataset row once its ingest job has left it ready or failed."""

    def settled() -> Dataset | None:
        with db_handle(app).sessions() as session:
            dataset = session.scalar(select(Dataset).where(Dataset.id == dataset_id))
            if dataset is not None and dataset.status.value != "pending":
                session.expunge(dataset)
                return dataset
            return None

    return worker.wait_for(settled, f"dataset #{dataset_id} to be built or refused")


@pytest.fixture
def worker_broker_url() -> Iterator[str]:
    """A Redis database lent to this test (locked, emptied before and after)."""
    token = uuid.uuid4().hex
    for number in REDIS_DB_CANDIDATES:
        url = f"{REDIS_BASE_URL}/{number}"
        connection = redis.Redis.from_url(url, socket_connect_timeout=3)
        try:
            # Usable: empty, or left over by an earlier run of these tests and not locked now.
            if connection.dbsize() and not connection.exists(REDIS_MARKER_KEY):
                continue
            if not connection.set(REDIS_LOCK_KEY, token, nx=True, ex=900):
                continue
            connection.flushdb()
            connection.set(REDIS_MARKER_KEY, "1")
            connection.set(REDIS_LOCK_KEY, token, ex=900)
            yield url
            connection.flushdb()
            return
        except redis.exceptions.ConnectionError as exc:
            pytest.fail(f"Redis is required for these tests but is not reachable at {REDIS_BASE_URL} ({exc}). "
                        "Start it with 'make services'.", pytrace=False)
        finally:
            connection.close()
    pytest.fail(f"no free Redis database among {REDIS_DB_CANDIDATES} at {REDIS_BASE_URL}", pytrace=False)


def start_cpu_worker(app: Flask, log_path: Path) -> CpuWorker:
    """A ready worker on ``app``'s database, HCMQA_HOME and broker; the caller stops it."""
    broker = app.config["BROKER_URL"]
    assert not broker.startswith("redis") or broker.rstrip("/").rsplit("/", 1)[1] != "13", (
        "point the app at worker_broker_url first")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("HCMQA_") and key not in ("DATABASE_URL", "BROKER_URL")}
    env.update({"HCMQA_HOME": str(app.config["HCMQA_HOME"]), "DATABASE_URL": app.config["DATABASE_URL"],
                "BROKER_URL": broker, "HCMQA_HEARTBEAT_S": "0.5", "HCMQA_BROKER_CONNECT_TIMEOUT_S": "2",
                "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"})
    worker = CpuWorker(env, log_path)
    try:
        return worker.wait_ready()
    except BaseException:
        worker.stop()
        raise


@pytest.fixture
def cpu_worker(app: Flask, redis_queues: Any, tmp_path: Path) -> Iterator[CpuWorker]:
    """A worker on the test app's database, HCMQA_HOME and (emptied) Redis database."""
    worker = start_cpu_worker(app, tmp_path / "cpu-worker.log")
    try:
        yield worker
    finally:
        worker.stop()
