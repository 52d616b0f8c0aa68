"""Input checks at the simulator's boundary, so a bad slate fails loudly and names the problem.

Recommenders under evolution produce slates from generated configurations; a silent wrong answer
(a duplicate item clicked twice, an id past the corpus wrapping around) would corrupt the outer
reward of every experiment. Each check is vectorised and cheap next to one simulation step.
"""

from __future__ import annotations

import numpy as np


class SimulatorInputError(ValueError):
    """A slate, user batch or score array does not have the expected shape, dtype or values."""


def check_users(users: object, n_population: int) -> np.ndarray:
    """Return ``users`` as a 1-D int64 array of distinct ids in ``[0, n_population)``."""
    arr = np.asarray(users)
    if arr.ndim != 1:
        raise SimulatorInputError(f"users must be a 1-D array of user ids, got shape {arr.shape}")
    if arr.size == 0:
        raise SimulatorInputError("users is empty: a step needs at least one user")
    if not np.issubdtype(arr.dtype, np.integer):
        raise SimulatorInputError(f"users must have an integer dtype, got {arr.dtype}")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n_population:
        bad = low if low < 0 else high
        raise SimulatorInputError(
            f"unknown user id {bad}: the population has ids 0..{n_population - 1}"
        )
    counts = np.bincount(arr, minlength=1)
    if counts.max() > 1:
        raise SimulatorInputError(
            f"user id {int(counts.argmax())} appears {int(counts.max())} times in one step; "
            "each user sees one slate per step"
        )
    return arr.astype(np.int64, copy=False)


def check_slates(slates: object, n_users: int, n_items: int) -> np.ndarray:
    """Return ``slates`` as an ``(n_users, k)`` int64 array of distinct known items per row."""
    arr = np.asarray(slates)
    if arr.ndim != 2 or arr.shape[0] != n_users:
        raise SimulatorInputError(
            f"slates must have shape (n_users, slate_size) = ({n_users}, k), got {arr.shape}"
        )
    if arr.shape[1] == 0:
        raise SimulatorInputError("slates have size 0: a slate needs at least one item")
    if not np.issubdtype(arr.dtype, np.integer):
        raise SimulatorInputError(f"slates must hold integer item ids, got dtype {arr.dtype}")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n_items:
        bad = low if low < 0 else high
        row = int(np.argwhere(arr == bad)[0, 0])
        raise SimulatorInputError(
            f"unknown item id {bad} in the slate of row {row}: the corpus has ids "
            f"0..{n_items - 1}"
        )
    if arr.shape[1] > 1:
        ordered = np.sort(arr, axis=1)
        repeated = ordered[:, 1:] == ordered[:, :-1]
        if repeated.any():
            row, col = (int(v) for v in np.argwhere(repeated)[0])
            raise SimulatorInputError(
                f"duplicate item {int(ordered[row, col])} in the slate of row {row}; "
                "a slate shows each item at most once"
            )
    return arr.astype(np.int64, copy=False)


def check_finite(name: str, values: np.ndarray) -> None:
    """Raise if ``values`` holds NaN or infinity, naming the first bad row."""
    finite = np.isfinite(values)
    if not finite.all():
        index = tuple(int(v) for v in np.argwhere(~finite)[0])
        raise SimulatorInputError(
            f"{name} holds a non-finite value {values[index]} at index {index}; "
            "scores must be finite numbers"
        )
