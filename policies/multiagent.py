"""Multi-agent learning on a PettingZoo parallel env, with plain SB3 and no SuperSuit.

Two ways to train:
- :class:`IndependentLearners` — one SB3 model per agent (each may use its own algorithm),
  trained in turns on :class:`AgentView`: that agent's observation, action and reward while every
  other agent acts from its current policy.
- :class:`SharedPolicyVecEnv` — parameter sharing: every agent is one slot of a VecEnv, so one
  model acts for all of them and learns from all their transitions. Only where every agent has
  the same observation and action space (it says which agents differ otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from pettingzoo import ParallelEnv
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvStepReturn

from policies.budget import Budget
from policies.recording import RunRecorder
from policies.rl import FlatDiscrete, TrainResult, make_model, prepare_env, train

Policy = Callable[[np.ndarray], Any]
ParallelFactory = Callable[[], ParallelEnv[str, Any, Any]]


class AgentView(gym.Env[Any, Any]):
    """One agent's view of a parallel env; the others act from ``policies`` (random until
    given one)."""

    def __init__(self, parallel: ParallelEnv[str, Any, Any], agent: str,
                 policies: Mapping[str, Policy] | None = None) -> None:
        if agent not in parallel.possible_agents:
            raise ValueError(f"agent {agent!r} is not in the env; agents: "
                             f"{list(parallel.possible_agents)}")
        self.parallel, self.agent = parallel, agent
        self.policies: dict[str, Policy] = dict(policies or {})
        self.observation_space = parallel.observation_space(agent)
        self.action_space = parallel.action_space(agent)
        self._obs: dict[str, Any] = {}

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        self._obs, infos = self.parallel.reset(seed=seed, options=options)
        return self._obs[self.agent], infos.get(self.agent, {})

    def _other_action(self, other: str) -> Any:
        policy = self.policies.get(other)
        if policy is None:
            return self.parallel.action_space(other).sample()
        return policy(self._obs[other])

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        joint = {a: (action if a == self.agent else self._other_action(a))
                 for a in self.parallel.agents}
        obs, rewards, terms, truncs, infos = self.parallel.step(joint)
        self._obs = obs
        return (obs[self.agent], float(rewards[self.agent]), bool(terms[self.agent]),
                bool(truncs[self.agent]), infos[self.agent])

    def action_masks(self) -> np.ndarray:
        """The agent's mask, when the parallel env offers ``action_masks(agent)``."""
        masks = getattr(self.parallel, "action_masks", None)
        if masks is None:
            raise AttributeError("the parallel env has no action_masks(agent)")
        return np.asarray(masks(self.agent))


def policy_of(model: BaseAlgorithm, deterministic: bool = False) -> Policy:
    """An observation -> action function from an SB3 model (for the other agents)."""
    return lambda obs: model.predict(obs, deterministic=deterministic)[0]


