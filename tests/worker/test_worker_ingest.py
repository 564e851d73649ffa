"""Dataset ingest jobs on a real ``cpu`` worker, PostgreSQL and Redis: an upload saved the way the
web app saves it becomes a built, ready dataset, or a failed one with every problem by file and row
and nothing left on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db.models import Dataset, DatasetStatus, JobKind, JobStatus
from jobs import send_job, submit_ingest

pytestmark = pytest.mark.services

INGEST_TIMEOUT_S = 180


def _stage(home: Path, fixtures_dir: Path, *, qa: bytes | None = None, extra: dict[str, bytes] | None = None) -> str:
    """Save an upload as the web app does: ``uploads/.staging-*/documents/`` and ``qa.csv``."""
    staging = home / "uploads" / ".staging-test"
    shutil.copytree(fixtures_dir / "docs", staging / "documents")
    for name, data in (extra or {}).items():
        (staging / "documents" / name).write_bytes(data)
    (staging / "qa.csv").write_bytes(qa if qa is not None else (fixtures_dir / "qa_good.csv").read_bytes())
    return staging.name


def _submit(stack, staging: str, documents: list[tuple[str, str]], qa_name: str) -> tuple[int, int]:
    with stack.factory() as session:
        dataset, job = submit_ingest(session, "museum", staging=staging, documents=documents, qa_csv=qa_name,
                                     max_attempts=stack.settings.max_attempts)
        ids = dataset.id, job.id
        send_job(stack.app, session, job.id, JobKind.ingest, retries=0)
    return ids


def _fixture_documents(fixtures_dir: Path) -> list[tuple[str, str]]:
    return [(p.name, p.name) for p in sorted((fixtures_dir / "docs").iterdir())]


def test_a_good_upload_becomes_a_ready_dataset(pg_redis_stack, fixtures_dir):
    stack = pg_redis_stack
    stack.start_worker("cpu-1", queues="cpu")
    home = stack.settings.home
    staging = _stage(home, fixtures_dir)
    dataset_id, job_id = _submit(stack, staging, _fixture_documents(fixtures_dir), "my questions.csv")
    job = stack.wait_job(job_id, {"succeeded", "failed"}, INGEST_TIMEOUT_S)
    assert job.status is JobStatus.succeeded, (job.error, stack.worker_logs())
    assert job.progress == 1.0 and job.progress_detail["phase"] == "stored"
    dataset = stack.row(Dataset, dataset_id)
    assert dataset.status is DatasetStatus.ready and dataset.problems == []
    assert dataset.counts["documents"] == 3 and dataset.counts["qa_pairs"] == 8 and sum(dataset.splits.values()) == 8
    assert len(dataset.version) == 12 and len(dataset.content_hash) == 64
    folder = home / "uploads" / str(dataset_id)
    assert Path(dataset.path) == (folder / f"museum-{dataset.version}").resolve()
    assert (Path(dataset.path) / "manifest.json").is_file()
    assert sorted(p.name for p in (home / "uploads").iterdir()) == [str(dataset_id)]  # the staging folder moved


def test_a_bad_upload_fails_with_every_problem_and_leaves_nothing(pg_redis_stack, fixtures_dir):
    stack = pg_redis_stack
    stack.start_worker("cpu-1", queues="cpu")
    home = stack.settings.home
    bad_qa = b"question,answer\nWho was he?,A leader.\n,No question.\nWho was he?,Again.\n"
    staging = _stage(home, fixtures_dir, qa=bad_qa, extra={"document-4.txt": b"\xff\xfe not utf-8"})
    documents = _fixture_documents(fixtures_dir) + [("document-4.txt", "l\u1ecbch s\u1eed.txt")]
    dataset_id, job_id = _submit(stack, staging, documents, "c\u00e2u h\u1ecfi.csv")
    job = stack.wait_job(job_id, {"succeeded", "failed"}, INGEST_TIMEOUT_S)
    assert job.status is JobStatus.failed and job.error.startswith("3 problem(s) in the upload")
    dataset = stack.row(Dataset, dataset_id)
    assert dataset.status is DatasetStatus.failed
    # every problem at once, by the names the user uploaded, never by a server path
    assert dataset.problems[0].startswith("l\u1ecbch s\u1eed.txt: not valid UTF-8")
    assert dataset.problems[1:] == ["c\u00e2u h\u1ecfi.csv:3: empty question",
                                    "c\u00e2u h\u1ecfi.csv:4: duplicate question (same as row 2)"]
    assert not any(str(home) in p for p in dataset.problems)
    assert list((home / "uploads").iterdir()) == []  # no uploaded files, no built folder


def test_an_upload_this_worker_cannot_see_fails_without_showing_host_paths(pg_redis_stack, fixtures_dir):
    """A worker without the web app's HCMQA_HOME volume: the dataset fails, saying what to fix."""
    stack = pg_redis_stack
    stack.start_worker("cpu-1", queues="cpu")
    dataset_id, job_id = _submit(stack, ".staging-elsewhere", _fixture_documents(fixtures_dir), "qa.csv")
    job = stack.wait_job(job_id, {"succeeded", "failed"}, INGEST_TIMEOUT_S)
    assert job.status is JobStatus.failed
    dataset = stack.row(Dataset, dataset_id)
    assert dataset.status is DatasetStatus.failed
    assert dataset.problems == [
        "the dataset could not be built: the uploaded files are not in uploads/.staging-elsewhere on this "
        "worker; workers must share the HCMQA_HOME volume of the web app"]


def test_the_reaper_removes_staging_folders_no_ingest_job_will_move(pg_redis_stack, fixtures_dir):
    """A job given up before it ran, and files whose job was never created, leave no folder."""
    import os
    import time

    from sqlalchemy import update

    from db.models import Job
    from worker.reaper import ORPHAN_STAGING_AGE_S, reap

    stack = pg_redis_stack
    uploads = stack.settings.home / "uploads"
    staging = _stage(stack.settings.home, fixtures_dir)  # .staging-test, its job given up below
    given_up = staging
    waiting = uploads / ".staging-waiting"  # its job is still queued: kept
    old_orphan = uploads / ".staging-oldorphan"  # no job, saved long ago: removed
    new_orphan = uploads / ".staging-neworphan"  # no job yet, just saved: kept
    for folder in (waiting, old_orphan, new_orphan):
        shutil.copytree(fixtures_dir / "docs", folder / "documents")
    long_ago = time.time() - ORPHAN_STAGING_AGE_S - 60
    os.utime(old_orphan, (long_ago, long_ago))
    os.utime(uploads / given_up, (long_ago, long_ago))
    os.utime(waiting, (long_ago, long_ago))
    with stack.factory() as session:
        _, gone_job = submit_ingest(session, "museum", staging=given_up, documents=_fixture_documents(fixtures_dir),
                                    qa_csv="qa.csv", max_attempts=1)
        submit_ingest(session, "museum", staging=waiting.name, documents=_fixture_documents(fixtures_dir),
                      qa_csv="qa.csv", max_attempts=1)
        session.execute(update(Job).where(Job.id == gone_job.id).values(status=JobStatus.failed, error="gave up"))
        session.commit()

    report = reap(stack.app, stack.factory, stale_after_s=3600, unsent_grace_s=3600)
    assert sorted(report.removed_staging) == sorted([given_up, old_orphan.name])
    assert sorted(p.name for p in uploads.iterdir()) == [".staging-neworphan", ".staging-waiting"]
    assert reap(stack.app, stack.factory, stale_after_s=3600, unsent_grace_s=3600).removed_staging == []
