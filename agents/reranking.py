"""The re-ranking agent: turns a ranked candidate list into the slate users see.

It sits at the output, so it trades relevance for the system's other goals. One greedy pass picks
each slate position by ``(1 - mmr) * relevance + mmr * novelty + freshness * fresh -
calibration * KL(user's genre mix || slate's genre mix)`` (MMR, Carbonell & Goldstein 1998;
calibrated recommendations, Steck 2018), after an optional risk filter drops items above a risk
threshold (a business constraint: here, items most users rated poorly). Its inner metrics are
intra-list diversity, catalogue coverage and freshness, reported with the NDCG it gave up against
the ranker's own order, so they can be read "at a bounded loss of NDCG".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.metrics import coverage, mean_metric, ndcg_at_k
from agents.base import Agent, register_agent
from agents.candidates import PAD, Candidates
from agents.ranking.features import item_genre_matrix, item_years
from agents.space import Boolean, Config, DecisionSpace, Float, Integer

SMOOTH = 0.01  # mixes the user's genre mix into the slate's, so the KL stays finite


@dataclass(frozen=True)
class ItemStats:
    """Per-item genre vectors, freshness and risk; per-user genre mixes (from training data)."""

    genres: np.ndarray  # (n_items, G), rows of unit L2 norm (zero rows stay zero)
    shares: np.ndarray  # (n_items, G), rows summing to 1 (uniform for items without genres)
    profile: np.ndarray  # (n_users, G), each user's genre mix
    freshness: np.ndarray  # (n_items,), release year scaled to [0, 1]
    risk: np.ndarray  # (n_items,), smoothed share of poor ratings

    @classmethod
    def from_log(cls, train: InteractionLog) -> ItemStats:
        raw = item_genre_matrix(train)
        norm = np.linalg.norm(raw, axis=1, keepdims=True)
        counts = raw.sum(1, keepdims=True)
        shares = np.where(counts > 0, raw / np.maximum(counts, 1), 1.0 / raw.shape[1])
        profile = np.asarray(train.to_csr() @ shares, np.float64)
        fallback = shares.mean(0)
        total = profile.sum(1, keepdims=True)
        profile = np.where(total > 0, profile / np.maximum(total, 1e-12), fallback)
        return cls(raw / np.maximum(norm, 1e-12), shares, profile, item_years(train),
                   _poor_rating_share(train))

    def user_profile(self, users: np.ndarray) -> np.ndarray:
        """Genre mixes; users outside the training id space get the catalogue's mix."""
        known = users < len(self.profile)
        out = np.tile(self.shares.mean(0), (len(users), 1))
        out[known] = self.profile[users[known]]
        return out


def _poor_rating_share(train: InteractionLog, prior: float = 5.0) -> np.ndarray:
    """Share of an item's ratings at or below 2 (of 5), shrunk to the global share."""
    if train.label_kind != "rating" or not len(train):
        return np.zeros(train.n_items, np.float32)
    poor = np.bincount(train.items, weights=train.labels <= 2.0, minlength=train.n_items)
    counts = train.item_counts()
    base = poor.sum() / max(counts.sum(), 1)
    return ((poor + prior * base) / (counts + prior)).astype(np.float32)


