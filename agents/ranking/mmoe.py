"""Multi-gate mixture-of-experts multi-task ranker (Ma et al., "MMoE", KDD 2018).

Shared experts read the field embeddings; one softmax gate per task mixes them, and a tower per
task predicts it: ``click`` (the user interacts) and ``engagement`` (the user interacts and rates it
highly). The gates are an agent of their own in the papers; here their load balance (entropy of
expert use) and utilisation are inner metrics, and ``balance`` adds an auxiliary loss that pushes
expert use towards uniform.
"""

from __future__ import annotations

import torch
from torch import nn

from agents.ranking.encoder import Batch, FieldEncoder, mlp
from agents.ranking.features import FeatureTables

TASKS = ("click", "engagement")


class MMoERanker(nn.Module):
    """Two task logits plus the gate weights ``(B, n_tasks, n_experts)`` under ``"gates"``."""

    heads = TASKS

    def __init__(self, tables: FeatureTables, fields: tuple[str, ...], *, dim: int = 16,
                 n_experts: int = 4, expert_hidden: int = 32, dropout: float = 0.0) -> None:
        super().__init__()
        self.encoder = FieldEncoder(tables, fields, dim)
        width = self.encoder.n_fields * dim
        self.experts = nn.ModuleList(mlp([width, expert_hidden], dropout)
                                     for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(width, n_experts) for _ in TASKS)
        self.towers = nn.ModuleList(nn.Linear(expert_hidden, 1) for _ in TASKS)

    def forward(self, batch: Batch) -> dict[str, torch.Tensor]:
        vectors, first = self.encoder(batch)
        x = vectors.flatten(1)
        expert_out = torch.stack([e(x) for e in self.experts], 1)  # (B, E, H)
        out: dict[str, torch.Tensor] = {}
        gates = []
        for task, gate, tower in zip(TASKS, self.gates, self.towers, strict=True):
            weights = torch.softmax(gate(x), -1)  # (B, E)
            gates.append(weights)
            mixed = (weights[:, :, None] * expert_out).sum(1)
            out[task] = tower(mixed)[:, 0] + first
        out["gates"] = torch.stack(gates, 1)
        return out


def balance_loss(gates: torch.Tensor) -> torch.Tensor:
    """``log(E) - entropy`` of the batch-mean expert use, averaged over tasks (0 = balanced)."""
    use = gates.mean(0).clamp_min(1e-9)  # (T, E)
    entropy = -(use * use.log()).sum(-1)
    return (torch.log(torch.tensor(float(gates.shape[-1]))) - entropy).mean()


def gate_metrics(gates: torch.Tensor) -> dict[str, float]:
    """Load balance (normalised entropy of mean expert use) and share of experts in real use."""
    n_experts = gates.shape[-1]
    use = gates.mean(0).clamp_min(1e-12)  # (T, E)
    entropy = -(use * use.log()).sum(-1) / torch.log(torch.tensor(float(n_experts)))
    utilisation = (use >= 0.5 / n_experts).float().mean()
    return {"gate_load_balance": float(entropy.mean()),
            "gate_utilisation": float(utilisation)}
