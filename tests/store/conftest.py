"""Store fixtures: an SQLite file per test; PostgreSQL (``pg_url``) comes from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store import KnowledgeStore


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
