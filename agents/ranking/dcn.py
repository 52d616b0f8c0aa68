"""Deep & Cross Network ranker (Wang et al., "DCN V2", 2021), parallel structure.

The cross network builds bounded-degree feature crosses explicitly,
``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l``, beside a plain MLP; both read the concatenated field
embeddings and their outputs are joined by a final linear layer.
"""

from __future__ import annotations

import torch
from torch import nn

from agents.ranking.encoder import Batch, FieldEncoder, mlp
from agents.ranking.features import FeatureTables


class DCNRanker(nn.Module):
    """Click logit from ``cross_layers`` cross layers and a ``deep_layers`` x ``hidden`` MLP."""

    heads = ("click",)

    def __init__(self, tables: FeatureTables, fields: tuple[str, ...], *, dim: int = 16,
                 cross_layers: int = 2, deep_layers: int = 2, hidden: int = 64,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.encoder = FieldEncoder(tables, fields, dim)
        width = self.encoder.n_fields * dim
        self.cross = nn.ModuleList(nn.Linear(width, width) for _ in range(cross_layers))
        self.deep = mlp([width] + [hidden] * deep_layers, dropout)
        self.out = nn.Linear(width + (hidden if deep_layers else width), 1)

    def forward(self, batch: Batch) -> dict[str, torch.Tensor]:
        vectors, first = self.encoder(batch)
        x0 = vectors.flatten(1)  # (B, F * dim)
        x = x0
        for layer in self.cross:
            x = x0 * layer(x) + x
        joined = torch.cat([x, self.deep(x0)], 1)
        return {"click": self.out(joined)[:, 0] + first}
