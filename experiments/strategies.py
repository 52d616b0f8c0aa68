"""Strategies for table runs: the search baselines of ``policies.search`` behind :class:`Strategy`.

Each agent gets its own searcher over the space of its active knobs. After a scripted shift the
searcher is rebuilt (past rewards describe another world). A new strategy subclasses
:class:`~experiments.protocol.Strategy` and joins :data:`STRATEGIES`; RL drivers run through the
Gymnasium environments instead (``policy.kind: rl``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from experiments.protocol import Strategy

#: ``policy.name`` -> the searcher's name in ``policies.search.SEARCHERS``.
SEARCHER_NAMES = {"random": "random", "grid": "grid", "tpe": "tpe", "cmaes": "cmaes",
                  "evolution": "evolutionary", "bandit": "bandit"}


class SearcherStrategy(Strategy):
    """A ``policies.search`` searcher over one agent's knob indices."""

    def __init__(self, searcher: str, **kwargs: Any) -> None:
        self.name, self.kwargs = searcher, kwargs
        self.drifts = 0

    def reset(self, radices: np.ndarray, seed: int) -> None:
        from policies.search import SearchSpace, make_searcher

        super().reset(radices, seed)
        self.space = SearchSpace(self.radices)
        self.seed = seed
        self.searcher = make_searcher(self.name, self.space, seed, **self.kwargs)

    def ask(self) -> np.ndarray:
        return self.space.decode(self.searcher.ask())

    def tell(self, indices: np.ndarray, reward: float) -> None:
        self.searcher.tell(self.space.encode(indices), reward)

    def on_drift(self) -> None:
        from policies.search import make_searcher

        self.drifts += 1
        seed = self.seed + 7919 * self.drifts
        self.searcher = make_searcher(self.name, self.space, seed, **self.kwargs)


def _searcher(name: str) -> Callable[..., Strategy]:
    return lambda **kwargs: SearcherStrategy(name, **kwargs)


STRATEGIES: dict[str, Callable[..., Strategy]] = {
    policy: _searcher(searcher) for policy, searcher in SEARCHER_NAMES.items()
}


def make_strategy(name: str, **kwargs: Any) -> Strategy:
    """A fresh strategy ``name`` built with ``kwargs`` (``policy.kwargs`` of the config).

    ``name`` is a key of :data:`STRATEGIES` or ``MODULE:NAME`` of a :class:`Strategy` subclass
    (or factory), so a user's strategy runs without editing this package.
    """
    if ":" in name:
        module, _, attr = name.partition(":")
        factory = getattr(importlib.import_module(module), attr, None)
        if factory is None:
            raise ValueError(f"policy {name!r}: module {module!r} has no {attr!r}")
        made = factory(**kwargs)
        if not isinstance(made, Strategy):
            raise TypeError(f"policy {name!r} built {type(made).__name__}, not a Strategy")
        return made
    if name not in STRATEGIES:
        raise ValueError(
            f"policy {name!r} has no table strategy; table runs take {sorted(STRATEGIES)} "
            "(RL policies run through the Gymnasium environments)"
        )
    return STRATEGIES[name](**kwargs)
