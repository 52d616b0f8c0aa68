"""Co-evolution of all agents (PettingZoo): one agent per unit of a decomposition.

Exports the usual PettingZoo factories: :func:`parallel_env`, :func:`env` (AEC, through
``pettingzoo.utils.conversions.parallel_to_aec``) and :func:`raw_env` (the parallel class).

## Description

Every unit of the chosen decomposition (``agentic``: retrieval, fusion, ranking, reranking,
router; or ``lifecycle``, ``merged``, ``monolithic``) sets its own grid knobs at the same time;
the joint configuration goes through one deployment cycle (evaluation, A/B stage against the
incumbent, rollout or rollback, drift) exactly as in the Gymnasium environments.

## Action Spaces

Heterogeneous ``MultiDiscrete``: each agent's entries are the grid value indices of its own
knobs (plus ``reserved_slots`` masked slots); ``action_masks(agent)`` gives its flat mask.
With ``traffic_choices``, the ``traffic_agent`` (default ``auto_perf`` of the ``lifecycle``
decomposition) has one more entry choosing the A/B traffic share of the cycle.

## Observation Spaces

Per agent ``Box(-1, 1)``: the shared context (segment shares, drift flags, phase, objective
weights), budget, time, the agent's own last inner / outer / total reward, the last rollout,
and a one-hot of the deployed values of its own knobs.

## Rewards

Per agent, layered: its role's weights over its own inner metric, the outer objective users
experienced (or, with ``difference=True``, the outer change its own knobs caused), and the
evaluation cost when it changed something.

## Episode End

All agents terminate together when the compute budget is spent and are truncated together at
``horizon``.

``infos[agent]`` holds the agent's ``inner``, ``outer``, ``cost``, ``reward`` and ``changed``,
plus the shared ``code``, ``proposed_code``, ``rollout``, ``risk_event``, ``regret``,
``scenario`` and ``phase``.

## Version History

* v0: initial version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv, ParallelEnv
from pettingzoo.utils.conversions import parallel_to_aec

from agentic_env.envs.backends import Backend
from agentic_env.envs.base import _SETTING_NAMES, build_backend, make_settings
from agentic_env.envs.codec import GridCodec, OnMasked, TrafficCodec
from agentic_env.envs.core import EvolutionCore, Scales
from agentic_env.envs.decompositions import decompose
from agentic_env.envs.observation import ObservationLayout
from agentic_env.envs.rewards import RewardWeights, resolve_weights
from agentic_env.evaluator.table import BenchmarkTable


class CoevolutionEnv(ParallelEnv[str, np.ndarray, np.ndarray]):
    """All agents of a decomposition evolving together (see module docstring).

    Args:
        decomposition: ``agentic`` (default), ``lifecycle``, ``merged`` or ``monolithic``.
        mode, table, live, allow_live, backend: Where numbers come from (as the Gymnasium
            environments).
        weights: Per-agent reward weights overriding the role defaults.
        reserved_slots, on_masked: Action codec options.
        **settings: Episode settings (``horizon``, ``budget``, ``scenario``, ``traffic``, ...).
    """

    metadata: ClassVar[dict[str, Any]] = {"name": "coevolution_v0", "render_modes": ["ansi"],
                                "is_parallelizable": True, "render_fps": 1}

    def __init__(self, decomposition: str = "agentic", *, mode: str = "cached",
                 table: BenchmarkTable | str | Path | None = None, live: Any = None,
                 allow_live: bool = False, backend: tuple[Backend, Scales] | None = None,
                 weights: Mapping[str, RewardWeights | Mapping[str, float]] | None = None,
                 reserved_slots: int | Mapping[str, int] = 0, on_masked: OnMasked = "raise",
                 traffic_choices: Sequence[float] | None = None,
                 traffic_agent: str = "auto_perf", render_mode: str | None = None,
                 **settings: Any) -> None:
        unknown = set(settings) - _SETTING_NAMES
        if unknown:
            raise TypeError(f"unknown arguments {sorted(unknown)}; settings: "
                            f"{sorted(_SETTING_NAMES)}")
        back, scales = build_backend(mode, table, live, allow_live, backend)
        self.grid = back.grid
        self.decomposition = decompose(self.grid.knobs, decomposition)
        units, comps = self.decomposition.units, self.decomposition.components
        self.weights = resolve_weights(comps, weights)
        self.core = EvolutionCore(back, units, comps, self.weights, make_settings(settings),
                                  scales)
        self.possible_agents = list(units)
        self.agents: list[str] = []
        self.render_mode = render_mode
        self.codecs: dict[str, GridCodec | TrafficCodec] = {
            a: GridCodec(self.grid.radices, units[a], self.grid.names,
                         reserved=reserved_slots, on_masked=on_masked)
            for a in self.possible_agents}
        if traffic_choices is not None:
            if traffic_agent not in self.codecs:
                raise ValueError(f"traffic_agent {traffic_agent!r} is not an agent of this "
                                 f"decomposition; agents: {self.possible_agents}")
            inner = self.codecs[traffic_agent]
            assert isinstance(inner, GridCodec)
            self.codecs[traffic_agent] = TrafficCodec(inner, traffic_choices)
        self.layouts = {a: ObservationLayout(self.grid.radices, units[a])
                        for a in self.possible_agents}
        self.observation_spaces = {a: self.layouts[a].space for a in self.possible_agents}
        self.action_spaces = {a: self.codecs[a].space for a in self.possible_agents}
        self._index = {a: i for i, a in enumerate(self.possible_agents)}
        self._rng = np.random.default_rng()

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    def action_masks(self, agent: str) -> np.ndarray:
        """Flat boolean mask of ``agent``'s valid sub-actions."""
        return self.codecs[agent].action_masks(self.core.indices)

    def _observations(self) -> dict[str, np.ndarray]:
        return {a: self.layouts[a].build(self.core, i) for i, a in enumerate(self.agents)}

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None,
              ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.core.reset(self._rng, options)
        self.agents = list(self.possible_agents)
        core = self.core
        info = {"code": core.code, "scenario": core.backend.scenarios[core.scenario],
                "phase": core.phase}
        return self._observations(), {a: dict(info) for a in self.agents}

    def step(self, actions: Mapping[str, Any]) -> tuple[
            dict[str, np.ndarray], dict[str, float], dict[str, bool], dict[str, bool],
            dict[str, dict[str, Any]]]:
        if not self.agents:
            raise RuntimeError("step() after the episode ended; call reset()")
        missing = set(self.agents) - set(actions)
        if missing:
            raise ValueError(f"no action for agents {sorted(missing)}; every live agent acts")
        proposed = self.core.indices
        masked = np.zeros(len(self.possible_agents))
        traffic = None
        for a in self.agents:
            proposed, masked[self._index[a]], share = self.codecs[a].decode_cycle(
                actions[a], proposed)
            traffic = share if share is not None else traffic
        scenario, phase = self.core.scenario, self.core.phase
        out = self.core.step(proposed, self._rng, masked if masked.any() else None, traffic)
        shared = {"code": out.code, "proposed_code": out.proposed, "rollout": out.rollout,
                  "risk_event": out.risk_event, "regret": out.regret,
                  "scenario": self.core.backend.scenarios[scenario], "phase": phase,
                  "traffic": self.core.settings.ab.traffic if traffic is None else traffic}
        infos = {a: {**shared, "inner": float(out.inner[i]), "outer": float(out.outer[i]),
                     "cost": float(out.cost[i]), "reward": float(out.reward[i]),
                     "changed": bool(out.changed[i])}
                 for i, a in enumerate(self.agents)}
        obs = self._observations()
        rewards = {a: float(out.reward[i]) for i, a in enumerate(self.agents)}
        terms = dict.fromkeys(self.agents, out.terminated)
        truncs = dict.fromkeys(self.agents, out.truncated)
        if out.terminated or out.truncated:
            self.agents = []
        return obs, rewards, terms, truncs, infos

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return f"t={self.core.t} phase={self.core.phase} {self.grid.values_of(self.core.code)}"

    def state(self) -> np.ndarray:
        """Global state: context, budget, time and a one-hot of the whole deployed config."""
        full = ObservationLayout(self.grid.radices, range(len(self.grid.radices)))
        return full.build(self.core, 0)


def raw_env(**kwargs: Any) -> CoevolutionEnv:
    """The parallel environment class, built with ``kwargs``."""
    return CoevolutionEnv(**kwargs)


def parallel_env(**kwargs: Any) -> CoevolutionEnv:
    """The parallel environment (all agents act at once)."""
    return CoevolutionEnv(**kwargs)


def env(**kwargs: Any) -> AECEnv[str, np.ndarray, np.ndarray]:
    """The AEC environment: agents act in turn, the cycle runs after the last one."""
    return parallel_to_aec(parallel_env(**kwargs))
