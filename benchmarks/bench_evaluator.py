"""Evaluator throughput: cached lookups, table lookups, surrogate predictions, table builds.

Figures printed (targets from issue 5: >= 50,000 cached lookups/s batched, >= 5,000 single):

- cached mode through the store (SQLite file), single and batched, cold (every key read from
  the database) and warm (the evaluator's in-memory memo of ``ok`` rows); best of a few runs;
- the in-memory :class:`BenchmarkTable` lookup, single and batched (an environment step);
- surrogate predictions per second (fit on the stored evaluations, then batches and singles);
- table-build throughput with 1 and 2 workers, with a synthetic trial costing fixed CPU time;
- optionally (``--real-cells N``) a build of N cells with the real :class:`PipelineTrial`.

    python benchmarks/bench_evaluator.py [--keys 2000] [--work 0.5] [--cells 24] [--real-cells 0]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agentic_env.evaluator import Evaluator, TrialResult
from agentic_env.evaluator.builder import build_table, select_cells
from agentic_env.evaluator.grid import Grid, GridKnob, default_grid
from agentic_env.evaluator.table import BenchmarkTable
from agentic_env.store import KnowledgeStore

N_INNER, SCENARIOS, PHASES, OUTER = 36, ("stationary", "trend_shift"), 2, 8


@dataclass(frozen=True)
class BusyTrial:
    """A picklable trial that burns ``work`` CPU seconds and returns table-shaped metrics."""

    work: float = 0.2

    def __call__(self, config: Mapping[str, Any], fidelity: float, seed: int,
                 context: Mapping[str, Any]) -> TrialResult:
        start = time.process_time()
        while time.process_time() < start + self.work:
            pass
        x = sum(float(v) if isinstance(v, int | float) else len(str(v)) for v in config.values())
        inner = {f"m{i}": math.sin(x + i + seed) for i in range(N_INNER)}
        outer = {f"{s}.p{p}.o{j}": math.cos(x * (j + 1) + p) for s in SCENARIOS
                 for p in range(PHASES) for j in range(OUTER)}
        return TrialResult(inner, outer, {}, time.process_time() - start)


def synthetic_grid() -> Grid:
    return Grid([GridKnob("a", tuple(range(30)), "ranking"), GridKnob("b", tuple(range(25)),
                 "retrieval"), GridKnob("c", ("x", "y", "z"), "reranking")])


def rate(count: int, work: Callable[[], object], repeat: int = 5) -> float:
    """Best of ``repeat`` timings (the shared machine's load only ever slows a run down)."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return count / best


def fill_store(store: KnowledgeStore, grid: Grid, n: int) -> list[dict[str, Any]]:
    """``n`` stored evaluations of grid configurations, as live mode would write them."""
    trial = BusyTrial(0.0)
    configs = [grid.config(c) for c in range(n)]
    evaluator = Evaluator(trial, store, dataset="bench", split="all", progress=False)
    for config in configs:
        result = trial(config, 1.0, 0, {}).to_result(0.0, None)
        store.record_evaluation(evaluator.key(config, 1.0, 0), result, config=config)
    return configs


def bench_cached(store: KnowledgeStore, configs: list[dict[str, Any]]) -> None:
    def fresh() -> Evaluator:
        return Evaluator(BusyTrial(0.0), store, dataset="bench", split="all", progress=False,
                         allow_live=False)

    n = len(configs)
    cold_single = rate(n, lambda: [e.evaluate([c], mode="cached")
                                   for e in [fresh()] for c in configs], repeat=3)
    one = fresh()
    warm_single = rate(n, lambda: [one.evaluate([c], mode="cached") for c in configs])
    cold_batch = rate(n, lambda: fresh().evaluate(configs, mode="cached"), repeat=3)
    batch = fresh()
    warm_batch = rate(n, lambda: batch.evaluate(configs, mode="cached"))
    key = one.key(configs[0], 1.0, 0)
    raw = rate(n, lambda: [store.get_evaluation(key) for _ in range(n)])
    print(f"cached mode, store-backed ({n} keys, {N_INNER} inner + "
          f"{len(SCENARIOS) * PHASES * OUTER} outer metrics each):")
    print(f"  single  cold {cold_single:>10,.0f}/s   warm (memo) {warm_single:>10,.0f}/s   "
          f"[store.get_evaluation alone {raw:,.0f}/s]")
    print(f"  batched cold {cold_batch:>10,.0f}/s   warm (memo) {warm_batch:>10,.0f}/s")


def bench_table(grid: Grid) -> None:
    rng = np.random.default_rng(0)
    table = BenchmarkTable.empty(grid, SCENARIOS, PHASES, 2, [f"m{i}" for i in range(N_INNER)],
                                 [f"o{j}" for j in range(OUTER)])
    table.inner[:] = rng.random(table.inner.shape)
    table.outer[:] = rng.random(table.outer.shape)
    table.filled[:] = True
    codes = rng.integers(0, grid.size, 200_000)
    reps = rng.integers(0, 2, codes.size)
    single = codes[:20_000].tolist()

    def singles() -> None:
        for c in single:
            table.inner_of(c, 0)
            table.outer_of(c, 1, 1, 0)

    def batched() -> None:
        for lo in range(0, codes.size, 10_000):
            table.inner_of(codes[lo:lo + 10_000], reps[lo:lo + 10_000])
            table.outer_of(codes[lo:lo + 10_000], 1, 1, reps[lo:lo + 10_000])

    print("BenchmarkTable in memory (inner + outer lookup per cell):")
    print(f"  single  {rate(len(single), singles):>12,.0f}/s   batched (10,000 per call) "
          f"{rate(codes.size, batched):>12,.0f}/s")


def bench_surrogate(store: KnowledgeStore, grid: Grid) -> None:
    evaluator = Evaluator(BusyTrial(0.0), store, dataset="bench", split="all", progress=False)
    start = time.perf_counter()
    model = evaluator.refit_surrogate()
    fit_s = time.perf_counter() - start
    unseen = [grid.config(c) for c in range(grid.size)]
    batched = rate(len(unseen), lambda: evaluator.evaluate(unseen, mode="surrogate"), 3)
    few = unseen[:200]
    single = rate(len(few), lambda: [evaluator.evaluate([c], mode="surrogate") for c in few], 3)
    print(f"surrogate (GP on {model.n_train} evaluations, {len(model.targets)} targets, fit "
          f"{fit_s:.2f} s): batched {batched:,.0f}/s   single {single:,.0f}/s")


def bench_build(work: float, n_cells: int) -> None:
    grid = synthetic_grid()
    cells = select_cells(grid, 1, limit=n_cells)

    def build(trial: BusyTrial, chosen: list[tuple[int, int]], workers: int) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            report = build_table(grid, trial, Path(tmp) / "k.sqlite", cells=chosen,
                                 workers=workers, dataset="bench", split="all",
                                 scenarios=SCENARIOS, n_phases=PHASES, progress=False)
        return report.wall_seconds

    print(f"table build, synthetic trial of {work:.2f} CPU s per cell, {n_cells} cells:")
    for workers in (1, 2):
        wall = build(BusyTrial(work), cells, workers)
        start_up = build(BusyTrial(0.0), cells[:workers], workers) if workers > 1 else 0.0
        print(f"  workers={workers}: {n_cells / wall:6.2f} cells/s ({wall:.1f} s wall); "
              f"without the pool start-up ({start_up:.1f} s): "
              f"{n_cells / max(wall - start_up, 1e-9):6.2f} cells/s")


def bench_real(n_cells: int, workers: int) -> None:
    from agentic_env.evaluator.pipeline_trial import PipelineTrial

    grid = default_grid()
    cells = select_cells(grid, 1, limit=n_cells)
    with tempfile.TemporaryDirectory() as tmp:
        report = build_table(grid, PipelineTrial(), Path(tmp) / "k.sqlite", cells=cells,
                             workers=workers, progress=False)
    table = report.table
    cost = float(np.nanmean(table.cost[table.filled]))
    print(f"real PipelineTrial build, {n_cells} cells, workers={workers}: {report}; "
          f"{report.wall_seconds / max(report.n_live, 1):.1f} s wall per cell, "
          f"{cost:.1f} CPU s per evaluation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=2000, help="stored evaluations")
    parser.add_argument("--work", type=float, default=0.5, help="CPU s per synthetic cell")
    parser.add_argument("--cells", type=int, default=24, help="synthetic cells per build")
    parser.add_argument("--real-cells", type=int, default=0, help="real PipelineTrial cells")
    parser.add_argument("--real-workers", type=int, default=1)
    args = parser.parse_args()
    grid = synthetic_grid()
    with tempfile.TemporaryDirectory() as tmp, KnowledgeStore.open(Path(tmp) / "k.sqlite") as s:
        configs = fill_store(s, grid, min(args.keys, grid.size))
        bench_cached(s, configs)
        bench_surrogate(s, grid)
    bench_table(default_grid())
    bench_build(args.work, args.cells)
    if args.real_cells:
        bench_real(args.real_cells, args.real_workers)


if __name__ == "__main__":
    main()
