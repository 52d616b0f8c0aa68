"""Store fixtures: an SQLite file per test, and a throwaway PostgreSQL server for the session.

The server is started from Debian's binaries (``/usr/lib/postgresql/*/bin``); PostgreSQL tests are
skipped only when no server binary is installed at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store import KnowledgeStore
from agentic_env.store.pgserver import INITDB_GLOB, PostgresServer, find_bindir, start_server

_database_ids = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (fsync off: nothing here must survive)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(f"no PostgreSQL server installed (nothing matches {INITDB_GLOB})")
    server = start_server(bindir, settings=["fsync=off", "full_page_writes=off"])
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """URL of a new, empty schema (the store's whole namespace) on the session's server."""
    return pg_server.create_schema(f"store_test_{next(_database_ids)}")


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """Path of a not yet existing SQLite store file."""
    return tmp_path / "run" / "knowledge.sqlite"


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store location on each backend: an SQLite path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "knowledge.sqlite")
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(target: str) -> Iterator[KnowledgeStore]:
    """An open, empty store on each backend."""
    with KnowledgeStore.open(target) as opened:
        yield opened
