"""A FAQ batch or chat turn answered by the base model names its dataset: ``faq_batches.dataset_id``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 18:10:00+00:00

Topics are data: each dataset has its own topic profile, documents and gate. A trial answers
from its own dataset; the base model answered from the latest bundled dataset only. A batch
or a chat turn may now name a ready dataset for the base model to answer from (NULL: the
bundled default, as before; a trial's batches keep NULL and use the trial's dataset). No ON
DELETE action, like ``trial_id``: answers must not silently change their sources.

Batch mode with the table given as ``copy_from`` (as in 0006 and 0007), so the revision stays
frozen, SQLite rebuilds the table to drop the column, and ``alembic upgrade --sql`` renders it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_VALUES = ("queued", "running", "succeeded", "failed", "cancelled")
_FK_NAME = "fk_faq_batches_dataset_id_datasets"


def _dataset_column() -> sa.Column[object]:
    return sa.Column("dataset_id", sa.Integer(), nullable=True)


def _faq_batches_table(*, with_dataset: bool) -> sa.Table:
    """``faq_batches`` as revision 0006 left it, plus this revision's column when asked."""
    listed = ", ".join(f"'{value}'" for value in _STATUS_VALUES)
    extra: list[sa.SchemaItem] = []
    if with_dataset:
        extra = [_dataset_column(), sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], name=op.f(_FK_NAME))]
    return sa.Table(
        "faq_batches",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        *extra,
        sa.Index(op.f("ix_faq_batches_conversation_id"), "conversation_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_batches")),
        sa.CheckConstraint(f"status IN ({listed})", name=op.f("ck_faq_batches_status")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_faq_batches_total_non_negative")),
        sa.CheckConstraint("done >= 0", name=op.f("ck_faq_batches_done_non_negative")),
        sa.ForeignKeyConstraint(["trial_id"], ["trials.id"], name=op.f("fk_faq_batches_trial_id_trials")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_faq_batches_submitted_by_users"), ondelete="SET NULL"
        ),
    )


def upgrade() -> None:
    with op.batch_alter_table("faq_batches", copy_from=_faq_batches_table(with_dataset=False)) as batch:
        batch.add_column(_dataset_column())
        batch.create_foreign_key(op.f(_FK_NAME), "datasets", ["dataset_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("faq_batches", copy_from=_faq_batches_table(with_dataset=True)) as batch:
        batch.drop_constraint(op.f(_FK_NAME), type_="foreignkey")
        batch.drop_column("dataset_id")
