"""What one evaluation runs: the ``Trial`` protocol, its result, and fidelity helpers.

A trial maps ``(config, fidelity, seed, context)`` to inner metrics (measured on logged data),
outer metrics (measured on simulated users) and the seconds it cost. The evaluator never looks
inside a trial, so tests plug in cheap synthetic functions and real runs plug in
:class:`~agentic_env.evaluator.pipeline_trial.PipelineTrial`. Trials are sent to worker processes,
so they must be picklable (module-level classes or functions, no lambdas).

Fidelity is a number in ``(0, 1]``: it scales training epochs (:func:`scale_epochs`) and keeps a
seeded, deterministic fraction of the training users (:func:`subsample_users`), as
multi-fidelity HPO benchmarks do with epochs and data size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.store.records import EvaluationResult, check_metrics

Metrics = Mapping[str, float]


@dataclass(frozen=True)
class TrialResult:
    """What a trial measured.

    Attributes:
        inner: Metrics on logged data (recall, NDCG, coverage, ...).
        outer: Metrics from simulated users; the table names them ``scenario.pPHASE.metric``.
        segments: Per-segment metrics, ``{segment: {metric: value}}``.
        cost_seconds: Work done (CPU seconds of the trial, summed when parallel).
    """

    inner: Metrics = field(default_factory=dict)
    outer: Metrics = field(default_factory=dict)
    segments: Mapping[str, Metrics] = field(default_factory=dict)
    cost_seconds: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "inner", check_metrics(self.inner, "inner"))
        object.__setattr__(self, "outer", check_metrics(self.outer, "outer"))

    def to_result(self, wall_seconds: float, objective: str | None) -> EvaluationResult:
        """The store's record of this result; ``objective`` names the metric copied there."""
        value = None
        if objective is not None:
            value = {**self.inner, **self.outer}.get(objective)
        return EvaluationResult(
            inner=self.inner,
            outer=self.outer,
            segments=self.segments,
            objective=value,
            cost_seconds=self.cost_seconds,
            wall_seconds=wall_seconds,
        )


class Trial(Protocol):
    """Evaluates one configuration at one fidelity and seed (see module docstring)."""

    def __call__(
        self, config: Mapping[str, Any], fidelity: float, seed: int, context: Mapping[str, Any]
    ) -> TrialResult: ...


def check_fidelity(fidelity: float) -> float:
    """``fidelity`` as a float, or a ValueError naming it when it is not in ``(0, 1]``."""
    value = float(fidelity)
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ValueError(f"fidelity = {fidelity!r}; expected a number in (0, 1]")
    return value


def scale_epochs(epochs: int, fidelity: float) -> int:
    """Epochs trained at ``fidelity``: ``ceil(epochs * fidelity)``, at least 1."""
    return max(1, math.ceil(int(epochs) * check_fidelity(fidelity)))


def kept_users(n_users: int, fidelity: float, seed: int) -> np.ndarray:
    """Sorted ids of the ``ceil(n_users * fidelity)`` training users kept at this fidelity.

    The draw is a seeded permutation prefix, so a higher fidelity keeps a superset of the users
    a lower one keeps (with the same seed): fidelities are nested, as in successive halving.
    """
    check_fidelity(fidelity)
    order = np.random.default_rng([int(seed), 0xF1DE]).permutation(n_users)
    return np.sort(order[: max(1, math.ceil(n_users * fidelity))])


def subsample_users(log: InteractionLog, fidelity: float, seed: int) -> InteractionLog:
    """The rows of the users kept at ``fidelity`` (ids unchanged; the whole log at 1.0)."""
    if check_fidelity(fidelity) >= 1.0:
        return log
    keep = np.zeros(log.n_users, bool)
    keep[kept_users(log.n_users, fidelity, seed)] = True
    return log.subset(keep[log.users])
