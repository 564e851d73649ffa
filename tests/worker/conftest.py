"""Fixtures for the worker tests: real PostgreSQL, real Redis, real worker processes.

PostgreSQL (127.0.0.1:5432, trust auth, user postgres; ``HCMQA_TEST_PG_ADMIN_URL``
overrides) gets a uniquely named database per use, dropped at the end of the session.
Redis (``HCMQA_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379``) lends one database
number, claimed with a lock key so concurrent sessions never share it; only that number is
flushed. An unreachable server FAILS the tests that need it, with a message saying so.

Workers are started as subprocesses (``python -m tests.worker.faults worker ...``: the CLI
users run, ``python -m worker``, with the test fault injection of ``faults.py`` connected) in
their own process group, with short heartbeat/stale/visibility settings so recovery paths
take seconds. Every process a test starts is stopped by that test's teardown.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import psycopg
import pytest
import redis
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get(
    "HCMQA_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_BASE_URL = os.environ.get("HCMQA_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
#: Candidate database numbers (13 belongs to the web tests).
REDIS_DB_CANDIDATES = (9, 10, 11, 12, 14, 15)
REDIS_LOCK_KEY = "hcmqa-worker-tests:lock"
REDIS_MARKER_KEY = "hcmqa-worker-tests:owned"
_REDIS_TOKENS: dict[int, str] = {}

#: What workers are started with: ``python -m worker`` with the fault injection connected.
LAUNCHER_MODULE = "tests.worker.faults"

#: Worker settings that make recovery observable in seconds.
FAST_RECOVERY_ENV = {
    "HCMQA_HEARTBEAT_S": "0.5",
    "HCMQA_STALE_AFTER_S": "3",
    "HCMQA_REAP_INTERVAL_S": "2",
    "HCMQA_UNSENT_GRACE_S": "1",
    "HCMQA_VISIBILITY_TIMEOUT_S": "6",
    "HCMQA_MAX_ATTEMPTS": "3",
    "HCMQA_BROKER_CONNECT_TIMEOUT_S": "2",
    # The tiny trials multiply tiny matrices: one thread is as fast, and several threads
    # per process thrash when the 2-core machine also runs other work.
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

#: The smallest trial that still logs, evaluates (with generation) and checkpoints.
TINY_TRIAL: dict[str, Any] = {
    "name": "tiny",
    "mode": "closed_book",
    "max_steps": 2,
    "eval_steps": 2,
    "logging_steps": 1,
    "batch_size": 1,
    "max_seq_length": 48,
    "eval_generate_samples": 2,
    "max_new_tokens": 4,
    "val_limit": 2,
    "load_in_4bit": False,
    "lora_r": 2,
    "lora_alpha": 4,
    "target_modules": ["q_proj", "v_proj"],
    "early_stopping_patience": 0,
    "save_total_limit": 3,
}


# --- servers ------------------------------------------------------------------------------


@dataclass
class PgServer:
    """Creates throwaway databases and drops them all at the end."""

    admin_url: str
    prefix: str = field(default_factory=lambda: f"hcmqa_test_worker_{uuid.uuid4().hex[:10]}")
    created: list[str] = field(default_factory=list)

    def create_database(self, suffix: str) -> str:
        name = f"{self.prefix}_{suffix}"
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        info = psycopg.conninfo.conninfo_to_dict(self.admin_url)
        auth = str(info.get("user", "postgres"))
        if info.get("password"):
            auth += f":{info['password']}"
        return f"postgresql+psycopg://{auth}@{info.get('host', '127.0.0.1')}:{info.get('port', '5432')}/{name}"

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            for name in reversed(self.created):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.fail(
            f"PostgreSQL is required for the worker tests but is not reachable at {PG_ADMIN_URL!r} "
            f"({type(exc).__name__}: {exc}). Start it (make services) or set HCMQA_TEST_PG_ADMIN_URL.",
            pytrace=False,
        )
    server = PgServer(PG_ADMIN_URL)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def redis_db() -> Iterator[int]:
    """A Redis database number lent to this session (locked, flushed before and after)."""
    claimed: Optional[redis.Redis] = None
    number = -1
    token = uuid.uuid4().hex
    for candidate in REDIS_DB_CANDIDATES:
        conn = redis.Redis.from_url(f"{REDIS_BASE_URL}/{candidate}", socket_connect_timeout=3)
        try:
            conn.ping()
        except redis.exceptions.ConnectionError as exc:
            pytest.fail(
                f"Redis is required for the worker tests but is not reachable at {REDIS_BASE_URL} "
                f"({exc}). Start it (make services) or set HCMQA_TEST_REDIS_URL.",
                pytrace=False,
            )
        # Usable: empty, or left over by an earlier run of these tests and not locked now.
        if conn.dbsize() and not conn.exists(REDIS_MARKER_KEY):
            continue
        if conn.set(REDIS_LOCK_KEY, token, nx=True, ex=3600):
            claimed, number = conn, candidate
            break
    if claimed is None:
        pytest.fail(
            f"no free Redis database among {REDIS_DB_CANDIDATES} at {REDIS_BASE_URL}", pytrace=False
        )
    reset_redis_db(claimed, token)
    _REDIS_TOKENS[number] = token
    yield number
    claimed.flushdb()
    claimed.close()


def reset_redis_db(conn: redis.Redis, token: str) -> None:
    """Empty the lent database (queues, unacked messages), keeping it marked as ours."""
    conn.flushdb()
    conn.set(REDIS_MARKER_KEY, "1")
    conn.set(REDIS_LOCK_KEY, token, ex=3600)


# --- homes --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_assets(model_dir: Path, dataset_dir: Path) -> tuple[Path, Path]:
    """The session's prepared model and built dataset (prepared once, shared by all homes)."""
    return model_dir.parent, dataset_dir.parent


