"""Evolution methods on the benchmark table: anytime regret under one evaluation budget.

PPO and MaskablePPO (on ``AgenticRS/PipelineEvolution-v0`` in cached mode: one agent sets every
knob) against random search, TPE and the evolutionary baseline (plus grid, CMA-ES and the UCB
bandit with ``--extras``), ``--seeds`` seeds each, ``--budget`` evaluations each.

How a method is scored, the same way for all: after each evaluation the method's *recommended*
configuration is the evaluated one with the best mean observed reward (one noisy table repeat
per evaluation, drawn with the run's seed), and its regret is the table's best mean reward
minus that configuration's mean reward (noise-free), in the table's first scenario and phase
(no drift). RL agents learn from the env's layered reward; the benchmark observes the codes
they propose through the same noisy table lookup as the search methods. The RL agents' own
deployed configuration (the env's A/B-gated incumbent) is reported beside it.

    python benchmarks/bench_policies.py [--seeds 10] [--budget 200] [--out outputs/bench_policies]
        [--synthetic] [--extras] [--reserved-slots 2] [--methods ppo tpe ...] [--store PATH]

Without the bundled table (or with ``--synthetic``) it runs on a synthetic table over the same
grid and says so.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import agentic_env  # noqa: F401  (registers the env ids)
from agentic_env.envs.synthetic import synthetic_table
from agentic_env.evaluator.grid import default_grid
from agentic_env.evaluator.table import BUNDLED, BenchmarkTable
from agentic_env.store import KnowledgeStore
from policies.budget import Budget
from policies.metrics import Curve, anytime, mean_ci, on_grid
from policies.objective import TableObjective
from policies.recording import RunRecorder
from policies.rl import train
from policies.search import SearchSpace, Trace, make_searcher, run_search

CORE = ["ppo", "maskable_ppo", "random", "tpe", "evolutionary"]
EXTRAS = ["grid", "cmaes", "bandit"]
RL_OPTIONS: dict[str, Any] = {"n_steps": 32, "batch_size": 32, "n_epochs": 4, "ent_coef": 0.01}


def fallback_table(seed: int = 0) -> BenchmarkTable:
    """The bundled table's grid with synthetic metrics (one scenario and phase)."""
    return synthetic_table(seed, knobs=default_grid().knobs, scenarios=("stationary",),
                           n_phases=1)


def fill_failed(table: BenchmarkTable) -> tuple[BenchmarkTable, int]:
    """A copy where every cell the build could not evaluate scores the worst stored value of
    each metric (a failed configuration is never worth shipping) at the median cost."""
    bad = ~table.filled | np.isnan(table.outer).any(axis=(1, 2, 4))
    if not bad.any():
        return table, 0
    inner, outer, cost = table.inner.copy(), table.outer.copy(), table.cost.copy()
    inner[bad] = np.nanmin(inner[~bad], axis=0)
    worst = np.nanmin(np.where(bad[:, None, None, :, None], np.nan, outer), axis=(0, 3))
    for code, repeat in np.argwhere(bad):
        outer[code, :, :, repeat] = worst
    cost[bad] = np.nanmedian(cost[~bad])
    filled = BenchmarkTable(table.grid, table.scenarios, table.n_phases, table.inner_names,
                            table.outer_names, inner, outer, cost,
                            np.ones_like(table.filled), dict(table.meta))
    return filled, int(bad.sum())


def recorder_for(store: KnowledgeStore | None, table: BenchmarkTable, method: str,
                 seed: int, evaluations: bool = True) -> RunRecorder | None:
    """A store run for one method and seed. RL runs write reward rows only: their reward is
    the env's layered reward, whose units differ from the table's objective."""
    if store is None:
        return None
    return RunRecorder(store, f"bench_policies/{method}", seed=seed, config={"method": method},
                       config_of=table.grid.config if evaluations else None,
                       dataset=str(table.meta.get("dataset", "table")))


def run_searcher(name: str, table: BenchmarkTable, seed: int, budget: int,
                 store: KnowledgeStore | None = None) -> Trace:
    objective = TableObjective.from_table(table, seed=seed + 1000)
    searcher = make_searcher(name, SearchSpace.of(table.grid), seed)
    return run_search(searcher, objective, Budget(evaluations=budget),
                      recorder=recorder_for(store, table, name, seed))


def run_rl(algo: str, table: BenchmarkTable, seed: int, budget: int, reserved: int,
           store: KnowledgeStore | None = None) -> tuple[Trace, float]:
    """The RL agent's proposals observed through the noisy table; and its deployed regret.

    With ``reserved`` template slots per knob (masked: a growing action set), PPO may pick a
    masked slot, which keeps that knob and costs the env's masked penalty; MaskablePPO cannot.
    """
    env = gym.make("AgenticRS/PipelineEvolution-v0", table=table, scenario=table.scenarios[0],
                   horizon=50, budget=1e9, steps_per_phase=10**9, reserved_slots=reserved,
                   on_masked="keep")
    env.reset(seed=seed)
    result = train(algo, env, Budget(evaluations=budget), seed=seed,
                   recorder=recorder_for(store, table, algo, seed, evaluations=False),
                   **RL_OPTIONS)
    objective = TableObjective.from_table(table, seed=seed + 1000)
    observed = Trace(method=algo)
    for code in result.trace.codes:
        observed.add(code, *objective(code))
    return observed, float(result.trace.regrets[-1])


def measure(methods: list[str], table: BenchmarkTable, seeds: int, budget: int,
            reserved: int, store: KnowledgeStore | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for method in methods:
        curves: list[Curve] = []
        deployed: list[float] = []
        start = time.perf_counter()
        for seed in range(seeds):
            if method in ("ppo", "maskable_ppo"):
                trace, last = run_rl(method, table, seed, budget, reserved, store)
                deployed.append(last)
            else:
                trace = run_searcher(method, table, seed, budget, store)
            curves.append(anytime(trace))
        out[method] = {"curves": curves, "deployed": deployed,
                       "seconds_per_run": (time.perf_counter() - start) / seeds}
        final = mean_ci([c.regret[-1] for c in curves])
        print(f"  {method:<13} final regret {final[0]:.4f} ± {final[1]:.4f}", flush=True)
    return out


def report(results: dict[str, dict[str, Any]], table: BenchmarkTable, budget: int) -> None:
    means = TableObjective.from_table(table).means[:, 0]
    chance = float(means.max() - means.mean())
    print(f"\nregret = table best mean reward ({means.max():.4f}) - recommended config's mean; "
          f"a uniformly random config: {chance:.4f}")
    print(f"{'method':<13} {'final regret (95% CI)':>24} {'at budget/4':>12} {'hit best':>9} "
          f"{'deployed':>10} {'s/run':>7}")
    for method, r in results.items():
        finals = [c.regret[-1] for c in r["curves"]]
        mean, half = mean_ci(finals)
        quarter = np.mean([on_grid(c, np.array([budget // 4]))[0] for c in r["curves"]])
        hit = np.mean([f <= 1e-12 for f in finals])
        deployed = f"{np.mean(r['deployed']):.4f}" if r["deployed"] else "-"
        print(f"{method:<13} {mean:>14.4f} ± {half:<7.4f} {quarter:>12.4f} {hit:>9.0%} "
              f"{deployed:>10} {r['seconds_per_run']:>7.2f}")


def plot(results: dict[str, dict[str, Any]], budget: int, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    evals = np.arange(1, budget + 1)
    max_seconds = min(float(c.seconds[-1]) for r in results.values() for c in r["curves"])
    min_seconds = max(float(c.seconds[0]) for r in results.values() for c in r["curves"])
    seconds = np.linspace(min_seconds, max_seconds, 200)
    for method, r in results.items():
        for ax, axis, x in ((axes[0], "evaluations", evals), (axes[1], "seconds", seconds)):
            ys = np.stack([on_grid(c, x, axis) for c in r["curves"]])
            mean = np.nanmean(ys, axis=0)
            half = np.array([mean_ci(col[~np.isnan(col)])[1] if (~np.isnan(col)).sum() else
                             np.nan for col in ys.T])
            ax.plot(x, mean, label=method)
            ax.fill_between(x, np.maximum(mean - half, 0.0), mean + half, alpha=0.15)
    axes[0].set_xlabel("evaluations")
    axes[1].set_xlabel("compute seconds (table cost)")
    for ax in axes:
        ax.set_ylabel("regret of recommended config")
        ax.set_ylim(bottom=0.0)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"\nplot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("outputs/bench_policies"))
    parser.add_argument("--synthetic", action="store_true", help="use a synthetic table")
    parser.add_argument("--table", type=Path, default=None, help="a table file (default: bundled)")
    parser.add_argument("--extras", action="store_true", help=f"also run {EXTRAS}")
    parser.add_argument("--methods", nargs="*", default=None, help="run only these methods")
    parser.add_argument("--reserved-slots", type=int, default=2,
                        help="masked template slots per knob in the RL env (0: none)")
    parser.add_argument("--store", type=Path, default=None,
                        help="also record every evaluation to this knowledge store (slower)")
    args = parser.parse_args()
    path = args.table or BUNDLED
    if args.synthetic or not path.exists():
        table, source = fallback_table(), "SYNTHETIC table (bundled grid, synthetic metrics)"
    else:
        table, failed = fill_failed(BenchmarkTable.load(path))
        source = f"table {path.name}"
        if failed:
            print(f"{failed} cells failed in the build; they score the worst value of each "
                  "metric")
    methods = args.methods or CORE + (EXTRAS if args.extras else [])
    print(f"{source}: {table.size} configs, {table.n_repeats} repeats, scenario "
          f"{table.scenarios[0]!r}; budget {args.budget} evaluations; {args.seeds} seeds")
    print(f"RL env: PipelineEvolution-v0, {args.reserved_slots} reserved (masked) slots per knob")
    store = KnowledgeStore.open(args.store) if args.store is not None else None
    results = measure(methods, table, args.seeds, args.budget, args.reserved_slots, store)
    report(results, table, args.budget)
    plot(results, args.budget, args.out / "anytime_regret.png",
         f"{source}: {args.seeds} seeds, mean ± 95% CI")


if __name__ == "__main__":
    main()
