"""The contract every retrieval model meets, and the argument checks they share.

A retriever learns from an :class:`~agentic_env.data.InteractionLog` and scores the whole catalogue
for a batch of users; ranking, masking of seen items and metrics happen outside the model (see
:mod:`agentic_env.metrics`), so every model can be compared under one protocol and swapped by an
agent without touching the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from agentic_env.data import InteractionLog

T = TypeVar("T", int, float)


@runtime_checkable
class Retriever(Protocol):
    """A model that scores every item for each user."""

    def fit(
        self,
        train: InteractionLog,
        *,
        seed: int = 0,
        device: str = "cpu",
        valid: InteractionLog | None = None,
    ) -> Retriever:
        """Learn from ``train``; ``valid`` (same id space) enables early stopping where used."""
        ...

    def score(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), n_items)`` float32 scores, higher is better; seen items not masked."""
        ...


def check_range(
    name: str, value: T, low: float, high: float = float("inf"), *, low_open: bool = False
) -> T:
    """Return ``value`` if it lies in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    too_low = value <= low if low_open else value < low
    if too_low or value > high or value != value:  # the last test catches NaN
        left = "(" if low_open else "["
        raise ValueError(f"{name} must lie in {left}{low}, {high}], got {value!r}")
    return value


def check_int(name: str, value: int, low: int, high: float = float("inf")) -> int:
    """Return ``value`` if it is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(check_range(name, int(value), low, high))


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_users(users: np.ndarray, n_users: int) -> np.ndarray:
    """Users as an int64 array of ids in ``[0, n_users)``."""
    users = np.asarray(users)
    if users.ndim != 1 or (users.size and not np.issubdtype(users.dtype, np.integer)):
        raise ValueError(f"users must be a 1-D integer array, got {users.dtype} {users.shape}")
    if users.size and (users.min() < 0 or users.max() >= n_users):
        raise ValueError(f"user ids must lie in [0, {n_users}), got {users.min()} … {users.max()}")
    return users.astype(np.int64)


def not_fitted(model: object) -> RuntimeError:
    """The error raised when ``score`` is called before ``fit``."""
    return RuntimeError(f"{type(model).__name__} is not fitted; call fit(train) first")
