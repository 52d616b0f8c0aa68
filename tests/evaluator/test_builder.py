"""The table builder: complete tables, resume after a dead worker, concurrent builders, CLI."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agentic_env.evaluator import WorkerLostError
from agentic_env.evaluator.builder import build_table, select_cells
from agentic_env.evaluator.cli import main
from agentic_env.evaluator.table import BenchmarkTable
from agentic_env.store import KnowledgeStore, config_hash
from tests.evaluator.synthetic import N_PHASES, SCENARIOS, SyntheticTrial, small_grid, truth

KEY = {"dataset": "toy", "split": "all", "progress": False}


def build(store: Any, trial: SyntheticTrial | None = None, **kwargs: Any) -> Any:
    return build_table(small_grid(), trial or SyntheticTrial(), store, **{**KEY, **kwargs})


def calls(log: Path) -> list[tuple[str, int]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [(h, int(s)) for h, s, _ in (line.split() for line in lines)]


def test_a_build_fills_every_cell_with_the_trial_results(tmp_path: Path) -> None:
    grid = small_grid()
    report = build(tmp_path / "k.sqlite", repeats=2, seed=5, out=tmp_path / "t.npz")
    table = BenchmarkTable.load(tmp_path / "t.npz")
    assert (report.n_cells, report.n_live, report.n_failed) == (12, 12, 0) and table.complete
    assert table.scenarios == SCENARIOS and table.n_phases == N_PHASES
    assert table.inner_names == ("ranking.auc", "recall")
    assert table.outer_names == ("ctr", "reward")
    for code in range(grid.size):
        for repeat in range(2):
            value = truth(grid.config(code), 1.0, 5 + repeat)
            assert table.inner_of([code], [repeat])[0, 1] == pytest.approx(value, rel=1e-6)
            shifted = table.outer_of([code], 1, 1, [repeat])[0, 1]
            assert shifted == pytest.approx(value * 1.1 + 0.05, rel=1e-6)
    assert table.meta["dataset"] == "toy" and table.meta["n_cells"] == 12
    again = build(tmp_path / "k.sqlite", repeats=2, seed=5)
    assert (again.n_cached, again.n_live) == (12, 0)
    np.testing.assert_array_equal(again.table.inner, table.inner)


def test_failed_cells_stay_missing_and_are_retried(tmp_path: Path) -> None:
    bad = SyntheticTrial(fail_knob="b", fail_value="y")
    report = build(tmp_path / "k.sqlite", bad)
    assert report.n_failed == 3 and sorted(report.table.missing()) == [(1, 0), (3, 0), (5, 0)]
    assert "synthetic failure" in report.failures[(1, 0)]
    fixed = build(tmp_path / "k.sqlite")
    assert (fixed.n_live, fixed.n_failed) == (3, 0) and fixed.table.complete


def test_resume_after_a_worker_is_killed_evaluates_only_what_is_missing(tmp_path: Path) -> None:
    store, log, marker = tmp_path / "k.sqlite", tmp_path / "calls.txt", tmp_path / "die"
    marker.touch()
    dying = SyntheticTrial(work_seconds=0.05, call_log=str(log), die_marker=str(marker),
                           die_knob="a", die_value=1.3)  # in the last cells of the build
    with pytest.raises(WorkerLostError):
        build(store, dying, repeats=2, workers=2)
    with KnowledgeStore.open(store) as opened:
        frame = opened.evaluations()
        done = {(h, int(s)) for h, s in frame[["config_hash", "seed"]].values}
    assert 0 < len(done) < 12  # the other worker's results, not the dead worker's cell
    before = len(calls(log))
    report = build(store, SyntheticTrial(call_log=str(log)), repeats=2)
    rerun = calls(log)[before:]
    grid = small_grid()
    every = {(config_hash(grid.config(c)), r) for c in range(grid.size) for r in range(2)}
    assert sorted(rerun) == sorted(every - done)  # each missing cell once, nothing else
    assert report.n_live == 12 - len(done) and report.table.complete


def _build_in_process(target: str, out: str) -> None:
    report = build(target, repeats=2, out=out)
    assert report.table.complete


@pytest.mark.parametrize("target", ["sqlite", "postgresql"], indirect=True)
def test_eight_concurrent_builders_store_each_cell_once(target: str, tmp_path: Path) -> None:
    fork = multiprocessing.get_context("fork")  # cheap start; each child opens its own store
    outs = [str(tmp_path / f"t{i}.npz") for i in range(8)]
    procs = [fork.Process(target=_build_in_process, args=(target, out)) for out in outs]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0] * 8
    with KnowledgeStore.open(target) as store:
        rows = store.evaluations()
    assert len(rows) == 12 and not rows.duplicated(["config_hash", "seed"]).any()
    tables = [BenchmarkTable.load(out) for out in outs]
    for table in tables[1:]:
        np.testing.assert_array_equal(table.inner, tables[0].inner)
        np.testing.assert_array_equal(table.outer, tables[0].outer)


def test_select_cells_samples_codes_reproducibly() -> None:
    grid = small_grid()
    assert len(select_cells(grid, 2)) == 12
    sample = select_cells(grid, 2, limit=3, sample_seed=1)
    assert sample == select_cells(grid, 2, limit=3, sample_seed=1)
    assert len(sample) == 6 and len({c for c, _ in sample}) == 3
    assert set(sample) < set(select_cells(grid, 2, limit=4, sample_seed=1))  # nested
    with pytest.raises(ValueError, match="repeats=0"):
        select_cells(grid, 0)


def test_cli_builds_and_resumes_a_sampled_table(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    grid_file = tmp_path / "grid.json"
    grid_file.write_text(small_grid().to_json())
    args = ["build", "--out", str(tmp_path / "t.npz"), "--store",
            f"sqlite:///{tmp_path / 'k.sqlite'}", "--trial",
            "tests.evaluator.synthetic:small_trial", "--grid", str(grid_file), "--repeats", "2",
            "--limit", "3", "--quiet"]
    assert main(args) == 0
    assert "6 evaluated live" in capsys.readouterr().out
    table = BenchmarkTable.load(tmp_path / "t.npz")
    assert int(table.filled.sum()) == 6 and len(table.missing()) == 6
    assert main([*args[:-3], "--limit", "4", "--quiet"]) == 0
    assert "2 evaluated live" in capsys.readouterr().out
