"""A trial's base model is checked on the web side, with one neutral answer for every refusal.

Allowed: a registry name; a hub id ``org/name`` only where ``HCMQA_ALLOW_HUB_MODELS`` is on;
an absolute directory only when its real path lies inside the models root
(``HCMQA_MODELS_ROOT``, default ``<HCMQA_HOME>/models``). Refusals never tell whether a path
exists. The worker checks again before loading anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.jobs import create_job
from db.migrate import upgrade
from db.models import Job, JobKind, JobStatus, Trial
from hcmqa.registry import NOT_ALLOWED_MODEL, check_allowed_model
from web_support import csrf_token, html, new_trial_form, post_form
from webadmin.config import SettingsError, settings_from_env

NEUTRAL = {"base_model": NOT_ALLOWED_MODEL}
# what the probe queued (201) before: system paths, traversal, another user's home, a hub id
# on a deployment without downloads, a 10,000-character string
PROBES = ["/etc", "../../../../", "~root/.ssh", "meta-llama/Llama-3.1-405B", "x" * 10_000,
          "/nonexistent/model", "relative/../../etc", "/etc/passwd\x00", "https://example.com/m"]


def _api_trial(client, base_model: str, **extra):
    return client.post("/api/trials", json={"config": {"name": "probe", "base_model": base_model, **extra}},
                       headers={"X-CSRFToken": csrf_token(client, "/")})


def _trials(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Trial))


@pytest.mark.parametrize("base_model", PROBES)
def test_api_refuses_a_base_model_that_is_not_allowed(signed_in, db_session, base_model):
    response = _api_trial(signed_in, base_model)
    assert response.status_code == 400
    assert response.get_json()["errors"] == NEUTRAL
    assert _trials(db_session) == 0


@pytest.mark.parametrize("base_model", ["/etc", "x" * 10_000, "meta-llama/Llama-3.1-405B"])
def test_form_refuses_a_base_model_that_is_not_allowed(signed_in, db_session, base_model):
    data = {**new_trial_form(signed_in), "base_model": base_model}
    response = post_form(signed_in, "/trials/new", data, token_from="/trials/new")
    assert response.status_code == 400
    error = html(response).find(attrs={"data-error-for": "base_model"})
    assert error is not None and error.get_text().strip() == NOT_ALLOWED_MODEL
    assert _trials(db_session) == 0


def test_the_answer_does_not_tell_whether_a_path_exists(signed_in, web_home, tmp_path):
    outside = tmp_path / "outside-model"
    outside.mkdir()
    (outside / "config.json").write_text("{}")
    answers = {str(p): _api_trial(signed_in, str(p)).get_json()
               for p in (outside, tmp_path / "missing", Path("/etc"), Path("/no/such/dir"))}
    assert all(body == answers["/etc"] for body in answers.values()), answers
    assert answers["/etc"]["errors"] == NEUTRAL


def test_every_field_is_reported_with_the_base_model(signed_in):
    response = _api_trial(signed_in, "/etc", lora_r="many")
    assert set(response.get_json()["errors"]) == {"base_model", "lora_r"}
    assert response.get_json()["errors"]["base_model"] == NOT_ALLOWED_MODEL


def test_registry_names_are_accepted(signed_in, db_session, redis_queues):
    for name in ("smollm2-135m", "falcon-7b-instruct"):
        response = _api_trial(signed_in, name)
        assert response.status_code == 201, response.get_json()
    assert db_session.scalars(select(Trial.base_model).order_by(Trial.id)).all() == ["smollm2-135m",
                                                                                     "falcon-7b-instruct"]


def test_a_directory_inside_the_models_root_is_accepted_and_a_link_out_of_it_is_not(
        signed_in, db_session, web_home, tmp_path, redis_queues):
    models = web_home / "models"
    (models / "my-model").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (models / "escape").symlink_to(outside, target_is_directory=True)
    assert _api_trial(signed_in, str(models / "my-model")).status_code == 201
    for refused in (models / "escape", models, models / ".." / "secret_key", models / "my-model" / ".." / ".."):
        response = _api_trial(signed_in, str(refused))
        assert response.status_code == 400 and response.get_json()["errors"] == NEUTRAL, refused
    assert _trials(db_session) == 1


def test_hub_ids_and_another_models_root_when_the_deployment_allows_them(make_app, admin_user, tmp_path,
                                                                          redis_queues):
    from web_support import ADMIN, login

    root = tmp_path / "shared-models"
    (root / "tuned").mkdir(parents=True)
    app = make_app(ALLOW_HUB_MODELS=True, MODELS_ROOT=str(root))
    client = app.test_client()
    assert login(client, *ADMIN).status_code == 302
    assert _api_trial(client, "tiiuae/falcon-7b-instruct").status_code == 201
    assert _api_trial(client, str(root / "tuned")).status_code == 201
    for refused in ("a/../b", "org/name/extra", "/etc", str(Path(app.config["HCMQA_HOME"]) / "models" / "x"),
                    "org--x/name", ".hidden/name"):
        assert _api_trial(client, refused).get_json()["errors"] == NEUTRAL, refused


def test_the_settings_come_from_the_environment(tmp_path):
    env = {"HCMQA_HOME": str(tmp_path), "SECRET_KEY": "k" * 40}
    assert settings_from_env(env)["ALLOW_HUB_MODELS"] is False and settings_from_env(env)["MODELS_ROOT"] is None
    settings = settings_from_env({**env, "HCMQA_ALLOW_HUB_MODELS": "1", "HCMQA_MODELS_ROOT": "/srv/models"})
    assert settings["ALLOW_HUB_MODELS"] is True and settings["MODELS_ROOT"] == "/srv/models"
    with pytest.raises(SettingsError, match="HCMQA_ALLOW_HUB_MODELS"):
        settings_from_env({**env, "HCMQA_ALLOW_HUB_MODELS": "perhaps"})
    # the one check, reading the same settings where no app is involved (workers)
    home = tmp_path / "home"
    (home / "models" / "m").mkdir(parents=True)
    assert check_allowed_model(str(home / "models" / "m"), home, environ={}) is None
    assert check_allowed_model("org/name", home, environ={}) == NOT_ALLOWED_MODEL
    assert check_allowed_model("org/name", home, environ={"HCMQA_ALLOW_HUB_MODELS": "yes"}) is None
    assert check_allowed_model(str(home / "models" / "m"), home, environ={"HCMQA_MODELS_ROOT": "/srv"}) == NOT_ALLOWED_MODEL


def test_the_worker_refuses_to_train_on_a_model_that_is_not_allowed(tmp_path):
    from worker import train_job
    from worker.lifecycle import run_job
    from worker.runtime import session_factory_for
    from worker.settings import WorkerSettings

    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    upgrade(url)
    home = tmp_path / "home"
    home.mkdir()
    settings = WorkerSettings(home=home, database_url=url, broker_url="memory://", heartbeat_s=0.2, stale_after_s=5.0)
    factory = session_factory_for(settings)
    try:
        with factory() as session:  # a row written before the web side checked, or by hand
            trial = Trial(name="t", config={"name": "t", "base_model": "/etc"}, mode="grounded", base_model="/etc")
            session.add(trial)
            session.flush()
            job = create_job(session, JobKind.train, {"trial_id": trial.id}, trial_id=trial.id, commit=False)
            session.commit()
            job_id = job.id
        result = run_job(settings, "test", job_id, JobKind.train, train_job.train_trial)
        assert result["status"] == "failed"
        with factory() as session:
            assert session.get(Job, job_id).error == f"base_model: {NOT_ALLOWED_MODEL}"
            assert session.get(Job, job_id).status == JobStatus.failed
        assert not (home / "runs").exists() or not os.listdir(home / "runs")
    finally:
        factory.kw["bind"].dispose()
