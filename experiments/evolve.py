"""The main job: co-evolve the pipeline's agents, then write the history, report and plots.

    python -m experiments.evolve                                  # embedded default
    python -m experiments.evolve +experiment=smoke                # seconds, synthetic table
    python -m experiments.evolve decomposition=lifecycle reward=outer_only seed=3
    python -m experiments.evolve --multirun hydra/launcher=local_joblib seed=0,1,2

Writes into the Hydra run directory: ``history.parquet`` (format: :mod:`experiments.history`),
``knowledge.sqlite`` (unless ``store.url`` points elsewhere), ``summary.json``, ``report.md``
with its PNGs, and ``wandb/`` (offline unless ``logger.mode=online``). The same config and seed
give the same numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.config import check_config, to_plain
from experiments.coordinated import needs_coordinator, run_coordinated
from experiments.history import ACTED, SYSTEM, HistoryWriter, write_history
from experiments.protocol import TableLike
from experiments.report import build_report, summary
from experiments.runner import TableRun
from experiments.schema import register
from experiments.strategies import make_strategy
from experiments.synthetic import SyntheticTable
from experiments.tracking import open_tracker

register()


def load_table(config: Mapping[str, Any]) -> TableLike:
    """The benchmark table the run reads: the shipped one, a saved one, or a synthetic one."""
    pipeline, scenario = config["pipeline"], config["scenario"]
    if pipeline["mode"] == "synthetic":
        names = tuple(dict.fromkeys(("stationary", scenario["name"])))
        return SyntheticTable(pipeline["synthetic_values"], names, scenario["n_phases"])
    if pipeline["mode"] == "live":
        raise NotImplementedError(
            "pipeline=live runs through the Gymnasium environments (agentic_env.envs), "
            "which this job does not drive yet; use pipeline=table or pipeline=synthetic"
        )
    try:
        from agentic_env.evaluator.table import BenchmarkTable
    except ImportError as error:
        raise RuntimeError(
            f"the benchmark table module is not available ({error}); use pipeline=synthetic"
        ) from error
    if pipeline["table"]:
        return BenchmarkTable.load(pipeline["table"])
    from agentic_env.evaluator.table import BUNDLED

    if not BUNDLED.exists():
        raise FileNotFoundError(f"the shipped benchmark table {BUNDLED} is missing; build one "
                                "(python -m experiments.build_table) and pass "
                                "pipeline.table=PATH, or use pipeline=synthetic")
    return BenchmarkTable.bundled()


def open_store(config: Mapping[str, Any], run_dir: Path) -> Any:
    from agentic_env.store import KnowledgeStore, default_path

    return KnowledgeStore.open(config["store"]["url"] or default_path(run_dir))


def run(cfg: DictConfig, run_dir: str | Path) -> dict[str, Any]:
    """One seeded run of ``cfg`` writing into ``run_dir``; returns the run's summary."""
    check_config(cfg)  # keys forced in with "+" (a misspelt "+policy.lr=...") fail here
    root = Path(run_dir)
    root.mkdir(parents=True, exist_ok=True)
    config = to_plain(cfg)
    table = load_table(config)
    if needs_coordinator(config):
        store = open_store(config, root)
        try:
            history, run_id = run_coordinated(config, table, store)
        finally:
            store.close()
    else:
        writer = HistoryWriter()
        TableRun(table, config, partial(make_strategy, config["policy"]["name"],
                                        **config["policy"]["kwargs"])).run(
            writer, progress=bool(config["progress"]))
        history, run_id = writer.frame(), None
    tracker = open_tracker(config, root, f"{config['name']}-s{config['seed']}")
    write_history(history, root)
    result: dict[str, Any] = {**summary(history), "seed": config["seed"]}
    result["run_id"] = run_id if run_id is not None else _record(config, root, history)
    _track(tracker, history, result)
    (root / "summary.json").write_text(json.dumps(result, indent=2, default=float) + "\n")
    if config["report"]:
        build_report(root, title=f"{config['name']} (seed {config['seed']})")
    return result


def _record(config: Mapping[str, Any], root: Path, history: Any) -> int:
    """The run, its rewards and its drift events in the knowledge store; the run's id."""
    store = open_store(config, root)
    try:
        run_id = store.start_run(config["store"]["experiment"], seed=int(config["seed"]),
                                 config=config)
        for row in history.itertuples(index=False):
            if row.event == "drift":
                store.record_scenario_event(run_id, row.step, config["scenario"]["name"],
                                            "shift", {"detail": row.detail})
            elif row.event == "" and row.detail == ACTED and math.isfinite(row.outer):
                store.record_reward(run_id, row.step, row.agent, inner=row.inner,
                                    outer=row.outer, reward=row.reward)
            elif row.event == "" and row.detail == ACTED:  # the table holds no result
                store.record_negative_case(row.agent, "evaluation failed in the table",
                                           run_id=run_id, details={"step": int(row.step)})
        store.finish_run(run_id)
    finally:
        store.close()
    return int(run_id)


def _track(tracker: Any, history: Any, result: Mapping[str, Any]) -> None:
    rows = history[(history["agent"] == SYSTEM) & (history["event"] == "")]
    try:
        for row in rows.itertuples(index=False):
            tracker.log({"outer": row.outer, "regret": row.regret, "cost": row.cost}, row.step)
        tracker.summary(result)
    finally:
        tracker.finish()


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> float:
    """Hydra entry point; returns the mean anytime regret (lower is better) for sweepers."""
    result = run(cfg, HydraConfig.get().runtime.output_dir)
    print(json.dumps({k: result[k] for k in ("final_outer", "final_regret", "steps")}))
    return float(result["mean_anytime_regret"])


if __name__ == "__main__":
    main()
