"""Evaluation work: a succeeded trial -> ``hcmqa.evaluation.evaluate`` on test splits -> rows.

Scores go three places: metric points (split = the test split, at the trial's last step;
a re-evaluation replaces them),
flat ``<split>_<metric>`` keys merged into ``trials.summary_metrics`` (what the compare page
reads), and the per-question report as JSON in the run directory.

Job payload (all optional): ``splits`` (default both test splits), ``limit`` (first N
questions of each split, for a quick look).
"""

from __future__ import annotations

import json
import logging
import numbers
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import JobStatus, MetricPoint, Trial, utcnow
from hcmqa.fileio import atomic_write_json
from worker.answer_job import trained_run_dir
from worker.assistants import assistant_cache
from worker.context import JobContext, Outcome
from worker.datasets import optional_dataset_dir
from worker.sql import upsert_update

log = logging.getLogger(__name__)

DEFAULT_SPLITS = ("test_paraphrase", "test_unseen")
REPORT_METRICS = ("exact_match", "token_f1", "key_fact_accuracy", "bleu", "rouge_l")


def evaluate_trial(ctx: JobContext) -> Outcome:
    """Evaluate the job's trial on the requested test splits."""
    from hcmqa.data.build import load_manifest
    from hcmqa.data.qa import SPLITS, read_split
    from hcmqa.evaluation import evaluate

    if ctx.trial_id is None:
        return Outcome(JobStatus.failed, f"job {ctx.job_id} has no trial to evaluate")
    trial_id = ctx.trial_id
    splits = [str(s) for s in ctx.payload.get("splits") or DEFAULT_SPLITS]
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        return Outcome(
            JobStatus.failed, f"unknown split(s) {', '.join(unknown)}; use {', '.join(SPLITS)}"
        )
    limit = ctx.payload.get("limit")
    with ctx.session() as session:
        run_dir = trained_run_dir(session, trial_id)
        dataset_dir = optional_dataset_dir(session, trial_id)
        step = _final_step(session, trial_id)

    assistant = assistant_cache(ctx.settings.assistant_cache_size).get(
        run_dir, ctx.home, dataset_dir, engine=ctx.settings.engine
    )
    if dataset_dir is None:
        dataset_dir = Path(json.loads((run_dir / "manifest.json").read_text())["dataset"]["path"])
    load_manifest(dataset_dir)  # a clear error if the dataset is gone

    scores: dict[str, float] = {}
    points: list[tuple[int, str, str, float]] = []
    for index, split in enumerate(splits):
        ctx.check_stop()
        pairs = read_split(dataset_dir, split)
        if limit:
            pairs = pairs[: int(limit)]

        def progress(done: int, total: int, index: int = index, split: str = split) -> None:
            ctx.check_stop()
            share = done / total if total else 1.0
            ctx.report(
                progress=(index + share) / len(splits),
                detail={"split": split, "done": done, "total": total},
            )

        report = evaluate(assistant, pairs, progress=progress)
        report_file = run_dir / "evaluation" / f"{split}.json"
        report_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(report_file, report.to_dict(), ensure_ascii=False, default=str)
        for name in REPORT_METRICS:
            value = report.aggregate.get(name)
            if isinstance(value, numbers.Real):
                scores[f"{split}_{name}"] = float(value)
                points.append((step, split, name, float(value)))
        ctx.report(progress=(index + 1) / len(splits))

    def store(session: Session) -> None:
        # A newer evaluation replaces the older one's points (plain inserts would keep it).
        if points:
            now = utcnow()
            rows = [
                {
                    "trial_id": trial_id,
                    "step": s,
                    "split": sp,
                    "name": n,
                    "value": v,
                    "created_at": now,
                }
                for s, sp, n, v in points
            ]
            session.execute(
                upsert_update(session, MetricPoint, ["trial_id", "split", "name", "step"], rows)
            )
        trial = session.get(Trial, trial_id)
        if trial is not None:
            trial.summary_metrics = {**(trial.summary_metrics or {}), **scores}

    return Outcome(JobStatus.succeeded, apply=store, summary={"trial_id": trial_id, **scores})


def _final_step(session: Session, trial_id: int) -> int:
    """The step test scores are plotted at: the trial's last training step."""
    trial = session.get(Trial, trial_id)
    summary: dict[str, Any] = (trial.summary_metrics or {}) if trial is not None else {}
    if isinstance(summary.get("global_step"), int):
        return int(summary["global_step"])
    last = session.scalar(
        select(func.max(MetricPoint.step)).where(MetricPoint.trial_id == trial_id)
    )
    return int(last or 0)
