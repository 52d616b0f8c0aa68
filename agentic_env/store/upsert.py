"""Conflict-aware inserts for the two dialects the store supports.

``INSERT ... ON CONFLICT`` makes idempotency a property of the database, not of a read-then-write
in Python that two workers could interleave. Statements are built once per shape and cached (the
evaluator inserts one row at a time, so building SQL per call would dominate), and run on the
session's connection as Core statements, without ORM bookkeeping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from agentic_env.store.errors import StoreError
from agentic_env.store.models import Base, table_of


def _insert(dialect: str, model: type[Base]) -> Any:
    if dialect == "sqlite":
        return sqlite.insert(table_of(model))
    if dialect == "postgresql":
        return postgresql.insert(table_of(model))
    raise StoreError(f"dialect {dialect!r} is not supported; expected sqlite or postgresql")


@lru_cache(maxsize=64)
def _ignore_statement(dialect: str, model: type[Base], conflict: tuple[str, ...]) -> Executable:
    stmt: Executable = _insert(dialect, model).on_conflict_do_nothing(index_elements=conflict)
    return stmt


@lru_cache(maxsize=64)
def _update_statement(
    dialect: str,
    model: type[Base],
    conflict: tuple[str, ...],
    columns: tuple[str, ...],
    unless: tuple[str, Any] | None,
) -> Executable:
    stmt = _insert(dialect, model)
    update = {c: getattr(stmt.excluded, c) for c in columns if c not in conflict}
    where = None
    if unless is not None:
        column, value = unless
        where = table_of(model).c[column] != value
    result: Executable = stmt.on_conflict_do_update(
        index_elements=conflict, set_=update, where=where
    )
    return result


def insert_or_ignore(
    session: Session, model: type[Base], values: Mapping[str, Any], conflict: Sequence[str]
) -> None:
    """Insert a row unless one with the same ``conflict`` columns exists."""
    dialect = session.get_bind().dialect.name
    stmt = _ignore_statement(dialect, model, tuple(conflict))
    session.connection().execute(stmt, dict(values))


def insert_or_update(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    conflict: Sequence[str],
    unless: tuple[str, Any] | None = None,
) -> None:
    """Insert a row, or overwrite the existing one's other columns.

    ``unless=(column, value)`` keeps an existing row whose ``column`` equals ``value``.
    """
    dialect = session.get_bind().dialect.name
    stmt = _update_statement(dialect, model, tuple(conflict), tuple(sorted(values)), unless)
    session.connection().execute(stmt, dict(values))
