"""Our BPR and SASRec against RecBole 1.2.1's published-default figures on MovieLens 100K.

Protocols (the same as RecBole's defaults for each model):

* BPR — per-user random 80/10/10 split, full ranking, train and valid items masked at test time;
  Recall@10 and NDCG@10.
* SASRec — leave-one-out by time (last item test, the one before it valid), full ranking, the
  user's train + valid items masked, the valid item appended to the history at test time;
  Hit@10 and NDCG@10.

All 100,000 ratings count as implicit interactions, as in RecBole's ml-100k atomic files. Both
models stop early on validation recall@10 and are tested with the best epoch's weights.

    python benchmarks/reference_recbole.py [--path DIR] [--seed 0] [--device cpu]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from agentic_env.data import InteractionLog, load
from agentic_env.data.splits import leave_last_k_out, random_split
from agentic_env.metrics import hit_at_k, mean_metric, ndcg_at_k, recall_at_k, topk
from agents.retrieval.base import Retriever
from agents.retrieval.mf import MatrixFactorization
from agents.retrieval.sasrec import SASRec

DEFAULT_PATH = "/work/shared/data/movielens-100k"
#: RecBole 1.2.1, default configurations, MovieLens 100K (figures given in the issue).
RECBOLE = {
    ("BPR", "Recall@10"): 0.247,
    ("BPR", "NDCG@10"): 0.293,
    ("SASRec", "Hit@10"): 0.138,
    ("SASRec", "NDCG@10"): 0.065,
}
#: The settings this benchmark uses; the models' defaults unless stated.
BPR_SETTINGS: dict[str, Any] = {}
SASREC_SETTINGS: dict[str, Any] = {"max_len": 50}


@dataclass(frozen=True)
class Result:
    """Test figures of one trained model."""

    model: str
    metrics: dict[str, float]
    epochs: int
    best_epoch: int
    seconds: float


def union(a: InteractionLog, b: InteractionLog) -> InteractionLog:
    """Both logs' rows over the shared id space."""
    return replace(a, frame=pd.concat([a.frame, b.frame], ignore_index=True))


def test_lists(
    model: Retriever, seen: InteractionLog, test: InteractionLog, k: int = 10
) -> tuple[np.ndarray, sp.csr_matrix]:
    """Top-k lists of users holding a test item, with ``seen`` masked, and their truth rows."""
    truth = test.to_csr()
    users = np.flatnonzero(np.diff(truth.indptr))
    top = topk(model.score(users), k, exclude=seen.to_csr()[users])
    return top, truth[users]


def run_bpr(log: InteractionLog, seed: int, device: str) -> Result:
    split = random_split(log, 0.1, 0.1, seed)
    started = time.perf_counter()
    model = MatrixFactorization(**BPR_SETTINGS)
    model.fit(split.train, seed=seed, device=device, valid=split.valid)
    seconds = time.perf_counter() - started
    top, truth = test_lists(model, union(split.train, split.valid), split.test)
    metrics = {
        "Recall@10": mean_metric(recall_at_k(top, truth)),
        "NDCG@10": mean_metric(ndcg_at_k(top, truth)),
    }
    return Result("BPR", metrics, model.epochs_run_, model.best_epoch_ + 1, seconds)


def run_sasrec(log: InteractionLog, seed: int, device: str) -> Result:
    split = leave_last_k_out(log, 1, 1)
    started = time.perf_counter()
    model = SASRec(**SASREC_SETTINGS)
    model.fit(split.train, seed=seed, device=device, valid=split.valid)
    seconds = time.perf_counter() - started
    history = union(split.train, split.valid)
    top, truth = test_lists(model.set_history(history), history, split.test)
    metrics = {
        "Hit@10": mean_metric(hit_at_k(top, truth)),
        "NDCG@10": mean_metric(ndcg_at_k(top, truth)),
    }
    return Result("SASRec", metrics, model.epochs_run_, model.best_epoch_ + 1, seconds)


def table(results: list[Result]) -> str:
    """Ours beside RecBole's, one row per model and metric."""
    lines = [
        f"{'model':<8}{'metric':<11}{'ours':>8}{'RecBole':>9}{'diff':>8}  verdict   "
        "epochs(best)  train s"
    ]
    for r in results:
        for name, ours in r.metrics.items():
            ref = RECBOLE[(r.model, name)]
            verdict = "match/beat" if ours >= ref else "BELOW"
            lines.append(
                f"{r.model:<8}{name:<11}{ours:>8.4f}{ref:>9.3f}{ours - ref:>+8.4f}  {verdict:<10}"
                f"{r.epochs:>5} ({r.best_epoch}){r.seconds:>11.1f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default=DEFAULT_PATH, help="MovieLens 100K folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--models", default="bpr,sasrec", help="comma-separated: bpr, sasrec")
    args = parser.parse_args(argv)
    log = load("movielens-100k", path=args.path)
    runners = {"bpr": run_bpr, "sasrec": run_sasrec}
    unknown = set(args.models.split(",")) - set(runners)
    if unknown:
        parser.error(f"unknown model(s) {sorted(unknown)}; choose from {sorted(runners)}")
    results = [runners[name](log, args.seed, args.device) for name in args.models.split(",")]
    print(f"MovieLens 100K ({len(log):,} interactions), seed {args.seed}, device {args.device}")
    print(table(results))


if __name__ == "__main__":
    main()
