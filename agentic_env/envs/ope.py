"""Outer reward from real logs: off-policy estimates of a selection policy's click rate.

Where a decision can be scored on logged propensities -- which item a re-ranker puts in a slot,
on the Open Bandit sample -- the outer reward need not come from the simulator. A family of
selection policies (a softmax over per-item scores with a ``temperature`` knob and an
``exploration`` mix with the uniform policy, both owned by the re-ranking agent) is evaluated on
a logged sample with IPS, SNIPS and DR (:mod:`agentic_env.offpolicy`). Each repeat is the
estimate on one bootstrap resample of the rows, so the result is an ordinary
:class:`~agentic_env.evaluator.table.BenchmarkTable` (outer ``"reward"`` = the chosen estimator)
and every environment runs on it unchanged::

    table = ope_table(LoggedBandit.from_log(random_log), scores)
    env = gymnasium.make("AgenticRS/IndividualEvolution-v0", table=table, agent="reranking")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.evaluator.grid import Grid, GridKnob
from agentic_env.evaluator.table import BenchmarkTable
from agentic_env.offpolicy import fit_mean_reward

ESTIMATORS = ("ips", "snips", "dr")
TEMPERATURES = (0.0, 50.0, 200.0, 1000.0)
EXPLORATION = (0.0, 0.2, 0.5)


@dataclass(frozen=True)
class LoggedBandit:
    """Logged slot decisions: chosen item, slot position, click, logging propensity."""

    actions: np.ndarray
    positions: np.ndarray
    rewards: np.ndarray
    pscore: np.ndarray
    n_actions: int

    @classmethod
    def from_log(cls, log: InteractionLog) -> LoggedBandit:
        """Rows of a log with known propensities (item = action); NaN propensities are an error."""
        pscore = log.frame["propensity"].to_numpy(np.float64)
        if np.isnan(pscore).any() or len(pscore) == 0:
            raise ValueError(f"log {log.name!r} needs a logging propensity on every row")
        positions = np.maximum(log.frame["position"].to_numpy(np.int64), 0)
        return cls(log.items.astype(np.int64), positions, log.labels.astype(np.float64),
                   pscore, int(log.n_items))


def policy_probs(scores: np.ndarray, temperature: float, exploration: float) -> np.ndarray:
    """``(n_actions,)`` probabilities: ``(1 - exploration) * softmax(temperature * scores)
    + exploration / n``. Temperature 0 is the uniform policy."""
    z = temperature * (scores - scores.max())
    soft = np.exp(z) / np.exp(z).sum()
    return (1.0 - exploration) * soft + exploration / len(scores)


def estimates(bandit: LoggedBandit, target: np.ndarray, rows: np.ndarray,
              q: np.ndarray) -> dict[str, np.ndarray]:
    """IPS, SNIPS and DR of every policy in ``target`` ``(n_policies, n_actions)`` on ``rows``."""
    a, pos, r, p = (bandit.actions[rows], bandit.positions[rows], bandit.rewards[rows],
                    bandit.pscore[rows])
    w = target[:, a] / p
    wr = w * r
    q_target = target @ q[:, pos]  # expected model reward under each policy, per row
    dr = (q_target + w * (r - q[a, pos])).mean(axis=1)
    total = w.sum(axis=1)
    snips = np.where(total > 0, wr.sum(axis=1) / np.where(total > 0, total, 1.0), 0.0)
    return {"ips": wr.mean(axis=1), "snips": snips, "dr": dr}


def ope_grid(temperatures: Sequence[float] = TEMPERATURES,
             exploration: Sequence[float] = EXPLORATION) -> Grid:
    """The policy family as a grid owned by the re-ranking agent."""
    return Grid([GridKnob("reranking.temperature", tuple(temperatures), "reranking", ("model",)),
                 GridKnob("reranking.exploration", tuple(exploration), "reranking",
                          ("serving",))])


def ope_table(bandit: LoggedBandit, scores: np.ndarray, *, estimator: str = "snips",
              grid: Grid | None = None, n_repeats: int = 8, seed: int = 0) -> BenchmarkTable:
    """A one-scenario table of the policy family's off-policy values (see module docstring).

    Outer metrics: ``reward`` (the ``estimator``'s value) and each estimator by name; inner
    metric ``coverage``: the policy's normalised entropy (how many items it still shows).
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}; valid: {list(ESTIMATORS)}")
    scores = np.asarray(scores, np.float64)
    if scores.shape != (bandit.n_actions,):
        raise ValueError(f"scores must have one entry per action ({bandit.n_actions}), "
                         f"got shape {scores.shape}")
    grid = grid or ope_grid()
    values = [grid.values_of(c) for c in range(grid.size)]
    target = np.stack([policy_probs(scores, float(v["reranking.temperature"]),
                                    float(v["reranking.exploration"])) for v in values])
    q = fit_mean_reward(bandit.actions, bandit.positions, bandit.rewards, bandit.n_actions)
    rng = np.random.default_rng(seed)
    n = len(bandit.actions)
    outer_names = ("reward", *ESTIMATORS)
    outer = np.zeros((grid.size, 1, 1, n_repeats, len(outer_names)), np.float32)
    for rep in range(n_repeats):
        est = estimates(bandit, target, rng.integers(0, n, n), q)
        outer[:, 0, 0, rep] = np.stack([est[estimator], *(est[e] for e in ESTIMATORS)], axis=1)
    entropy = -(target * np.log(np.maximum(target, 1e-300))).sum(axis=1) / np.log(
        bandit.n_actions)
    inner = np.repeat(entropy[:, None, None], n_repeats, axis=1).astype(np.float32)
    cost = np.full((grid.size, n_repeats), 1.0, np.float32)
    return BenchmarkTable(grid, ("logged",), 1, ("coverage",), outer_names, inner, outer, cost,
                          np.ones((grid.size, n_repeats), bool),
                          {"source": "off-policy", "estimator": estimator, "rows": n})
