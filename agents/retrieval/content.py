"""Content-based retrieval over item categories (MovieLens genres).

A user's profile is the share of their training interactions in each category; an item scores
the profile mass on its categories, averaged over them, so single-genre items are not penalised.
Popularity breaks the many ties (all items of the same genres score alike) and scores new users.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data import InteractionLog, category_matrix
from agents.retrieval.base import check_range, check_users, not_fitted


class GenreRetriever:
    """User-category profile × item-category vectors, plus a small popularity term.

    Args:
        column: Item feature holding ``|``-joined categories.
        popularity_weight: Weight of the item's normalised popularity (in ``[0, 1]``) added to
            the genre affinity (also in ``[0, 1]``); the small default acts as a tie-break.
    """

    def __init__(self, *, column: str = "genres", popularity_weight: float = 1e-3) -> None:
        self.column = column
        self.popularity_weight = check_range("popularity_weight", float(popularity_weight), 0.0)
        self.profiles_: np.ndarray | None = None
        self.item_categories_: np.ndarray | None = None
        self.popularity_: np.ndarray | None = None

    def fit(
        self,
        train: InteractionLog,
        *,
        seed: int = 0,
        device: str = "cpu",
        valid: InteractionLog | None = None,
    ) -> GenreRetriever:
        """Build ``(n_users, n_categories)`` profiles; deterministic, seed unused."""
        categories, _ = category_matrix(train, self.column)
        cats = categories.astype(np.float32)
        counts = train.to_csr() @ cats  # (n_users, n_categories)
        totals = counts.sum(1, keepdims=True)
        self.profiles_ = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        per_item = cats.sum(1, keepdims=True)
        self.item_categories_ = np.divide(
            cats, per_item, out=np.zeros_like(cats), where=per_item > 0
        )
        popularity = train.item_counts().astype(np.float32)
        self.popularity_ = popularity / max(float(popularity.max()), 1.0)
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), n_items)`` genre affinity plus weighted popularity."""
        if self.profiles_ is None or self.item_categories_ is None or self.popularity_ is None:
            raise not_fitted(self)
        users = check_users(users, len(self.profiles_))
        affinity = self.profiles_[users] @ self.item_categories_.T
        return (affinity + self.popularity_weight * self.popularity_).astype(np.float32)
