"""Popularity, item-KNN and genre retrievers on the toy log."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.data.splits import random_split
from agents.retrieval.base import Retriever
from agents.retrieval.content import GenreRetriever
from agents.retrieval.item_knn import ItemKNN
from agents.retrieval.popularity import PopularityRetriever
from tests.agents.test_retrieval_common import BLOCK, held_out_recall, toy_log


def test_popularity_counts_and_decay() -> None:
    log = toy_log()
    scores = PopularityRetriever().fit(log).score(np.array([0, 5]))
    assert scores.shape == (2, log.n_items) and scores.dtype == np.float32
    np.testing.assert_array_equal(scores[0], log.item_counts())
    np.testing.assert_array_equal(scores[0], scores[1])
    recent = log.subset(log.timestamps == log.timestamps.max())
    decayed = PopularityRetriever(half_life_days=1e-8).fit(log).score(np.array([0]))[0]
    # with a vanishing half-life only the newest interactions keep weight
    np.testing.assert_allclose(decayed, recent.item_counts(), atol=1e-6)


@pytest.mark.parametrize(
    "model", [ItemKNN(k=10), ItemKNN(k=10, similarity="jaccard"), GenreRetriever()]
)
def test_structure_aware_models_beat_popularity(model: Retriever) -> None:
    log = toy_log()
    split = random_split(log, 0.1, 0.2, seed=0)
    ours = held_out_recall(model.fit(split.train), split.train, split.test, k=5)
    popular = held_out_recall(PopularityRetriever().fit(split.train), split.train, split.test, 5)
    assert ours > popular + 0.2


def test_item_knn_keeps_k_neighbours_inside_blocks() -> None:
    model = ItemKNN(k=3, shrink=0.0).fit(toy_log())
    similarity = model.similarity_
    assert similarity is not None
    assert (np.diff(similarity.tocsc().indptr) <= 3).all()  # at most k neighbours per item
    rows, cols = similarity.nonzero()
    assert ((rows < BLOCK) == (cols < BLOCK)).all() and (rows != cols).all()


def test_genre_scores_follow_the_profile() -> None:
    log = toy_log()
    scores = GenreRetriever(popularity_weight=0.0).fit(log).score(np.array([0, 1]))
    # user 0 only watched Action|Drama items (block 0), user 1 only Comedy (block 1)
    assert scores[0, :BLOCK].min() > scores[0, BLOCK:].max()
    assert scores[1, BLOCK:].min() > scores[1, :BLOCK].max()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: PopularityRetriever(half_life_days=0.0), "half_life_days"),
        (lambda: ItemKNN(k=0), "k must"),
        (lambda: ItemKNN(shrink=-1.0), "shrink"),
        (lambda: ItemKNN(similarity="pearson"), "similarity must be one of"),
        (lambda: GenreRetriever(popularity_weight=-0.1), "popularity_weight"),
    ],
)
def test_bad_hyperparameters_rejected(make: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()  # type: ignore[operator]


@pytest.mark.parametrize("model", [PopularityRetriever(), ItemKNN(), GenreRetriever()])
def test_score_before_fit_and_bad_users(model: Retriever) -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        model.score(np.array([0]))
    model.fit(toy_log())
    with pytest.raises(ValueError, match="user ids"):
        model.score(np.array([10_000]))
