"""The story: steps, days, determinism and the long-term (retention) signal."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from agentic_env.simulator import (
    Corpus,
    ObjectiveWeights,
    Population,
    SimulatorConfig,
    UserSimulator,
)
from agentic_env.simulator.affinity import AffinityParams

from .conftest import SLATE, random_recommender


def test_step_responses_are_consistent(simulator: UserSimulator) -> None:
    users = np.arange(200)
    slates = random_recommender(0)(users)
    out = simulator.step(users, slates)
    click = out.click
    assert 0 < click.mean() < 1
    np.testing.assert_array_equal(out.item[click], slates[click, out.choice[click]])
    assert np.all(out.item[~click] == -1) and np.all(out.watch_time[~click] == 0)
    assert np.all(out.watch_time[click] > 0) and np.all(np.isnan(out.rating[~click]))
    assert set(np.unique(out.rating[click])) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert not out.conversion[~click].any()


def test_step_updates_state_of_the_shown_users_only(simulator: UserSimulator) -> None:
    pop = simulator.population
    before = pop.history.copy(), pop.fatigue.copy(), pop.satisfaction.copy()
    users = np.arange(0, 100)
    simulator.step(users, random_recommender(1)(users))
    for old, new in zip(before, (pop.history, pop.fatigue, pop.satisfaction), strict=True):
        assert not np.array_equal(old[:100], new[:100])
        np.testing.assert_array_equal(old[100:], new[100:])
    np.testing.assert_allclose(pop.history[:100].sum(axis=1), 1 - 0.8, rtol=1e-5)


def test_the_same_seed_gives_identical_days(population: Population, corpus: Corpus) -> None:
    def run(seed: int) -> list[float]:
        sim = UserSimulator(population, corpus, seed=seed)
        return [r.reward for r in sim.run(random_recommender(9), days=3)]

    assert run(4) == run(4)
    assert run(4) != run(5)


def test_simulator_does_not_mutate_its_inputs(population: Population, corpus: Corpus) -> None:
    interests = population.interests.copy()
    UserSimulator(population, corpus, seed=0).run(random_recommender(0), days=2)
    np.testing.assert_array_equal(population.interests, interests)


def test_day_report_aggregates_segments_into_the_total(simulator: UserSimulator) -> None:
    report = simulator.simulate_day(random_recommender(2))
    assert report.overall.sessions > 0
    assert sum(m.sessions for m in report.by_segment.values()) == report.overall.sessions
    assert report.overall.impressions % SLATE == 0
    assert 0 < report.overall.ctr < 1 and 0 < report.overall.return_rate <= 1
    assert 0 < report.overall.diversity <= 1 and report.overall.novelty > 0
    assert report.reward == report.overall.reward(report.weights)


def test_n_users_caps_the_visitors(simulator: UserSimulator) -> None:
    report = simulator.simulate_day(random_recommender(2), n_users=10)
    assert report.overall.sessions == 10


def _quality_split_sim(population: Population, quality: float, seed: int) -> UserSimulator:
    """A corpus whose items have one quality; clicks barely depend on it."""
    rng = np.random.default_rng(0)
    corpus = Corpus.synthetic(60, population.interests.shape[1], 4, rng)
    corpus.quality[:] = quality
    config = SimulatorConfig(affinity=AffinityParams(quality_weight=0.0))
    return UserSimulator(population, corpus, config, seed=seed)


def test_low_quality_items_cost_retention_and_watch_time(population: Population) -> None:
    """The long-term signal: same clicks, worse satisfaction, fewer returns."""
    good_sim = _quality_split_sim(population, 0.9, seed=1)
    bad_sim = _quality_split_sim(population, 0.1, seed=1)
    good = good_sim.run(random_recommender(3), days=3)
    bad = bad_sim.run(random_recommender(3), days=3)
    good_m, bad_m = good[-1].overall, bad[-1].overall
    assert abs(good[0].overall.ctr - bad[0].overall.ctr) < 0.05
    assert good_m.return_rate > bad_m.return_rate + 0.05
    assert good_m.watch_time_per_session > bad_m.watch_time_per_session
    assert bad_m.low_quality_share == 1.0 and good_m.low_quality_share == 0.0
    assert bad_sim.population.churned.sum() > good_sim.population.churned.sum()


def test_boredom_lowers_ctr_on_single_category_slates(
    population: Population, corpus: Corpus
) -> None:
    same_category = np.flatnonzero(corpus.category == 0)[:SLATE]

    def ctr(boredom: float) -> float:
        config = SimulatorConfig(affinity=replace(AffinityParams(), boredom_weight=boredom))
        sim = UserSimulator(population, corpus, config, seed=2)
        users = np.arange(population.n_users)
        slates = np.tile(same_category, (len(users), 1))
        return float(np.mean([sim.step(users, slates).click.mean() for _ in range(8)]))

    assert ctr(3.0) < ctr(0.0) - 0.05


def test_position_bias_favours_top_positions(population: Population, corpus: Corpus) -> None:
    sim = UserSimulator(population, corpus, SimulatorConfig(examination="position"), seed=0)
    users = np.arange(population.n_users)
    positions = []
    for day in range(10):
        out = sim.step(users, random_recommender(day, slate=10)(users))
        positions.append(out.choice[out.click])
    counts = np.bincount(np.concatenate(positions), minlength=10)
    assert counts[0] > 1.5 * counts[9]


def test_objective_weights_define_the_reward(simulator: UserSimulator) -> None:
    metrics = simulator.simulate_day(random_recommender(1)).overall
    w = ObjectiveWeights(clicks=2.0, watch_time=0.5, conversions=3.0, retention=4.0, risk=1.5)
    expected = (
        2.0 * metrics.clicks_per_session + 0.5 * metrics.watch_time_per_session / 60
        + 3.0 * metrics.conversions_per_session + 4.0 * metrics.return_rate
        - 1.5 * metrics.low_quality_share
    )
    assert metrics.reward(w) == expected
