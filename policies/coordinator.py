"""The coordination layer: an explicit state machine over rounds of evolution.

States and transitions (AutoModel's coordinator; AgenticRS's individual ↔ compositional cycle)::

    INDIVIDUAL ──drift──► COMPOSITIONAL ──saturated or max rounds──► INDIVIDUAL

- **INDIVIDUAL**: each model-centric agent evolves its own knobs in turn (others fixed at the
  incumbent), by the method its schedule picks. An agent whose last phase saturated without
  improving the incumbent is *settled* and sits out, until every agent is settled (then all
  evolve again).
- **COMPOSITIONAL**: the composition agents (fusion, routing) evolve their knobs jointly, as one
  group named ``"composition"``.
- **Drift**: at the start of each round the incumbent is evaluated again (one evaluation, charged
  to the budget); a reward below its mean by more than ``drift_tolerance`` is drift. Past
  observations then describe another world and are forgotten (so are rejected options).

Every round's decision and every switch is a store event (``decision.round``,
``decision.switch``), readable with :func:`policies.recording.events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from policies.budget import Budget, BudgetMeter
from policies.evolution import EvolutionState
from policies.recording import RunRecorder
from policies.saturation import SaturationDetector
from policies.schedule import PhaseRecord, Schedule, run_phase
from policies.search.base import Observations
from policies.search.loop import Objective

COMPOSITION = "composition"


class Mode(StrEnum):
    INDIVIDUAL = "individual"
    COMPOSITIONAL = "compositional"


@dataclass(frozen=True)
class Decision:
    """What the coordinator decided for one round, and why."""

    round: int
    step: int
    mode: Mode
    agents: tuple[str, ...]
    methods: Mapping[str, str]
    reason: str


@dataclass
class Coordinator:
    """Decides each round which agents evolve, by which method, and at which granularity.

    Args:
        state: The run's state; its agents are split into individual and composition agents.
        objective: Evaluates codes (an env step in cached mode, a table lookup).
        schedule: Picks each agent's method (a :class:`~policies.schedule.PerAgent` for
            different methods per agent); the composition group asks it as ``"composition"``.
        composition_agents: Agents whose knobs change the composition (fusion, router).
        drift_tolerance: Drop of the incumbent's reward (absolute) that counts as drift.
        max_compositional_rounds: Rounds in COMPOSITIONAL before going back regardless.
        phase_budget: Budget of each phase (None: until saturation).
    """

    state: EvolutionState
    objective: Objective
    schedule: Schedule
    composition_agents: Sequence[str]
    drift_tolerance: float = 0.5
    max_compositional_rounds: int = 2
    phase_budget: Budget | None = None
    detector: SaturationDetector = field(default_factory=SaturationDetector)
    recorder: RunRecorder | None = None
    seed: int = 0
    mode: Mode = Mode.INDIVIDUAL
    decisions: list[Decision] = field(default_factory=list)
    phases: list[PhaseRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = set(self.composition_agents) - set(self.state.agents)
        if unknown:
            raise ValueError(f"composition agents {sorted(unknown)} are not agents of the state "
                             f"({sorted(self.state.agents)})")
        self.individual = [a for a in self.state.agents if a not in self.composition_agents]
        if not self.individual or not self.composition_agents:
            raise ValueError("need at least one individual and one composition agent")
        self._settled: set[str] = set()
        self._last: dict[str, PhaseRecord | None] = {}
        self._rounds_in_mode = 0

    def run(self, budget: Budget) -> list[Decision]:
        """Run rounds until ``budget`` is spent; returns every decision."""
        meter, idle = BudgetMeter(budget), 0
        while not meter.exhausted:
            before = len(self.state.trace)
            self.round(meter)
            idle = idle + 1 if len(self.state.trace) == before else 0
            if idle == 2:  # e.g. a proposer with nothing left to offer, and no RL phase
                self._log("decision.stop", {"reason": "two rounds evaluated nothing",
                                            "evaluations": before})
                break
        return self.decisions

    def round(self, meter: BudgetMeter) -> Decision:
        """One round: check for drift, transition, evolve the chosen agents."""
        reason = self._transition(self._drifted(meter))
        groups = self._groups()
        methods = {g: self.schedule.next(g, self._last.get(g))[0].name for g in groups}
        decision = Decision(len(self.decisions), len(self.state.trace), self.mode,
                            tuple(groups), methods, reason)
        self.decisions.append(decision)
        self._log("decision.round", {"round": decision.round, "mode": self.mode.value,
                                     "agents": list(groups), "methods": methods,
                                     "reason": reason})
        for group, knobs in groups.items():
            if meter.exhausted:
                break
            self._evolve(group, knobs, meter)
        self._rounds_in_mode += 1
        return decision

    def _groups(self) -> dict[str, list[int]]:
        if self.mode is Mode.COMPOSITIONAL:
            knobs = sorted(k for a in self.composition_agents for k in self.state.agents[a])
            return {COMPOSITION: knobs}
        active = [a for a in self.individual if a not in self._settled] or self.individual
        if len(active) == len(self.individual):
            self._settled.clear()
        return {a: self.state.agents[a] for a in active}

    def _evolve(self, group: str, knobs: list[int], meter: BudgetMeter) -> None:
        before = self.state.incumbent
        method, phase_budget = self.schedule.next(group, self._last.get(group))
        record = run_phase(self.state, group, method, self.objective, meter, phase_budget
                           or self.phase_budget, self.detector, seed=self.seed,
                           recorder=self.recorder, knobs=knobs)
        self._last[group] = record
        self.phases.append(record)
        if record.saturated and self.state.incumbent == before:
            self._settled.add(group)

    def _drifted(self, meter: BudgetMeter) -> str | None:
        """Re-evaluate the incumbent; a reason string when it fell by more than the tolerance."""
        state, code = self.state, self.state.incumbent
        if code not in state.observed.sums or meter.exhausted:
            return None
        mean = state.observed.mean(code)
        reward, cost, info = self.objective(code)
        meter.charge(cost)
        state.trace.add(code, reward, cost, info)
        if self.recorder is not None:
            self.recorder.evaluation(len(state.trace) - 1, code, reward, cost,
                                     {**info, "method": "monitor"}, agent="coordinator")
        if mean - reward > self.drift_tolerance:
            return f"drift: incumbent {code} fell from {mean:.4g} to {reward:.4g}"
        state.observe(code, reward)
        return None

    def _transition(self, drift: str | None) -> str:
        old = self.mode
        if drift is not None:
            self.state.observed = Observations()  # the old observations describe another world
            self.state.rejected.clear()
            self._settled.clear()
            self.mode, reason = Mode.COMPOSITIONAL, drift
        elif old is Mode.COMPOSITIONAL and self._compositional_done():
            self.mode, reason = Mode.INDIVIDUAL, "composition settled"
        else:
            return "continue"
        if self.mode is not old or drift is not None:
            self._rounds_in_mode = 0
            self._log("decision.switch", {"from": old.value, "to": self.mode.value,
                                          "reason": reason})
        return reason

    def _compositional_done(self) -> bool:
        last = self._last.get(COMPOSITION)
        saturated = last is not None and last.saturated
        return saturated or self._rounds_in_mode >= self.max_compositional_rounds

    def _log(self, kind: str, payload: dict[str, object]) -> None:
        if self.recorder is not None:
            self.recorder.event(len(self.state.trace), kind, payload, scenario="coordinator")
