"""Environment speed: cached steps per second, live seconds per step, CartPole as reference.

Run: ``python benchmarks/bench_envs.py`` (``--live-steps 0`` skips the live measurement).

* cached steps/s of each Gymnasium environment (the raw env, and through ``gymnasium.make``'s
  checker wrappers), on the bundled table when it exists, else a synthetic table of the same
  shape (targets: >= 20,000 single-agent steps/s, one thread);
* parallel steps/s of the 5-agent PettingZoo environment (target >= 5,000);
* seconds per live step on the bundled default (MovieLens latest-small, full pipeline trial);
* CartPole-v1 steps/s in the same process: what a plain Python env loop costs on this machine.

Actions are drawn in advance, so the figures time the environment, not the sampler. Rates are
per second of this process's CPU time (``time.process_time``), so a busy shared machine does not
deflate them; CartPole measured the same way is the yardstick.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import gymnasium as gym
import numpy as np

import agentic_env  # noqa: F401  (registers the ids; one thread)
from agentic_env.envs import IDS, coevolution_v0
from agentic_env.envs.pipeline_evolution import PipelineEvolutionEnv
from agentic_env.envs.synthetic import synthetic_table
from agentic_env.evaluator.table import BUNDLED, BenchmarkTable


def _table() -> tuple[BenchmarkTable, str]:
    if BUNDLED.exists():
        return BenchmarkTable.bundled(), f"bundled ({BUNDLED.name})"
    return synthetic_table(), "synthetic (bundled table not built yet)"


def steps_per_second(env: Any, n: int, seed: int = 0) -> float:
    """Steps per second of a Gymnasium env under a fixed list of sampled actions."""
    env.reset(seed=seed)
    env.action_space.seed(seed)
    actions = [env.action_space.sample() for _ in range(256)]
    start = time.process_time()
    for i in range(n):
        _, _, terminated, truncated, _ = env.step(actions[i & 255])
        if terminated or truncated:
            env.reset()
    return n / (time.process_time() - start)


def parallel_steps_per_second(table: BenchmarkTable, n: int) -> tuple[float, int]:
    env = coevolution_v0.parallel_env(table=table)
    env.reset(seed=0)
    actions = [{a: env.action_space(a).sample() for a in env.possible_agents}
               for _ in range(256)]
    start = time.process_time()
    for i in range(n):
        env.step(actions[i & 255])
        if not env.agents:
            env.reset()
    return n / (time.process_time() - start), len(env.possible_agents)


def live_seconds_per_step(steps: int) -> tuple[float, float]:
    """First step (world calibration, first fits) and the mean of the next ``steps``."""
    env = PipelineEvolutionEnv(mode="live", horizon=steps + 2)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    times = []
    for i in range(steps + 1):
        start = time.perf_counter()
        env.step(rng.integers(env.codec.nvec))
        times.append(time.perf_counter() - start)
        print(f"  live step {i}: {times[-1]:.1f} s", flush=True)
    return times[0], float(np.mean(times[1:])) if steps else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--live-steps", type=int, default=3)
    parser.add_argument("--skip-cached", action="store_true")
    args = parser.parse_args()
    if not args.skip_cached:
        cached(args.steps)
    if args.live_steps > 0:
        first, later = live_seconds_per_step(args.live_steps)
        print(f"{'PipelineEvolution-v0 live (bundled data)':40s} first step {first:.1f} s, "
              f"then {later:.2f} s/step (mean of {args.live_steps})")


def cached(steps: int) -> None:
    """Print the cached-mode figures and the CartPole reference."""
    table, source = _table()
    print(f"table: {source}, {table.size} configurations, {table.n_repeats} repeats")
    for env_id in IDS:
        raw = steps_per_second(gym.make(env_id, table=table).unwrapped, steps)
        wrapped = steps_per_second(gym.make(env_id, table=table), steps // 2)
        print(f"{env_id:40s} cached  {raw:9,.0f} steps/s raw  {wrapped:9,.0f} with make()")
    rate, n_agents = parallel_steps_per_second(table, steps // 5)
    print(f"{'coevolution_v0 (parallel)':40s} cached  {rate:9,.0f} steps/s ({n_agents} agents)")
    cartpole = steps_per_second(gym.make("CartPole-v1").unwrapped, steps)
    print(f"{'CartPole-v1 (reference)':40s}         {cartpole:9,.0f} steps/s raw", flush=True)


if __name__ == "__main__":
    main()
