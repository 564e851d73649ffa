"""Migrations: single head, up/down/up round trip, schema == models, CLI entry point."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect, text
from sqlalchemy.exc import IntegrityError

from db.migrate import current, downgrade, heads, make_config, upgrade
from db.models import AnswerPath, Base
from db.session import make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
NewDatabase = Callable[[], str]
APP_TABLES = {"users", "datasets", "trials", "metric_points", "jobs", "faq_batches", "answers"}
HEAD = "0009"


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _diff(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_exactly_one_head() -> None:
    assert heads() == [HEAD]


def test_upgrade_downgrade_upgrade_round_trip(new_database: NewDatabase) -> None:
    url = new_database()
    assert current(url) is None

    upgrade(url)
    assert _tables(url) == APP_TABLES | {"alembic_version"}
    assert current(url) == heads()[0]

    downgrade(url, "base")
    assert _tables(url) - {"alembic_version"} == set()
    assert current(url) is None

    upgrade(url, "head")
    assert _tables(url) == APP_TABLES | {"alembic_version"}
    assert current(url) == HEAD


def test_upgrade_accepts_an_engine(new_database: NewDatabase) -> None:
    engine = make_engine(new_database())
    try:
        upgrade(engine)
        assert current(engine) == HEAD
        assert set(inspect(engine).get_table_names()) >= APP_TABLES
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(engine: Engine) -> None:
    assert _diff(engine, Base.metadata) == []


def test_schema_comparison_is_not_vacuous(engine: Engine) -> None:
    """Guard for the test above: a model/schema drift must be detected."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["jobs"].append_column(Column("extra", Integer, nullable=True))
    diffs = _diff(engine, drifted)
    assert any(d[0] == "add_column" and d[3].name == "extra" for d in diffs), diffs  # type: ignore[index]


def test_named_indexes_and_unique_constraints(engine: Engine) -> None:
    insp = inspect(engine)
    metric_indexes = {ix["name"] for ix in insp.get_indexes("metric_points")}
    assert {"ix_metric_points_trial_id_name_step", "ix_metric_points_name_split"} <= metric_indexes
    job_indexes = {ix["name"]: ix["column_names"] for ix in insp.get_indexes("jobs")}
    assert job_indexes["ix_jobs_status_kind"] == ["status", "kind"]
    assert job_indexes["ix_jobs_heartbeat_at"] == ["heartbeat_at"]
    uniques = {uc["name"] for uc in insp.get_unique_constraints("metric_points")}
    assert "uq_metric_points_trial_id_split_name_step" in uniques
    assert "uq_datasets_name_version" in {
        uc["name"] for uc in insp.get_unique_constraints("datasets")
    }
    assert "uq_answers_batch_id_position" in {
        uc["name"] for uc in insp.get_unique_constraints("answers")
    }
    checks = {ck["name"] for ck in insp.get_check_constraints("jobs")}
    assert {"ck_jobs_status", "ck_jobs_kind", "ck_jobs_progress_range"} <= checks
    assert "ck_answers_answer_path" in {ck["name"] for ck in insp.get_check_constraints("answers")}
    fks = {fk["name"]: fk for fk in insp.get_foreign_keys("metric_points")}
    assert fks["fk_metric_points_trial_id_trials"]["options"].get("ondelete") == "CASCADE"


@pytest.mark.parametrize(("column", "bad_value"), [("status", "exploded"), ("kind", "dance")])
def test_check_constraints_reject_unknown_enum_values(
    engine: Engine, session_factory: object, column: str, bad_value: str
) -> None:
    values = {"kind": "train", "status": "queued", column: bad_value}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jobs (kind, status, payload, attempt, max_attempts, progress, "
                "cancel_requested, created_at) VALUES (:kind, :status, '{}', 0, 3, 0, false, "
                "CURRENT_TIMESTAMP)"
            ),
            values,
        )


