"""Fast membership tests of (user, item) pairs, for rejecting sampled negatives that were seen.

Small id spaces use a dense boolean matrix (one lookup per pair); large ones fall back to a
binary search over the sorted pair keys, so memory stays proportional to the log.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data import InteractionLog

#: Largest ``n_users * n_items`` for the dense table (64 MB of booleans).
DENSE_LIMIT = 1 << 26


class SeenItems:
    """Which items each user interacted with in ``log``."""

    def __init__(self, log: InteractionLog, dense_limit: int = DENSE_LIMIT) -> None:
        self.n_items = log.n_items
        users, items = log.users.astype(np.int64), log.items.astype(np.int64)
        self.dense: np.ndarray | None = None
        self.keys: np.ndarray | None = None
        if log.n_users * log.n_items <= dense_limit:
            self.dense = np.zeros((log.n_users, log.n_items), bool)
            self.dense[users, items] = True
        else:
            self.keys = np.unique(users * log.n_items + items)

    def contains(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Boolean array: whether each ``(users[i], items[i])`` pair is in the log."""
        if self.dense is not None:
            return self.dense[users, items]  # type: ignore[no-any-return]
        assert self.keys is not None
        if not self.keys.size:
            return np.zeros(len(users), bool)
        keys = users.astype(np.int64) * self.n_items + items
        where = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[where] == keys  # type: ignore[no-any-return]