def make_home(root: Path, assets: tuple[Path, Path]) -> Path:
    """A fresh HCMQA_HOME whose models/ and datasets/ link to the shared prepared ones."""
    root.mkdir(parents=True, exist_ok=True)
    models, datasets = assets
    (root / "models").symlink_to(models, target_is_directory=True)
    (root / "datasets").symlink_to(datasets, target_is_directory=True)
    return root


# --- worker processes ---------------------------------------------------------------------


class WorkerProcess:
    """A real worker (``python -m worker worker`` plus fault injection) in its own process group."""

    def __init__(
        self,
        name: str,
        env: dict[str, str],
        log_path: Path,
        queues: str = "gpu,cpu",
        beat: bool = False,
    ):
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        argv = [
            sys.executable,
            "-m",
            LAUNCHER_MODULE,
            "worker",
            "--queues",
            queues,
            "--concurrency",
            "1",
            "--name",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--beat" if beat else "--no-beat",
        ]
        self.proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, tail: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-tail:])

    def wait_ready(self, timeout: float = 90.0) -> "WorkerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(r"@\S+ ready\.", self.log(400)):
                return self
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"worker {self.name} exited with {self.proc.returncode}:\n{self.log()}"
                )
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} not ready after {timeout}s:\n{self.log()}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), like a lost machine."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._wait_group_gone()

    def stop(self, timeout: float = 30.0) -> None:
        """Warm shutdown; SIGKILL if it does not finish in ``timeout``."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._wait_group_gone()
        self._log.close()

    def _wait_group_gone(self, timeout: float = 10.0) -> None:
        """Pool children outlive a killed parent briefly; do not leave them behind."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@dataclass
class Stack:
    """One deployment under test: settings, database, broker client, worker environment."""

    settings: Any
    factory: sessionmaker[Session]
    app: Any
    env: dict[str, str]
    logs: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(
        self, name: str, queues: str = "gpu,cpu", beat: bool = False, wait: bool = True
    ) -> WorkerProcess:
        proc = WorkerProcess(
            name, self.env, self.logs / f"{name}-{len(self.workers)}.log", queues, beat
        )
        self.workers.append(proc)
        return proc.wait_ready() if wait else proc

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.stop()
        self.workers.clear()

    def worker_logs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.log()}" for w in self.workers)

    def job(self, job_id: int) -> Any:
        from db.models import Job

        with self.factory() as session:
            job = session.get(Job, job_id)
            assert job is not None, f"job {job_id} does not exist"
            session.expunge(job)
            return job

    def row(self, model: Any, row_id: int) -> Any:
        with self.factory() as session:
            row = session.get(model, row_id)
            assert row is not None, f"{model.__name__} {row_id} does not exist"
            session.expunge(row)
            return row

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.25
    ) -> Any:
        """Poll ``predicate`` until truthy; on timeout fail with the worker logs attached."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.worker_logs()}")

    def wait_job(self, job_id: int, statuses: set[str], timeout: float) -> Any:
        def check() -> Any:
            job = self.job(job_id)
            return job if job.status.value in statuses else None

        try:
            return self.wait_for(
                check, timeout, f"job {job_id} to become {'/'.join(sorted(statuses))}"
            )
        except AssertionError as exc:
            job = self.job(job_id)
            raise AssertionError(
                f"{exc}\njob now: {job!r} error={job.error!r} detail={job.progress_detail!r}"
            ) from None

    def send(self, job_id: int, kind: Any) -> str:
        """Send a committed job's message, as the command line and the reaper do."""
        from jobs import send_job

        with self.factory() as session:
            return send_job(self.app, session, job_id, kind, retries=self.settings.send_retries)

    def submit_trial(self, config: dict[str, Any]) -> tuple[int, int]:
        """``hcmqa submit trial``: store through the job contract, then send; (trial id, job id)."""
        from hcmqa.config import TrialConfig
        from jobs import ModelPolicy, send_submitted, submit_trial

        models = ModelPolicy(self.settings.home, self.settings.models_root, self.settings.allow_hub_models)
        with self.factory() as session:
            trial, job = submit_trial(session, TrialConfig.from_dict(config), models=models,
                                      max_attempts=self.settings.max_attempts)
            ids = trial.id, job.id
            send_submitted(self.app, session, job, f"trial {ids[0]}", retries=self.settings.send_retries,
                           trial_id=ids[0])
        return ids

    def submit_faq(self, questions: list[str], trial_id: Optional[int] = None) -> tuple[int, int]:
        """``hcmqa submit faq``: (batch id, job id)."""
        from jobs import send_submitted, submit_faq_batch

        with self.factory() as session:
            batch, job = submit_faq_batch(session, "faq", questions, trial_id=trial_id,
                                          max_attempts=self.settings.max_attempts)
            ids = batch.id, job.id
            send_submitted(self.app, session, job, f"FAQ batch {ids[0]}", retries=self.settings.send_retries,
                           batch_id=ids[0])
        return ids

    def submit_eval(self, trial_id: int, **options: Any) -> int:
        """``hcmqa submit eval``: the job id."""
        from jobs import send_submitted, submit_eval

        with self.factory() as session:
            job = submit_eval(session, trial_id, max_attempts=self.settings.max_attempts, **options)
            job_id = job.id
            send_submitted(self.app, session, job, f"the evaluation of trial {trial_id}",
                           retries=self.settings.send_retries, trial_id=trial_id)
        return job_id

    def metric_points(self, trial_id: int) -> list[tuple[int, str, str, float]]:
        from db.models import MetricPoint

        with self.factory() as session:
            rows = session.execute(
                select(MetricPoint.step, MetricPoint.split, MetricPoint.name, MetricPoint.value)
                .where(MetricPoint.trial_id == trial_id)
                .order_by(MetricPoint.step, MetricPoint.split, MetricPoint.name)
            ).all()
        return [tuple(r) for r in rows]


