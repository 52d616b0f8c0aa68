"""Surrogate mode: a regression model of the table predicts every grid code, seen or not.

A table built on a sample of the grid (``build --limit N``) or with failed cells still drives an
environment over the whole grid: a Gaussian process (the evaluator's
:class:`~agentic_env.evaluator.surrogate.GaussianProcess`) is fitted on the evaluated cells, with
the one-hot encoding of the grid's value indices as input and every metric as output (inner,
outer per scenario and phase, and ``log1p`` of the cost). Predictions of all codes are made
once, so a surrogate step is an array lookup as in cached mode. :meth:`SurrogateBackend.sample`
adds Gaussian noise with the predicted standard deviation (model uncertainty plus the
seed-to-seed noise the GP estimated), :meth:`expected` returns the predicted mean.

Inner metrics that a configuration does not produce (NaN in the table, e.g. ``ranking.*`` when
no segment is ranked) are filled with the metric's mean for fitting, and stay NaN for the codes
where every stored repeat is NaN.
"""

from __future__ import annotations

import numpy as np

from agentic_env.envs.backends import Evaluation
from agentic_env.evaluator.grid import Grid
from agentic_env.evaluator.surrogate import GaussianProcess
from agentic_env.evaluator.table import BenchmarkTable

#: Largest grid whose every code is predicted up front.
MAX_CODES = 200_000


def one_hot(grid: Grid, codes: np.ndarray) -> np.ndarray:
    """``(len(codes), sum(radices))`` one-hot encoding of each knob's value index."""
    idx = grid.decode(codes)
    offsets = np.concatenate([[0], np.cumsum(grid.radices)[:-1]])
    out = np.zeros((len(codes), int(grid.radices.sum())), np.float64)
    np.put_along_axis(out, idx + offsets, 1.0, axis=1)
    return out


class SurrogateBackend:
    """Predicts every code of ``table``'s grid from its evaluated cells (see module docstring).

    Args:
        table: A table with at least two evaluated cells.
        max_points: Cells the GP is fitted on at most (a seeded sample beyond that).
        seed: Seed of that sample.
    """

    def __init__(self, table: BenchmarkTable, *, max_points: int = 1000, seed: int = 0) -> None:
        if table.size > MAX_CODES:
            raise ValueError(f"the grid has {table.size} codes; surrogate mode predicts at most "
                             f"{MAX_CODES} up front")
        cells = np.argwhere(table.filled)
        if len(cells) < 2:
            raise ValueError(f"surrogate mode needs at least 2 evaluated cells, the table has "
                             f"{len(cells)}")
        self.grid, self.scenarios, self.n_phases = table.grid, table.scenarios, table.n_phases
        self.inner_names, self.outer_names = table.inner_names, table.outer_names
        y = _targets(table, cells)
        gp = GaussianProcess(max_points=max_points, seed=seed).fit(
            one_hot(self.grid, cells[:, 0]), y)
        mean, std = gp.predict(one_hot(self.grid, np.arange(self.grid.size)))
        self._mean, self._std = self._split(mean), self._split(std)
        never = ~_ever_finite(table)  # inner metrics a code never produces stay NaN ...
        seen: np.ndarray = np.asarray(table.filled.any(axis=1))
        self._mean[0][seen[:, None] & never] = np.nan  # ... where the table says so
        self.length, self.noise = gp.length, gp.noise

    def _split(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_inner, c, p = len(self.inner_names), len(self.scenarios), self.n_phases
        inner = flat[:, :n_inner]
        outer = flat[:, n_inner:-1].reshape(len(flat), c, p, len(self.outer_names))
        return inner, outer, flat[:, -1]

    def expected(self, codes: np.ndarray, scenario: int, phase: int) -> Evaluation:
        inner, outer, log_cost = self._mean
        return Evaluation(inner[codes], outer[codes, scenario, phase],
                          np.expm1(np.maximum(log_cost[codes], 0.0)))

    def sample(self, codes: np.ndarray, scenario: int, phase: int,
               rng: np.random.Generator) -> Evaluation:
        mean = self.expected(codes, scenario, phase)
        inner_sd, outer_sd, _ = self._std
        inner = mean.inner + inner_sd[codes] * rng.standard_normal(mean.inner.shape)
        outer = mean.outer + outer_sd[codes, scenario, phase] * rng.standard_normal(
            mean.outer.shape)
        return Evaluation(inner, outer, mean.cost)


def _targets(table: BenchmarkTable, cells: np.ndarray) -> np.ndarray:
    """``(n_cells, n_inner + C*P*n_outer + 1)``: metrics of each cell, NaN filled by means."""
    codes, reps = cells[:, 0], cells[:, 1]
    inner = table.inner[codes, reps].astype(np.float64)
    outer = table.outer[codes, :, :, reps].reshape(len(cells), -1).astype(np.float64)
    cost = np.log1p(np.maximum(table.cost[codes, reps], 0.0)).astype(np.float64)[:, None]
    y = np.concatenate([inner, outer, cost], axis=1)
    ok = np.isfinite(y)
    column_mean = np.where(ok, y, 0.0).sum(axis=0) / np.maximum(ok.sum(axis=0), 1)
    return np.where(ok, y, column_mean)


def _ever_finite(table: BenchmarkTable) -> np.ndarray:
    """``(size, n_inner)``: whether any stored repeat of a code has a finite inner metric."""
    return (np.isfinite(table.inner) & table.filled[:, :, None]).any(axis=1)  # type: ignore[no-any-return]
