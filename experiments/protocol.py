"""The standard benchmark protocol for evolution strategies, and the interface they implement.

A strategy is benchmarked as DACBench benchmarks controllers: trained (tuned) on named *train*
instances, reported on held-out *test* instances, under a fixed evaluation budget, over fixed
seeds, with fixed metrics. An instance is a scenario of the benchmark table (a user-mix shift, a
content trend, an objective change, ...). A new strategy subclasses :class:`Strategy` (ask/tell
over one agent's knob indices), registers in :data:`experiments.strategies.STRATEGIES`, and
appears in the table ``python -m experiments.benchmark`` prints.

:class:`TableLike` is the part of ``agentic_env.evaluator.BenchmarkTable`` the experiments read,
so a synthetic landscape (:mod:`experiments.synthetic`) can stand in for tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


class KnobLike(Protocol):
    """A grid knob: its name, values (in action order), owner and lifecycle roles."""

    name: str
    values: tuple[Any, ...]
    owner: str
    roles: tuple[str, ...]


class GridLike(Protocol):
    knobs: tuple[KnobLike, ...]

    @property
    def radices(self) -> np.ndarray: ...

    @property
    def size(self) -> int: ...

    def encode(self, indices: Any) -> np.ndarray: ...


class TableLike(Protocol):
    """Dense evaluation arrays indexed by configuration code (see ``/tmp/plan/table_api.md``)."""

    @property
    def grid(self) -> Any: ...

    @property
    def scenarios(self) -> tuple[str, ...]: ...

    @property
    def n_phases(self) -> int: ...

    @property
    def n_repeats(self) -> int: ...

    @property
    def inner_names(self) -> tuple[str, ...]: ...

    @property
    def outer_names(self) -> tuple[str, ...]: ...

    @property
    def inner(self) -> np.ndarray:  # (size, n_repeats, n_inner)
        ...

    @property
    def outer(self) -> np.ndarray:  # (size, n_scenarios, n_phases, n_repeats, n_outer)
        ...

    @property
    def cost(self) -> np.ndarray:  # (size, n_repeats)
        ...

    @property
    def filled(self) -> np.ndarray:  # (size, n_repeats), bool
        ...


class Strategy(ABC):
    """How one agent picks its next configuration: ask for knob indices, be told the reward.

    The coordinator keeps each agent's incumbent; a strategy only proposes. ``radices[i]`` is
    the number of values of the agent's ``i``-th active knob.
    """

    name = "strategy"

    def reset(self, radices: np.ndarray, seed: int) -> None:
        """Start over on a new decision space; all randomness from ``seed``."""
        self.radices = np.asarray(radices, dtype=np.int64)
        self.rng = np.random.default_rng(seed)

    @abstractmethod
    def ask(self) -> np.ndarray:
        """Value indices (one per active knob, ``0 <= i < radix``) to evaluate next."""

    @abstractmethod
    def tell(self, indices: np.ndarray, reward: float) -> None:
        """The agent's layered reward for ``indices`` (higher is better)."""

    def on_drift(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """The environment shifted: past rewards may be stale."""


@dataclass(frozen=True)
class BenchmarkProtocol:
    """Named instance sets, fixed budgets and seeds, and the reported metrics.

    Attributes:
        train: Scenarios a strategy may be tuned on.
        test: Held-out scenarios the results table reports.
        budget: Evaluations per run.
        seeds: Seeds of every (strategy, instance) cell.
        decomposition, reward, evolution: The fixed setting of every run (config group names).
        metrics: Columns of the results table (see :func:`experiments.report.summary`).
    """

    train: tuple[str, ...] = ("stationary", "cold_start_wave")
    test: tuple[str, ...] = ("trend_shift",)
    budget: int = 300
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    decomposition: str = "agentic"
    reward: str = "layered"
    evolution: str = "alternating"
    metrics: tuple[str, ...] = field(
        default=("final_regret", "mean_anytime_regret", "final_outer", "cost_seconds")
    )

    def check(self, table: TableLike) -> None:
        """Fail early, naming the instance, when the table lacks a protocol scenario."""
        for name in (*self.train, *self.test):
            if name not in table.scenarios:
                raise ValueError(
                    f"protocol scenario {name!r} is not in the table; it has {table.scenarios}"
                )

    def instances(self, split: str) -> Sequence[str]:
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return self.train if split == "train" else self.test


STANDARD = BenchmarkProtocol()
