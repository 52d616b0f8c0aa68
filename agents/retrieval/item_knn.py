"""Item-based nearest neighbours (Sarwar et al., WWW 2001; Deshpande & Karypis, TOIS 2004).

Items are similar when the same users interacted with both. Each item keeps its ``k`` most
similar items; a user's score for item ``j`` sums the similarities between ``j`` and the items
the user has interacted with. Similarities are computed a block of items at a time so memory
stays ``O(n_items * block)`` even for catalogues where a dense item × item matrix would not fit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from agentic_env.data import InteractionLog
from agents.retrieval.base import check_choice, check_int, check_range, check_users, not_fitted

SIMILARITIES = ("cosine", "jaccard")
BLOCK = 1024


class ItemKNN:
    """Sparse item-item similarity retriever.

    Args:
        k: Neighbours kept per item, ``>= 1``.
        shrink: Added to the similarity's denominator; damps similarities resting on few
            co-occurrences, ``>= 0``.
        similarity: ``"cosine"`` (co-occurrence over the geometric mean of counts) or
            ``"jaccard"`` (over the size of the union).
    """

    def __init__(self, *, k: int = 100, shrink: float = 10.0, similarity: str = "cosine") -> None:
        self.k = check_int("k", k, 1)
        self.shrink = check_range("shrink", float(shrink), 0.0)
        self.similarity = check_choice("similarity", similarity, SIMILARITIES)
        self.user_items_: sp.csr_matrix | None = None
        self.similarity_: sp.csr_matrix | None = None

    def fit(
        self,
        train: InteractionLog,
        *,
        seed: int = 0,
        device: str = "cpu",
        valid: InteractionLog | None = None,
    ) -> ItemKNN:
        """Build the top-k similarity matrix ``(n_items, n_items)``; deterministic, seed unused."""
        matrix = train.to_csr()
        matrix.data[:] = 1.0
        self.user_items_ = matrix
        self.similarity_ = self._similarity(matrix.tocsc())
        return self

    def _similarity(self, by_item: sp.csc_matrix) -> sp.csr_matrix:
        n_items = by_item.shape[1]
        counts = np.asarray(by_item.sum(0)).ravel()
        item_t = by_item.T.tocsr()
        keep = min(self.k, max(n_items - 1, 1))
        rows, cols, vals = [], [], []
        for start in range(0, n_items, BLOCK):
            block = np.arange(start, min(start + BLOCK, n_items))
            co = np.asarray((item_t @ by_item[:, block]).todense(), np.float64)  # (n_items, b)
            sim = co / (self._denominator(counts, counts[block], co) + 1e-12)
            sim[block, np.arange(len(block))] = 0.0  # an item is not its own neighbour
            top = np.argpartition(-sim, keep - 1, axis=0)[:keep] if keep < n_items else None
            top = np.broadcast_to(np.arange(n_items)[:, None], sim.shape) if top is None else top
            values = np.take_along_axis(sim, top, axis=0)
            nonzero = values > 0
            rows.append(top[nonzero])
            cols.append(np.broadcast_to(block, top.shape)[nonzero])
            vals.append(values[nonzero])
        data = np.concatenate(vals).astype(np.float32)
        shape = (n_items, n_items)
        return sp.csr_matrix((data, (np.concatenate(rows), np.concatenate(cols))), shape=shape)

    def _denominator(self, counts: np.ndarray, block: np.ndarray, co: np.ndarray) -> np.ndarray:
        if self.similarity == "cosine":
            return np.sqrt(counts[:, None] * block[None, :]) + self.shrink
        return counts[:, None] + block[None, :] - co + self.shrink

    def score(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), n_items)``: each user's items times the similarity matrix."""
        if self.user_items_ is None or self.similarity_ is None:
            raise not_fitted(self)
        users = check_users(users, self.user_items_.shape[0])
        return np.asarray((self.user_items_[users] @ self.similarity_).todense(), np.float32)
