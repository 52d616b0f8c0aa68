"""Live evolution over the full decision space, with continuous ``Box`` actions.

The grid environments see a few values per knob; this one lets an agent set its knobs anywhere
in their domains (every float and integer, every available choice), which only a live evaluator
can score. It is not registered as an id: build it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_env.envs.base import _SETTING_NAMES, make_settings
from agentic_env.envs.codec import BoxCodec, OnMasked
from agentic_env.envs.context import N_CONTEXT, context_vector
from agentic_env.envs.core import FALLBACK_INNER, N_DYNAMIC
from agentic_env.envs.decompositions import decompose
from agentic_env.envs.deployment import decide
from agentic_env.envs.rewards import RewardWeights, default_weights
from agentic_env.evaluator.pipeline_trial import PipelineTrial
from agentic_env.evaluator.trial import TrialResult
from agentic_env.pipeline import Pipeline, canonical

#: Trial results per process, shared by every env instance: one seed then gives one trajectory
#: within a process (costs are measured compute seconds, so they vary between processes).
_MEMO: dict[tuple[PipelineTrial, str, int, float], TrialResult] = {}


class SpaceEvolutionEnv(gym.Env[np.ndarray, np.ndarray]):
    """## Description

    Individual evolution in live mode over the pipeline's whole decision space: the agent (a
    unit of a decomposition of the pipeline's knobs, default the re-ranking agent) sets each of
    its knobs through a continuous action. A step is one deployment cycle as in
    ``IndividualEvolution-v0``: the proposal is evaluated by the real trial, A/B-tested against
    the incumbent on simulated users (each batch one trial seed among ``n_seeds``), rolled out
    or back; the scenario phase advances with the steps. Seconds per step.

    ## Action Space

    ``Box(-1, 1, (n_knobs,))`` over the agent's knobs (:class:`~agentic_env.envs.codec.BoxCodec`):
    numeric knobs map (log-)linearly onto their range, a categorical splits ``[-1, 1]`` into
    equal bins, reserved template slots included (a masked slot raises, or with
    ``on_masked="keep"`` keeps the knob and costs ``masked_penalty``). Values outside
    ``[-1, 1]`` are clipped; NaN raises. Knobs inactive under the decoded parents are dropped.

    ## Observation Space

    ``Box(-1, 1)``: scenario context, remaining budget, time, last inner / outer / total
    reward, last rollout, then the incumbent's own knobs encoded as an action.

    ## Rewards

    ``w_inner * inner + w_outer * outer - w_cost * cost`` on raw metrics (no table to
    normalise by): inner is the unit's inner metric (e.g. coverage for re-ranking), outer the
    objective experienced in the cycle, cost the trial's compute seconds when the agent
    changed something. Risk events cost ``risk_penalty``.

    ## Starting State

    The pipeline's default configuration; ``scenario`` given or drawn from the trial's.

    ## Episode End

    Termination when ``budget`` compute seconds are spent (default: 30 per step of the
    horizon); truncation at ``horizon``.

    ## Arguments

    ``trial`` (a PipelineTrial; default the bundled data), ``agent``, ``decomposition``,
    ``n_seeds``, ``fidelity``, ``weights``, ``on_masked``, and the episode settings
    (``horizon``, ``budget``, ``steps_per_phase``, ``objective``, ``scenario``, A/B ones).

    Costs are measured compute seconds: results are memoised per process, so a seed gives one
    trajectory within a process, but costs (and budget ends) vary between processes.

    ## Version History

    * v0: initial version.
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012

    def __init__(self, trial: PipelineTrial | None = None, *, agent: str = "reranking",
                 decomposition: str = "agentic", n_seeds: int = 1, fidelity: float = 1.0,
                 weights: RewardWeights | Mapping[str, float] | None = None,
                 on_masked: OnMasked = "raise", **settings: Any) -> None:
        self.trial = trial or PipelineTrial()
        self.n_seeds, self.fidelity = n_seeds, fidelity
        unknown = set(settings) - _SETTING_NAMES
        if unknown:
            raise TypeError(f"unknown arguments {sorted(unknown)}; settings: "
                            f"{sorted(_SETTING_NAMES)}")
        self.settings = make_settings(settings)
        self.space = Pipeline().space
        dec = decompose(list(self.space), decomposition)
        if agent not in dec.units:
            raise ValueError(f"agent {agent!r} owns no knob under {decomposition!r}; agents: "
                             f"{list(dec.units)}")
        knobs = list(self.space)
        self.codec = BoxCodec(self.space, [knobs[i].name for i in dec.units[agent]],
                              on_masked=on_masked)
        comps = dec.components[agent]
        if isinstance(weights, Mapping):
            weights = RewardWeights(**weights)
        self.weights = weights or default_weights(agent, comps)
        self.inner_names = tuple(dict.fromkeys(FALLBACK_INNER.get(c, "recall") for c in comps))
        protocol = self.trial.protocol
        self.scenarios, self.n_phases = protocol.scenarios, protocol.n_phases
        self.budget = (self.settings.budget if self.settings.budget is not None
                       else 30.0 * self.settings.horizon)
        self.steps_per_phase = self.settings.steps_per_phase or max(
            1, -(-self.settings.horizon // self.n_phases))
        self.action_space = self.codec.space
        size = N_CONTEXT + N_DYNAMIC + len(self.codec.names)
        self.observation_space = spaces.Box(-1.0, 1.0, (size,), np.float32)

    def _result(self, config: Mapping[str, Any], seed: int) -> TrialResult:
        key = (self.trial, canonical(config), seed, self.fidelity)
        if key not in _MEMO:
            _MEMO[key] = self.trial(config, self.fidelity, seed, {})
        return _MEMO[key]

    def _objective(self, result: TrialResult) -> float:
        name = f"{self.scenarios[self.scenario]}.p{self.phase}.{self.settings.objective}"
        if name not in result.outer:
            raise ValueError(f"the trial measured no {name!r}; objectives: "
                             f"{sorted({k.rsplit('.', 1)[-1] for k in result.outer})}")
        return float(result.outer[name])

    def _obs(self) -> np.ndarray:
        ctx = context_vector(self.scenarios[self.scenario], self.phase, self.n_phases)
        dynamic = [max(self.budget_left, 0.0) / self.budget, self.t / self.settings.horizon,
                   *np.clip(self.last, -1.0, 1.0), self.last_rollout]
        own = np.clip(self.codec.encode(self.config), -1.0, 1.0)
        return np.concatenate([ctx, dynamic, own]).astype(np.float32)

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        name = (options or {}).get("scenario", self.settings.scenario)
        self.scenario = (self.scenarios.index(name) if name is not None
                         else int(self.np_random.integers(len(self.scenarios))))
        self.config = self.space.default()
        self.t, self.phase, self.budget_left = 0, 0, float(self.budget)
        self.last, self.last_rollout = np.zeros(3), 0.0
        return self._obs(), {"scenario": self.scenarios[self.scenario], "phase": 0}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        proposed, n_masked = self.codec.decode(action, self.config)
        changed = canonical(proposed) != canonical(self.config)
        ab = self.settings.ab
        treat_n, control_n = ab.arms
        seeds = self.np_random.integers(self.n_seeds, size=treat_n + control_n)
        first = self._result(proposed, int(seeds[0]))
        if changed:
            treat = [self._objective(self._result(proposed, int(s))) for s in seeds[:treat_n]]
            control = [self._objective(self._result(self.config, int(s)))
                       for s in seeds[treat_n:]]
            d = decide(treat, control, ab)
            outer, rollout, risk = d.experienced, d.rollout, d.risk_event
        else:
            outer, rollout, risk = self._objective(first), False, False
        inner = float(np.mean([first.inner.get(n, 0.0) for n in self.inner_names]))
        cost = first.cost_seconds if changed else 0.0
        w = self.weights
        reward = w.inner * inner + w.outer * outer - w.cost * cost
        reward -= ab.risk_penalty * risk + self.settings.masked_penalty * n_masked
        self.budget_left -= cost
        if rollout:
            self.config = proposed
        info = {"inner": inner, "outer": outer, "cost": cost, "rollout": rollout,
                "risk_event": risk, "config": dict(self.config), "masked": n_masked,
                "scenario": self.scenarios[self.scenario], "phase": self.phase,
                "regret": None}
        self.last, self.last_rollout = np.array([inner, outer, reward]), float(rollout)
        self.t += 1
        self.phase = min(self.t // self.steps_per_phase, self.n_phases - 1)
        terminated = self.budget_left <= 0
        truncated = self.t >= self.settings.horizon and not terminated
        return self._obs(), float(reward), terminated, truncated, info
