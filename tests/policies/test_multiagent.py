from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from stable_baselines3 import PPO

from agentic_env.envs import coevolution_v0
from agentic_env.envs.synthetic import synthetic_table
from agentic_env.evaluator.grid import GridKnob
from policies.multiagent import AgentView, IndependentLearners, SharedPolicyVecEnv
from policies.recording import RunRecorder
from policies.rl import make_model

ALGOS = {"retrieval": "ppo", "ranking": "dqn", "fusion": "a2c", "reranking": "maskable_ppo",
         "router": "ppo"}
#: one binary knob per agent: every agent has the same spaces (parameter sharing applies)
SYMMETRIC = (
    GridKnob("recall_1.mf.dim", (16, 64), "recall_1", ("model",)),
    GridKnob("ranking.arch", ("fm", "dcn"), "ranking", ("model",)),
    GridKnob("fusion.size", (100, 300), "fusion", ("serving",)),
    GridKnob("reranking.mmr", (0.0, 0.3), "reranking", ("model",)),
    GridKnob("router.path.cold_start", ("full", "popular"), "router", ("composition",)),
)


def coevolution(knobs: tuple[GridKnob, ...] | None = None) -> Any:
    table = synthetic_table(knobs=knobs) if knobs else synthetic_table()
    return coevolution_v0.parallel_env(table=table, horizon=6, budget=100.0)


def test_agent_view_lets_the_others_act_from_their_policies() -> None:
    calls: list[str] = []

    def fixed(name: str) -> Any:
        def act(obs: np.ndarray) -> Any:
            calls.append(name)
            return np.zeros(len(coevolution().action_space(name).nvec), dtype=np.int64)
        return act

    parallel = coevolution()
    others = [a for a in parallel.possible_agents if a != "ranking"]
    view = AgentView(parallel, "ranking", {a: fixed(a) for a in others})
    view.reset(seed=0)
    _, reward, _, _, info = view.step(view.action_space.sample())
    assert sorted(calls) == sorted(others) and np.isfinite(reward) and "regret" in info
    assert view.action_masks().dtype == bool
    with pytest.raises(ValueError, match="not in the env"):
        AgentView(parallel, "gate")


def test_independent_learners_with_a_method_per_agent(store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, "independent", seed=0)
    options = {"ppo": {"n_steps": 4, "batch_size": 4, "n_epochs": 1},
               "maskable_ppo": {"n_steps": 4, "batch_size": 4, "n_epochs": 1},
               "a2c": {"n_steps": 4}, "dqn": {"learning_starts": 2, "buffer_size": 50}}
    learners = IndependentLearners(coevolution, ALGOS, seed=0, recorder=recorder,
                                   options=options)
    results = learners.learn(rounds=2, steps_per_round=5)
    assert all(len(r) == 2 and all(len(x.trace) == 5 for x in r) for r in results.values())
    assert learners.models["ranking"].num_timesteps == 10
    history = store.run_history(recorder.run_id)
    counts = history[history["kind"] == "reward"]["agent"].value_counts()
    assert counts.to_dict() == dict.fromkeys(ALGOS, 10)


def test_parameter_sharing_one_model_for_all_agents() -> None:
    vec = SharedPolicyVecEnv(coevolution(SYMMETRIC), seed=0)
    assert vec.num_envs == 5
    model = PPO("MlpPolicy", vec, n_steps=8, batch_size=20, n_epochs=1, seed=0, device="cpu")
    model.learn(16)
    assert model.num_timesteps == 5 * 8  # one rollout: 8 steps of each of the 5 agents
    masks = vec.env_method("action_masks")
    assert len(masks) == 5 and all(m.all() for m in masks)


def test_parameter_sharing_refuses_different_spaces() -> None:
    with pytest.raises(ValueError, match="parameter sharing needs equal spaces"):
        SharedPolicyVecEnv(coevolution())


def test_maskable_ppo_on_a_view() -> None:
    model = make_model("maskable_ppo", AgentView(coevolution(), "reranking"), n_steps=8,
                       batch_size=8, n_epochs=1)
    model.learn(8)
    assert model.num_timesteps == 8
