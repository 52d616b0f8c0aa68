"""Negative sampling: items a user has not interacted with, drawn uniformly or by popularity."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

from agentic_env.data.log import InteractionLog


def sample_negatives(
    log: InteractionLog,
    users: np.ndarray,
    n: int,
    rng: np.random.Generator,
    *,
    distribution: Literal["uniform", "popularity"] = "uniform",
    seen: sp.csr_matrix | None = None,
    max_rounds: int = 20,
) -> np.ndarray:
    """``(len(users), n)`` item ids that each user has not interacted with in ``log``.

    Draws candidates in bulk and redraws only the collisions with seen items, which converges in a
    few rounds on sparse data. Users who have seen almost every item may keep a seen item after
    ``max_rounds``; that is reported as a ``ValueError`` rather than returned silently.
    """
    seen = log.to_csr() if seen is None else seen
    probs = None
    if distribution == "popularity":
        counts = log.item_counts().astype(np.float64) + 1.0
        probs = counts / counts.sum()
    users = np.asarray(users)
    out = rng.choice(log.n_items, size=(len(users), n), p=probs)
    rows = np.repeat(users, n).reshape(len(users), n)
    for _ in range(max_rounds):
        clash = np.asarray(seen[rows.ravel(), out.ravel()]).reshape(out.shape) > 0
        if not clash.any():
            return out
        out[clash] = rng.choice(log.n_items, size=int(clash.sum()), p=probs)
    raise ValueError(
        f"could not draw {n} unseen items for some users within {max_rounds} rounds; "
        "they have interacted with nearly every item"
    )
