"""Fixtures of the proposer tests: the scripted server, a store, a fast client config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_env.store import KnowledgeStore
from policies.proposer import OpenAICompatConfig
from tests.proposer.server import ScriptedChatServer


@pytest.fixture
def server() -> Iterator[ScriptedChatServer]:
    with ScriptedChatServer() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    with KnowledgeStore.open(tmp_path / "knowledge.sqlite") as opened:
        yield opened


def fast_config(url: str, **overrides: object) -> OpenAICompatConfig:
    """Short time-outs and no real backoff, so failure tests take well under a second."""
    options: dict[str, object] = {"base_url": url, "model": "scripted", "timeout_s": 0.5,
                                  "max_retries": 2, "backoff_s": 0.0, "max_calls": 20}
    return OpenAICompatConfig(**(options | overrides))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _clean_template_registry() -> Iterator[None]:
    """Templates accepted by one test must not leak into the next (module-level registries)."""
    from agents import retrieval_agent
    from policies.proposer import lifecycle

    before, installed = dict(retrieval_agent.TEMPLATES), dict(lifecycle._INSTALLED)
    yield
    retrieval_agent.TEMPLATES.clear()
    retrieval_agent.TEMPLATES.update(before)
    lifecycle._INSTALLED.clear()
    lifecycle._INSTALLED.update(installed)
