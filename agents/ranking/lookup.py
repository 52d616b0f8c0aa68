"""Turns batches of ``(user, item, time)`` ids into the field tensors a ranker reads.

The per-user and per-item tables live on the device and are indexed per batch, which is much
cheaper than materialising every field for every training row up front (a gather from a few
thousand table rows stays in cache; one from hundreds of thousands of rows does not).
"""

from __future__ import annotations

import numpy as np
import torch

from agents.ranking.encoder import Batch
from agents.ranking.features import FeatureTables

_USER_TABLES = ("user_activity", "user_genres")
_ITEM_TABLES = ("item_popularity", "item_genres", "item_year")


class FieldLookup:
    """``lookup(users, items, times)`` -> ``{field: tensor}`` for the selected fields."""

    def __init__(self, tables: FeatureTables, fields: tuple[str, ...], device: str) -> None:
        self.fields = fields
        self.device = device
        self.default_time = tables.default_time
        self.tables = {name: torch.as_tensor(np.asarray(getattr(tables, name), np.float32),
                                             device=device)
                       for name in (*_USER_TABLES, *_ITEM_TABLES)}

    def ids(self, values: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(values, np.int64), device=self.device)

    def __call__(self, users: torch.Tensor, items: torch.Tensor,
                 times: torch.Tensor | None = None) -> Batch:
        if times is None:
            times = torch.full_like(users, self.default_time)
        return {field: self._field(field, users, items, times) for field in self.fields}

    def _field(self, field: str, users: torch.Tensor, items: torch.Tensor,
               times: torch.Tensor) -> torch.Tensor:
        if field == "user_id":
            return users
        if field == "item_id":
            return items
        if field == "ctx_hour":
            return torch.div(times, 3600, rounding_mode="floor") % 24
        if field == "ctx_weekday":  # 1970-01-01 was a Thursday
            return (torch.div(times, 86400, rounding_mode="floor") + 3) % 7
        if field == "genre_match":
            return (self.tables["user_genres"][users] * self.tables["item_genres"][items]).sum(1)
        if field in _USER_TABLES:
            return self.tables[field][users]
        return self.tables[field][items]
