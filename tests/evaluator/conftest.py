"""Evaluator fixtures: a store on each backend (PostgreSQL from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store import KnowledgeStore


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
