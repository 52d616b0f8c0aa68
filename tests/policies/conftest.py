"""Shared fixtures for the policy tests: a small synthetic table objective and a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from agentic_env.store import KnowledgeStore
from policies.objective import TableObjective, synthetic_values

RADICES = [4, 4, 4, 4, 4]


def synthetic_objective(seed: int, radices: list[int] | None = None, noise: float = 0.1,
                        n_phases: int = 1) -> TableObjective:
    """A 1024-code landscape with noise, costing 1 compute second per evaluation."""
    values = synthetic_values(radices or RADICES, seed=100 + seed, noise=noise,
                              n_phases=n_phases)
    return TableObjective(values, np.ones((values.shape[0], values.shape[2])), seed=seed)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    with KnowledgeStore.open(tmp_path / "knowledge.sqlite") as opened:
        yield opened
