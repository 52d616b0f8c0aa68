"""The searcher interface: ``ask`` a code, ``tell`` its reward. Larger rewards are better.

Searchers are sequential (one pending code is the common case; several are allowed) and own
their randomness: the same space and seed give the same sequence of asks for the same tells.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from policies.search.space import SearchSpace


class Searcher(ABC):
    """Base of all search baselines over a :class:`SearchSpace`."""

    name: str = "searcher"

    def __init__(self, space: SearchSpace, seed: int = 0) -> None:
        self.space = space
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @abstractmethod
    def ask(self) -> int:
        """The next code to evaluate."""

    @abstractmethod
    def tell(self, code: int, reward: float) -> None:
        """The reward observed for ``code`` (which must have been asked)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.space!r}, seed={self.seed})"


class Observations:
    """Sum and count of rewards per code: mean rewards under noise, for searchers that need them."""

    def __init__(self) -> None:
        self.sums: dict[int, float] = {}
        self.counts: dict[int, int] = {}

    def add(self, code: int, reward: float) -> None:
        self.sums[code] = self.sums.get(code, 0.0) + float(reward)
        self.counts[code] = self.counts.get(code, 0) + 1

    def mean(self, code: int) -> float:
        return self.sums[code] / self.counts[code]

    def ranked(self) -> list[int]:
        """Codes seen, best mean first (ties: smaller code first, for determinism)."""
        return sorted(self.sums, key=lambda c: (-self.mean(c), c))

    def __len__(self) -> int:
        return len(self.sums)
