"""Derived feature matrices shared by the agents and the simulator."""

from __future__ import annotations

import numpy as np

from agentic_env.data.log import InteractionLog


def category_matrix(log: InteractionLog, column: str = "genres") -> tuple[np.ndarray, list[str]]:
    """Multi-hot ``(n_items, n_categories)`` matrix from a ``|``-joined item feature, and names.

    Items with no entry get an all-zero row.
    """
    if log.item_features is None or column not in log.item_features:
        raise ValueError(
            f"dataset {log.name!r} has no {column!r} item feature; "
            f"item features: {[] if log.item_features is None else list(log.item_features)}"
        )
    dummies = log.item_features[column].fillna("").astype(str).str.get_dummies(sep="|")
    return dummies.to_numpy(dtype=bool), list(dummies.columns)
