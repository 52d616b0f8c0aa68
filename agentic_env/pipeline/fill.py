"""The last resort of every path: popular, allowed, unseen items.

Slates must hold exactly ``k`` unique items even when a stage came up short (a small fused set,
a strict risk filter) or the user is unknown to every model. The fallback walks the catalogue in
order of training popularity, skipping items the user has seen, items already in the slate, and
items the risk filter rejects.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from agentic_env.data import InteractionLog
from agents.candidates import PAD, Candidates


class PopularFallback:
    """Popularity order over allowed items; fills padding and serves unknown users."""

    def __init__(self, train: InteractionLog, allowed: np.ndarray) -> None:
        counts = train.item_counts()
        order = np.argsort(-counts, kind="stable")
        self.order = order[allowed[order]]
        self.scores = counts[self.order].astype(np.float32)
        self.seen: sp.csr_matrix = train.to_csr()
        self.n_users, self.n_items = train.n_users, train.n_items

    def _seen_items(self, user: int) -> np.ndarray:
        if user >= self.n_users:
            return np.zeros(0, np.int64)
        return self.seen.indices[self.seen.indptr[user]:self.seen.indptr[user + 1]]

    def candidates(self, users: np.ndarray, n: int) -> Candidates:
        """The ``n`` most popular allowed items, the same list for every user (no history)."""
        ids = np.tile(self.order[:n], (len(users), 1))
        return Candidates(ids, np.tile(self.scores[:n], (len(users), 1)))

    def fill(self, users: np.ndarray, slates: np.ndarray) -> np.ndarray:
        """``slates`` with every ``PAD`` replaced by the most popular eligible item."""
        out = slates.copy()
        for row in np.flatnonzero((out == PAD).any(1)):
            taken = set(out[row][out[row] != PAD].tolist())
            taken.update(self._seen_items(int(users[row])).tolist())
            picks = (item for item in self.order.tolist() if item not in taken)
            for col in np.flatnonzero(out[row] == PAD):
                out[row, col] = next(picks, PAD)
            if (out[row] == PAD).any():
                raise ValueError(f"user {users[row]}: fewer than {out.shape[1]} allowed, unseen "
                                 "items in the catalogue; lower k or relax the risk filter")
        return out
