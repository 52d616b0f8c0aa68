"""Ranking features: what a ranker may see about the user, the item and the context.

Which features a ranker sees is a decision (AutoFeature's axis), so every feature is a named field
that a boolean knob switches on or off. Tables are computed once from the training log;
:mod:`agents.ranking.lookup` turns batches of ``(user, item, timestamp)`` ids into field tensors.

Field kinds: ``id`` (an index into a table of size ``cardinality``), ``dense`` (one scalar in about
``[0, 1]``) and ``multi`` (a multi-hot row over the item categories).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from agentic_env.data import InteractionLog, category_matrix

#: Field name -> (group, kind). Groups: user, item, context, cross.
FIELDS: dict[str, tuple[str, str]] = {
    "user_id": ("user", "id"),
    "user_activity": ("user", "dense"),
    "user_genres": ("user", "multi"),
    "item_id": ("item", "id"),
    "item_popularity": ("item", "dense"),
    "item_genres": ("item", "multi"),
    "item_year": ("item", "dense"),
    "ctx_hour": ("context", "id"),
    "ctx_weekday": ("context", "id"),
    "genre_match": ("cross", "dense"),
}
DEFAULT_OFF = ("ctx_hour", "ctx_weekday")


@dataclass(frozen=True)
class FeatureTables:
    """Per-user and per-item feature tables learnt from a training log."""

    n_users: int
    n_items: int
    user_activity: np.ndarray
    user_genres: np.ndarray
    item_popularity: np.ndarray
    item_genres: np.ndarray
    item_year: np.ndarray
    default_time: int

    @classmethod
    def from_log(cls, train: InteractionLog) -> FeatureTables:
        """Activity, popularity, genre profiles and release years from ``train``."""
        genres = item_genre_matrix(train)
        counts_u, counts_i = train.user_counts(), train.item_counts()
        seen = train.to_csr()
        profile = np.asarray(seen @ genres, np.float32)
        profile /= np.maximum(profile.sum(1, keepdims=True), 1.0)
        last = int(train.timestamps.max()) if len(train) else 0
        return cls(train.n_users, train.n_items, _log_scale(counts_u), profile,
                   _log_scale(counts_i), genres, item_years(train), last)

    @property
    def n_genres(self) -> int:
        return int(self.item_genres.shape[1])

    def cardinality(self, field: str) -> int:
        """Table size of an ``id`` field."""
        return {"user_id": self.n_users, "item_id": self.n_items, "ctx_hour": 24,
                "ctx_weekday": 7}[field]


def _log_scale(counts: np.ndarray) -> np.ndarray:
    scaled = np.log1p(counts.astype(np.float32))
    return scaled / max(float(scaled.max()), 1.0)


def item_genre_matrix(log: InteractionLog) -> np.ndarray:
    try:
        matrix, _ = category_matrix(log)
    except ValueError:  # no genres: one constant category keeps every field well-defined
        return np.ones((log.n_items, 1), np.float32)
    return matrix.astype(np.float32)


def item_years(log: InteractionLog) -> np.ndarray:
    """Release year from a ``"Title (1995)"`` title, scaled to [0, 1]; unknown -> the mean."""
    if log.item_features is None or "title" not in log.item_features:
        return np.full(log.n_items, 0.5, np.float32)
    years = pd.to_numeric(log.item_features["title"].astype(str).str.extract(
        r"\((\d{4})\)\s*$")[0], errors="coerce").to_numpy(np.float64)
    if np.isnan(years).all():
        return np.full(log.n_items, 0.5, np.float32)
    low, high = np.nanmin(years), np.nanmax(years)
    scaled = (years - low) / max(high - low, 1.0)
    return np.nan_to_num(scaled, nan=float(np.nanmean(scaled))).astype(np.float32)
