"""Command line: ``python -m agentic_env.evaluator build --out PATH --store URL ...``.

Builds (or resumes) a benchmark table over a grid with the live evaluator and saves it as
``.npz``. The default trial is the real pipeline trial on the bundled dataset; ``--trial
module:name`` plugs in any picklable trial (an instance, or a zero-argument factory).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentic_env.evaluator.builder import build_table, select_cells
from agentic_env.evaluator.execution import EXECUTORS
from agentic_env.evaluator.grid import Grid, default_grid


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m agentic_env.evaluator",
                                   description="Benchmark tables of the evaluator.")
    commands = main.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="evaluate a grid's cells and save the table; "
                                "rerun the same command to resume")
    build.add_argument("--out", required=True, type=Path, help="table file to write (.npz)")
    build.add_argument("--store", required=True,
                       help="knowledge store: a path or URL (sqlite:///F, postgresql://...)")
    build.add_argument("--workers", type=int, default=1, help="parallel live evaluations")
    build.add_argument("--executor", choices=EXECUTORS, default="process")
    build.add_argument("--repeats", type=int, default=1, help="seeds per configuration")
    build.add_argument("--seed", type=int, default=0, help="seed of repeat 0")
    build.add_argument("--limit", type=int, default=None,
                       help="evaluate a seeded sample of this many grid codes")
    build.add_argument("--sample-seed", type=int, default=0)
    build.add_argument("--fidelity", type=float, default=1.0, help="in (0, 1]")
    build.add_argument("--grid", type=Path, default=None,
                       help="grid JSON (Grid.to_json); default: the bundled table's grid")
    build.add_argument("--trial", default=None,
                       help="MODULE:NAME of a trial or trial factory; default: PipelineTrial")
    build.add_argument("--dataset", default="movielens-latest-small",
                       help="dataset of the pipeline trial; the key's dataset for other trials")
    build.add_argument("--split", default="default",
                       help="the key's split for trials without a split_name")
    build.add_argument("--scenarios", default="stationary,trend_shift",
                       help="comma-separated simulator scenarios (pipeline trial)")
    build.add_argument("--phases", type=int, default=2, help="phases per scenario")
    build.add_argument("--days-per-phase", type=int, default=2)
    build.add_argument("--sim-users", type=int, default=200, help="visitors per simulated day")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    return main


def load_trial(args: argparse.Namespace) -> Any:
    """The trial named by ``--trial``, or the pipeline trial built from the other options."""
    if args.trial is None:
        from agentic_env.evaluator.pipeline_trial import PipelineTrial, SimProtocol

        protocol = SimProtocol(tuple(args.scenarios.split(",")), args.phases,
                               args.days_per_phase, args.sim_users)
        return PipelineTrial(dataset=args.dataset, protocol=protocol)
    module, _, name = args.trial.partition(":")
    if not name:
        raise SystemExit(f"--trial {args.trial!r}: expected MODULE:NAME")
    value = getattr(importlib.import_module(module), name)
    code = getattr(value, "__code__", None)  # a function of no arguments is a factory
    is_factory = isinstance(value, type) or (code is not None and code.co_argcount == 0)
    return value() if is_factory else value


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    grid = Grid.from_json(args.grid.read_text()) if args.grid else default_grid()
    trial = load_trial(args)
    cells = select_cells(grid, args.repeats, limit=args.limit, sample_seed=args.sample_seed)
    dataset = getattr(trial, "dataset", args.dataset)
    split = getattr(trial, "split_name", args.split)
    report = build_table(grid, trial, args.store, repeats=args.repeats, cells=cells,
                         fidelity=args.fidelity, seed=args.seed, workers=args.workers,
                         executor=args.executor, dataset=dataset, split=split,
                         progress=not args.quiet, out=args.out)
    table = report.table
    print(f"{report}; table {args.out}: {int(table.filled.sum())}/{table.filled.size} cells "
          f"filled, {len(table.inner_names)} inner and {len(table.outer_names)} outer metrics")
    for (code, repeat), error in list(report.failures.items())[:5]:
        print(f"failed cell ({code}, {repeat}): {error.splitlines()[0]}", file=sys.stderr)
    return 0 if report.n_failed == 0 else 1
