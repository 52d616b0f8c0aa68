"""Scenario schedules, presets, and what each event does to a running simulator."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from agentic_env.data.segments import USER_SEGMENTS
from agentic_env.simulator import (
    Corpus,
    NewItemWave,
    ObjectiveShift,
    ObjectiveWeights,
    Population,
    Scenario,
    TrendShift,
    UserMixShift,
    UserSimulator,
    make_scenario,
)
from agentic_env.simulator.scenario import PRESETS

from .conftest import random_recommender


def test_events_fire_only_on_their_day() -> None:
    wave, shift = NewItemWave(n_items=5), TrendShift(category=1)
    scenario = Scenario("custom", ((2, wave), (4, shift), (2, ObjectiveShift())))
    assert scenario.events_at(2) == (wave, ObjectiveShift())
    assert scenario.events_at(4) == (shift,)
    assert scenario.events_at(3) == ()


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_runs_deterministically(
    name: str, population: Population, corpus: Corpus
) -> None:
    def rewards() -> list[float]:
        sim = UserSimulator(population, corpus, scenario=make_scenario(name, 1), seed=3)
        return [r.reward for r in sim.run(random_recommender(0), days=3)]

    assert rewards() == rewards()


def test_bad_schedules_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        make_scenario("apocalypse")
    with pytest.raises(ValueError, match="negative day"):
        Scenario("x", ((-1, NewItemWave()),))
    with pytest.raises(TypeError, match="not a scenario event"):
        Scenario("x", ((1, "boom"),))  # type: ignore[arg-type]


def test_cold_start_wave_adds_cold_start_users(population: Population, corpus: Corpus) -> None:
    sim = UserSimulator(population, corpus, scenario=make_scenario("cold_start_wave", 2))
    n = population.n_users
    sim.advance_day()
    assert sim.population.n_users == n
    sim.advance_day()
    assert sim.population.n_users == n + n // 2
    new_codes = sim.population.segment[n:]
    assert np.all(new_codes == USER_SEGMENTS.index("cold_start"))
    report = sim.simulate_day(random_recommender(1))
    assert "cold_start" in report.by_segment


def test_trend_shift_moves_interests_toward_the_category(
    population: Population, corpus: Corpus
) -> None:
    scenario = Scenario("t", ((1, TrendShift(category=2, strength=1.0)),))
    sim = UserSimulator(population, corpus, scenario=scenario)
    members = sim.corpus.category == 2
    centre = sim.corpus.vectors[members].mean(axis=0)
    before = float((sim.population.interests @ centre).mean())
    quality = sim.corpus.quality[members].copy()
    sim.advance_day()
    assert float((sim.population.interests @ centre).mean()) > before
    assert np.all(sim.corpus.quality[members] >= quality)


def test_new_item_wave_and_daily_arrivals_grow_the_corpus(
    population: Population, corpus: Corpus
) -> None:
    sim = UserSimulator(population, corpus, scenario=make_scenario("new_item_wave", 2))
    m = corpus.n_items
    sim.advance_day()
    assert sim.corpus.n_items == m + 5
    sim.advance_day()
    assert sim.corpus.n_items == m + 10 + 300
    assert np.all(sim.corpus.age[-300:] == 0) and np.allclose(sim.corpus.age[:m], corpus.age + 2)
    new_slate = np.arange(sim.corpus.n_items - 5, sim.corpus.n_items)
    sim.step(np.array([0]), new_slate[None])  # new ids are valid at once


def test_objective_shift_changes_the_reward_weights(
    population: Population, corpus: Corpus
) -> None:
    weights = ObjectiveWeights(clicks=0.0, watch_time=0.0, conversions=0.0, retention=1.0, risk=0.0)
    scenario = Scenario("o", ((1, ObjectiveShift(weights)),))
    sim = UserSimulator(population, corpus, scenario=scenario)
    before = sim.simulate_day(random_recommender(0))
    assert before.weights == ObjectiveWeights()
    assert sim.advance_day() == (ObjectiveShift(weights),)
    after = sim.simulate_day(random_recommender(0))
    assert after.weights == weights and after.reward == after.overall.return_rate
    assert sim.applied == [(1, ObjectiveShift(weights))]


def test_user_mix_shift_names_an_unknown_segment(
    population: Population, corpus: Corpus
) -> None:
    scenario = Scenario("u", ((1, UserMixShift(segment="aliens")),))
    sim = UserSimulator(population, corpus, scenario=scenario)
    with pytest.raises(ValueError, match="unknown segment 'aliens'"):
        sim.advance_day()


def test_random_trend_never_picks_an_empty_category(corpus: Corpus) -> None:
    from agentic_env.simulator.events import shift_trend

    empty = corpus.n_categories  # a category index that no item has
    sparse = copy.deepcopy(corpus)
    sparse.n_categories = empty + 5  # five categories without items

    def users() -> Population:
        return Population.synthetic(20, corpus.dim, sparse.n_categories, np.random.default_rng(0))

    picked = {shift_trend(TrendShift(), users(), sparse, np.random.default_rng(seed))
              for seed in range(40)}
    assert picked <= set(np.unique(corpus.category).tolist())
    with pytest.raises(ValueError, match=f"trend category {empty} has no items"):
        shift_trend(TrendShift(category=empty), users(), sparse, np.random.default_rng(0))
