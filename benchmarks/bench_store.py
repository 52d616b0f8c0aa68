"""Knowledge-store throughput: single-row inserts/s and lookups/s by evaluation key.

Each insert is what the evaluator does after one evaluation: its own short transaction storing
the configuration and the evaluation. Each lookup is one ``get_evaluation(key)`` (the memo check
before training). SQLite runs on a file in a temporary folder; PostgreSQL, when its server
binaries are installed, on a throwaway local server with default durability settings.

    python benchmarks/bench_store.py [--inserts 2000] [--lookups 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore
from agentic_env.store.pgserver import find_bindir, start_server


def _keys(n: int) -> list[tuple[EvaluationKey, dict[str, float]]]:
    configs = [{"lr": 10 ** -(1 + i % 4), "dim": 8 * (1 + i % 16), "index": i} for i in range(n)]
    return [
        (EvaluationKey.for_config("ml", "temporal", "ranker", c, 1.0, i % 3), c)
        for i, c in enumerate(configs)
    ]


def _rate(count: int, work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return count / (time.perf_counter() - start)


def measure(target: str, inserts: int, lookups: int, seed: int) -> tuple[float, float]:
    """(inserts/s, lookups/s) on a new store at ``target``."""
    rng = np.random.default_rng(seed)
    keys = _keys(inserts)
    with KnowledgeStore.open(target) as store:

        def insert_all() -> None:
            for key, config in keys:
                result = EvaluationResult(
                    inner={"ndcg": float(rng.random())},
                    outer={"clicks": float(rng.random())},
                    objective=float(rng.random()),
                )
                store.record_evaluation(key, result, config=config)

        picks = rng.integers(0, inserts, size=lookups)

        def look_up_all() -> None:
            for i in picks:
                if store.get_evaluation(keys[int(i)][0]) is None:
                    raise AssertionError("a stored key was not found")

        return _rate(inserts, insert_all), _rate(lookups, look_up_all)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"knowledge store: {args.inserts} single-row inserts, {args.lookups} lookups by key")
    with tempfile.TemporaryDirectory() as folder:
        target = str(Path(folder) / "knowledge.sqlite")
        rates = measure(target, args.inserts, args.lookups, args.seed)
        print(f"sqlite (WAL)   inserts/s {rates[0]:9.0f}   lookups/s {rates[1]:9.0f}")
    if find_bindir() is None:
        print("postgresql     skipped: no server binaries under /usr/lib/postgresql/*/bin")
        return
    server = start_server()
    try:
        rates = measure(server.create_database("bench"), args.inserts, args.lookups, args.seed)
        print(f"postgresql     inserts/s {rates[0]:9.0f}   lookups/s {rates[1]:9.0f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
