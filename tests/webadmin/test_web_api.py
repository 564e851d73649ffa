"""JSON API: bearer-token and session authentication, CSRF rules, filters, per-field errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Answer, AnswerPath, FaqBatch, Job, JobStatus, Trial
from hcmqa.config import TrialConfig, load_preset
from jobs import MAX_BATCH_QUESTIONS
from web_support import ADMIN, csrf_token, seed_trial
from webadmin.database import db_handle
from webadmin.security import create_token

REPO = Path(__file__).resolve().parents[2]

ROUTES = [
    ("GET", "/api/trials"), ("GET", "/api/trials/1"), ("GET", "/api/trials/1/metrics"),
    ("POST", "/api/trials"), ("POST", "/api/faq-batches"), ("GET", "/api/faq-batches/1"),
]


@pytest.fixture
def token(app, admin_user) -> str:
    with db_handle(app).sessions() as session:
        return create_token(session, ADMIN[0])


@pytest.fixture
def api(app, token):
    """A client that sends the bearer token (and never a CSRF token)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize("method,path", ROUTES)
def test_unauthenticated_api_calls_get_401(client, admin_user, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "authentication required" in response.get_json()["error"]


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer hcmqa_forged", "Bearer ", "Basic YWRtaW46eA=="])
def test_bad_tokens_get_401(client, token, header):
    response = client.get("/api/trials", headers={"Authorization": header})
    assert response.status_code == 401
    assert "invalid API token" in response.get_json()["error"]


def test_a_new_token_revokes_the_old_one(app, client, token):
    with db_handle(app).sessions() as session:
        create_token(session, ADMIN[0])
    assert client.get("/api/trials", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_does_not_open_html_pages(client, token):
    assert client.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 302


def test_list_trials_with_filters(api, db_session):
    seed_trial(db_session, "alpha", status="failed")
    beta = seed_trial(db_session, "beta", config={"mode": "closed_book", "base_model": "falcon-7b-instruct"})
    assert [t["name"] for t in api.get("/api/trials").get_json()["trials"]] == ["beta", "alpha"]
    assert [t["name"] for t in api.get("/api/trials?status=failed").get_json()["trials"]] == ["alpha"]
    assert [t["id"] for t in api.get("/api/trials?mode=closed_book").get_json()["trials"]] == [beta]
    assert [t["id"] for t in api.get("/api/trials?base_model=falcon-7b-instruct").get_json()["trials"]] == [beta]
    bad = api.get("/api/trials?status=sleeping")
    assert bad.status_code == 400 and "status" in bad.get_json()["errors"]
    assert api.get("/api/trials?limit=ten").status_code == 400
    for bad in ("offset=99999999999999999999", "offset=%C2%B2", "limit=-1"):  # overflow, a non-ASCII digit, a sign
        response = api.get(f"/api/trials?{bad}")
        assert response.status_code == 400 and "whole number" in str(response.get_json()), bad


def test_trial_detail_and_metrics(api, db_session):
    trial_id = seed_trial(db_session, "curvy", points=[(1, "train", "loss", 2.0), (2, "train", "loss", 1.5),
                                                       (2, "val", "eval_loss", 1.7), (2, "val", "token_f1", 0.4)])
    body = api.get(f"/api/trials/{trial_id}").get_json()
    assert body["name"] == "curvy" and body["config"]["lora_r"] == 16
    assert body["metric_names"] == ["eval_loss", "loss", "token_f1"]
    assert body["jobs"][0]["kind"] == "train"
    metrics = api.get(f"/api/trials/{trial_id}/metrics?name=loss").get_json()["metrics"]
    assert metrics == [{"name": "loss", "split": "train", "points": [[1, 2.0], [2, 1.5]]}]
    val = api.get(f"/api/trials/{trial_id}/metrics?split=val").get_json()["metrics"]
    assert {m["name"] for m in val} == {"eval_loss", "token_f1"}
    missing = api.get("/api/trials/999")
    assert missing.status_code == 404 and missing.get_json()["error"] == "there is no trial #999"


def test_a_trial_says_which_topic_its_dataset_is_about(api, app, signed_in, db_session):
    from db.models import Dataset, DatasetStatus
    from web_support import html

    bundled = seed_trial(db_session, "bundled")
    assert api.get(f"/api/trials/{bundled}").get_json()["topic"] is None
    dataset = Dataset(name="curie", version="v1", path="/elsewhere/curie-v1", counts={}, splits={}, content_hash="h",
                      status=DatasetStatus.ready, inputs={"topic": {"path": "topic.yaml", "sha256": "ab" * 32, "subject": "Marie Curie",
                                                                    "description": "the life of Marie Curie"}})
    db_session.add(dataset)
    db_session.commit()
    trial_id = seed_trial(db_session, "curie-trial")
    db_session.get(Trial, trial_id).dataset_id = dataset.id
    db_session.commit()
    assert api.get(f"/api/trials/{trial_id}").get_json()["topic"] == {"subject": "Marie Curie", "description": "the life of Marie Curie"}
    shown = html(signed_in.get(f"/trials/{trial_id}")).find(attrs={"data-trial-topic": True}).get_text(strip=True)
    assert shown == "the life of Marie Curie"
    assert html(signed_in.get(f"/trials/{bundled}")).find(attrs={"data-trial-topic": True}).get_text(strip=True) == "the bundled topic"


@pytest.mark.services
def test_create_trial_with_a_token_needs_no_csrf(api, db_session, redis_queues):
    response = api.post("/api/trials", json={"preset": "cpu-default", "config": {"name": "api-trial", "max_steps": 3}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    trial = db_session.get(Trial, body["trial_id"])
    assert trial.name == "api-trial" and trial.config["max_steps"] == 3
    preset = load_preset("cpu-default")
    assert trial.config["learning_rate"] == preset.learning_rate != TrialConfig().learning_rate  # from the preset
    assert response.headers["Location"] == f"/api/trials/{trial.id}"
    assert body["sent"] is True
    assert [(m["task"], m["args"]) for m in redis_queues.messages("gpu")] == [("hcmqa.train_trial", [body["job_id"]])]


def test_create_trial_reports_every_bad_field(api, db_session):
    response = api.post("/api/trials", json={"config": {"lora_r": "many", "learning_rate": 0, "colour": "blue",
                                                        "mode": "open"}})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) == {"lora_r", "learning_rate", "colour", "mode"}
    assert "unknown field" in errors["colour"]
    assert db_session.scalar(select(func.count()).select_from(Trial)) == 0


@pytest.mark.parametrize("body,field", [
    ([1, 2], "body"), ({"config": [1]}, "body"), ({"config": {}, "extra": 1}, "body"),
    ({"config": {}, "dataset_id": "one"}, "dataset_id"), ({"config": {}, "dataset_id": 77}, "dataset_id"),
    ({"preset": "missing"}, "preset"),
])
def test_create_trial_rejects_malformed_bodies(api, db_session, body, field):
    response = api.post("/api/trials", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(Trial)) == 0


def test_not_json_is_a_400(api):
    response = api.post("/api/trials", data="name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "JSON object" in response.get_json()["error"]


def test_session_authenticated_post_needs_the_csrf_header(signed_in, db_session, redis_queues):
    refused = signed_in.post("/api/trials", json={"config": {"name": "from-the-browser"}})
    assert refused.status_code == 400
    assert "security token" in refused.get_json()["error"]
    assert db_session.scalar(select(func.count()).select_from(Trial)) == 0
    accepted = signed_in.post("/api/trials", json={"config": {"name": "from-the-browser"}},
                              headers={"X-CSRFToken": csrf_token(signed_in, "/")})
    assert accepted.status_code == 201


@pytest.mark.services
def test_faq_batch_round_trip(api, db_session, redis_queues):
    trial_id = seed_trial(db_session, "tuned")
    response = api.post("/api/faq-batches", json={"questions": ["Who was Ho Chi Minh?", "What is pho?"],
                                                  "trial_id": trial_id, "name": "From the API"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["total"] == 2 and body["sent"] is True
    job = db_session.get(Job, body["job_id"])
    assert job.batch_id == body["batch_id"]
    assert [(m["task"], m["args"]) for m in redis_queues.messages("gpu")] == [("hcmqa.answer_batch", [job.id])]
    batch = api.get(f"/api/faq-batches/{body['batch_id']}").get_json()
    assert batch["status"] == "queued" and batch["trial_id"] == trial_id and batch["name"] == "From the API"
    assert [a["question"] for a in batch["answers"]] == ["Who was Ho Chi Minh?", "What is pho?"]
    assert all(a["answer"] is None and a["path"] is None for a in batch["answers"])


def test_faq_batch_answers_say_which_path_produced_them(api, db_session):
    batch = FaqBatch(name="answered", status=JobStatus.succeeded, total=3, done=2)
    batch.answers = [
        Answer(position=0, question="Where was independence declared?", related=True, gate_score=0.9,
               answer="\u201cAt Ba Dinh Square\u201d [1]", sources=[{"id": "p7"}], answer_path=AnswerPath.extracted),
        Answer(position=1, question="What did he eat in 1931?", related=True, gate_score=0.8,
               answer="The sources do not say.", sources=[], answer_path=AnswerPath.refused_no_source,
               resolved_question="What did Ho Chi Minh eat in 1931?"),
        Answer(position=2, question="Not answered yet?"),
    ]
    db_session.add(batch)
    db_session.commit()
    answers = api.get(f"/api/faq-batches/{batch.id}").get_json()["answers"]
    assert [a["path"] for a in answers] == ["extracted", "refused_no_source", None]
    assert answers[0]["sources"] == [{"id": "p7"}]
    # what a question was understood as, where it differs from the question asked (else null)
    assert [a["resolved_question"] for a in answers] == [None, "What did Ho Chi Minh eat in 1931?", None]


def test_faq_batch_errors_name_each_question(api, db_session):
    running = seed_trial(db_session, "busy", status="running")
    response = api.post("/api/faq-batches", json={"questions": ["ok?", "", 3, "x" * 501, "who?\x00"], "trial_id": running})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors == {
        "questions[1]": "empty question",
        "questions[2]": "must be a string",
        "questions[3]": "longer than 500 characters",
        "questions[4]": "must not contain a NUL byte",
        "trial_id": f"trial #{running} is running; pick a trial that finished training, or the base model",
    }
    assert api.post("/api/faq-batches", json={"questions": "one"}).get_json()["errors"]["questions"]
    assert api.post("/api/faq-batches", json={"questions": ["a?"], "trial_id": True}).status_code == 400
    assert api.post("/api/faq-batches", json={"questions": ["a?"], "name": "chat:x"}).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(FaqBatch)) == 0
    assert api.get("/api/faq-batches/999").status_code == 404


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()


@pytest.mark.services
def test_web_jobs_take_the_attempt_cap_the_workers_and_the_cli_use(make_app, token, db_session, redis_queues):
    capped = make_app(HCMQA_MAX_ATTEMPTS=5)
    client = capped.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = client.post("/api/faq-batches", json={"questions": ["When was he born?"]})
    assert response.status_code == 201, response.get_json()
    assert db_session.get(Job, response.get_json()["job_id"]).max_attempts == 5


def test_the_attempt_cap_is_read_from_the_environment():
    from flask import Flask

    from webadmin.submissions import init_submissions

    configured = {}
    for environ in ({"HCMQA_MAX_ATTEMPTS": "4"}, {}, None):
        app = Flask(__name__)
        init_submissions(app, environ)
        configured[str(environ)] = app.config["HCMQA_MAX_ATTEMPTS"]
    assert list(configured.values()) == [4, 3, 3]
    with pytest.raises(ValueError, match="HCMQA_MAX_ATTEMPTS='0': must be a whole number"):
        init_submissions(Flask(__name__), {"HCMQA_MAX_ATTEMPTS": "0"})


def test_web_and_cli_refuse_an_oversized_batch_with_the_same_sentence(api, db_session, tmp_path):
    questions = [f"Question number {i}?" for i in range(MAX_BATCH_QUESTIONS + 1)]
    response = api.post("/api/faq-batches", json={"questions": questions})
    assert response.status_code == 400
    sentence = response.get_json()["errors"]["questions"]
    assert sentence == f"at most {MAX_BATCH_QUESTIONS} questions per batch, got {MAX_BATCH_QUESTIONS + 1}; split the list"

    listing = tmp_path / "questions.txt"
    listing.write_text("\n".join(questions) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HCMQA_") and k not in ("DATABASE_URL", "BROKER_URL")}
    cli = subprocess.run([sys.executable, "-m", "worker", "submit", "faq", "--file", str(listing)], capture_output=True, text=True,
                         env={**env, "HCMQA_HOME": str(tmp_path / "home")}, cwd=REPO, timeout=120)
    assert cli.returncode == 2, cli.stderr
    assert cli.stderr.strip() == f"hcmqa: error: questions: {sentence}"
    assert db_session.scalar(select(func.count()).select_from(FaqBatch)) == 0


def test_a_faq_batch_record_says_which_dataset_and_topic_it_was_answered_on(api, db_session):
    from db.models import Dataset, DatasetStatus, User

    dataset = Dataset(name="curie", version="v1", path="/elsewhere/curie-v1", counts={}, splits={}, content_hash="h",
                      status=DatasetStatus.ready, inputs={"topic": {"path": "topic.yaml", "sha256": "ab" * 32,
                                                                    "subject": "Marie Curie", "description": "the life of Marie Curie"}})
    db_session.add(dataset)
    db_session.commit()
    owner = db_session.scalar(select(User.id))
    on_curie = FaqBatch(name="curie", status=JobStatus.queued, total=0, done=0, dataset_id=dataset.id, submitted_by=owner)
    bundled = FaqBatch(name="bundled", status=JobStatus.queued, total=0, done=0, submitted_by=owner)
    db_session.add_all([on_curie, bundled])
    db_session.commit()
    body = api.get(f"/api/faq-batches/{on_curie.id}").get_json()
    assert body["dataset_id"] == dataset.id and body["topic"] == {"subject": "Marie Curie", "description": "the life of Marie Curie"}
    assert api.get(f"/api/faq-batches/{bundled.id}").get_json()["topic"] is None
    refused = api.post("/api/faq-batches", json={"questions": ["Who?"], "dataset_id": "curie"})
    assert refused.status_code == 400 and "dataset_id" in refused.get_json()["errors"]
