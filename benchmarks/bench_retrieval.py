"""Training speed and memory of MF-BPR and SASRec on MovieLens 100K, beside RecBole's.

Each model trains in its own child process (so peak memory is its own), pinned to one CPU core
with one thread for ``--device cpu`` (like ``taskset -c 0``), under the protocol of
``reference_recbole.py``. After every epoch the test metrics are computed (outside the timed
training) to find when the model first reaches RecBole's test accuracy; that time counts training
and our per-epoch validation, as RecBole's convergence time does. ``s/epoch`` is the median
training time of one epoch (no validation); ``samples/s`` counts training positives (BPR: the
user-item pairs, each with ``neg_ratio`` negatives; SASRec: the next-item targets, the same ones
RecBole's prefix augmentation yields). Peak memory is the child's maximum resident set size
(interpreter, torch and data included). SASRec runs at most ``--sasrec-epochs`` epochs (CPU time
on the shared machine is scarce); BPR runs to early stopping.

    python benchmarks/bench_retrieval.py [--device cpu|cuda] [--models bpr,sasrec+repeat] [--core 0]

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

RECBOLE_SECONDS_PER_EPOCH = {"bpr": "0.19", "sasrec": "160-220", "sasrec+repeat": "160-220"}
RECBOLE_PEAK = {"bpr": "n/a", "sasrec": "3.7-4.3 GB", "sasrec+repeat": "3.7-4.3 GB"}
RECBOLE_TO_ACCURACY = {"bpr": "19 s", "sasrec": "n/a", "sasrec+repeat": "n/a"}


def child(
    model_name: str, path: str, device: str, seed: int, sasrec_epochs: int
) -> dict[str, object]:
    """Train one model with per-epoch test tracking; return the measurements."""
    import reference_recbole as ref

    from agentic_env.data import load
    from agentic_env.data.splits import leave_last_k_out
    from agentic_env.metrics import hit_at_k, mean_metric, ndcg_at_k, recall_at_k
    from agents.retrieval.mf import MatrixFactorization
    from agents.retrieval.sasrec import SASRec

    log = load("movielens-100k", path=path)
    if model_name == "bpr":
        split = ref.recbole_ratio_split(log, seed)
        model: MatrixFactorization | SASRec = MatrixFactorization(**ref.BPR_SETTINGS)
        first, second = recall_at_k, ndcg_at_k
        targets = (ref.RECBOLE[("BPR", "Recall@10")], ref.RECBOLE[("BPR", "NDCG@10")])
        samples = len(split.train)
    else:
        split = leave_last_k_out(log, 1, 1)
        settings = ref.SASREC_REPEAT_SETTINGS if "repeat" in model_name else ref.SASREC_SETTINGS
        model = SASRec(**(settings | {"epochs": sasrec_epochs}))
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
        if isinstance(model, SASRec):  # RecBole's sequential protocol: no masking
            top, truth = ref.test_lists(model.set_history(seen), None, split.test)
        else:
            top, truth = ref.test_lists(model, seen, split.test)
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
        f"{'model':<14}{'device':<7}{'s/epoch':>9}{'samples/s':>11}{'peak MB':>9}"
        f"{'epochs':>8}{'train s':>9}{'to RecBole acc.':>18}{'best-epoch test':>18}"
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
            f"{name:<14}{device:<7}{r['s_per_epoch']:>9.3f}{r['samples_per_s']:>11,.0f}"
            f"{r['peak_mb']:>9.0f}{r['epochs']!s:>8}{r['total_s']:>9.1f}{to_acc:>18}"
            f"{best_text:>18}   "
            f"{RECBOLE_SECONDS_PER_EPOCH[name]}, {RECBOLE_PEAK[name]}, {RECBOLE_TO_ACCURACY[name]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--models", default="bpr,sasrec+repeat",
                        help="comma-separated: bpr, sasrec, sasrec+repeat")
    parser.add_argument("--path", default="/work/shared/data/movielens-100k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--core", type=int, default=0, help="CPU core to pin to (cpu device)")
    parser.add_argument("--sasrec-epochs", type=int, default=15, help="SASRec's epoch cap")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.device == "cpu":
            os.sched_setaffinity(0, {args.core})
        print(json.dumps(child(args.child, args.path, args.device, args.seed, args.sasrec_epochs)))
        return
    rows = []
    for name in args.models.split(","):
        if name not in RECBOLE_SECONDS_PER_EPOCH:
            parser.error(f"unknown model {name!r}; choose from {list(RECBOLE_PEAK)}")
        command = [sys.executable, __file__, "--child", name, "--device", args.device]
        command += ["--path", args.path, "--seed", str(args.seed), "--core", str(args.core)]
        command += ["--sasrec-epochs", str(args.sasrec_epochs)]
        env = os.environ | {"AGENTIC_RS_THREADS": "1"}
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("MovieLens 100K, one thread" + (f", core {args.core}" if args.device == "cpu" else "")
          + f", seed {args.seed}, SASRec capped at {args.sasrec_epochs} epochs; "
          f"load average {os.getloadavg()} on {os.cpu_count()} CPUs")
    print("(accuracy columns: BPR Recall@10/NDCG@10, SASRec Hit@10/NDCG@10 on the test part)")
    print(report(rows, args.device))


if __name__ == "__main__":
    main()
