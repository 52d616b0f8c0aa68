"""RL/LLM schedules: which method evolves an agent next, and the loop that runs them.

The AgenticRS paper's three relationships between RL and LLM evolution, as schedules:
- :class:`RLOnly` and :class:`LLMOnly` — one method throughout;
- :class:`RLThenLLM` — RL until it saturates, then the LLM proposes new options, then RL searches
  the grown action set again (sequential);
- :class:`Alternate` — LLM proposes, RL searches for a fixed budget, in alternation;
- :class:`PerAgent` — different schedules for different agents in one run (parallel).

:func:`run_schedule` runs phases agent by agent (individual evolution: the others keep the
incumbent's values) until the budget is spent or a whole round evaluates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from policies.budget import Budget, BudgetMeter
from policies.evolution import EvolutionState, Method, PhaseContext
from policies.recording import RunRecorder
from policies.saturation import SaturationDetector
from policies.search.loop import Objective

UNLIMITED = Budget(evaluations=1 << 62)


@dataclass(frozen=True)
class PhaseRecord:
    """How one phase went."""

    agent: str
    method: str
    kind: str
    start: int  # evaluations of the run before the phase
    evaluations: int
    saturated: bool


class Schedule(Protocol):
    """Chooses an agent's next method and that phase's budget (None: until saturation)."""

    name: str

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]: ...


class RLOnly:
    """Only RL (search) phases, each until saturation or ``phase_budget``."""

    name = "rl_only"

    def __init__(self, rl: Method, phase_budget: Budget | None = None) -> None:
        self.rl, self.phase_budget = rl, phase_budget

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]:
        return self.rl, self.phase_budget


class LLMOnly:
    """Only proposal phases: every evaluation tests a proposed option."""

    name = "llm_only"

    def __init__(self, llm: Method) -> None:
        self.llm = llm

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]:
        return self.llm, None


class RLThenLLM:
    """RL until saturation, then one LLM phase, then RL again (and so on)."""

    name = "rl_then_llm"

    def __init__(self, rl: Method, llm: Method, phase_budget: Budget | None = None) -> None:
        self.rl, self.llm, self.phase_budget = rl, llm, phase_budget

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]:
        if last is not None and last.kind == "rl" and last.saturated:
            return self.llm, None
        return self.rl, self.phase_budget


class Alternate:
    """LLM proposes, then RL searches for ``rl_budget``; repeat."""

    name = "alternate"

    def __init__(self, llm: Method, rl: Method, rl_budget: Budget) -> None:
        self.llm, self.rl, self.rl_budget = llm, rl, rl_budget

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]:
        if last is None or last.kind == "rl":
            return self.llm, None
        return self.rl, self.rl_budget


class PerAgent:
    """A schedule per agent (agents without one use ``default``)."""

    name = "per_agent"

    def __init__(self, schedules: Mapping[str, Schedule], default: Schedule | None = None) -> None:
        self.schedules, self.default = dict(schedules), default

    def next(self, agent: str, last: PhaseRecord | None) -> tuple[Method, Budget | None]:
        schedule = self.schedules.get(agent, self.default)
        if schedule is None:
            raise ValueError(f"no schedule for agent {agent!r}; have {sorted(self.schedules)}")
        return schedule.next(agent, last)


def run_phase(state: EvolutionState, agent: str, method: Method, objective: Objective,
              meter: BudgetMeter, phase_budget: Budget | None, detector: SaturationDetector, *,
              seed: int = 0, recorder: RunRecorder | None = None,
              knobs: list[int] | None = None) -> PhaseRecord:
    """Run ``method`` for ``agent`` within ``phase_budget`` (and ``meter``); log start and end.

    ``knobs`` overrides the agent's own knobs (a group of agents evolving jointly)."""
    start = len(state.trace)
    detector.reset()
    ctx = PhaseContext(state, agent, objective, meter.child(phase_budget or UNLIMITED), detector,
                       seed=seed + start, recorder=recorder, method=method.name, knobs=knobs)
    if recorder is not None:
        recorder.event(start, "decision.phase", {"agent": agent, "method": method.name,
                                                 "method_kind": method.kind},
                       scenario="schedule")
    method.run(ctx)
    record = PhaseRecord(agent, method.name, method.kind, start, len(state.trace) - start,
                         detector.saturated)
    if recorder is not None:
        recorder.event(len(state.trace), "phase.end",
                       {"agent": agent, "method": method.name, "evaluations": record.evaluations,
                        "saturated": record.saturated, "incumbent": state.incumbent},
                       scenario="schedule")
    return record


def run_schedule(schedule: Schedule, objective: Objective, state: EvolutionState,
                 budget: Budget, *, seed: int = 0, recorder: RunRecorder | None = None,
                 detector: SaturationDetector | None = None) -> list[PhaseRecord]:
    """Evolve every agent of ``state`` in turn under ``schedule`` until ``budget`` is spent."""
    meter = BudgetMeter(budget)
    detector = detector or SaturationDetector()
    last: dict[str, PhaseRecord | None] = dict.fromkeys(state.agents)
    phases: list[PhaseRecord] = []
    while not meter.exhausted:
        evaluated = 0
        for agent in state.agents:
            if meter.exhausted:
                break
            method, phase_budget = schedule.next(agent, last[agent])
            record = run_phase(state, agent, method, objective, meter, phase_budget, detector,
                               seed=seed, recorder=recorder)
            phases.append(record)
            last[agent] = record
            evaluated += record.evaluations
        if evaluated == 0:
            break  # nothing left to propose or search
    return phases
