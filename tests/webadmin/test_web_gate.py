"""Topic-gate blueprint: a retraining with a chosen threshold is queued on the real broker."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Dataset, DatasetStatus, Job, JobKind, JobStatus
from hcmqa.config import DEFAULT_GATE_THRESHOLD
from web_support import html, post_form


def _retrain(client, **form):
    return post_form(client, "/gate/", form, token_from="/gate/")


def _problems(response) -> list[str]:
    return [li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li")]


@pytest.mark.services
def test_retraining_with_a_threshold_is_queued_on_the_cpu_queue(signed_in, db_session, redis_queues):
    response = _retrain(signed_in, dataset_id="", threshold="0.7")
    assert response.status_code == 302 and response.headers["Location"] == "/gate/"
    job = db_session.scalar(select(Job))
    assert (job.kind, job.status, job.payload) == (JobKind.gate, JobStatus.queued, {"threshold": 0.7})
    assert [(m["task"], m["args"]) for m in redis_queues.messages("cpu")] == [("hcmqa.train_gate", [job.id])]
    page = html(signed_in.get("/gate/"))
    row = page.find(attrs={"data-gate-job": str(job.id)})
    assert row is not None and "0.7" in row.get_text()


@pytest.mark.services
def test_a_ready_dataset_is_passed_by_its_path_and_the_default_threshold_applies(signed_in, db_session, redis_queues):
    dataset = Dataset(name="museum", version="v1", path="/data/museum-v1", counts={}, splits={},
                      content_hash="x", status=DatasetStatus.ready)
    db_session.add(dataset)
    db_session.commit()
    response = _retrain(signed_in, dataset_id=str(dataset.id), threshold="")
    assert response.status_code == 302
    job = db_session.scalar(select(Job))
    assert job.payload == {"dataset": "/data/museum-v1", "threshold": DEFAULT_GATE_THRESHOLD}


def test_bad_fields_are_named_and_nothing_is_queued(signed_in, db_session, app):
    pending = Dataset(name="upload", version="", path="", counts={}, splits={}, content_hash="",
                      status=DatasetStatus.pending)
    db_session.add(pending)
    db_session.commit()
    for threshold in ("abc", "1.5", "0", "nan"):
        response = _retrain(signed_in, dataset_id="", threshold=threshold)
        assert response.status_code == 400
        assert _problems(response) == [f"threshold: {threshold!r} is not a number between 0 and 1 (exclusive)"]
    for dataset_id in (str(pending.id), "99999", "x"):
        response = _retrain(signed_in, dataset_id=dataset_id, threshold="0.5")
        assert response.status_code == 400
        assert _problems(response) == ["dataset_id: choose a ready dataset or the bundled default"]
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_page_shows_a_finished_retraining_report(signed_in, db_session):
    job = Job(kind=JobKind.gate, status=JobStatus.succeeded, payload={"threshold": 0.6},
              progress=1.0, progress_detail={"stage": "saved", "report": {
                  "threshold": 0.6, "related": {"precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 10},
                  "unrelated": {"precision": 0.95, "recall": 0.97, "f1": 0.96, "support": 30}}})
    db_session.add(job)
    db_session.commit()
    row = html(signed_in.get("/gate/")).find(attrs={"data-gate-job": str(job.id)})
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert cells[1:5] == ["succeeded", "0.6", "0.847", "0.960"]
