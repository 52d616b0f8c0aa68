"""Tiny shared fixtures: a synthetic population, corpus and log, and a random recommender."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import InteractionLog, build_log
from agentic_env.simulator import Corpus, Population, UserSimulator

N_USERS, N_ITEMS, DIM, N_CATEGORIES, SLATE = 300, 60, 8, 4, 5


@pytest.fixture
def population() -> Population:
    return Population.synthetic(N_USERS, DIM, N_CATEGORIES, np.random.default_rng(1))


@pytest.fixture
def corpus() -> Corpus:
    return Corpus.synthetic(N_ITEMS, DIM, N_CATEGORIES, np.random.default_rng(2))


@pytest.fixture
def simulator(population: Population, corpus: Corpus) -> UserSimulator:
    return UserSimulator(population, corpus, seed=3)


def random_recommender(seed: int, slate: int = SLATE) -> Callable[[np.ndarray], np.ndarray]:
    """A recommender serving distinct random items, with its own generator."""
    rng = np.random.default_rng(seed)

    def serve(user_ids: np.ndarray) -> np.ndarray:
        n_items = N_ITEMS
        return np.argsort(rng.random((len(user_ids), n_items)), axis=1)[:, :slate]

    return serve


@pytest.fixture(scope="session")
def synthetic_log() -> InteractionLog:
    """A low-rank log (rating labels, timestamps, genres) that a fitted simulator should rank."""
    rng = np.random.default_rng(7)
    n_users, n_items, rank = 120, 90, 3
    users = rng.standard_normal((n_users, rank))
    items = rng.standard_normal((n_items, rank))
    scores = users @ items.T + rng.gumbel(size=(n_users, n_items))
    picked = np.argsort(-scores, axis=1)[:, :25]
    rows = np.repeat(np.arange(n_users), 25)
    cols = picked.ravel()
    raw = pd.DataFrame({
        "user": rows,
        "item": cols,
        "rating": rng.integers(1, 6, len(rows)),
        "ts": 1_000_000 + rng.integers(0, 30 * 86_400, len(rows)),
    })
    genres = pd.DataFrame(
        {"genres": [("A|B", "B", "C|A", "D")[i % 4] for i in range(n_items)]},
        index=pd.Index(np.arange(n_items)),
    )
    return build_log(
        raw, name="synthetic", source="memory", user="user", item="item", label="rating",
        label_kind="rating", timestamp="ts", item_features=genres,
    )
