"""Throughput of the user simulator: impressions per second on one core, and peak memory.

One impression is one item of a slate shown to one user, with the response sampled and the
user's state updated. Setup (issue 3): 100,000 users, slates of 10, latent dimension 32; the
population is fitted on MovieLens 100K and resampled to 100,000 users (synthetic users and items
when the data are absent). Run on one core:

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/bench_simulator.py

Slates are drawn before timing (the recommender is not what is measured). Reported: ``step``
throughput (one slate to every user; median and best step, since a shared machine's load
varies), ``simulate_day`` throughput (sessions, metrics and the
end-of-session retention draw included), and peak memory of a step by ``tracemalloc`` plus the
process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

from agentic_env.data import load
from agentic_env.simulator import Corpus, Population, SimulatorConfig, UserSimulator
from agentic_env.simulator.fit import fit_simulator

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "movielens-100k"


def build(n_users: int, dim: int, data: Path, seed: int) -> tuple[Population, Corpus, str]:
    rng = np.random.default_rng(seed)
    if data.is_dir():
        fitted = fit_simulator(load("movielens-100k", path=data), dim=dim, seed=seed)
        return fitted.population.resample(n_users, rng), fitted.corpus, "movielens-100k fit"
    population = Population.synthetic(n_users, dim, 19, rng)
    return population, Corpus.synthetic(1682, dim, 19, rng), "synthetic"


def random_slates(n: int, k: int, n_items: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, k)`` distinct items per row: rows of a pool of random permutations' prefixes."""
    pool = np.argsort(rng.random((4096, n_items)), axis=1)[:, :k]
    return pool[rng.integers(0, len(pool), n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--slate", type=int, default=10)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    population, corpus, source = build(args.users, args.dim, args.data, args.seed)
    sim = UserSimulator(population, corpus, SimulatorConfig(examination="position"), seed=1)
    rng = np.random.default_rng(2)
    users = np.arange(args.users)
    slates = [random_slates(args.users, args.slate, corpus.n_items, rng) for _ in range(4)]
    impressions = args.users * args.slate
    print(f"setup: {source}, {args.users:,} users, {corpus.n_items:,} items, slate "
          f"{args.slate}, dim {args.dim}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"cpus={sorted(os.sched_getaffinity(0))}")

    sim.step(users, slates[0])  # warm-up
    times = []
    for i in range(args.steps):
        start = time.perf_counter()
        sim.step(users, slates[i % len(slates)])
        times.append(time.perf_counter() - start)
    median, best = float(np.median(times)), min(times)
    print(f"step:         {impressions / median:,.0f} impressions/s median, "
          f"{impressions / best:,.0f} best of {args.steps} "
          f"({median * 1e3:.1f} ms median per step of {impressions:,} impressions)")

    served = slates[1]
    for label in ("fitted activity", "every user visits"):
        if label == "every user visits":
            sim.population.activity[:] = 1.0
            sim.population.churned[:] = False
        start = time.perf_counter()
        report = sim.simulate_day(lambda ids: served[ids])
        elapsed = time.perf_counter() - start
        shown = report.overall.impressions
        print(f"simulate_day ({label}): {shown / elapsed:,.0f} impressions/s ({shown:,} "
              f"impressions, {report.overall.sessions:,} sessions, CTR {report.overall.ctr:.3f}, "
              f"return rate {report.overall.return_rate:.3f})")

    tracemalloc.start()
    sim.step(users, slates[2])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory:  {peak / 2**20:.1f} MiB allocated during one step (tracemalloc); "
          f"process max RSS {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
