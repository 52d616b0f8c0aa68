"""Co-evolution over a benchmark table: agents take turns, every evaluation is an array lookup.

This is the cached-mode loop the experiments run on their own (no RL environment needed):

1. the decomposition assigns each grid knob to one agent
   (``agentic_env.envs.decompositions.decompose``: agentic, lifecycle, monolithic, merged);
2. the evolution mode picks which knobs may change now: *individual* (an agent's internals),
   *compositional* (knobs with the ``composition`` role: fusion weights, routing) or
   *alternating* (individual, compositional for a third of the phase after each shift, then
   individual again);
3. a round-robin coordinator lets one agent act per step: its strategy asks for values of its
   active knobs, the full configuration (others at their incumbents) is looked up, and every
   agent gets its layered reward ``w_inner * inner + w_outer * outer - w_cost * cost``
   (inner: the mean of the agent's own inner metrics, as the environments pick them; every
   term min-max normalised over the table, so the weights are comparable; role weights from
   ``agentic_env.envs.rewards``);
4. the acting agent keeps the new values when its own reward beats its incumbent's; after a
   shift the incumbents' rewards are forgotten.

Regret is the best outer metric of the phase (over the whole grid) minus the evaluated one. A
cell the table could not fill (a failed evaluation) scores an outer term of ``FAILED`` (below
every real one) and NaN outer metric and regret in the history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from experiments.history import ACTED, SYSTEM, HistoryWriter
from experiments.protocol import Strategy, TableLike

COMPOSITION = "composition"
#: Normalised outer term of a configuration whose evaluation failed (below every real one).
FAILED = -1.0


@dataclass
class AgentState:
    """One agent: its knob positions, strategy, reward weights and incumbent."""

    name: str
    positions: np.ndarray
    inner_mix: np.ndarray  # weights over the table's inner metrics (their mean for this agent)
    weights: tuple[float, float, float]
    seed: int
    strategies: dict[bool, Strategy]  # one per evolution granularity (its own knob subset)
    incumbent: float = -np.inf
    active: np.ndarray | None = None


def composition_mask(grid: Any) -> np.ndarray:
    return np.array([COMPOSITION in k.roles for k in grid.knobs], dtype=bool)


def _minmax(values: np.ndarray, axis: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    low = np.nanmin(values, axis=axis, keepdims=True)  # tables may hold unfilled (NaN) cells
    span = np.nanmax(values, axis=axis, keepdims=True) - low
    return low, np.where(span > 0, span, 1.0)


class TableRun:
    """One seeded run over ``table`` (see module docstring); :meth:`run` fills a history."""

    def __init__(self, table: TableLike, cfg: Mapping[str, Any],
                 make: Callable[[], Strategy]) -> None:
        self.table, self.cfg = table, cfg
        scenario = cfg["scenario"]["name"]
        if scenario not in table.scenarios:
            raise ValueError(f"scenario {scenario!r} is not in the table; it has {table.scenarios}")
        self.s = table.scenarios.index(scenario)
        self.repeat = int(cfg["repeat"]) if cfg["repeat"] >= 0 else cfg["seed"] % table.n_repeats
        self.budget, self.mode = int(cfg["budget"]), str(cfg["evolution"])
        self.outer_index = _index(table.outer_names, cfg["reward"]["outer_metric"], "outer")
        self.inner_low, self.inner_span = _minmax(table.inner, (0, 1))
        self.outer_low, self.outer_span = _minmax(table.outer[:, self.s], (0, 2))
        self.max_cost = float(np.nanmax(table.cost)) or 1.0
        self.best = np.nanmax(table.outer[:, self.s, :, self.repeat, self.outer_index], axis=0)
        self.make = make
        self.agents = self._agents()
        self.current = np.zeros(len(table.grid.knobs), dtype=np.int64)

    def _agents(self) -> list[AgentState]:
        from agentic_env.envs.core import inner_columns
        from agentic_env.envs.decompositions import component, decompose

        split = decompose(self.table.grid.knobs, self.cfg["decomposition"]["name"])
        weights = agent_weights(split.components, self.cfg["reward"])
        out = []
        for i, (name, positions) in enumerate(split.units.items()):
            comps = [component(c) for c in split.components[name]]
            mix = np.zeros(len(self.table.inner_names))
            columns = inner_columns(comps, self.table.inner_names)
            mix[columns] = 1.0 / len(columns)
            out.append(AgentState(name, np.asarray(positions, dtype=np.int64), mix,
                                  weights[name], self.cfg["seed"] * 1009 + i, {}))
        return out

    def strategy(self, agent: AgentState, compositional: bool) -> Strategy:
        """The agent's strategy over its knobs of this granularity, made on first use."""
        if compositional not in agent.strategies:
            assert agent.active is not None
            made = self.make()
            made.reset(self.table.grid.radices[agent.active], seed=agent.seed + compositional)
            agent.strategies[compositional] = made
        return agent.strategies[compositional]

    def phase_of(self, step: int) -> int:
        return min(step * self.table.n_phases // max(self.budget, 1), self.table.n_phases - 1)

    def compositional_now(self, step: int) -> bool:
        """Whether composition knobs (rather than agents' internals) evolve at ``step``."""
        if self.mode != "alternating":
            return self.mode == "compositional"
        phase = self.phase_of(step)
        if phase == 0:
            return False
        start = -(-phase * self.budget // self.table.n_phases)  # first step of the phase
        return step - start < max(1, self.budget // self.table.n_phases // 3)

    def _actors(self, step: int) -> list[AgentState]:
        wanted = composition_mask(self.table.grid) == self.compositional_now(step)
        actors = []
        for agent in self.agents:
            agent.active = agent.positions[wanted[agent.positions]]
            if len(agent.active):
                actors.append(agent)
        if not actors:
            raise ValueError(f"no agent owns a knob that evolution={self.mode!r} may change")
        return actors

    def evaluate(self, code: int, phase: int) -> tuple[np.ndarray, float, float, float]:
        """Normalised inner metrics, normalised and raw outer metric, and cost of ``code``."""
        r, m = self.repeat, self.outer_index
        raw = float(self.table.outer[code, self.s, phase, r, m])
        inner = (self.table.inner[code, r] - self.inner_low[0, 0]) / self.inner_span[0, 0]
        inner = np.nan_to_num(inner)  # a metric the configuration does not produce counts 0
        if not np.isfinite(raw):  # an evaluation that failed when the table was built
            return inner, FAILED, raw, float(np.nan_to_num(self.table.cost[code, r]))
        low, span = self.outer_low[0, phase, 0, m], self.outer_span[0, phase, 0, m]
        return inner, (raw - low) / span, raw, float(self.table.cost[code, r])

    def run(self, writer: HistoryWriter, progress: bool = False) -> None:
        phase = 0
        for step in tqdm(range(self.budget), disable=not progress, desc="evolve", unit="eval"):
            if (new := self.phase_of(step)) != phase:
                phase = new
                writer.event(step, "drift", f"{self.cfg['scenario']['name']} phase {phase}",
                             phase=phase)
                for agent in self.agents:
                    agent.incumbent = -np.inf
                    for strategy in agent.strategies.values():
                        strategy.on_drift()
            self.step(step, phase, writer)

    def step(self, step: int, phase: int, writer: HistoryWriter) -> None:
        actors = self._actors(step)
        actor = actors[step % len(actors)]
        assert actor.active is not None
        strategy = self.strategy(actor, self.compositional_now(step))
        proposal = strategy.ask()
        candidate = self.current.copy()
        candidate[actor.active] = proposal
        code = int(self.table.grid.encode(candidate))
        inner, outer, raw, cost = self.evaluate(code, phase)
        regret = float(self.best[phase] - raw)
        writer.metric(step, SYSTEM, phase=phase, outer=raw, reward=raw, regret=regret, cost=cost,
                      config_code=code)
        for agent in self.agents:
            w_in, w_out, w_cost = agent.weights
            own = float(agent.inner_mix @ inner)
            reward = w_in * own + w_out * outer - w_cost * cost / self.max_cost
            if agent is actor:
                strategy.tell(proposal, reward)
                if reward > actor.incumbent:
                    actor.incumbent, self.current = reward, candidate
            local = int(np.ravel_multi_index(tuple(self.current[agent.positions]),
                                             tuple(self.table.grid.radices[agent.positions])))
            writer.metric(step, agent.name, phase=phase, inner=own,
                          outer=raw, reward=reward, regret=regret, config_code=local,
                          detail=ACTED if agent is actor else "")


def agent_weights(components: Mapping[str, Any],
                  reward: Mapping[str, Any]) -> dict[str, tuple[float, float, float]]:
    """(inner, outer, cost) weights per agent under ``reward.mode`` (see the reward group)."""
    from agentic_env.envs.rewards import resolve_weights

    mode, cost = reward["mode"], float(reward["cost"])
    if mode == "inner_only":
        return {unit: (1.0, 0.0, cost) for unit in components}
    if mode == "outer_only":
        return {unit: (0.0, 1.0, cost) for unit in components}
    if mode != "layered":
        raise ValueError(f"reward.mode {mode!r}; expected layered, inner_only or outer_only")
    resolved = resolve_weights(components, reward["weights"])
    return {unit: (w.inner, w.outer, w.cost) for unit, w in resolved.items()}


def _index(names: tuple[str, ...], name: str, what: str) -> int:
    if name not in names:
        raise ValueError(f"{what} metric {name!r} is not in the table; it has {list(names)}")
    return names.index(name)
