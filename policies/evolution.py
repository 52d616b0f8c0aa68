"""One phase of evolution: an agent changes its own knobs by one method, the others held fixed.

Shared by the schedules and the coordinator. :class:`EvolutionState` is what a run knows: the
grid, which values of each knob are unlocked (the growing action set — a template the proposer
adds unlocks a value), the observations and the incumbent. :class:`PhaseContext` is what a
method may do in a phase: evaluate codes that differ from the incumbent only in its agent's
knobs, within its budget, until it saturates.

Two kinds of method plug in:
- ``"rl"`` — :class:`SearchMethod`, any searcher (bandit, TPE, evolutionary, ...) over the
  agent's unlocked values; RL in the paper's sense of search over a small, fixed action set.
- ``"llm"`` — :class:`ProposeMethod`, asks an :class:`OptionProposer` for new options, evaluates
  each in the incumbent, keeps the better ones and records the rest as negative cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from policies.budget import BudgetMeter
from policies.recording import RunRecorder
from policies.saturation import SaturationDetector
from policies.search.base import Observations, Searcher
from policies.search.loop import Objective, Trace
from policies.search.space import SearchSpace

SearcherFactory = Callable[[SearchSpace, int], Searcher]


@dataclass
class EvolutionState:
    """A run's knowledge: unlocked values per knob, observations, incumbent, agent -> knobs."""

    space: SearchSpace
    agents: dict[str, list[int]]
    unlocked: list[list[int]]
    observed: Observations = field(default_factory=Observations)
    incumbent: int = 0
    trace: Trace = field(default_factory=Trace)
    rejected: set[tuple[int, int]] = field(default_factory=set)  # (knob, value) tried, not kept

    @classmethod
    def start(cls, space: SearchSpace, agents: Mapping[str, Sequence[int]] | None = None,
              unlocked: Sequence[Sequence[int]] | None = None) -> EvolutionState:
        """All knobs one agent ``"system"`` and every value unlocked, unless told otherwise."""
        agents = {"system": list(range(space.radices.size))} if agents is None else agents
        owned = sorted(k for knobs in agents.values() for k in knobs)
        if len(set(owned)) != len(owned) or any(not 0 <= k < space.radices.size for k in owned):
            raise ValueError(f"agents must own distinct knob positions 0..{space.radices.size - 1}"
                             f", got {dict(agents)}")
        values = ([list(range(int(r))) for r in space.radices] if unlocked is None
                  else [sorted(set(int(v) for v in u)) for u in unlocked])
        start = space.encode([u[0] for u in values])
        return cls(space, {a: list(k) for a, k in agents.items()}, values, incumbent=start)

    def locked(self, knob: int) -> list[int]:
        """Values of ``knob`` not yet unlocked (the proposer's candidates)."""
        return [v for v in range(int(self.space.radices[knob])) if v not in self.unlocked[knob]]

    def candidates(self, knob: int) -> list[int]:
        """Locked values not yet rejected: what a proposer may still offer."""
        return [v for v in self.locked(knob) if (knob, v) not in self.rejected]

    def with_values(self, base: int, knobs: Sequence[int],
                    values: Sequence[int] | np.ndarray) -> int:
        """``base`` with ``knobs`` set to ``values``."""
        indices = self.space.decode(base)
        indices[list(knobs)] = list(values)
        return self.space.encode(indices)

    def observe(self, code: int, reward: float) -> None:
        """Add an observation; the incumbent becomes the best mean so far."""
        self.observed.add(code, reward)
        if code == self.incumbent or self.observed.mean(code) > self._incumbent_mean():
            self.incumbent = self.observed.ranked()[0]

    def _incumbent_mean(self) -> float:
        return self.observed.mean(self.incumbent) if self.incumbent in self.observed.sums \
            else -np.inf


class PhaseContext:
    """What a method may do during one phase for one agent (or a group: ``knobs`` given)."""

    def __init__(self, state: EvolutionState, agent: str, objective: Objective,
                 meter: BudgetMeter, detector: SaturationDetector, *, seed: int,
                 recorder: RunRecorder | None = None, method: str = "",
                 knobs: Sequence[int] | None = None) -> None:
        self.state, self.agent, self.objective = state, agent, objective
        self.meter, self.detector, self.seed = meter, detector, seed
        self.recorder, self.method = recorder, method
        self.knobs = list(knobs) if knobs is not None else state.agents[agent]

    @property
    def done(self) -> bool:
        return self.meter.exhausted or self.detector.saturated

    def evaluate(self, code: int) -> float:
        """Evaluate ``code``, charge the budget, update state, detector, trace and store."""
        reward, cost, info = self.objective(code)
        self.meter.charge(cost)
        self.state.observe(code, reward)
        self.detector.update(reward)
        self.state.trace.add(code, reward, cost, info)
        if self.recorder is not None:
            self.recorder.evaluation(len(self.state.trace) - 1, code, reward, cost,
                                     {**info, "method": self.method}, agent=self.agent)
        return reward


