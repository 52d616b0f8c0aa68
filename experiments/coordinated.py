"""Coordinated runs: the policies' coordinator, RL/LLM schedules and proposer over a table.

Used by :mod:`experiments.evolve` when a run needs more than a per-agent search: an RL policy
(``policy.kind: rl``; MaskablePPO per agent and phase), or the proposer (``proposer.name`` not
``none``). Templates are grid values that start locked (``proposer.start_unlocked`` is the
share of each knob's values open at the start; 1.0 with ``proposer=none``); the heuristic
proposer unlocks them, and each is kept only when it beats the incumbent. The coordinator
alternates individual and compositional rounds on drift; with a single agent the schedule runs
alone.

Every evaluation is written to the knowledge store by ``policies.recording.RunRecorder``; the
trace becomes the standard history (:func:`experiments.adapters.history_from_trace`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from experiments.adapters import history_from_trace
from experiments.protocol import TableLike
from experiments.strategies import SEARCHER_NAMES

COMPOSITION = "composition"


def needs_coordinator(config: Mapping[str, Any]) -> bool:
    return config["policy"]["kind"] == "rl" or config["proposer"]["name"] != "none"


def rl_method(policy: Mapping[str, Any]) -> Any:
    """The schedule's "rl" method: a search baseline or MaskablePPO per agent."""
    from policies.evolution import SearchMethod
    from policies.search import make_searcher

    name, kwargs = policy["name"], dict(policy["kwargs"])
    if name == "maskable_ppo":
        from policies.policy_method import MaskablePolicyMethod

        return MaskablePolicyMethod(name, **kwargs)
    if policy["kind"] == "rl":
        raise NotImplementedError(f"policy={name} inside a schedule: use maskable_ppo (the "
                                  "action set grows as templates are unlocked)")
    if name not in SEARCHER_NAMES:
        raise ValueError(f"policy {name!r} is not a search policy; expected "
                         f"{sorted(SEARCHER_NAMES)}")
    searcher = SEARCHER_NAMES[name]
    return SearchMethod(lambda space, seed: make_searcher(searcher, space, seed, **kwargs), name)


class RecordingProposer:
    """Wraps an option proposer to remember at which evaluation each option was proposed."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.proposed: list[tuple[int, int, int, str]] = []  # (step, knob, value, agent)

    def propose(self, state: Any, knobs: Sequence[int], n: int) -> list[tuple[int, int]]:
        options: list[tuple[int, int]] = self.inner.propose(state, knobs, n)
        agent = next((a for a, k in state.agents.items() if set(knobs) <= set(k)), "system")
        self.proposed += [(len(state.trace), k, v, agent) for k, v in options]
        return options


def llm_method(proposer: Mapping[str, Any], seed: int) -> tuple[Any, RecordingProposer]:
    from policies.evolution import HeuristicOptionProposer, ProposeMethod

    if proposer["name"] != "heuristic":
        raise NotImplementedError(f"proposer={proposer['name']} proposes new templates live; "
                                  "table runs take proposer=heuristic")
    recording = RecordingProposer(HeuristicOptionProposer(seed))
    return ProposeMethod(recording, n=int(proposer["max_templates"])), recording


def schedule_of(config: Mapping[str, Any], rl: Any, llm: Any) -> Any:
    from policies.budget import Budget
    from policies.schedule import Alternate, LLMOnly, RLOnly, RLThenLLM

    kind = config["proposer"]["schedule"]
    if kind == "rl_only" or llm is None:
        return RLOnly(rl)
    if kind == "llm_only":
        return LLMOnly(llm)
    if kind == "rl_then_llm":
        return RLThenLLM(rl, llm)
    return Alternate(llm, rl, Budget(evaluations=int(config["proposer"]["rl_budget"])))


class Counted:
    """An objective that advances a progress bar at each evaluation (other attributes pass)."""

    def __init__(self, objective: Any, bar: tqdm[Any]) -> None:
        self.objective, self.bar = objective, bar

    def __call__(self, code: int) -> Any:
        self.bar.update(1)
        return self.objective(code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.objective, name)


def objective_arrays(table: TableLike,
                     config: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rewards ``(size, phases, repeats)``, costs and filled mask of the run's scenario and
    metric; a cell the table could not fill (a failed evaluation) scores the phase's worst
    reward, so every code stays evaluable."""
    scenario, metric = config["scenario"]["name"], config["reward"]["outer_metric"]
    if scenario not in table.scenarios:
        raise ValueError(f"scenario {scenario!r} is not in the table; it has {table.scenarios}")
    if metric not in table.outer_names:
        raise ValueError(f"outer metric {metric!r} is not in the table; it has "
                         f"{list(table.outer_names)}")
    values = np.array(table.outer[:, table.scenarios.index(scenario), :, :,
                                  table.outer_names.index(metric)], dtype=np.float64)
    worst = np.nanmin(values, axis=(0, 2), keepdims=True)
    values = np.where(np.isfinite(values), values, worst)
    costs = np.nan_to_num(np.asarray(table.cost, dtype=np.float64))
    return values, costs, np.ones(costs.shape, dtype=bool)


