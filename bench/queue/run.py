"""Queue and metric-query benchmark; writes ``bench/queue/RESULTS.md``.

1. Empty-task round trip (client sends, a warm worker runs a task that does nothing, the
   client sees the result) through Redis and through the embedded SQLite broker (kombu's
   SQLAlchemy transport), with the product's Celery configuration. p50/p95 over N tasks
   sent one after another, after a warm-up. "dispatch" is the one-way part: send -> the
   task starts (same host, same clock).
2. The web app's metric queries on PostgreSQL holding 1,000 trials x 500 metric points,
   bulk-loaded with COPY: the trial list (``db.queries.list_trials``, first page and a name
   search) and one trial's curves (``db.queries.trial_metrics``, ``metric_names``), plus a
   5-trial comparison. Target: p95 < 50 ms.

Usage (needs Redis and PostgreSQL; see ``make services``)::

    .venv/bin/python bench/queue/run.py [--tasks 200] [--sqlite-tasks 60] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESULTS = HERE / "RESULTS.md"

PG_ADMIN_URL = os.environ.get(
    "HCMQA_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
#: The benchmark flushes this database; it refuses one holding anything but its own marker.
REDIS_URL = os.environ.get("HCMQA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
REDIS_MARKER = "hcmqa-bench:owned"

TRIALS = 1_000
#: 5 curves x 100 steps = 500 points per trial.
CURVES = (
    ("train", "loss"),
    ("train", "grad_norm"),
    ("train", "learning_rate"),
    ("val", "eval_loss"),
    ("val", "token_f1"),
)
STEPS = 100


@dataclass
class Timing:
    name: str
    samples_ms: list[float]

    def pct(self, q: float) -> float:
        ordered = sorted(self.samples_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return self.pct(95)


# --- 1. queue round trip ------------------------------------------------------------------


def queue_round_trip(label: str, broker: str, backend: str, home: Path, tasks: int) -> list[Timing]:
    """Start a warm worker on ``broker``, send ``tasks`` empty tasks one by one."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HCMQA_") and k not in ("DATABASE_URL", "BROKER_URL")
    }
    env.update(
        {
            "HCMQA_HOME": str(home),
            "BROKER_URL": broker,
            "BENCH_RESULT_BACKEND": backend,
            "PYTHONPATH": str(HERE),
        }
    )
    log = (home / f"worker-{label}.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "noop_app",
            "worker",
            "-Q",
            "bench",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{label}@%h",
            "-l",
            "WARNING",
        ],
        cwd=HERE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        sys.path.insert(0, str(HERE))
        os.environ.update({k: env[k] for k in ("HCMQA_HOME", "BROKER_URL", "BENCH_RESULT_BACKEND")})
        import importlib

        import noop_app

        importlib.reload(noop_app)  # rebuild the client app for this broker
        client = noop_app.app
        # Warm up: the worker is ready once a task comes back.
        deadline = time.monotonic() + 120
        while True:
            try:
                client.send_task(noop_app.NOOP, args=[time.time()], queue="bench").get(
                    timeout=10, interval=0.002
                )
                break
            except Exception:  # noqa: BLE001 - not ready yet
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{label} worker did not start; see {log.name}") from None
        for _ in range(20):
            client.send_task(noop_app.NOOP, args=[time.time()], queue="bench").get(
                timeout=30, interval=0.002
            )
        round_trips, dispatch = [], []
        for _ in range(tasks):
            sent = time.time()
            one_way = client.send_task(noop_app.NOOP, args=[sent], queue="bench").get(
                timeout=30, interval=0.002
            )
            round_trips.append((time.time() - sent) * 1000)
            dispatch.append(one_way * 1000)
        client.close()
        return [
            Timing(f"{label}: round trip", round_trips),
            Timing(f"{label}: dispatch (send -> task starts)", dispatch),
        ]
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()


# --- 2. metric queries --------------------------------------------------------------------


