"""Validation recall and patience-based early stopping for the trained retrievers.

Trained models (MF, SASRec) evaluate full-ranking recall@K on the validation log after each
epoch, with training items masked, and keep the best epoch's weights — the protocol RecBole and
most papers use to pick the number of epochs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from agentic_env.data import InteractionLog
from agentic_env.metrics import mean_metric, recall_at_k, topk

ScoreFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ValidationSet:
    """Which users to evaluate, what to mask and what to find.

    Attributes:
        users: ``(n,)`` ids of users holding at least one validation item.
        seen: ``(n, n_items)`` training interactions of those users (masked before ranking).
        truth: ``(n, n_items)`` their validation interactions.
        k: Cut-off of recall@k.
    """

    users: np.ndarray
    seen: sp.csr_matrix
    truth: sp.csr_matrix
    k: int = 10

    @classmethod
    def build(cls, train: InteractionLog, valid: InteractionLog, k: int = 10) -> ValidationSet:
        truth = valid.to_csr()
        users = np.flatnonzero(np.diff(truth.indptr) > 0)
        return cls(users, train.to_csr()[users], truth[users], k)

    def recall(self, score: ScoreFn, batch: int = 1024) -> float:
        """Mean recall@k of ``score`` over the validation users."""
        values = []
        for start in range(0, len(self.users), batch):
            part = slice(start, start + batch)
            top = topk(score(self.users[part]), self.k, exclude=self.seen[part])
            values.append(recall_at_k(top, self.truth[part]))
        return mean_metric(np.concatenate(values)) if values else float("nan")


@dataclass
class EarlyStopping:
    """Stop after ``patience`` evaluations without improvement; remember the best state."""

    patience: int
    best: float = -np.inf
    best_epoch: int = -1
    best_state: object = None
    history: list[float] = field(default_factory=list)

    def step(self, epoch: int, value: float, state: Callable[[], object]) -> bool:
        """Record ``value`` for ``epoch``; return True when training should stop."""
        self.history.append(value)
        if value > self.best:
            self.best, self.best_epoch = value, epoch
            self.best_state = copy.deepcopy(state())
        return epoch - self.best_epoch >= self.patience


def end_of_epoch(
    epoch: int,
    checker: ValidationSet | None,
    stopper: EarlyStopping,
    score: ScoreFn,
    state: Callable[[], object],
    callback: Callable[[int], bool] | None,
) -> bool:
    """Validate (if there is a validation set), run the callback; True when training stops."""
    stop = checker is not None and stopper.step(epoch, checker.recall(score), state)
    return bool(callback is not None and callback(epoch)) or stop
