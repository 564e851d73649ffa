"""Dialect-specific INSERT helpers for the two supported databases (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind(model).dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"unsupported database {dialect!r}: use PostgreSQL or SQLite")


def upsert_ignore(session: Session, model: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for ``model`` (add ``.values(...)``)."""
    return _insert(session, model).on_conflict_do_nothing()


def upsert_update(session: Session, model: Any, keys: list[str], rows: list[dict[str, Any]]) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` setting every non-key column of ``rows``."""
    stmt = _insert(session, model).values(rows)
    updated = {name: stmt.excluded[name] for name in rows[0] if name not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=updated)
