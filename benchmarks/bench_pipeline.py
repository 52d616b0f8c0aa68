"""Cost of the default recommender pipeline: full fit, then one simulated day for 10,000 users.

Setup (issue 4): the bundled default dataset (``load()``, MovieLens latest-small), the pipeline's
default configuration (item-KNN, MF and popularity recall, RRF fusion, FM ranker, MMR re-ranker,
cold-start users on the popularity path). The user simulator is calibrated on the same log and
its 671 users are bootstrapped to 10,000 simulated users, each mapped to the logged user it was
drawn from; every user visits (activity 1), so the day serves every session of 10,000 users.
Run on one core:

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/bench_pipeline.py

Reported: wall and CPU time of ``Pipeline.fit`` (wall per component kind), of a cached refit, of
the simulated day (and of the serving inside it, per stage), and peak memory as the process's
maximum resident set size (interpreter and torch included) after each phase. CPU time is the
figure to compare on a shared machine; wall time grows with other load. ``--no-simulator``
serves 10,000 users' slates once instead of simulating a day.

The pipeline memoises each logged user's slate between fits, so inside the day only the 671
distinct logged users' slates are computed. To show the cost of 10,000 *distinct* slates, the
``cold serve`` line recomputes every logged user's slate from scratch (memo cleared by a cached
refit) until 10,000 slates have been computed.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections import Counter

import numpy as np

from agentic_env.data import InteractionLog, load
from agentic_env.pipeline import Pipeline


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_fit(pipe: Pipeline, log: InteractionLog) -> tuple[float, float]:
    """Wall and CPU seconds of one ``fit`` (CPU time is robust to other load on the machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    pipe.fit(log)
    return time.perf_counter() - wall, time.process_time() - cpu


def serve_day(pipe: Pipeline, n_users: int, k: int, seed: int) -> None:
    """One simulated day of sessions for ``n_users`` bootstrapped users."""
    from agentic_env.simulator import UserSimulator, fit_simulator

    log = load()
    start = time.perf_counter()
    fitted = fit_simulator(log, seed=seed)
    rng = np.random.default_rng(seed)
    source = rng.integers(0, log.n_users, n_users)  # simulated user -> logged user
    population = fitted.population.take(source)
    population.activity[:] = 1.0
    sim = UserSimulator(population, fitted.corpus, fitted.config(), seed=seed)
    print(f"simulator:   calibrated and built in {time.perf_counter() - start:.1f} s "
          "(not part of the pipeline cost)")
    stages: Counter[str] = Counter()
    calls = 0

    def recommend(ids: np.ndarray) -> np.ndarray:
        nonlocal calls
        slates = pipe.serve(source[ids], k)
        stages.update(pipe.timings)
        calls += 1
        return slates

    start, cpu = time.perf_counter(), time.process_time()
    report = sim.simulate_day(recommend)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    overall = report.overall
    print(f"day:         {elapsed:.2f} s wall, {cpu:.2f} s CPU for {overall.sessions:,} sessions, "
          f"{overall.impressions:,} impressions ({calls} serve calls), CTR {overall.ctr:.3f}")
    print_stages(stages)


def serve_once(pipe: Pipeline, n_users: int, k: int, seed: int) -> None:
    users = np.random.default_rng(seed).integers(0, pipe.n_users, n_users)
    start = time.perf_counter()
    pipe.serve(users, k)
    print(f"serve:       {time.perf_counter() - start:.2f} s for {n_users:,} users' slates "
          "(no simulator)")
    print_stages(Counter(pipe.timings))


def serve_cold(pipe: Pipeline, log: InteractionLog, n_slates: int, k: int) -> None:
    """Compute ``n_slates`` slates without the memo: all logged users, again and again."""
    users = np.arange(pipe.n_users)
    stages: Counter[str] = Counter()
    done, wall, cpu = 0, 0.0, 0.0
    while done < n_slates:
        pipe.fit(log)  # cache hit: nothing retrains, the slate memo is cleared
        part = users[: n_slates - done]
        start, cpu_start = time.perf_counter(), time.process_time()
        pipe.serve(part, k)
        wall += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        stages.update(pipe.timings)
        done += len(part)
    print(f"cold serve:  {wall:.2f} s wall, {cpu:.2f} s CPU for {done:,} slates computed from "
          f"scratch ({1e3 * wall / done:.2f} ms per slate)")
    print_stages(stages)


def print_stages(stages: Counter[str]) -> None:
    parts = ", ".join(f"{name} {seconds:.2f}" for name, seconds in stages.items()
                      if name != "total")
    print(f"serving:     {stages['total']:.2f} s in serve ({parts} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--slate", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-simulator", action="store_true")
    args = parser.parse_args()

    log = load()
    print(f"setup: {log.name}, {log.n_users:,} users, {log.n_items:,} items, {len(log):,} "
          f"interactions; {args.users:,} users, slate {args.slate}, device {args.device}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"cpus={sorted(os.sched_getaffinity(0))}, load average {os.getloadavg()}")
    total = time.perf_counter()
    pipe = Pipeline(seed=args.seed, device=args.device)
    fit_s, fit_cpu = timed_fit(pipe, log)
    per_kind = ", ".join(f"{kind} {pipe.fit_counts[kind]}x {sec:.2f} s"
                         for kind, sec in pipe.cache.seconds.items())
    print(f"fit:         {fit_s:.2f} s wall, {fit_cpu:.2f} s CPU ({per_kind}); "
          f"max RSS {max_rss_mib():.0f} MiB")
    print(f"refit:       {timed_fit(pipe, log)[0]:.3f} s with nothing changed "
          f"(cache hits: {dict(pipe.cache.hits)})")
    if args.no_simulator:
        serve_once(pipe, args.users, args.slate, args.seed)
    else:
        serve_day(pipe, args.users, args.slate, args.seed)
    serve_cold(pipe, log, args.users, args.slate)
    print(f"total:       {time.perf_counter() - total:.2f} s (fit + refit + simulator setup + "
          f"day + cold serve); max RSS {max_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
