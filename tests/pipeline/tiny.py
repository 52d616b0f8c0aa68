"""A tiny interaction log with a learnable signal, shared by the agent and pipeline tests.

Each item has one of four genres; each user prefers one genre and mostly interacts with (and
rates highly) items of it, so a model that sees user and item genres can beat chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agentic_env.data import InteractionLog

GENRES = ("Action", "Comedy", "Drama", "Horror")


def tiny_log(n_users: int = 60, n_items: int = 120, per_user: tuple[int, ...] = (4, 12, 24),
             seed: int = 0, taste: float = 0.85) -> InteractionLog:
    """User ``u`` has ``per_user[u % len(per_user)]`` interactions, ``taste`` of them on-genre.

    The default counts give cold-start, short-sequence and heavy users.
    """
    rng = np.random.default_rng(seed)
    item_genre = np.arange(n_items) % len(GENRES)
    rows = []
    for user in range(n_users):
        liked = user % len(GENRES)
        on = np.flatnonzero(item_genre == liked)
        off = np.flatnonzero(item_genre != liked)
        count = per_user[user % len(per_user)]
        n_on = round(count * taste)
        # popular items first: lower ids are drawn more often
        items = np.concatenate([rng.choice(on, n_on, replace=False, p=_zipf(len(on))),
                                rng.choice(off, count - n_on, replace=False)])
        for t, item in enumerate(rng.permutation(items)):
            label = 5.0 if item_genre[item] == liked else 1.0
            rows.append((user, int(item), 1_000_000 + 3600 * (user + 97 * t), label))
    frame = pd.DataFrame(rows, columns=["user", "item", "timestamp", "label"])
    frame = frame.astype({"user": "int32", "item": "int32", "timestamp": "int64",
                          "label": "float32"})
    frame["position"] = np.int16(-1)
    frame["propensity"] = np.float32("nan")
    features = pd.DataFrame({
        "title": [f"Item {i} ({1950 + i % 70})" for i in range(n_items)],
        "genres": [GENRES[g] for g in item_genre],
    })
    return InteractionLog(name="tiny", frame=frame, user_ids=np.arange(n_users),
                          item_ids=np.arange(n_items), item_features=features)


def _zipf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()
