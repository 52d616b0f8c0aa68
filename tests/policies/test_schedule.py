from __future__ import annotations

import numpy as np

from policies.budget import Budget
from policies.evolution import EvolutionState, HeuristicOptionProposer, ProposeMethod, SearchMethod
from policies.recording import RunRecorder, events
from policies.saturation import SaturationDetector
from policies.schedule import Alternate, LLMOnly, PerAgent, RLOnly, RLThenLLM, run_schedule
from policies.search import BanditSearch, SearchSpace, TPESearch
from tests.policies.conftest import RADICES, synthetic_objective

AGENTS = {"retrieval": [0, 1], "ranking": [2, 3], "reranking": [4]}


def tpe() -> SearchMethod:
    return SearchMethod(lambda space, seed: TPESearch(space, seed, n_startup_trials=4), "tpe")


def locked_away_from_optimum(objective) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Unlock two values per knob, never the optimum's: RL alone cannot reach the optimum."""
    best = SearchSpace(RADICES).decode(objective.best()[0])
    return [[v for v in range(r) if v != best[k]][:2] for k, r in enumerate(RADICES)]


def run(schedule, seed: int = 0, recorder=None):  # type: ignore[no-untyped-def]
    objective = synthetic_objective(seed)
    state = EvolutionState.start(SearchSpace(RADICES), AGENTS, locked_away_from_optimum(objective))
    phases = run_schedule(schedule, objective, state, Budget(evaluations=150), seed=seed,
                          recorder=recorder, detector=SaturationDetector(window=8))
    return objective, state, phases


def test_rl_then_llm_grows_the_action_set_and_beats_rl_alone() -> None:
    llm = ProposeMethod(HeuristicOptionProposer(seed=0), n=2)
    gains = []
    for seed in range(3):
        objective, state, phases = run(RLThenLLM(tpe(), llm), seed)
        kinds = [p.kind for p in phases if p.agent == "retrieval"]
        assert kinds[:3] == ["rl", "llm", "rl"] and phases[0].saturated
        assert sum(len(u) for u in state.unlocked) > 2 * len(RADICES)
        rl_objective, rl_state, _ = run(RLOnly(tpe()), seed)
        assert all(len(u) == 2 for u in rl_state.unlocked)
        gains.append(rl_objective.regret(rl_state.incumbent) - objective.regret(state.incumbent))
    assert np.mean(gains) > 0


def test_alternate_and_llm_only_orders() -> None:
    llm = ProposeMethod(HeuristicOptionProposer(seed=1), n=1)
    _, _, phases = run(Alternate(llm, tpe(), Budget(evaluations=10)))
    assert [p.kind for p in phases if p.agent == "ranking"][:4] == ["llm", "rl", "llm", "rl"]
    _, state, phases = run(LLMOnly(llm))
    assert {p.kind for p in phases} == {"llm"}
    assert all(not state.candidates(k) for k in range(len(RADICES)))  # it ran out of options


def test_different_methods_per_agent_are_recorded(store) -> None:  # type: ignore[no-untyped-def]
    bandit = SearchMethod(lambda space, seed: BanditSearch(space, seed), "bandit")
    llm = ProposeMethod(HeuristicOptionProposer(seed=0), n=2)
    schedule = PerAgent({"retrieval": RLOnly(bandit, Budget(evaluations=10)),
                         "ranking": LLMOnly(llm)}, default=RLThenLLM(tpe(), llm))
    recorder = RunRecorder(store, "schedule-test", seed=0)
    _, _, phases = run(schedule, recorder=recorder)
    assert {p.method for p in phases if p.agent == "retrieval"} == {"bandit"}
    assert {p.method for p in phases if p.agent == "ranking"} == {"propose_heuristic"}
    history = store.run_history(recorder.run_id)
    rewards = history[history["kind"] == "reward"]
    assert set(rewards["agent"]) == set(AGENTS)
    statuses = {t.status.value for t in store.templates(agent="ranking")}
    assert statuses <= {"accepted", "rejected"} and statuses
    rejected = [t for t in store.templates(status="rejected")]
    assert len(store.negative_cases()) == len(rejected)
    decided = events(store, recorder.run_id)
    assert [d["agent"] for d in decided[:3]] == list(AGENTS)
    assert [d["method"] for d in decided[:2]] == ["bandit", "propose_heuristic"]


def test_maskable_policy_never_proposes_a_locked_value_and_keeps_its_model() -> None:
    from policies.policy_method import MaskablePolicyMethod

    objective = synthetic_objective(0)
    space = SearchSpace(RADICES)
    state = EvolutionState.start(space, {"system": list(range(len(RADICES)))},
                                 locked_away_from_optimum(objective))
    rl = MaskablePolicyMethod(n_steps=8, batch_size=8, n_epochs=1)
    llm = ProposeMethod(HeuristicOptionProposer(seed=0), n=3)
    unlocked_during: list[list[list[int]]] = []
    original = rl.run

    def spy(ctx):  # type: ignore[no-untyped-def]
        unlocked_during.append([list(u) for u in ctx.state.unlocked])
        start = len(ctx.state.trace)
        original(ctx)
        for code in ctx.state.trace.codes[start:]:
            values = space.decode(code)
            assert all(v in unlocked_during[-1][k] for k, v in enumerate(values))

    rl.run = spy  # type: ignore[method-assign]
    phases = run_schedule(RLThenLLM(rl, llm, Budget(evaluations=40)), objective, state,
                          Budget(evaluations=150), detector=SaturationDetector(window=10))
    assert [p.kind for p in phases][:3] == ["rl", "llm", "rl"]
    assert len(unlocked_during) >= 2 and unlocked_during[1] != unlocked_during[0]
    assert rl.models["system"].num_timesteps == sum(p.evaluations for p in phases
                                                    if p.kind == "rl")
