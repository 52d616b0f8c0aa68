from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import agentic_env  # noqa: F401  (registers the env ids)
from agentic_env.envs import IDS
from agentic_env.envs.synthetic import synthetic_table
from policies.budget import Budget
from policies.recording import RunRecorder, events
from policies.rl import ALGORITHMS, FlatDiscrete, train

SMALL: dict[str, dict[str, Any]] = {
    "ppo": {"n_steps": 8, "batch_size": 8, "n_epochs": 1},
    "maskable_ppo": {"n_steps": 8, "batch_size": 8, "n_epochs": 1},
    "a2c": {"n_steps": 4},
    "dqn": {"learning_starts": 4, "train_freq": 2, "buffer_size": 100},
}


def make_env(env_id: str) -> gym.Env[Any, Any]:
    return gym.make(env_id, table=synthetic_table(), horizon=6, budget=100.0)


@pytest.mark.parametrize("env_id", sorted(IDS))
@pytest.mark.parametrize("algo", sorted(ALGORITHMS))
def test_driver_runs_on_env_and_writes_to_store(algo: str, env_id: str, store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, f"rl-{algo}", seed=0)
    result = train(algo, make_env(env_id), Budget(evaluations=12), seed=0, recorder=recorder,
                   **SMALL[algo])
    assert len(result.trace) == 12 and result.model.num_timesteps >= 12
    history = store.run_history(recorder.run_id)
    assert (history["kind"] == "reward").sum() == 12
    assert len(events(store, recorder.run_id, "episode")) == 2  # horizon 6
    assert np.isfinite(result.trace.regrets).all()


def test_budget_in_compute_seconds_stops_training(store) -> None:  # type: ignore[no-untyped-def]
    result = train("ppo", make_env("AgenticRS/PipelineEvolution-v0"), Budget(seconds=5.0),
                   **SMALL["ppo"])
    costs = np.asarray(result.trace.costs)
    assert costs.sum() >= 5.0 and costs[:-1].sum() < 5.0


@pytest.mark.parametrize("algo", ["ppo", "dqn"])
def test_resume_continues_model_trace_and_store_run(algo: str, tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, "resume", seed=0)
    env_id = "AgenticRS/PipelineEvolution-v0"
    first = train(algo, make_env(env_id), Budget(evaluations=16), run_dir=tmp_path,
                  recorder=recorder, checkpoint_every=8, **SMALL[algo])
    assert first.resumed_from is None
    again = RunRecorder(store, "resume", seed=0, run_id=first.run_id)
    second = train(algo, make_env(env_id), Budget(evaluations=24), run_dir=tmp_path,
                   recorder=again, checkpoint_every=8, **SMALL[algo])
    assert second.resumed_from == 16 and second.model.num_timesteps == 24
    assert second.trace.codes[:16] == first.trace.codes and len(second.trace) == 24
    assert (store.run_history(first.run_id)["kind"] == "reward").sum() == 24
    if algo == "dqn":
        # 8 new steps after the resume: more in the buffer means the old transitions came back
        assert second.model.replay_buffer.size() > 16  # type: ignore[attr-defined]


def test_wandb_offline_writes_under_run_dir(tmp_path: Path) -> None:
    train("a2c", make_env("AgenticRS/IndividualEvolution-v0"), Budget(evaluations=4),
          run_dir=tmp_path, wandb_mode="offline", **SMALL["a2c"])
    assert list((tmp_path / "wandb").glob("offline-run-*"))


def test_flat_discrete_enumerates_multidiscrete_actions() -> None:
    env = FlatDiscrete(make_env("AgenticRS/CompositionalEvolution-v0"))
    nvec = env.nvec
    assert env.action_space.n == int(np.prod(nvec))
    assert env.action(int(np.prod(nvec)) - 1).tolist() == [n - 1 for n in nvec]
    with pytest.raises(ValueError, match="max_actions"):
        FlatDiscrete(make_env("AgenticRS/PipelineEvolution-v0"), max_actions=4)


def test_same_seed_same_training() -> None:
    def codes() -> list[int]:
        env = make_env("AgenticRS/PipelineEvolution-v0")
        env.reset(seed=3)
        return train("ppo", env, Budget(evaluations=20), seed=3, **SMALL["ppo"]).trace.codes

    assert codes() == codes()


def test_training_leaves_no_sb3_log_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where SB3's default logger writes
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=synthetic_table(), horizon=8)
    train("maskable_ppo", env, Budget(evaluations=40), seed=0, n_steps=16, batch_size=16)
    assert not list(tmp_path.glob("SB3-*"))
