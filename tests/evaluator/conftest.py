"""Evaluator fixtures: a store on each backend (the PostgreSQL server of the store tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store import KnowledgeStore
from tests.store.conftest import pg_server, pg_url  # noqa: F401 - fixtures used by name


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    """An open, empty SQLite store."""
    with KnowledgeStore.open(tmp_path / "knowledge.sqlite") as store:
        yield store


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store location on each backend: an SQLite path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "knowledge.sqlite")
    url: str = request.getfixturevalue("pg_url")
    return url
