from __future__ import annotations

import numpy as np
import pytest

from policies.budget import Budget
from policies.recording import RunRecorder
from policies.search import (
    SEARCHERS,
    BanditSearch,
    GridSearch,
    RandomSearch,
    SearchSpace,
    TPESearch,
    make_searcher,
    run_search,
)
from tests.policies.conftest import RADICES, synthetic_objective

SEEDS = range(4)
BUDGET = Budget(evaluations=80)


def final_regrets(name: str) -> list[float]:
    regrets = []
    for seed in SEEDS:
        objective = synthetic_objective(seed)
        trace = run_search(make_searcher(name, SearchSpace(RADICES), seed), objective, BUDGET)
        assert len(trace) == 80
        regrets.append(objective.regret(trace.best()[0]))
    return regrets


@pytest.fixture(scope="module")
def regrets() -> dict[str, float]:
    return {name: float(np.mean(final_regrets(name))) for name in SEARCHERS}


@pytest.mark.parametrize("name", sorted(SEARCHERS))
def test_each_searcher_beats_chance(name: str, regrets: dict[str, float]) -> None:
    # chance: the expected regret of one configuration drawn uniformly
    chance = np.mean([(o.means.max() - o.means.mean()) for o in map(synthetic_objective, SEEDS)])
    assert regrets[name] < 0.5 * chance


@pytest.mark.parametrize("name", ["tpe", "cmaes", "evolutionary"])
def test_model_based_searchers_beat_random_search(name: str, regrets: dict[str, float]) -> None:
    assert regrets[name] < regrets["random"]


def test_bandit_spends_repeats_on_the_best_arm_under_noise() -> None:
    means = np.linspace(0.0, 1.0, 8)
    rng = np.random.default_rng(0)
    space = SearchSpace([8])
    bandit = BanditSearch(space, seed=0, rule="ucb")
    for _ in range(300):
        code = bandit.ask()
        bandit.tell(code, means[code] + rng.normal(scale=0.5))
    assert int(np.argmax(bandit.counts)) == 7
    thompson = BanditSearch(space, seed=1, rule="thompson")
    for _ in range(300):
        code = thompson.ask()
        thompson.tell(code, means[code] + rng.normal(scale=0.5))
    assert int(np.argmax(thompson.counts)) == 7


def test_grid_and_random_cover_the_space_without_repeats() -> None:
    space = SearchSpace([3, 4])
    for searcher in (GridSearch(space, seed=3), RandomSearch(space, seed=3)):
        assert sorted(searcher.ask() for _ in range(12)) == list(range(12))


def test_same_seed_same_asks() -> None:
    def asks(seed: int) -> list[int]:
        tpe = TPESearch(SearchSpace(RADICES), seed=seed, n_startup_trials=3)
        out = []
        for _ in range(8):
            code = tpe.ask()
            tpe.tell(code, float(code % 7))
            out.append(code)
        return out

    assert asks(5) == asks(5)


def test_space_codes_match_grid_order_and_restrict() -> None:
    space = SearchSpace([2, 3])
    assert space.encode([1, 0]) == 3  # first knob most significant, as Grid
    assert space.decode(5).tolist() == [1, 2]
    sub, to_full = space.restrict([[1], [0, 2]])
    assert sub.size == 2 and [to_full(c) for c in range(2)] == [3, 5]
    with pytest.raises(ValueError, match="outside this space"):
        space.decode(6)
    with pytest.raises(ValueError, match="non-empty subset"):
        space.restrict([[], [0]])


def test_tell_of_unasked_code_is_an_error() -> None:
    with pytest.raises(ValueError, match="was not asked"):
        TPESearch(SearchSpace([2, 2]), seed=0).tell(1, 0.5)
    with pytest.raises(ValueError, match="unknown"):
        make_searcher("nope", SearchSpace([2]))


def test_run_search_records_each_evaluation(store) -> None:  # type: ignore[no-untyped-def]
    objective = synthetic_objective(0)
    space = SearchSpace(RADICES)
    recorder = RunRecorder(store, "search-test", seed=0, config={"method": "random"},
                           config_of=lambda code: {"code": code})
    trace = run_search(RandomSearch(space, seed=0), objective, Budget(evaluations=6),
                       recorder=recorder)
    history = store.run_history(recorder.run_id)
    rewards = history[history["kind"] == "reward"]
    assert len(rewards) == 6 and (history["kind"] == "evaluation").sum() == 6
    assert sorted(store.evaluations()["objective"].round(9)) == sorted(np.round(trace.rewards, 9))


def test_search_on_an_env_step_objective(store) -> None:  # type: ignore[no-untyped-def]
    import gymnasium as gym

    import agentic_env  # noqa: F401
    from agentic_env.envs.synthetic import synthetic_table
    from policies.objective import EnvObjective

    env = gym.make("AgenticRS/PipelineEvolution-v0", table=synthetic_table(), horizon=5,
                   budget=100.0)
    grid = env.unwrapped.grid  # type: ignore[attr-defined]
    recorder = RunRecorder(store, "env-search", seed=0, config_of=grid.config)
    trace = run_search(TPESearch(SearchSpace.of(grid), seed=0), EnvObjective(env),
                       Budget(evaluations=12), recorder=recorder)
    assert len(trace) == 12 and np.isfinite(trace.regrets).all()  # ran past the horizon of 5
    history = store.run_history(recorder.run_id)
    assert (history["kind"] == "reward").sum() == 12
