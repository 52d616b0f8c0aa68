"""Synthetic benchmark tables with structure: env tests and benchmarks without the bundled one.

Every knob value has an additive effect on each metric (re-drawn per scenario and phase for the
outer metrics, so the best configuration drifts), plus a pairwise interaction and per-repeat
noise; costs grow with the model knobs.
"""

from __future__ import annotations

import numpy as np

from agentic_env.evaluator.grid import Grid, GridKnob
from agentic_env.evaluator.table import BenchmarkTable

__all__ = ["INNER", "KNOBS", "OUTER", "SCENARIOS", "synthetic_table"]

SCENARIOS = ("stationary", "trend_shift", "cold_start_wave", "new_item_wave", "objective_shift")
INNER = ("recall", "ndcg", "coverage")
OUTER = ("reward", "ctr", "return_rate")

KNOBS = (
    GridKnob("recall_1.mf.dim", (16, 64), "recall_1", ("model",)),
    GridKnob("ranking.arch", ("fm", "dcn"), "ranking", ("model",)),
    GridKnob("ranking.feature.item_genres", (False, True), "ranking", ("feature",)),
    GridKnob("fusion.weight.recall_0", (0.0, 1.0), "fusion", ("composition",)),
    GridKnob("fusion.size", (100, 300), "fusion", ("serving",)),
    GridKnob("reranking.mmr", (0.0, 0.3, 0.7), "reranking", ("model",)),
    GridKnob("router.path.cold_start", ("full", "popular"), "router", ("composition",)),
)


def synthetic_table(seed: int = 0, n_repeats: int = 3, n_phases: int = 2,
                    knobs: tuple[GridKnob, ...] = KNOBS,
                    scenarios: tuple[str, ...] = SCENARIOS) -> BenchmarkTable:
    """A complete table over ``knobs`` with additive effects, one interaction and noise."""
    rng = np.random.default_rng(seed)
    grid = Grid(knobs)
    idx = grid.decode(np.arange(grid.size))  # (S, K)
    s, r, c = grid.size, n_repeats, len(scenarios)

    def additive(shape: tuple[int, ...]) -> np.ndarray:
        out = np.zeros((s, *shape))
        for k, knob in enumerate(knobs):
            effects = rng.normal(0, 1, (len(knob.values), *shape))
            out += effects[idx[:, k]]
        return out

    inner = additive((len(INNER),))[:, None, :] + rng.normal(0, 0.3, (s, r, len(INNER)))
    outer_mean = additive((c, n_phases, len(OUTER)))
    outer_mean += 0.8 * (idx[:, 0] == idx[:, 1])[:, None, None, None]  # an interaction
    outer = outer_mean[:, :, :, None, :] + rng.normal(0, 0.3, (s, c, n_phases, r, len(OUTER)))
    cost = 1.0 + idx[:, :3].sum(axis=1)[:, None] + rng.uniform(0, 0.2, (s, r))
    return BenchmarkTable(grid, scenarios, n_phases, INNER, OUTER,
                          inner.astype(np.float32), outer.astype(np.float32),
                          cost.astype(np.float32), np.ones((s, r), bool),
                          {"source": "synthetic", "seed": seed})
