"""Each transition against its formula: boredom history, fatigue, satisfaction, drift, retention."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.simulator import Population, TransitionParams
from agentic_env.simulator import transition as tr

PARAMS = TransitionParams()


def test_exposure_history_tracks_the_category_share_of_recent_slates() -> None:
    local = np.array([[0, 0, 0, 2], [5, 5, 6, 7]])  # row 0: cats 0,0,0,2; row 1: cats 1,1,2,3
    counts = tr.exposure_counts(local, 2, 4)
    np.testing.assert_array_equal(counts, [[3, 0, 1, 0], [0, 2, 1, 1]])
    history = np.zeros((2, 4), np.float32)
    for _ in range(50):
        tr.update_history(history, counts, 4, PARAMS)
    np.testing.assert_allclose(history, counts / 4, atol=1e-4)  # converges to the share
    tr.update_history(history, np.zeros((2, 4)), 4, PARAMS)
    np.testing.assert_allclose(history, 0.8 * counts / 4, atol=1e-4)  # and decays without it


def test_fatigue_grows_per_slate(population: Population) -> None:
    users = np.array([3, 7])
    tr.add_fatigue(population, users, PARAMS)
    tr.add_fatigue(population, users, PARAMS)
    np.testing.assert_allclose(population.fatigue[users], 2 * PARAMS.fatigue_step)
    assert population.fatigue[0] == 0


def test_satisfaction_moves_toward_quality_after_a_click_and_down_after_none(
    population: Population,
) -> None:
    users = np.array([0, 1, 2])
    population.satisfaction[users] = 0.5
    tr.update_satisfaction(population, users, np.array([1.0, 0.0, np.nan]), PARAMS)
    keep = PARAMS.satisfaction_decay
    expected = [keep * 0.5 + (1 - keep) * 1.0, keep * 0.5 - (1 - keep), keep * 0.5
                - (1 - keep) * PARAMS.no_click_penalty]
    np.testing.assert_allclose(population.satisfaction[users], expected, rtol=1e-6)


def test_a_click_pulls_interests_toward_the_item(population: Population) -> None:
    vectors = np.ones((3, population.interests.shape[1]), np.float32)
    before = population.interests[[0, 1]].copy()
    tr.drift_toward_clicks(population, np.array([0, 1]), np.array([2, -1]), vectors, PARAMS)
    expected = before[0] + PARAMS.drift_rate * (1.0 - before[0])
    np.testing.assert_allclose(population.interests[0], expected, rtol=1e-6)
    np.testing.assert_array_equal(population.interests[1], before[1])  # no click, no drift


def test_return_probability_is_the_sigmoid_of_satisfaction() -> None:
    sat = np.array([-1.0, 0.0, 1.0])
    got = tr.return_probability(sat, PARAMS)
    z = PARAMS.retention_bias + PARAMS.retention_slope * sat
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-z)))
    assert np.all(np.diff(got) > 0)


def test_end_of_session_churns_the_unhappy_and_resets_fatigue(population: Population) -> None:
    users = np.arange(200)
    population.satisfaction[:100] = 1.0
    population.satisfaction[100:200] = -1.0
    population.fatigue[users] = 0.4
    returns = tr.end_sessions(population, users, PARAMS, np.random.default_rng(0))
    happy, unhappy = returns[:100].mean(), returns[100:].mean()
    assert happy == pytest.approx(tr.return_probability(np.array([1.0]), PARAMS)[0], abs=0.08)
    assert unhappy == pytest.approx(tr.return_probability(np.array([-1.0]), PARAMS)[0], abs=0.1)
    np.testing.assert_array_equal(population.churned[users], ~returns)
    assert np.all(population.fatigue[users] == 0)


def test_daily_drift_moves_interests_and_reactivates_some_churned(
    population: Population,
) -> None:
    population.churned[:] = True
    before = population.interests.copy()
    params = TransitionParams(reactivation=0.5, daily_drift=0.1)
    tr.daily_drift(population, params, np.random.default_rng(0))
    assert 0.35 < 1 - population.churned.mean() < 0.65
    step = np.abs(population.interests - before).mean()
    assert 0 < step < 0.1 * np.abs(before).mean() * 2
