"""Most-popular retrieval: the baseline every learned model must beat.

Scores are interaction counts, optionally decayed by age so that recent interactions weigh more
(``weight = 0.5 ** (age / half_life)``, age measured from the newest training interaction).
Every user gets the same scores.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data import InteractionLog
from agents.retrieval.base import check_range, check_users, not_fitted

SECONDS_PER_DAY = 86_400.0


class PopularityRetriever:
    """Counts per item, the same for all users.

    Args:
        half_life_days: ``None`` for plain counts; otherwise the age in days at which an
            interaction counts half (needs timestamps on the log).
    """

    def __init__(self, *, half_life_days: float | None = None) -> None:
        if half_life_days is not None:
            check_range("half_life_days", half_life_days, 0.0, low_open=True)
        self.half_life_days = half_life_days
        self.item_scores_: np.ndarray | None = None
        self.n_users_ = 0

    def fit(
        self,
        train: InteractionLog,
        *,
        seed: int = 0,
        device: str = "cpu",
        valid: InteractionLog | None = None,
    ) -> PopularityRetriever:
        """Count (or decay-weight) each item's training interactions; seed and device unused."""
        weights = np.ones(len(train))
        if self.half_life_days is not None:
            if not train.has_timestamps:
                raise ValueError(f"half_life_days needs timestamps; {train.name!r} has none")
            age_days = (train.timestamps.max() - train.timestamps) / SECONDS_PER_DAY
            weights = 0.5 ** (age_days / self.half_life_days)
        counts = np.bincount(train.items, weights=weights, minlength=train.n_items)
        self.item_scores_ = counts.astype(np.float32)
        self.n_users_ = train.n_users
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), n_items)`` copies of the item popularity."""
        if self.item_scores_ is None:
            raise not_fitted(self)
        users = check_users(users, self.n_users_)
        return np.tile(self.item_scores_, (len(users), 1))
