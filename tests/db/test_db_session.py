"""Engine/session helpers, UTC handling, package hygiene and cross-process claim safety."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import create_job
from db.models import JobKind, User
from db.session import make_engine, session_scope

REPO_ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IMPORTS = ("torch", "transformers", "celery", "flask", "hcmqa")


def test_sqlite_connection_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}", sqlite_busy_timeout_s=7.5)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7500
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_memory_database_works_without_wal() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_engine_backend_settings(engine: Engine, backend: str) -> None:
    if backend == "postgresql":
        assert engine.pool._pre_ping is True
        assert engine.dialect.driver == "psycopg"
    else:
        assert engine.dialect.name == "sqlite"


def test_session_scope_commits_and_rolls_back(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as sess:
        sess.add(User(username="ada", password_hash="x"))
    with pytest.raises(RuntimeError), session_scope(session_factory) as sess:
        sess.add(User(username="bob", password_hash="x"))
        sess.flush()
        raise RuntimeError("boom")
    with session_scope(session_factory) as sess:
        assert list(sess.scalars(select(User.username))) == ["ada"]
        user = sess.scalars(select(User)).one()
        assert user.is_admin is False and user.api_token_hash is None


def test_datetimes_round_trip_as_aware_utc(session_factory: sessionmaker[Session]) -> None:
    plus_two = timezone(timedelta(hours=2))
    moment = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=plus_two)
    with session_scope(session_factory) as sess:
        sess.add(User(username="tz", password_hash="x", created_at=moment))
    with session_scope(session_factory) as sess:
        stored = sess.scalars(select(User.created_at)).one()
        assert stored == moment
        assert stored.utcoffset() == timedelta(0)
        assert stored.hour == 12
        # Comparisons against aware bounds work on both backends.
        after = moment - timedelta(microseconds=1)
        assert sess.scalar(select(func.count()).where(User.created_at > after)) == 1


def test_naive_datetimes_are_rejected(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive datetime"), session_scope(session_factory) as sess:
        sess.add(User(username="naive", password_hash="x", created_at=datetime(2025, 1, 1)))


def test_json_columns_round_trip(session_factory: sessionmaker[Session]) -> None:
    payload = {"lr": 2e-4, "targets": ["q_proj", "v_proj"], "nested": {"r": 8}, "name": "ü"}
    with session_factory() as sess:
        job_id = create_job(sess, JobKind.train, payload).id
    with session_factory() as sess:
        stored = sess.execute(
            text("SELECT payload, progress_detail FROM jobs WHERE id = :i"), {"i": job_id}
        ).one()
    loaded = stored[0] if isinstance(stored[0], dict) else json.loads(stored[0])
    assert loaded == payload
    assert stored[1] is None  # Optional JSON is SQL NULL, not the JSON literal 'null'


def test_db_package_imports_nothing_heavy() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import db, db.jobs, db.queries, db.session, db.models, db.migrate
        bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IMPORTS!r})
        assert not bad, bad
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_db_package_reads_no_environment() -> None:
    pattern = re.compile(r"\bos\.environ\b|\bgetenv\b|\bimport\s+hcmqa\b|\bfrom\s+hcmqa\b")
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "db").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


_CLAIM_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from db.session import make_engine, make_session_factory
    from db.jobs import claim_job
    url, name, start_at, ids = sys.argv[1], sys.argv[2], float(sys.argv[3]), json.loads(sys.argv[4])
    engine = make_engine(url)
    factory = make_session_factory(engine)
    while time.time() < start_at:
        time.sleep(0.001)
    won = []
    for job_id in ids:
        with factory() as session:
            if claim_job(session, job_id, name).claimed:
                won.append(job_id)
    engine.dispose()
    print(json.dumps(won))
    """
)


def test_claims_are_exclusive_across_processes(
    session_factory: sessionmaker[Session], migrated_url: str
) -> None:
    """Several worker processes sharing one database each take a disjoint set of jobs."""
    import time

    with session_factory() as sess:
        ids = [create_job(sess, JobKind.answer, {"i": i}).id for i in range(40)]
    start_at = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _CLAIM_WORKER,
                migrated_url,
                f"proc-{n}",
                str(start_at),
                json.dumps(ids),
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    won: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        won.extend(json.loads(out))
    assert sorted(won) == sorted(ids)  # every job claimed, none twice
