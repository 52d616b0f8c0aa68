"""The shell shared by the single-agent Gymnasium environments.

Subclasses only say which grid knobs the agent sets (:meth:`EvolutionEnv._select`); the cycle is
:class:`~.core.EvolutionCore`, the action goes through :class:`~.codec.GridCodec`, and the
observation through :class:`~.observation.ObservationLayout`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_env.envs.backends import Backend, LiveBackend
from agentic_env.envs.codec import GridCodec, OnMasked, TrafficCodec
from agentic_env.envs.core import EvolutionCore, Outcome, Scales, Settings
from agentic_env.envs.deployment import ABConfig
from agentic_env.envs.modes import make_backend
from agentic_env.envs.observation import ObservationLayout
from agentic_env.envs.rewards import RewardWeights, default_weights
from agentic_env.evaluator.grid import Grid
from agentic_env.evaluator.table import BenchmarkTable


def build_backend(mode: str, table: BenchmarkTable | str | Path | None,
                  live: Any, allow_live: bool,
                  backend: tuple[Backend, Scales] | None) -> tuple[Backend, Scales]:
    """``backend`` when given (a backend and its reward scales), else one for ``mode``."""
    if backend is not None:
        return backend
    return make_backend(mode, table, live, allow_live)


def make_settings(kwargs: Mapping[str, Any]) -> Settings:
    """Settings from the environments' flat keyword arguments."""
    ab = ABConfig(**{k: kwargs[k] for k in ("traffic", "n_batches", "alpha",
                                            "rollback_penalty", "risk_penalty") if k in kwargs})
    names = ("horizon", "budget", "steps_per_phase", "objective", "difference",
             "masked_penalty", "start", "scenario")
    return Settings(ab=ab, **{k: kwargs[k] for k in names if k in kwargs})


class EvolutionEnv(gym.Env[np.ndarray, np.ndarray]):
    """One agent setting some grid knobs; see the subclasses for the full documentation."""

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 1}  # noqa: RUF012
    unit_name = "agent"

    def __init__(self, *, mode: str = "cached", table: BenchmarkTable | str | Path | None = None,
                 live: LiveBackend | Any = None, allow_live: bool = False,
                 backend: tuple[Backend, Scales] | None = None,
                 weights: RewardWeights | Mapping[str, float] | None = None,
                 reserved_slots: int | Mapping[str, int] = 0, on_masked: OnMasked = "raise",
                 traffic_choices: Sequence[float] | None = None,
                 render_mode: str | None = None, **settings: Any) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode {render_mode!r}; valid: {self.metadata['render_modes']}")
        unknown = set(settings) - _SETTING_NAMES
        if unknown:
            raise TypeError(f"unknown arguments {sorted(unknown)}; settings: "
                            f"{sorted(_SETTING_NAMES)}")
        self.render_mode = render_mode
        self.mode = mode
        back, scales = build_backend(mode, table, live, allow_live, backend)
        self.grid: Grid = back.grid
        positions, components = self._select(self.grid)
        if isinstance(weights, Mapping):
            weights = RewardWeights(**weights)
        self.weights = weights or default_weights(self.unit_name, components)
        self.core = EvolutionCore(back, {self.unit_name: positions},
                                  {self.unit_name: components},
                                  {self.unit_name: self.weights}, make_settings(settings),
                                  scales)
        codec = GridCodec(self.grid.radices, positions, self.grid.names,
                          reserved=reserved_slots, on_masked=on_masked)
        self.codec: GridCodec | TrafficCodec = (
            codec if traffic_choices is None else TrafficCodec(codec, traffic_choices))
        self.layout = ObservationLayout(self.grid.radices, positions)
        self.action_space = self.codec.space
        self.observation_space = self.layout.space
        self._last: Outcome | None = None

    def _select(self, grid: Grid) -> tuple[list[int], tuple[str, ...]]:
        """Grid positions the agent sets, and the components they belong to."""
        raise NotImplementedError

    @property
    def positions(self) -> np.ndarray:
        return self.codec.positions

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self.core.reset(self.np_random, options)
        self._last = None
        return self.layout.build(self.core, 0), self._reset_info()

    def _reset_info(self) -> dict[str, Any]:
        core = self.core
        return {"code": core.code, "scenario": core.backend.scenarios[core.scenario],
                "phase": core.phase, "budget_left": core.budget_left}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        proposed, n_masked, traffic = self.codec.decode_cycle(action, self.core.indices)
        scenario, phase = self.core.scenario, self.core.phase
        out = self.core.step(proposed, self.np_random,
                             np.array([n_masked]) if n_masked else None, traffic)
        self._last = out
        info = {"code": out.code, "proposed_code": out.proposed, "inner": float(out.inner[0]),
                "outer": float(out.outer[0]), "cost": float(out.cost[0]),
                "rollout": out.rollout, "risk_event": out.risk_event,
                "p_better": out.p_better, "regret": out.regret, "masked": n_masked,
                "scenario": self.core.backend.scenarios[scenario], "phase": phase,
                "budget_left": self.core.budget_left,
                "traffic": self.core.settings.ab.traffic if traffic is None else traffic}
        return (self.layout.build(self.core, 0), float(out.reward[0]), out.terminated,
                out.truncated, info)

    def action_masks(self) -> np.ndarray:
        """Flat boolean mask of the valid sub-actions (sb3-contrib ``MaskablePPO``)."""
        return self.codec.action_masks(self.core.indices)

    def render(self) -> str | None:  # type: ignore[override]
        if self.render_mode != "ansi":
            return None
        values = self.grid.values_of(self.core.code)
        last = "" if self._last is None else (
            f" reward={self._last.reward[0]:.3f} rollout={self._last.rollout}")
        return f"t={self.core.t} phase={self.core.phase} code={self.core.code}{last} {values}"


_SETTING_NAMES = {"horizon", "budget", "steps_per_phase", "objective", "difference",
                  "masked_penalty", "start", "scenario", "traffic", "n_batches", "alpha",
                  "rollback_penalty", "risk_penalty"}
