"""Where an environment step gets its numbers: a benchmark table or a live evaluation.

A :class:`Backend` evaluates grid codes in one scenario and phase and returns raw inner metrics,
outer metrics and costs. Two implementations:

* :class:`TableBackend` -- array lookups in a :class:`~agentic_env.evaluator.table.BenchmarkTable`.
  Noise is reproduced by drawing, with the environment's generator, one of the stored repeats
  of each cell. Codes with no stored repeat go to the ``fallback`` backend (live), or raise.
* :class:`LiveBackend` -- runs :class:`~agentic_env.evaluator.pipeline_trial.PipelineTrial`
  (fit the pipeline, score on logs, simulate users). A "repeat" is an evaluation seed drawn
  from ``range(n_seeds)``; results are memoised per ``(code, seed)``, since one trial fills
  every scenario and phase. Seconds per step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from agentic_env.evaluator.grid import Grid
from agentic_env.evaluator.table import BenchmarkTable

if TYPE_CHECKING:
    from agentic_env.evaluator.pipeline_trial import PipelineTrial
    from agentic_env.evaluator.trial import TrialResult


@dataclass(frozen=True)
class Evaluation:
    """Raw metrics of ``n`` evaluated codes: inner ``(n, n_inner)``, outer ``(n, n_outer)``,
    cost ``(n,)`` in compute seconds."""

    inner: np.ndarray
    outer: np.ndarray
    cost: np.ndarray


class Backend(Protocol):
    """What environments need from an evaluator (see module docstring)."""

    grid: Grid
    scenarios: tuple[str, ...]
    n_phases: int
    inner_names: tuple[str, ...]
    outer_names: tuple[str, ...]

    def sample(self, codes: np.ndarray, scenario: int, phase: int,
               rng: np.random.Generator) -> Evaluation:
        """One noisy draw per code (codes may repeat: independent draws)."""
        ...

    def expected(self, codes: np.ndarray, scenario: int, phase: int) -> Evaluation:
        """Means over repeats (what a policy should maximise)."""
        ...


class TableBackend:
    """Array lookups in a benchmark table (see module docstring).

    Args:
        table: The table.
        fallback: Backend for codes the table has no repeat of; ``None`` makes them an error.
    """

    def __init__(self, table: BenchmarkTable, fallback: Backend | None = None) -> None:
        self.table, self.fallback = table, fallback
        self.grid = table.grid
        self.scenarios, self.n_phases = table.scenarios, table.n_phases
        self.inner_names, self.outer_names = table.inner_names, table.outer_names
        filled = table.filled
        self.n_filled = filled.sum(axis=1)
        # filled repeat indices first in each row, so a draw is ``order[code, k < n_filled]``
        self.order = np.argsort(~filled, axis=1, kind="stable")
        self.inner_mean = mean_over_repeats(table.inner, filled[:, :, None], axis=1)
        self.outer_mean = mean_over_repeats(table.outer, filled[:, None, None, :, None], axis=3)
        self.cost_mean = mean_over_repeats(table.cost, filled, axis=1)
        self.complete = bool((self.n_filled > 0).all())

    def sample(self, codes: np.ndarray, scenario: int, phase: int,
               rng: np.random.Generator) -> Evaluation:
        n = self.n_filled[codes]
        if not self.complete and (n == 0).any():
            return self._with_fallback(codes, scenario, phase, rng)
        reps = self.order[codes, (rng.random(len(codes)) * n).astype(np.int64)]
        t = self.table
        return Evaluation(t.inner[codes, reps], t.outer[codes, scenario, phase, reps],
                          t.cost[codes, reps])

    def expected(self, codes: np.ndarray, scenario: int, phase: int) -> Evaluation:
        if not self.complete and (self.n_filled[codes] == 0).any():
            missing = codes[self.n_filled[codes] == 0]
            if self.fallback is None:
                raise _missing(missing)
            return self.fallback.expected(codes, scenario, phase)
        return Evaluation(self.inner_mean[codes], self.outer_mean[codes, scenario, phase],
                          self.cost_mean[codes])

    def best(self, metric: int, scenario: int, phase: int) -> float:
        """Best mean of outer metric ``metric`` over the filled codes (for regret)."""
        means = self.outer_mean[:, scenario, phase, metric]
        return float(np.max(np.where((self.n_filled > 0) & np.isfinite(means), means, -np.inf)))

    def _with_fallback(self, codes: np.ndarray, scenario: int, phase: int,
                       rng: np.random.Generator) -> Evaluation:
        missing = self.n_filled[codes] == 0
        if self.fallback is None:
            raise _missing(codes[missing])
        inner = np.empty((len(codes), len(self.inner_names)))
        outer = np.empty((len(codes), len(self.outer_names)))
        cost = np.empty(len(codes))
        for mask, backend in ((~missing, None), (missing, self.fallback)):
            if not mask.any():
                continue
            part = (backend.sample(codes[mask], scenario, phase, rng) if backend is not None
                    else self.sample(codes[mask], scenario, phase, rng))
            inner[mask], outer[mask], cost[mask] = part.inner, part.outer, part.cost
        return Evaluation(inner, outer, cost)


def mean_over_repeats(values: np.ndarray, filled: np.ndarray, axis: int) -> np.ndarray:
    """Mean over the filled, finite repeats along ``axis``; NaN where there is none."""
    ok = filled & np.isfinite(values)
    total = np.where(ok, values, 0.0).sum(axis=axis, dtype=np.float64)
    count = ok.sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)  # type: ignore[no-any-return]


def _missing(codes: np.ndarray) -> ValueError:
    return ValueError(f"the table has no evaluation of codes {np.unique(codes)[:5].tolist()} "
                      "and no fallback; use mode='cached' with allow_live=True, or fill the table")


@dataclass
class LiveBackend:
    """Evaluates grid codes by running the real trial (see module docstring).

    Attributes:
        grid: The grid whose codes are evaluated.
        trial: The trial; its protocol's scenarios and phases are this backend's.
        n_seeds: Evaluation seeds drawn among (the live analogue of table repeats).
        fidelity: Trial fidelity in ``(0, 1]``.
        inner_names, outer_names: Metric order; default: the trial's own names.
    """

    grid: Grid
    trial: PipelineTrial
    n_seeds: int = 2
    fidelity: float = 1.0
    inner_names: tuple[str, ...] = ()
    outer_names: tuple[str, ...] = ()
    memo: dict[tuple[int, int], TrialResult] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        from agentic_env.evaluator.pipeline_trial import INNER_METRICS, OUTER_METRICS

        self.inner_names = self.inner_names or INNER_METRICS
        self.outer_names = self.outer_names or OUTER_METRICS
        self.scenarios = tuple(self.trial.protocol.scenarios)
        self.n_phases = self.trial.protocol.n_phases

    def result(self, code: int, seed: int) -> TrialResult:
        """The memoised trial result of ``code`` at ``seed``."""
        key = (int(code), int(seed))
        if key not in self.memo:
            self.memo[key] = self.trial(self.grid.config(int(code)), self.fidelity, int(seed), {})
        return self.memo[key]

    def _rows(self, code: int, seed: int, scenario: int, phase: int) -> tuple[Any, Any, float]:
        r = self.result(code, seed)
        prefix = f"{self.scenarios[scenario]}.p{phase}."
        inner = [_get(r.inner, n) for n in self.inner_names]
        outer = [r.outer.get(prefix + n, np.nan) for n in self.outer_names]
        return inner, outer, r.cost_seconds

    def _evaluate(self, codes: np.ndarray, seeds: np.ndarray, scenario: int,
                  phase: int) -> Evaluation:
        rows = [self._rows(int(c), int(s), scenario, phase) for c, s in zip(codes, seeds,
                                                                            strict=True)]
        return Evaluation(np.array([r[0] for r in rows], np.float64),
                          np.array([r[1] for r in rows], np.float64),
                          np.array([r[2] for r in rows], np.float64))

    def sample(self, codes: np.ndarray, scenario: int, phase: int,
               rng: np.random.Generator) -> Evaluation:
        seeds = rng.integers(self.n_seeds, size=len(codes))
        return self._evaluate(np.asarray(codes), seeds, scenario, phase)

    def expected(self, codes: np.ndarray, scenario: int, phase: int) -> Evaluation:
        parts = [self._evaluate(np.asarray(codes), np.full(len(codes), s), scenario, phase)
                 for s in range(self.n_seeds)]
        return Evaluation(*(np.mean([getattr(p, f) for p in parts], axis=0)
                            for f in ("inner", "outer", "cost")))



def _get(metrics: Mapping[str, float], name: str) -> float:
    """A metric by full name, or by its last part (``pipeline.recall`` -> ``recall``)."""
    if name in metrics:
        return float(metrics[name])
    return float(metrics.get(name.rsplit(".", 1)[-1], np.nan))