def _minmax_rows(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    masked = np.where(valid, scores, np.nan)
    with np.errstate(all="ignore"):
        low = np.nanmin(np.where(valid.any(1, keepdims=True), masked, 0), 1, keepdims=True)
        high = np.nanmax(np.where(valid.any(1, keepdims=True), masked, 0), 1, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    return np.where(valid, (masked - low) / span, 0.0)


@register_agent
class RerankingAgent(Agent):
    """Greedy slate builder: MMR diversity, calibration, freshness, and a risk filter."""

    name = "reranking"
    kind = "model-centric"
    inputs = ("ranked candidate lists", "item genres, freshness and risk", "user genre mix")
    decision = "the final slate: which ranked items are shown and in what order"
    feedback = "clicks, engagement and risk events on shown slates"
    inner_metrics = ("diversity", "coverage", "freshness", "ndcg_loss", "risk_exposure")

    def __init__(self) -> None:
        tag: dict[str, Any] = {"owner": self.name, "affects_fit": False}  # fit = item stats
        self._space = DecisionSpace([
            Integer("pool", 10, 500, log=True, default=50, roles=("serving",), **tag),
            Float("mmr", 0.0, 1.0, default=0.1, roles=("model",), **tag),
            Float("calibration", 0.0, 1.0, default=0.0, roles=("model",), **tag),
            Float("freshness", 0.0, 1.0, default=0.0, roles=("model",), **tag),
            Boolean("risk_filter", default=False, roles=("constraint",), **tag),
            Float("risk_threshold", 0.05, 1.0, default=0.5, roles=("constraint",),
                  condition=("risk_filter", {True}), **tag),
        ])
        self.config: Config = self._space.default()
        self.stats: ItemStats | None = None

    def decision_space(self) -> DecisionSpace:
        return self._space

    def fit(self, train: InteractionLog, config: Config | None = None, **_: object
            ) -> RerankingAgent:
        """Adopt ``config`` and compute the item statistics it uses from ``train``."""
        self.config = self.validate(config)
        self.stats = ItemStats.from_log(train)
        return self

    def apply(self, config: Config | None) -> RerankingAgent:
        """Adopt a configuration (the item statistics stay)."""
        self.config = self.validate(config)
        return self

    def allowed(self) -> np.ndarray:
        """Items the risk filter lets through (all items when it is off)."""
        stats = self._stats()
        if not self.config["risk_filter"]:
            return np.ones(len(stats.risk), bool)
        return stats.risk <= self.config["risk_threshold"]

    def _stats(self) -> ItemStats:
        if self.stats is None:
            raise RuntimeError("RerankingAgent is not fitted; call fit(train, config) first")
        return self.stats

    def rerank(self, users: np.ndarray, ranked: Candidates, k: int) -> Candidates:
        """``(n_users, k)`` slates from the top ``pool`` of ``ranked`` (padding if too few)."""
        stats, cfg = self._stats(), self.config
        pool = ranked.sorted(int(cfg["pool"]))
        valid = pool.valid & self.allowed()[np.where(pool.valid, pool.ids, 0)]
        safe = np.where(valid, pool.ids, 0)
        rel = _minmax_rows(pool.scores, valid)
        bonus = (1 - cfg["mmr"]) * rel + cfg["freshness"] * stats.freshness[safe]
        vec, share = stats.genres[safe], stats.shares[safe]  # (n, P, G)
        target = stats.user_profile(users)  # (n, G)
        n, width = safe.shape
        max_sim = np.zeros((n, width))
        mix = np.zeros_like(target)
        out_ids = np.full((n, k), PAD, np.int64)
        out_scores = np.full((n, k), -np.inf, np.float32)
        rows = np.arange(n)
        for pos in range(k):
            value = bonus + cfg["mmr"] * (1 - max_sim)
            if cfg["calibration"] > 0:
                value = value - cfg["calibration"] * _kl_after(target, mix, share, pos)
            value = np.where(valid, value, -np.inf)
            pick = value.argmax(1)
            ok = valid[rows, pick]
            out_ids[ok, pos] = pool.ids[rows, pick][ok]
            out_scores[ok, pos] = value[rows, pick][ok]
            valid[rows, pick] = False
            max_sim = np.maximum(max_sim, np.einsum("npg,ng->np", vec, vec[rows, pick]))
            mix += share[rows, pick] * ok[:, None]
        return Candidates(out_ids, out_scores)

    def evaluate(self, users: np.ndarray, ranked: Candidates, test: InteractionLog,
                 k: int = 10) -> dict[str, float]:
        """Slate metrics, and the relative NDCG@k lost against the ranker's own top ``k``."""
        stats = self._stats()
        slates = self.rerank(users, ranked, k)
        truth = test.to_csr()[users]
        base_top = ranked.sorted(k).for_metrics(test.n_items)
        top = slates.for_metrics(test.n_items)
        base = mean_metric(ndcg_at_k(base_top, truth))
        ndcg = mean_metric(ndcg_at_k(top, truth))
        shown = slates.ids[slates.valid]
        return {
            "diversity": intra_list_diversity(slates, stats.genres),
            "coverage": coverage(shown[None, :], test.n_items) if shown.size else 0.0,
            "freshness": float(stats.freshness[shown].mean()) if shown.size else 0.0,
            "ndcg": ndcg,
            "ndcg_loss": float(1 - ndcg / base) if base > 0 else 0.0,
            "risk_exposure": float((stats.risk[shown] > 0.5).mean()) if shown.size else 0.0,
        }


def intra_list_diversity(slates: Candidates, genres: np.ndarray) -> float:
    """Mean over slates of ``1 - mean pairwise cosine similarity`` of their genre vectors."""
    vec = genres[np.where(slates.valid, slates.ids, 0)] * slates.valid[..., None]
    sim = np.einsum("nig,njg->nij", vec, vec)
    n_valid = slates.valid.sum(1)
    pairs = n_valid * (n_valid - 1)
    off_diag = sim.sum((1, 2)) - np.einsum("nii->n", sim)
    ok = pairs > 0
    return float(np.mean(1 - off_diag[ok] / pairs[ok])) if ok.any() else 0.0


def _kl_after(target: np.ndarray, mix: np.ndarray, share: np.ndarray, pos: int) -> np.ndarray:
    """KL(target || slate mix) if each candidate were added: ``(n, P)``."""
    q = (mix[:, None, :] + share) / (pos + 1)
    q = (1 - SMOOTH) * q + SMOOTH * target[:, None, :]
    p = target[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / q), 0.0)
    return terms.sum(-1)
