"""Every entry point runs as a subprocess at a tiny budget; ``--multirun`` with joblib works."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.experiments.conftest import run_module


def test_multirun_with_joblib_runs_every_seed(smoke_multirun: Path) -> None:
    runs = sorted(p for p in smoke_multirun.iterdir() if p.is_dir() and p.name.isdigit())
    assert [p.name for p in runs] == ["0", "1"]
    seeds = []
    for run in runs:
        for name in ("history.parquet", "knowledge.sqlite", "report.md", "anytime.png",
                     "agents.png", "timeline.png", "templates.png", "summary.json"):
            assert (run / name).exists(), f"{run / name} missing"
        summary = json.loads((run / "summary.json").read_text())
        assert summary["steps"] == 24
        seeds.append(summary["seed"])
        assert (run / ".hydra" / "config.yaml").exists()
    assert seeds == [0, 1]
    first = pd.read_parquet(runs[0] / "history.parquet")
    assert not first.equals(pd.read_parquet(runs[1] / "history.parquet"))


def test_report_entry_point(smoke_multirun: Path) -> None:
    run = smoke_multirun / "0"
    (run / "report.md").unlink()
    done = run_module("experiments.report", str(run))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "## Anytime outer reward and regret" in (run / "report.md").read_text()


def test_evolve_rejects_a_misspelt_key() -> None:
    done = run_module("experiments.evolve", "+experiment=smoke", "policy.learning_rat=1")
    assert done.returncode != 0
    assert "learning_rat" in done.stderr


def test_ablate_entry_point(tmp_path: Path) -> None:
    done = run_module("experiments.ablate", "+experiment=ablation_reward", "pipeline=synthetic",
                      "logger=none", "budget=12", "ablation.seeds=[0,1]",
                      f"hydra.run.dir={tmp_path}")
    assert done.returncode == 0, done.stderr[-3000:]
    text = (tmp_path / "ablation.md").read_text()
    for variant in ("inner_only", "outer_only", "layered"):
        assert f"| {variant} | 2 |" in text
    assert "±" in text
    assert (tmp_path / "ablation_regret.png").exists()
    assert len(pd.read_csv(tmp_path / "ablation.csv")) == 6


def test_benchmark_entry_point(tmp_path: Path) -> None:
    done = run_module("experiments.benchmark", "pipeline=synthetic", "logger=none",
                      "benchmark.budget=10", "benchmark.seeds=[0]",
                      "benchmark.strategies=[random,bandit]", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 0, done.stderr[-3000:]
    text = (tmp_path / "benchmark.md").read_text()
    assert "NON-STANDARD" in text and "| random | 1 |" in text and "| bandit | 1 |" in text


def test_build_table_entry_point(tmp_path: Path) -> None:
    done = run_module("experiments.build_table", "build.limit=3", "build.quiet=true",
                      "build.trial=tests.experiments.tiny_trial:tiny_trial",
                      f"hydra.run.dir={tmp_path}")
    assert done.returncode == 0, done.stderr[-3000:]
    from agentic_env.evaluator.table import BenchmarkTable

    table = BenchmarkTable.load(tmp_path / "table.npz")
    assert int(table.filled.sum()) == 3
    assert table.scenarios == ("stationary", "trend_shift")
