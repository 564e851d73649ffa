"""Settings, app configuration and small helpers: no services, no model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.contract import (
    ANSWER_BATCH,
    EVALUATE_TRIAL,
    INGEST_DATASET,
    REAP_STALE_JOBS,
    TRAIN_GATE,
    TRAIN_TRIAL,
)
from worker.app import create_celery_app, settings_of
from worker.cli import main as worker_cli
from worker.identity import owner_is_dead, worker_name
from worker.settings import SettingsError, WorkerSettings
from worker.train_job import claim_run_dir, last_checkpoint_step


def test_defaults_live_under_the_home(tmp_path: Path) -> None:
    settings = WorkerSettings.from_env({"HCMQA_HOME": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hcmqa.db'}"
    assert settings.broker_url == f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    assert settings.run_dir(7) == tmp_path / "runs" / "trial-7"
    # A live task's message must never be redelivered: longer than any time limit.
    assert settings.effective_visibility_timeout_s > max(
        settings.train_time_limit_s, settings.task_time_limit_s
    )


def test_every_bad_variable_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as info:
        WorkerSettings.from_env(
            {
                "HCMQA_HOME": "/tmp/x",
                "HCMQA_HEARTBEAT_S": "soon",
                "HCMQA_MAX_ATTEMPTS": "2.5",
                "HCMQA_ALLOW_HUB_MODELS": "maybe",
            }
        )
    message = str(info.value)
    assert "HCMQA_HEARTBEAT_S='soon'" in message
    assert "HCMQA_MAX_ATTEMPTS='2.5'" in message
    assert "HCMQA_ALLOW_HUB_MODELS='maybe'" in message


def test_the_engine_that_generates_answers_is_one_the_assistant_has() -> None:
    assert WorkerSettings.from_env({"HCMQA_HOME": "/tmp/x"}).engine == "transformers"
    assert WorkerSettings.from_env({"HCMQA_HOME": "/tmp/x", "HCMQA_ENGINE": "openvino"}).engine == "openvino"
    with pytest.raises(SettingsError, match="HCMQA_ENGINE='onnx': expected one of transformers, openvino"):
        WorkerSettings.from_env({"HCMQA_HOME": "/tmp/x", "HCMQA_ENGINE": "onnx"})


def test_inconsistent_intervals_are_rejected() -> None:
    with pytest.raises(SettingsError) as info:
        WorkerSettings.from_env(
            {
                "HCMQA_HOME": "/tmp/x",
                "HCMQA_HEARTBEAT_S": "10",
                "HCMQA_STALE_AFTER_S": "15",
                "HCMQA_VISIBILITY_TIMEOUT_S": "5",
            }
        )
    message = str(info.value)
    assert "at least twice HCMQA_HEARTBEAT_S" in message
    assert "HCMQA_VISIBILITY_TIMEOUT_S=5.0 must exceed HCMQA_STALE_AFTER_S" in message


def test_with_home_moves_only_defaulted_urls(tmp_path: Path) -> None:
    base = WorkerSettings.from_env(
        {"HCMQA_HOME": str(tmp_path / "a"), "BROKER_URL": "redis://r:6379/0"}
    )
    moved = base.with_home(tmp_path / "b")
    assert moved.database_url == f"sqlite:///{tmp_path / 'b' / 'hcmqa.db'}"
    assert moved.broker_url == "redis://r:6379/0"


def test_app_is_configured_for_reliable_long_tasks(tmp_path: Path) -> None:
    settings = WorkerSettings.from_env(
        {"HCMQA_HOME": str(tmp_path), "BROKER_URL": "redis://127.0.0.1:6379/0"}
    )
    app = create_celery_app(settings)
    conf = app.conf
    assert settings_of(app) is settings
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.broker_transport_options["visibility_timeout"] > settings.train_time_limit_s
    routes = {name: route["queue"] for name, route in conf.task_routes.items()}
    assert routes == {
        TRAIN_TRIAL: "gpu",
        EVALUATE_TRIAL: "gpu",
        ANSWER_BATCH: "gpu",
        TRAIN_GATE: "cpu",
        INGEST_DATASET: "cpu",
        REAP_STALE_JOBS: "cpu",
    }
    train_limits = conf.task_annotations[TRAIN_TRIAL]
    assert (
        train_limits["soft_time_limit"] < train_limits["time_limit"] == settings.train_time_limit_s
    )
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.beat_schedule["reap-stale-jobs"]["task"] == REAP_STALE_JOBS


def test_sqlalchemy_broker_gets_only_engine_options(tmp_path: Path) -> None:
    """kombu hands this transport's options to create_engine; anything else breaks it."""
    app = create_celery_app(WorkerSettings.from_env({"HCMQA_HOME": str(tmp_path)}))
    assert app.conf.broker_transport_options == {"connect_args": {"timeout": 30}}


