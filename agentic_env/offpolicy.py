"""Off-policy estimates of a policy's click rate from logs with known logging propensities.

Where a decision can be scored on real logged propensities (the re-ranker on the Open Bandit
sample), these estimators give an outer reward measured on real users instead of the simulator:

* IPS: ``mean(w * r)`` with ``w = pi_e(a|x) / pi_b(a|x)``; unbiased, high variance.
* SNIPS: ``sum(w * r) / sum(w)``; self-normalised, slightly biased, far lower variance.
* DR: ``mean(q(x, pi_e) + w * (r - q(x, a)))``; unbiased when either the propensities or the reward
  model ``q`` are right (doubly robust).

Each returns an :class:`Estimate` with a bootstrap confidence interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Estimator = Callable[..., float]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a percentile-bootstrap interval."""

    value: float
    low: float
    high: float
    n: int

    def contains(self, truth: float) -> bool:
        return self.low <= truth <= self.high


def _check(rewards: np.ndarray, pscore: np.ndarray, target: np.ndarray) -> None:
    if not (len(rewards) == len(pscore) == len(target)) or len(rewards) == 0:
        raise ValueError(
            "rewards, logging propensities and target probabilities need one entry per logged "
            f"row and at least one row; got {len(rewards)}, {len(pscore)}, {len(target)}"
        )
    if np.isnan(pscore).any() or (pscore <= 0).any() or (pscore > 1).any():
        raise ValueError("logging propensities must lie in (0, 1] with no NaN")
    if np.isnan(target).any() or (target < 0).any() or (target > 1).any():
        raise ValueError("target-policy probabilities must lie in [0, 1] with no NaN")


def ips(rewards: np.ndarray, pscore: np.ndarray, target: np.ndarray) -> float:
    """Inverse propensity scoring: ``target`` is ``pi_e`` of each logged action."""
    _check(rewards, pscore, target)
    return float(np.mean(target / pscore * rewards))


def snips(rewards: np.ndarray, pscore: np.ndarray, target: np.ndarray) -> float:
    """Self-normalised IPS."""
    _check(rewards, pscore, target)
    weights = target / pscore
    total = weights.sum()
    return float((weights * rewards).sum() / total) if total > 0 else 0.0


def doubly_robust(
    rewards: np.ndarray,
    pscore: np.ndarray,
    target: np.ndarray,
    q_logged: np.ndarray,
    q_target: np.ndarray,
) -> float:
    """Doubly robust estimate.

    Args:
        q_logged: Reward model's prediction for each logged action.
        q_target: Reward model's expectation under ``pi_e`` for each logged context.
    """
    _check(rewards, pscore, target)
    return float(np.mean(q_target + target / pscore * (rewards - q_logged)))


def bootstrap(
    estimator: Estimator,
    *columns: np.ndarray,
    rng: np.random.Generator,
    n_boot: int = 200,
    level: float = 0.95,
) -> Estimate:
    """Point estimate plus a percentile bootstrap interval (rows resampled with replacement)."""
    value = estimator(*columns)
    n = len(columns[0])
    idx = rng.integers(0, n, size=(n_boot, n))
    draws = np.array([estimator(*(c[i] for c in columns)) for i in idx])
    alpha = (1 - level) / 2
    low, high = np.quantile(draws, [alpha, 1 - alpha])
    return Estimate(value, float(low), float(high), n)


def fit_mean_reward(
    actions: np.ndarray,
    positions: np.ndarray,
    rewards: np.ndarray,
    n_actions: int,
    prior: float = 1.0,
) -> np.ndarray:
    """A simple reward model for DR: smoothed click rate per (action, position).

    Returns an ``(n_actions, n_positions)`` table; ``prior`` pseudo-observations at the global
    rate keep rare actions from getting extreme estimates.
    """
    n_positions = int(positions.max()) + 1
    clicks = np.zeros((n_actions, n_positions))
    shown = np.zeros((n_actions, n_positions))
    np.add.at(clicks, (actions, positions), rewards)
    np.add.at(shown, (actions, positions), 1.0)
    base = rewards.mean()
    return (clicks + prior * base) / (shown + prior)
