"""Load + split time and peak memory of the data layer.

Each dataset is measured in a fresh process, so the peak resident memory is that of the load alone
(interpreter and imports included, reported separately). Run ``python benchmarks/bench_data.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CASES = {
    "movielens-latest-small (bundled)": ("movielens-latest-small", None),
    "movielens-100k": ("movielens-100k", SHARED / "movielens-100k"),
}


def _measure(name: str, path: Path | None, repeats: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from agentic_env.data import load
    from agentic_env.data.splits import leave_last_k_out, temporal_split

    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_times, split_times = [], []
    tracemalloc.start()
    for _ in range(repeats):
        start = time.perf_counter()
        log = load(name, path)
        loaded = time.perf_counter()
        temporal_split(log)
        leave_last_k_out(log)
        load_times.append(loaded - start)
        split_times.append(time.perf_counter() - loaded)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put(
        {
            "rows": len(log),
            "load_s": statistics.median(load_times),
            "split_s": statistics.median(split_times),
            "traced_peak_mb": traced_peak / 2**20,
            "rss_imports_mb": rss_imports,
            "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    print(
        f"{'dataset':36} {'rows':>8} {'load s':>8} {'2 splits s':>10} "
        f"{'traced peak MB':>15} {'RSS imports MB':>15} {'RSS peak MB':>12}"
    )
    for label, (name, path) in CASES.items():
        if path is not None and not path.exists():
            print(f"{label:36} skipped: {path} not found")
            continue
        queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        proc = ctx.Process(target=_measure, args=(name, path, args.repeats, queue))
        proc.start()
        r = queue.get()
        proc.join()
        print(
            f"{label:36} {r['rows']:>8,} {r['load_s']:>8.3f} {r['split_s']:>10.3f} "
            f"{r['traced_peak_mb']:>15.1f} {r['rss_imports_mb']:>15.1f} {r['rss_peak_mb']:>12.1f}"
        )


if __name__ == "__main__":
    main()