def load_metrics(url: str, seed: int = 0) -> list[int]:
    """1,000 trials x 500 points, bulk-loaded with COPY; returns the trial ids."""
    import psycopg

    from db.migrate import upgrade

    upgrade(url)
    rng = random.Random(seed)
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    config = json.dumps(
        {
            "name": "trial",
            "lora_r": 16,
            "lora_alpha": 32,
            "learning_rate": 2e-4,
            "max_steps": 150,
            "mode": "grounded",
        }
    )
    with psycopg.connect(libpq) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY trials (name, config, mode, base_model, status, summary_metrics, created_at, started_at, finished_at) FROM STDIN"
            ) as copy:
                for i in range(TRIALS):
                    created = start + timedelta(minutes=37 * i)
                    status = rng.choice(["succeeded"] * 7 + ["failed", "cancelled", "running"])
                    summary = json.dumps(
                        {"global_step": STEPS, "best_eval_loss": round(rng.uniform(0.5, 3), 4)}
                    )
                    copy.write_row(
                        (
                            f"trial-{i:04d} lr{rng.choice(['1e-4', '2e-4', '3e-4'])}",
                            config,
                            rng.choice(["grounded", "closed_book"]),
                            rng.choice(["smollm2-135m", "falcon-7b-instruct"]),
                            status,
                            summary,
                            created,
                            created,
                            created + timedelta(minutes=30),
                        )
                    )
            cur.execute("SELECT id FROM trials ORDER BY id")
            ids = [row[0] for row in cur.fetchall()]
            buffer_rows = 0
            with cur.copy(
                "COPY metric_points (trial_id, step, split, name, value, created_at) FROM STDIN"
            ) as copy:
                for trial_id in ids:
                    for split, name in CURVES:
                        for step in range(1, STEPS + 1):
                            copy.write_row((trial_id, step, split, name, rng.random(), start))
                            buffer_rows += 1
            cur.execute("ANALYZE trials")
            cur.execute("ANALYZE metric_points")
        conn.commit()
    assert buffer_rows == TRIALS * len(CURVES) * STEPS
    return ids


def time_queries(url: str, ids: list[int], runs: int) -> list[Timing]:
    from db import queries
    from db.session import make_engine, make_session_factory

    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(1)
    cases: list[tuple[str, Callable[[Any], Any]]] = [
        ("list_trials (newest 50)", lambda s: queries.list_trials(s, limit=50)),
        (
            "list_trials (status=succeeded, page 5)",
            lambda s: queries.list_trials(s, status="succeeded", limit=50, offset=200),
        ),
        (
            "list_trials (name search)",
            lambda s: queries.list_trials(s, search=f"trial-0{rng.randrange(100):02d}", limit=50),
        ),
        (
            "trial_metrics (one trial, 500 points)",
            lambda s: queries.trial_metrics(s, rng.choice(ids)),
        ),
        (
            "trial_metrics (one curve, 100 points)",
            lambda s: queries.trial_metrics(s, rng.choice(ids), name="loss", split="train"),
        ),
        ("metric_names (one trial)", lambda s: queries.metric_names(s, rng.choice(ids))),
        (
            "compare_trials (5 trials x 2 metrics)",
            lambda s: queries.compare_trials(s, rng.sample(ids, 5), ["eval_loss", "token_f1"]),
        ),
    ]
    timings = []
    with factory() as session:
        for name, call in cases:
            for _ in range(10):  # warm the pool, the plan cache and PostgreSQL's buffers
                call(session)
                session.rollback()
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                result = call(session)
                samples.append((time.perf_counter() - began) * 1000)
                session.rollback()
                assert result is not None
            timings.append(Timing(name, samples))
    engine.dispose()
    return timings


# --- report -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        mem_gb = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{mem_gb}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def server_versions() -> str:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    rv = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    import celery
    import kombu
    import sqlalchemy

    return f"PostgreSQL {pg}, Redis {rv}, Celery {celery.__version__}, kombu {kombu.__version__}, SQLAlchemy {sqlalchemy.__version__}"


