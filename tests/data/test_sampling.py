"""Negative sampling never returns a seen item and is deterministic by seed."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pytest

from agentic_env.data import InteractionLog, build_log
from agentic_env.data.sampling import sample_negatives


@pytest.mark.parametrize("distribution", ["uniform", "popularity"])
def test_negatives_are_unseen(
    log: InteractionLog, distribution: Literal["uniform", "popularity"]
) -> None:
    users = np.flatnonzero(log.user_counts() <= log.n_items // 2)  # room for 10 negatives
    assert len(users) > 5
    rng = np.random.default_rng(0)
    negatives = sample_negatives(log, users, 10, rng, distribution=distribution)
    assert negatives.shape == (len(users), 10)
    seen = log.to_csr()
    rows = np.repeat(users, 10)
    assert np.asarray(seen[rows, negatives.ravel()]).max() == 0
    assert negatives.min() >= 0 and negatives.max() < log.n_items


def test_negatives_are_deterministic_by_seed(log: InteractionLog) -> None:
    users = np.array([0, 3, 3, 7])
    first = sample_negatives(log, users, 5, np.random.default_rng(42))
    again = sample_negatives(log, users, 5, np.random.default_rng(42))
    other = sample_negatives(log, users, 5, np.random.default_rng(43))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_user_who_saw_everything_is_an_error() -> None:
    raw = pd.DataFrame({"u": [0, 0, 0, 1], "i": [0, 1, 2, 0]})
    log = build_log(
        raw, name="t", source="t", user="u", item="i", label=None, label_kind="implicit"
    )
    with pytest.raises(ValueError, match="could not draw 1 unseen items"):
        sample_negatives(log, np.array([0]), 1, np.random.default_rng(0))
    only = sample_negatives(log, np.array([1, 1]), 3, np.random.default_rng(0))
    assert set(only.ravel()) <= {1, 2}
