"""Initial HCM-QA schema: users, datasets, trials, metric points, FAQ batches, answers, jobs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00+00:00

Hand-written and frozen: it does not import the models, so later model changes cannot
silently alter what this revision creates. Enum columns are VARCHAR(16) + CHECK
constraints (no native PostgreSQL enums). All constraint names follow
``db.models.NAMING_CONVENTION`` and are wrapped in ``op.f`` so they are used verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_VALUES = ("queued", "running", "succeeded", "failed", "cancelled")
_KIND_VALUES = ("train", "evaluate", "answer", "gate")


def _in_check(column: str, values: Sequence[str], name: str) -> sa.CheckConstraint:
    """CHECK (<column> IN (...)) with a fixed, convention-following name."""
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(name))


def _ts(name: str, *, nullable: bool) -> sa.Column[object]:
    """Timezone-aware timestamp column (all values are UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create every table, index and constraint of the initial schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("api_token_hash", sa.String(length=128), nullable=True),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_users_api_token_hash")),
    )

    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_datasets_name_version")),
    )

    op.create_table(
        "trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("base_model", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary_metrics", sa.JSON(), nullable=True),
        sa.Column("artifact_path", sa.String(length=1024), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
        _in_check("status", _STATUS_VALUES, "ck_trials_status"),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_trials_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name=op.f("fk_trials_submitted_by_users"),
            ondelete="SET NULL",
        ),
    )
    op.create_index(op.f("ix_trials_status"), "trials", ["status"])
    op.create_index(op.f("ix_trials_created_at"), "trials", ["created_at"])

    op.create_table(
        "metric_points",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("split", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_points")),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["trials.id"],
            name=op.f("fk_metric_points_trial_id_trials"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "trial_id",
            "split",
            "name",
            "step",
            name=op.f("uq_metric_points_trial_id_split_name_step"),
        ),
    )
    op.create_index(
        op.f("ix_metric_points_trial_id_name_step"), "metric_points", ["trial_id", "name", "step"]
    )
    op.create_index(op.f("ix_metric_points_name_split"), "metric_points", ["name", "split"])

    op.create_table(
        "faq_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("finished_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_batches")),
        _in_check("status", _STATUS_VALUES, "ck_faq_batches_status"),
        sa.CheckConstraint("total >= 0", name=op.f("ck_faq_batches_total_non_negative")),
        sa.CheckConstraint("done >= 0", name=op.f("ck_faq_batches_done_non_negative")),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_faq_batches_trial_id_trials")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name=op.f("fk_faq_batches_submitted_by_users"),
            ondelete="SET NULL",
        ),
    )

    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("related", sa.Boolean(), nullable=True),
        sa.Column("gate_score", sa.Double(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["faq_batches.id"],
            name=op.f("fk_answers_batch_id_faq_batches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_answers_batch_id_position")),
    )

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("celery_task_id", sa.String(length=255), nullable=True),
        _ts("heartbeat_at", nullable=True),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("progress_detail", sa.JSON(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        _in_check("kind", _KIND_VALUES, "ck_jobs_kind"),
        _in_check("status", _STATUS_VALUES, "ck_jobs_status"),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_jobs_progress_range")),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_jobs_attempt_non_negative")),
        sa.CheckConstraint("max_attempts >= 1", name=op.f("ck_jobs_max_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_jobs_trial_id_trials"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["faq_batches.id"],
            name=op.f("fk_jobs_batch_id_faq_batches"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_jobs_status_kind"), "jobs", ["status", "kind"])
    op.create_index(op.f("ix_jobs_heartbeat_at"), "jobs", ["heartbeat_at"])
    op.create_index(op.f("ix_jobs_trial_id"), "jobs", ["trial_id"])
    op.create_index(op.f("ix_jobs_batch_id"), "jobs", ["batch_id"])


def downgrade() -> None:
    """Drop everything :func:`upgrade` created, children before parents."""
    op.drop_index(op.f("ix_jobs_batch_id"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_trial_id"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_heartbeat_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_status_kind"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("answers")
    op.drop_table("faq_batches")
    op.drop_index(op.f("ix_metric_points_name_split"), table_name="metric_points")
    op.drop_index(op.f("ix_metric_points_trial_id_name_step"), table_name="metric_points")
    op.drop_table("metric_points")
    op.drop_index(op.f("ix_trials_created_at"), table_name="trials")
    op.drop_index(op.f("ix_trials_status"), table_name="trials")
    op.drop_table("trials")
    op.drop_table("datasets")
    op.drop_table("users")
