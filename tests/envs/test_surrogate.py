"""Surrogate mode: a GP fitted on part of a table predicts the rest of the grid."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import agentic_env  # noqa: F401  (registers the ids)
from agentic_env.envs.surrogate_backend import SurrogateBackend, one_hot
from agentic_env.envs.synthetic import synthetic_table
from agentic_env.evaluator.table import BenchmarkTable


def half_table(seed: int = 0) -> tuple[np.ndarray, BenchmarkTable, BenchmarkTable]:
    full = synthetic_table(seed=seed)
    sampled = synthetic_table(seed=seed)
    held_out = np.random.default_rng(seed).permutation(full.size)[: full.size // 2]
    sampled.filled[held_out] = False
    return held_out, full, sampled


def test_one_hot_marks_one_value_per_knob() -> None:
    grid = synthetic_table().grid
    x = one_hot(grid, np.arange(grid.size))
    assert x.shape == (grid.size, int(grid.radices.sum()))
    assert np.all(x.sum(axis=1) == len(grid.knobs))
    assert len({row.tobytes() for row in x}) == grid.size


def test_predictions_of_unseen_codes_track_the_truth() -> None:
    held_out, full, sampled = half_table()
    backend = SurrogateBackend(sampled)
    reward = full.outer_names.index("reward")
    truth = full.outer[held_out, 0, 0].mean(axis=1)[:, reward]
    predicted = backend.expected(held_out, 0, 0).outer[:, reward]
    assert np.corrcoef(truth, predicted)[0, 1] > 0.8
    # far better than predicting the mean of the seen codes
    seen_mean = full.outer[sampled.filled.any(axis=1), 0, 0, :, reward].mean()
    assert np.mean((predicted - truth) ** 2) < 0.5 * np.mean((seen_mean - truth) ** 2)


def test_samples_are_noisy_around_the_mean_and_seeded() -> None:
    _, _, sampled = half_table()
    backend = SurrogateBackend(sampled)
    codes = np.zeros(4000, np.int64)
    draws = backend.sample(codes, 0, 1, np.random.default_rng(0)).outer[:, 0]
    assert draws.std() > 0
    assert draws.mean() == pytest.approx(backend.expected(codes[:1], 0, 1).outer[0, 0],
                                         abs=4 * draws.std() / np.sqrt(len(codes)))
    again = backend.sample(codes, 0, 1, np.random.default_rng(0)).outer[:, 0]
    assert np.array_equal(draws, again)


def test_surrogate_env_steps_over_codes_the_table_lacks() -> None:
    held_out, _, sampled = half_table()
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=sampled, mode="surrogate")
    env.reset(seed=0)
    grid = sampled.grid
    _, reward, _, _, info = env.step(grid.decode(int(held_out[0])))
    assert np.isfinite(reward) and info["proposed_code"] == int(held_out[0])
    with pytest.raises(ValueError, match="the table has no evaluation"):
        cached = gym.make("AgenticRS/PipelineEvolution-v0", table=sampled, mode="cached")
        cached.reset(seed=0)
        for _ in range(3):
            cached.step(grid.decode(int(held_out[0])))


def test_too_few_cells_is_a_clear_error() -> None:
    table = synthetic_table()
    table.filled[:] = False
    table.filled[0, 0] = True
    with pytest.raises(ValueError, match="needs at least 2 evaluated cells"):
        SurrogateBackend(table)
