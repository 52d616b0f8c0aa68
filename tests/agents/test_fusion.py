"""Fusion merges sources with weights or quotas, deduplicates, and is judged by fused recall."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.data import InteractionLog
from agents.candidates import Candidates
from agents.fusion import FusionAgent
from tests.pipeline.tiny import tiny_log

N_ITEMS = 50


def lists_and_truth() -> tuple[dict[str, Candidates], np.ndarray, InteractionLog]:
    """'good' lists each user's held-out item first; 'noise' lists unrelated items."""
    rng = np.random.default_rng(0)
    n_users, width = 40, 12
    truth_items = rng.integers(0, N_ITEMS, n_users)
    good = np.array([[t, *rng.permutation([i for i in range(N_ITEMS) if i != t])[: width - 1]]
                     for t in truth_items])
    noise = np.array([rng.permutation([i for i in range(N_ITEMS) if i != t])[:width]
                      for t in truth_items])
    scores = np.tile(np.linspace(1, 0, width, dtype=np.float32), (n_users, 1))
    base = tiny_log(n_users=n_users, n_items=N_ITEMS, per_user=(1,))
    frame = base.frame.copy()
    frame["item"] = truth_items.astype(np.int32)
    test = InteractionLog(name="t", frame=frame, user_ids=base.user_ids, item_ids=base.item_ids)
    return ({"good": Candidates(good, scores), "noise": Candidates(noise, scores)},
            np.arange(n_users), test)


@pytest.mark.parametrize("rule", ["rrf", "score", "quota"])
def test_weighting_up_the_good_source_raises_fused_recall(rule: str) -> None:
    lists, users, test = lists_and_truth()
    fusion = FusionAgent(("good", "noise"))
    recall = {}
    for w in (0.05, 1.0):
        fusion.apply({"rule": rule, "weight.good": w, "weight.noise": 1.0, "size": 10})
        recall[w] = fusion.evaluate(lists, users, test)["fused_recall"]
    assert recall[1.0] > recall[0.05]
    assert recall[1.0] == pytest.approx(1.0)


def test_fused_lists_are_deduplicated_and_bounded() -> None:
    lists, _, _ = lists_and_truth()
    fusion = FusionAgent(("good", "noise")).apply({"size": 15})
    fused = fusion.fuse(lists)
    assert fused.width == 15 and fused.valid.all()
    for row in fused.ids:
        real = row[row >= 0]
        assert len(set(real.tolist())) == len(real)
    assert np.all(np.diff(fused.scores, axis=1) <= 0)


def test_quota_gives_each_source_its_share() -> None:
    lists, _, _ = lists_and_truth()
    fusion = FusionAgent(("good", "noise")).apply(
        {"rule": "quota", "weight.good": 0.2, "weight.noise": 0.8, "size": 10})
    fused = fusion.fuse(lists)
    for row, good, noise in zip(fused.ids, lists["good"].ids, lists["noise"].ids, strict=True):
        assert set(good[:2]) | set(noise[:8]) <= set(row.tolist())


def test_zero_weight_switches_a_source_off() -> None:
    lists, _, _ = lists_and_truth()
    fusion = FusionAgent(("good", "noise")).apply({"weight.noise": 0.0, "size": 10})
    assert fusion.active_sources() == ["good"]
    assert np.array_equal(fusion.fuse({"good": lists["good"]}).ids, lists["good"].ids[:, :10])
    with pytest.raises(ValueError, match="must be > 0"):
        fusion.apply({"weight.good": 0.0, "weight.noise": 0.0})
    with pytest.raises(ValueError, match=r"valid values: \['rrf', 'score', 'quota'\]"):
        fusion.apply({"rule": "borda"})
