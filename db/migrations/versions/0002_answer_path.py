"""Answers record which path produced them: generated, extracted or one of two refusals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 00:00:00+00:00

Adds the nullable ``answers.answer_path`` column, VARCHAR(32) + a CHECK constraint like the
other enum columns (``refused_no_source`` does not fit the usual 16 characters). Rows
answered before this revision keep NULL: which path produced them was never recorded.

SQLite cannot add a constraint to an existing table, so both directions use batch mode,
which rebuilds the table there (PostgreSQL gets plain ALTER TABLE statements). The table is
given to batch mode as ``copy_from`` rather than reflected: the revision stays frozen, and
``alembic upgrade --sql`` can render it without a database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PATH_VALUES = ("generated", "extracted", "refused_off_topic", "refused_no_source")
_CHECK_NAME = "ck_answers_answer_path"


#: NULL passes the check (a CHECK only rejects a false condition, not an unknown one).
_CHECK_SQL = "answer_path IN ({})".format(", ".join(f"'{value}'" for value in _PATH_VALUES))


def _path_check() -> sa.CheckConstraint:
    return sa.CheckConstraint(_CHECK_SQL, name=op.f(_CHECK_NAME))


def _answer_path_column() -> sa.Column[object]:
    return sa.Column("answer_path", sa.String(length=32), nullable=True)


def _answers_table(*, with_path: bool) -> sa.Table:
    """``answers`` as revision 0001 created it, plus this revision's column when asked."""
    extra: list[sa.SchemaItem] = [_answer_path_column(), _path_check()] if with_path else []
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
        *extra,
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
    """Add ``answers.answer_path`` and its CHECK constraint."""
    with op.batch_alter_table("answers", copy_from=_answers_table(with_path=False)) as batch:
        batch.add_column(_answer_path_column())
        batch.create_check_constraint(op.f(_CHECK_NAME), _CHECK_SQL)


def downgrade() -> None:
    """Drop the constraint and the column again (the recorded paths are lost)."""
    with op.batch_alter_table("answers", copy_from=_answers_table(with_path=True)) as batch:
        batch.drop_constraint(op.f(_CHECK_NAME), type_="check")
        batch.drop_column("answer_path")
