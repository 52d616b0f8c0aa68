"""Top-K ranking metrics, vectorised over users.

Every per-user metric takes ``top`` — an ``(n_users, K)`` integer matrix of recommended item ids,
best first — and the held-out ``truth`` for the same rows, either a scipy.sparse user × item matrix
(row ``i`` of ``truth`` belongs to row ``i`` of ``top``) or a sequence of per-user item-id arrays.
They return one value per user so results can be sliced by segment; users without any held-out
item get ``NaN`` and are left out by :func:`mean_metric` (RecBole and most papers do the same).

Membership of each recommended item in its user's truth is found with one ``searchsorted`` over
flattened ``(user, item)`` keys, so no metric loops over users in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

Truth: TypeAlias = sp.csr_matrix | sp.csr_array | Sequence[np.ndarray]


def _check_top(top: np.ndarray, k: int | None) -> tuple[np.ndarray, int]:
    top = np.asarray(top)
    if top.ndim != 2 or not np.issubdtype(top.dtype, np.integer):
        raise ValueError(f"top must be an (n_users, K) integer matrix, got {top.dtype} {top.shape}")
    width = top.shape[1] if k is None else k
    if not 1 <= width <= top.shape[1]:
        raise ValueError(f"k must lie in [1, {top.shape[1]}] (the width of top), got {k}")
    return top[:, :width], width


def _as_csr(truth: Truth, n_rows: int, min_cols: int) -> sp.csr_matrix:
    """Truth as a binary CSR matrix with sorted indices and ``n_rows`` rows."""
    if sp.issparse(truth):
        matrix = sp.csr_matrix(truth, copy=True)
    else:
        rows: list[np.ndarray] = list(truth)
        lengths = np.array([len(r) for r in rows], np.int64)
        items = np.concatenate([np.asarray(r, np.int64) for r in rows]) if rows else np.zeros(0)
        n_cols = max(min_cols, int(items.max()) + 1 if items.size else 0)
        users = np.repeat(np.arange(len(rows)), lengths)
        data = np.ones(len(items), np.float32)
        matrix = sp.csr_matrix((data, (users, items.astype(np.int64))), shape=(len(rows), n_cols))
    if matrix.shape[0] != n_rows:
        raise ValueError(f"truth has {matrix.shape[0]} rows but top has {n_rows}; align them")
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.data[:] = 1
    return matrix


def hits(top: np.ndarray, truth: Truth, k: int | None = None) -> np.ndarray:
    """Boolean ``(n_users, k)``: whether each recommended item is in its user's truth."""
    top, _ = _check_top(top, k)
    n_cols = int(top.max()) + 1 if top.size else 0
    matrix = _as_csr(truth, top.shape[0], n_cols)
    width = max(matrix.shape[1], n_cols)
    keys = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr)) * width
    keys += matrix.indices
    query = np.arange(top.shape[0], dtype=np.int64)[:, None] * width + top
    where = np.searchsorted(keys, query)
    found = np.zeros(query.shape, bool)
    inside = where < len(keys)
    found[inside] = keys[where[inside]] == query[inside]
    return found


def n_relevant(truth: Truth, n_rows: int) -> np.ndarray:
    """Number of distinct held-out items per user."""
    return np.diff(_as_csr(truth, n_rows, 0).indptr)


