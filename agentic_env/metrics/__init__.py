"""Metrics the agents optimise and the evaluator reports (ranking metrics for now)."""

from agentic_env.metrics.ranking import (
    Truth,
    auc,
    auc_per_user,
    coverage,
    hit_at_k,
    hits,
    long_tail_recall,
    mean_by_segment,
    mean_metric,
    n_relevant,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    topk,
)

__all__ = [
    "Truth",
    "auc",
    "auc_per_user",
    "coverage",
    "hit_at_k",
    "hits",
    "long_tail_recall",
    "mean_by_segment",
    "mean_metric",
    "n_relevant",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
    "topk",
]
