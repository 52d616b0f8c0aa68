"""The canonical interaction log every loader returns and every component consumes.

One columnar table of interactions with contiguous integer ids (``0..n_users-1`` and
``0..n_items-1``), the maps back to the raw ids of the source, and optional user and item
feature tables indexed by the contiguous ids. Downstream code (splits, samplers, agents, the
simulator's calibration) relies on the ids being dense, so the id space is fixed at load time and
shared by every subset and split of the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

LabelKind = Literal["rating", "click", "play_count", "watch_ratio", "implicit"]

#: Columns of :attr:`InteractionLog.frame`, with their dtypes. ``timestamp`` is unix seconds
#: (``-1`` where the source has none), ``position`` is the 0-based slate position (``-1`` where
#: unknown) and ``propensity`` the logging policy's probability of the shown item (``NaN`` where
#: unknown).
COLUMNS: dict[str, str] = {
    "user": "int32",
    "item": "int32",
    "timestamp": "int64",
    "label": "float32",
    "position": "int16",
    "propensity": "float32",
}


@dataclass(frozen=True)
class InteractionLog:
    """Interactions with dense ids plus everything needed to map them back.

    Attributes:
        name: Dataset name, e.g. ``"movielens-100k"``.
        frame: One row per interaction, columns and dtypes as in :data:`COLUMNS`.
        user_ids: Raw user id of each contiguous user id (``user_ids[u]``).
        item_ids: Raw item id of each contiguous item id.
        label_kind: What ``label`` measures.
        user_features: Optional table indexed by contiguous user id.
        item_features: Optional table indexed by contiguous item id.
        has_timestamps: Whether ``timestamp`` carries real times (temporal splits need them).
    """

    name: str
    frame: pd.DataFrame
    user_ids: np.ndarray
    item_ids: np.ndarray
    label_kind: LabelKind = "rating"
    user_features: pd.DataFrame | None = None
    item_features: pd.DataFrame | None = None
    has_timestamps: bool = True
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def n_users(self) -> int:
        """Size of the user id space (users with no interaction in a subset still count)."""
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        """Size of the item id space."""
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def users(self) -> np.ndarray:
        return self.frame["user"].to_numpy()

    @property
    def items(self) -> np.ndarray:
        return self.frame["item"].to_numpy()

    @property
    def labels(self) -> np.ndarray:
        return self.frame["label"].to_numpy()

    @property
    def timestamps(self) -> np.ndarray:
        return self.frame["timestamp"].to_numpy()

    def subset(self, rows: np.ndarray | pd.Series) -> InteractionLog:
        """A log over the same id space holding only the selected rows (mask or positions)."""
        rows = np.asarray(rows)
        picked = self.frame[rows] if rows.dtype == bool else self.frame.iloc[rows]
        return replace(self, frame=picked.reset_index(drop=True))

    def sorted_by_time(self) -> InteractionLog:
        """Rows ordered by (user, timestamp), stable, so per-user sequences read in order."""
        order = np.lexsort((self.timestamps, self.users))
        return self.subset(order)

    def user_counts(self) -> np.ndarray:
        """Interactions per user, length ``n_users``."""
        return np.bincount(self.users, minlength=self.n_users)

    def item_counts(self) -> np.ndarray:
        """Interactions per item, length ``n_items``."""
        return np.bincount(self.items, minlength=self.n_items)

    def to_csr(self, values: Literal["ones", "label"] = "ones") -> sp.csr_matrix:
        """User × item sparse matrix; duplicates of a pair are summed."""
        data = np.ones(len(self), np.float32) if values == "ones" else self.labels
        matrix = sp.csr_matrix((data, (self.users, self.items)), shape=(self.n_users, self.n_items))
        matrix.sum_duplicates()
        return matrix

    def describe(self) -> dict[str, float | int | str]:
        """Headline statistics, for the CLI and reports."""
        active_users = int((self.user_counts() > 0).sum())
        active_items = int((self.item_counts() > 0).sum())
        cells = max(self.n_users * self.n_items, 1)
        stats: dict[str, float | int | str] = {
            "name": self.name,
            "interactions": len(self),
            "users": self.n_users,
            "items": self.n_items,
            "active_users": active_users,
            "active_items": active_items,
            "density": len(self) / cells,
            "label_kind": self.label_kind,
            "label_mean": float(self.labels.mean()) if len(self) else float("nan"),
        }
        if self.has_timestamps and len(self):
            stats["first"] = str(pd.to_datetime(self.timestamps.min(), unit="s").date())
            stats["last"] = str(pd.to_datetime(self.timestamps.max(), unit="s").date())
        return stats
