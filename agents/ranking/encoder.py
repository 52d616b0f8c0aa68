"""Field embeddings shared by every ranker: each selected feature becomes one ``dim`` vector.

FM-style encoding (Rendle, 2010): an id field looks up an embedding, a dense field scales a learnt
vector by its value, and a multi-hot field averages the embeddings of its active categories. Every
field also has a first-order (linear) weight, so a ranker that only uses the first order is a
logistic regression over the same features.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from agents.ranking.features import FIELDS, FeatureTables

Batch = dict[str, torch.Tensor]


class FieldEncoder(nn.Module):
    """Batch of field arrays -> ``(B, F, dim)`` embeddings and ``(B,)`` first-order logits."""

    def __init__(self, tables: FeatureTables, fields: tuple[str, ...], dim: int) -> None:
        super().__init__()
        if not fields:
            raise ValueError(f"a ranker needs at least one feature; available: {list(FIELDS)}")
        self.fields = fields
        self.dim = dim
        self.embed = nn.ParameterDict()
        self.linear = nn.ParameterDict()
        for field in fields:
            kind = FIELDS[field][1]
            size = (tables.cardinality(field) if kind == "id" else
                    tables.n_genres if kind == "multi" else 1)
            self.embed[field] = nn.Parameter(torch.randn(size, dim) * 0.05)
            self.linear[field] = nn.Parameter(torch.zeros(size, 1))

    @property
    def n_fields(self) -> int:
        return len(self.fields)

    def forward(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        vectors, first = [], []
        for field in self.fields:
            v, w = self._encode(field, batch[field])
            vectors.append(v)
            first.append(w)
        return torch.stack(vectors, 1), torch.stack(first, 1).sum(1)

    def _encode(self, field: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        kind = FIELDS[field][1]
        emb: torch.Tensor = self.embed[field]
        lin: torch.Tensor = self.linear[field]
        if kind == "id":
            return emb[x], lin[x, 0]
        if kind == "dense":
            return x[:, None] * emb[0], x * lin[0, 0]
        weights = x / x.sum(1, keepdim=True).clamp_min(1.0)
        return weights @ emb, (weights @ lin)[:, 0]


def mlp(sizes: list[int], dropout: float) -> nn.Sequential:
    """ReLU layers ``sizes[0] -> ... -> sizes[-1]`` with dropout after each."""
    layers: list[nn.Module] = []
    for d_in, d_out in itertools.pairwise(sizes):
        layers += [nn.Linear(d_in, d_out), nn.ReLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)
