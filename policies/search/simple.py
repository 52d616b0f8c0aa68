"""Random search and grid search: the baselines every other method must beat."""

from __future__ import annotations

from policies.search.base import Searcher
from policies.search.space import SearchSpace

_MAX_TRACKED = 1 << 22  # above this many codes, random search stops avoiding repeats


class RandomSearch(Searcher):
    """Uniform random codes; without repeats until the space is exhausted (when ``unique``)."""

    name = "random"

    def __init__(self, space: SearchSpace, seed: int = 0, unique: bool = True) -> None:
        super().__init__(space, seed)
        self.unique = unique and space.size <= _MAX_TRACKED
        self._seen: set[int] = set()

    def ask(self) -> int:
        if self.unique and len(self._seen) >= self.space.size:
            self._seen.clear()  # every code asked once: start a new pass
        while True:
            code = int(self.rng.integers(self.space.size))
            if not self.unique or code not in self._seen:
                self._seen.add(code)
                return code

    def tell(self, code: int, reward: float) -> None:
        self.space.check(code)


class GridSearch(Searcher):
    """Every code once, in a seeded random order (``shuffle``) or in code order; then again."""

    name = "grid"

    def __init__(self, space: SearchSpace, seed: int = 0, shuffle: bool = True) -> None:
        super().__init__(space, seed)
        if shuffle and space.size > _MAX_TRACKED:
            raise ValueError(f"cannot shuffle {space.size} codes; use shuffle=False")
        self.shuffle = shuffle
        self._next = 0
        self._order = self.rng.permutation(space.size) if shuffle else None

    def ask(self) -> int:
        position = self._next % self.space.size
        self._next += 1
        return int(self._order[position]) if self._order is not None else position

    def tell(self, code: int, reward: float) -> None:
        self.space.check(code)
