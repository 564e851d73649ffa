"""Answers record what their question was understood as: ``answers.resolved_question``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00+00:00

The assistant gates and retrieves with a resolved form of the question: a chat follow-up
("When did he die?") names its subject, initials ("HCM birthday?") are written out. The worker
now stores that text in a nullable TEXT column, only where it differs from the question as
asked (NULL otherwise, so the table does not hold every question twice). Rows answered before
this revision keep NULL: what they were understood as was never recorded.

Batch mode with the table given as ``copy_from`` (as in 0002), so the revision stays frozen,
SQLite adds the column in place and rebuilds the table to drop it (keeping the answer path's
CHECK and the batch's ON DELETE CASCADE), and ``alembic upgrade --sql`` renders it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PATH_VALUES = ("generated", "extracted", "refused_off_topic", "refused_no_source")


def _resolved_column() -> sa.Column[object]:
    return sa.Column("resolved_question", sa.Text(), nullable=True)


def _answers_table(*, with_resolved: bool) -> sa.Table:
    """``answers`` as revision 0002 left it, plus this revision's column when asked."""
    listed = ", ".join(f"'{value}'" for value in _PATH_VALUES)
    return sa.Table(
        "answers",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("related", sa.Boolean(), nullable=True),
        sa.Column("gate_score", sa.Double(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("answer_path", sa.String(length=32), nullable=True),
        *([_resolved_column()] if with_resolved else []),
        sa.CheckConstraint(f"answer_path IN ({listed})", name=op.f("ck_answers_answer_path")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["faq_batches.id"],
            name=op.f("fk_answers_batch_id_faq_batches"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_answers_batch_id_position")),
    )


def upgrade() -> None:
    with op.batch_alter_table("answers", copy_from=_answers_table(with_resolved=False)) as batch:
        batch.add_column(_resolved_column())


def downgrade() -> None:
    """Drop the column again (the recorded resolved questions are lost)."""
    with op.batch_alter_table("answers", copy_from=_answers_table(with_resolved=True)) as batch:
        batch.drop_column("resolved_question")
