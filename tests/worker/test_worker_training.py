"""Real training through real workers on PostgreSQL + Redis: the trial lifecycle end to end.

Tiny trials (a couple of optimiser steps of SmolLM2-135M with a rank-2 adapter) keep this
to minutes on a 2-core CPU while still logging, evaluating, generating and checkpointing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hcmqa.prompts import REFUSAL_OFFTOPIC

from db.jobs import CancelOutcome, request_cancel
from db.models import Answer, AnswerPath, FaqBatch, JobStatus, Trial, TrialStatus
from worker.train_job import last_checkpoint_step

pytestmark = [pytest.mark.services, pytest.mark.slow]

TERMINAL = {"succeeded", "failed", "cancelled"}


def _file_points(run_dir: Path) -> list[tuple[int, str, str]]:
    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [(p["step"], p["split"], p["name"]) for p in map(json.loads, lines)]


def test_cancel_frees_the_worker_and_the_next_trial_runs_end_to_end(
    pg_redis_stack: Any, tiny_trial: dict[str, Any]
) -> None:
    stack = pg_redis_stack
    worker = stack.start_worker("gpu1", queues="gpu")
    cancel_trial_id, cancel_job_id = stack.submit_trial(
        {**tiny_trial, "name": "to-cancel", "max_steps": 500, "eval_steps": 400}
    )
    trial_id, job_id = stack.submit_trial({**tiny_trial, "name": "end-to-end", "max_steps": 4})

    # (d) cancel while training: the job and trial end cancelled, a checkpoint is kept.
    stack.wait_for(
        lambda: (stack.job(cancel_job_id).progress_detail or {}).get("step", 0) >= 1,
        240,
        "the first training step",
    )
    with stack.factory() as session:
        assert request_cancel(session, cancel_job_id) is CancelOutcome.requested
    cancelled = stack.wait_job(cancel_job_id, TERMINAL, timeout=90)
    assert cancelled.status is JobStatus.cancelled and cancelled.error is None
    cancelled_trial = stack.row(Trial, cancel_trial_id)
    assert (
        cancelled_trial.status is TrialStatus.cancelled and cancelled_trial.finished_at is not None
    )
    assert last_checkpoint_step(stack.settings.run_dir(cancel_trial_id)) is not None, (
        "cancel keeps a checkpoint to resume from"
    )

    # (a) the same worker then runs the next trial end to end, streaming its progress.
    seen: list[dict[str, Any]] = []

    def finished() -> bool:
        job = stack.job(job_id)
        if job.status is JobStatus.running and job.progress_detail and 0 < job.progress < 1:
            seen.append(dict(job.progress_detail))
        return job.status.value in TERMINAL

    stack.wait_for(finished, 300, f"trial job {job_id} to finish", interval=0.2)
    job = stack.job(job_id)
    assert job.status is JobStatus.succeeded, job.error
    assert job.attempt == 1 and job.progress == 1.0 and job.heartbeat_at is not None
    assert job.progress_detail["step"] == job.progress_detail["total"] == 4
    assert any(
        d.get("total") == 4
        and 1 <= d.get("step", 0) < 4
        and d.get("eta_s") is not None
        and d.get("loss") is not None
        for d in seen
    ), seen

    trial = stack.row(Trial, trial_id)
    run_dir = stack.settings.run_dir(trial_id)
    assert trial.status is TrialStatus.succeeded and trial.error is None
    assert trial.artifact_path == str(run_dir.resolve())
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
    assert trial.summary_metrics["global_step"] == 4 and "best_eval_loss" in trial.summary_metrics
    assert (
        trial.dataset_id is not None
        and trial.started_at is not None
        and trial.finished_at is not None
    )

    points = stack.metric_points(trial_id)
    keys = [(step, split, name) for step, split, name, _ in points]
    assert {(s, "train", "loss") for s in (1, 2, 3, 4)} | {
        (s, "val", n) for s in (2, 4) for n in ("eval_loss", "token_f1")
    } <= set(keys)
    assert sorted(keys) == sorted(set(_file_points(run_dir))), (
        "every logged point stored exactly once"
    )

    # FAQ batch on the trained trial, then an evaluation: the assistant is loaded once.
    questions = [
        "When was Ho Chi Minh born?",
        "Who won the 2018 football World Cup?",
        "when was ho chi minh born",
    ]
    batch_id, faq_job_id = stack.submit_faq(questions, trial_id=trial_id)
    eval_job_id = stack.submit_eval(trial_id, splits=["test_paraphrase"], limit=2)
    assert stack.wait_job(faq_job_id, TERMINAL, timeout=240).status is JobStatus.succeeded, (
        stack.job(faq_job_id).error
    )
    assert stack.wait_job(eval_job_id, TERMINAL, timeout=240).status is JobStatus.succeeded, (
        stack.job(eval_job_id).error
    )

    batch = stack.row(FaqBatch, batch_id)
    assert batch.status is JobStatus.succeeded and batch.done == batch.total == 3
    with stack.factory() as session:
        answers = session.scalars(
            select(Answer).where(Answer.batch_id == batch_id).order_by(Answer.position)
        ).all()
        assert [a.question for a in answers] == questions
        assert [a.related for a in answers] == [True, False, True]
        assert all(
            a.answer and a.latency_ms is not None and a.gate_score is not None for a in answers
        )
        assert answers[1].answer == REFUSAL_OFFTOPIC
        assert answers[1].answer_path is AnswerPath.refused_off_topic
        assert {answers[0].answer_path, answers[2].answer_path} <= {AnswerPath.generated, AnswerPath.extracted}
    trial = stack.row(Trial, trial_id)
    assert {"test_paraphrase_token_f1", "test_paraphrase_bleu", "global_step"} <= set(
        trial.summary_metrics
    )
    assert (4, "test_paraphrase", "token_f1") in {
        (s, sp, n) for s, sp, n, _ in stack.metric_points(trial_id)
    }
    assert (run_dir / "evaluation" / "test_paraphrase.json").is_file()
    assert worker.log(2000).count("loading assistant") == 1, "the assistant stays warm between jobs"


def test_killed_worker_job_resumes_from_its_checkpoint_on_another_worker(
    pg_redis_stack: Any, tiny_trial: dict[str, Any]
) -> None:
    stack = pg_redis_stack
    doomed = stack.start_worker("doomed", queues="gpu")
    trial_id, job_id = stack.submit_trial({**tiny_trial, "name": "resumed", "max_steps": 6})
    run_dir = stack.settings.run_dir(trial_id)

    def first_checkpoint_saved() -> bool:
        # The Trainer writes trainer_state.json last: once it parses, checkpoint-2 is complete.
        try:
            json.loads(
                (run_dir / "checkpoints" / "checkpoint-2" / "trainer_state.json").read_text()
            )
        except (OSError, ValueError):
            return False
        return True

    def reported_past_checkpoint() -> bool:
        # the step's progress reaches the database just after its checkpoint: under load the
        # worker can be killed between the two
        return first_checkpoint_saved() and (stack.job(job_id).progress_detail or {}).get("step", 0) >= 2

    stack.wait_for(reported_past_checkpoint, 300, "the first checkpoint and its progress", interval=0.05)
    doomed.kill()
    orphan = stack.job(job_id)
    assert (orphan.progress_detail or {}).get("step", 0) >= 2, orphan.progress_detail
    assert (
        orphan.status is JobStatus.running
        and orphan.attempt == 1
        and orphan.worker.startswith("doomed@")
    )
    points_before = stack.metric_points(trial_id)

    # Nothing but the broker knows about the job now: its message comes back after the
    # visibility timeout and another worker takes the job over from the last checkpoint.
    rescuer = stack.start_worker("rescuer", queues="gpu")
    job = stack.wait_job(job_id, TERMINAL, timeout=300)
    assert job.status is JobStatus.succeeded, job.error
    assert job.attempt == 2 and job.worker.startswith("rescuer@")
    resumed = job.progress_detail["resumed_from_step"]
    assert resumed in (2, 4), job.progress_detail
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["resumed_from"].endswith(f"checkpoint-{resumed}")
    final_state = json.loads(
        (run_dir / "checkpoints" / "checkpoint-6" / "trainer_state.json").read_text()
    )
    assert final_state["global_step"] == 6

    trial = stack.row(Trial, trial_id)
    assert trial.status is TrialStatus.succeeded and trial.summary_metrics["global_step"] == 6

    # Exactly once: one success, one row per metric point, first values kept.
    assert rescuer.log(4000).count(f"job {job_id} succeeded") == 1
    assert f"job {job_id} succeeded" not in doomed.log(4000)
    points = stack.metric_points(trial_id)
    keys = [(s, sp, n) for s, sp, n, _ in points]
    assert len(keys) == len(set(keys))
    assert [s for s, sp, n in keys if (sp, n) == ("train", "loss")] == [1, 2, 3, 4, 5, 6]
    assert set(points_before) <= set(points)
    assert sorted(keys) == sorted(set(_file_points(run_dir)))
