"""The item corpus: latent vectors, category, quality, popularity and age; arrivals and fading.

Item ids are dense and only grow: a new item gets the next id, so recommenders read
``corpus.n_items`` to know the catalogue. Old items are never removed; they fade, because the
utility of an item decays with its age (``fade_rate`` per day in the choice logit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentic_env.simulator.validation import SimulatorInputError, check_finite


@dataclass
class Corpus:
    """Item attributes as parallel arrays indexed by item id.

    Attributes:
        vectors: ``(m, d)`` float32 latent item vectors (the user's affinity is a dot product).
        category: ``(m,)`` int16 primary category id in ``[0, n_categories)``.
        quality: ``(m,)`` float32 in ``[0, 1]``; drives satisfaction and watch time, and only
            weakly the click, so that clicks and long-term value can disagree.
        popularity: ``(m,)`` float32 share of recent interactions (sums to about 1).
        age: ``(m,)`` float32 days since the item arrived.
        n_categories: Size of the category space.
    """

    vectors: np.ndarray
    category: np.ndarray
    quality: np.ndarray
    popularity: np.ndarray
    age: np.ndarray
    n_categories: int

    def __post_init__(self) -> None:
        self.vectors = np.ascontiguousarray(self.vectors, np.float32)
        m = self.vectors.shape[0]
        if self.vectors.ndim != 2 or m == 0:
            raise SimulatorInputError(
                f"item vectors must be a non-empty (n_items, dim) array, got {self.vectors.shape}"
            )
        self.category = _column("category", self.category, m, np.int16)
        self.quality = _column("quality", self.quality, m, np.float32)
        self.popularity = _column("popularity", self.popularity, m, np.float32)
        self.age = _column("age", self.age, m, np.float32)
        check_finite("item vectors", self.vectors)
        if self.category.min() < 0 or self.category.max() >= self.n_categories:
            raise SimulatorInputError(
                f"item categories must lie in [0, {self.n_categories}), got "
                f"{self.category.min()}..{self.category.max()}"
            )

    @property
    def n_items(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def synthetic(
        cls, n_items: int, dim: int, n_categories: int, rng: np.random.Generator
    ) -> Corpus:
        """Items clustered around one centre per category, Zipf-like popularity."""
        centres = rng.standard_normal((n_categories, dim)).astype(np.float32) / np.sqrt(dim)
        category = rng.integers(0, n_categories, n_items).astype(np.int16)
        noise = rng.standard_normal((n_items, dim)).astype(np.float32) / np.sqrt(dim)
        popularity = 1.0 / np.arange(1, n_items + 1, dtype=np.float64)
        return cls(
            vectors=centres[category] + 0.5 * noise,
            category=category,
            quality=rng.beta(4.0, 2.0, n_items),
            popularity=rng.permutation(popularity / popularity.sum()),
            age=rng.uniform(0.0, 365.0, n_items),
            n_categories=n_categories,
        )

    def sample_new(
        self, n: int, rng: np.random.Generator, category: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vectors, categories and qualities of ``n`` new items drawn like existing ones.

        Each new item copies the vector of a random existing item of its category (any category
        if ``category`` is None) plus noise, and takes a quality from the empirical distribution.
        """
        pool = np.arange(self.n_items) if category is None else np.flatnonzero(
            self.category == category
        )
        if pool.size == 0:
            raise SimulatorInputError(f"no item of category {category} to model new items on")
        parents = rng.choice(pool, n)
        spread = self.vectors.std(axis=0, keepdims=True) * 0.3
        vectors = self.vectors[parents] + spread * rng.standard_normal((n, self.dim))
        quality = self.quality[rng.integers(0, self.n_items, n)]
        return vectors.astype(np.float32), self.category[parents], quality

    def add_items(self, vectors: np.ndarray, category: np.ndarray, quality: np.ndarray) -> None:
        """Append new items with age 0 and the smallest popularity in the corpus."""
        n = len(vectors)
        fresh = Corpus(
            vectors, category, quality, np.full(n, self.popularity.min()), np.zeros(n),
            self.n_categories,
        )
        for name in ("vectors", "category", "quality", "popularity", "age"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(fresh, name)]))

    def advance_day(self, clicks: np.ndarray, memory: float = 0.9) -> None:
        """Age every item a day and blend the day's click shares into popularity."""
        self.age += 1.0
        total = clicks.sum()
        if total > 0:
            share = clicks[: self.n_items] / total
            self.popularity = (memory * self.popularity + (1 - memory) * share).astype(np.float32)

    def novelty(self) -> np.ndarray:
        """Self-information ``-log2(popularity share)`` per item: high for rarely seen items."""
        share = self.popularity / max(float(self.popularity.sum()), 1e-12)
        return (-np.log2(np.maximum(share, 1e-9))).astype(np.float32)


def _column(name: str, values: object, n: int, dtype: type) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise SimulatorInputError(f"item {name} must have shape ({n},), got {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating):
        check_finite(f"item {name}", arr)
    return np.ascontiguousarray(arr, dtype)
