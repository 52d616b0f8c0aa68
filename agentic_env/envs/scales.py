"""Reward scales: how raw table metrics become the ``[0, 1]`` terms of the layered reward.

:class:`Scales` holds the normalisers of inner and outer metrics and the cost scale and unit;
:class:`InnerMix` turns a configuration's inner metrics into one value per unit (its
components' own metrics, else pipeline-level stand-ins).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agentic_env.envs.rewards import Normaliser
from agentic_env.evaluator.table import BenchmarkTable

#: Inner metric per component when the table has no ``component.*`` metric of its own.
FALLBACK_INNER = {"retrieval": "recall", "fusion": "recall", "ranking": "ndcg",
                  "reranking": "coverage", "router": "ndcg"}


@dataclass(frozen=True)
class Scales:
    """Normalisation of the reward terms (see :mod:`.rewards`).

    ``cost_scale`` divides the cost term (the table's largest cost); ``cost_unit`` is the
    budget's unit (the table's mean cost). NaN means "learn it": without a table, both become
    the first evaluation's cost.
    """

    inner: Normaliser
    outer: Normaliser
    cost_scale: float
    cost_unit: float

    @classmethod
    def from_table(cls, table: BenchmarkTable) -> Scales:
        filled = table.filled
        outer_valid = np.broadcast_to(filled[:, None, None, :], table.outer.shape[:-1])
        costs = table.cost[filled]
        costs = costs[np.isfinite(costs)]
        top = float(costs.max()) if costs.size else 1.0
        mean = float(costs.mean()) if costs.size else 1.0
        return cls(Normaliser.from_values(table.inner, filled),
                   Normaliser.from_values(table.outer, outer_valid),
                   top if top > 0 else 1.0, mean if mean > 0 else 1.0)

    @classmethod
    def identity(cls, n_inner: int, n_outer: int) -> Scales:
        """Raw metrics; cost scale and unit learnt from the first evaluation."""
        return cls(Normaliser.identity(n_inner), Normaliser.identity(n_outer), math.nan,
                   math.nan)


def own_columns(components: Sequence[str], names: Sequence[str]) -> list[int]:
    """The components' own inner metrics (``component.metric``)."""
    return sorted({i for i, n in enumerate(names) for c in components
                   if n.startswith(c + ".")})


def fallback_columns(components: Sequence[str], names: Sequence[str]) -> list[int]:
    """Pipeline-level metrics standing in for the components (``recall`` for retrieval,
    ``ndcg`` for ranking, ...), else every pipeline-level metric."""
    fall = {names.index(FALLBACK_INNER[c]) for c in components if FALLBACK_INNER.get(c) in names}
    if fall:
        return sorted(fall)
    return [i for i, n in enumerate(names) if "." not in n or n.startswith("pipeline.")] or \
        list(range(len(names)))


def inner_columns(components: Sequence[str], names: Sequence[str]) -> list[int]:
    """Inner metrics that judge a unit: its components' own, else their fallbacks."""
    return own_columns(components, names) or fallback_columns(components, names)


class InnerMix:
    """Per-unit inner value: the mean of the unit's own finite (normalised) metrics, else of
    its fallback metrics, else 0 -- a metric a configuration does not produce is NaN in the
    table (no ranked segment: no ``ranking.*``) and must not count as a zero."""

    def __init__(self, components: Sequence[Sequence[str]], names: Sequence[str]) -> None:
        self.own = np.zeros((len(components), len(names)))
        self.fallback = np.zeros((len(components), len(names)))
        for u, comps in enumerate(components):
            self.own[u, own_columns(comps, names)] = 1.0
            self.fallback[u, fallback_columns(comps, names)] = 1.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``(..., n_units)`` from normalised metrics ``(..., n_inner)``."""
        finite = np.isfinite(x)
        z, f = np.where(finite, x, 0.0), finite.astype(np.float64)
        own_n, fb_n = f @ self.own.T, f @ self.fallback.T
        own = (z @ self.own.T) / np.maximum(own_n, 1.0)
        fb = (z @ self.fallback.T) / np.maximum(fb_n, 1.0)
        return np.where(own_n > 0, own, np.where(fb_n > 0, fb, 0.0))  # type: ignore[no-any-return]
