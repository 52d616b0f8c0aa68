"""The Optuna sweep driver: values within their ranges, one row per trial, best recorded."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from experiments.config import compose_config
from experiments.sweep import suggest, sweep


def test_sweep_runs_trials_and_records_the_best(tmp_path: Path) -> None:
    base = ["+experiment=smoke", "policy=bandit", "budget=6"]
    cfg = compose_config([*base, "+sweep.params={policy.kwargs.c: [0.1, 3.0], "
                                 "decomposition.name: [agentic, merged]}", "sweep.n_trials=2"])
    frame = sweep(cfg, tmp_path, base)
    assert len(frame) == 2
    assert frame["policy.kwargs.c"].between(0.1, 3.0).all()
    assert set(frame["decomposition.name"]) <= {"agentic", "merged"}
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["mean_anytime_regret"] == frame["mean_anytime_regret"].min()
    assert (tmp_path / "trial_1" / "seed_0" / "history.parquet").exists()


def test_suggest_kinds() -> None:
    trial = optuna.create_study().ask()
    assert isinstance(suggest(trial, "n", [1, 5]), int)
    assert isinstance(suggest(trial, "x", [0.5, 1]), float)
    assert suggest(trial, "c", ["a", "b", "c"]) in ("a", "b", "c")
    with pytest.raises(ValueError, match="is empty"):
        suggest(trial, "e", [])
