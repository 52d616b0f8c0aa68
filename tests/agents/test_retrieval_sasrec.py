"""SASRec and its (gated) causal attention on the toy log."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from agentic_env.data import InteractionLog, build_log
from agentic_env.data.splits import leave_last_k_out
from agents.retrieval.attention import CausalSelfAttention, causal_mask
from agents.retrieval.popularity import PopularityRetriever
from agents.retrieval.sasrec import SASRec, last_items, windows
from tests.agents.test_retrieval_common import held_out_hit, toy_log

FAST: dict[str, Any] = {
    "dim": 16,
    "n_layers": 1,
    "n_heads": 2,
    "max_len": 8,
    "dropout": 0.1,
    "lr": 0.01,
}
FAST |= {"batch_size": 32, "epochs": 40}


def _sequences() -> InteractionLog:
    """User 0 watched items 10, 11, 12, 13, 14 (in time order); user 1 watched 20 then 21."""
    frame = pd.DataFrame(
        {
            "user": [0, 0, 0, 0, 0, 1, 1],
            "item": [12, 10, 14, 11, 13, 20, 21],
            "t": [3, 1, 5, 2, 4, 1, 2],
        }
    )
    return build_log(
        frame,
        name="s",
        source="s",
        user="user",
        item="item",
        label=None,
        label_kind="implicit",
        timestamp="t",
    )


def test_windows_and_last_items_by_hand() -> None:
    log = _sequences()  # dense items: 10..14 -> 0..4 (1-based 1..5), 20, 21 -> 5, 6 (6, 7)
    inputs, targets = windows(log, max_len=3)
    # user 0 has 4 targets: the latest window first, the leftover one padded on the left
    np.testing.assert_array_equal(inputs, [[2, 3, 4], [0, 0, 1], [0, 0, 6]])
    np.testing.assert_array_equal(targets, [[3, 4, 5], [0, 0, 2], [0, 0, 7]])
    np.testing.assert_array_equal(last_items(log, 3), [[3, 4, 5], [0, 6, 7]])


def test_causal_mask_hides_future_and_padding() -> None:
    allowed = causal_mask(torch.tensor([[True, False, False]]))[0, 0]
    expected = torch.tensor([[True, False, False], [False, True, False], [False, True, True]])
    assert torch.equal(allowed, expected)


def test_sasrec_predicts_the_next_item() -> None:
    log = toy_log()
    split = leave_last_k_out(log, 1, 1)
    model = SASRec(**FAST).fit(split.train, seed=0)
    seen = split.train.to_csr()
    popular = PopularityRetriever().fit(split.train)
    assert held_out_hit(model, seen, split.valid, 1) > 0.8
    assert held_out_hit(popular, seen, split.valid, 1) < 0.2


def test_set_history_moves_the_prediction() -> None:
    log = toy_log()
    split = leave_last_k_out(log, 1, 1)
    model = SASRec(**FAST).fit(split.train, seed=0)
    users = np.arange(log.n_users)
    before = model.score(users).argmax(1)
    after = model.set_history(log.subset(log.timestamps < log.timestamps.max())).score(users)
    valid_item = np.empty(log.n_users, np.int64)
    valid_item[split.valid.users] = split.valid.items
    test_item = np.empty(log.n_users, np.int64)
    test_item[split.test.users] = split.test.items
    assert (before == valid_item).mean() > 0.8  # from the train history: the valid item next
    assert (after.argmax(1) == test_item).mean() > 0.8  # with it appended: the test item


def test_same_seed_same_scores_and_gate_changes_them() -> None:
    log = toy_log()
    users = np.arange(log.n_users)
    short = FAST | {"epochs": 2}
    first = SASRec(**short).fit(log, seed=3).score(users)
    second = SASRec(**short).fit(log, seed=3).score(users)
    gated = SASRec(**short, gated_attention=True).fit(log, seed=3).score(users)
    assert first.dtype == np.float32 and first.shape == (log.n_users, log.n_items)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, gated)


def test_gated_sasrec_still_learns() -> None:
    split = leave_last_k_out(toy_log(), 1, 1)
    model = SASRec(**FAST, gated_attention=True).fit(split.train, seed=0)
    assert held_out_hit(model, split.train.to_csr(), split.valid, 1) > 0.8


def test_repeat_term_is_learned_negative_and_shifts_only_items_read() -> None:
    split = leave_last_k_out(toy_log(), 1, 1)  # nobody meets an item twice in the toy log
    model = SASRec(**FAST | {"epochs": 5}, repeat_bias=True).fit(split.train, seed=0)
    assert model.network_ is not None and model.network_.repeat is not None
    repeat = model.network_.repeat
    learned = repeat.item()
    assert learned < 0
    users = np.arange(split.train.n_users)
    scores = model.score(users)
    with torch.no_grad():
        repeat.zero_()
    read = np.zeros_like(scores)
    history = last_items(split.train, FAST["max_len"])
    rows, cols = np.nonzero(history)
    read[rows, history[rows, cols] - 1] = 1.0
    np.testing.assert_allclose(scores - model.score(users), learned * read, atol=1e-4)


def test_early_stopping_restores_the_best_epoch() -> None:
    split = leave_last_k_out(toy_log(), 1, 1)
    model = SASRec(**FAST | {"epochs": 60, "patience": 2, "eval_k": 1})
    model.fit(split.train, seed=0, valid=split.valid)
    assert model.epochs_run_ == model.best_epoch_ + 1 + 2 and model.epochs_run_ < 60
    best = held_out_hit(model, split.train.to_csr(), split.valid, 1)
    assert best == pytest.approx(max(model.history_))


def test_gate_scales_each_head() -> None:
    torch.manual_seed(0)
    layer = CausalSelfAttention(dim=8, n_heads=2, gated=True)
    assert layer.gate is not None
    x = torch.randn(3, 5, 8)
    allowed = causal_mask(torch.zeros(3, 5, dtype=torch.bool))
    with torch.no_grad():
        layer.gate.weight.zero_()
        layer.gate.bias.fill_(-100.0)  # gates shut: only the output bias is left
        np.testing.assert_allclose(layer(x, allowed).numpy(), layer.out.bias.expand(3, 5, 8))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dim": 0}, "dim must"),
        ({"dim": 10, "n_heads": 3}, "divisible"),
        ({"n_layers": 0}, "n_layers must"),
        ({"max_len": 0}, "max_len must"),
        ({"dropout": 1.0}, "dropout must lie in"),
        ({"lr": -1.0}, "lr must lie in"),
        ({"ffn_mult": 0}, "ffn_mult must"),
        ({"epochs": 0}, "epochs must"),
    ],
)
def test_bad_hyperparameters_rejected(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SASRec(**kwargs)  # type: ignore[arg-type]


def test_score_before_fit_rejected() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        SASRec().score(np.array([0]))


def test_repeat_bias_is_a_knob_of_the_retrieval_agent() -> None:
    from agents.retrieval_agent import RetrievalAgent

    fitted = RetrievalAgent("sasrec").fit(
        toy_log(), {"model": "sasrec", "sasrec.repeat_bias": True, "sasrec.epochs": 1}, seed=0)
    assert fitted.model.repeat_bias is True