class Method(Protocol):
    """Something that evolves one agent for one phase."""

    name: str
    kind: str  # "rl" or "llm"

    def run(self, ctx: PhaseContext) -> None: ...


class SearchMethod:
    """A searcher over the agent's unlocked values, the other knobs at the incumbent's."""

    kind = "rl"

    def __init__(self, factory: SearcherFactory, name: str = "search") -> None:
        self.factory, self.name = factory, name

    def run(self, ctx: PhaseContext) -> None:
        state = ctx.state
        agent_space = SearchSpace(state.space.radices[ctx.knobs],
                                  [state.space.names[k] for k in ctx.knobs])
        sub, to_local = agent_space.restrict([state.unlocked[k] for k in ctx.knobs])
        searcher = self.factory(sub, ctx.seed)
        base = state.incumbent
        while not ctx.done:
            local = searcher.ask()
            code = state.with_values(base, ctx.knobs, agent_space.decode(to_local(local)))
            searcher.tell(local, ctx.evaluate(code))


class OptionProposer(Protocol):
    """Proposes options to unlock: ``(knob position, value index)`` pairs among locked values.

    In cached mode a template is a value of the grid that starts locked (its results are in the
    table, as if the template had been generated and evaluated); live template generation is the
    ``policies.proposer`` package's :class:`~policies.proposer.Proposer`.
    """

    name: str

    def propose(self, state: EvolutionState, knobs: Sequence[int], n: int) -> list[tuple[int, int]]:
        ...


class HeuristicOptionProposer:
    """Offline stand-in for the LLM: unlocks locked values of the knobs whose unlocked values
    differ most in observed reward (where the choice matters), at random among ties."""

    name = "heuristic"

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def propose(self, state: EvolutionState, knobs: Sequence[int], n: int) -> list[tuple[int, int]]:
        candidates = [(k, v) for k in knobs for v in state.candidates(k)]
        if not candidates:
            return []
        spread = {k: self._spread(state, k) for k in knobs}
        noise = self.rng.random(len(candidates))
        order = sorted(range(len(candidates)), key=lambda i: (-spread[candidates[i][0]], noise[i]))
        return [candidates[i] for i in order[:n]]

    @staticmethod
    def _spread(state: EvolutionState, knob: int) -> float:
        by_value: dict[int, list[float]] = {}
        for code in state.observed.sums:
            value = int(state.space.decode(code)[knob])
            by_value.setdefault(value, []).append(state.observed.mean(code))
        means = [float(np.mean(v)) for v in by_value.values()]
        return max(means) - min(means) if len(means) > 1 else 0.0


class ProposeMethod:
    """Unlock proposed options; keep each only if the incumbent with it scores better.

    Each option becomes a store template (proposed → validated → evaluated → accepted or
    rejected); a rejected one is also a negative case. A rejected option stays locked and
    is not proposed again (until the coordinator forgets rejections after a drift).
    """

    kind = "llm"

    def __init__(self, proposer: OptionProposer, n: int = 2, min_gain: float = 0.0) -> None:
        self.proposer, self.n, self.min_gain = proposer, n, min_gain
        self.name = f"propose_{proposer.name}"

    def run(self, ctx: PhaseContext) -> None:
        state = ctx.state
        for knob, value in self.proposer.propose(state, ctx.knobs, self.n):
            if ctx.meter.exhausted:
                break
            base = state.incumbent
            baseline = state.observed.mean(base) if base in state.observed.sums \
                else ctx.evaluate(base)
            candidate = state.with_values(base, [knob], [value])
            score = ctx.evaluate(candidate)
            accepted = score > baseline + self.min_gain
            if accepted:
                state.unlocked[knob] = sorted([*state.unlocked[knob], value])
            else:
                state.rejected.add((knob, value))
            self._record(ctx, knob, value, score, baseline, accepted)

    def _record(self, ctx: PhaseContext, knob: int, value: int, score: float, baseline: float,
                accepted: bool) -> None:
        if ctx.recorder is None:
            return
        store, run_id = ctx.recorder.store, ctx.recorder.run_id
        name = ctx.state.space.names[knob]
        record = store.record_template(ctx.agent, name, f"{name}={value}",
                                       {"knob": name, "value": value},
                                       proposer=self.proposer.name, run_id=run_id)
        if record.status.value != "proposed":
            return  # proposed before (same spec): its outcome is already stored
        for status in ("validated", "evaluated"):
            store.update_template_status(record.id, status)
        reason = f"score {score:.4g} vs incumbent {baseline:.4g}"
        store.update_template_status(record.id, "accepted" if accepted else "rejected", reason)
        if not accepted:
            store.record_negative_case(ctx.agent, reason, template_id=record.id, run_id=run_id,
                                       details={"knob": name, "value": value})
