"""The standard benchmark: every strategy on the protocol's instances, budget and seeds.

    python -m experiments.benchmark                                   # the README's table
    python -m experiments.benchmark 'benchmark.strategies=[tpe,mypkg.mine:MyStrategy]'
    python -m experiments.benchmark benchmark.split=train

Runs :data:`experiments.protocol.STANDARD` (fixed scenario sets, budget, seeds, decomposition,
reward layering and evolution mode) for each strategy, then writes ``benchmark.md`` (mean ±
95% interval over instances and seeds), ``benchmark.csv`` (every run) and anytime curves. A
strategy is a built-in name (:data:`experiments.strategies.STRATEGIES`) or ``MODULE:NAME`` of a
:class:`~experiments.protocol.Strategy` subclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.ablate import execute, plan, plot_curves, table
from experiments.config import to_plain
from experiments.protocol import STANDARD, BenchmarkProtocol
from experiments.report import markdown_table
from experiments.schema import register
from experiments.strategies import STRATEGIES

register()


def protocol_of(options: Mapping[str, Any]) -> BenchmarkProtocol:
    """The standard protocol with the (reported) non-standard budget or seeds applied."""
    protocol = STANDARD
    if options["budget"] is not None:
        protocol = replace(protocol, budget=int(options["budget"]))
    if options["seeds"] is not None:
        protocol = replace(protocol, seeds=tuple(int(s) for s in options["seeds"]))
    return protocol


def variants(protocol: BenchmarkProtocol, strategies: Sequence[str],
             split: str) -> dict[str, list[str]]:
    """``strategy@instance`` -> the overrides of that cell of the results table."""
    fixed = [f"budget={protocol.budget}", f"decomposition={protocol.decomposition}",
             f"reward={protocol.reward}", f"evolution={protocol.evolution}", "proposer=none"]
    out = {}
    for strategy in strategies:
        policy = f"policy.name={strategy}" if ":" in strategy else f"policy={strategy}"
        for instance in protocol.instances(split):
            out[f"{strategy}@{instance}"] = [*fixed, policy, f"scenario={instance}"]
    return out


def benchmark(cfg: DictConfig, root: Path, base: Sequence[str] = ()) -> pd.DataFrame:
    """Run the protocol into ``root``; returns the results table (one row per strategy)."""
    root.mkdir(parents=True, exist_ok=True)
    options = to_plain(cfg)["benchmark"]
    protocol = protocol_of(options)
    strategies = list(options["strategies"]) or list(STRATEGIES)
    keep = [o for o in base if not o.lstrip("+~").startswith("benchmark.")]
    runs = plan(variants(protocol, strategies, options["split"]), protocol.seeds, keep)
    results = execute(runs, root, int(options["n_jobs"]))
    results[["strategy", "instance"]] = results["variant"].str.split("@", n=1, expand=True)
    results.to_csv(root / "benchmark.csv", index=False)
    summary = table(results, by="strategy")
    plot_curves(results, root, "benchmark", by="strategy")
    standard = protocol == STANDARD
    text = ["# Benchmark results", "",
            f"Protocol: {'standard' if standard else 'NON-STANDARD'} {protocol}", "",
            f"Split: {options['split']}; mean ± 95% interval (Student's t) over instances and "
            "seeds.", "", markdown_table(summary), "",
            "![anytime regret](benchmark_regret.png)", "",
            "![anytime outer reward](benchmark_outer.png)", ""]
    (root / "benchmark.md").write_text("\n".join(text))
    return summary


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    summary = benchmark(cfg, Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task))
    print(markdown_table(summary))


if __name__ == "__main__":
    main()
