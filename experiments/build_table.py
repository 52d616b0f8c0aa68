"""Build (or resume) a benchmark table with the evaluator's builder, configured by Hydra.

    python -m experiments.build_table build.limit=20                 # a seeded sample of codes
    python -m experiments.build_table build.workers=8 build.repeats=3 store=postgres
    python -m experiments.build_table --multirun hydra/launcher=slurm build.repeats=1 seed=0,1,2

The composed config is translated into the arguments of ``python -m agentic_env.evaluator
build`` (dataset, scenarios, phases, days per phase, visitors, fidelity, seed, and the
``build`` group); rerunning the same command resumes from the knowledge store.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.config import to_plain
from experiments.schema import register

register()


def builder_args(config: Mapping[str, Any], run_dir: Path) -> list[str]:
    """The builder CLI's arguments for ``config`` (see ``python -m agentic_env.evaluator``)."""
    build = config["build"]
    store = build["store"] or config["store"]["url"] or str(run_dir / "knowledge.sqlite")
    args = [
        "build", "--out", build["out"] or str(run_dir / "table.npz"), "--store", store,
        "--workers", str(build["workers"]), "--executor", build["executor"],
        "--repeats", str(build["repeats"]), "--seed", str(config["seed"]),
        "--fidelity", str(config["pipeline"]["fidelity"]),
        "--dataset", config["dataset"]["name"], "--scenarios", ",".join(build["scenarios"]),
        "--phases", str(config["scenario"]["n_phases"]),
        "--days-per-phase", str(config["simulator"]["days_per_phase"]),
    ]  # fmt: skip
    if config["simulator"]["n_users"] is not None:
        args += ["--sim-users", str(config["simulator"]["n_users"])]
    for flag, key in (("--limit", "limit"), ("--grid", "grid"), ("--trial", "trial")):
        if build[key] is not None:
            args += [flag, str(build[key])]
    return args + (["--quiet"] if build["quiet"] else [])


def build(cfg: DictConfig, run_dir: Path) -> int:
    """Run the builder; its exit status (0: every selected cell filled)."""
    from agentic_env.evaluator.cli import main as builder

    run_dir.mkdir(parents=True, exist_ok=True)
    return builder(builder_args(to_plain(cfg), run_dir))


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> int:
    status = build(cfg, Path(HydraConfig.get().runtime.output_dir))
    if status:
        raise SystemExit(status)
    return status


if __name__ == "__main__":
    main()