def _old_batch(conn, total: int) -> int:
    """A finished FAQ batch of ``total`` questions, inserted as an older revision's rows; its id."""
    return conn.execute(
        text(
            "INSERT INTO faq_batches (name, status, total, done, created_at) "
            "VALUES ('old', 'succeeded', :total, :total, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"total": total},
    ).scalar_one()


def _answer_columns(engine: Engine) -> dict[str, dict[str, object]]:
    return {column["name"]: column for column in inspect(engine).get_columns("answers")}


def test_0002_adds_answer_path_and_keeps_existing_answers(new_database: NewDatabase) -> None:
    """Upgrading a 0001 database with answers in it, then down and up again."""
    url = new_database()
    upgrade(url, "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            batch_id = _old_batch(conn, 1)
            conn.execute(
                text(
                    "INSERT INTO answers (batch_id, position, question, related, answer) "
                    "VALUES (:batch_id, 0, 'When was he born?', true, 'In 1890.')"
                ),
                {"batch_id": batch_id},
            )
        assert "answer_path" not in _answer_columns(engine)

        upgrade(url)
        assert current(url) == HEAD
        column = _answer_columns(engine)["answer_path"]
        assert column["nullable"] and getattr(column["type"], "length", None) == 32
        with engine.connect() as conn:
            old = conn.execute(text("SELECT question, answer, answer_path FROM answers")).one()
        assert tuple(old) == ("When was he born?", "In 1890.", None)
        for path in AnswerPath:  # every value the model knows passes the database's check
            with engine.begin() as conn:
                conn.execute(text("UPDATE answers SET answer_path = :p"), {"p": path.value})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE answers SET answer_path = 'invented'"))
        # The rebuilt SQLite table kept the batch's ON DELETE CASCADE.
        fks = {fk["name"]: fk for fk in inspect(engine).get_foreign_keys("answers")}
        assert fks["fk_answers_batch_id_faq_batches"]["options"].get("ondelete") == "CASCADE"

        downgrade(url, "0001")
        assert current(url) == "0001"
        assert "answer_path" not in _answer_columns(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT answer FROM answers")).scalar_one() == "In 1890."
        upgrade(url)
        assert current(url) == HEAD and "answer_path" in _answer_columns(engine)
    finally:
        engine.dispose()


def test_0003_adds_token_expiry_and_keeps_users_and_tokens(new_database: NewDatabase) -> None:
    """Upgrading a 0002 database with an account and its token, then down and up again."""
    url = new_database()
    upgrade(url, "0002")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            user_id = conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, is_admin, api_token_hash, created_at) "
                    "VALUES ('admin', 'x', true, 'digest', CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO trials (name, config, mode, base_model, status, submitted_by, created_at) "
                    "VALUES ('t', '{}', 'grounded', 'smollm2-135m', 'queued', :uid, CURRENT_TIMESTAMP)"
                ),
                {"uid": user_id},
            )
        columns = {c["name"]: c for c in inspect(engine).get_columns("users")}
        assert "api_token_expires_at" not in columns

        upgrade(url)
        assert current(url) == HEAD
        column = {c["name"]: c for c in inspect(engine).get_columns("users")}["api_token_expires_at"]
        assert column["nullable"]
        with engine.connect() as conn:
            row = conn.execute(text("SELECT username, api_token_hash, api_token_expires_at FROM users")).one()
            # the rebuilt SQLite table did not set the trial's submitter to NULL
            assert conn.execute(text("SELECT submitted_by FROM trials")).scalar_one() == user_id
        assert tuple(row) == ("admin", "digest", None)  # tokens issued before never expire
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the token stays unique
            conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, is_admin, api_token_hash, created_at) "
                    "VALUES ('other', 'x', true, 'digest', CURRENT_TIMESTAMP)"
                )
            )

        downgrade(url, "0002")
        assert current(url) == "0002"
        assert "api_token_expires_at" not in {c["name"] for c in inspect(engine).get_columns("users")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT api_token_hash FROM users")).scalar_one() == "digest"
            assert conn.execute(text("SELECT submitted_by FROM trials")).scalar_one() == user_id
        upgrade(url)
        assert current(url) == HEAD
    finally:
        engine.dispose()


def test_0004_adds_session_version_and_keeps_users(new_database: NewDatabase) -> None:
    """Upgrading a 0003 database with an account: it starts at session version 0; down and up again."""
    url = new_database()
    upgrade(url, "0003")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            user_id = conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, is_admin, api_token_hash, created_at) "
                    "VALUES ('admin', 'x', true, 'digest', CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO trials (name, config, mode, base_model, status, submitted_by, created_at) "
                    "VALUES ('t', '{}', 'grounded', 'smollm2-135m', 'queued', :uid, CURRENT_TIMESTAMP)"
                ),
                {"uid": user_id},
            )
        assert "session_version" not in {c["name"] for c in inspect(engine).get_columns("users")}

        upgrade(url)
        assert current(url) == HEAD
        column = {c["name"]: c for c in inspect(engine).get_columns("users")}["session_version"]
        assert not column["nullable"]
        with engine.begin() as conn:
            assert tuple(conn.execute(text("SELECT username, api_token_hash, session_version FROM users")).one()) == (
                "admin", "digest", 0)
            assert conn.execute(text("SELECT submitted_by FROM trials")).scalar_one() == user_id
            # an account inserted without the column (older code) also starts at 0
            conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, is_admin, created_at) "
                    "VALUES ('second', 'x', true, CURRENT_TIMESTAMP)"
                )
            )
            assert conn.execute(text("SELECT session_version FROM users WHERE username = 'second'")).scalar_one() == 0

        downgrade(url, "0003")
        assert current(url) == "0003"
        assert "session_version" not in {c["name"] for c in inspect(engine).get_columns("users")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 2
            assert conn.execute(text("SELECT submitted_by FROM trials")).scalar_one() == user_id
        upgrade(url)
        assert current(url) == HEAD
    finally:
        engine.dispose()


def test_progress_check_constraint(engine: Engine, session_factory: object) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO jobs (kind, status, payload, attempt, max_attempts, progress, "
                "cancel_requested, created_at) VALUES ('train', 'queued', '{}', 0, 3, 1.5, false, "
                "CURRENT_TIMESTAMP)"
            )
        )


