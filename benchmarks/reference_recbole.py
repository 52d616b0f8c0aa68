"""Our BPR and SASRec against RecBole 1.2.1's published-default figures on MovieLens 100K.

Protocols (the same as RecBole's defaults for each model):

* BPR — per-user random 80/10/10 split with RecBole's part sizes (``floor(0.1 n)`` valid and
  test items per user, the rest train), full ranking, train and valid items masked at test time
  (RecBole masks a general model's history); Recall@10 and NDCG@10.
* SASRec — leave-one-out by time (last item test, the one before it valid), full ranking over the
  whole catalogue with *no* masking of seen items (RecBole's full-sort loader passes no history
  for sequential models), the valid item appended to the history at test time; Hit@10 and
  NDCG@10.

Metrics are RecBole's: computed per user, then averaged over users (Recall@10 = hits / the
user's test items; NDCG@10 with the ideal DCG over ``min(test items, 10)``).

All 100,000 ratings count as implicit interactions, as in RecBole's ml-100k atomic files; ties
in time keep file order, as RecBole's stable sort does. Every model stops early on its own
validation recall@10 (training items masked, the test part never read) and is tested with the
best epoch's weights.

Two SASRec rows: ``sasrec`` is the published architecture (with ``max_len`` 50 like RecBole's);
``sasrec+repeat`` adds our learned repeat term (one scalar on the logits of items already in the
input window, see ``agents/retrieval/sasrec.py``). Plain SASRec ranks items the user has already
rated high, which RecBole's unmasked protocol counts as misses; the repeat term learns from the
training data that MovieLens users never re-rate. Both rows are reported, so the gain is visible
as a model feature, not hidden in the protocol.

    python benchmarks/reference_recbole.py [--models bpr,sasrec,sasrec+repeat] [--seeds 0,1,2]

On one loaded CPU core BPR takes ~0.5 min per seed and each SASRec row 5-11 min.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from agentic_env.data import InteractionLog, load
from agentic_env.data.splits import Split, leave_last_k_out
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
#: ``sasrec+repeat``: the same plus the learned repeat term (see ``agents/retrieval/sasrec.py``).
SASREC_REPEAT_SETTINGS: dict[str, Any] = SASREC_SETTINGS | {"repeat_bias": True}


@dataclass(frozen=True)
class Result:
    """Test figures of one trained model."""

    model: str
    seed: int
    metrics: dict[str, float]
    epochs: int
    best_epoch: int
    seconds: float


def union(a: InteractionLog, b: InteractionLog) -> InteractionLog:
    """Both logs' rows over the shared id space."""
    return replace(a, frame=pd.concat([a.frame, b.frame], ignore_index=True))


