"""A dataset's input files and their hashes in the database: ``datasets.inputs``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:20:00+00:00

The dataset page lists the files a dataset was built from (``manifest.json``'s ``inputs``).
The worker that builds or registers a dataset now stores them in this JSON column, so the web
app reads the database only and never the workers' files. Rows from before this revision have
NULL until a worker registers their dataset again.

Batch mode with the table given as ``copy_from`` (as in 0005), so the revision stays frozen,
SQLite can drop the column by rebuilding the table, and ``alembic upgrade --sql`` renders it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATASET_STATUSES = ("pending", "ready", "failed")


def _inputs_column() -> sa.Column[object]:
    return sa.Column("inputs", sa.JSON(), nullable=True)


def _datasets_table(*, with_inputs: bool) -> sa.Table:
    """``datasets`` as revision 0005 left it, plus this revision's column when asked."""
    listed = ", ".join(f"'{value}'" for value in _DATASET_STATUSES)
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="ready", nullable=False),
        sa.Column("problems", sa.JSON(), nullable=True),
        *([_inputs_column()] if with_inputs else []),
        sa.CheckConstraint(f"status IN ({listed})", name=op.f("ck_datasets_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_datasets_name_version")),
    )


def upgrade() -> None:
    with op.batch_alter_table("datasets", copy_from=_datasets_table(with_inputs=False)) as batch:
        batch.add_column(_inputs_column())


def downgrade() -> None:
    with op.batch_alter_table("datasets", copy_from=_datasets_table(with_inputs=True)) as batch:
        batch.drop_column("inputs")
