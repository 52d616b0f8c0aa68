"""Building a benchmark table: evaluate the cells of a grid live, then export dense arrays.

A cell is a (grid code, repeat) pair; repeat ``r`` is evaluated with seed ``seed + r``. The build
is the evaluator's cached mode with live fall-through over every cell: what the store already
holds (``ok``) is read, everything else (missing or ``failed``) is evaluated, in parallel, and
recorded as it completes. A build that was killed (a worker, or the whole process) therefore
resumes by running the same command again, and several builders may share one store: the store's
unique key keeps exactly one row per cell. Cells whose trial failed stay unfilled in the table
(:meth:`BenchmarkTable.missing`) and are retried by the next build.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from agentic_env.evaluator.evaluation import Evaluation
from agentic_env.evaluator.evaluator import Evaluator
from agentic_env.evaluator.grid import Grid
from agentic_env.evaluator.table import BenchmarkTable
from agentic_env.evaluator.trial import Trial, TrialResult
from agentic_env.store import KnowledgeStore
from agentic_env.store.provenance import git_revision, package_versions

Cell = tuple[int, int]


@dataclass(frozen=True)
class BuildReport:
    """What a build did: the table, and how many cells were read, evaluated and failed."""

    table: BenchmarkTable
    n_cells: int
    n_cached: int
    n_live: int
    n_failed: int
    wall_seconds: float
    failures: Mapping[Cell, str]

    def __str__(self) -> str:
        return (f"{self.n_cells} cells: {self.n_cached} from the store, {self.n_live} evaluated "
                f"live, {self.n_failed} failed; {self.wall_seconds:.1f} s")


def select_cells(grid: Grid, repeats: int, *, limit: int | None = None,
                 codes: Sequence[int] | None = None, sample_seed: int = 0) -> list[Cell]:
    """Cells to evaluate: ``codes`` (default all), or a seeded sample of ``limit`` of them.

    Samples are nested: with one ``sample_seed``, ``limit=8`` holds the codes of ``limit=4``.
    """
    if repeats < 1:
        raise ValueError(f"repeats={repeats}; expected an integer >= 1")
    chosen = np.arange(grid.size) if codes is None else np.asarray(codes, np.int64)
    if chosen.size and (chosen.min() < 0 or chosen.max() >= grid.size):
        raise ValueError(f"codes must lie in 0..{grid.size - 1}")
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit={limit}; expected an integer >= 1")
        if limit < chosen.size:
            # a permutation prefix: a larger limit extends a smaller one's sample (resumable)
            chosen = np.sort(np.random.default_rng(sample_seed).permutation(chosen)[:limit])
    return [(int(c), r) for c in chosen for r in range(repeats)]


def build_table(
    grid: Grid,
    trial: Trial,
    store: KnowledgeStore | str | Path,
    *,
    repeats: int = 1,
    cells: Sequence[Cell] | None = None,
    fidelity: float = 1.0,
    seed: int = 0,
    workers: int = 1,
    executor: str = "process",
    agent: str = "pipeline",
    dataset: str | None = None,
    split: str | None = None,
    scenarios: Sequence[str] | None = None,
    n_phases: int | None = None,
    objective: str | None = None,
    progress: bool = True,
    out: str | Path | None = None,
) -> BuildReport:
    """Evaluate ``cells`` (default: every cell of ``grid`` x ``repeats``) and make the table.

    ``scenarios`` and ``n_phases`` default to the trial's ``protocol`` (the pipeline trial has
    one), else to what the results' ``scenario.pPHASE.metric`` names show. When ``out`` is
    given the table is saved there. See the module docstring for resume and sharing.
    """
    wanted = list(cells) if cells is not None else select_cells(grid, repeats)
    if any(r < 0 or r >= repeats for _, r in wanted):
        raise ValueError(f"cell repeats must lie in 0..{repeats - 1}")
    start = time.perf_counter()
    with Evaluator(trial, store, agent=agent, dataset=dataset, split=split, workers=workers,
                   executor=executor, progress=progress, objective=objective) as evaluator:
        configs = [grid.config(code) for code, _ in wanted]
        seeds = [seed + r for _, r in wanted]
        evaluations = evaluator.evaluate(configs, fidelity, seeds, "cached", allow_live=True)
        meta = _meta(evaluator, grid, fidelity, seed, workers, executor, len(wanted))
    rows, failures = [], {}
    for cell, evaluation in zip(wanted, evaluations, strict=True):
        if evaluation.ok:
            rows.append((*cell, _trial_result(evaluation)))
        else:
            failures[cell] = evaluation.result.error or "failed"
    names = _scenarios(trial, scenarios, n_phases, rows)
    table = BenchmarkTable.from_results(grid, rows, names[0], names[1], repeats, meta)
    if out is not None:
        table.save(out)
    n_live = sum(e.source == "live" for e in evaluations)
    return BuildReport(table, len(wanted), len(wanted) - n_live, n_live, len(failures),
                       time.perf_counter() - start, failures)


def _trial_result(evaluation: Evaluation) -> TrialResult:
    result = evaluation.result
    return TrialResult(result.inner, result.outer, result.segments, result.cost_seconds)


def _scenarios(trial: Trial, scenarios: Sequence[str] | None, n_phases: int | None,
               rows: Sequence[tuple[int, int, TrialResult]]) -> tuple[tuple[str, ...], int]:
    protocol = getattr(trial, "protocol", None)
    if scenarios is None and protocol is not None:
        scenarios = tuple(protocol.scenarios)
    if n_phases is None and protocol is not None:
        n_phases = int(protocol.n_phases)
    seen = [key.split(".", 2) for _, _, r in rows for key in r.outer if key.count(".") >= 2]
    if scenarios is None:
        scenarios = tuple(dict.fromkeys(parts[0] for parts in seen))
    if n_phases is None:
        phases = [int(p[1][1:]) for p in seen if p[1][:1] == "p" and p[1][1:].isdigit()]
        n_phases = max(phases, default=0) + 1
    if not scenarios:
        raise ValueError("no scenario to tabulate: pass scenarios=, or use a trial whose outer "
                         "metrics are named scenario.pPHASE.metric")
    return tuple(scenarios), n_phases


def _meta(evaluator: Evaluator, grid: Grid, fidelity: float, seed: int, workers: int,
          executor: str, n_cells: int) -> dict[str, Any]:
    return {
        "dataset": evaluator.dataset, "split": evaluator.split, "agent": evaluator.agent,
        "fidelity": fidelity, "seed": seed, "repeat_seeds": "seed + repeat",
        "trial": repr(evaluator.trial), "n_cells": n_cells, "grid_size": grid.size,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "built_with": {"workers": workers, "executor": executor, "store": evaluator.store.where,
                       "python": platform.python_version(), "machine": platform.machine()},
        "git_revision": git_revision(), "versions": package_versions(),
    }


def cells_per_hour(report: BuildReport) -> float:
    """Live-evaluation throughput of a build (cells per wall-clock hour; inf when none ran)."""
    if report.n_live == 0 or report.wall_seconds <= 0:
        return math.inf
    return 3600.0 * report.n_live / report.wall_seconds
