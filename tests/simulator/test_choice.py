"""Choice model against closed-form answers: known affinities give a known distribution."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from agentic_env.simulator import SimulatorInputError, choice_probabilities, sample_choice
from agentic_env.simulator.choice import NO_CLICK, Examination, default_eta, power_law_eta

LOGITS = np.array([1.0, 0.2, -0.5, 0.8], np.float32)
NO_CLICK_LOGIT = 0.3
ETA = np.array([1.0, 0.7, 0.5, 0.4], np.float32)


def test_mnl_probabilities_match_the_softmax_with_a_no_click_option() -> None:
    weights = np.exp(np.append(LOGITS.astype(np.float64), NO_CLICK_LOGIT))
    expected = weights / weights.sum()
    got = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_cascade_probabilities_match_the_hand_formula() -> None:
    a = 1 / (1 + np.exp(-(LOGITS.astype(np.float64) - NO_CLICK_LOGIT)))
    expected = [ETA[0] * a[0]]
    for j in range(1, 4):
        expected.append(ETA[j] * np.prod(1 - a[:j]) * a[j])
    got = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT, "cascade", ETA)[0]
    np.testing.assert_allclose(got[:4], expected, rtol=1e-5)
    assert got[4] == pytest.approx(1 - sum(expected))


def test_position_based_probabilities_match_the_two_item_formula() -> None:
    w1, w2 = np.exp(0.5), np.exp(-0.2)
    e1, e2 = 0.9, 0.4
    p1 = e1 * (1 - e2) * w1 / (1 + w1) + e1 * e2 * w1 / (1 + w1 + w2)
    p2 = e2 * (1 - e1) * w2 / (1 + w2) + e1 * e2 * w2 / (1 + w1 + w2)
    got = choice_probabilities(np.array([[0.5, -0.2]]), 0.0, "position", np.array([e1, e2]))[0]
    np.testing.assert_allclose(got, [p1, p2, 1 - p1 - p2], rtol=1e-9)


def test_full_examination_makes_position_model_equal_to_plain_mnl() -> None:
    ones = np.ones(4, np.float32)
    plain = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT)
    position = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT, "position", ones)
    np.testing.assert_allclose(position, plain, rtol=1e-9)


@pytest.mark.parametrize("examination", ["none", "position", "cascade"])
def test_samples_follow_the_closed_form_distribution(examination: Examination) -> None:
    n = 40_000
    logits = np.tile(LOGITS, (n, 1))
    picked = sample_choice(logits, NO_CLICK_LOGIT, np.random.default_rng(11), examination, ETA)
    observed = np.bincount(np.where(picked == NO_CLICK, 4, picked), minlength=5)
    expected = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT, examination, ETA)[0] * n
    result = stats.chisquare(observed, expected)
    assert result.pvalue > 0.001, (observed, expected)


def test_sampling_rejects_a_wrong_distribution() -> None:
    """The chi-square check has power: samples with another no-click logit fail it."""
    n = 40_000
    picked = sample_choice(np.tile(LOGITS, (n, 1)), 1.5, np.random.default_rng(11))
    observed = np.bincount(np.where(picked == NO_CLICK, 4, picked), minlength=5)
    expected = choice_probabilities(LOGITS[None], NO_CLICK_LOGIT)[0] * n
    assert stats.chisquare(observed, expected).pvalue < 1e-6


def test_per_row_no_click_logits_apply_row_by_row() -> None:
    logits = np.zeros((2, 3), np.float32)
    probs = choice_probabilities(logits, np.array([-50.0, 50.0]))
    assert probs[0, -1] < 1e-12 and probs[1, -1] > 1 - 1e-12
    picked = sample_choice(np.zeros((2000, 3), np.float32), np.full(2000, 50.0),
                           np.random.default_rng(0))
    assert np.all(picked == NO_CLICK)


def test_same_seed_gives_identical_choices() -> None:
    logits = np.random.default_rng(0).standard_normal((500, 6)).astype(np.float32)
    first = sample_choice(logits, 0.0, np.random.default_rng(5), "position", default_eta(6))
    second = sample_choice(logits, 0.0, np.random.default_rng(5), "position", default_eta(6))
    np.testing.assert_array_equal(first, second)


def test_eta_helpers_decrease_from_one() -> None:
    for eta in (default_eta(10), power_law_eta(10, 0.8)):
        assert eta[0] == pytest.approx(1.0) and np.all(np.diff(eta) < 0)
    np.testing.assert_allclose(power_law_eta(5, 0.0), np.ones(5))


@pytest.mark.parametrize(
    ("logits", "eta", "examination", "message"),
    [
        (np.array([[0.0, np.nan]]), None, "none", "non-finite"),
        (np.zeros(3), None, "none", "shape"),
        (np.zeros((1, 3)), np.ones(2), "position", "one probability per slate position"),
        (np.zeros((1, 2)), np.array([1.0, 1.5]), "position", r"\[0, 1\]"),
        (np.zeros((1, 2)), None, "lottery", "unknown examination"),
    ],
)
def test_bad_inputs_raise_a_named_error(
    logits: np.ndarray, eta: np.ndarray | None, examination: str, message: str
) -> None:
    with pytest.raises(SimulatorInputError, match=message):
        sample_choice(logits, 0.0, np.random.default_rng(0), examination, eta)  # type: ignore[arg-type]
