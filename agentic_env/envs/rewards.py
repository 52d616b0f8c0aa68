"""Layered rewards: each agent mixes its own metric with the system's result.

``reward = inner_weight * inner + outer_weight * outer - cost_weight * cost`` per agent, with
every term normalised to about ``[0, 1]`` (inner and outer by the benchmark table's range of
each metric, cost by the table's largest evaluation cost), so the weights mean shares. Role
defaults follow the AgenticRS paper: agents far from the user (retrieval, ranking, feature and
training agents) lean on their inner metric; agents near the output (fusion, re-ranking),
routing/gating and constraint agents lean on the outer reward. A merged unit averages the
defaults of its components.

A *difference reward* (optional) replaces the outer term by the outer value of the deployed
configuration minus that of the same configuration with this agent's change undone, so each
agent is credited only with what it changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RewardWeights:
    """Weights of one agent's layered reward."""

    inner: float = 0.5
    outer: float = 0.5
    cost: float = 0.1

    def __post_init__(self) -> None:
        if min(self.inner, self.outer, self.cost) < 0:
            raise ValueError(f"reward weights must be >= 0, got {self}")

    def combine(self, inner: np.ndarray, outer: np.ndarray, cost: np.ndarray) -> np.ndarray:
        return self.inner * inner + self.outer * outer - self.cost * cost


ROLE_DEFAULTS: dict[str, RewardWeights] = {
    "retrieval": RewardWeights(0.8, 0.2),
    "ranking": RewardWeights(0.7, 0.3),
    "fusion": RewardWeights(0.3, 0.7),
    "reranking": RewardWeights(0.2, 0.8),
    "router": RewardWeights(0.1, 0.9),
    "gate": RewardWeights(0.2, 0.8),
    "risk": RewardWeights(0.2, 0.8),
    "auto_feature": RewardWeights(0.7, 0.3),
    "auto_train": RewardWeights(0.6, 0.4),
    "auto_perf": RewardWeights(0.2, 0.8),
    "pipeline": RewardWeights(0.2, 0.8),
    "composition": RewardWeights(0.2, 0.8),
}


def default_weights(unit: str, components: Sequence[str] = ()) -> RewardWeights:
    """The role default of ``unit``, else the mean of its components' defaults."""
    if unit in ROLE_DEFAULTS:
        return ROLE_DEFAULTS[unit]
    known = [ROLE_DEFAULTS[c] for c in components if c in ROLE_DEFAULTS]
    if not known:
        return RewardWeights()
    return RewardWeights(float(np.mean([w.inner for w in known])),
                         float(np.mean([w.outer for w in known])),
                         float(np.mean([w.cost for w in known])))


def resolve_weights(units: Mapping[str, Sequence[str]],
                    overrides: Mapping[str, RewardWeights | Mapping[str, float]] | None = None,
                    ) -> dict[str, RewardWeights]:
    """Weights per unit: defaults, replaced by ``overrides`` (a RewardWeights or a dict)."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(units)
    if unknown:
        raise ValueError(f"reward weights given for unknown agents {sorted(unknown)}; "
                         f"agents: {list(units)}")
    out = {}
    for unit, comps in units.items():
        given = overrides.get(unit)
        if given is None:
            out[unit] = default_weights(unit, comps)
        elif isinstance(given, RewardWeights):
            out[unit] = given
        else:
            out[unit] = RewardWeights(**given)
    return out


class Normaliser:
    """Maps raw metrics to ``[0, 1]`` by a fixed range: ``(x - low) / (high - low)``.

    A metric with no spread (``high == low``) maps to 0.5.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        self.low = np.asarray(low, np.float64)
        self.high = np.asarray(high, np.float64)
        span = self.high - self.low
        self.scale = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
        self.offset = np.where(span > 0, -self.low * self.scale, 0.5)

    @classmethod
    def from_values(cls, values: np.ndarray, valid: np.ndarray | None = None) -> Normaliser:
        """Per-metric range over the last axis of ``values`` (rows where ``valid`` holds, if
        given; non-finite entries ignored; a metric with no finite value gets ``[0, 1]``)."""
        flat = values.reshape(-1, values.shape[-1]).astype(np.float64)
        if valid is not None:
            flat = flat[valid.reshape(-1)]
        finite = np.isfinite(flat)
        low = np.where(finite, flat, np.inf).min(axis=0, initial=np.inf)
        high = np.where(finite, flat, -np.inf).max(axis=0, initial=-np.inf)
        empty = ~finite.any(axis=0)
        return cls(np.where(empty, 0.0, low), np.where(empty, 1.0, high))

    @classmethod
    def identity(cls, n: int) -> Normaliser:
        return cls(np.zeros(n), np.ones(n))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return x * self.scale + self.offset  # type: ignore[no-any-return]

    def one(self, x: float, i: int) -> float:
        """Metric ``i`` of a single value, as a float."""
        return float(x * self.scale[i] + self.offset[i])