def _per_user(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(len(numerator), np.nan)
    ok = denominator > 0
    out[ok] = numerator[ok] / denominator[ok]
    return out


def recall_at_k(top: np.ndarray, truth: Truth, k: int | None = None) -> np.ndarray:
    """Share of each user's held-out items found in the top ``k`` (``NaN`` if none held out)."""
    found = hits(top, truth, k)
    return _per_user(found.sum(1), n_relevant(truth, found.shape[0]))


def precision_at_k(top: np.ndarray, truth: Truth, k: int | None = None) -> np.ndarray:
    """Share of the top ``k`` that is relevant (``NaN`` for users with nothing held out)."""
    found = hits(top, truth, k)
    relevant = n_relevant(truth, found.shape[0])
    return _per_user(found.sum(1), np.where(relevant > 0, found.shape[1], 0))


def hit_at_k(top: np.ndarray, truth: Truth, k: int | None = None) -> np.ndarray:
    """1 if any held-out item is in the top ``k``, else 0 (``NaN`` if none held out)."""
    found = hits(top, truth, k)
    relevant = n_relevant(truth, found.shape[0])
    return _per_user(found.any(1).astype(float), (relevant > 0).astype(float))


def ndcg_at_k(top: np.ndarray, truth: Truth, k: int | None = None) -> np.ndarray:
    """Binary-relevance NDCG: DCG of the top ``k`` over the DCG of an ideal ranking."""
    found = hits(top, truth, k)
    width = found.shape[1]
    discount = 1.0 / np.log2(np.arange(width) + 2.0)
    dcg = found @ discount
    relevant = np.minimum(n_relevant(truth, found.shape[0]), width)
    ideal = np.concatenate(([0.0], np.cumsum(discount)))[relevant]
    return _per_user(dcg, ideal)


def long_tail_recall(
    top: np.ndarray, truth: Truth, long_tail: np.ndarray, k: int | None = None
) -> np.ndarray:
    """Recall over the held-out items that are long-tail (``long_tail[item]`` is True).

    Users without a long-tail held-out item get ``NaN``.
    """
    top, _ = _check_top(top, k)
    mask = np.asarray(long_tail, bool)
    matrix = _as_csr(truth, top.shape[0], len(mask))
    if matrix.shape[1] > len(mask) or (top.size and int(top.max()) >= len(mask)):
        raise ValueError(f"long_tail mask has {len(mask)} items but ids go beyond it")
    tail_truth = matrix.multiply(mask[None, :].astype(np.float32)).tocsr()
    tail_truth.eliminate_zeros()
    found = hits(top, tail_truth) & mask[top]
    return _per_user(found.sum(1), np.diff(tail_truth.indptr))


def coverage(top: np.ndarray, n_items: int) -> float:
    """Fraction of the catalogue that appears in at least one user's list."""
    if n_items < 1:
        raise ValueError(f"n_items must be >= 1, got {n_items}")
    return float(np.unique(np.asarray(top)).size / n_items)


def auc(scores_pos: np.ndarray, scores_neg: np.ndarray) -> float:
    """Probability that a positive outscores a negative (ties count half): Mann–Whitney U."""
    pos = np.asarray(scores_pos, np.float64).ravel()
    neg = np.asarray(scores_neg, np.float64).ravel()
    if pos.size == 0 or neg.size == 0:
        raise ValueError(f"auc needs positives and negatives, got {pos.size} and {neg.size}")
    ranks = rankdata(np.concatenate((pos, neg)))
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2
    return float(u / (pos.size * neg.size))


def auc_per_user(scores_pos: np.ndarray, scores_neg: np.ndarray) -> np.ndarray:
    """Row-wise AUC for ``(n_users, n_pos)`` positive and ``(n_users, n_neg)`` negative scores."""
    pos, neg = np.atleast_2d(scores_pos), np.atleast_2d(scores_neg)
    if pos.shape[0] != neg.shape[0] or pos.shape[1] == 0 or neg.shape[1] == 0:
        raise ValueError(f"need matching non-empty rows, got {pos.shape} and {neg.shape}")
    ranks = rankdata(np.concatenate((pos, neg), axis=1), axis=1)
    n_pos, n_neg = pos.shape[1], neg.shape[1]
    u = ranks[:, :n_pos].sum(1) - n_pos * (n_pos + 1) / 2
    return np.asarray(u / (n_pos * n_neg), np.float64)


def topk(scores: np.ndarray, k: int, exclude: sp.spmatrix | sp.sparray | None = None) -> np.ndarray:
    """Ids of the ``k`` best-scored items per row, best first; ``exclude``'s items never appear
    unless a row has fewer than ``k`` allowed items.

    Args:
        scores: ``(n_users, n_items)`` scores, higher is better.
        k: List length, ``1 <= k``; clipped to ``n_items``.
        exclude: Optional ``(n_users, n_items)`` sparse matrix of items to mask (e.g. seen ones).

    Returns:
        ``(n_users, min(k, n_items))`` int64 item ids.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    dtype = np.float64 if scores.dtype == np.float64 else np.float32
    masked: np.ndarray = np.array(scores, dtype=dtype)
    if masked.ndim != 2:
        raise ValueError(f"scores must be (n_users, n_items), got shape {masked.shape}")
    if exclude is not None:
        seen = sp.csr_matrix(exclude)
        if seen.shape != masked.shape:
            raise ValueError(f"exclude has shape {seen.shape}, scores {masked.shape}")
        rows = np.repeat(np.arange(seen.shape[0]), np.diff(seen.indptr))
        masked[rows, seen.indices] = -np.inf
    k = min(k, masked.shape[1])
    if k < masked.shape[1]:
        part = np.argpartition(np.negative(masked), k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(k), masked.shape).copy()
    order = np.argsort(np.negative(np.take_along_axis(masked, part, axis=1)), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1).astype(np.int64)


def mean_metric(values: np.ndarray) -> float:
    """Mean over users that have a value (``NaN`` entries, users with no truth, are skipped)."""
    values = np.asarray(values, np.float64)
    ok = ~np.isnan(values)
    return float(values[ok].mean()) if ok.any() else float("nan")


def mean_by_segment(
    values: np.ndarray, codes: np.ndarray, names: Sequence[str]
) -> dict[str, float]:
    """:func:`mean_metric` within each segment (``codes[i]`` indexes ``names``)."""
    values, codes = np.asarray(values), np.asarray(codes)
    if values.shape != codes.shape:
        raise ValueError(f"values {values.shape} and codes {codes.shape} must align")
    return {name: mean_metric(values[codes == i]) for i, name in enumerate(names)}
