"""Anytime curves and per-agent trajectories: how fast a method finds good configurations.

A curve is indexed by evaluations and by compute seconds spent. At each point it holds the
best mean reward observed so far and the *regret* of the configuration the method would ship
then: for a search method the incumbent (best mean observed reward), for an RL agent on an
environment the deployed configuration (``regret="as_recorded"``: the env's own ``info``). The
regret is against the benchmark table's best, noise-free; neither choice peeks at the table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from policies.search.loop import Trace

if TYPE_CHECKING:
    import pandas as pd

    from agentic_env.store import KnowledgeStore


@dataclass(frozen=True)
class Curve:
    """One run's anytime curve; all arrays have one entry per evaluation."""

    evaluations: np.ndarray
    seconds: np.ndarray
    best_reward: np.ndarray
    regret: np.ndarray


def anytime(trace: Trace, regret: str = "incumbent") -> Curve:
    """The anytime curve of ``trace`` (``regret``: ``"incumbent"`` or ``"as_recorded"``)."""
    if regret not in ("incumbent", "as_recorded"):
        raise ValueError(f"regret must be 'incumbent' or 'as_recorded', got {regret!r}")
    n = len(trace)
    rewards = np.asarray(trace.rewards, dtype=float)
    recorded = np.asarray(trace.regrets, dtype=float)
    best = np.empty(n)
    incumbent_regret = np.empty(n)
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    latest: dict[int, float] = {}
    top_code, top_mean = -1, -np.inf
    for i, code in enumerate(trace.codes):
        sums[code] = sums.get(code, 0.0) + rewards[i]
        counts[code] = counts.get(code, 0) + 1
        latest[code] = recorded[i]
        mean = sums[code] / counts[code]
        if code == top_code or mean > top_mean:  # the incumbent's mean may also fall
            top_code = max(sums, key=lambda c: sums[c] / counts[c])
            top_mean = sums[top_code] / counts[top_code]
        best[i] = top_mean
        incumbent_regret[i] = latest[top_code]
    curve_regret = incumbent_regret if regret == "incumbent" else recorded
    return Curve(np.arange(1, n + 1), np.cumsum(trace.costs), best, curve_regret)


def on_grid(curve: Curve, points: np.ndarray, axis: str = "evaluations",
            field: str = "regret") -> np.ndarray:
    """``field`` of ``curve`` at ``points`` of ``axis`` (the last value reached by each point;
    NaN before the first evaluation)."""
    x = curve.evaluations if axis == "evaluations" else curve.seconds
    y = getattr(curve, field)
    idx = np.searchsorted(x, points, side="right") - 1
    return np.where(idx >= 0, y[np.clip(idx, 0, None)], np.nan)


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of a Student-t confidence interval (``0`` for one value)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        raise ValueError("no values to summarise")
    if v.size == 1:
        return float(v[0]), 0.0
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean()), float(half)


def agent_trajectories(store: KnowledgeStore, run_id: int) -> pd.DataFrame:
    """Per-agent inner/outer/reward by step: columns ``step, agent, inner, outer, reward``."""
    import pandas as pd

    history = store.run_history(run_id)
    rows = history[history["kind"] == "reward"]
    details = [json.loads(d) for d in rows["detail"]]
    return pd.DataFrame({"step": rows["step"].to_numpy(), "agent": rows["agent"].to_numpy(),
                         "inner": [d["inner"] for d in details],
                         "outer": [d["outer"] for d in details],
                         "reward": [d["reward"] for d in details]})
