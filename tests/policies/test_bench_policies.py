"""Smoke test of the policy benchmark's functions on a tiny table (figures are not checked)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

from agentic_env.envs.synthetic import synthetic_table

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_policies.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_policies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_scores_and_plots(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    bench = load_script()
    table = synthetic_table(n_phases=1, scenarios=("stationary",))
    results = bench.measure(["random", "ppo"], table, seeds=2, budget=8, reserved=1,
                            store=store)
    for r in results.values():
        assert len(r["curves"]) == 2 and all(len(c.regret) == 8 for c in r["curves"])
        assert all(np.isfinite(c.regret).all() and (c.regret >= 0).all() for c in r["curves"])
    bench.report(results, table, budget=8)
    bench.plot(results, 8, tmp_path / "regret.png", "smoke")
    assert (tmp_path / "regret.png").stat().st_size > 0
    assert len(store.evaluations()) > 0  # search runs write evaluation rows


def test_failed_cells_score_the_worst_value() -> None:
    bench = load_script()
    table = synthetic_table(n_phases=1, scenarios=("stationary",))
    table.filled[5, :] = False
    table.outer[5] = np.nan
    filled, n = bench.fill_failed(table)
    assert n == table.n_repeats and filled.filled.all()
    means = filled.mean_outer("reward")[:, 0, 0]
    assert means[5] == means.min() and filled.best("reward")[0] != 5
