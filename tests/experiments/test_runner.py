"""The table co-evolution loop: determinism, regret, drift handling, evolution granularity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from experiments.config import compose_config, to_plain
from experiments.evolve import run
from experiments.history import HistoryWriter
from experiments.protocol import STANDARD, Strategy
from experiments.runner import TableRun, composition_mask
from experiments.stats import format_ci, mean_ci
from experiments.strategies import STRATEGIES, make_strategy
from experiments.synthetic import SyntheticTable

TABLE = SyntheticTable(n_values=2)


def config(*overrides: str) -> dict[str, Any]:
    return to_plain(compose_config(["+experiment=smoke", "budget=30", *overrides]))


def history(*overrides: str, table: Any = TABLE) -> pd.DataFrame:
    cfg = config(*overrides)
    writer = HistoryWriter()
    policy = cfg["policy"]
    TableRun(table, cfg, lambda: make_strategy(policy["name"], **policy["kwargs"])).run(writer)
    return writer.frame()


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    first, again = history("seed=3"), history("seed=3")
    pd.testing.assert_frame_equal(first, again)
    assert not first["config_code"].equals(history("seed=4")["config_code"])


def test_regret_is_against_the_best_of_the_phase() -> None:
    frame = history("policy=grid", "decomposition=monolithic", "evolution=individual",
                    "scenario=stationary")
    system = frame[(frame["agent"] == "system") & (frame["event"] == "")]
    assert (system["regret"] >= -1e-6).all()
    best = TABLE.outer[:, 0, :, 0, 0].max(axis=0)  # scenario 0, repeat 0 (seed 0), "reward"
    phases = system["phase"].to_numpy()
    np.testing.assert_allclose(system["regret"] + system["outer"], best[phases], rtol=1e-5)


def test_drift_is_logged_once_at_the_phase_boundary() -> None:
    frame = history("budget=30")
    drift = frame[frame["event"] == "drift"]
    assert drift["step"].tolist() == [15]
    assert set(frame.loc[frame["step"] < 15, "phase"]) == {0}


@pytest.mark.parametrize("mode", ["individual", "compositional"])
def test_evolution_mode_restricts_the_knobs(mode: str) -> None:
    frame = history(f"evolution={mode}")
    codes = frame.loc[(frame["agent"] == "system") & (frame["event"] == ""), "config_code"]
    indices = TABLE.grid.decode(codes.to_numpy())
    frozen = composition_mask(TABLE.grid) if mode == "individual" else \
        ~composition_mask(TABLE.grid)
    assert (indices[:, frozen] == 0).all()  # never moved from the start
    assert (indices[:, ~frozen] != 0).any()


def test_decompositions_give_their_agents() -> None:
    def agents(name: str) -> set[str]:
        frame = history(f"decomposition={name}")
        return set(frame.loc[frame["event"] == "", "agent"]) - {"system"}

    assert agents("monolithic") == {"pipeline"}
    assert agents("agentic") == {"retrieval", "fusion", "ranking", "reranking", "router"}
    assert agents("lifecycle") == {"auto_feature", "auto_train", "auto_perf"}


def test_reward_modes_weigh_the_layers() -> None:
    inner = history("reward=inner_only")
    rows = inner[inner["agent"] == "ranking"]
    cost = inner[(inner["agent"] == "system") & (inner["event"] == "")]["cost"].to_numpy()
    expected = rows["inner"].to_numpy() - 0.1 * cost / TABLE.cost.max()  # no outer term
    np.testing.assert_allclose(rows["reward"], expected, rtol=1e-5)
    outer = history("reward=outer_only")
    rank = outer[outer["agent"] == "ranking"]["reward"].to_numpy()
    rout = outer[outer["agent"] == "router"]["reward"].to_numpy()
    np.testing.assert_allclose(rank, rout)  # same outer term, no inner term


def test_unknown_scenario_and_policy_fail_clearly() -> None:
    with pytest.raises(ValueError, match="not in the table"):
        TableRun(TABLE, config("scenario=objective_shift"), lambda: make_strategy("random"))
    with pytest.raises(ValueError, match="no table strategy"):
        make_strategy("ppoo")


class FirstValue(Strategy):
    """Always the first value: a plug-in strategy for the test (``MODULE:NAME``)."""

    def ask(self) -> np.ndarray:
        return np.zeros(len(self.radices), dtype=np.int64)

    def tell(self, indices: np.ndarray, reward: float) -> None:
        return None


def test_a_plugged_in_strategy_runs(tmp_path: Path) -> None:
    cfg = compose_config(["+experiment=smoke", "budget=10", "report=false",
                          f"policy.name={__name__}:FirstValue"])
    result = run(cfg, tmp_path)
    assert result["steps"] == 10
    frame = pd.read_parquet(tmp_path / "history.parquet")
    assert set(frame.loc[frame["event"] == "", "config_code"]) == {0}


def test_evolve_records_run_and_history(tmp_path: Path) -> None:
    result = run(compose_config(["+experiment=smoke", "budget=12", "report=false"]), tmp_path)
    assert (tmp_path / "history.parquet").exists() and (tmp_path / "summary.json").exists()
    from agentic_env.store import KnowledgeStore

    with KnowledgeStore.open(tmp_path / "knowledge.sqlite", create=False) as store:
        info = store.get_run(result["run_id"])
        assert info.seed == 0 and info.config["policy"]["name"] == "random"
        assert info.status == "finished"
        assert len(store.run_history(result["run_id"])) >= 12


def test_builtin_strategies_cover_the_search_policies() -> None:
    assert set(STRATEGIES) == {"random", "grid", "tpe", "cmaes", "evolution", "bandit"}
    assert STANDARD.budget > 0 and len(STANDARD.seeds) >= 3


def test_mean_ci_is_the_t_interval() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    mean, half = mean_ci(x)
    assert mean == 2.5
    assert half == pytest.approx(st.t.ppf(0.975, 3) * x.std(ddof=1) / 2)
    assert np.isnan(mean_ci([1.0])[1]) and format_ci(*mean_ci([1.0])) == "1.000"


def test_runs_on_a_real_benchmark_table(tmp_path: Path) -> None:
    """The runner reads the evaluator's BenchmarkTable and Grid, saved and loaded from disk."""
    from agentic_env.evaluator.grid import Grid, GridKnob
    from agentic_env.evaluator.table import BenchmarkTable
    from tests.experiments.tiny_trial import tiny_trial

    grid = Grid([GridKnob("ranking.arch", ("fm", "dcn"), "ranking", ("model",)),
                 GridKnob("fusion.weight.recall_0", (0.0, 1.0), "fusion", ("composition",)),
                 GridKnob("recall_1.mf.dim", (16, 64), "recall_1", ("model",))])
    rows = [(code, r, tiny_trial(grid.config(code), 1.0, r, {}))
            for code in range(grid.size) for r in range(2)]
    table = BenchmarkTable.from_results(grid, rows, ("stationary", "trend_shift"), 2, 2)
    path = table.save(tmp_path / "t.npz")
    cfg = compose_config(["budget=16", "logger=none", "report=false", "progress=false",
                          f"pipeline.table={path}", "policy=grid"])
    result = run(cfg, tmp_path / "run")
    assert result["steps"] == 16 and result["agents"] == 3
    assert result["final_regret"] >= 0


def test_failed_table_cells_score_below_every_real_one(tmp_path: Path) -> None:
    table = SyntheticTable(n_values=2)
    bad = table.grid.decode(np.arange(table.grid.size))[:, 0] == 1  # failed when built
    table.outer[bad] = np.nan
    table.filled[bad] = False
    frame = history("policy=grid", "decomposition=monolithic", "evolution=individual",
                    table=table)
    system = frame[(frame["agent"] == "system") & (frame["event"] == "")]
    failed = pd.Series(bad[system["config_code"].to_numpy()], index=system.index)
    assert failed.any() and system.loc[failed, "outer"].isna().all()
    agent = frame[(frame["agent"] == "pipeline") & (frame["event"] == "")]
    assert agent.loc[failed.to_numpy(), "reward"].max() < agent.loc[~failed.to_numpy(),
                                                                    "reward"].min()
