"""A seeded synthetic benchmark table with the real one's shape, for smoke tests and demos.

Seven knobs with the pipeline's owners and lifecycle roles; each inner metric depends mostly on
its owner's knobs, the outer metrics on all of them plus pairwise interactions, and from phase 1
on the composition knobs' effects are redrawn, so a scripted shift is something compositional
evolution can react to. Nothing here is a measurement: use the shipped table for results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

KNOBS = (  # name, owner, roles
    ("recall_0.model", "retrieval", ("model",)),
    ("fusion.weight.recall_1", "fusion", ("composition",)),
    ("ranking.features", "ranking", ("feature",)),
    ("ranking.arch", "ranking", ("model",)),
    ("ranking.lr", "ranking", ("training",)),
    ("reranking.diversity", "reranking", ("constraint",)),
    ("router.path.cold_start", "router", ("composition",)),
)
INNER = {
    "pipeline.recall": None,
    "retrieval.recall": "retrieval",
    "fusion.fused_recall": "fusion",
    "ranking.auc": "ranking",
    "reranking.diversity": "reranking",
    "router.segment_balanced_ndcg": "router",
}
OUTER = ("reward", "ctr", "return_rate")


@dataclass(frozen=True)
class SyntheticKnob:
    name: str
    values: tuple[Any, ...]
    owner: str
    roles: tuple[str, ...]


class SyntheticGrid:
    """Mixed-radix codes over the synthetic knobs (the subset of ``Grid`` the runner uses)."""

    def __init__(self, n_values: int) -> None:
        if n_values < 2:
            raise ValueError(f"synthetic_values must be >= 2, got {n_values}")
        self.knobs = tuple(SyntheticKnob(n, tuple(range(n_values)), o, r) for n, o, r in KNOBS)
        self.radices = np.full(len(self.knobs), n_values, dtype=np.int64)
        self.size = int(np.prod(self.radices))
        self.names = tuple(k.name for k in self.knobs)

    def encode(self, indices: Any) -> np.ndarray:
        idx = np.asarray(indices, dtype=np.int64)
        weights = np.cumprod(np.r_[1, self.radices[::-1][:-1]])[::-1]
        return np.asarray(idx @ weights, dtype=np.int64)

    def decode(self, codes: Any) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.int64)
        out = np.empty((*codes.shape, len(self.radices)), dtype=np.int64)
        rest = codes.copy()
        for i in range(len(self.radices) - 1, -1, -1):
            out[..., i] = rest % self.radices[i]
            rest //= self.radices[i]
        return out


class SyntheticTable:
    """Dense arrays shaped like ``BenchmarkTable`` (two repeats, noisy) over a synthetic grid."""

    def __init__(self, n_values: int = 3, scenarios: tuple[str, ...] = ("stationary",
                 "trend_shift"), n_phases: int = 2, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.grid = SyntheticGrid(n_values)
        self.scenarios, self.n_phases, self.n_repeats = tuple(scenarios), n_phases, 2
        self.inner_names, self.outer_names = tuple(INNER), OUTER
        idx = self.grid.decode(np.arange(self.grid.size))
        n_knobs = len(KNOBS)
        effect = rng.normal(size=(n_knobs, n_values))
        pairs = rng.normal(scale=0.3, size=(n_knobs, n_knobs, n_values, n_values))
        base = _score(idx, effect, pairs)
        self.inner = self._inner(idx, effect, base, rng)
        self.outer = self._outer(idx, effect, pairs, rng)
        self.cost = rng.uniform(0.5, 2.0, size=(self.grid.size, self.n_repeats)).astype(np.float32)
        self.filled = np.ones((self.grid.size, self.n_repeats), dtype=bool)
        self.meta = {"how": "synthetic", "seed": seed}

    def _inner(self, idx: np.ndarray, effect: np.ndarray, base: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
        columns = []
        for owner in INNER.values():
            mine = [i for i, k in enumerate(KNOBS) if owner is None or k[1] == owner]
            local = sum(effect[i, idx[:, i]] for i in mine)
            columns.append(_squash(0.8 * np.asarray(local) + 0.2 * base))
        clean = np.stack(columns, axis=-1)[:, None, :]
        noise = rng.normal(scale=0.01, size=(len(idx), self.n_repeats, len(INNER)))
        return (clean + noise).astype(np.float32)

    def _outer(self, idx: np.ndarray, effect: np.ndarray, pairs: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
        shape = (len(idx), len(self.scenarios), self.n_phases, self.n_repeats, len(OUTER))
        out = np.empty(shape, dtype=np.float32)
        composition = [i for i, k in enumerate(KNOBS) if "composition" in k[2]]
        for s, name in enumerate(self.scenarios):
            for p in range(self.n_phases):
                shifted = effect.copy()
                if name != "stationary" and p >= 1:
                    shifted[composition] = rng.normal(scale=2.0, size=(len(composition),
                                                                       effect.shape[1]))
                score = _score(idx, shifted, pairs)
                for m in range(len(OUTER)):
                    noise = rng.normal(scale=0.02, size=(len(idx), self.n_repeats))
                    out[:, s, p, :, m] = (1.0 + m * 0.1) * _squash(score)[:, None] + noise
        return out


def _score(idx: np.ndarray, effect: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    n_knobs = idx.shape[1]
    total = sum(effect[i, idx[:, i]] for i in range(n_knobs))
    for i in range(n_knobs):
        for j in range(i + 1, n_knobs):
            total = total + pairs[i, j, idx[:, i], idx[:, j]]
    return np.asarray(total, dtype=np.float64)


def _squash(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x - x.mean()) / (x.std() + 1e-9)))
