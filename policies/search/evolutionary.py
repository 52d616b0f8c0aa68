"""A simple steady-state evolutionary algorithm on grid indices.

The population is the ``population`` best codes seen so far (by mean reward, so a lucky noisy
draw is averaged away when the code is seen again). Each ask picks two parents by tournament,
mixes their indices gene by gene (uniform crossover) and resamples each gene with probability
``mutation`` (at least one gene changes if the child equals a parent).
"""

from __future__ import annotations

import numpy as np

from policies.search.base import Observations, Searcher
from policies.search.space import SearchSpace


class EvolutionarySearch(Searcher):
    """Tournament selection, uniform crossover, per-gene mutation; random until seeded."""

    name = "evolutionary"

    def __init__(self, space: SearchSpace, seed: int = 0, population: int = 8,
                 tournament: int = 2, mutation: float | None = None,
                 crossover: float = 0.5) -> None:
        super().__init__(space, seed)
        if population < 2 or tournament < 1:
            raise ValueError(f"need population >= 2 and tournament >= 1, got {population}, "
                             f"{tournament}")
        self.population = population
        self.tournament = tournament
        self.mutation = mutation if mutation is not None else 1.0 / space.radices.size
        self.crossover = crossover
        self.observed = Observations()

    def ask(self) -> int:
        if len(self.observed) < self.population:
            return self.space.encode(self.space.random_indices(self.rng))
        pool = self.observed.ranked()[: self.population]
        a, b = self._select(pool), self._select(pool)
        child = np.where(self.rng.random(a.size) < self.crossover, a, b)
        return self.space.encode(self._mutate(child, parents=(a, b)))

    def _select(self, pool: list[int]) -> np.ndarray:
        ranks = self.rng.choice(len(pool), size=min(self.tournament, len(pool)), replace=False)
        return self.space.decode(pool[int(ranks.min())])  # pool is best-first

    def _mutate(self, child: np.ndarray, parents: tuple[np.ndarray, ...]) -> np.ndarray:
        radices = self.space.radices
        mutable = np.flatnonzero(radices > 1)
        if mutable.size == 0:
            return child
        flips = (self.rng.random(child.size) < self.mutation) & (radices > 1)
        if not flips.any() and any(np.array_equal(child, p) for p in parents):
            flips[self.rng.choice(mutable)] = True
        for i in np.flatnonzero(flips):
            shift = self.rng.integers(1, radices[i])  # a different value, uniformly
            child[i] = (child[i] + shift) % radices[i]
        return child

    def tell(self, code: int, reward: float) -> None:
        self.observed.add(self.space.check(code), reward)
