"""Fixtures of the data-layer tests: the shared real datasets and a small synthetic log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import InteractionLog, build_log


def dataset_folder(shared_data: Path, name: str) -> Path:
    """One dataset of the shared data (``shared_data`` is the fixture of ``tests/conftest.py``),
    skipping with the reason when that folder is absent."""
    folder = shared_data / name
    if not folder.is_dir():
        pytest.skip(f"real dataset not available: {folder} does not exist")
    return folder


def synthetic_log(n_users: int = 40, n_items: int = 60, seed: int = 0) -> InteractionLog:
    """Users with 1 to 60 interactions on distinct items, Zipf-like item popularity."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_items + 1)
    parts = []
    for user in range(n_users):
        count = int(rng.integers(1, n_items))
        items = rng.choice(n_items, size=count, replace=False, p=popularity / popularity.sum())
        times = rng.choice(10_000, size=count, replace=False)
        ratings = rng.integers(1, 6, size=count)
        parts.append(
            pd.DataFrame({"user": user, "item": items, "timestamp": times, "rating": ratings})
        )
    raw = pd.concat(parts, ignore_index=True)
    return build_log(
        raw,
        name="synthetic",
        source="synthetic",
        user="user",
        item="item",
        label="rating",
        label_kind="rating",
        timestamp="timestamp",
    )


@pytest.fixture(scope="session")
def log() -> InteractionLog:
    return synthetic_log()
