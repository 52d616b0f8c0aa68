"""Histories from the policies' records: a search/coordinator ``Trace`` becomes the long table
:mod:`experiments.report` reads, so any driver in ``policies/`` gets the same report.

    state = EvolutionState.start(space, agents)          # policies.evolution
    Coordinator(state, objective, schedule, ...).run(budget)
    frame = history_from_trace(state.trace, agents=state.agents, radices=space.radices,
                               phase_of=objective.phase_of, actors=acting_agent_per_step)
    write_history(frame, run_dir); build_report(run_dir)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.history import ACTED, SYSTEM, HistoryWriter


def history_from_trace(
    trace: Any,
    *,
    agents: Mapping[str, Sequence[int]] | None = None,
    radices: Sequence[int] | np.ndarray | None = None,
    phase_of: Callable[[int], int] | None = None,
    actors: Sequence[str] | None = None,
    templates: Sequence[tuple[int, str, str, str]] = (),
    scenario: str = "",
    inner: np.ndarray | None = None,
) -> pd.DataFrame:
    """The history of a ``policies.search.Trace`` (codes, rewards, costs, regrets).

    Args:
        trace: Evaluations in order; ``rewards`` are the system's outer reward.
        agents: Agent -> grid knob positions; with ``radices`` adds each agent's row per step
            (its own sub-configuration's code; no inner metric is known here).
        phase_of: Step -> scenario phase; a drift event (naming ``scenario``) is written where
            the phase changes.
        actors: The agent that proposed each step's configuration (marked ``"acted"``).
        templates: ``(step, event, name, agent)`` with ``event`` one of ``template_proposed``,
            ``template_accepted``, ``template_rejected``.
        inner: ``(grid size, len(agents))`` each agent's inner value per code (agents in the
            order of ``agents``); without it the agents' rows carry no inner value.
    """
    writer = HistoryWriter()
    previous = 0
    for step, (code, reward, cost, regret) in enumerate(
        zip(trace.codes, trace.rewards, trace.costs, trace.regrets, strict=True)
    ):
        phase = int(phase_of(step)) if phase_of is not None else 0
        if phase != previous:
            writer.event(step, "drift", f"{scenario} phase {phase}".strip(), phase=phase)
            previous = phase
        writer.metric(step, SYSTEM, phase=phase, outer=reward, reward=reward, regret=regret,
                      cost=cost, config_code=code)
        if agents is not None and radices is not None:
            own = inner[int(code)] if inner is not None else None
            _agent_rows(writer, step, phase, code, reward, agents, radices, actors, own)
    for step, event, name, agent in templates:
        writer.event(step, event, name, agent=agent)
    return writer.frame()


def _agent_rows(writer: HistoryWriter, step: int, phase: int, code: int, reward: float,
                agents: Mapping[str, Sequence[int]], radices: Sequence[int] | np.ndarray,
                actors: Sequence[str] | None, inner: np.ndarray | None = None) -> None:
    shape = tuple(int(r) for r in radices)
    indices = np.array(np.unravel_index(int(code), shape))
    for i, (agent, knobs) in enumerate(agents.items()):
        positions = list(knobs)
        local = int(np.ravel_multi_index(tuple(indices[positions]),
                                         tuple(shape[k] for k in positions)))
        acted = actors is not None and step < len(actors) and actors[step] == agent
        extra = {"inner": float(inner[i])} if inner is not None else {}
        writer.metric(step, agent, phase=phase, outer=reward, config_code=local,
                      detail=ACTED if acted else "", **extra)