def recbole_ratio_split(log: InteractionLog, seed: int) -> Split:
    """RecBole's ``RS: [0.8, 0.1, 0.1]`` grouped by user: each user's interactions shuffled, then
    ``int(0.1 n)`` test and valid items, the rest train; a user with fewer than 10 gets one test
    and then one valid item while train keeps more than one (RecBole's ``_calcu_split_ids``)."""
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(log)), log.users))
    users = log.users[order]
    counts = np.bincount(users, minlength=log.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    held = (0.1 * counts).astype(np.int64)
    tiny = (counts > 0) & (held == 0)
    n_test = held + (tiny & (counts > 1))
    n_valid = held + (tiny & (counts - n_test > 1))
    n_train = (counts - n_test - n_valid)[users]
    rank = np.arange(len(log)) - starts[users]
    sorted_part = np.where(rank < n_train, 0, np.where(rank < n_train + n_valid[users], 1, 2))
    part = np.empty(len(log), np.int64)
    part[order] = sorted_part
    return Split(*(log.subset(part == p) for p in range(3)))


def test_lists(
    model: Retriever, seen: InteractionLog | None, test: InteractionLog, k: int = 10
) -> tuple[np.ndarray, sp.csr_matrix]:
    """Top-k lists of users holding a test item, with ``seen`` masked (if given), and their
    truth rows."""
    truth = test.to_csr()
    users = np.flatnonzero(np.diff(truth.indptr))
    exclude = seen.to_csr()[users] if seen is not None else None
    top = topk(model.score(users), k, exclude=exclude)
    return top, truth[users]


def run_bpr(log: InteractionLog, seed: int, device: str) -> Result:
    split = recbole_ratio_split(log, seed)
    started = time.perf_counter()
    model = MatrixFactorization(**BPR_SETTINGS)
    model.fit(split.train, seed=seed, device=device, valid=split.valid)
    seconds = time.perf_counter() - started
    top, truth = test_lists(model, union(split.train, split.valid), split.test)
    metrics = {
        "Recall@10": mean_metric(recall_at_k(top, truth)),
        "NDCG@10": mean_metric(ndcg_at_k(top, truth)),
    }
    return Result("BPR", seed, metrics, model.epochs_run_, model.best_epoch_ + 1, seconds)


def run_sasrec(
    log: InteractionLog, seed: int, device: str, settings: dict[str, Any] = SASREC_SETTINGS
) -> Result:
    split = leave_last_k_out(log, 1, 1)
    started = time.perf_counter()
    model = SASRec(**settings)
    model.fit(split.train, seed=seed, device=device, valid=split.valid)
    seconds = time.perf_counter() - started
    history = union(split.train, split.valid)
    top, truth = test_lists(model.set_history(history), None, split.test)  # no masking
    metrics = {
        "Hit@10": mean_metric(hit_at_k(top, truth)),
        "NDCG@10": mean_metric(ndcg_at_k(top, truth)),
    }
    name = "SASRec+rep" if settings.get("repeat_bias") else "SASRec"
    return Result(name, seed, metrics, model.epochs_run_, model.best_epoch_ + 1, seconds)


def table(results: list[Result]) -> str:
    """Ours beside RecBole's, one row per model and metric."""
    lines = [
        f"{'model':<11}{'seed':>4}  {'metric':<11}{'ours':>8}{'RecBole':>9}{'diff':>8}  verdict   "
        "epochs(best)  train s"
    ]
    for r in results:
        for name, ours in r.metrics.items():
            ref = RECBOLE[(r.model.split("+")[0], name)]
            verdict = "match/beat" if ours >= ref else "BELOW"
            lines.append(
                f"{r.model:<11}{r.seed:>4}  {name:<11}{ours:>8.4f}{ref:>9.3f}{ours - ref:>+8.4f}"
                f"  {verdict:<10}"
                f"{r.epochs:>5} ({r.best_epoch}){r.seconds:>11.1f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default=DEFAULT_PATH, help="MovieLens 100K folder")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--models", default="bpr,sasrec,sasrec+repeat",
                        help="comma-separated: bpr, sasrec, sasrec+repeat")
    args = parser.parse_args(argv)
    log = load("movielens-100k", path=args.path)
    def run_sasrec_repeat(log: InteractionLog, seed: int, device: str) -> Result:
        return run_sasrec(log, seed, device, SASREC_REPEAT_SETTINGS)

    runners = {"bpr": run_bpr, "sasrec": run_sasrec, "sasrec+repeat": run_sasrec_repeat}
    unknown = set(args.models.split(",")) - set(runners)
    if unknown:
        parser.error(f"unknown model(s) {sorted(unknown)}; choose from {sorted(runners)}")
    seeds = [int(seed) for seed in args.seeds.split(",")]
    results = [
        runners[name](log, seed, args.device) for name in args.models.split(",") for seed in seeds
    ]
    print(f"MovieLens 100K ({len(log):,} interactions), device {args.device}, "
          f"threads {torch.get_num_threads()}, load average {os.getloadavg()}")
    print(table(results))


if __name__ == "__main__":
    main()
