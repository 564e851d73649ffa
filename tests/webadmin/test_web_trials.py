"""Trials blueprint: the generated form, validation next to each field, submission through the
real broker, the detail page (curves, config, samples, error), cancel/resume/evaluate, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from db.models import Job, JobKind, JobStatus, Trial, TrialStatus
from hcmqa.config import TrialConfig
from web_support import ADMIN, DEAD_BROKER_URL, html, login, new_trial_form, post_form, seed_trial
from webadmin.database import db_handle
from webadmin.trial_form import as_text


def test_form_has_every_config_field_with_default_and_help(signed_in):
    page = html(signed_in.get("/trials/new"))
    for spec in TrialConfig.field_specs():
        box = page.find(id=f"field-{spec['name']}")
        assert box is not None, spec["name"]
        control = box.find(["input", "select"], attrs={"name": spec["name"]})
        assert control is not None, spec["name"]
        value = control.get("value") if control.name == "input" else control.find("option", selected=True)["value"]
        assert value == as_text(spec["default"]), spec["name"]
        assert spec["help"] in box.get_text(), spec["name"]
        if spec["choices"]:
            assert [o["value"] for o in control.find_all("option")] == list(spec["choices"])


def test_preset_prefills_the_form(signed_in):
    data = new_trial_form(signed_in, "/trials/new?preset=falcon-7b-academic")
    assert data["lora_r"] == "64"
    assert data["optimizer"] == "paged_adamw_32bit"
    assert data["target_modules"] == "query_key_value, dense, dense_h_to_4h, dense_4h_to_h"


def test_unknown_preset_is_explained(signed_in):
    text = signed_in.get("/trials/new?preset=nope").get_data(as_text=True)
    assert "unknown preset" in text and "cpu-default" in text


def test_clone_prefills_from_the_trial(signed_in, db_session):
    trial_id = seed_trial(db_session, "original", config={"lora_r": 8, "learning_rate": 5e-5, "mode": "closed_book"})
    data = new_trial_form(signed_in, f"/trials/new?clone={trial_id}")
    assert data["name"] == "original-clone"
    assert data["lora_r"] == "8"
    assert data["learning_rate"] == "5e-05"
    assert data["mode"] == "closed_book"
    assert signed_in.get("/trials/new?clone=999").status_code == 404


def test_bad_hyperparameters_are_reported_next_to_each_field(signed_in, db_session):
    data = new_trial_form(signed_in)
    bad = {"lora_r": "abc", "learning_rate": "-1", "lora_dropout": "1.5", "batch_size": "0",
           "scheduler": "sometimes", "load_in_4bit": "maybe", "name": " "}
    response = post_form(signed_in, "/trials/new", {**data, **bad})
    assert response.status_code == 400
    page = html(response)
    for field, expected in {
        "lora_r": "expected a whole number", "learning_rate": "above 0", "lora_dropout": "below 1",
        "batch_size": "between 1 and 1024", "scheduler": "must be one of", "load_in_4bit": "expected true or false",
        "name": "1 to 100 characters",
    }.items():
        box = page.find(id=f"field-{field}")
        error = box.find(attrs={"data-error-for": field})
        assert error is not None and expected in error.get_text(), field
        assert "invalid" in box["class"]
    # The user's input is kept, so they fix it rather than retype everything.
    assert page.find("input", attrs={"name": "lora_r"})["value"] == "abc"
    # Fields that were fine carry no error.
    assert page.find(id="field-lora_alpha").find(attrs={"data-error-for": True}) is None
    assert db_session.scalar(select(func.count()).select_from(Trial)) == 0
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0


def test_unknown_dataset_is_reported_next_to_the_dataset_field(signed_in, db_session):
    data = new_trial_form(signed_in)
    response = post_form(signed_in, "/trials/new", {**data, "dataset_id": "42"})
    assert response.status_code == 400
    assert "no dataset #42" in html(response).find(id="field-dataset_id").get_text()


@pytest.mark.services
def test_valid_trial_is_stored_and_sent_to_the_gpu_queue(signed_in, db_session, redis_queues):
    data = {**new_trial_form(signed_in), "name": "tiny", "max_steps": "5", "lora_r": "4"}
    response = post_form(signed_in, "/trials/new", data)
    assert response.status_code == 302
    trial = db_session.scalar(select(Trial))
    assert response.headers["Location"] == f"/trials/{trial.id}"
    assert trial.status is TrialStatus.queued and trial.name == "tiny"
    assert trial.config["max_steps"] == 5 and trial.config["lora_r"] == 4
    assert trial.submitted_by is not None
    job = db_session.scalar(select(Job))
    assert (job.kind, job.status, job.trial_id) == (JobKind.train, JobStatus.queued, trial.id)
    [message] = redis_queues.messages("gpu")
    assert message["task"] == "hcmqa.train_trial"
    assert message["args"] == [job.id]
    assert job.celery_task_id == message["id"]
    assert "queued for training" in signed_in.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.services
def test_unreachable_broker_keeps_the_rows_queued_and_says_so(make_app, db_session, redis_queues):
    down = make_app(BROKER_URL=DEAD_BROKER_URL)
    with db_handle(down).sessions() as session:
        from webadmin.security import create_admin

        create_admin(session, *ADMIN)
    client = down.test_client()
    login(client, *ADMIN)
    data = {**new_trial_form(client), "name": "offline"}
    response = post_form(client, "/trials/new", data, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "broker) is unreachable" in text and "Nothing was lost" in text
    assert "Send again" in text
    trial = db_session.scalar(select(Trial))
    job = db_session.scalar(select(Job))
    assert trial.status is TrialStatus.queued and job.status is JobStatus.queued
    assert redis_queues.messages("gpu") == []

    # Once the broker is back, "Send again" delivers the same job.
    up = make_app()
    client_up = up.test_client()
    login(client_up, *ADMIN)
    response = post_form(client_up, f"/trials/{trial.id}/resend", token_from=f"/trials/{trial.id}")
    assert response.status_code == 302
    assert [m["args"] for m in redis_queues.messages("gpu")] == [[job.id]]


CURVE_POINTS = [
    (10, "train", "loss", 2.5), (20, "train", "loss", 1.9), (30, "train", "loss", 1.4),
    (10, "val", "eval_loss", 2.6), (30, "val", "eval_loss", 1.8),
    (10, "val", "key_fact_accuracy", 0.25), (30, "val", "key_fact_accuracy", 0.5),
    (10, "val", "token_f1", 0.31), (30, "val", "token_f1", 0.47),
    (30, "val", "retrieval_recall", 0.75),  # a metric the step-10 evaluation did not record
    (10, "train", "learning_rate", 2e-4), (30, "train", "learning_rate", 1e-4),
]


def test_detail_page_shows_curves_tables_samples_and_config(signed_in, db_session):
    samples = [{"question": "When was Ho Chi Minh born?", "base_answer": "In 1900.",
                "tuned_answer": "He was born on 19 May 1890.",
                "sources": [{"id": "p1", "title": "Ho Chi Minh", "section": "Early life", "text": "Born 1890 in Kim Lien."}]}]
    trial_id = seed_trial(db_session, "curvy", points=CURVE_POINTS, config={"lora_r": 8},
                          summary={"key_fact_accuracy": 0.5, "samples": samples})
    page = html(signed_in.get(f"/trials/{trial_id}"))
    charts = {fig.figcaption.get_text(): fig for fig in page.find_all("figure", class_="chart")}
    loss = charts["Loss (train and validation)"]
    assert len(loss.find_all("polyline")) == 2
    assert "loss (train)" in loss.get_text() and "eval_loss (val)" in loss.get_text()
    quality = charts["Answer quality per evaluation"]
    assert len(quality.find_all("polyline")) == 3
    assert "retrieval_recall (val)" in quality.get_text()
    assert "Learning rate" in charts
    # Axes: tick labels on both axes.
    assert loss.find("g", class_="axis").find_all("text")
    # Per-evaluation table: one row per eval step, a dash where a metric was not recorded.
    table = page.find("h2", string="Validation metrics per evaluation").find_next("table")
    assert table.has_attr("data-evaluations")
    header = [th.get_text() for th in table.thead.find_all("th")]
    assert header == ["Step", "eval_loss", "key_fact_accuracy", "retrieval_recall", "token_f1"]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    assert rows == [["10", "2.6", "0.25", "\u2014", "0.31"], ["30", "1.8", "0.5", "0.75", "0.47"]]
    # Samples side by side, with sources.
    sample = page.find(attrs={"data-samples": True}).find("article")
    assert "In 1900." in sample.get_text() and "19 May 1890" in sample.get_text()
    assert "Ho Chi Minh \u203a Early life" in sample.get_text()
    # Configuration table lists every field; changed ones are marked.
    config = page.find("table", attrs={"data-config": True})
    names = [tr.td.get_text() for tr in config.tbody.find_all("tr")]
    assert names == [spec["name"] for spec in TrialConfig.field_specs()]
    changed = [tr.td.get_text() for tr in config.tbody.find_all("tr", class_="changed")]
    assert changed == ["name", "lora_r"]
    # The summary table does not dump the samples blob.
    assert "base_answer" not in page.find("h2", string="Summary").find_next("table").get_text()


def test_failed_trial_shows_its_error_and_a_resume_button(signed_in, db_session):
    trial_id = seed_trial(db_session, "broken", status="failed", error="CUDA out of memory: lower batch_size")
    page = html(signed_in.get(f"/trials/{trial_id}"))
    assert "CUDA out of memory" in page.find(attrs={"data-trial-error": True}).get_text()
    assert page.find("form", attrs={"action": f"/trials/{trial_id}/resume"}) is not None
    assert page.find("form", attrs={"action": f"/trials/{trial_id}/cancel"}) is None


def test_unknown_trial_is_a_404_page(signed_in):
    response = signed_in.get("/trials/12345")
    assert response.status_code == 404
    assert "nothing at this address" in response.get_data(as_text=True)


def test_cancel_a_queued_trial_closes_it(signed_in, db_session):
    trial_id = seed_trial(db_session, "waiting", status="queued")
    response = post_form(signed_in, f"/trials/{trial_id}/cancel", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "cancelled before it started" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Trial, trial_id).status is TrialStatus.cancelled
    assert db_session.scalar(select(Job.status)) is JobStatus.cancelled


def test_cancel_a_running_trial_asks_the_worker(signed_in, db_session):
    trial_id = seed_trial(db_session, "busy", status="running")
    response = post_form(signed_in, f"/trials/{trial_id}/cancel", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "asked to stop" in response.get_data(as_text=True)
    db_session.expire_all()
    job = db_session.scalar(select(Job))
    assert job.status is JobStatus.running and job.cancel_requested
    assert db_session.get(Trial, trial_id).status is TrialStatus.running


def test_cancel_a_finished_trial_is_refused(signed_in, db_session):
    trial_id = seed_trial(db_session, "done")
    response = post_form(signed_in, f"/trials/{trial_id}/cancel", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "no queued or running job" in response.get_data(as_text=True)


@pytest.mark.services
def test_resume_a_failed_trial_requeues_and_resends(signed_in, db_session, redis_queues):
    trial_id = seed_trial(db_session, "flaky", status="failed", error="worker lost")
    response = post_form(signed_in, f"/trials/{trial_id}/resume", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "queued again" in response.get_data(as_text=True)
    db_session.expire_all()
    trial, job = db_session.get(Trial, trial_id), db_session.scalar(select(Job))
    assert (trial.status, trial.error) == (TrialStatus.queued, None)
    assert (job.status, job.attempt, job.error) == (JobStatus.queued, 0, None)
    assert redis_queues.messages("gpu") == [{"task": "hcmqa.train_trial", "args": [job.id], "kwargs": {}, "id": job.celery_task_id}]


def test_resume_a_succeeded_trial_is_refused(signed_in, db_session):
    trial_id = seed_trial(db_session, "fine")
    response = post_form(signed_in, f"/trials/{trial_id}/resume", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "only after it failed or was cancelled" in response.get_data(as_text=True)


@pytest.mark.services
def test_evaluate_a_succeeded_trial(signed_in, db_session, redis_queues):
    trial_id = seed_trial(db_session, "finished")
    post_form(signed_in, f"/trials/{trial_id}/evaluate", token_from=f"/trials/{trial_id}")
    job = db_session.scalar(select(Job).where(Job.kind == JobKind.evaluate))
    assert job.trial_id == trial_id and job.status is JobStatus.queued
    assert [(m["task"], m["args"]) for m in redis_queues.messages("gpu")] == [("hcmqa.evaluate_trial", [job.id])]


def test_evaluate_an_unfinished_trial_is_refused(signed_in, db_session):
    trial_id = seed_trial(db_session, "young", status="running")
    response = post_form(signed_in, f"/trials/{trial_id}/evaluate", token_from=f"/trials/{trial_id}", follow_redirects=True)
    assert "only a succeeded trial can be evaluated" in response.get_data(as_text=True)


def test_status_json_reports_progress(signed_in, db_session):
    trial_id = seed_trial(db_session, "moving", status="running")
    job = db_session.scalar(select(Job))
    job.progress, job.progress_detail = 0.4, {"step": 40, "total": 100, "eta_s": 90}
    db_session.commit()
    data = signed_in.get(f"/trials/{trial_id}/status.json").get_json()
    assert data["status"] == "running" and data["progress"] == 0.4
    assert "step 40/100" in data["progress_text"]
    assert data["state"] == f"running:{job.id}:running"


def test_metrics_csv_neutralises_formula_cells(signed_in, db_session):
    trial_id = seed_trial(db_session, "=HYPERLINK(\"http://evil\")", points=[(1, "train", "+cmd", -1.5), (1, "@val", "loss", 2.0)])
    response = signed_in.get(f"/trials/{trial_id}/metrics.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["trial_id", "trial_name", "split", "name", "step", "value"]
    for row in rows[1:]:
        assert row[1] == "'=HYPERLINK(\"http://evil\")"
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)
    assert ["'@val", "loss"] in [row[2:4] for row in rows]
    assert ["train", "'+cmd", "1", "-1.5"] in [row[2:] for row in rows]  # numbers stay numbers


def test_trial_list_filters(signed_in, db_session):
    seed_trial(db_session, "alpha", status="failed")
    seed_trial(db_session, "beta", status="succeeded", config={"mode": "closed_book"})
    failed = signed_in.get("/trials/?status=failed").get_data(as_text=True)
    assert "alpha" in failed and "beta" not in failed
    closed = signed_in.get("/trials/?mode=closed_book").get_data(as_text=True)
    assert "beta" in closed and "alpha" not in closed
    assert "alpha" in signed_in.get("/trials/?q=ALP").get_data(as_text=True)


@pytest.mark.services
def test_a_broker_that_accepts_but_never_answers_does_not_hang_the_submission(make_app, db_session):
    import socket
    import threading
    import time as clock

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    try:
        hung = make_app(BROKER_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0", BROKER_CONNECT_TIMEOUT_S=1.0)
        with db_handle(hung).sessions() as session:
            from webadmin.security import create_admin

            create_admin(session, *ADMIN)
        client = hung.test_client()
        login(client, *ADMIN)
        data = {**new_trial_form(client), "name": "hung-broker"}
        began = clock.monotonic()
        response = post_form(client, "/trials/new", data, follow_redirects=True)
        assert clock.monotonic() - began < 20
        assert response.status_code == 200 and "broker) is unreachable" in response.get_data(as_text=True)
        job = db_session.scalar(select(Job))
        assert job.status is JobStatus.queued and job.celery_task_id is None
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        silent.close()
