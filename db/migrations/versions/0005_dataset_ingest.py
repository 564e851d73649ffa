"""Uploaded datasets are built by a worker: ``datasets.status``/``problems``, ``jobs.dataset_id``
and the ``ingest`` job kind.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 14:30:00+00:00

The web app stores an upload as a ``pending`` dataset and queues an ``ingest`` job for it
(``jobs.dataset_id``); the worker validates and builds it and leaves it ``ready`` or
``failed`` with its problems (``file:row: message`` sentences, a JSON list). Every existing
dataset was built before it was stored, so it starts ``ready``.

Both directions use batch mode, which rebuilds the tables on SQLite (PostgreSQL gets plain
ALTER TABLE statements); the tables are given as ``copy_from`` rather than reflected, so the
revision stays frozen and ``alembic upgrade --sql`` can render it without a database.
Downgrading deletes what the older schema cannot hold: ingest jobs, and uploads that never
became ready (unless a trial refers to one).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
_OLD_KINDS = ("train", "evaluate", "answer", "gate")
_NEW_KINDS = (*_OLD_KINDS, "ingest")
_DATASET_STATUSES = ("pending", "ready", "failed")


def _in_list(column: str, values: Sequence[str]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def _ts(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _status_column() -> sa.Column[object]:
    return sa.Column("status", sa.String(length=16), server_default="ready", nullable=False)


def _problems_column() -> sa.Column[object]:
    return sa.Column("problems", sa.JSON(), nullable=True)


def _datasets_table(*, upgraded: bool) -> sa.Table:
    """``datasets`` as revision 0001 created it, plus this revision's columns when asked."""
    extra: list[sa.SchemaItem] = []
    if upgraded:
        extra = [
            _status_column(),
            _problems_column(),
            sa.CheckConstraint(_in_list("status", _DATASET_STATUSES), name=op.f("ck_datasets_status")),
        ]
    return sa.Table(
        "datasets",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        _ts("created_at", nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_datasets_name_version")),
    )


def _dataset_id_column() -> sa.Column[object]:
    return sa.Column("dataset_id", sa.Integer(), nullable=True)


def _dataset_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["dataset_id"], ["datasets.id"], name=op.f("fk_jobs_dataset_id_datasets"), ondelete="CASCADE"
    )


def _jobs_table(*, upgraded: bool) -> sa.Table:
    """``jobs`` as revision 0001 created it, or as this revision leaves it."""
    extra: list[sa.SchemaItem] = [_dataset_id_column(), _dataset_fk()] if upgraded else []
    kinds = _NEW_KINDS if upgraded else _OLD_KINDS
    return sa.Table(
        "jobs",
        sa.MetaData(),
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
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.CheckConstraint(_in_list("kind", kinds), name=op.f("ck_jobs_kind")),
        sa.CheckConstraint(_in_list("status", _JOB_STATUSES), name=op.f("ck_jobs_status")),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_jobs_progress_range")),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_jobs_attempt_non_negative")),
        sa.CheckConstraint("max_attempts >= 1", name=op.f("ck_jobs_max_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_jobs_trial_id_trials"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["faq_batches.id"], name=op.f("fk_jobs_batch_id_faq_batches"), ondelete="CASCADE"
        ),
        sa.Index(op.f("ix_jobs_status_kind"), "status", "kind"),
        sa.Index(op.f("ix_jobs_heartbeat_at"), "heartbeat_at"),
        sa.Index(op.f("ix_jobs_trial_id"), "trial_id"),
        sa.Index(op.f("ix_jobs_batch_id"), "batch_id"),
        *([sa.Index(op.f("ix_jobs_dataset_id"), "dataset_id")] if upgraded else []),
    )


def upgrade() -> None:
    """Add the dataset columns (existing rows ``ready``), the job's dataset and the new kind."""
    with op.batch_alter_table("datasets", copy_from=_datasets_table(upgraded=False)) as batch:
        batch.add_column(_status_column())
        batch.add_column(_problems_column())
        batch.create_check_constraint(op.f("ck_datasets_status"), _in_list("status", _DATASET_STATUSES))
    with op.batch_alter_table("jobs", copy_from=_jobs_table(upgraded=False)) as batch:
        batch.add_column(_dataset_id_column())
        batch.create_foreign_key(
            op.f("fk_jobs_dataset_id_datasets"), "datasets", ["dataset_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_jobs_dataset_id"), ["dataset_id"])
        batch.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_jobs_kind"), _in_list("kind", _NEW_KINDS))


def downgrade() -> None:
    """Drop them again, after deleting the rows the older schema has no place for."""
    op.execute("DELETE FROM jobs WHERE kind = 'ingest'")
    with op.batch_alter_table("jobs", copy_from=_jobs_table(upgraded=True)) as batch:
        batch.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_jobs_kind"), _in_list("kind", _OLD_KINDS))
        batch.drop_index(op.f("ix_jobs_dataset_id"))
        batch.drop_constraint(op.f("fk_jobs_dataset_id_datasets"), type_="foreignkey")
        batch.drop_column("dataset_id")
    op.execute(
        "DELETE FROM datasets WHERE status <> 'ready' AND id NOT IN "
        "(SELECT dataset_id FROM trials WHERE dataset_id IS NOT NULL)"
    )
    with op.batch_alter_table("datasets", copy_from=_datasets_table(upgraded=True)) as batch:
        batch.drop_constraint(op.f("ck_datasets_status"), type_="check")
        batch.drop_column("problems")
        batch.drop_column("status")
