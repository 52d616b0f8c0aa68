"""Optuna-driven sweeps over any config values, through our own small driver.

    python -m experiments.sweep +experiment=smoke '+sweep.params={policy.kwargs.c: [0.1, 3.0]}' \
        policy=bandit sweep.n_trials=30 'sweep.seeds=[0,1]'

The stable hydra-optuna-sweeper pins optuna<3, so this driver asks Optuna (seeded TPE or random
sampler) for values, composes them as overrides onto this command's own, runs
:func:`experiments.evolve.run` for every seed into ``<run_dir>/trial_<n>/seed_<s>``, and tells
Optuna the mean of ``sweep.metric``. Writes ``sweep.csv`` (every trial) and ``best.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import optuna
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.config import compose_config, to_plain
from experiments.evolve import run
from experiments.schema import register

register()


def suggest(trial: optuna.Trial, name: str, spec: Sequence[Any]) -> Any:
    """Two numbers: a range (int if both are ints); anything else: one of the choices."""
    if len(spec) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool)
                              for v in spec):
        low, high = spec
        if isinstance(low, int) and isinstance(high, int):
            return trial.suggest_int(name, low, high)
        return trial.suggest_float(name, float(low), float(high))
    if not spec:
        raise ValueError(f"sweep.params.{name} is empty; give [low, high] or a list of choices")
    return trial.suggest_categorical(name, list(spec))


def sampler_of(name: str, seed: int) -> optuna.samplers.BaseSampler:
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"sweep.sampler {name!r}; expected 'tpe' or 'random'")


def sweep(cfg: DictConfig, root: Path, base: Sequence[str] = ()) -> pd.DataFrame:
    """Run the sweep into ``root``; returns one row per trial (values and objective)."""
    options: Mapping[str, Any] = to_plain(cfg)["sweep"]
    if not options["params"]:
        raise ValueError("sweep.params is empty; e.g. '+sweep.params={policy.kwargs.c: [0.1, 3]}'")
    keep = [o for o in base if not o.lstrip("+~").startswith(("sweep.", "seed="))]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=options["direction"],
                                sampler=sampler_of(options["sampler"], int(cfg.seed)))
    rows = []
    for number in range(int(options["n_trials"])):
        trial = study.ask()
        values = {k: suggest(trial, k, v) for k, v in options["params"].items()}
        scores = []
        for seed in options["seeds"]:
            overrides = [*keep, *(f"{k}={v}" for k, v in values.items()), f"seed={seed}",
                         "report=false", "progress=false"]
            result = run(compose_config(overrides), root / f"trial_{number}" / f"seed_{seed}")
            scores.append(float(result[options["metric"]]))
        score = float(np.mean(scores))
        study.tell(trial, score)
        rows.append({"trial": number, **values, options["metric"]: score})
    frame = pd.DataFrame(rows)
    frame.to_csv(root / "sweep.csv", index=False)
    best = {"params": study.best_params, options["metric"]: study.best_value}
    (root / "best.json").write_text(json.dumps(best, indent=2) + "\n")
    return frame


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    frame = sweep(cfg, Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task))
    print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
