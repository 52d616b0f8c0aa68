"""The choice model: which item of a slate (if any) a user picks, given affinities.

Pure functions of the affinities (logits), kept apart from the transition model as RecSim does.
A user picks at most one item under a multinomial logit with a no-click option whose logit is
``no_click``. Position bias enters through an examination model with per-position examination
probabilities ``eta`` (``eta[0]`` usually 1):

* ``"none"``: every item is examined; ``P(j) = e^{s_j} / (e^{s_0} + sum_i e^{s_i})``.
* ``"position"``: position-based model; each position ``j`` is examined independently with
  probability ``eta[j]`` and the MNL is taken over the examined items plus no-click.
* ``"cascade"``: the user scans top-down, reaching position ``j`` with probability ``eta[j]``
  while nothing was clicked; an examined item is clicked with its binary logit against
  no-click, ``a_j = sigmoid(s_j - s_0)``, and the scan stops at the first click:
  ``P(j) = eta[j] * prod_{i<j} (1 - a_i) * a_j``.

Sampling uses one inverse-CDF draw per user (plus one uniform per impression for the
position-based examination), all from the caller's ``numpy.random.Generator``.
"""

from __future__ import annotations

from itertools import product
from typing import Literal

import numpy as np

from agentic_env.simulator.validation import SimulatorInputError, check_finite

Examination = Literal["none", "position", "cascade"]
EXAMINATIONS: tuple[str, ...] = ("none", "position", "cascade")
NO_CLICK = -1
_MAX_ENUMERATED_SLATE = 12


def default_eta(slate_size: int) -> np.ndarray:
    """DCG-style examination ``1 / log2(position + 1)``, a prior when no log is available."""
    return (1.0 / np.log2(np.arange(slate_size) + 2.0)).astype(np.float32)


def power_law_eta(slate_size: int, exponent: float) -> np.ndarray:
    """Examination ``position ** -exponent`` (position 1-based), as fitted on Open Bandit logs."""
    return (np.arange(1, slate_size + 1, dtype=np.float64) ** -exponent).astype(np.float32)


def _check(logits: np.ndarray, eta: np.ndarray, examination: str) -> None:
    if logits.ndim != 2:
        raise SimulatorInputError(f"logits must have shape (n, slate_size), got {logits.shape}")
    if examination not in EXAMINATIONS:
        raise SimulatorInputError(
            f"unknown examination model {examination!r}; expected one of {EXAMINATIONS}"
        )
    if eta.shape != (logits.shape[1],):
        raise SimulatorInputError(
            f"eta must have one probability per slate position ({logits.shape[1]}), "
            f"got shape {eta.shape}"
        )
    if np.any(eta < 0) or np.any(eta > 1):
        raise SimulatorInputError(f"eta must lie in [0, 1], got {eta}")
    check_finite("logits", logits)


def _relative_weights(logits: np.ndarray, no_click: np.ndarray | float) -> np.ndarray:
    """``exp(s_j - s_0)`` with ``s_0`` the no-click logit, clipped so float32 cannot overflow."""
    rel = np.subtract(logits, np.asarray(no_click, np.float32)[..., None], dtype=np.float32)
    np.clip(rel, -60.0, 60.0, out=rel)
    return np.exp(rel, out=rel)


def _cascade_probabilities(weights: np.ndarray, eta: np.ndarray) -> np.ndarray:
    attraction = weights / (1.0 + weights)  # sigmoid(s_j - s_0)
    survive = np.cumprod(1.0 - attraction, axis=1)
    reach = np.empty_like(attraction)
    reach[:, 0] = 1.0
    reach[:, 1:] = survive[:, :-1]
    reach *= eta
    return attraction * reach


def choice_probabilities(
    logits: np.ndarray,
    no_click: np.ndarray | float,
    examination: Examination = "none",
    eta: np.ndarray | None = None,
) -> np.ndarray:
    """Closed-form ``(n, k + 1)`` probabilities of picking each position; the last is no-click.

    The position-based model has no product form, so it is computed exactly by summing over the
    ``2**k`` examination outcomes (slates of up to 12 items).
    """
    logits = np.asarray(logits, np.float64)
    eta_arr = np.ones(logits.shape[-1]) if eta is None else np.asarray(eta, np.float64)
    _check(logits, eta_arr, examination)
    rel = logits - np.asarray(no_click, np.float64)[..., None]
    weights = np.exp(np.clip(rel, -60, 60))
    if examination == "none":
        picks = weights / (1.0 + weights.sum(axis=1, keepdims=True))
    elif examination == "cascade":
        picks = _cascade_probabilities(weights, eta_arr)
    else:
        picks = _position_probabilities(weights, eta_arr)
    return np.concatenate([picks, 1.0 - picks.sum(axis=1, keepdims=True)], axis=1)


def _position_probabilities(weights: np.ndarray, eta: np.ndarray) -> np.ndarray:
    k = weights.shape[1]
    if k > _MAX_ENUMERATED_SLATE:
        raise SimulatorInputError(
            f"exact position-based probabilities enumerate 2**k outcomes; k={k} exceeds "
            f"{_MAX_ENUMERATED_SLATE}"
        )
    masks = np.array(list(product((0.0, 1.0), repeat=k)))  # (2**k, k)
    mask_prob = np.prod(np.where(masks > 0, eta, 1.0 - eta), axis=1)  # (2**k,)
    shown = weights[:, None, :] * masks[None]  # (n, 2**k, k)
    mnl = shown / (1.0 + shown.sum(axis=2, keepdims=True))
    return np.einsum("m,nmk->nk", mask_prob, mnl)


def sample_choice(
    logits: np.ndarray,
    no_click: np.ndarray | float,
    rng: np.random.Generator,
    examination: Examination = "none",
    eta: np.ndarray | None = None,
) -> np.ndarray:
    """Sample the picked position per row: ``(n,)`` int64 in ``0..k-1``, or ``NO_CLICK`` (-1).

    Args:
        logits: ``(n, k)`` affinities of the shown items, position order.
        no_click: Logit of the no-click option, a scalar or one per row.
        rng: The simulator's generator.
        examination: ``"none"``, ``"position"`` or ``"cascade"`` (see the module docstring).
        eta: ``(k,)`` examination probability per position; all ones when omitted.
    """
    logits = np.asarray(logits)
    eta_arr = (
        np.ones(logits.shape[-1], np.float32) if eta is None else np.asarray(eta, np.float32)
    )
    _check(logits, eta_arr, examination)
    weights = _relative_weights(logits, no_click)
    n, k = weights.shape
    threshold: np.ndarray
    if examination == "cascade":
        cdf = np.cumsum(_cascade_probabilities(weights, eta_arr), axis=1)
        threshold = np.subtract(1.0, rng.random(n, dtype=np.float32))  # in (0, 1]
    else:
        if examination == "position":
            weights *= rng.random((n, k), dtype=np.float32) < eta_arr
        cdf = np.cumsum(weights, axis=1)
        threshold = (1.0 - rng.random(n, dtype=np.float32)) * (cdf[:, -1] + 1.0)
    picked = np.count_nonzero(cdf < threshold[:, None], axis=1)
    picked[picked == k] = NO_CLICK
    return picked
