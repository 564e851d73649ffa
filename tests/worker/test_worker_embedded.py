"""The embedded default, with no server at all: SQLite database + kombu SQLAlchemy broker.

Driven through the command line a laptop user types (``python -m worker`` stands in for the
``hcmqa`` entry point): migrate, start a worker, submit a trial, list jobs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from db.models import JobStatus, Trial, TrialStatus

pytestmark = [
    pytest.mark.slow,
    # kombu 5.7's SQLAlchemy transport still uses a loader option SQLAlchemy 2.1 deprecates.
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]

REPO = Path(__file__).resolve().parents[2]


def _cli(stack: Any, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worker", *argv],
        cwd=REPO,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_embedded_default_runs_a_trial_end_to_end(
    make_stack: Any, tiny_trial: dict[str, Any], tmp_path: Path
) -> None:
    stack = make_stack("laptop", {})
    home = stack.settings.home
    assert stack.settings.database_url == f"sqlite:///{home / 'hcmqa.db'}"
    assert stack.settings.broker_url == f"sqla+sqlite:///{home / 'broker.db'}"

    upgraded = _cli(stack, "db", "upgrade")
    assert upgraded.returncode == 0 and "is at revision" in upgraded.stdout, upgraded.stderr
    stack.start_worker("laptop", queues="gpu,cpu", beat=True)

    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(tiny_trial))
    submitted = _cli(stack, "submit", "trial", "--config", str(config), "--name", "embedded")
    assert submitted.returncode == 0, submitted.stderr
    match = re.search(r"trial (\d+) \(embedded\) queued as job (\d+)", submitted.stdout)
    assert match, submitted.stdout
    trial_id, job_id = int(match[1]), int(match[2])

    job = stack.wait_job(job_id, {"succeeded", "failed", "cancelled"}, timeout=300)
    assert job.status is JobStatus.succeeded, job.error
    trial = stack.row(Trial, trial_id)
    assert trial.status is TrialStatus.succeeded and trial.summary_metrics["global_step"] == 2
    run_dir = stack.settings.run_dir(trial_id)
    assert trial.artifact_path == str(run_dir.resolve())
    stored = {(s, sp, n) for s, sp, n, _ in stack.metric_points(trial_id)}
    logged = {
        (p["step"], p["split"], p["name"])
        for p in map(json.loads, (run_dir / "metrics.jsonl").read_text().splitlines())
    }
    assert stored == logged and (2, "val", "eval_loss") in stored

    listing = _cli(stack, "jobs", "--all")
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if line.split()[:1] == [str(job_id)])
    assert (
        "train" in row
        and "succeeded" in row
        and "100.0%" in row
        and "step 2/2" in row
        and f"trial {trial_id}" in row
    )


def test_embedded_broker_recovers_a_killed_workers_job_through_the_reaper(make_stack: Any) -> None:
    """kombu's SQLAlchemy transport keeps unacknowledged messages in the worker's memory:
    when the whole worker dies, only the reaper (on the next worker) brings the job back."""
    from db.jobs import create_job
    from db.models import JobKind

    stack = make_stack("laptop-crash", {})
    doomed = stack.start_worker("doomed", queues="gpu,cpu", beat=False)
    with stack.factory() as session:
        job_id = create_job(session, JobKind.gate, {"test_fault": "stall_first_attempt"}).id
    stack.send(job_id, JobKind.gate)
    stack.wait_for(lambda: stack.job(job_id).status is JobStatus.running, 120, "the job to start")
    doomed.kill()

    survivor = stack.start_worker("survivor", queues="gpu,cpu", beat=True)
    job = stack.wait_job(job_id, {"succeeded", "failed", "cancelled"}, timeout=120)
    assert job.status is JobStatus.succeeded, job.error
    assert job.attempt == 2 and job.worker.startswith("survivor@")
    assert "requeued" in survivor.log(400) and f"'requeued': [{job_id}]" in survivor.log(400)
