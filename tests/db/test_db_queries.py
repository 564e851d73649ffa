"""Query layer: trial listing/filters, metric curves, comparison, CSV export, dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import claim_job, create_job, finish_job, heartbeat, record_metric_points
from db.models import JobKind, JobStatus, TrialStatus
from db.queries import (
    CSV_HEADER,
    compare_trials,
    dashboard_jobs,
    export_metrics_csv,
    get_trial,
    list_trials,
    lower_is_better,
    metric_names,
    safe_csv_cell,
    trial_metrics,
    workers_online,
)

MakeTrial = Callable[..., int]
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def trials(make_trial: MakeTrial) -> dict[str, int]:
    """Four trials with distinct status/mode/base model, created one minute apart."""
    specs = [
        ("lora-r8", TrialStatus.succeeded, "lora", "qwen-0.5b"),
        ("lora-r16", TrialStatus.failed, "lora", "qwen-1.5b"),
        ("full_ft", TrialStatus.running, "full", "qwen-0.5b"),
        ("LoRA 50% data", TrialStatus.queued, "lora", "qwen-0.5b"),
    ]
    return {
        name: make_trial(
            name,
            status=status,
            mode=mode,
            base_model=base,
            created_at=T0 + timedelta(minutes=i),
            summary_metrics={"eval_loss": 1.0 + i},
        )
        for i, (name, status, mode, base) in enumerate(specs)
    }


def _names(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [row.name for row in rows]


def test_list_trials_filters_and_order(session: Session, trials: dict[str, int]) -> None:
    assert _names(list_trials(session)) == ["LoRA 50% data", "full_ft", "lora-r16", "lora-r8"]
    assert _names(list_trials(session, status=TrialStatus.failed)) == ["lora-r16"]
    assert _names(list_trials(session, status="succeeded")) == ["lora-r8"]
    assert _names(list_trials(session, mode="full")) == ["full_ft"]
    assert _names(list_trials(session, base_model="qwen-1.5b")) == ["lora-r16"]
    assert _names(list_trials(session, mode="lora", base_model="qwen-0.5b")) == [
        "LoRA 50% data",
        "lora-r8",
    ]
    assert _names(list_trials(session, search="lora")) == ["LoRA 50% data", "lora-r16", "lora-r8"]
    # LIKE wildcards in the search text are literal.
    assert _names(list_trials(session, search="50%")) == ["LoRA 50% data"]
    assert _names(list_trials(session, search="l_ft")) == ["full_ft"]
    assert _names(list_trials(session, search="%")) == ["LoRA 50% data"]
    assert _names(list_trials(session, limit=2, offset=1)) == ["full_ft", "lora-r16"]
    with pytest.raises(ValueError):
        list_trials(session, status="exploded")


def test_list_trials_row_shape(session: Session, trials: dict[str, int]) -> None:
    (row,) = list_trials(session, status="running")
    assert row.id == trials["full_ft"]
    assert row.status is TrialStatus.running
    assert row.summary_metrics == {"eval_loss": 3.0}
    assert row.created_at == T0 + timedelta(minutes=2)
    assert row.finished_at is None


def test_get_trial(session: Session, trials: dict[str, int]) -> None:
    trial = get_trial(session, trials["lora-r8"])
    assert trial is not None and trial.config == {"lr": 1e-4}
    assert get_trial(session, 987_654) is None


def _seed_metrics(session: Session, trial_id: int) -> None:
    record_metric_points(
        session,
        trial_id,
        [
            (30, "train", "loss", 1.2),
            (10, "train", "loss", 2.0),
            (20, "train", "loss", 1.5),
            (20, "val", "eval_loss", 1.8),
            (10, "val", "eval_loss", 2.1),
            (30, "val", "eval_loss", 1.9),
            (30, "test_paraphrase", "key_fact_accuracy", 0.61),
            (10, "test_paraphrase", "key_fact_accuracy", 0.40),
            (20, "test_paraphrase", "key_fact_accuracy", 0.65),
            (30, "test_unseen", "key_fact_accuracy", 0.35),
        ],
    )


def test_trial_metrics_groups_and_orders_by_step(session: Session, trials: dict[str, int]) -> None:
    trial_id = trials["lora-r8"]
    _seed_metrics(session, trial_id)
    curves = trial_metrics(session, trial_id)
    assert set(curves) == {
        ("train", "loss"),
        ("val", "eval_loss"),
        ("test_paraphrase", "key_fact_accuracy"),
        ("test_unseen", "key_fact_accuracy"),
    }
    assert curves[("train", "loss")] == [(10, 2.0), (20, 1.5), (30, 1.2)]
    assert curves[("val", "eval_loss")] == [(10, 2.1), (20, 1.8), (30, 1.9)]
    assert trial_metrics(session, trial_id, name="key_fact_accuracy", split="test_unseen") == {
        ("test_unseen", "key_fact_accuracy"): [(30, 0.35)]
    }
    assert list(trial_metrics(session, trial_id, name="key_fact_accuracy")) == [
        ("test_paraphrase", "key_fact_accuracy"),
        ("test_unseen", "key_fact_accuracy"),
    ]
    assert trial_metrics(session, trials["lora-r16"]) == {}
    assert metric_names(session, trial_id) == ["eval_loss", "key_fact_accuracy", "loss"]


def test_compare_trials_last_and_best(session: Session, trials: dict[str, int]) -> None:
    a, b, c = trials["lora-r8"], trials["lora-r16"], trials["full_ft"]
    _seed_metrics(session, a)
    record_metric_points(session, b, [(10, "val", "eval_loss", 1.7), (20, "val", "eval_loss", 1.6)])
    rows = compare_trials(session, [b, a, c, 123_456], ["eval_loss", "key_fact_accuracy"])
    table = {(r.trial_id, r.split, r.metric): r for r in rows}
    assert [(r.trial_id, r.metric) for r in rows] == [
        (b, "eval_loss"),
        (b, "key_fact_accuracy"),
        (a, "eval_loss"),
        (a, "key_fact_accuracy"),
        (a, "key_fact_accuracy"),
        (c, "eval_loss"),
        (c, "key_fact_accuracy"),
    ]
    loss_a = table[(a, "val", "eval_loss")]
    assert (loss_a.last_step, loss_a.last_value) == (30, 1.9)
    assert (loss_a.best_step, loss_a.best_value) == (20, 1.8)  # lower is better
    acc_a = table[(a, "test_paraphrase", "key_fact_accuracy")]
    assert (acc_a.last_value, acc_a.best_value, acc_a.best_step) == (0.61, 0.65, 20)  # higher
    assert table[(a, "test_unseen", "key_fact_accuracy")].best_value == 0.35
    assert table[(b, "val", "eval_loss")].trial_name == "lora-r16"
    assert table[(b, "val", "eval_loss")].best_value == 1.6
    missing = table[(b, None, "key_fact_accuracy")]
    assert (missing.last_value, missing.best_value) == (None, None)
    assert compare_trials(session, [], ["loss"]) == []
    assert lower_is_better("eval_loss") and not lower_is_better("key_fact_accuracy")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=cmd()", "'=cmd()"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("harmless ;=1+2", "'harmless ;=1+2"),
        ("a, +1", "'a, +1"),
        ("x|@SUM(A1)", "'x|@SUM(A1)"),
        ("1990-1991; pages 3-4", "1990-1991; pages 3-4"),
        ("", ""),
        (-1.5, -1.5),
        (3, 3),
        (None, None),
    ],
)
def test_safe_csv_cell(cell: object, expected: object) -> None:
    assert safe_csv_cell(cell) == expected


def test_export_metrics_csv_neutralises_formulas(
    session: Session, make_trial: MakeTrial, tmp_path: Path
) -> None:
    evil = make_trial('=cmd()|" /C calc"!A0')
    benign = make_trial("baseline")
    record_metric_points(session, evil, [(1, "train", "@loss", -0.5), (2, "train", "@loss", 0.25)])
    record_metric_points(session, benign, [(1, "val", "eval_loss", 1.25)])

    out = tmp_path / "metrics.csv"
    assert export_metrics_csv(session, [evil, benign], out) == 3
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == [str(evil), '\'=cmd()|" /C calc"!A0', "train", "'@loss", "1", "-0.5"]
    assert rows[2][4:] == ["2", "0.25"]
    assert rows[3] == [str(benign), "baseline", "val", "eval_loss", "1", "1.25"]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)

    buffer = io.StringIO()
    assert export_metrics_csv(session, [benign], buffer) == 1
    # text cells are quoted, so a separator inside one never splits it; numbers are not
    assert buffer.getvalue().splitlines()[1] == f'{benign},"baseline","val","eval_loss",1,1.25'
    empty = io.StringIO()
    assert export_metrics_csv(session, [], empty) == 0
    assert empty.getvalue().strip() == ",".join(f'"{h}"' for h in CSV_HEADER)


def test_dashboard_jobs_and_eta(session_factory: sessionmaker[Session]) -> None:
    now = T0 + timedelta(seconds=100)
    with session_factory() as sess:
        queued = create_job(sess, JobKind.answer, {}).id
        by_eta = create_job(sess, JobKind.train, {}).id
        by_progress = create_job(sess, JobKind.evaluate, {}).id
        by_steps = create_job(sess, JobKind.gate, {}).id
        done = create_job(sess, JobKind.train, {}).id
        for job_id, worker in ((by_eta, "w1"), (by_progress, "w2"), (by_steps, "w3"), (done, "w4")):
            assert claim_job(sess, job_id, worker, now=T0)
        heartbeat(
            sess, by_eta, "w1", progress=0.5, detail={"eta_s": 300}, now=now - timedelta(seconds=20)
        )
        heartbeat(sess, by_progress, "w2", progress=0.25, now=now)
        heartbeat(sess, by_steps, "w3", detail={"step": 20, "total": 100}, now=now)
        finish_job(sess, done, "w4", JobStatus.succeeded, now=now)

        rows = {row.id: row for row in dashboard_jobs(sess, now=now)}
    assert set(rows) == {queued, by_eta, by_progress, by_steps}
    assert list(rows)[-1] == queued  # running jobs first
    assert rows[queued].eta_s is None and rows[queued].status is JobStatus.queued
    assert rows[by_eta].eta_s == pytest.approx(280.0)  # worker's ETA aged by 20 s
    assert rows[by_progress].eta_s == pytest.approx(300.0)  # 100 s for 25 %
    assert rows[by_steps].eta_s == pytest.approx(400.0)  # 100 s for 20/100 steps
    assert rows[by_eta].progress == 0.5 and rows[by_eta].worker == "w1"


def test_workers_online(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as sess:
        ids = [create_job(sess, JobKind.train, {}).id for _ in range(4)]
        claim_job(sess, ids[0], "gpu-1", now=T0)
        claim_job(sess, ids[1], "gpu-1", now=T0)
        claim_job(sess, ids[2], "gpu-2", now=T0 - timedelta(seconds=30))
        claim_job(sess, ids[3], "gpu-old", now=T0 - timedelta(minutes=10))
        assert workers_online(sess, within_s=60, now=T0) == ["gpu-1", "gpu-2"]
        assert workers_online(sess, within_s=10, now=T0) == ["gpu-1"]
