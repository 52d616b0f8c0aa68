"""Engine construction and the retry helper for lock contention."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore
from agentic_env.store.engine import is_retryable, resolve_url, with_retry


def _locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_resolve_url(tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "k.sqlite").database == str(tmp_path / "k.sqlite")
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg://u@h/db").database == "db"


def test_retry_gets_past_transient_locks() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return "done"

    assert with_retry(flaky, base_delay_s=0.001) == "done"
    assert len(calls) == 3


def test_retry_gives_up_and_ignores_other_errors() -> None:
    calls = []

    def always_locked() -> None:
        calls.append(1)
        raise _locked()

    with pytest.raises(OperationalError, match="database is locked"):
        with_retry(always_locked, attempts=4, base_delay_s=0.001)
    assert len(calls) == 4
    integrity = IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert is_retryable(_locked()) and not is_retryable(integrity)
    dropped = OperationalError(
        "SELECT", {}, Exception("server closed"), connection_invalidated=True
    )
    assert is_retryable(dropped)
    with pytest.raises(ValueError, match="attempts must be >= 1"):
        with_retry(lambda: None, attempts=0)


def test_writer_waits_for_a_held_lock(tmp_path: Path) -> None:
    """A write blocked by another connection's open write transaction succeeds once it ends."""
    path = tmp_path / "k.sqlite"
    with KnowledgeStore.open(path, busy_timeout_s=0.05) as store:
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # holds the write lock longer than the busy time-out
        release = threading.Timer(0.4, holder.execute, args=("COMMIT",))
        release.start()
        config = {"dim": 8}
        key = EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 0)
        stored = store.record_evaluation(key, EvaluationResult(objective=1.0), config=config)
        release.join()
        holder.close()
        assert store.get_evaluation(key) == stored


def test_dropped_postgresql_connections_are_replaced(pg_url: str) -> None:
    """A server-side disconnect (restart, idle kill) costs a retry, not an error."""
    import psycopg

    with KnowledgeStore.open(pg_url) as store:
        digest = store.put_config({"dim": 8})
        database = store.engine.url.database
        dsn = store.engine.url.set(drivername="postgresql", database="postgres")
        with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchone()
        assert killed is not None and killed[0] >= 1  # the pooled connection is gone
        assert store.get_config(digest) == {"dim": 8}


def test_in_memory_sqlite_for_quick_tests() -> None:
    """``sqlite://`` gives a throwaway store (one thread) with the same API and schema."""
    with KnowledgeStore.open("sqlite://") as store:
        config = {"dim": 8}
        key = EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 0)
        store.record_evaluation(key, EvaluationResult(objective=2.0), config=config)
        assert [b.value for b in store.best_configs("ranker")] == [2.0]
