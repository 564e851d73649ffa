"""Chat turns name their conversation in a column: ``faq_batches.conversation_id``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 14:45:00+00:00

A chat turn used to be a FAQ batch named ``chat:<conversation id>``. The id now has its own
indexed column, NULL for FAQ batches, and a turn is named ``chat``. Upgrading moves the id
of every such batch into the column; downgrading writes the old names back from it.

Both directions use batch mode (PostgreSQL gets plain ALTER TABLE statements; SQLite adds
the column in place and rebuilds the table to drop it); the table is given as ``copy_from``
rather than reflected, so the revision stays frozen and ``alembic upgrade --sql`` can
render it without a database. The data moves with plain UPDATE statements for the same
reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_VALUES = ("queued", "running", "succeeded", "failed", "cancelled")
#: The old names: the prefix and a 32-digit hex id (``uuid4().hex``), 37 characters.
_PREFIX = "chat:"
_ID_LENGTH = 32
#: What a chat turn is called from this revision on.
_TURN_NAME = "chat"


def _conversation_column() -> sa.Column[object]:
    return sa.Column("conversation_id", sa.String(length=_ID_LENGTH), nullable=True)


def _faq_batches_table(*, with_conversation: bool) -> sa.Table:
    """``faq_batches`` as revision 0001 created it, plus this revision's column when asked."""
    extra: list[sa.SchemaItem] = []
    if with_conversation:
        extra = [_conversation_column(), sa.Index(op.f("ix_faq_batches_conversation_id"), "conversation_id")]
    listed = ", ".join(f"'{value}'" for value in _STATUS_VALUES)
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
        *extra,
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
    """Add the column and move every chat turn's conversation id into it."""
    with op.batch_alter_table("faq_batches", copy_from=_faq_batches_table(with_conversation=False)) as batch:
        batch.add_column(_conversation_column())
        batch.create_index(op.f("ix_faq_batches_conversation_id"), ["conversation_id"])
    op.execute(
        f"UPDATE faq_batches SET conversation_id = substr(name, {len(_PREFIX) + 1}), name = '{_TURN_NAME}' "
        f"WHERE name LIKE '{_PREFIX}%' AND length(name) = {len(_PREFIX) + _ID_LENGTH}"
    )


def downgrade() -> None:
    """Name every chat turn ``chat:<conversation id>`` again, then drop the column."""
    op.execute(
        f"UPDATE faq_batches SET name = '{_PREFIX}' || conversation_id WHERE conversation_id IS NOT NULL"
    )
    with op.batch_alter_table("faq_batches", copy_from=_faq_batches_table(with_conversation=True)) as batch:
        batch.drop_index(op.f("ix_faq_batches_conversation_id"))
        batch.drop_column("conversation_id")
