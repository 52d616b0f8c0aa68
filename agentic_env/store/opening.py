"""Opening a store: from a path or URL to an Engine whose schema is ready and checked.

SQLite reads the file header on the first connection, so a text file fails there; anything that
is a database but not a store fails in :func:`schema.prepare`. Both report
:class:`NotAStoreError` without writing. WAL journal mode is switched on only after the schema
check, because it changes the file header of whatever database it is applied to.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from agentic_env.store import schema
from agentic_env.store.engine import (
    DEFAULT_BUSY_TIMEOUT_S,
    WRITE_OPTION,
    create_store_engine,
    is_retryable,
    is_sqlite,
    resolve_url,
    with_retry,
)
from agentic_env.store.errors import MissingStoreError, NotAStoreError, StoreError


def open_engine(
    target: str | Path, *, create: bool = True, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
) -> tuple[Engine, int]:
    """An Engine on ``target`` with the schema created or upgraded, and the schema version."""
    url = resolve_url(target)
    where = url.render_as_string(hide_password=True)
    if is_sqlite(url) and url.database:
        path = Path(url.database)
        if not path.exists() and not create:
            raise MissingStoreError(f"no knowledge store at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_store_engine(url, busy_timeout_s=busy_timeout_s)
    try:
        return engine, _prepare(engine, where, create)
    except BaseException:
        engine.dispose()
        raise


def _prepare(engine: Engine, where: str, create: bool) -> int:
    """Create, upgrade or validate the schema, then switch SQLite to WAL (persistent)."""
    try:
        engine.connect().close()
    except DBAPIError as error:
        if engine.dialect.name == "sqlite":  # SQLite reads the file header on connect
            raise _not_a_store(where, error) from error
        raise StoreError(f"cannot connect to {where}: {error.orig}") from error

    def attempt() -> int:
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                return schema.prepare(conn, where, create=create)

    try:
        version = with_retry(attempt)
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            _enable_wal(engine, where)
    except DBAPIError as error:
        if is_retryable(error):
            raise StoreError(f"{where} stayed locked by other writers: {error.orig}") from error
        if engine.dialect.name == "sqlite":
            raise _not_a_store(where, error) from error
        raise StoreError(f"{where}: preparing the knowledge store failed: {error.orig}") from error
    return version


def _not_a_store(where: str, error: DBAPIError) -> NotAStoreError:
    return NotAStoreError(
        f"{where} cannot be read as a knowledge store ({error.orig}); expected an "
        "agentic-rs-gym store or a new database (nothing was written)"
    )


def _enable_wal(engine: Engine, where: str) -> None:
    """Switch to WAL outside any transaction (SQLite refuses inside one), on the raw driver."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        mode = (cursor.fetchone() or [None])[0]
        cursor.close()
    except sqlite3.Error as error:
        raise StoreError(f"{where}: cannot switch to WAL journal mode: {error}") from error
    finally:
        raw.close()
    if str(mode).lower() != "wal":
        raise StoreError(f"{where}: SQLite refused WAL journal mode (got {mode!r})")
