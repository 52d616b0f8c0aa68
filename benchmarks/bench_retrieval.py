"""Training speed and memory of MF-BPR and SASRec on MovieLens 100K, beside RecBole's.

Each model trains in its own child process (so peak memory is its own), pinned to one CPU core
with one thread for ``--device cpu`` (like ``taskset -c 0``), under the protocol of
``reference_recbole.py``. After every epoch the test metrics are computed (outside the timed
training) to find when the model first reaches RecBole's test accuracy; that time counts training
and our per-epoch validation, as RecBole's convergence time does.

    python benchmarks/bench_retrieval.py [--device cpu|cuda] [--models bpr,sasrec] [--core 0]

RecBole 1.2.1 on this kind of machine, CPU, one thread: BPR 0.19 s/epoch and 19 s to converge;
SASRec 160-220 s/epoch at 3.7-4.3 GB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RECBOLE_SECONDS_PER_EPOCH = {"bpr": "0.19", "sasrec": "160-220"}
RECBOLE_PEAK = {"bpr": "n/a", "sasrec": "3.7-4.3 GB"}
RECBOLE_TO_ACCURACY = {"bpr": "19 s", "sasrec": "n/a"}


def child(model_name: str, path: str, device: str, seed: int) -> dict[str, object]:
    """Train one model with per-epoch test tracking; return the measurements."""
    import reference_recbole as ref

    from agentic_env.data import load
    from agentic_env.data.splits import leave_last_k_out, random_split
    from agentic_env.metrics import hit_at_k, mean_metric, ndcg_at_k, recall_at_k
    from agents.retrieval.mf import MatrixFactorization
    from agents.retrieval.sasrec import SASRec

    log = load("movielens-100k", path=path)
    if model_name == "bpr":
        split = random_split(log, 0.1, 0.1, seed)
        model: MatrixFactorization | SASRec = MatrixFactorization(**ref.BPR_SETTINGS)
        first, second = recall_at_k, ndcg_at_k
        targets = (ref.RECBOLE[("BPR", "Recall@10")], ref.RECBOLE[("BPR", "NDCG@10")])
        samples = len(split.train)
    else:
        split = leave_last_k_out(log, 1, 1)
        model = SASRec(**ref.SASREC_SETTINGS)
        first, second = hit_at_k, ndcg_at_k
        targets = (ref.RECBOLE[("SASRec", "Hit@10")], ref.RECBOLE[("SASRec", "NDCG@10")])
        samples = len(split.train) - int((split.train.user_counts() > 0).sum())
    seen = ref.union(split.train, split.valid)
    outside = 0.0  # seconds spent in test tracking, excluded from the timings
    reached: dict[str, float] = {}
    trace: list[tuple[float, float]] = []
    started = time.perf_counter()

    def track(epoch: int) -> bool:
        nonlocal outside
        entered = time.perf_counter()
        scorer = model.set_history(seen) if isinstance(model, SASRec) else model
        top, truth = ref.test_lists(scorer, seen, split.test)
        values = (mean_metric(first(top, truth)), mean_metric(second(top, truth)))
        if isinstance(model, SASRec):
            model.set_history(split.train)  # validation reads the training history
        trace.append(values)
        if not reached and values[0] >= targets[0] and values[1] >= targets[1]:
            reached.update(epoch=epoch + 1, seconds=entered - started - outside)
        outside += time.perf_counter() - entered
        return False

    model.fit(split.train, seed=seed, device=device, valid=split.valid, callback=track)
    total = time.perf_counter() - started - outside
    seconds = np.array(model.epoch_seconds_)
    return {
        "model": model_name,
        "epochs": model.epochs_run_,
        "best_epoch": model.best_epoch_ + 1,
        "s_per_epoch": float(np.median(seconds)),
        "samples_per_s": samples / float(np.median(seconds)),
        "total_s": total,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reached": reached,
        "best_test": trace[model.best_epoch_] if trace else None,
        "targets": targets,
    }


def report(rows: list[dict[str, object]], device: str) -> str:
    head = (
        f"{'model':<8}{'device':<7}{'s/epoch':>9}{'samples/s':>11}{'peak MB':>9}"
        f"{'epochs':>8}{'to RecBole acc.':>17}{'best-epoch test':>18}"
        "   RecBole s/epoch, peak, to acc."
    )
    lines = [head]
    for r in rows:
        reached = r["reached"]
        assert isinstance(reached, dict)
        to_acc = f"{reached['seconds']:.1f} s (ep {reached['epoch']})" if reached else "not reached"
        best = r["best_test"]
        best_text = f"{best[0]:.4f}/{best[1]:.4f}" if isinstance(best, list | tuple) else "-"
        name = str(r["model"])
        lines.append(
            f"{name:<8}{device:<7}{r['s_per_epoch']:>9.3f}{r['samples_per_s']:>11,.0f}"
            f"{r['peak_mb']:>9.0f}{r['epochs']!s:>8}{to_acc:>17}{best_text:>18}   "
            f"{RECBOLE_SECONDS_PER_EPOCH[name]}, {RECBOLE_PEAK[name]}, {RECBOLE_TO_ACCURACY[name]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--models", default="bpr,sasrec", help="comma-separated: bpr, sasrec")
    parser.add_argument("--path", default="/work/shared/data/movielens-100k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--core", type=int, default=0, help="CPU core to pin to (cpu device)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.device == "cpu":
            os.sched_setaffinity(0, {args.core})
        print(json.dumps(child(args.child, args.path, args.device, args.seed)))
        return
    rows = []
    for name in args.models.split(","):
        if name not in RECBOLE_SECONDS_PER_EPOCH:
            parser.error(f"unknown model {name!r}; choose from bpr, sasrec")
        command = [sys.executable, __file__, "--child", name, "--device", args.device]
        command += ["--path", args.path, "--seed", str(args.seed), "--core", str(args.core)]
        env = os.environ | {"AGENTIC_RS_THREADS": "1"}
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("MovieLens 100K, one thread" + (f", core {args.core}" if args.device == "cpu" else ""))
    print("(accuracy columns: BPR Recall@10/NDCG@10, SASRec Hit@10/NDCG@10 on the test part)")
    print(report(rows, args.device))


if __name__ == "__main__":
    main()
