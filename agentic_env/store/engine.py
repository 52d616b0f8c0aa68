"""From a path or URL to a configured SQLAlchemy Engine, and retries on lock contention.

SQLite is the embedded default (one file under the run directory); many workers share a
PostgreSQL server through a ``postgresql+psycopg://`` URL. For SQLite, Python's driver is told to
leave transaction control to us so that write transactions start with ``BEGIN IMMEDIATE``: they
take the write lock up front and wait for it (busy time-out) instead of failing later when a
read snapshot cannot be upgraded, the classic cause of "database is locked" under many writers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")

WRITE_OPTION = "store_write"
DEFAULT_BUSY_TIMEOUT_S = 30.0
_LOCK_MESSAGES = ("database is locked", "database is busy", "database table is locked")
_PG_RETRY_CODES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


def resolve_url(target: str | Path | URL) -> URL:
    """A URL as given (``postgresql://`` means psycopg 3), or a file path made a SQLite URL."""
    if isinstance(target, URL):
        return target
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(target).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


def is_sqlite(url: URL) -> bool:
    """Whether ``url`` names an SQLite database."""
    return url.get_backend_name() == "sqlite"


def create_store_engine(
    target: str | Path | URL, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
) -> Engine:
    """An Engine for ``target`` with the store's connection settings applied to every connection."""
    url = resolve_url(target)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        _configure_sqlite(engine, busy_timeout_s)
        return engine
    # No pre-ping (a round trip per checkout): a dropped connection invalidates the pool and
    # the transaction is retried on a fresh one instead (see is_retryable).
    return create_engine(url)


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    """Per-connection pragmas and explicit BEGIN / BEGIN IMMEDIATE (see module docstring)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` is lock contention or a dropped connection that a retry can get past.

    After a dropped connection a write may have committed before the drop; the store's retried
    writes are idempotent by key except plain appends (rewards, events, negative cases).
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, OperationalError) and any(m in str(error.orig) for m in _LOCK_MESSAGES):
        return True
    return getattr(error.orig, "sqlstate", None) in _PG_RETRY_CODES


def with_retry(
    work: Callable[[], T],
    *,
    attempts: int = 10,
    base_delay_s: float = 0.02,
    max_delay_s: float = 2.0,
) -> T:
    """Run ``work`` (one whole transaction), again after a jittered back-off if it hit a lock."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as error:
            if not is_retryable(error) or attempt == attempts - 1:
                raise
            delay = min(max_delay_s, base_delay_s * 2**attempt)
            time.sleep(delay * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover
