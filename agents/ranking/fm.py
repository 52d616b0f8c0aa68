"""Logistic regression and factorization machine rankers (Rendle, "Factorization Machines", 2010).

With ``interactions=False`` the model is a logistic regression on the selected features; with
``True`` it adds the FM second-order term ``sum_{i<j} <v_i, v_j>`` computed in ``O(F * dim)``.
"""

from __future__ import annotations

import torch
from torch import nn

from agents.ranking.encoder import Batch, FieldEncoder
from agents.ranking.features import FeatureTables


class FMRanker(nn.Module):
    """Click logit = bias + first order (+ pairwise field interactions)."""

    heads = ("click",)

    def __init__(self, tables: FeatureTables, fields: tuple[str, ...], *, dim: int = 16,
                 interactions: bool = True) -> None:
        super().__init__()
        self.encoder = FieldEncoder(tables, fields, dim)
        self.bias = nn.Parameter(torch.zeros(()))
        self.interactions = interactions

    def forward(self, batch: Batch) -> dict[str, torch.Tensor]:
        vectors, first = self.encoder(batch)  # (B, F, dim), (B,)
        logit = self.bias + first
        if self.interactions:
            square_of_sum = vectors.sum(1).pow(2)
            sum_of_square = vectors.pow(2).sum(1)
            logit = logit + 0.5 * (square_of_sum - sum_of_square).sum(1)
        return {"click": logit}