def start_unlocked(radices: np.ndarray, share: float) -> list[list[int]]:
    """The first ``ceil(share * radix)`` values of every knob (at least one)."""
    return [list(range(max(1, math.ceil(share * int(r))))) for r in radices]


def run_coordinated(config: Mapping[str, Any], table: TableLike,
                    store: Any) -> tuple[pd.DataFrame, int]:
    """Run ``config`` through the coordinator; returns its history and store run id."""
    from agentic_env.envs.decompositions import decompose
    from policies.budget import Budget, BudgetMeter
    from policies.coordinator import Coordinator
    from policies.evolution import EvolutionState
    from policies.objective import TableObjective
    from policies.recording import RunRecorder
    from policies.saturation import SaturationDetector
    from policies.schedule import run_phase
    from policies.search import SearchSpace

    seed, budget = int(config["seed"]), int(config["budget"])
    n_phases = table.n_phases

    def phase_of(n: int) -> int:
        return min(n * n_phases // budget, n_phases - 1)

    space = SearchSpace.of(table.grid)
    agents = {u: list(p) for u, p in decompose(table.grid.knobs,
                                                config["decomposition"]["name"]).units.items()}
    proposer = config["proposer"]
    unlocked = start_unlocked(space.radices, float(proposer["start_unlocked"]))
    state = EvolutionState.start(space, agents, unlocked)
    objective = TableObjective(*objective_arrays(table, config), seed=seed, phase_of=phase_of)
    rl = rl_method(config["policy"])
    llm, recording = llm_method(proposer, seed) if proposer["name"] != "none" else (None, None)
    schedule = schedule_of(config, rl, llm)
    detector = SaturationDetector(int(proposer["window"]), float(proposer["tolerance"]))
    recorder = RunRecorder(store, config["store"]["experiment"], seed=seed, config=config)
    composition = [a for a, knobs in agents.items()
                   if any(COMPOSITION in table.grid.knobs[k].roles for k in knobs)]
    with tqdm(total=budget, disable=not config["progress"], desc="evolve", unit="eval") as bar:
        counted = Counted(objective, bar)
        if composition and len(composition) < len(agents):
            Coordinator(state, counted, schedule, composition, detector=detector,
                        recorder=recorder, seed=seed).run(Budget(evaluations=budget))
        else:  # one agent (or no composition knob): its schedule alone, phase after phase
            meter, last, idle = BudgetMeter(Budget(evaluations=budget)), None, 0
            while not meter.exhausted and idle < 2:  # two empty phases: nothing left to try
                agent = next(iter(agents))
                method, phase_budget = schedule.next(agent, last)
                last = run_phase(state, agent, method, counted, meter, phase_budget, detector,
                                 seed=seed, recorder=recorder)
                idle = idle + 1 if last.evaluations == 0 else 0
    recorder.finish()
    templates = _template_events(recording, state, table)
    frame = history_from_trace(state.trace, agents=agents, radices=space.radices,
                               phase_of=phase_of, templates=templates,
                               scenario=config["scenario"]["name"],
                               inner=agent_inner(table, config))
    return frame, recorder.run_id


def agent_inner(table: TableLike, config: Mapping[str, Any]) -> np.ndarray:
    """``(grid size, n_agents)``: each agent's inner value of every code, as the envs mix it.

    The envs' own pieces: each inner metric scaled by the table's range
    (:class:`~agentic_env.envs.rewards.Normaliser`), averaged over the stored repeats, and mixed
    per agent by :class:`~agentic_env.envs.scales.InnerMix` (metrics a code lacks are skipped).
    """
    from agentic_env.envs.backends import mean_over_repeats
    from agentic_env.envs.decompositions import component, decompose
    from agentic_env.envs.rewards import Normaliser
    from agentic_env.envs.scales import InnerMix

    split = decompose(table.grid.knobs, config["decomposition"]["name"])
    mix = InnerMix([[component(c) for c in split.components[u]] for u in split.units],
                   table.inner_names)
    scaled = Normaliser.from_values(table.inner, table.filled)(table.inner)
    return mix(mean_over_repeats(scaled, table.filled[:, :, None], axis=1))


def _template_events(recording: RecordingProposer | None, state: Any,
                     table: TableLike) -> list[tuple[int, str, str, str]]:
    """Proposed at the step it was offered; accepted or rejected at the step after (the
    evaluation that decided it). Named ``knob=value`` with the grid's value."""
    if recording is None:
        return []
    events = []
    for step, knob, value, agent in recording.proposed:
        grid_knob = table.grid.knobs[knob]
        name = f"{grid_knob.name}={grid_knob.values[value]}"
        outcome = "template_accepted" if value in state.unlocked[knob] else "template_rejected"
        events += [(step, "template_proposed", name, agent), (step + 1, outcome, name, agent)]
    return events
