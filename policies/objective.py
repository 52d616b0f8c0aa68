"""Objectives for search: a benchmark-table lookup with repeat noise, and a synthetic landscape.

A table lookup is what a cached environment step does: the configuration's outer metric in one
scenario and phase, from one repeat drawn at random (the repeats are the evaluation noise), and
the repeat's compute seconds as the cost. Regret is against the table's best mean over repeats
in the current phase, so it is noise-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

PhaseOf = Callable[[int], int]


class TableObjective:
    """``code -> (reward, cost, info)`` over dense arrays indexed by code.

    Args:
        values: Rewards, shape ``(size, n_phases, n_repeats)``.
        costs: Compute seconds, shape ``(size, n_repeats)``.
        filled: Which repeats exist, shape ``(size, n_repeats)`` (all when None).
        seed: Seeds the repeat draws.
        phase_of: Evaluation count -> phase (a scripted drift); phase 0 throughout when None.
    """

    def __init__(self, values: np.ndarray, costs: np.ndarray, filled: np.ndarray | None = None,
                 *, seed: int = 0, phase_of: PhaseOf | None = None) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim != 3:
            raise ValueError(f"values must be (size, n_phases, n_repeats), got {self.values.shape}")
        size, _, n_repeats = self.values.shape
        self.costs = np.asarray(costs, dtype=np.float64)
        if self.costs.shape != (size, n_repeats):
            raise ValueError(f"costs must be {(size, n_repeats)}, got {self.costs.shape}")
        self.filled = (np.ones((size, n_repeats), dtype=bool) if filled is None
                       else np.asarray(filled, dtype=bool))
        if not self.filled.any(axis=1).all():
            raise ValueError("every code needs at least one filled repeat")
        self.rng = np.random.default_rng(seed)
        self.phase_of = phase_of
        self.evaluations = 0
        masked = np.where(self.filled[:, None, :], self.values, 0.0)
        self.means = masked.sum(axis=2) / self.filled.sum(axis=1)[:, None]  # (size, n_phases)

    @classmethod
    def from_table(cls, table: Any, *, scenario: str | int = 0, metric: str = "reward",
                   seed: int = 0, phase_of: PhaseOf | None = None) -> TableObjective:
        """Over a :class:`~agentic_env.evaluator.table.BenchmarkTable`'s outer ``metric``."""
        s = scenario if isinstance(scenario, int) else list(table.scenarios).index(scenario)
        if metric not in table.outer_names:
            raise ValueError(f"metric {metric!r} is not an outer metric; expected one of "
                             f"{list(table.outer_names)}")
        m = list(table.outer_names).index(metric)
        values = np.asarray(table.outer)[:, s, :, :, m]
        return cls(values, np.asarray(table.cost), np.asarray(table.filled), seed=seed,
                   phase_of=phase_of)

    @property
    def size(self) -> int:
        return int(self.values.shape[0])

    def phase(self) -> int:
        """The phase the next evaluation falls in."""
        if self.phase_of is None:
            return 0
        return min(int(self.phase_of(self.evaluations)), self.values.shape[1] - 1)

    def best(self, phase: int = 0) -> tuple[int, float]:
        """The code with the best mean reward in ``phase`` and that mean."""
        code = int(np.argmax(self.means[:, phase]))
        return code, float(self.means[code, phase])

    def regret(self, code: int, phase: int = 0) -> float:
        return float(self.means[:, phase].max() - self.means[int(code), phase])

    def __call__(self, code: int) -> tuple[float, float, Mapping[str, Any]]:
        c = int(code)
        if not 0 <= c < self.size:
            raise ValueError(f"code {code} is outside the table: valid 0..{self.size - 1}")
        phase = self.phase()
        repeat = int(self.rng.choice(np.flatnonzero(self.filled[c])))
        self.evaluations += 1
        reward = float(self.values[c, phase, repeat])
        info = {"regret": self.regret(c, phase), "repeat": repeat, "phase": phase,
                "true_reward": float(self.means[c, phase])}
        return reward, float(self.costs[c, repeat]), info


def synthetic_values(radices: list[int], *, n_phases: int = 1, n_repeats: int = 3,
                     noise: float = 0.05, seed: int = 0) -> np.ndarray:
    """A landscape with main effects, pairwise interactions and noise, ``(size, n_phases,
    n_repeats)``; each phase redraws half of the main effects (a drift)."""
    rng = np.random.default_rng(seed)
    grids = np.stack(np.unravel_index(np.arange(int(np.prod(radices))), radices), axis=1)
    mains = [rng.normal(size=r) for r in radices]
    phases = []
    for _ in range(n_phases):
        mean = sum(m[grids[:, i]] for i, m in enumerate(mains))
        for i in range(len(radices) - 1):
            pair = rng.normal(scale=0.5, size=(radices[i], radices[i + 1]))
            mean = mean + pair[grids[:, i], grids[:, i + 1]]
        phases.append(mean)
        for i in rng.choice(len(radices), size=max(1, len(radices) // 2), replace=False):
            mains[i] = rng.normal(size=radices[i])
    base = np.stack(phases, axis=1)  # (size, n_phases)
    base = (base - base.mean()) / (base.std() + 1e-12)
    return base[:, :, None] + noise * rng.normal(size=(*base.shape, n_repeats))


class EnvObjective:
    """``code -> (reward, cost, info)`` as one step of a Gymnasium evolution env (cached mode).

    The code's value indices on the env agent's own knobs become the action (the env's other
    knobs are not the agent's to set); a finished episode is reset with the next seed, so a
    search can run past the env's horizon. The reward is the env's layered reward.
    """

    def __init__(self, env: Any, seed: int = 0) -> None:
        self.env, self.seed = env, seed
        base = env.unwrapped
        self.grid, self.positions = base.grid, np.asarray(base.positions)
        self._needs_reset = True

    def __call__(self, code: int) -> tuple[float, float, Mapping[str, Any]]:
        if self._needs_reset:
            self.env.reset(seed=self.seed)
            self.seed += 1
        action = self.grid.decode(int(code))[self.positions]
        _, reward, terminated, truncated, info = self.env.step(action)
        self._needs_reset = bool(terminated or truncated)
        return float(reward), float(info.get("cost", 0.0)), info
