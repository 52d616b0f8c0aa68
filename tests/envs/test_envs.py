"""The Gymnasium environments: API checks over every id, mode and scenario; episodes; actions."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import agentic_env  # noqa: F401  (registers the ids)
from agentic_env.envs import IDS
from agentic_env.envs.backends import LiveBackend
from agentic_env.envs.codec import ActionError
from agentic_env.envs.synthetic import SCENARIOS
from agentic_env.evaluator.table import BUNDLED, BenchmarkTable
from tests.envs.conftest import LIVE_SCENARIOS

CASES = [(env_id, mode, s) for env_id in IDS for mode in ("cached", "surrogate")
         for s in SCENARIOS] + [(env_id, "live", s) for env_id in IDS for s in LIVE_SCENARIOS]


def make(env_id: str, mode: str, scenario: str | None, table: BenchmarkTable,
         live: LiveBackend | None = None, **kwargs: Any) -> gym.Env[Any, Any]:
    source = {"live": live} if mode == "live" else {"table": table}
    return gym.make(env_id, mode=mode, scenario=scenario, horizon=8, **source, **kwargs)


def rollout(env: gym.Env[Any, Any], seed: int, steps: int) -> list[Any]:
    obs, info = env.reset(seed=seed)
    env.action_space.seed(seed)
    trace = [obs, info["code"]]
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        trace += [obs, reward, info["code"], info["rollout"]]
        if terminated or truncated:
            obs, info = env.reset()
            trace += [obs, info["code"]]
    return trace


@pytest.mark.parametrize(("env_id", "mode", "scenario"), CASES)
def test_env_passes_checkers_and_is_deterministic(env_id: str, mode: str, scenario: str,
                                                  table: BenchmarkTable,
                                                  live_backend: LiveBackend) -> None:
    env = make(env_id, mode, scenario, table, live_backend)
    gym_check_env(env.unwrapped, skip_render_check=True)
    sb3_check_env(env.unwrapped, warn=True)
    first = rollout(make(env_id, mode, scenario, table, live_backend), seed=3, steps=10)
    second = rollout(make(env_id, mode, scenario, table, live_backend), seed=3, steps=10)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    other = rollout(make(env_id, mode, scenario, table, live_backend), seed=4, steps=10)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=False))


def test_info_carries_rewards_code_and_regret(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=table, scenario="stationary")
    env.reset(seed=0)
    s = table.scenarios.index("stationary")
    best_code, _ = table.best("reward", s, 0)
    action = table.grid.decode(best_code)
    for _ in range(3):  # propose the best until the A/B test rolls it out
        _, reward, _, _, info = env.step(action)
        if info["code"] == best_code:
            break
    assert info["code"] == best_code
    assert info["regret"] == pytest.approx(0.0, abs=1e-5)
    weights = env.unwrapped.weights
    expected = weights.inner * info["inner"] + weights.outer * info["outer"] - \
        weights.cost * info["cost"]
    assert reward == pytest.approx(expected - (0.1 if info["risk_event"] else 0.0))
    _, _, _, _, info = env.step(table.grid.decode(0))
    assert info["proposed_code"] == 0 and info["regret"] >= 0


def test_budget_terminates_and_horizon_truncates(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=table, horizon=100, budget=3.0)
    env.reset(seed=0)
    n = table.grid.radices
    for t in range(100):  # a new configuration every step spends the budget
        action = np.array([(t + 1) % r for r in n])
        _, _, terminated, truncated, info = env.step(action)
        if terminated:
            break
    assert terminated and not truncated and info["budget_left"] <= 0
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=table, horizon=5, budget=3.0)
    env.reset(seed=0)
    keep = table.grid.decode(0)  # the incumbent again: no evaluation, no cost
    flags = [env.step(keep)[2:4] for _ in range(5)]
    assert flags[-1] == (False, True) and all(f == (False, False) for f in flags[:-1])


def test_phase_advances_with_steps(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, horizon=6,
                   steps_per_phase=3, scenario="cold_start_wave")
    obs0, _ = env.reset(seed=0)
    phases = [env.step(env.unwrapped.codec.encode(env.unwrapped.core.indices))[4]["phase"]
              for _ in range(6)]
    assert phases == [0, 0, 0, 1, 1, 1]
    shares = env.unwrapped.core.context[:4]
    assert shares[0] > obs0[0] and shares.sum() == pytest.approx(1.0)  # cold-start share up


def test_bad_actions_raise_clear_errors(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="reranking")
    env.reset(seed=0)
    with pytest.raises(ActionError, match="out of range"):
        env.step(np.array([3]))
    with pytest.raises(ActionError, match="out of range"):
        env.step(np.array([-1]))
    with pytest.raises(ActionError, match="1 integers"):
        env.step(np.array([0, 1]))
    with pytest.raises(ActionError, match="1 integers"):
        env.step(np.array([0.5]))


@pytest.mark.parametrize("on_masked", ["raise", "keep"])
def test_reserved_slots_are_masked(table: BenchmarkTable, on_masked: str) -> None:
    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="reranking",
                   reserved_slots=2, on_masked=on_masked)
    env.reset(seed=0)
    assert env.action_space.nvec.tolist() == [5]
    assert env.unwrapped.action_masks().tolist() == [True, True, True, False, False]
    if on_masked == "raise":
        with pytest.raises(ActionError, match="masked"):
            env.step(np.array([4]))
        return
    _, reward, _, _, info = env.step(np.array([4]))
    assert info["masked"] == 1 and info["proposed_code"] == info["code"] == 0
    _, clean, _, _, _ = env.step(np.array([0]))
    assert reward < clean + 0.5  # the penalty applied (reward terms are in [0, 1])


def test_unknown_arguments_and_agents_are_errors(table: BenchmarkTable) -> None:
    with pytest.raises(ValueError, match="agents: "):
        gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="gate")
    with pytest.raises(TypeError, match="unknown arguments"):
        gym.make("AgenticRS/PipelineEvolution-v0", table=table, horizonn=3)
    with pytest.raises(ValueError, match="not evaluated here"):
        gym.make("AgenticRS/PipelineEvolution-v0", table=table, scenario="nowhere")
    with pytest.raises(ValueError, match="unknown mode"):
        gym.make("AgenticRS/PipelineEvolution-v0", table=table, mode="magic")


@pytest.mark.parametrize("env_id", list(IDS))
def test_ppo_trains_2000_steps(env_id: str, table: BenchmarkTable) -> None:
    from stable_baselines3 import PPO

    env = gym.make(env_id, table=table, horizon=20)
    model = PPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=1, seed=0,
                device="cpu", policy_kwargs={"net_arch": [16]})
    model.learn(total_timesteps=2000)
    assert model.num_timesteps >= 2000


def test_maskable_ppo_reads_action_masks(table: BenchmarkTable) -> None:
    from sb3_contrib import MaskablePPO

    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="reranking",
                   reserved_slots=2, horizon=10)
    model = MaskablePPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=1, seed=0,
                        device="cpu", policy_kwargs={"net_arch": [8]})
    model.learn(total_timesteps=256)  # would raise ActionError on any masked slot
    assert model.num_timesteps >= 256


def test_bundled_table_steps_or_is_reported_missing() -> None:
    if not BUNDLED.exists():
        with pytest.raises(FileNotFoundError, match="build one"):
            gym.make("AgenticRS/PipelineEvolution-v0")
        return
    env = gym.make("AgenticRS/PipelineEvolution-v0")
    env.reset(seed=0)
    obs, reward, *_ = env.step(env.action_space.sample())
    assert env.observation_space.contains(obs) and np.isfinite(reward)


def test_traffic_share_is_an_action_when_asked(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/IndividualEvolution-v0", table=table, agent="router",
                   traffic_choices=(0.1, 0.5), scenario="stationary")
    assert env.action_space.nvec.tolist() == [2, 2]
    gym_check_env(env.unwrapped, skip_render_check=True)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([1, 1]))
    assert info["traffic"] == 0.5
    _, _, _, _, info = env.step(np.array([0, 0]))
    assert info["traffic"] == 0.1
    with pytest.raises(ActionError, match="traffic index"):
        env.step(np.array([0, 2]))


def test_reset_options_choose_scenario_and_start(table: BenchmarkTable) -> None:
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=table)
    _, info = env.reset(seed=0, options={"scenario": "objective_shift", "start": 17})
    assert info["scenario"] == "objective_shift" and info["code"] == 17
    with pytest.raises(ValueError, match="not evaluated here"):
        env.reset(options={"scenario": "nowhere"})
    with pytest.raises(ValueError, match="start must be a code"):
        env.reset(options={"start": table.size})


def test_import_registers_ids_without_torch() -> None:
    import subprocess
    import sys

    code = ("import sys, agentic_env, gymnasium; "
            "assert all(i in gymnasium.registry for i in agentic_env.envs.IDS); "
            "assert 'torch' not in sys.modules, 'torch imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cached_mode_falls_back_to_live_only_when_allowed(live_backend: LiveBackend) -> None:
    from agentic_env.envs.synthetic import synthetic_table
    from tests.envs.conftest import LIVE_KNOBS

    partial = synthetic_table(knobs=LIVE_KNOBS, scenarios=LIVE_SCENARIOS)
    partial.filled[5] = False
    keep = partial.grid.decode(5)
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=partial, start=5,
                   scenario="stationary")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="no evaluation of codes"):
        env.step(keep)
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=partial, start=5,
                   scenario="stationary", allow_live=True, live=live_backend)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(keep)
    assert np.isfinite(reward) and info["code"] == 5
    assert (5, 0) in live_backend.memo  # the live trial ran for the missing code
