"""Pointwise training and scoring for the torch rankers.

Training rows are the logged interactions (click = 1, engagement = high label) and, per positive,
``neg_ratio`` unseen items drawn uniformly with the positive's context (click = 0). Every random
draw comes from one seed, so the same config and seed give the same model on CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from agentic_env.data import InteractionLog
from agentic_env.data.sampling import sample_negatives
from agents.ranking.features import FeatureTables
from agents.ranking.lookup import FieldLookup
from agents.ranking.mmoe import balance_loss

NEGATIVES = ("uniform", "popularity")


@dataclass(frozen=True)
class TrainSettings:
    """Knobs of the training procedure (AutoTrain's axis)."""

    lr: float = 6e-3
    weight_decay: float = 1e-6
    epochs: int = 5
    batch_size: int = 4096
    neg_ratio: int = 3
    engagement_weight: float = 0.5  # loss weight of the engagement head, where there is one
    balance: float = 0.0  # weight of the gate load-balance loss, where there are gates


@dataclass(frozen=True)
class Rows:
    """Flat training or evaluation rows."""

    users: np.ndarray
    items: np.ndarray
    times: np.ndarray
    click: np.ndarray
    engaged: np.ndarray


def engaged_labels(log: InteractionLog) -> np.ndarray:
    """1 where the interaction shows strong engagement: rating >= 4, else any positive label."""
    labels = log.labels
    return (labels >= 4.0 if log.label_kind == "rating" else labels > 0).astype(np.float32)


def training_rows(train: InteractionLog, neg_ratio: int, rng: np.random.Generator,
                  negatives: Literal["uniform", "popularity"] = "uniform") -> Rows:
    """Positives from ``train`` plus ``neg_ratio`` unseen negatives each, drawn uniformly or by
    popularity (harder: the model must learn more than popularity)."""
    users, items, times = train.users, train.items, train.timestamps
    neg = sample_negatives(train, users, neg_ratio, rng, distribution=negatives).ravel()
    return Rows(
        users=np.concatenate([users, np.repeat(users, neg_ratio)]),
        items=np.concatenate([items, neg]),
        times=np.concatenate([times, np.repeat(times, neg_ratio)]),
        click=np.concatenate([np.ones(len(users)), np.zeros(len(neg))]).astype(np.float32),
        engaged=np.concatenate([engaged_labels(train), np.zeros(len(neg))]).astype(np.float32),
    )


def fit_model(model: nn.Module, tables: FeatureTables, fields: tuple[str, ...], rows: Rows,
              settings: TrainSettings, seed: int, device: str) -> list[float]:
    """Adam on binary cross-entropy per head; returns the mean loss of each epoch."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model.to(device).train()
    optim = torch.optim.Adam(model.parameters(), lr=settings.lr,
                             weight_decay=settings.weight_decay)
    lookup = FieldLookup(tables, fields, device)
    users, items = lookup.ids(rows.users), lookup.ids(rows.items)
    times = lookup.ids(rows.times)
    targets = {"click": torch.as_tensor(rows.click, device=device),
               "engagement": torch.as_tensor(rows.engaged, device=device)}
    history = []
    for _ in range(settings.epochs):
        order = torch.randperm(len(rows.users), generator=generator).to(device)
        total = 0.0
        for start in range(0, len(order), settings.batch_size):
            idx = order[start:start + settings.batch_size]
            loss = _loss(model(lookup(users[idx], items[idx], times[idx])),
                         {k: v[idx] for k, v in targets.items()}, settings)
            optim.zero_grad()
            loss.backward()
            optim.step()
            total += loss.item() * len(idx)
        history.append(total / len(order))
    model.eval()
    return history


def _loss(out: dict[str, torch.Tensor], targets: dict[str, torch.Tensor],
          settings: TrainSettings) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits
    loss = bce(out["click"], targets["click"])
    if "engagement" in out:
        w = settings.engagement_weight
        loss = (1 - w) * loss + w * bce(out["engagement"], targets["engagement"])
    if "gates" in out and settings.balance > 0:
        loss = loss + settings.balance * balance_loss(out["gates"])
    return loss


@torch.no_grad()
def predict(model: nn.Module, tables: FeatureTables, fields: tuple[str, ...], users: np.ndarray,
            items: np.ndarray, times: np.ndarray | None, device: str,
            chunk: int = 65536) -> dict[str, np.ndarray]:
    """Head outputs (click and engagement probabilities, gate weights) for flat pairs."""
    lookup = FieldLookup(tables, fields, device)
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(users), chunk):
        sl = slice(start, start + chunk)
        out = model(lookup(lookup.ids(users[sl]), lookup.ids(items[sl]),
                           None if times is None else lookup.ids(times[sl])))
        for name, value in out.items():
            value = value if name == "gates" else torch.sigmoid(value)
            parts.setdefault(name, []).append(value.cpu().numpy())
    return {name: np.concatenate(v) for name, v in parts.items()}
