"""Live evolution over the full decision space with Box actions (tiny log)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from agentic_env.envs.backends import LiveBackend
from agentic_env.envs.codec import ActionError
from agentic_env.envs.space_env import SpaceEvolutionEnv


def test_space_env_checks_clips_and_is_deterministic(live_backend: LiveBackend) -> None:
    def make() -> SpaceEvolutionEnv:
        return SpaceEvolutionEnv(live_backend.trial, agent="reranking", horizon=6,
                                 scenario="stationary", n_batches=4)

    env = make()
    assert env.codec.names[0].startswith("reranking.")
    gym_check_env(env, skip_render_check=True)
    sb3_check_env(env, warn=True)
    traces = []
    for _ in range(2):
        e = make()
        e.reset(seed=5)
        e.action_space.seed(5)
        traces.append([e.step(e.action_space.sample())[1] for _ in range(3)])
    assert traces[0] == traces[1]
    env.reset(seed=0)
    _, _, _, _, clipped = env.step(np.full(env.action_space.shape, 7.0))  # clipped to 1
    _, _, _, _, edge = env.step(np.ones(env.action_space.shape))
    assert clipped["config"] == edge["config"] or not clipped["rollout"]
    with pytest.raises(ActionError, match="no NaN"):
        env.step(np.full(env.action_space.shape, np.nan))
