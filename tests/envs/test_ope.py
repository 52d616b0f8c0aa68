"""Outer reward from real logs: the off-policy table on the Open Bandit sample."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import agentic_env  # noqa: F401
from agentic_env.envs.ope import LoggedBandit, estimates, ope_table, policy_probs
from agentic_env.offpolicy import fit_mean_reward


def _logs(shared_data: Path) -> tuple:
    from agentic_env.data import load

    folder = shared_data / "open-bandit-dataset-small"
    return (load("open-bandit", path=folder, policy="random", campaign="all"),
            load("open-bandit", path=folder, policy="bts", campaign="all"))


def test_uniform_policy_value_from_bts_logs_matches_the_random_logs(shared_data: Path) -> None:
    random_log, bts_log = _logs(shared_data)
    truth = float(random_log.labels.mean())  # on-policy value of the uniform policy
    bandit = LoggedBandit.from_log(bts_log)
    uniform = policy_probs(np.zeros(bandit.n_actions), 0.0, 0.0)[None, :]
    q = fit_mean_reward(bandit.actions, bandit.positions, bandit.rewards, bandit.n_actions)
    rng = np.random.default_rng(0)
    n = len(bandit.actions)
    for name in ("ips", "snips", "dr"):
        draws = [estimates(bandit, uniform, rng.integers(0, n, n), q)[name][0]
                 for _ in range(200)]
        low, high = np.quantile(draws, [0.005, 0.995])
        assert low <= truth <= high, (name, low, high, truth)
        assert high - low < 0.01


def test_env_runs_on_the_off_policy_table(shared_data: Path) -> None:
    random_log, _ = _logs(shared_data)
    bandit = LoggedBandit.from_log(random_log)
    clicks = np.bincount(bandit.actions, bandit.rewards, bandit.n_actions)
    shown = np.bincount(bandit.actions, minlength=bandit.n_actions)
    table = ope_table(bandit, (clicks + 0.5) / (shown + 100), n_repeats=4)
    uniform_code = table.grid.code_of({"reranking.temperature": 0.0,
                                       "reranking.exploration": 0.0})
    # on uniform logs a uniform target has weights 1: SNIPS is each resample's click rate
    assert table.outer[uniform_code, 0, 0, :, 0].mean() == pytest.approx(
        random_log.labels.mean(), abs=0.003)
    assert table.inner[uniform_code, 0, 0] == pytest.approx(1.0)  # full entropy
    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="reranking",
                   horizon=5)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.action_space.sample())
    assert np.isfinite(reward) and info["scenario"] == "logged"
    with pytest.raises(ValueError, match="one entry per action"):
        ope_table(bandit, np.zeros(3))
