"""Ranking metrics against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from agentic_env.metrics import (
    auc,
    auc_per_user,
    coverage,
    hit_at_k,
    long_tail_recall,
    mean_by_segment,
    mean_metric,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    topk,
)

# user 0 holds out {1, 4}; user 1 holds out {0}; user 2 holds out nothing.
TOP = np.array([[1, 2, 3], [3, 2, 0], [0, 1, 2]])
TRUTH_LISTS = [np.array([4, 1]), np.array([0]), np.array([], np.int64)]
TRUTH = sp.csr_matrix((np.ones(3), ([0, 0, 1], [1, 4, 0])), shape=(3, 5))


@pytest.mark.parametrize("truth", [TRUTH, TRUTH_LISTS])
def test_recall_precision_hit(truth: object) -> None:
    np.testing.assert_allclose(recall_at_k(TOP, truth), [0.5, 1.0, np.nan])  # type: ignore[arg-type]
    np.testing.assert_allclose(recall_at_k(TOP, truth, k=2), [0.5, 0.0, np.nan])  # type: ignore[arg-type]
    np.testing.assert_allclose(precision_at_k(TOP, truth), [1 / 3, 1 / 3, np.nan])  # type: ignore[arg-type]
    np.testing.assert_allclose(hit_at_k(TOP, truth, k=1), [1.0, 0.0, np.nan])  # type: ignore[arg-type]


def test_ndcg_by_hand() -> None:
    # user 0: hit at rank 1, two relevant -> 1 / (1 + 1/log2(3)); user 1: hit at rank 3 -> 1/log2(4)
    expected = [1 / (1 + 1 / np.log2(3)), 1 / np.log2(4), np.nan]
    np.testing.assert_allclose(ndcg_at_k(TOP, TRUTH), expected)
    # with k=1 the ideal DCG is capped at one position
    np.testing.assert_allclose(ndcg_at_k(TOP, TRUTH, k=1), [1.0, 0.0, np.nan])


def test_perfect_ranking_scores_one() -> None:
    top = np.array([[4, 1, 0]])
    truth = [np.array([1, 4])]
    assert ndcg_at_k(top, truth)[0] == pytest.approx(1.0)
    assert recall_at_k(top, truth)[0] == 1.0


def test_long_tail_recall_counts_only_tail_items() -> None:
    tail = np.array([False, True, False, False, True])
    # user 0: tail truth {1, 4}, found 1 -> 0.5; user 1: truth {0} is head -> NaN
    np.testing.assert_allclose(long_tail_recall(TOP, TRUTH, tail), [0.5, np.nan, np.nan])


def test_coverage() -> None:
    assert coverage(TOP, 5) == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="n_items"):
        coverage(TOP, 0)


def test_auc_mann_whitney() -> None:
    assert auc(np.array([3.0, 2.0]), np.array([1.0, 0.0])) == 1.0
    # pairs won: 2>1, 2>0; lost: 2<3, 0<1, 0<3; the 0=0 tie counts half -> 2.5 / 6
    assert auc(np.array([2.0, 0.0]), np.array([1.0, 3.0, 0.0])) == pytest.approx(2.5 / 6)
    np.testing.assert_allclose(
        auc_per_user(np.array([[1.0], [0.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])), [0.5, 0.0]
    )
    with pytest.raises(ValueError, match="positives"):
        auc(np.array([]), np.array([1.0]))


def test_topk_orders_and_masks_seen() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [1.0, 0.0, 0.2, 0.3]], np.float32)
    np.testing.assert_array_equal(topk(scores, 2), [[1, 3], [0, 3]])
    seen = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0]]))
    np.testing.assert_array_equal(topk(scores, 3, exclude=seen), [[3, 2, 0], [3, 2, 1]])
    np.testing.assert_array_equal(topk(scores, 10), [[1, 3, 2, 0], [0, 3, 2, 1]])
    with pytest.raises(ValueError, match="k must be"):
        topk(scores, 0)


def test_means_skip_users_without_truth() -> None:
    values = np.array([0.5, 1.0, np.nan, 0.0])
    assert mean_metric(values) == pytest.approx(0.5)
    by = mean_by_segment(values, np.array([0, 0, 1, 1]), ["a", "b"])
    assert by == {"a": pytest.approx(0.75), "b": 0.0}


def test_bad_inputs_named() -> None:
    with pytest.raises(ValueError, match="rows"):
        recall_at_k(TOP, TRUTH[:2])
    with pytest.raises(ValueError, match="k must lie"):
        recall_at_k(TOP, TRUTH, k=4)
