"""The benchmark table: every grid configuration's stored metrics as dense arrays.

The knowledge store is the record; this is its compact, in-memory view for fast environments.
Arrays are indexed by grid code and repeat (seed), and outer metrics also by scenario and phase,
so a cached environment step is one fancy index and noise is reproduced by drawing among the
stored repeats, as tabular benchmarks do.

Shapes (``S`` = grid size, ``R`` = repeats, ``C`` = scenarios, ``P`` = phases)::

    inner  (S, R, n_inner)          metrics on logged data, e.g. "recall", "ranking.auc"
    outer  (S, C, P, R, n_outer)    simulated-user metrics, e.g. "reward", "ctr"
    cost   (S, R)                   compute seconds of the evaluation
    filled (S, R)                   which cells were evaluated
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agentic_env.evaluator.grid import Grid

if TYPE_CHECKING:
    from agentic_env.evaluator.trial import TrialResult

#: Where the bundled table lives (built by ``python -m agentic_env.evaluator build``).
BUNDLED = Path(__file__).with_name("tables") / "default.npz"


@dataclass
class BenchmarkTable:
    """Metrics of every (code, repeat) cell of a grid; see the module docstring for shapes."""

    grid: Grid
    scenarios: tuple[str, ...]
    n_phases: int
    inner_names: tuple[str, ...]
    outer_names: tuple[str, ...]
    inner: np.ndarray
    outer: np.ndarray
    cost: np.ndarray
    filled: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s, r = self.filled.shape
        expected = {"inner": (s, r, len(self.inner_names)),
                    "outer": (s, len(self.scenarios), self.n_phases, r, len(self.outer_names)),
                    "cost": (s, r)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"table {name} has shape {getattr(self, name).shape}, "
                                 f"expected {shape}")
        if s != self.grid.size:
            raise ValueError(f"table has {s} codes but its grid has {self.grid.size}")

    # ----- shape -----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self.grid.size

    @property
    def n_repeats(self) -> int:
        return int(self.filled.shape[1])

    @property
    def complete(self) -> bool:
        return bool(self.filled.all())

    def missing(self) -> list[tuple[int, int]]:
        """``(code, repeat)`` cells not evaluated yet."""
        return [(int(c), int(r)) for c, r in np.argwhere(~self.filled)]

    def scenario_index(self, scenario: str | int) -> int:
        if isinstance(scenario, int | np.integer):
            if not 0 <= scenario < len(self.scenarios):
                raise ValueError(f"scenario index {scenario} outside 0..{len(self.scenarios) - 1}")
            return int(scenario)
        if scenario not in self.scenarios:
            raise ValueError(f"scenario {scenario!r} is not in the table; it has "
                             f"{list(self.scenarios)}")
        return self.scenarios.index(scenario)

    def metric_index(self, metric: str, kind: str = "outer") -> int:
        names = self.outer_names if kind == "outer" else self.inner_names
        if metric not in names:
            raise ValueError(f"no {kind} metric {metric!r}; the table has {list(names)}")
        return names.index(metric)

    # ----- lookups (vectorised; no checks beyond numpy's own in the hot path) ------------

    def inner_of(self, codes: Any, repeats: Any) -> np.ndarray:
        """``(n, n_inner)`` inner metrics of the cells ``(codes[i], repeats[i])``."""
        return self.inner[codes, repeats]  # type: ignore[no-any-return]

    def outer_of(self, codes: Any, scenario: int, phase: int, repeats: Any) -> np.ndarray:
        """``(n, n_outer)`` outer metrics in one scenario and phase (phase clipped to the last)."""
        return self.outer[codes, scenario, min(phase, self.n_phases - 1), repeats]  # type: ignore[no-any-return]

    def cost_of(self, codes: Any, repeats: Any) -> np.ndarray:
        return self.cost[codes, repeats]  # type: ignore[no-any-return]

    def mean_outer(self, metric: str = "reward") -> np.ndarray:
        """``(S, C, P)`` mean over the evaluated repeats of one outer metric (NaN if none)."""
        values = self.outer[..., self.metric_index(metric)]
        counts = np.isfinite(values).sum(axis=-1)
        sums = np.nansum(values, axis=-1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    def best(self, metric: str = "reward", scenario: str | int = 0,
             phase: int = 0) -> tuple[int, float]:
        """The code with the best mean ``metric`` over repeats, and that mean (for regret)."""
        means = self.mean_outer(metric)[:, self.scenario_index(scenario),
                                        min(phase, self.n_phases - 1)]
        if not np.isfinite(means).any():
            raise ValueError(f"no evaluated cell holds {metric!r} in this scenario and phase")
        code = int(np.nanargmax(means))
        return code, float(means[code])

    def range_of(self, metric: str, kind: str = "outer") -> tuple[float, float]:
        """Smallest and largest stored value of a metric: the natural scale for rewards."""
        i = self.metric_index(metric, kind)
        values = (self.outer if kind == "outer" else self.inner)[..., i]
        return float(values.min()), float(values.max())

    # ----- building --------------------------------------------------------------------------

    @classmethod
    def empty(cls, grid: Grid, scenarios: Sequence[str], n_phases: int, n_repeats: int,
              inner_names: Sequence[str], outer_names: Sequence[str],
              meta: Mapping[str, Any] | None = None) -> BenchmarkTable:
        s, c = grid.size, len(scenarios)
        return cls(grid, tuple(scenarios), n_phases, tuple(inner_names), tuple(outer_names),
                   np.full((s, n_repeats, len(inner_names)), np.nan, np.float32),
                   np.full((s, c, n_phases, n_repeats, len(outer_names)), np.nan, np.float32),
                   np.full((s, n_repeats), np.nan, np.float32),
                   np.zeros((s, n_repeats), bool), dict(meta or {}))

    def put(self, code: int, repeat: int, result: TrialResult) -> None:
        """Store one trial result; outer metrics named ``scenario.pPHASE.metric``."""
        inner = [result.inner.get(n, np.nan) for n in self.inner_names]
        self.inner[code, repeat] = inner
        for ci, scenario in enumerate(self.scenarios):
            for p in range(self.n_phases):
                prefix = f"{scenario}.p{p}."
                self.outer[code, ci, p, repeat] = [result.outer.get(prefix + n, np.nan)
                                                   for n in self.outer_names]
        self.cost[code, repeat] = result.cost_seconds
        self.filled[code, repeat] = True

    @classmethod
    def from_results(cls, grid: Grid, rows: Iterable[tuple[int, int, TrialResult]],
                     scenarios: Sequence[str], n_phases: int, n_repeats: int,
                     meta: Mapping[str, Any] | None = None) -> BenchmarkTable:
        """A table from ``(code, repeat, result)`` rows; metric names come from the results.

        Inner names are the union of the results' inner metrics; outer names are the metric
        part of ``scenario.pPHASE.metric`` keys.
        """
        rows = list(rows)
        inner_names = sorted({n for _, _, r in rows for n in r.inner})
        outer_names = sorted({k.split(".", 2)[2] for _, _, r in rows for k in r.outer
                              if k.count(".") >= 2})
        table = cls.empty(grid, scenarios, n_phases, n_repeats, inner_names, outer_names, meta)
        for code, repeat, result in rows:
            table.put(code, repeat, result)
        return table

    # ----- files -----------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write an ``.npz`` atomically (a temporary file renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"grid": self.grid.to_json(), "scenarios": list(self.scenarios),
                  "n_phases": self.n_phases, "inner_names": list(self.inner_names),
                  "outer_names": list(self.outer_names), "meta": self.meta, "format": 1}
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            np.savez_compressed(f, header=np.array(json.dumps(header, default=str)),
                                inner=self.inner, outer=self.outer, cost=self.cost,
                                filled=self.filled)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> BenchmarkTable:
        """Read a table written by :meth:`save`; a foreign file is a clear error."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no benchmark table at {path}; build one with "
                                    f"`python -m agentic_env.evaluator build --out {path}`")
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                arrays = {k: data[k] for k in ("inner", "outer", "cost", "filled")}
        except (KeyError, ValueError, OSError) as error:
            raise ValueError(f"{path} is not a benchmark table: {error}") from error
        if header.get("format") != 1:
            raise ValueError(f"{path} has table format {header.get('format')!r}; "
                             f"this version reads format 1")
        return cls(Grid.from_json(header["grid"]), tuple(header["scenarios"]),
                   int(header["n_phases"]), tuple(header["inner_names"]),
                   tuple(header["outer_names"]), meta=header["meta"], **arrays)

    @classmethod
    def bundled(cls) -> BenchmarkTable:
        """The table shipped with the package (bundled default data; see tables/README.md)."""
        return cls.load(BUNDLED)
