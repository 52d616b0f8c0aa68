"""Bad input at the simulator's boundary fails with an error naming the problem."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.simulator import Corpus, Population, SimulatorInputError, UserSimulator

from .conftest import N_ITEMS, N_USERS


@pytest.mark.parametrize(
    ("users", "slates", "message"),
    [
        ([0, 1], [[1, 2, 1], [3, 4, 5]], "duplicate item 1 in the slate of row 0"),
        ([0, 1], [[1, 2, 3], [3, 4, N_ITEMS]], f"unknown item id {N_ITEMS}"),
        ([0, 1], [[1, 2, 3], [-1, 4, 5]], "unknown item id -1"),
        ([0, 1], [[1, 2, 3]], "shape"),
        ([0, 1], [1, 2], "shape"),
        ([0, 1], [[1.0, 2.0], [3.0, 4.0]], "integer item ids"),
        ([0, 1], np.zeros((2, 0), int), "size 0"),
        ([], np.zeros((0, 3), int), "empty"),
        ([0, N_USERS], [[1, 2], [3, 4]], f"unknown user id {N_USERS}"),
        ([4, 4], [[1, 2], [3, 4]], "appears 2 times"),
        ([[0, 1]], [[1, 2], [3, 4]], "1-D"),
        ([0.0, 1.0], [[1, 2], [3, 4]], "integer dtype"),
    ],
)
def test_bad_step_input_names_the_problem(
    simulator: UserSimulator, users: object, slates: object, message: str
) -> None:
    with pytest.raises(SimulatorInputError, match=message):
        simulator.step(users, slates)  # type: ignore[arg-type]


def test_a_recommender_returning_duplicates_is_caught_in_simulate_day(
    simulator: UserSimulator,
) -> None:
    with pytest.raises(SimulatorInputError, match="duplicate item"):
        simulator.simulate_day(lambda ids: np.zeros((len(ids), 3), np.int64))


def test_empty_population_and_nan_interests_are_rejected() -> None:
    with pytest.raises(SimulatorInputError, match="empty"):
        Population.from_traits(np.zeros((0, 4)), np.zeros(0), np.ones(0), np.zeros(0), 3)
    interests = np.zeros((2, 4))
    interests[1, 2] = np.nan
    with pytest.raises(SimulatorInputError, match="user interests holds a non-finite"):
        Population.from_traits(interests, np.ones(2), np.ones(2), np.zeros(2), 3)


def test_mismatched_population_and_corpus_are_rejected(corpus: Corpus) -> None:
    rng = np.random.default_rng(0)
    wrong_dim = Population.synthetic(10, corpus.dim + 1, corpus.n_categories, rng)
    with pytest.raises(SimulatorInputError, match="dimension"):
        UserSimulator(wrong_dim, corpus)
    wrong_categories = Population.synthetic(10, corpus.dim, corpus.n_categories + 2, rng)
    with pytest.raises(SimulatorInputError, match="categories"):
        UserSimulator(wrong_categories, corpus)


HALF = np.full(2, 0.5)


def test_corpus_rejects_bad_columns() -> None:
    with pytest.raises(SimulatorInputError, match="categories must lie"):
        Corpus(np.zeros((2, 3)), np.array([0, 5]), HALF, HALF, np.zeros(2), n_categories=3)
    with pytest.raises(SimulatorInputError, match="quality must have shape"):
        Corpus(np.zeros((2, 3)), np.array([0, 1]), HALF[:1], HALF, np.zeros(2), n_categories=3)
