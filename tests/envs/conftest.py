"""Fixtures: a synthetic benchmark table and a live backend on the tiny log."""

from __future__ import annotations

import pytest

from agentic_env.envs.backends import LiveBackend
from agentic_env.envs.synthetic import synthetic_table
from agentic_env.evaluator.grid import Grid, GridKnob
from agentic_env.evaluator.table import BenchmarkTable

LIVE_SCENARIOS = ("stationary", "trend_shift", "cold_start_wave", "new_item_wave",
                  "objective_shift")
#: Knobs that need no retraining, so a live step on the tiny log takes a fraction of a second.
LIVE_KNOBS = (
    GridKnob("ranking.blend", (0.5, 1.0), "ranking", ("model",)),
    GridKnob("fusion.weight.recall_0", (0.0, 1.0), "fusion", ("composition",)),
    GridKnob("reranking.mmr", (0.0, 0.5), "reranking", ("model",)),
    GridKnob("router.path.cold_start", ("full", "popular"), "router", ("composition",)),
)


@pytest.fixture(scope="session")
def table() -> BenchmarkTable:
    return synthetic_table()


@pytest.fixture(scope="session")
def live_backend() -> LiveBackend:
    """Real trials (pipeline fit, logged metrics, simulated users) on the tiny log."""
    from agentic_env.evaluator.pipeline_trial import PipelineTrial, SimProtocol
    from tests.pipeline.tiny import tiny_log

    protocol = SimProtocol(scenarios=LIVE_SCENARIOS, n_phases=2, days_per_phase=1, n_users=30,
                           k=5)
    trial = PipelineTrial(loader=tiny_log, protocol=protocol, sim_dim=4)
    return LiveBackend(Grid(LIVE_KNOBS), trial, n_seeds=1)
