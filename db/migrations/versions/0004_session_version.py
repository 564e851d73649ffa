"""Sign-in sessions carry the account's session version: the ``users.session_version`` column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 12:00:00+00:00

A session cookie names the version of its account that was current when it was opened, and
is honoured only while the account still has that version. Signing out and a password reset
increment it, which ends every session of the account, including copies of the cookie.
Existing accounts start at 0.

Both directions use batch mode, which rebuilds the table on SQLite (PostgreSQL gets plain
ALTER TABLE statements); the table is given as ``copy_from`` rather than reflected, so the
revision stays frozen and ``alembic upgrade --sql`` can render it without a database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _version_column() -> sa.Column[object]:
    return sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False)


def _users_table(*, with_version: bool) -> sa.Table:
    """``users`` as revision 0003 left it, plus this revision's column when asked."""
    extra: list[sa.SchemaItem] = [_version_column()] if with_version else []
    return sa.Table(
        "users",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("api_token_hash", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("api_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_users_api_token_hash")),
    )


def upgrade() -> None:
    """Add ``users.session_version`` (0 for every existing account)."""
    with op.batch_alter_table("users", copy_from=_users_table(with_version=False)) as batch:
        batch.add_column(_version_column())


def downgrade() -> None:
    """Drop the column again (sessions are then no longer ended by signing out elsewhere)."""
    with op.batch_alter_table("users", copy_from=_users_table(with_version=True)) as batch:
        batch.drop_column("session_version")