def build_stack(home: Path, env_overrides: dict[str, str], logs: Path) -> Stack:
    """Settings from the same environment the workers get, so both sides agree."""
    from db.migrate import upgrade
    from worker.app import create_celery_app
    from worker.runtime import session_factory_for
    from worker.settings import WorkerSettings

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HCMQA_") and key not in ("DATABASE_URL", "BROKER_URL")
    }
    env.update({"HCMQA_HOME": str(home), **FAST_RECOVERY_ENV, **env_overrides})
    env["PYTHONUNBUFFERED"] = "1"
    settings = WorkerSettings.from_env(env)
    from worker.runtime import ensure_sqlite_folder

    ensure_sqlite_folder(settings.database_url)
    upgrade(settings.database_url)
    logs.mkdir(parents=True, exist_ok=True)
    return Stack(settings, session_factory_for(settings), create_celery_app(settings), env, logs)


@pytest.fixture
def pg_redis_stack(
    pg_server: PgServer, redis_db: int, shared_assets: tuple[Path, Path], tmp_path: Path
) -> Iterator[Stack]:
    """PostgreSQL + Redis, a fresh database per test, the session's Redis database."""
    url = pg_server.create_database(uuid.uuid4().hex[:8])
    home = make_home(tmp_path / "home", shared_assets)
    stack = build_stack(
        home, {"DATABASE_URL": url, "BROKER_URL": f"{REDIS_BASE_URL}/{redis_db}"}, tmp_path / "logs"
    )
    yield stack
    stack.stop_workers()
    stack.factory.kw["bind"].dispose()
    # Messages (and restored duplicates) name job ids of this test's database only.
    reset_redis_db(redis.Redis.from_url(f"{REDIS_BASE_URL}/{redis_db}"), _REDIS_TOKENS[redis_db])


@pytest.fixture
def redis_queue(redis_db: int) -> redis.Redis:
    """A client on the session's Redis database (to inspect queues)."""
    return redis.Redis.from_url(f"{REDIS_BASE_URL}/{redis_db}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def tiny_trial() -> dict[str, Any]:
    """A copy of :data:`TINY_TRIAL` to modify."""
    return dict(TINY_TRIAL)


@pytest.fixture
def make_stack(shared_assets: tuple[Path, Path], tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """Factory for extra stacks (own home and URLs); workers and engines cleaned up after."""
    made: list[Stack] = []

    def factory(name: str, env_overrides: dict[str, str]) -> Stack:
        stack = build_stack(
            make_home(tmp_path / name, shared_assets), env_overrides, tmp_path / f"{name}-logs"
        )
        made.append(stack)
        return stack

    yield factory
    for stack in made:
        stack.stop_workers()
        stack.factory.kw["bind"].dispose()


class PrivateRedis:
    """A redis-server of our own on a free port, which a test may stop and restart."""

    def __init__(self) -> None:
        import shutil

        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail(
                "redis-server is required for the broker-outage test (apt-get install redis-server)",
                pytrace=False,
            )
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"could not start redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    yield server
    server.stop()
