"""The user population: per-user state as parallel arrays, so every update is vectorised.

Static traits (interests start, activity, patience, segment) come from calibration on a log or
from a synthetic prior; dynamic state (interests, satisfaction, fatigue, category exposure
history, churn) changes through :mod:`agentic_env.simulator.transition`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from agentic_env.data.segments import USER_SEGMENTS
from agentic_env.simulator.validation import SimulatorInputError, check_finite

COLD_START = USER_SEGMENTS.index("cold_start")


@dataclass
class Population:
    """User state arrays indexed by user id.

    Attributes:
        interests: ``(n, d)`` float32 latent interest vectors.
        activity: ``(n,)`` float32 probability of visiting on a day.
        patience: ``(n,)`` int32 session budget in slates.
        segment: ``(n,)`` int8 codes into :data:`agentic_env.data.segments.USER_SEGMENTS`.
        history: ``(n, n_categories)`` float32 recent share of exposure per category (boredom).
        satisfaction: ``(n,)`` float32 in ``[-1, 1]``; drives retention.
        fatigue: ``(n,)`` float32 within-session tiredness, reset when a session starts.
        churned: ``(n,)`` bool, users who did not come back after their last session.
    """

    interests: np.ndarray
    activity: np.ndarray
    patience: np.ndarray
    segment: np.ndarray
    history: np.ndarray
    satisfaction: np.ndarray
    fatigue: np.ndarray
    churned: np.ndarray

    def __post_init__(self) -> None:
        self.interests = np.ascontiguousarray(self.interests, np.float32)
        if self.interests.ndim != 2:
            raise SimulatorInputError(
                f"interests must be an (n_users, dim) array, got shape {self.interests.shape}"
            )
        n = self.interests.shape[0]
        if n == 0:
            raise SimulatorInputError("the population is empty: it needs at least one user")
        check_finite("user interests", self.interests)
        for name, dtype in (
            ("activity", np.float32), ("patience", np.int32), ("segment", np.int8),
            ("satisfaction", np.float32), ("fatigue", np.float32), ("churned", np.bool_),
        ):
            arr = np.ascontiguousarray(getattr(self, name), dtype)
            if arr.shape != (n,):
                raise SimulatorInputError(f"user {name} must have shape ({n},), got {arr.shape}")
            setattr(self, name, arr)
        self.history = np.ascontiguousarray(self.history, np.float32)
        if self.history.ndim != 2 or self.history.shape[0] != n:
            raise SimulatorInputError(
                f"user history must have shape ({n}, n_categories), got {self.history.shape}"
            )
        if np.any(self.patience < 1):
            raise SimulatorInputError("patience must be at least 1 slate per session")

    @property
    def n_users(self) -> int:
        return int(self.interests.shape[0])

    @classmethod
    def from_traits(
        cls,
        interests: np.ndarray,
        activity: np.ndarray,
        patience: np.ndarray,
        segment: np.ndarray,
        n_categories: int,
    ) -> Population:
        """A fresh population (neutral satisfaction, no fatigue, no history) from its traits."""
        n = len(interests)
        return cls(
            interests, activity, patience, segment, np.zeros((n, n_categories), np.float32),
            np.zeros(n), np.zeros(n), np.zeros(n, bool),
        )

    @classmethod
    def synthetic(
        cls, n_users: int, dim: int, n_categories: int, rng: np.random.Generator
    ) -> Population:
        """Gaussian interests, Beta activity, geometric patience, segments from activity."""
        activity = rng.beta(1.2, 4.0, n_users).astype(np.float32)
        segment = np.digitize(activity, [0.05, 0.15, 0.45]).astype(np.int8)
        return cls.from_traits(
            rng.standard_normal((n_users, dim)).astype(np.float32) / np.sqrt(dim),
            activity,
            np.minimum(rng.geometric(0.15, n_users), 50),
            segment,
            n_categories,
        )

    def take(self, index: np.ndarray) -> Population:
        """A population of the selected users (state copied), e.g. to resample or enlarge."""
        return Population(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def resample(self, n_users: int, rng: np.random.Generator, jitter: float = 0.1) -> Population:
        """Bootstrap ``n_users`` users from this one, with Gaussian jitter on the interests."""
        out = self.take(rng.integers(0, self.n_users, n_users))
        scale = jitter * self.interests.std(axis=0, keepdims=True)
        out.interests += (scale * rng.standard_normal(out.interests.shape)).astype(np.float32)
        return out

    def extend(self, other: Population) -> None:
        """Append ``other``'s users (new ids follow the current ones)."""
        if other.interests.shape[1] != self.interests.shape[1]:
            raise SimulatorInputError(
                f"cannot add users of dimension {other.interests.shape[1]} to a population of "
                f"dimension {self.interests.shape[1]}"
            )
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))

    def cold_start_like(self, n_users: int, rng: np.random.Generator) -> Population:
        """New users: interests drawn around the population mean, low activity, cold-start code."""
        mean = self.interests.mean(axis=0)
        std = self.interests.std(axis=0)
        interests = mean + std * rng.standard_normal((n_users, self.interests.shape[1]))
        low_activity = np.quantile(self.activity, 0.25)
        return Population.from_traits(
            interests.astype(np.float32),
            np.full(n_users, low_activity),
            self.patience[rng.integers(0, self.n_users, n_users)],
            np.full(n_users, COLD_START),
            self.history.shape[1],
        )
