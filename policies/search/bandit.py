"""A bandit over the grid's configurations: UCB1 or Gaussian Thompson sampling.

Each code is an arm. Untried arms are pulled first (in a seeded random order), so on a grid much
larger than the budget a bandit is random search; on a small grid with noisy rewards it spends
repeats on the promising arms. Rewards are scaled by their observed spread so that the
exploration constant does not depend on the metric's units.
"""

from __future__ import annotations

import math

import numpy as np

from policies.search.base import Searcher
from policies.search.space import SearchSpace

MAX_ARMS = 1 << 20
RULES = ("ucb", "thompson")


class BanditSearch(Searcher):
    """UCB1 (``rule="ucb"``, exploration ``c``) or Thompson sampling (``rule="thompson"``)."""

    def __init__(self, space: SearchSpace, seed: int = 0, rule: str = "ucb",
                 c: float = 1.0) -> None:
        super().__init__(space, seed)
        if rule not in RULES:
            raise ValueError(f"rule {rule!r} is unknown; expected one of {RULES}")
        if space.size > MAX_ARMS:
            raise ValueError(f"{space.size} arms exceed the bandit's limit of {MAX_ARMS}; "
                             "use TPE or the evolutionary search on a grid this large")
        self.rule, self.c = rule, c
        self.name = f"bandit_{rule}"
        self.counts = np.zeros(space.size, dtype=np.int64)
        self.sums = np.zeros(space.size)
        self.sq_sums = 0.0
        self._untried = list(self.rng.permutation(space.size))

    def ask(self) -> int:
        while self._untried:
            code = int(self._untried.pop())
            if self.counts[code] == 0:
                return code
        means = self.sums / self.counts
        scale = self._scale()
        if self.rule == "ucb":
            t = int(self.counts.sum())
            score = means + self.c * scale * np.sqrt(2.0 * math.log(t) / self.counts)
        else:
            score = means + scale / np.sqrt(self.counts) * self.rng.standard_normal(means.size)
        return int(np.argmax(score))

    def _scale(self) -> float:
        n = int(self.counts.sum())
        if n < 2:
            return 1.0
        mean = float(self.sums.sum()) / n
        var = self.sq_sums / n - mean * mean
        return math.sqrt(var) if var > 1e-12 else 1.0

    def tell(self, code: int, reward: float) -> None:
        c = self.space.check(code)
        self.counts[c] += 1
        self.sums[c] += float(reward)
        self.sq_sums += float(reward) ** 2
