"""The command line: queries print readable tables, errors are one line with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore
from agentic_env.store.cli import main


@pytest.fixture
def db(sqlite_path: Path) -> Path:
    with KnowledgeStore.open(sqlite_path) as store:
        run = store.start_run("exp", seed=0, git_revision="r", package_versions={})
        for dim, value in ((8, 0.2), (16, 0.7)):
            config = {"dim": dim}
            key = EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 0)
            result = EvaluationResult(inner={"ndcg": value}, objective=value)
            store.record_evaluation(key, result, config=config, run_id=run)
        store.record_negative_case("ranker", "exploded gradients", run_id=run)
        store.record_reward(run, 3, "ranker", inner=0.5, outer=0.25, reward=0.4)
    return sqlite_path


def test_best(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(db), "best", "--agent", "ranker", "--metric", "inner.ndcg", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "{'dim': 16}" in out and "0.7" in out and "{'dim': 8}" not in out
    assert main([str(db), "best", "--agent", "ranker", "--minimize", "--top", "1"]) == 0
    assert "{'dim': 8}" in capsys.readouterr().out


def test_negatives_and_history(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(db), "negatives", "--agent", "ranker"]) == 0
    assert "exploded gradients" in capsys.readouterr().out
    assert main([str(db), "history", "--run", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("evaluation") == 2 and "negative_case" in out and "reward" in out


def test_export(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "evals.parquet"
    argv = [str(db), "export", "--table", "evaluations", "--format", "parquet", "--out", str(out)]
    assert main(argv) == 0
    assert f"wrote evaluations to {out}" in capsys.readouterr().out
    assert len(pd.read_parquet(out)) == 2


def test_errors_are_one_line(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.sqlite"), "negatives"]) == 2
    assert "no knowledge store at" in capsys.readouterr().err
    assert not (tmp_path / "absent.sqlite").exists()
    assert main([str(db), "history", "--run", "42"]) == 2
    assert capsys.readouterr().err.strip() == ("error: no run with id 42; start one with start_run")
    assert main([str(db), "best", "--agent", "ranker", "--metric", "inner."]) == 2
    assert "metric 'inner.' is not understood" in capsys.readouterr().err


def test_module_entry_point(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agentic_env.store", str(db), "best", "--agent", "ranker"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "{'dim': 16}" in done.stdout
