from __future__ import annotations

import numpy as np
import pytest

from policies.budget import Budget
from policies.coordinator import COMPOSITION, Coordinator, Mode
from policies.evolution import EvolutionState, SearchMethod
from policies.objective import TableObjective, synthetic_values
from policies.recording import RunRecorder, events
from policies.saturation import SaturationDetector
from policies.schedule import RLOnly
from policies.search import EvolutionarySearch, SearchSpace

RADICES = [3, 3, 3, 3, 3]
AGENTS = {"retrieval": [0], "ranking": [1, 2], "fusion": [3], "router": [4]}
DRIFT_AT = 120


def drifting_objective() -> TableObjective:
    """Phase 1 negates phase 0: whatever was best becomes worst at evaluation ``DRIFT_AT``."""
    base = synthetic_values(RADICES, seed=7, noise=0.0, n_repeats=1)[:, 0, 0]
    values = np.stack([base, -base], axis=1)[:, :, None] + np.zeros((1, 1, 2))
    values += np.random.default_rng(0).normal(scale=0.05, size=values.shape)
    return TableObjective(values, np.ones((values.shape[0], 2)), seed=0,
                          phase_of=lambda n: int(n >= DRIFT_AT))


def coordinator(recorder: RunRecorder | None = None) -> tuple[Coordinator, TableObjective]:
    objective = drifting_objective()
    method = SearchMethod(lambda space, seed: EvolutionarySearch(space, seed, population=4), "ea")
    state = EvolutionState.start(SearchSpace(RADICES), AGENTS)
    coord = Coordinator(state, objective, RLOnly(method, Budget(evaluations=15)),
                        composition_agents=["fusion", "router"], drift_tolerance=1.0,
                        detector=SaturationDetector(window=10), recorder=recorder)
    return coord, objective


def test_switches_to_compositional_on_drift_and_back(store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, "coordinator-test", seed=0)
    coord, _ = coordinator(recorder)
    decisions = coord.run(Budget(evaluations=300))
    modes = [(d.step, d.mode) for d in decisions]
    assert all(mode is Mode.INDIVIDUAL for step, mode in modes if step < DRIFT_AT)
    first = next(d for d in decisions if d.mode is Mode.COMPOSITIONAL)
    assert first.step >= DRIFT_AT and first.reason.startswith("drift")
    assert first.agents == (COMPOSITION,)
    assert any(d.mode is Mode.INDIVIDUAL and d.step > first.step for d in decisions)
    switches = events(store, recorder.run_id, "decision.switch")
    assert [(s["from"], s["to"]) for s in switches[:2]] == [
        ("individual", "compositional"), ("compositional", "individual")]
    rounds = events(store, recorder.run_id, "decision.round")
    assert [r["mode"] for r in rounds] == [d.mode.value for d in decisions]
    assert rounds[0]["agents"] == ["retrieval", "ranking"]


def test_recovers_after_drift() -> None:
    coord, objective = coordinator()
    coord.run(Budget(evaluations=300))
    assert objective.regret(coord.state.incumbent, phase=1) < objective.regret(
        int(np.argmax(objective.means[:, 0])), phase=1)


def test_needs_known_composition_agents() -> None:
    state = EvolutionState.start(SearchSpace(RADICES), AGENTS)
    method = SearchMethod(lambda space, seed: EvolutionarySearch(space, seed), "ea")
    with pytest.raises(ValueError, match="not agents"):
        Coordinator(state, drifting_objective(), RLOnly(method), composition_agents=["gate"])


class _Exhausted:
    """A method with nothing left to try (a proposer whose options are all tested)."""

    name, kind = "spent", "llm"

    def run(self, ctx: object) -> None:
        return None


def test_stops_when_no_method_can_evaluate_anything(store) -> None:  # type: ignore[no-untyped-def]
    from policies.schedule import LLMOnly

    recorder = RunRecorder(store, "coordinator-stop", seed=0)
    state = EvolutionState.start(SearchSpace(RADICES), AGENTS)
    coord = Coordinator(state, drifting_objective(), LLMOnly(_Exhausted()),  # type: ignore[arg-type]
                        composition_agents=["fusion", "router"], recorder=recorder)
    coord.run(Budget(evaluations=300))  # returned rather than looping forever
    assert len(state.trace) == 0
    stops = events(store, recorder.run_id, "decision.stop")
    assert len(stops) == 1 and stops[0]["reason"] == "two rounds evaluated nothing"
