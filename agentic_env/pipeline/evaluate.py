"""Inner metrics of every fitted component of a pipeline, on one held-out log.

Each agent is judged by its own metric on the same users (AgenticRS's independent evaluability):
recall sources by recall, coverage and long-tail recall; fusion by the recall of its fused set;
the ranker by AUC and NDCG (plus gate health for MMoE); the re-ranker by diversity, coverage and
freshness against the NDCG it gives up; the router by segment-balanced NDCG of the served slates.
``"pipeline"`` holds offline NDCG@k and recall@k of the served slates, a proxy of the outer reward.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.metrics import mean_metric, ndcg_at_k, recall_at_k
from agentic_env.pipeline.pipeline import Pipeline


def inner_metrics(pipe: Pipeline, valid: InteractionLog, k: int = 10
                  ) -> dict[str, dict[str, float]]:
    """``{component: {metric: value}}`` for the components the current config uses."""
    if pipe.config is None:
        raise RuntimeError("Pipeline is not fitted; call fit(log, config) first")
    users = np.unique(valid.users)
    users = users[users < pipe.n_users]
    if users.size == 0:
        raise ValueError("the held-out log has no interaction of a known user")
    fitted = pipe.fitted
    fusion = fitted["fusion"]
    out: dict[str, dict[str, float]] = {}
    lists = {}
    for name in fusion.active_sources():
        out[name] = fitted[name].evaluate(valid, k=k)
        lists[name] = fitted[name].candidates(users)
    out["fusion"] = fusion.evaluate(lists, users, valid)
    fused = fusion.fuse(lists)
    ranked = fused
    if "ranking" in fitted:
        out["ranking"] = fitted["ranking"].evaluate(valid)
        ranked = fitted["ranking"].rank(users, fused)
    out["reranking"] = fitted["reranking"].evaluate(users, ranked, valid, k)
    truth = valid.to_csr()[users]
    slates = pipe.serve(users, k)
    ndcg = ndcg_at_k(slates, truth)
    out["router"] = fitted["router"].evaluate(users, ndcg)
    out["pipeline"] = {f"ndcg@{k}": mean_metric(ndcg),
                       f"recall@{k}": mean_metric(recall_at_k(slates, truth))}
    return out