def write_results(
    command: str, queue: list[Timing], metric: list[Timing], runs: int, load_s: float
) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    lines = [
        "# Queue and metric-query benchmark",
        "",
        f"- Command: `{command}`",
        f"- Date: {now}",
        f"- Machine: {machine()}",
        f"- Servers: {server_versions()}",
        f"- Load average when it started: {load:.2f} (the machine is shared; numbers are wall-clock)",
        "",
        "## Empty task round trip (tasks sent one after another to a warm prefork worker, concurrency 1)",
        "",
        "| broker | measure | tasks | p50 ms | p95 ms | max ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for t in queue:
        broker, measure = t.name.split(": ", 1)
        lines.append(
            f"| {broker} | {measure} | {len(t.samples_ms)} | {t.p50:.1f} | {t.p95:.1f} | {max(t.samples_ms):.1f} |"
        )
    lines += [
        "",
        "Round trip = send -> worker runs the task -> the client reads the result (Redis result",
        "backend on Redis; `db+sqlite` result backend, polled every 2 ms, on SQLite). The SQLite",
        "broker is polled by the worker once a second (kombu's default; its SQLAlchemy transport",
        "passes every transport option to `create_engine`, so the interval cannot be set). A",
        "worker that has just finished a task finds the queue empty and sleeps a whole interval,",
        "so back-to-back tasks wait about one second each: negligible for jobs that run minutes,",
        "noticeable for a chat turn on the embedded default.",
        "",
        f"## Metric queries on PostgreSQL ({TRIALS:,} trials x {len(CURVES) * STEPS} points = "
        f"{TRIALS * len(CURVES) * STEPS:,} rows, loaded with COPY in {load_s:.1f} s; {runs} runs each)",
        "",
        "| query (`db.queries`) | p50 ms | p95 ms | max ms | p95 < 50 ms |",
        "|---|---:|---:|---:|:---:|",
    ]
    for t in metric:
        lines.append(
            f"| {t.name} | {t.p50:.2f} | {t.p95:.2f} | {max(t.samples_ms):.2f} | {'yes' if t.p95 < 50 else '**no**'} |"
        )
    lines.append("")
    text = "\n".join(lines)
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tasks", type=int, default=200, help="empty tasks through Redis (default 200)"
    )
    parser.add_argument(
        "--sqlite-tasks",
        type=int,
        default=60,
        help="empty tasks through the SQLite broker (default 60; ~1 s each)",
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="runs per metric query (default 200)"
    )
    args = parser.parse_args(argv)
    command = "python bench/queue/run.py" + "".join(
        f" --{k} {v}"
        for k, v, d in (
            ("tasks", args.tasks, 200),
            ("sqlite-tasks", args.sqlite_tasks, 60),
            ("queries", args.queries, 200),
        )
        if v != d
    )

    import psycopg
    import redis
    from psycopg import sql

    lent = redis.Redis.from_url(REDIS_URL)
    if lent.dbsize() and not lent.exists(REDIS_MARKER):
        parser.error(
            f"{REDIS_URL} holds data that is not this benchmark's; set HCMQA_BENCH_REDIS_URL to an empty database"
        )
    lent.flushdb()
    lent.set(REDIS_MARKER, "1")
    home = Path(tempfile.mkdtemp(prefix="hcmqa-bench-"))
    db_name = f"hcmqa_bench_{uuid.uuid4().hex[:8]}"
    try:
        queue = queue_round_trip("Redis", REDIS_URL, REDIS_URL, home, args.tasks)
        queue += queue_round_trip(
            "SQLite (embedded)",
            f"sqla+sqlite:///{home / 'broker.db'}",
            f"db+sqlite:///{home / 'results.db'}",
            home,
            args.sqlite_tasks,
        )
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
        info = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_URL)
        url = f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{db_name}"
        began = time.perf_counter()
        ids = load_metrics(url)
        load_s = time.perf_counter() - began
        metric = time_queries(url, ids, args.queries)
    finally:
        lent.flushdb()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name))
            )
        shutil.rmtree(home, ignore_errors=True)
    print(write_results(command, queue, metric, args.queries, load_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
