"""API tokens may expire: the nullable ``users.api_token_expires_at`` column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 00:00:00+00:00

NULL means the token does not expire (every token issued before this revision). Both
directions use batch mode, which rebuilds the table on SQLite (PostgreSQL gets plain ALTER
TABLE statements); the table is given as ``copy_from`` rather than reflected, so the revision
stays frozen and ``alembic upgrade --sql`` can render it without a database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _expires_column() -> sa.Column[object]:
    return sa.Column("api_token_expires_at", sa.DateTime(timezone=True), nullable=True)


def _users_table(*, with_expiry: bool) -> sa.Table:
    """``users`` as revision 0001 created it, plus this revision's column when asked."""
    extra: list[sa.SchemaItem] = [_expires_column()] if with_expiry else []
    return sa.Table(
        "users",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("api_token_hash", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_users_api_token_hash")),
    )


def upgrade() -> None:
    """Add ``users.api_token_expires_at`` (NULL: the token never expires)."""
    with op.batch_alter_table("users", copy_from=_users_table(with_expiry=False)) as batch:
        batch.add_column(_expires_column())


def downgrade() -> None:
    """Drop the column again (tokens that were to expire then never do)."""
    with op.batch_alter_table("users", copy_from=_users_table(with_expiry=True)) as batch:
        batch.drop_column("api_token_expires_at")