def test_importing_the_app_module_reads_no_environment() -> None:
    env = {**os.environ, "HCMQA_HEARTBEAT_S": "not a number"}
    code = "import worker.app, worker.tasks, worker.reaper, jobs; print('ok')"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    broken = subprocess.run(
        [sys.executable, "-c", "import worker.app as m; m.app"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broken.returncode != 0 and "HCMQA_HEARTBEAT_S='not a number'" in broken.stderr


def test_dead_owner_is_recognised_only_on_this_host() -> None:
    me = worker_name("w@here")
    assert not owner_is_dead(me)  # this very process
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert owner_is_dead(me.replace(f"pid={os.getpid()}", f"pid={child.pid}"))
    assert not owner_is_dead(f"w@there pid={child.pid} host=another-machine")
    assert not owner_is_dead("an old-style worker name")


def test_run_dir_of_another_trial_is_moved_aside(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "trial-1"
    claim_run_dir(run, 1, "2025-01-01T00:00:00+00:00")
    (run / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (run / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}")
    claim_run_dir(run, 1, "2025-01-01T00:00:00+00:00")  # same trial: kept, resumable
    assert last_checkpoint_step(run) == 2
    claim_run_dir(run, 1, "2026-02-02T00:00:00+00:00")  # a reset database reused the id
    assert last_checkpoint_step(run) is None
    assert len(list((tmp_path / "runs").glob("trial-1.orphaned-*"))) == 1


def test_incomplete_checkpoints_are_not_resumed_from(tmp_path: Path) -> None:
    """A worker killed while saving leaves a checkpoint without trainer_state.json."""
    from worker.train_job import discard_incomplete_checkpoints

    folder = tmp_path / "checkpoints"
    for step, state in ((2, "{}"), (4, None), (6, '{"trunc')):
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        if state is not None:
            (folder / f"checkpoint-{step}" / "trainer_state.json").write_text(state)
    assert discard_incomplete_checkpoints(tmp_path) == [4, 6]
    assert last_checkpoint_step(tmp_path) == 2


def test_submit_faq_refuses_a_bad_question_list_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader is ``hcmqa.questions`` (tested in tests/hcmqa/test_questions.py); a list it
    refuses is bad input: exit status 2 and the file and row in the message."""
    csv_file = tmp_path / "q.csv"
    csv_file.write_text('id,question\n1,"Who, exactly?"\n2,\n3,Why?\n', encoding="utf-8")
    status = worker_cli(["--home", str(tmp_path / "home"), "submit", "faq", "--file", str(csv_file)])
    assert status == 2
    assert f"{csv_file}:3: empty question" in capsys.readouterr().err


def test_submit_faq_names_a_dataset_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "q.txt"
    listing.write_text("Where was she born?\n", encoding="utf-8")
    status = worker_cli(["--home", str(tmp_path / "home"), "submit", "faq", "--file", str(listing), "--dataset", "99"])
    assert status == 2
    assert "dataset_id: there is no dataset #99" in capsys.readouterr().err


def test_the_production_worker_app_never_loads_the_test_faults(tmp_path: Path) -> None:
    """Fault injection lives in tests/worker/faults.py and is connected only by the test
    stack's launcher; the app ``celery -A worker.app`` builds, with its tasks, leaves it out."""
    check = (
        "import sys\n"
        "import worker.app, worker.cli\n"
        "app = worker.app.app\n"
        "app.loader.import_default_modules()\n"
        "from worker.lifecycle import job_started\n"
        "assert 'worker.tasks' in sys.modules\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] == 'tests' or n.endswith('.faults'))\n"
        "assert not loaded, loaded\n"
        "assert not job_started.receivers, job_started.receivers\n"
    )
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("HCMQA_")
    } | {"HCMQA_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # The same check fails once the launcher's hook is connected, so it can tell.
    hooked = subprocess.run(
        [sys.executable, "-c", "import tests.worker.faults as f; f.install()\n" + check],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert hooked.returncode != 0 and "tests.worker.faults" in hooked.stderr
