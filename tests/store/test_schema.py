"""Schema versioning, migrations, and refusing databases the store must not write into."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from agentic_env.store import (
    EvaluationKey,
    EvaluationResult,
    KnowledgeStore,
    MissingStoreError,
    NotAStoreError,
    SchemaTooNewError,
    StoreError,
)
from agentic_env.store import schema as schema_module
from agentic_env.store.schema import Migration, latest_version

CONFIG = {"dim": 8}


def _fill(target: str | Path) -> EvaluationKey:
    key = EvaluationKey.for_config("ml", "temporal", "ranker", CONFIG, 1.0, 0)
    with KnowledgeStore.open(target) as store:
        store.record_evaluation(key, EvaluationResult(objective=0.5), config=CONFIG)
    return key


def _versions(url: str) -> list[int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY 1"))]
    engine.dispose()
    return rows


def _sql_url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{target}"


def test_new_store_is_stamped_and_reopens_with_records(target: str) -> None:
    key = _fill(target)
    assert _versions(_sql_url(target)) == list(range(1, latest_version() + 1))
    with KnowledgeStore.open(target) as store:
        assert store.schema_version == latest_version()
        stored = store.get_evaluation(key)
        assert stored is not None and stored.result.objective == 0.5


def test_newer_schema_is_refused_and_left_intact(target: str) -> None:
    _fill(target)
    newer = latest_version() + 1
    engine = create_engine(_sql_url(target))
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO schema_version (version, description, applied_at) "
                 "VALUES (:v, 'from the future', CURRENT_TIMESTAMP)"),
            {"v": newer},
        )  # fmt: skip
    with pytest.raises(SchemaTooNewError, match=f"schema version {newer} is newer"):
        KnowledgeStore.open(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM evaluations")).scalar() == 1
    engine.dispose()


def test_migrations_run_in_order_on_old_databases(
    sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _fill(sqlite_path)
    applied: list[int] = []

    def add_notes(conn: Connection) -> None:
        applied.append(2)
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))

    def add_index(conn: Connection) -> None:
        applied.append(3)
        conn.execute(text("CREATE INDEX ix_notes_body ON notes (body)"))

    migrations = [*schema_module.MIGRATIONS, Migration(2, "notes", add_notes)]
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*migrations, Migration(3, "ix", add_index)])
    with KnowledgeStore.open(sqlite_path) as store:
        assert store.schema_version == 3
        stored = store.get_evaluation(key)
        assert stored is not None and stored.result.objective == 0.5  # records intact
    assert applied == [2, 3]
    assert _versions(f"sqlite:///{sqlite_path}") == [1, 2, 3]
    monkeypatch.undo()  # the released code is older than this database now
    with pytest.raises(SchemaTooNewError, match="schema version 3"):
        KnowledgeStore.open(sqlite_path)


def test_failed_migration_rolls_back_to_the_old_version(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _fill(target)

    def add_notes(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))

    def broken(conn: Connection) -> None:
        raise RuntimeError("migration 3 has a bug")

    extra = [Migration(2, "notes", add_notes), Migration(3, "broken", broken)]
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*schema_module.MIGRATIONS, *extra])
    with pytest.raises(StoreError, match=r"migration 3 \(broken\) failed: .*stays at .* 1"):
        KnowledgeStore.open(target)
    assert _versions(_sql_url(target)) == [1]
    engine = create_engine(_sql_url(target))
    with engine.connect() as conn:
        assert not inspect(conn).has_table("notes")  # migration 2 was undone with 3
    engine.dispose()
    monkeypatch.undo()
    with KnowledgeStore.open(target) as store:
        assert store.get_evaluation(key) is not None


def test_new_database_skips_upgrade_functions(
    sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(conn: Connection) -> None:
        raise AssertionError("a fresh database is created at the latest version directly")

    monkeypatch.setattr(
        schema_module, "MIGRATIONS", [*schema_module.MIGRATIONS, Migration(2, "x", must_not_run)]
    )
    with KnowledgeStore.open(sqlite_path) as store:
        assert store.schema_version == 2


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    content = b"these are my notes, not a database\n" * 200
    path.write_bytes(content)
    with pytest.raises(NotAStoreError, match=r"notes\.sqlite.*not a database"):
        KnowledgeStore.open(path)
    assert path.read_bytes() == content


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('ada'), ('alan')")
    conn.close()
    with pytest.raises(NotAStoreError, match=r"holds tables \(customers\)"):
        KnowledgeStore.open(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables == ["customers"]
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
    conn.close()


def test_foreign_database_on_either_backend_is_refused(target: str) -> None:
    engine = create_engine(_sql_url(target))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)"))
        conn.execute(text("INSERT INTO orders (id, total) VALUES (1, 9.5)"))
    with pytest.raises(NotAStoreError, match=r"holds tables \(orders\).*nothing was written"):
        KnowledgeStore.open(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT total FROM orders")).scalar() == 9.5
        assert not inspect(conn).has_table("schema_version")
    engine.dispose()


def test_damaged_store_is_reported(sqlite_path: Path) -> None:
    _fill(sqlite_path)
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute("DROP TABLE rewards")
    conn.close()
    with pytest.raises(NotAStoreError, match=r"\['rewards'\] are missing"):
        KnowledgeStore.open(sqlite_path)


def test_sqlite_store_uses_wal_and_busy_timeout(sqlite_path: Path) -> None:
    with KnowledgeStore.open(sqlite_path, busy_timeout_s=7) as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert str(store.engine.url.database) == str(sqlite_path)
    with sqlite3.connect(sqlite_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_missing_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(MissingStoreError, match=r"nothing\.sqlite"):
        KnowledgeStore.open(tmp_path / "nothing.sqlite", create=False)
    assert not (tmp_path / "nothing.sqlite").exists()


def test_empty_database_without_create(target: str) -> None:
    if "://" not in target:
        Path(target).touch()  # an empty file is an empty SQLite database
    with pytest.raises(MissingStoreError, match="holds no knowledge store"):
        KnowledgeStore.open(target, create=False)
    engine = create_engine(_sql_url(target))
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_unreachable_server_is_a_clear_error() -> None:
    import socket

    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match=f"cannot connect to .*127.0.0.1:{port}"):
        KnowledgeStore.open(f"postgresql://nobody@127.0.0.1:{port}/none")
