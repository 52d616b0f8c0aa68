"""Grid codes and the benchmark table's arrays, files and lookups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agentic_env.evaluator.grid import DEFAULT_SPEC, Grid, GridKnob, default_grid
from agentic_env.evaluator.table import BenchmarkTable
from agentic_env.evaluator.trial import TrialResult


def small_grid() -> Grid:
    return Grid([GridKnob("a.x", (1, 2, 3), "a", ("model",)),
                 GridKnob("b.y", ("u", "v"), "b", ("serving",))], {"c.z": 0.5})


def test_codes_round_trip_and_number_every_point_once() -> None:
    grid = small_grid()
    indices = grid.decode(np.arange(grid.size))
    assert grid.size == 6
    assert len({tuple(i) for i in indices}) == 6
    assert np.array_equal(grid.encode(indices), np.arange(6))
    assert grid.config(5) == {"c.z": 0.5, "a.x": 3, "b.y": "v"}
    assert grid.code_of({"a.x": 2, "b.y": "u"}) == 2


def test_off_grid_values_and_indices_are_named() -> None:
    grid = small_grid()
    with pytest.raises(ValueError, match=r"a.x=4 is not on the grid; grid values: \[1, 2, 3\]"):
        grid.code_of({"a.x": 4, "b.y": "u"})
    with pytest.raises(ValueError, match=r"out of range for 'b\.y'"):
        grid.encode([0, 2])
    with pytest.raises(ValueError, match=r"codes must lie in 0\.\.5"):
        grid.decode(6)


def test_select_by_owner_and_role_and_json_round_trip() -> None:
    grid = small_grid()
    assert grid.select(owner="b") == [1]
    assert grid.select(role="model") == [0]
    assert Grid.from_json(grid.to_json()) == grid


def test_default_grid_holds_only_valid_pipeline_configs() -> None:
    from agentic_env.pipeline import Pipeline

    grid = default_grid()
    assert grid.names == tuple(DEFAULT_SPEC)
    space = Pipeline().space
    for code in (0, grid.size // 2, grid.size - 1):
        config = grid.config(code)
        full = space.validate(config)
        assert {n: full[n] for n in config} == config
        assert grid.code_of(full) == code
    assert set(grid.owners) == {"recall_1", "ranking", "fusion", "reranking", "router"}


def _result(code: int, repeat: int) -> TrialResult:
    outer = {f"{s}.p{p}.reward": code + 10 * p + 100 * i + repeat
             for i, s in enumerate(("calm", "shift")) for p in range(2)}
    return TrialResult({"recall": code / 10}, outer, {}, cost_seconds=1.0 + repeat)


def test_table_from_results_indexes_by_code_scenario_phase_and_repeat(tmp_path: Path) -> None:
    grid = small_grid()
    rows = [(c, r, _result(c, r)) for c in range(grid.size) for r in range(2)]
    table = BenchmarkTable.from_results(grid, rows, ("calm", "shift"), 2, 2, {"dataset": "toy"})
    assert table.complete and table.outer_names == ("reward",)
    assert table.outer_of([3], table.scenario_index("shift"), 1, [1])[0, 0] == 3 + 10 + 100 + 1
    assert table.inner_of(np.array([4]), np.array([0]))[0, 0] == pytest.approx(0.4)
    assert table.best("reward", "calm", 0) == (5, 5.5)
    loaded = BenchmarkTable.load(table.save(tmp_path / "t.npz"))
    assert loaded.grid == grid and loaded.meta == {"dataset": "toy"}
    assert np.array_equal(loaded.outer, table.outer)


def test_missing_cells_and_foreign_files_are_reported(tmp_path: Path) -> None:
    grid = small_grid()
    table = BenchmarkTable.from_results(grid, [(0, 0, _result(0, 0))], ("calm", "shift"), 2, 1)
    assert len(table.missing()) == grid.size - 1 and (0, 0) not in table.missing()
    assert table.best("reward", "shift", 1) == (0, 110.0)  # unevaluated cells are not "best"
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, something=np.zeros(3))
    with pytest.raises(ValueError, match="is not a benchmark table"):
        BenchmarkTable.load(foreign)
    with pytest.raises(FileNotFoundError, match="build one with"):
        BenchmarkTable.load(tmp_path / "absent.npz")
    with pytest.raises(ValueError, match="scenario 'storm' is not in the table"):
        table.scenario_index("storm")
