"""One deployment cycle, shared by the Gymnasium and PettingZoo environments.

A step: the agents' proposal (a full grid index vector) is evaluated, goes through the A/B
stage against the incumbent (:mod:`.deployment`), is rolled out or rolled back, every acting
unit gets its layered reward (:mod:`.rewards`), the compute budget shrinks by the cost of the
evaluation, and the scenario's phase advances with the step count (drift). All randomness comes
from the generator passed in, so a seed fixes the whole trajectory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from agentic_env.envs.backends import Backend, TableBackend
from agentic_env.envs.context import N_CONTEXT, context_table
from agentic_env.envs.decompositions import component
from agentic_env.envs.deployment import ABConfig, decide
from agentic_env.envs.rewards import RewardWeights
from agentic_env.envs.scales import FALLBACK_INNER, InnerMix, Scales, inner_columns

N_DYNAMIC = 6  # budget left, time, last inner, last outer, last reward, last rollout


@dataclass(frozen=True)
class Settings:
    """Episode settings shared by all environments.

    Attributes:
        horizon: Steps before truncation.
        budget: Compute budget in units of the mean evaluation cost; running out terminates.
            ``None``: half the horizon.
        steps_per_phase: Steps per scenario phase; ``None``: spread the phases over the horizon.
        objective: Outer metric that is the outer reward and the A/B test's metric.
        ab: The A/B stage's settings.
        difference: Use difference rewards for the outer term.
        masked_penalty: Reward lost per masked sub-action (with ``on_masked="keep"``).
        start: Incumbent code at reset, or ``"random"``.
        scenario: Scenario name, or ``None`` to draw one per episode.
    """

    horizon: int = 50
    budget: float | None = None
    steps_per_phase: int | None = None
    objective: str = "reward"
    ab: ABConfig = field(default_factory=ABConfig)
    difference: bool = False
    masked_penalty: float = 0.1
    start: int | str = 0
    scenario: str | None = None

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {self.horizon}")
        if self.budget is not None and self.budget <= 0:
            raise ValueError(f"budget must be > 0, got {self.budget}")
        if self.steps_per_phase is not None and self.steps_per_phase < 1:
            raise ValueError(f"steps_per_phase must be >= 1, got {self.steps_per_phase}")
        if not (self.start == "random" or isinstance(self.start, int)):
            raise ValueError(f"start must be a grid code or 'random', got {self.start!r}")


@dataclass
class Outcome:
    """What one cycle did, per acting unit (arrays in unit order)."""

    inner: np.ndarray
    outer: np.ndarray
    cost: np.ndarray
    reward: np.ndarray
    changed: np.ndarray
    proposed: int
    code: int
    rollout: bool
    risk_event: bool
    p_better: float
    regret: float | None
    terminated: bool
    truncated: bool


class EvolutionCore:
    """The state machine behind every environment (see module docstring).

    Args:
        backend: Where numbers come from.
        units: Acting unit -> grid knob positions it sets.
        components: Acting unit -> components it owns (for inner metrics).
        weights: Acting unit -> reward weights.
        settings: Episode settings.
        scales: Reward normalisation.
    """

    def __init__(self, backend: Backend, units: Mapping[str, Sequence[int]],
                 components: Mapping[str, Sequence[str]], weights: Mapping[str, RewardWeights],
                 settings: Settings, scales: Scales) -> None:
        self.backend, self.settings, self.scales = backend, settings, scales
        grid = backend.grid
        self.grid = grid
        self.units = tuple(units)
        self.places = np.concatenate([np.cumprod(grid.radices[::-1])[::-1][1:], [1]])
        self.membership = np.zeros((len(units), len(grid.radices)), bool)
        for u, positions in enumerate(units.values()):
            self.membership[u, list(positions)] = True
        self.inner_mix = InnerMix([[component(c) for c in components[u]] for u in self.units],
                                  backend.inner_names)
        self.w_inner = np.array([weights[u].inner for u in self.units])
        self.w_outer = np.array([weights[u].outer for u in self.units])
        self.w_cost = np.array([weights[u].cost for u in self.units])
        if settings.objective not in backend.outer_names:
            raise ValueError(f"objective {settings.objective!r} is not an outer metric; "
                             f"valid: {list(backend.outer_names)}")
        self.obj = backend.outer_names.index(settings.objective)
        self.contexts = context_table(backend.scenarios, backend.n_phases)
        self.steps_per_phase = settings.steps_per_phase or max(
            1, -(-settings.horizon // backend.n_phases))
        self.budget = settings.budget if settings.budget is not None else settings.horizon / 2
        self._best: dict[tuple[int, int], float] = {}
        self._ab_cache: dict[float, tuple[ABConfig, np.ndarray, int]] = {}
        self._ones = np.ones(len(self.units))
        self._cost_scale, self._cost_unit = scales.cost_scale, scales.cost_unit
        self._prepare_fast()
        self.reset(np.random.default_rng(0))

    # ----- state -----------------------------------------------------------------------------

    def reset(self, rng: np.random.Generator, options: Mapping[str, Any] | None = None) -> None:
        """A new episode; ``options`` may override ``scenario`` and ``start`` for this one
        (other keys are ignored, as PettingZoo's API test expects)."""
        options = dict(options or {})
        scenario = options.get("scenario", self.settings.scenario)
        start = options.get("start", self.settings.start)
        if scenario is not None and scenario not in self.backend.scenarios:
            raise ValueError(f"scenario {scenario!r} is not evaluated here; valid: "
                             f"{list(self.backend.scenarios)}")
        if not (start == "random" or (isinstance(start, int | np.integer)
                                      and 0 <= start < self.grid.size)):
            raise ValueError(f"start must be a code in 0..{self.grid.size - 1} or 'random', "
                             f"got {start!r}")
        self.scenario = (self.backend.scenarios.index(scenario) if scenario is not None
                         else int(rng.integers(len(self.backend.scenarios))))
        code = int(rng.integers(self.grid.size)) if start == "random" else int(start)
        self.code = code
        self.indices = self.grid.decode(code).astype(np.int64)
        self.t, self.phase = 0, 0
        self.budget_left = float(self.budget)
        n = len(self.units)
        self.last_inner, self.last_outer, self.last_reward = (np.zeros(n), np.zeros(n),
                                                              np.zeros(n))
        self.last_rollout = 0.0

    @property
    def context(self) -> np.ndarray:
        return self.contexts[self.scenario, self.phase]  # type: ignore[no-any-return]

    def dynamic(self, unit: int) -> tuple[float, float, float, float, float, float]:
        """Budget left, time, last inner / outer / reward (clipped to [-1, 1]), last rollout."""
        reward = min(max(float(self.last_reward[unit]), -1.0), 1.0)
        return (max(self.budget_left, 0.0) / self.budget, self.t / self.settings.horizon,
                min(max(float(self.last_inner[unit]), 0.0), 1.0),
                min(max(float(self.last_outer[unit]), -1.0), 1.0), reward, self.last_rollout)

    # ----- the cycle -------------------------------------------------------------------------

    def _prepare_fast(self) -> None:
        """Normalised per-unit arrays of a complete table: a draw is then a few lookups."""
        b = self.backend
        self._fast = isinstance(b, TableBackend) and b.fallback is None and b.complete
        if not self._fast:
            return
        assert isinstance(b, TableBackend)
        t = b.table
        bad = int((~np.isfinite(t.outer[..., self.obj]) & t.filled[:, None, None, :]).sum())
        if bad:
            raise ValueError(f"the table has {bad} evaluated cells without a finite "
                             f"{self.settings.objective!r}; mark them unfilled or pick another "
                             f"objective from {list(b.outer_names)}")
        self._obj_n = self.scales.outer.scale[self.obj] * t.outer[..., self.obj].astype(
            np.float64) + self.scales.outer.offset[self.obj]
        self._unit_inner = self.inner_mix(self.scales.inner(t.inner.astype(np.float64)))
        self._cost = t.cost.astype(np.float64)
        self._all_filled = int(b.n_filled.min()) == t.n_repeats  # then a draw needs no order

    def _draw(self, codes: np.ndarray, rng: np.random.Generator,
              ) -> tuple[list[float], np.ndarray, float]:
        """Normalised objective of each draw, per-unit normalised inner and raw cost of the
        first draw."""
        s, p = self.scenario, self.phase
        if self._fast:
            b = self.backend
            assert isinstance(b, TableBackend)
            if self._all_filled:
                reps = (rng.random(len(codes)) * b.table.n_repeats).astype(np.int64)
            else:
                reps = b.order[codes, (rng.random(len(codes)) * b.n_filled[codes]).astype(
                    np.int64)]
            c0, r0 = codes[0], reps[0]
            return (self._obj_n[codes, s, p, reps].tolist(), self._unit_inner[c0, r0],
                    float(self._cost[c0, r0]))
        ev = self.backend.sample(codes, s, p, rng)
        objective = (ev.outer[:, self.obj] * self.scales.outer.scale[self.obj]
                     + self.scales.outer.offset[self.obj])
        inner = self.inner_mix(self.scales.inner(np.asarray(ev.inner[0], np.float64)))
        return objective.tolist(), inner, float(ev.cost[0])

    def step(self, proposed: np.ndarray, rng: np.random.Generator,
             n_masked: np.ndarray | None = None, traffic: float | None = None) -> Outcome:
        """Run one deployment cycle on the full index vector ``proposed``; ``traffic``
        overrides the A/B stage's traffic share for this cycle (an AutoPerf decision)."""
        new = int(proposed @ self.places)
        before, incumbent = self.indices, self.code
        s, p = self.scenario, self.phase
        if new == incumbent:
            objective, inner, _ = self._draw(np.array([new]), rng)
            outer_n, cost_raw = objective[0], 0.0
            rollout = risk = False
            p_better = 1.0
        else:
            ab, codes, treat = self._ab(traffic)
            codes[:treat], codes[treat:] = new, incumbent
            objective, inner, cost_raw = self._draw(codes, rng)
            d = decide(objective[:treat], objective[treat:], ab)
            outer_n, rollout, risk, p_better = d.experienced, d.rollout, d.risk_event, d.p_better
        changed = self.membership @ (proposed != before)
        outer = (self._difference(proposed, before, changed, s, p)
                 if self.settings.difference else self._ones * outer_n)
        if cost_raw > 0 and math.isnan(self._cost_scale):
            self._cost_scale = self._cost_unit = cost_raw
        cost = changed * (cost_raw / self._cost_scale) if cost_raw else changed * 0.0
        reward = self.w_inner * inner + self.w_outer * outer - self.w_cost * cost
        if new != incumbent:
            ab = self.settings.ab
            penalty = ab.rollback_penalty * (not rollout) + ab.risk_penalty * risk
            if penalty:
                reward = reward - penalty * changed
        if n_masked is not None:
            reward = reward - self.settings.masked_penalty * n_masked
        if cost_raw:
            self.budget_left -= cost_raw / self._cost_unit
        if rollout:
            self.code, self.indices = new, proposed.copy()
        self.last_inner, self.last_outer, self.last_reward = inner, outer, reward
        self.last_rollout = float(rollout)
        regret = self.regret(s, p)
        self.t += 1
        self.phase = min(self.t // self.steps_per_phase, self.backend.n_phases - 1)
        terminated = self.budget_left <= 0
        truncated = self.t >= self.settings.horizon and not terminated
        return Outcome(inner, outer, cost, reward, changed, new, self.code, rollout, risk,
                       p_better, regret, terminated, truncated)

    def _ab(self, traffic: float | None) -> tuple[ABConfig, np.ndarray, int]:
        """The A/B settings at ``traffic`` (default: the settings'), a code buffer for both
        arms, and the treatment's batch count."""
        key = self.settings.ab.traffic if traffic is None else float(traffic)
        if key not in self._ab_cache:
            ab = replace(self.settings.ab, traffic=key)
            treat, control = ab.arms
            self._ab_cache[key] = ab, np.zeros(treat + control, np.int64), treat
        return self._ab_cache[key]

    def _difference(self, proposed: np.ndarray, before: np.ndarray, changed: np.ndarray,
                    s: int, p: int) -> np.ndarray:
        """Expected outer of the proposal minus that with each unit's change undone."""
        out = np.zeros(len(self.units))
        if not changed.any():
            return out
        rows = np.flatnonzero(changed)
        undone = np.repeat(proposed[None, :], len(rows), axis=0)
        for k, u in enumerate(rows):
            mask = self.membership[u]
            undone[k, mask] = before[mask]
        codes = np.concatenate([[int(proposed @ self.places)], undone @ self.places])
        values = self.backend.expected(codes, s, p).outer[:, self.obj]
        span = float(self.scales.outer.high[self.obj] - self.scales.outer.low[self.obj]) or 1.0
        out[rows] = (values[0] - values[1:]) / span
        return out

    def regret(self, s: int, p: int) -> float | None:
        """Best expected objective in this scenario and phase minus the incumbent's (raw
        units); ``None`` when unknown (live mode has no table of every configuration)."""
        if not isinstance(self.backend, TableBackend):
            return None
        key = (s, p)
        if key not in self._best:
            self._best[key] = self.backend.best(self.obj, s, p)
        mine = float(self.backend.outer_mean[self.code, s, p, self.obj])
        return self._best[key] - mine


__all__ = ["FALLBACK_INNER", "N_CONTEXT", "N_DYNAMIC", "EvolutionCore", "Outcome", "Scales",
           "Settings", "inner_columns"]
