"""Corpus dynamics: arrivals, ageing and fading, popularity from clicks, novelty."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.simulator import AffinityParams, Corpus
from agentic_env.simulator.affinity import AffinityKernel, static_item_logits


def test_new_items_get_the_next_ids_age_zero_and_the_lowest_popularity(corpus: Corpus) -> None:
    m = corpus.n_items
    vectors, category, quality = corpus.sample_new(7, np.random.default_rng(0), category=2)
    assert np.all(category == 2) and vectors.shape == (7, corpus.dim)
    corpus.add_items(vectors, category, quality)
    assert corpus.n_items == m + 7
    assert np.all(corpus.age[m:] == 0)
    assert np.all(corpus.popularity[m:] == corpus.popularity[:m].min())


def test_old_items_fade_day_by_day(corpus: Corpus) -> None:
    params = AffinityParams(fade_rate=0.01)
    before = static_item_logits(corpus, params)
    corpus.advance_day(np.zeros(corpus.n_items))
    after = static_item_logits(corpus, params)
    np.testing.assert_allclose(before - after, 0.01, rtol=1e-3)


def test_popularity_follows_the_clicks(corpus: Corpus) -> None:
    clicks = np.zeros(corpus.n_items)
    clicks[3] = 100
    share_before = corpus.popularity[3]
    for _ in range(30):
        corpus.advance_day(clicks)
    assert corpus.popularity[3] > 0.9 > share_before
    novelty = corpus.novelty()
    assert novelty[3] == novelty.min()


def test_sampling_new_items_of_an_empty_category_names_it(corpus: Corpus) -> None:
    corpus.category[:] = 0
    with pytest.raises(ValueError, match="no item of category 3"):
        corpus.sample_new(2, np.random.default_rng(0), category=3)


def test_kernel_dot_products_match_a_plain_computation(corpus: Corpus) -> None:
    rng = np.random.default_rng(0)
    n = 5000  # more than one chunk
    interests = rng.standard_normal((n, corpus.dim)).astype(np.float32)
    slates = np.argsort(rng.random((n, corpus.n_items)), axis=1)[:, :6]
    got = AffinityKernel(corpus.dim).dot(interests, corpus.vectors, slates)
    expected = np.einsum("nd,nkd->nk", interests, corpus.vectors[slates])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
