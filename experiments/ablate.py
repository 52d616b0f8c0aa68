"""The ablation suite: run each variant of an ablation preset over seeds, tabulate and plot.

    python -m experiments.ablate +experiment=ablation_granularity
    python -m experiments.ablate +experiment=ablation_reward budget=100 'ablation.seeds=[0,1]'
    python -m experiments.ablate +experiment=ablation_shift ablation.n_jobs=2

Every variant (``ablation.variants``: label -> overrides) is composed on top of this command's
own overrides, run for every seed with :func:`experiments.evolve.run` into
``<run_dir>/<label>/seed_<n>``, and summarised as mean ± 95% interval (Student's t over seeds)
in ``ablation.md`` / ``ablation.csv`` beside ``ablation_regret.png`` and ``ablation_outer.png``.
A variant whose policy is not runnable in this job yet is reported as such, not hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments import plots
from experiments.config import compose_config, to_plain
from experiments.evolve import run
from experiments.history import read_history
from experiments.report import markdown_table
from experiments.schema import register
from experiments.stats import format_ci, mean_ci

register()

METRICS = ("final_regret", "mean_anytime_regret", "final_outer", "cost_seconds")


def plan(variants: Mapping[str, Sequence[str]], seeds: Sequence[int],
         base: Sequence[str] = ()) -> list[tuple[str, int, DictConfig]]:
    """(variant, seed, composed config) of every run, composed up front so a bad override fails
    before anything runs. ``base`` are the command's own overrides (seeds and the ablation
    node excepted)."""
    if not variants:
        raise ValueError("ablation.variants is empty; pick a preset, e.g. "
                         "+experiment=ablation_granularity")
    keep = [o for o in base if not o.lstrip("+~").startswith(("seed=", "ablation."))]
    runs = []
    for label, overrides in variants.items():
        for seed in seeds:
            extra = [*overrides, f"seed={seed}", "report=false", "progress=false"]
            runs.append((str(label), int(seed), compose_config([*keep, *extra])))
    return runs


def _one(label: str, seed: int, cfg: DictConfig, root: Path) -> dict[str, Any]:
    out = root / label / f"seed_{seed}"
    try:
        result = run(cfg, out)
    except NotImplementedError as error:
        return {"variant": label, "seed": seed, "error": str(error)}
    return {"variant": label, "seed": seed, "error": "", "run_dir": str(out),
            **{m: result[m] for m in METRICS}}


def execute(runs: list[tuple[str, int, DictConfig]], root: Path, n_jobs: int) -> pd.DataFrame:
    """Every run's summary row (joblib processes when ``n_jobs > 1``)."""
    if n_jobs > 1:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=n_jobs)(delayed(_one)(v, s, c, root) for v, s, c in runs)
    else:
        rows = [_one(v, s, c, root) for v, s, c in runs]
    return pd.DataFrame(rows)


def table(results: pd.DataFrame, by: str = "variant") -> pd.DataFrame:
    """One row per ``by`` value: each metric as ``mean ± half-width`` over its runs."""
    rows = []
    for label, group in results.groupby(by, sort=False):
        errors = [e for e in group["error"] if e]
        row: dict[str, Any] = {by: label, "runs": int((group["error"] == "").sum())}
        for metric in METRICS:
            values = group[metric] if metric in group else pd.Series(dtype=float)
            row[metric] = format_ci(*mean_ci(values.dropna().to_numpy()))
        row["note"] = errors[0].split(";")[0] if errors else ""
        rows.append(row)
    return pd.DataFrame(rows)


def plot_curves(results: pd.DataFrame, root: Path, prefix: str, by: str = "variant") -> None:
    """``{prefix}_regret.png`` and ``{prefix}_outer.png``: anytime curves per ``by`` value."""
    curves: dict[str, list[pd.DataFrame]] = {}
    for row in results.to_dict("records"):
        if not row.get("error"):
            system = plots.system_rows(read_history(row["run_dir"]))
            curves.setdefault(str(row[by]), []).append(system)
    plots.plot_ablation_curves(curves, "anytime_regret", root / f"{prefix}_regret.png")
    plots.plot_ablation_curves(curves, "anytime_outer", root / f"{prefix}_outer.png")


def write(results: pd.DataFrame, summary: pd.DataFrame, ablation: Mapping[str, Any],
          root: Path) -> Path:
    """``ablation.csv``, ``ablation.md`` and the two curve plots."""
    results.to_csv(root / "ablation.csv", index=False)
    plot_curves(results, root, "ablation")
    text = [f"# Ablation: {ablation['name']}", "", ablation["question"], "",
            f"Seeds: {list(ablation['seeds'])}; mean ± 95% interval (Student's t) over seeds.", "",
            markdown_table(summary), "",
            "![anytime regret](ablation_regret.png)", "",
            "![anytime outer reward](ablation_outer.png)", ""]
    path = root / "ablation.md"
    path.write_text("\n".join(text))
    return path


def ablate(cfg: DictConfig, root: Path, base: Sequence[str] = ()) -> pd.DataFrame:
    """Run the ablation ``cfg.ablation`` into ``root``; returns the summary table."""
    root.mkdir(parents=True, exist_ok=True)
    ablation = to_plain(cfg)["ablation"]
    runs = plan(ablation["variants"], ablation["seeds"], base)
    results = execute(runs, root, int(ablation["n_jobs"]))
    summary = table(results)
    write(results, summary, ablation, root)
    return summary


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    summary = ablate(cfg, Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task))
    print(markdown_table(summary))


if __name__ == "__main__":
    main()
