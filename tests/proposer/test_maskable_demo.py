"""The loop the proposer exists for: RL saturates, the LLM adds a template, MaskablePPO goes on.

A one-step environment over the retrieval agent's ``model`` knob (reserved slots masked) with
known rewards per backbone stands in for the evaluator, so the test is about the mechanics: the
policy's output layer never changes, the new action is unmasked, and training continues on it.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from sb3_contrib import MaskablePPO

from agentic_env.store import KnowledgeStore
from agents.knobs import Categorical
from agents.retrieval_agent import RetrievalAgent
from policies.proposer import LLMProposer, OpenAICompatBackend, propose_and_integrate
from policies.saturation import SaturationDetector
from tests.proposer.conftest import fast_config
from tests.proposer.server import ScriptedChatServer, answer

REWARD = {"popularity": 0.1, "item_knn": 0.3, "mf": 0.4, "sasrec": 0.45, "content": 0.05}
GATED = {"name": "sasrec_gated", "agent": "retrieval", "knob": "model", "rationale": "gate",
         "blocks": [{"block": "sasrec", "params": {"dim": 32, "n_heads": 2}},
                    {"block": "gated_attention"}]}


class ChoiceEnv(gym.Env[np.ndarray, np.int64]):
    """One decision per episode: which backbone; reward from a lookup (templates: 0.8)."""

    def __init__(self, knob: Categorical) -> None:
        self.knob = knob
        self.action_space = gym.spaces.Discrete(knob.n_options)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (1,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action: np.int64) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        choice = str(self.knob.option(int(action)))
        return np.zeros(1, np.float32), REWARD.get(choice, 0.8), True, False, {}

    def action_masks(self) -> np.ndarray:
        return self.knob.mask()


def greedy(model: MaskablePPO, env: ChoiceEnv) -> int:
    action, _ = model.predict(np.zeros(1, np.float32), deterministic=True,
                              action_masks=env.action_masks())
    return int(action)


def test_rl_saturates_llm_adds_a_template_maskable_ppo_continues(
        server: ScriptedChatServer, store: KnowledgeStore) -> None:
    space = RetrievalAgent().decision_space()
    env = ChoiceEnv(space["model"])  # type: ignore[arg-type]
    model = MaskablePPO("MlpPolicy", env, n_steps=64, batch_size=64, learning_rate=3e-3,
                        seed=0, verbose=0)
    detector = SaturationDetector(window=3, tolerance=1e-6)
    for _ in range(30):
        model.learn(64, reset_num_timesteps=False)
        if detector.update(REWARD[str(env.knob.option(greedy(model, env)))]):
            break
    assert detector.saturated and env.knob.option(greedy(model, env)) == "sasrec"
    n_actions = model.policy.action_net.out_features

    server.push(answer({"templates": [GATED]}))
    names = propose_and_integrate(LLMProposer(OpenAICompatBackend(fast_config(server.url))),
                                  store, space, "retrieval", lambda r: 0.8, baseline=0.45)
    assert names == ["sasrec_gated"]
    new = env.knob.available.index("sasrec_gated")
    assert env.action_masks()[new] and model.policy.action_net.out_features == n_actions

    model.learn(64 * 12, reset_num_timesteps=False)  # the same policy, a larger action set
    assert greedy(model, env) == new
