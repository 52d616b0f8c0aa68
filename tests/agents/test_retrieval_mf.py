"""Matrix factorisation (BPR and sampled softmax) on the toy log."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from agentic_env.data.splits import random_split
from agents.retrieval.mf import MatrixFactorization
from agents.retrieval.negatives import SeenItems
from agents.retrieval.popularity import PopularityRetriever
from tests.agents.test_retrieval_common import held_out_recall, toy_log

FAST: dict[str, Any] = {"dim": 8, "epochs": 40, "batch_size": 64, "lr": 0.05, "reg": 0.0}


@pytest.mark.parametrize("loss", ["bpr", "sampled_softmax"])
def test_mf_learns_the_blocks(loss: str) -> None:
    split = random_split(toy_log(), 0.1, 0.2, seed=0)
    model = MatrixFactorization(loss=loss, **FAST).fit(split.train, seed=0)
    ours = held_out_recall(model, split.train, split.test, k=5)
    popular = held_out_recall(PopularityRetriever().fit(split.train), split.train, split.test, 5)
    assert ours > popular + 0.2


def test_same_seed_same_scores_other_seed_differs() -> None:
    log = toy_log()
    users = np.arange(log.n_users)
    first = MatrixFactorization(**{**FAST, "epochs": 3}).fit(log, seed=7).score(users)
    second = MatrixFactorization(**{**FAST, "epochs": 3}).fit(log, seed=7).score(users)
    other = MatrixFactorization(**{**FAST, "epochs": 3}).fit(log, seed=8).score(users)
    assert first.dtype == np.float32 and first.shape == (log.n_users, log.n_items)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_early_stopping_keeps_the_best_epoch() -> None:
    split = random_split(toy_log(), 0.2, 0.1, seed=1)
    model = MatrixFactorization(**{**FAST, "epochs": 200, "patience": 3})
    model.fit(split.train, valid=split.valid)
    assert model.epochs_run_ < 200  # stopped
    assert model.epochs_run_ == model.best_epoch_ + 1 + 3
    assert len(model.history_) == model.epochs_run_
    assert held_out_recall(model, split.train, split.valid, 10) == pytest.approx(
        max(model.history_)
    )


def test_bpr_negatives_avoid_seen_items() -> None:
    log = toy_log()
    model = MatrixFactorization(neg_ratio=5)
    seen = np.unique(log.users.astype(np.int64) * log.n_items + log.items)
    negatives = model._negatives(log, SeenItems(log), np.random.default_rng(0), torch.device("cpu"))
    assert negatives.shape == (len(log), 5)
    keys = log.users[:, None].astype(np.int64) * log.n_items + negatives.numpy()
    assert not np.isin(keys, seen).any()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dim": 0}, "dim must"),
        ({"loss": "mse"}, "loss must be one of"),
        ({"lr": 0.0}, "lr must lie in"),
        ({"lr": 2.0}, "lr must lie in"),
        ({"reg": -1.0}, "reg must"),
        ({"neg_ratio": 0}, "neg_ratio must"),
        ({"batch_size": 0}, "batch_size must"),
        ({"patience": 0}, "patience must"),
        ({"temperature": 0.0}, "temperature must"),
    ],
)
def test_bad_hyperparameters_rejected(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MatrixFactorization(**kwargs)  # type: ignore[arg-type]


def test_bad_seed_and_device_rejected() -> None:
    with pytest.raises(ValueError, match="seed must be"):
        MatrixFactorization(epochs=1).fit(toy_log(), seed=-1)
    with pytest.raises(ValueError, match="device"):
        MatrixFactorization(epochs=1).fit(toy_log(), device="tpu:9")