class IndependentLearners:
    """One model per agent, trained in turns, each on its own view of its own env copy.

    Args:
        make_env: Builds a fresh parallel env (one per agent's view).
        algos: An algorithm name for all agents, or one per agent (``ALGORITHMS`` names).
        seed: Seeds the models and the views' resets.
        recorder: When given, each agent's steps are written to this store run as that agent.
        options: Algorithm options by algorithm name (``{"ppo": {"n_steps": 32}}``).
    """

    def __init__(self, make_env: ParallelFactory, algos: str | Mapping[str, str],
                 seed: int = 0, recorder: RunRecorder | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        agents = list(make_env().possible_agents)
        names = {a: algos for a in agents} if isinstance(algos, str) else dict(algos)
        missing = set(agents) - set(names)
        if missing:
            raise ValueError(f"no algorithm for agents {sorted(missing)}")
        self.algos, self.seed, self.recorder = names, seed, recorder
        options = options or {}
        self.views = {a: AgentView(make_env(), a) for a in agents}
        self.envs = {a: prepare_env(names[a], self.views[a]) for a in agents}
        self.models = {a: make_model(names[a], self.envs[a], seed + i,
                                     **options.get(names[a], {}))
                       for i, a in enumerate(agents)}
        for view in self.views.values():
            view.policies = {o: self._acting(o) for o in agents if o != view.agent}
        self.results: dict[str, list[TrainResult]] = {a: [] for a in agents}

    def _acting(self, agent: str) -> Policy:
        """The current policy of ``agent`` (looked up at each call, so it follows training);
        DQN's flat actions are mapped back to the env's MultiDiscrete."""
        env = self.envs[agent]

        def act(obs: np.ndarray) -> Any:
            action = self.models[agent].predict(obs, deterministic=False)[0]
            return env.action(int(action)) if isinstance(env, FlatDiscrete) else action

        return act

    def learn(self, rounds: int, steps_per_round: int) -> dict[str, list[TrainResult]]:
        """``rounds`` turns; in each, every agent learns for ``steps_per_round`` steps."""
        for _ in range(rounds):
            for agent, model in self.models.items():
                result = train(self.algos[agent], self.envs[agent],
                               Budget(evaluations=steps_per_round),
                               recorder=self._agent_recorder(agent), model=model)
                self.results[agent].append(result)
        return self.results

    def _agent_recorder(self, agent: str) -> RunRecorder | None:
        if self.recorder is None:
            return None
        r = self.recorder
        return RunRecorder(r.store, "", seed=r.seed, agent=agent, run_id=r.run_id)


class SharedPolicyVecEnv(VecEnv):
    """All agents of a parallel env as the slots of one VecEnv (parameter sharing)."""

    def __init__(self, parallel: ParallelEnv[str, Any, Any], seed: int | None = None) -> None:
        self.parallel = parallel
        self.agents = list(parallel.possible_agents)
        first = self.agents[0]
        obs_space, act_space = parallel.observation_space(first), parallel.action_space(first)
        differ = [a for a in self.agents if parallel.observation_space(a) != obs_space
                  or parallel.action_space(a) != act_space]
        if differ:
            raise ValueError(f"parameter sharing needs equal spaces; agents {differ} differ from "
                             f"{first!r} ({obs_space}, {act_space}); use IndependentLearners")
        super().__init__(len(self.agents), obs_space, act_space)
        self._seed = seed
        self._actions: np.ndarray | None = None

    def reset(self) -> np.ndarray:
        obs, _ = self.parallel.reset(seed=self._seed)
        self._seed = None
        return self._stack(obs)

    def _stack(self, obs: Mapping[str, Any]) -> np.ndarray:
        return np.stack([np.asarray(obs[a]) for a in self.agents])

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        assert self._actions is not None, "step_async first"
        joint = {a: self._actions[i] for i, a in enumerate(self.agents)}
        obs, rewards, terms, truncs, infos = self.parallel.step(joint)
        done = np.array([bool(terms[a] or truncs[a]) for a in self.agents])
        out_infos = [dict(infos[a]) for a in self.agents]
        stacked = self._stack(obs)
        if done.all():
            for i, a in enumerate(self.agents):
                out_infos[i]["terminal_observation"] = stacked[i]
                out_infos[i]["TimeLimit.truncated"] = bool(truncs[a] and not terms[a])
            stacked = self.reset()
        reward = np.array([float(rewards[a]) for a in self.agents], dtype=np.float32)
        return stacked, reward, done, out_infos

    def close(self) -> None:
        self.parallel.close()

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self.parallel, attr_name) for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self.parallel, attr_name, value)

    def env_method(self, method_name: str, *args: Any, indices: Any = None,
                   **kwargs: Any) -> list[Any]:
        if method_name == "action_masks":
            return [self.parallel.action_masks(self.agents[i])  # type: ignore[attr-defined]
                    for i in self._indices(indices)]
        method = getattr(self.parallel, method_name)
        return [method(*args, **kwargs) for _ in self._indices(indices)]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper[Any, Any, Any, Any]],
                       indices: Any = None) -> list[bool]:
        return [False for _ in self._indices(indices)]

    def _indices(self, indices: Any) -> Sequence[int]:
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else list(indices)
