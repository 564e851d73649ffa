"""App-level guarantees: the dependency direction, configuration from the environment, errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from web_support import ADMIN, login, post_form
from webadmin.config import SettingsError, settings_from_env
from webadmin.database import db_handle
from webadmin.security import create_admin, create_token


def test_web_app_imports_no_worker_and_no_torch(tmp_path):
    """DESIGN.md: webadmin -> db only; it sends tasks by name and must start without torch."""
    code = (
        "import sys; from webadmin import create_app; "
        f"app = create_app({{'HCMQA_HOME': {str(tmp_path)!r}, 'DATABASE_URL': 'sqlite:///{tmp_path}/x.db', "
        "'BROKER_URL': 'redis://127.0.0.1:6379/13', 'SECRET_KEY': 'k' * 40}); "
        "app.test_client().get('/login'); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'transformers', 'peft', 'worker', 'sklearn') or m.startswith('hcmqa.training')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_defaults_come_from_hcmqa_home(tmp_path):
    settings = settings_from_env({"HCMQA_HOME": str(tmp_path)})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'hcmqa.db'}"
    assert settings["BROKER_URL"] == f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    assert settings["SESSION_COOKIE_SECURE"] is False and settings["MAX_UPLOAD_MB"] == 32
    again = settings_from_env({"HCMQA_HOME": str(tmp_path)})
    assert settings["SECRET_KEY"] == again["SECRET_KEY"] and len(settings["SECRET_KEY"]) >= 32


def test_settings_from_explicit_environment(tmp_path):
    env = {"HCMQA_HOME": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://u@db/hcmqa", "BROKER_URL": "redis://r:6379/0",
           "SECRET_KEY": "s" * 40, "MAX_UPLOAD_MB": "5", "SESSION_COOKIE_SECURE": "true"}
    settings = settings_from_env(env)
    assert settings["DATABASE_URL"] == env["DATABASE_URL"] and settings["BROKER_URL"] == env["BROKER_URL"]
    assert (settings["SECRET_KEY"], settings["MAX_UPLOAD_MB"], settings["SESSION_COOKIE_SECURE"]) == ("s" * 40, 5, True)
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("name,value", [("MAX_UPLOAD_MB", "lots"), ("MAX_UPLOAD_MB", "0"), ("SESSION_COOKIE_SECURE", "perhaps")])
def test_bad_settings_name_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        settings_from_env({"HCMQA_HOME": str(tmp_path), "SECRET_KEY": "s" * 40, name: value})


def test_upload_limit_follows_max_upload_mb(make_app):
    assert make_app(MAX_UPLOAD_MB=7).config["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024


def test_oversized_api_body_is_a_json_413(app, admin_user):
    with db_handle(app).sessions() as session:
        token = create_token(session, "admin")
    response = app.test_client().post("/api/faq-batches", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10),
                                      content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert "larger than the limit" in response.get_json()["error"]


def test_oversized_faq_upload_gets_the_413_page(app, signed_in):
    big = io.BytesIO(b"Who?\n" * (app.config["MAX_CONTENT_LENGTH"] // 5 + 10))
    response = post_form(signed_in, "/faq/", {"name": "big", "questions": (big, "big.txt")}, token_from="/faq/",
                         content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Upload too large" in response.get_data(as_text=True)


def test_unexpected_errors_render_a_500_page_without_details(make_app):
    app = make_app()

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    client = app.test_client()
    login(client, *ADMIN)
    response = client.get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text and "secret internals" not in text


def test_an_unmigrated_database_gets_a_how_to_fix_page_not_a_500(tmp_path):
    from webadmin import create_app

    app = create_app({"HCMQA_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db",
                      "BROKER_URL": "redis://127.0.0.1:6379/13", "SECRET_KEY": "k" * 40})
    client = app.test_client()
    token = client.get("/login")
    assert token.status_code == 200  # the sign-in form needs no table
    page = post_form(client, "/login", {"username": ADMIN[0], "password": ADMIN[1]}, token_from="/login")
    assert page.status_code == 503 and "hcmqa db upgrade" in page.get_data(as_text=True)
