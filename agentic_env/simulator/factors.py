"""Latent user and item vectors of an interaction log: truncated SVD or implicit ALS.

Both work on the binary user x item matrix in ``scipy.sparse`` form and return float32 factors
whose dot product is the simulated users' preference (before the fitted scale).

* SVD (``scipy.sparse.linalg.svds``): users ``U sqrt(S)``, items ``V sqrt(S)``; fast and
  deterministic.
* Implicit ALS (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit Feedback
  Datasets", ICDM 2008): confidence ``1 + alpha`` on observed pairs, 1 elsewhere; each half-step
  solves all users' (or items') normal equations as one batched ``numpy.linalg.solve``, with
  the per-row Gram corrections built by sparse products, chunked to bound memory.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from agentic_env.data.log import InteractionLog
from agentic_env.simulator.validation import SimulatorInputError

FactorMethod = Literal["svd", "als"]
_ROWS, _COLS = 2048, 4096


def latent_factors(
    log: InteractionLog, dim: int, method: FactorMethod = "svd", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(n_users, dim)`` and ``(n_items, dim)`` float32 factors of the binary matrix."""
    if len(log) == 0:
        raise SimulatorInputError(f"log {log.name!r} is empty: nothing to fit")
    if not 0 < dim < min(log.n_users, log.n_items):
        raise SimulatorInputError(
            f"dim={dim} must lie in [1, {min(log.n_users, log.n_items) - 1}] for a "
            f"{log.n_users} x {log.n_items} log"
        )
    matrix = log.to_csr().astype(np.float64)
    matrix.data[:] = 1.0
    if method == "svd":
        return svd_factors(matrix, dim)
    if method == "als":
        return implicit_als(matrix, dim, np.random.default_rng(seed))
    raise SimulatorInputError(f"unknown factor method {method!r}; expected 'svd' or 'als'")


def svd_factors(matrix: sp.csr_matrix, dim: int) -> tuple[np.ndarray, np.ndarray]:
    u, s, vt = spla.svds(matrix, k=dim, random_state=0)
    order = np.argsort(-s)
    root = np.sqrt(s[order])
    return (u[:, order] * root).astype(np.float32), (vt[order].T * root).astype(np.float32)


def implicit_als(
    matrix: sp.csr_matrix,
    dim: int,
    rng: np.random.Generator,
    alpha: float = 10.0,
    reg: float = 0.1,
    iterations: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Alternate exact least-squares solves for users and items."""
    items = 0.1 * rng.standard_normal((matrix.shape[1], dim))
    transposed = matrix.T.tocsr()
    users = np.zeros((matrix.shape[0], dim))
    for _ in range(iterations):
        users = _solve_side(matrix, items, alpha, reg)
        items = _solve_side(transposed, users, alpha, reg)
    return users.astype(np.float32), items.astype(np.float32)


def _solve_side(
    matrix: sp.csr_matrix, fixed: np.ndarray, alpha: float, reg: float
) -> np.ndarray:
    """Rows ``x_r = (F'F + reg I + alpha S_r)^-1 (1 + alpha) s_r`` over the row's columns ``c``.

    ``S_r = sum_c f_c f_c'`` and ``s_r = sum_c f_c``, both as sparse products.
    """
    dim = fixed.shape[1]
    gram = fixed.T @ fixed + reg * np.eye(dim)
    out = np.empty((matrix.shape[0], dim))
    for start in range(0, matrix.shape[0], _ROWS):
        rows = matrix[start : start + _ROWS]
        corrections = np.zeros((rows.shape[0], dim * dim))
        for col in range(0, fixed.shape[0], _COLS):
            block = fixed[col : col + _COLS]
            outer = (block[:, :, None] * block[:, None, :]).reshape(len(block), dim * dim)
            corrections += rows[:, col : col + _COLS] @ outer
        lhs = gram + alpha * corrections.reshape(-1, dim, dim)
        rhs = (1.0 + alpha) * (rows @ fixed)
        out[start : start + rows.shape[0]] = np.linalg.solve(lhs, rhs[..., None])[..., 0]
    return out
