"""The space a searcher explores: a finite grid of value indices, one radix per knob.

Codes follow :class:`agentic_env.evaluator.grid.Grid` (mixed radix, first knob most
significant), so a searcher built with :meth:`SearchSpace.of` asks for the grid's own codes.
:meth:`restrict` gives a smaller space over a subset of each knob's values (a growing action
set: only unlocked templates) together with the map from its codes back to the full space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class SearchSpace:
    """``len(radices)`` knobs; knob ``i`` takes value indices ``0 .. radices[i]-1``."""

    def __init__(self, radices: Sequence[int] | np.ndarray,
                 names: Sequence[str] | None = None) -> None:
        r = np.asarray(radices, dtype=np.int64)
        if r.ndim != 1 or r.size == 0 or (r < 1).any():
            raise ValueError(f"radices must be a non-empty list of ints >= 1, got {list(radices)}")
        self.radices = r
        self.names = tuple(names) if names is not None else tuple(f"k{i}" for i in range(r.size))
        if len(self.names) != r.size:
            raise ValueError(f"{len(self.names)} names for {r.size} knobs")
        self.size = int(np.prod(r))

    @classmethod
    def of(cls, grid: Any) -> SearchSpace:
        """The space of a :class:`~agentic_env.evaluator.grid.Grid` (or anything with
        ``radices`` and ``names``)."""
        return cls([int(x) for x in grid.radices], list(grid.names))

    def encode(self, indices: Sequence[int] | np.ndarray) -> int:
        """The code of one index vector."""
        idx = tuple(int(i) for i in indices)
        if len(idx) != self.radices.size:
            raise ValueError(f"expected {self.radices.size} indices, got {len(idx)}")
        return int(np.ravel_multi_index(idx, tuple(self.radices)))

    def decode(self, code: int) -> np.ndarray:
        """The index vector of ``code``."""
        self.check(code)
        return np.array(np.unravel_index(int(code), tuple(self.radices)), dtype=np.int64)

    def check(self, code: int) -> int:
        """``code`` as an int, or a ValueError naming the valid range."""
        c = int(code)
        if not 0 <= c < self.size:
            raise ValueError(f"code {code} is outside this space: valid 0..{self.size - 1}")
        return c

    def random_indices(self, rng: np.random.Generator) -> np.ndarray:
        """Uniform random index vector."""
        return np.asarray(rng.integers(0, self.radices), dtype=np.int64)

    def restrict(
        self, allowed: Sequence[Sequence[int]]
    ) -> tuple[SearchSpace, Callable[[int], int]]:
        """A space over ``allowed[i]`` values of each knob, and its code -> full code map."""
        if len(allowed) != self.radices.size:
            raise ValueError(f"allowed needs one list per knob ({self.radices.size}), "
                             f"got {len(allowed)}")
        kept = [np.asarray(sorted(set(int(v) for v in a)), dtype=np.int64) for a in allowed]
        for name, values, radix in zip(self.names, kept, self.radices, strict=True):
            if values.size == 0 or values[0] < 0 or values[-1] >= radix:
                raise ValueError(f"allowed values of {name!r} must be a non-empty subset of "
                                 f"0..{radix - 1}, got {values.tolist()}")
        sub = SearchSpace([v.size for v in kept], self.names)

        def to_full(code: int) -> int:
            local = sub.decode(code)
            return self.encode([values[i] for values, i in zip(kept, local, strict=True)])

        return sub, to_full

    def __repr__(self) -> str:
        return f"SearchSpace({self.size} codes: radices {self.radices.tolist()})"
