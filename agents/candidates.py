"""Per-user candidate lists passed between pipeline stages.

Each stage (recall source, fusion, ranking, re-ranking) reads and writes the same shape: an
``(n_users, width)`` matrix of item ids with their stage scores. Rows can hold fewer real
candidates than ``width`` (a small union after deduplication); the rest is padding, id ``-1`` and
score ``-inf``, so every stage stays vectorised over users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAD = -1


@dataclass(frozen=True)
class Candidates:
    """Item ids and scores, ``(n_users, width)`` each; call :meth:`sorted` for best-first order."""

    ids: np.ndarray
    scores: np.ndarray

    def __post_init__(self) -> None:
        if self.ids.shape != self.scores.shape or self.ids.ndim != 2:
            raise ValueError(f"ids {self.ids.shape} and scores {self.scores.shape} must be the "
                             "same (n_users, width) shape")

    @property
    def valid(self) -> np.ndarray:
        """Boolean mask of real (non-padding) entries."""
        return self.ids != PAD

    @property
    def width(self) -> int:
        return int(self.ids.shape[1])

    def sorted(self, k: int | None = None) -> Candidates:
        """Rows ordered by score (best first, padding last), truncated to ``k`` columns."""
        scores = np.where(self.valid, self.scores, -np.inf)
        order = np.argsort(-scores, axis=1, kind="stable")
        if k is not None:
            order = order[:, :k]
        return Candidates(np.take_along_axis(self.ids, order, 1),
                          np.take_along_axis(scores, order, 1).astype(np.float32))

    def rows(self, index: np.ndarray) -> Candidates:
        """The candidate lists of the selected users."""
        return Candidates(self.ids[index], self.scores[index])

    def for_metrics(self, n_items: int) -> np.ndarray:
        """Ids with padding replaced by ``n_items``, an id no truth matrix contains."""
        return np.where(self.valid, self.ids, n_items)


def dense_rows(rows: np.ndarray, items: np.ndarray, values: np.ndarray,
               n_rows: int) -> Candidates:
    """Scatter ``(row, item, value)`` triples (sorted by row) into padded candidate rows."""
    counts = np.bincount(rows, minlength=n_rows)
    width = int(counts.max()) if counts.size and counts.max() > 0 else 1
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    column = np.arange(len(rows)) - starts[rows]
    ids = np.full((n_rows, width), PAD, np.int64)
    scores = np.full((n_rows, width), -np.inf, np.float32)
    ids[rows, column] = items
    scores[rows, column] = values
    return Candidates(ids, scores)
