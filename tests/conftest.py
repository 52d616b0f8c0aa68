"""Shared fixtures: the real datasets beside the checkout (``../shared/data``), and one
throwaway PostgreSQL server for the whole session, started from Debian's binaries
(``/usr/lib/postgresql/*/bin``); PostgreSQL tests are skipped only when no server binary exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store.pgserver import INITDB_GLOB, PostgresServer, find_bindir, start_server

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real datasets; tests needing it are skipped, with the reason, if absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA}")
    return SHARED_DATA


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
