"""A ready ``evaluate_fn`` for retrieval templates: train on one log, score held-out items.

The lifecycle takes any callable; this one is what the demo and ``paper_auto_train`` use, so a
template and the baseline it must beat are measured the same way: the template's model is built
(never from code, from its resolved constructor arguments), trained on ``train`` with the given
seed, and its top-``k`` unseen items per test user are compared with the test interactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.metrics import mean_metric, ndcg_at_k, recall_at_k, topk
from policies.proposer.blocks import ResolvedTemplate


@dataclass(frozen=True)
class UserScores:
    """Per-test-user metrics (aligned arrays), kept for segment slicing and paired tests."""

    users: np.ndarray
    recall: np.ndarray
    ndcg: np.ndarray

    def means(self, k: int) -> dict[str, float]:
        return {f"recall@{k}": mean_metric(self.recall), f"ndcg@{k}": mean_metric(self.ndcg)}


def score_users(model: Any, train: InteractionLog, test: InteractionLog, k: int) -> UserScores:
    """Top-``k`` unseen items of each test user from a fitted ``model``, against ``test``."""
    users = np.unique(test.users)
    if users.size == 0:
        raise ValueError("the test log has no interaction to evaluate on")
    scores = np.asarray(model.score(users), np.float32)
    top = topk(scores, k, exclude=train.to_csr()[users])
    truth = test.to_csr()[users]
    return UserScores(users, recall_at_k(top, truth, k), ndcg_at_k(top, truth, k))


def fit_and_score(resolved: ResolvedTemplate, train: InteractionLog, test: InteractionLog, *,
                  k: int = 20, seed: int = 0, valid: InteractionLog | None = None
                  ) -> UserScores:
    """Build, train and score one template."""
    model = resolved.build().fit(train, seed=seed, device="cpu", valid=valid)
    return score_users(model, train, test, k)


def evaluate_retrieval(resolved: ResolvedTemplate, train: InteractionLog, test: InteractionLog,
                       *, k: int = 20, seed: int = 0) -> dict[str, float]:
    """``{"objective": recall@k, "recall@k": ..., "ndcg@k": ...}`` of a template.

    Bind the data with ``functools.partial(evaluate_retrieval, train=..., test=...)``.
    """
    means = fit_and_score(resolved, train, test, k=k, seed=seed).means(k)
    return {"objective": means[f"recall@{k}"], **means}
