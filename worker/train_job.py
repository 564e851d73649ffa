"""Training work: trial row -> ``TrialConfig`` -> ``hcmqa.training.run_trial`` -> rows.

The run directory is ``<home>/runs/trial-<id>``: deterministic, so a redelivered job finds
the previous attempt's checkpoints and ``run_trial`` resumes from the last one. A marker
file ties the directory to its trial row, so a database that was reset (ids reused) never
resumes -- or "finishes" -- someone else's run.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Optional

from sqlalchemy.orm import Session

from db.jobs import finish_trial, record_metric_points
from db.models import JobStatus, Trial
from hcmqa.checkpoints import checkpoint_folders, is_complete_checkpoint
from hcmqa.fileio import atomic_write_text
from worker.context import JobContext, JobStopped, Outcome
from worker.datasets import pin_trial_dataset
from worker.heartbeat import StopReason

log = logging.getLogger(__name__)

MARKER_FILE = "hcmqa-trial.json"


def train_trial(ctx: JobContext) -> Outcome:
    """Train the job's trial, streaming progress and metric points; resumable."""
    from hcmqa.config import ConfigError, TrialConfig
    from hcmqa.training import run_trial

    if ctx.trial_id is None:
        return Outcome(JobStatus.failed, f"job {ctx.job_id} has no trial to train")
    trial_id = ctx.trial_id
    with ctx.session() as session:
        trial = session.get(Trial, trial_id)
        if trial is None:
            return Outcome(JobStatus.failed, f"trial {trial_id} no longer exists")
        config_data, created_at = dict(trial.config), trial.created_at
        try:
            config = TrialConfig.from_dict(config_data)
        except ConfigError as exc:
            return Outcome(JobStatus.failed, str(exc))
        problem = ctx.settings.base_model_problem(config.base_model)
        if problem:  # checked again here: nothing outside the allowed models is ever loaded
            return Outcome(JobStatus.failed, f"base_model: {problem}")
        dataset_dir = pin_trial_dataset(session, trial, ctx.home)

    run_dir = ctx.settings.run_dir(trial_id)
    claim_run_dir(run_dir, trial_id, created_at.isoformat())
    discarded = discard_incomplete_checkpoints(run_dir)
    if discarded:
        log.warning("trial %s: discarded incomplete checkpoint(s) at step %s", trial_id, discarded)
    resumed_from = last_checkpoint_step(run_dir)
    reporter = TrainingReporter(ctx, resumed_from)
    ctx.report(progress=0.0, detail=reporter.detail(resumed_from or 0, None, None))

    result = run_trial(
        config,
        dataset_dir,
        run_dir,
        ctx.home,
        progress=reporter,
        should_cancel=lambda: _should_cancel(ctx),
        resume=True,
        notes=reporter.note,
    )
    points = [(p.step, p.split, p.name, p.value) for p in result.points]
    summary = _json_safe(result.summary)
    if result.status == "cancelled":

        def keep_points(session: Session) -> None:
            record_metric_points(session, trial_id, points, commit=False)

        return ctx.stopped_outcome(keep_points)

    def store(session: Session) -> None:
        record_metric_points(session, trial_id, points, commit=False)
        finish_trial(session, trial_id, summary, str(Path(result.run_dir).resolve()))

    return Outcome(
        JobStatus.succeeded,
        apply=store,
        summary={"trial_id": trial_id, "resumed_from_step": resumed_from},
    )


def _should_cancel(ctx: JobContext) -> bool:
    """``run_trial``'s cancel hook. A cancel stops training after a final checkpoint; a lost
    claim (another worker took the job over) aborts at once, so this process writes nothing
    more into the run directory its successor is using."""
    try:
        ctx.check_stop()
    except JobStopped as stop:
        if stop.reason is StopReason.lost:
            raise
        return True
    return False


class TrainingReporter:
    """``run_trial``'s progress hook: step/total/loss/ETA and new metric points."""

    def __init__(self, ctx: JobContext, resumed_from: Optional[int]):
        self.ctx = ctx
        self.resumed_from = resumed_from
        self.start_step = resumed_from or 0
        self.started = time.monotonic()

    def detail(self, step: int, total: Optional[int], loss: Optional[float]) -> dict[str, Any]:
        eta = None
        done_here = step - self.start_step
        if total and done_here > 0:
            rate = done_here / max(1e-6, time.monotonic() - self.started)
            eta = round(max(0, total - step) / rate, 1)
        return {
            "step": step,
            "total": total,
            "loss": loss,
            "eta_s": eta,
            "attempt": self.ctx.attempt,
            "resumed_from_step": self.resumed_from,
        }

    def note(self, message: str) -> None:
        """What happens before training starts (a grounded trial training its dataset's
        retriever), shown as the job's stage until the first step reports."""
        log.info("%s", message)
        self.ctx.report(detail={**self.detail(self.start_step, None, None), "stage": message})

    def __call__(self, progress: Any) -> None:
        total = int(progress.total_steps or 0) or None
        fraction = min(1.0, progress.step / total) if total else None
        self.ctx.report(
            progress=fraction,
            detail=self.detail(int(progress.step), total, _finite(progress.loss)),
            points=[(p.step, p.split, p.name, p.value) for p in progress.points],
        )


def claim_run_dir(run_dir: Path, trial_id: int, created_at: str) -> None:
    """Make ``run_dir`` this trial's: a directory left by another trial is moved aside."""
    marker = run_dir / MARKER_FILE
    identity = {"trial_id": trial_id, "trial_created_at": created_at}
    if run_dir.exists():
        try:
            recorded = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = None
        if recorded == identity:
            return
        aside = run_dir.with_name(f"{run_dir.name}.orphaned-{int(time.time())}")
        log.warning("%s belongs to another trial (%s); moving it to %s", run_dir, recorded, aside)
        run_dir.rename(aside)
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(marker, json.dumps(identity) + "\n")


def discard_incomplete_checkpoints(run_dir: Path) -> list[int]:
    """Delete checkpoints a killed worker left half-written; returns their steps.

    ``run_trial`` resumes from the newest complete one anyway; deleting the rest keeps
    them from being counted (``last_checkpoint_step``) or taking up space.
    """
    discarded = []
    for step, path in checkpoint_folders(run_dir / "checkpoints"):
        if not is_complete_checkpoint(path):
            shutil.rmtree(path)
            discarded.append(step)
    return discarded


def last_checkpoint_step(run_dir: Path) -> Optional[int]:
    """Global step of the newest Trainer checkpoint in ``run_dir``, if any."""
    folders = checkpoint_folders(run_dir / "checkpoints")
    return folders[-1][0] if folders else None


def _finite(value: Any) -> Optional[float]:
    if value is None:
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def _json_safe(value: Any) -> Any:
    """Summary values the JSON column can hold: NaN/inf become None, paths become strings."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return _finite(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
