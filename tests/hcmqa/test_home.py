"""The data folder: one default for the command line, the workers and the web app, one layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from hcmqa.home import GATE_FILE, Home


def test_hcmqa_home_wins_and_expands_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Home.from_env({"HCMQA_HOME": "~/data"}).root == tmp_path / "data"
    assert Home.from_env({"HCMQA_HOME": "/srv/hcmqa"}).root == Path("/srv/hcmqa")


@pytest.mark.parametrize("environ", [{}, {"HCMQA_HOME": ""}])
def test_the_default_is_the_user_cache_directory(tmp_path, monkeypatch, environ):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert Home.from_env(environ).root == platformdirs.user_cache_path("hcmqa")


@pytest.mark.parametrize("set_home", [True, False])
def test_workers_and_web_agree(tmp_path, monkeypatch, set_home):
    """The web app used ``~/.cache`` even where the platform's cache is elsewhere (macOS,
    ``XDG_CACHE_HOME``); it and the workers (and the CLI) now share :meth:`Home.from_env`."""
    from webadmin.config import settings_from_env
    from worker.settings import WorkerSettings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    if set_home:
        monkeypatch.setenv("HCMQA_HOME", str(tmp_path / "home"))
    else:
        monkeypatch.delenv("HCMQA_HOME", raising=False)
    environ = dict(os.environ, SECRET_KEY="s" * 40)
    expected = tmp_path / "home" if set_home else platformdirs.user_cache_path("hcmqa")
    assert expected != Path.home() / ".cache" / "hcmqa"
    assert WorkerSettings.from_env(environ).home == expected
    web = settings_from_env(environ)
    assert Path(web["HCMQA_HOME"]) == expected
    assert web["DATABASE_URL"] == f"sqlite:///{expected / 'hcmqa.db'}"
    assert web["BROKER_URL"] == f"sqla+sqlite:///{expected / 'broker.db'}"


def test_layout(tmp_path):
    home = Home(str(tmp_path))
    assert home.root == tmp_path
    assert (home.models_dir, home.datasets_dir, home.runs_dir, home.uploads_dir) == (
        tmp_path / "models", tmp_path / "datasets", tmp_path / "runs", tmp_path / "uploads")
    assert home.gate_file == tmp_path / "gate" / GATE_FILE == tmp_path / "gate" / "gate.joblib"
    assert home.database_url == f"sqlite:///{tmp_path / 'hcmqa.db'}"
    assert home.broker_url == f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    assert home.secret_key_file == tmp_path / "secret_key"


def test_latest_dataset(tmp_path):
    home = Home(tmp_path)
    with pytest.raises(FileNotFoundError, match="run: hcmqa data build"):
        home.latest_dataset()
    built = home.datasets_dir / "default-20250101-aaaa"
    built.mkdir(parents=True)
    (built / "manifest.json").write_text("{}")
    assert home.latest_dataset() == built


def test_a_saved_gate_is_the_file_the_layout_names(tmp_path):
    """Workers watch ``Home.gate_file`` to notice a retrained gate."""
    from hcmqa.config import DEFAULT_GATE_THRESHOLD
    from hcmqa.gate import GateClassifier

    home = Home(tmp_path)
    gate = GateClassifier.train(["When was Ho Chi Minh born?", "Where did he live?", "Best pho?", "Who won the cup?"], [1, 1, 0, 0])
    assert gate.threshold == DEFAULT_GATE_THRESHOLD
    gate.save(home.gate_dir)
    assert home.gate_file.is_file()
    assert GateClassifier.load(home.gate_dir).threshold == DEFAULT_GATE_THRESHOLD


def test_the_layout_imports_nothing_but_the_standard_library():
    """The web app imports it; platformdirs is loaded only to find the default."""
    code = (
        "import sys, hcmqa.home; "
        "bad = sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'hcmqa'}); "
        "bad = [m for m in bad if not m.startswith('_')]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
