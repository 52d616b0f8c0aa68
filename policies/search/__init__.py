"""Search baselines over a benchmark grid, all behind ``ask``/``tell`` and :func:`run_search`.

    space = SearchSpace.of(table.grid)
    trace = run_search(TPESearch(space, seed=0), objective, Budget(evaluations=200))
"""

from policies.search.bandit import BanditSearch
from policies.search.base import Observations, Searcher
from policies.search.evolutionary import EvolutionarySearch
from policies.search.loop import Objective, Trace, run_search
from policies.search.optuna_search import CmaEsSearch, TPESearch
from policies.search.simple import GridSearch, RandomSearch
from policies.search.space import SearchSpace

SEARCHERS: dict[str, type[Searcher]] = {
    "random": RandomSearch,
    "grid": GridSearch,
    "tpe": TPESearch,
    "cmaes": CmaEsSearch,
    "evolutionary": EvolutionarySearch,
    "bandit": BanditSearch,
}


def make_searcher(name: str, space: SearchSpace, seed: int = 0, **kwargs: object) -> Searcher:
    """A searcher by name (see :data:`SEARCHERS`)."""
    if name not in SEARCHERS:
        raise ValueError(f"searcher {name!r} is unknown; expected one of {sorted(SEARCHERS)}")
    return SEARCHERS[name](space, seed, **kwargs)  # type: ignore[arg-type]


__all__ = [
    "SEARCHERS",
    "BanditSearch",
    "CmaEsSearch",
    "EvolutionarySearch",
    "GridSearch",
    "Objective",
    "Observations",
    "RandomSearch",
    "SearchSpace",
    "Searcher",
    "TPESearch",
    "Trace",
    "make_searcher",
    "run_search",
]
