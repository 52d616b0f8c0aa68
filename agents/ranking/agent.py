"""The ranking agent: orders a fused candidate set with a learnt click (and engagement) model.

Model-centric: it reads candidate sets and features, decides their order (what reaches the top of
a slate), learns from interactions, and is judged on its own by AUC and sampled NDCG@10 on held-out
interactions (plus gate load balance and expert utilisation for the mixture of experts). Its
decision space spans the three lifecycle axes: which features it sees (``feature.*``, AutoFeature),
the architecture and training procedure (``arch`` and the rest, AutoTrain).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from agentic_env.data import InteractionLog
from agentic_env.metrics import auc
from agents.base import Agent, register_agent
from agents.candidates import Candidates
from agents.ranking.dcn import DCNRanker
from agents.ranking.features import DEFAULT_OFF, FIELDS, FeatureTables
from agents.ranking.fm import FMRanker
from agents.ranking.mmoe import MMoERanker, gate_metrics
from agents.ranking.train import NEGATIVES, TrainSettings, fit_model, predict, training_rows
from agents.space import Boolean, Categorical, Config, DecisionSpace, Float, Integer, Knob

ARCHS = ("fm", "dcn", "mmoe")
RESERVED_ARCH_SLOTS = 3


def _arch_knobs() -> list[Knob]:
    def on(arch: str, *roles: str) -> dict[str, Any]:
        return {"condition": ("arch", {arch}), "roles": roles, "owner": "ranking"}

    return [
        Boolean("fm.interactions", default=True, **on("fm", "model")),
        Integer("dcn.cross_layers", 1, 4, default=2, **on("dcn", "model")),
        Integer("dcn.deep_layers", 0, 3, default=1, **on("dcn", "model")),
        Integer("dcn.hidden", 16, 256, log=True, default=64, **on("dcn", "model")),
        Float("dcn.dropout", 0.0, 0.5, default=0.0, **on("dcn", "model")),
        Integer("mmoe.n_experts", 2, 8, default=4, **on("mmoe", "model")),
        Integer("mmoe.expert_hidden", 16, 128, log=True, default=32, **on("mmoe", "model")),
        Float("mmoe.engagement_weight", 0.0, 1.0, default=0.5, **on("mmoe", "training")),
        Float("mmoe.balance", 0.0, 1.0, default=0.0, **on("mmoe", "training")),
        Float("mmoe.serve_mix", 0.0, 1.0, default=0.3, affects_fit=False,
              **on("mmoe", "model")),
    ]


def build_space() -> DecisionSpace:
    """Feature switches, architecture with reserved slots, per-architecture and training knobs."""
    tag: dict[str, Any] = {"owner": "ranking"}
    return DecisionSpace([
        *[Boolean(f"feature.{f}", default=f not in DEFAULT_OFF, roles=("feature",), **tag)
          for f in FIELDS],
        Categorical("arch", ARCHS, reserved_slots=RESERVED_ARCH_SLOTS, roles=("model",), **tag),
        *_arch_knobs(),
        Integer("dim", 4, 64, log=True, default=16, roles=("model",), **tag),
        Float("lr", 1e-4, 1e-1, log=True, default=6e-3, roles=("training",), **tag),
        Float("weight_decay", 1e-8, 1e-3, log=True, default=1e-6, roles=("training",), **tag),
        Integer("epochs", 1, 30, log=True, default=5, roles=("training",), **tag),
        Categorical("batch_size", (256, 512, 1024, 2048, 4096), default=4096,
                    roles=("training",), **tag),
        Integer("neg_ratio", 1, 16, log=True, default=3, roles=("training",), **tag),
        Categorical("negatives", NEGATIVES, default="popularity", roles=("training",), **tag),
        Float("blend", 0.0, 1.0, default=0.5, roles=("model",), affects_fit=False, **tag,
              doc="weight of the upstream (fusion) order in the final ranking score"),
    ])


def selected_fields(config: Config) -> tuple[str, ...]:
    """The features switched on, in declaration order; none is an error naming the knobs."""
    fields = tuple(f for f in FIELDS if config[f"feature.{f}"])
    if not fields:
        raise ValueError(f"the ranker sees no feature: switch on at least one of "
                         f"{[f'feature.{f}' for f in FIELDS]}")
    return fields


def make_model(config: Config, tables: FeatureTables) -> nn.Module:
    """The torch ranker for a validated config."""
    fields, dim, arch = selected_fields(config), int(config["dim"]), config["arch"]
    if arch == "fm":
        return FMRanker(tables, fields, dim=dim, interactions=bool(config["fm.interactions"]))
    if arch == "dcn":
        return DCNRanker(tables, fields, dim=dim, cross_layers=config["dcn.cross_layers"],
                         deep_layers=config["dcn.deep_layers"], hidden=config["dcn.hidden"],
                         dropout=config["dcn.dropout"])
    if arch == "mmoe":
        return MMoERanker(tables, fields, dim=dim, n_experts=config["mmoe.n_experts"],
                          expert_hidden=config["mmoe.expert_hidden"])
    raise ValueError(f"ranking arch {arch!r} has no implementation yet; implemented: {ARCHS}")


def train_settings(config: Config) -> TrainSettings:
    return TrainSettings(lr=config["lr"], weight_decay=config["weight_decay"],
                         epochs=config["epochs"], batch_size=int(config["batch_size"]),
                         neg_ratio=config["neg_ratio"],
                         engagement_weight=config.get("mmoe.engagement_weight", 0.0),
                         balance=config.get("mmoe.balance", 0.0))


@register_agent
class RankingAgent(Agent):
    """Scores candidates with an FM / logistic, DCN or MMoE model over selected features."""

    name = "ranking"
    kind = "model-centric"
    inputs = ("interaction log", "candidate sets", "user, item and context features")
    decision = "the order of the candidates that reach re-ranking"
    feedback = "clicks and ratings on served items"
    inner_metrics = ("auc", "ndcg@10", "gate_load_balance", "gate_utilisation")

    def __init__(self) -> None:
        self._space = build_space()
        self.config: Config | None = None
        self.model: nn.Module | None = None
        self.tables: FeatureTables | None = None
        self.device = "cpu"
        self.history: list[float] = []

    def decision_space(self) -> DecisionSpace:
        return self._space

    def fit(self, train: InteractionLog, config: Config | None = None, *, seed: int = 0,
            device: str = "cpu", valid: InteractionLog | None = None) -> RankingAgent:
        """Train the configured model on ``train`` (positives plus sampled negatives)."""
        self.config = self.validate(config)
        self.tables = FeatureTables.from_log(train)
        self.model = make_model(self.config, self.tables)
        rows = training_rows(train, self.config["neg_ratio"], np.random.default_rng(seed),
                             self.config["negatives"])
        self.device = device
        self.history = fit_model(self.model, self.tables, self.fields, rows,
                                 train_settings(self.config), seed, device)
        return self

    @property
    def fields(self) -> tuple[str, ...]:
        assert self.config is not None
        return selected_fields(self.config)

    def predict(self, users: np.ndarray, items: np.ndarray,
                times: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Head outputs for flat ``(user, item)`` pairs; ``"score"`` is what ranking sorts by."""
        if self.model is None or self.tables is None or self.config is None:
            raise RuntimeError("RankingAgent is not fitted; call fit(train, config) first")
        out = predict(self.model, self.tables, self.fields, users, items, times, self.device)
        mix = float(self.config.get("mmoe.serve_mix", 0.0))
        out["score"] = out["click"] if "engagement" not in out else (
            (1 - mix) * out["click"] + mix * out["engagement"])
        return out

    def rank(self, users: np.ndarray, cands: Candidates) -> Candidates:
        """Candidates re-scored, best first, padding last.

        The score blends the rank percentiles of the model's score and of the incoming order
        (``blend`` = weight of the incoming order): a ranker trained on sampled negatives does not
        see the recall signal, and the blend keeps it.
        """
        rows, cols = np.nonzero(cands.valid)
        scores = np.full(cands.ids.shape, -np.inf, np.float32)
        if rows.size:
            scores[rows, cols] = self.predict(users[rows], cands.ids[rows, cols])["score"]
        blend = float(self.config["blend"]) if self.config else 0.0
        if blend > 0:
            mixed = (1 - blend) * _row_ranks(scores, cands.valid) + blend * _row_ranks(
                cands.scores, cands.valid)
            scores = np.where(cands.valid, mixed, -np.inf).astype(np.float32)
        return Candidates(cands.ids, scores).sorted()

    def evaluate(self, test: InteractionLog, *, n_negatives: int = 49, max_rows: int = 2000,
                 seed: int = 0) -> dict[str, float]:
        """AUC and NDCG@10 of each held-out positive among ``n_negatives`` sampled items."""
        rng = np.random.default_rng(seed)
        rows = np.arange(len(test)) if len(test) <= max_rows else np.sort(
            rng.choice(len(test), max_rows, replace=False))
        users, items = test.users[rows], test.items[rows]
        assert self.tables is not None
        neg = rng.integers(0, self.tables.n_items, (len(rows), n_negatives))
        all_items = np.concatenate([items[:, None], neg], 1)
        out = self.predict(np.repeat(users, n_negatives + 1), all_items.ravel())
        scores = out["score"].reshape(all_items.shape)
        rank = (scores[:, 1:] > scores[:, :1]).sum(1)
        ndcg = np.where(rank < 10, 1.0 / np.log2(rank + 2.0), 0.0)
        metrics = {"auc": auc(scores[:, 0], scores[:, 1:]), "ndcg@10": float(ndcg.mean())}
        if "gates" in out:
            metrics.update(gate_metrics(torch.as_tensor(out["gates"])))
        return metrics


def _row_ranks(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per-row rank percentile in [0, 1] (best = 1) over the valid entries."""
    masked = np.where(valid, scores, -np.inf)
    order = np.argsort(np.argsort(masked, axis=1, kind="stable"), axis=1, kind="stable")
    n_pad = (~valid).sum(1, keepdims=True)
    n_valid = np.maximum(valid.sum(1, keepdims=True) - 1, 1)
    return (order - n_pad) / n_valid