def test_alembic_cli_with_x_url(new_database: NewDatabase, tmp_path: Path) -> None:
    """`alembic -c db/alembic.ini -x url=... upgrade head` works from any directory."""
    url = new_database()
    ini = REPO_ROOT / "db" / "alembic.ini"
    base = [sys.executable, "-m", "alembic", "-c", str(ini), "-x", f"url={url}"]
    for args in (["upgrade", "head"], ["current"]):
        proc = subprocess.run(
            [*base, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
    assert HEAD in proc.stdout
    assert _tables(url) == APP_TABLES | {"alembic_version"}


def test_alembic_cli_with_sqlalchemy_url_option(new_database: NewDatabase, tmp_path: Path) -> None:
    """Without ``-x url`` the ini's ``sqlalchemy.url`` option is used."""
    url = new_database()
    db_dir = REPO_ROOT / "db"
    ini_text = (db_dir / "alembic.ini").read_text()
    ini_text = ini_text.replace("%(here)s", str(db_dir))
    ini_text = ini_text.replace("\nsqlalchemy.url =\n", f"\nsqlalchemy.url = {url}\n")
    assert f"sqlalchemy.url = {url}" in ini_text
    ini = tmp_path / "alembic.ini"
    ini.write_text(ini_text)
    proc = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert current(url) == HEAD


def test_alembic_cli_without_url_fails_clearly(tmp_path: Path) -> None:
    ini = REPO_ROOT / "db" / "alembic.ini"
    proc = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "no database URL" in proc.stderr


def test_offline_sql_rendering(backend: str) -> None:
    url = "sqlite:///offline.db" if backend == "sqlite" else "postgresql+psycopg://u@h/db"
    buffer = io.StringIO()
    config = make_config(url)
    config.output_buffer = buffer
    with redirect_stdout(buffer):
        command.upgrade(config, "head", sql=True)
    rendered = buffer.getvalue()
    assert "CREATE TABLE jobs" in rendered
    assert "ck_jobs_status" in rendered
    assert "ck_answers_answer_path CHECK (answer_path IN (" in rendered
    assert "ADD COLUMN resolved_question TEXT" in rendered


def test_0005_marks_existing_datasets_ready_and_accepts_ingest_jobs(new_database: NewDatabase) -> None:
    """Upgrading a 0004 database with a built dataset and a trial on it, then down and up again."""
    url = new_database()
    upgrade(url, "0004")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            dataset_id = conn.execute(
                text(
                    "INSERT INTO datasets (name, version, content_hash, path, counts, splits, created_at) "
                    "VALUES ('museum', 'abc', 'h', '/d', '{}', '{}', CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO trials (name, config, mode, base_model, status, dataset_id, created_at) "
                    "VALUES ('t', '{}', 'grounded', 'smollm2-135m', 'queued', :d, CURRENT_TIMESTAMP)"
                ),
                {"d": dataset_id},
            )

        upgrade(url, "0005")
        with engine.connect() as conn:
            assert tuple(conn.execute(text("SELECT status, problems FROM datasets")).one()) == ("ready", None)
        insert_job = text(
            "INSERT INTO jobs (kind, status, payload, attempt, max_attempts, progress, cancel_requested, "
            "created_at, dataset_id) VALUES (:kind, 'queued', '{}', 0, 3, 0, false, CURRENT_TIMESTAMP, :d)"
        )
        with engine.begin() as conn:
            upload_id = conn.execute(
                text(
                    "INSERT INTO datasets (name, version, content_hash, path, counts, splits, created_at, status) "
                    "VALUES ('upload', 'pending-1', '', '', '{}', '{}', CURRENT_TIMESTAMP, 'pending') RETURNING id"
                )
            ).scalar_one()
            conn.execute(insert_job, {"kind": "ingest", "d": upload_id})
            conn.execute(insert_job, {"kind": "gate", "d": None})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE datasets SET status = 'half-built'"))
        fks = {fk["name"]: fk for fk in inspect(engine).get_foreign_keys("jobs")}
        assert fks["fk_jobs_dataset_id_datasets"]["options"].get("ondelete") == "CASCADE"
        assert fks["fk_jobs_trial_id_trials"]["options"].get("ondelete") == "CASCADE"

        downgrade(url, "0004")
        assert "dataset_id" not in {c["name"] for c in inspect(engine).get_columns("jobs")}
        with engine.connect() as conn:
            # the ingest job and the upload that never became ready are gone; the rest stays
            assert conn.execute(text("SELECT kind FROM jobs")).scalars().all() == ["gate"]
            assert conn.execute(text("SELECT name FROM datasets")).scalars().all() == ["museum"]
            assert conn.execute(text("SELECT dataset_id FROM trials")).scalar_one() == dataset_id
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the older kinds only again
            conn.execute(
                text(
                    "INSERT INTO jobs (kind, status, payload, attempt, max_attempts, progress, "
                    "cancel_requested, created_at) VALUES ('ingest', 'queued', '{}', 0, 3, 0, false, "
                    "CURRENT_TIMESTAMP)"
                )
            )
        upgrade(url)
        assert current(url) == HEAD
    finally:
        engine.dispose()


def test_0006_moves_chat_conversations_into_their_column_and_back(new_database: NewDatabase) -> None:
    """Chat turns named ``chat:<id>`` by revision 0005 and before: upgraded, downgraded, upgraded."""
    url = new_database()
    upgrade(url, "0005")
    engine = make_engine(url)
    conversation = "0123456789abcdef" * 2
    names = [f"chat:{conversation}", f"chat:{conversation}", "Visitor FAQ", "chat:not-a-conversation"]
    try:
        with engine.begin() as conn:
            for name in names:
                conn.execute(
                    text(
                        "INSERT INTO faq_batches (name, status, total, done, created_at) "
                        "VALUES (:name, 'succeeded', 1, 1, CURRENT_TIMESTAMP)"
                    ),
                    {"name": name},
                )
        select_rows = text("SELECT name, conversation_id FROM faq_batches ORDER BY id")

        upgrade(url, "0006")
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(select_rows)]
        assert rows == [("chat", conversation), ("chat", conversation), ("Visitor FAQ", None),
                        ("chat:not-a-conversation", None)]
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("faq_batches")}
        assert indexes["ix_faq_batches_conversation_id"] == ["conversation_id"]

        downgrade(url, "0005")
        assert "conversation_id" not in {c["name"] for c in inspect(engine).get_columns("faq_batches")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM faq_batches ORDER BY id")).scalars().all() == names
        upgrade(url)
        assert current(url) == HEAD
        with engine.connect() as conn:
            assert [tuple(row) for row in conn.execute(select_rows)] == rows
    finally:
        engine.dispose()


def test_0009_adds_resolved_question_and_keeps_existing_answers(new_database: NewDatabase) -> None:
    """Upgrading a 0008 database with answers in it: they keep NULL; down and up again."""
    url = new_database()
    upgrade(url, "0008")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            batch_id = _old_batch(conn, 2)
            conn.execute(
                text(
                    "INSERT INTO answers (batch_id, position, question, related, answer, answer_path) "
                    "VALUES (:batch_id, 0, 'When did he die?', true, 'In 1969.', 'generated')"
                ),
                {"batch_id": batch_id},
            )
        assert "resolved_question" not in _answer_columns(engine)

        upgrade(url, "0009")
        assert current(url) == "0009"
        column = _answer_columns(engine)["resolved_question"]
        assert column["nullable"]
        select_rows = text("SELECT question, answer, answer_path, resolved_question FROM answers ORDER BY position")
        with engine.connect() as conn:
            assert tuple(conn.execute(select_rows).one()) == ("When did he die?", "In 1969.", "generated", None)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO answers (batch_id, position, question, related, answer, answer_path, resolved_question) "
                    "VALUES (:batch_id, 1, 'HCM birthday?', true, '19 May 1890.', 'generated', 'Ho Chi Minh birthday?')"
                ),
                {"batch_id": batch_id},
            )
        with engine.connect() as conn:
            assert [row[3] for row in conn.execute(select_rows)] == [None, "Ho Chi Minh birthday?"]

        downgrade(url, "0008")
        assert current(url) == "0008"
        assert "resolved_question" not in _answer_columns(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT answer FROM answers ORDER BY position")).scalars().all() == [
                "In 1969.", "19 May 1890."]
        # the rebuilt SQLite table kept the answer path's CHECK and the batch's ON DELETE CASCADE
        assert "ck_answers_answer_path" in {ck["name"] for ck in inspect(engine).get_check_constraints("answers")}
        fks = {fk["name"]: fk for fk in inspect(engine).get_foreign_keys("answers")}
        assert fks["fk_answers_batch_id_faq_batches"]["options"].get("ondelete") == "CASCADE"
        assert "uq_answers_batch_id_position" in {uc["name"] for uc in inspect(engine).get_unique_constraints("answers")}
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE answers SET answer_path = 'invented'"))

        upgrade(url)
        assert current(url) == HEAD and "resolved_question" in _answer_columns(engine)
    finally:
        engine.dispose()
