"""The pipeline serves valid slates, is deterministic by seed, and refits only what changed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agentic_env.data import InteractionLog
from agentic_env.data.splits import random_split
from agentic_env.pipeline import STAGES, Pipeline, inner_metrics
from tests.pipeline.tiny import tiny_log

FAST: dict[str, Any] = {"recall_1.mf.epochs": 2, "recall_1.mf.dim": 8, "ranking.epochs": 1,
                        "ranking.batch_size": 256, "ranking.dim": 4, "reranking.pool": 20,
                        "fusion.size": 30}


@pytest.fixture(scope="module")
def log() -> InteractionLog:
    return tiny_log()


@pytest.fixture(scope="module")
def fitted(log: InteractionLog) -> Pipeline:
    return Pipeline(seed=0).fit(log, FAST)


def test_slates_hold_k_unique_unseen_catalogue_items(fitted: Pipeline, log: InteractionLog
                                                     ) -> None:
    users = np.arange(log.n_users).repeat(3)
    slates = fitted.serve(users, k=10)
    assert slates.shape == (len(users), 10) and slates.dtype == np.int64
    seen = log.to_csr()
    for user, row in zip(users, slates, strict=True):
        assert len(set(row.tolist())) == 10
        assert ((row >= 0) & (row < log.n_items)).all()
        assert not seen[user, row].toarray().any()


def test_repeated_users_get_the_same_slate(fitted: Pipeline) -> None:
    slates = fitted.serve(np.array([5, 7, 5]), k=5)
    assert np.array_equal(slates[0], slates[2])


def test_unknown_users_get_the_cold_start_path(fitted: Pipeline, log: InteractionLog) -> None:
    slates = fitted.serve(np.array([log.n_users, log.n_users + 10]), k=8)
    assert np.array_equal(slates[0], slates[1])
    popular = np.argsort(-log.item_counts(), kind="stable")[: FAST["reranking.pool"]]
    assert set(slates[0].tolist()) <= set(popular.tolist())


def test_stage_latencies_are_recorded(fitted: Pipeline) -> None:
    fitted.serve(np.arange(30), k=7)
    assert set(STAGES) <= set(fitted.timings)
    assert fitted.timings["total"] > 0 and fitted.timings["ranking"] > 0
    fitted.serve(np.arange(30), k=7)  # memoised: no stage runs again
    assert fitted.timings["ranking"] == 0 and fitted.timings["recall"] == 0


def test_refit_clears_the_slate_memo(log: InteractionLog) -> None:
    pipe = Pipeline(seed=0).fit(log, FAST)
    users = np.arange(log.n_users)
    before = pipe.serve(users, k=10)
    assert np.array_equal(pipe.serve(users, k=10), before)
    pipe.fit(log, {**FAST, "reranking.mmr": 1.0})
    assert not np.array_equal(pipe.serve(users, k=10), before)


def test_same_seed_same_slates(log: InteractionLog) -> None:
    users = np.arange(log.n_users)
    a = Pipeline(seed=3).fit(log, FAST).serve(users, k=10)
    b = Pipeline(seed=3).fit(log, FAST).serve(users, k=10)
    assert np.array_equal(a, b)


def test_refit_reuses_components_whose_config_did_not_change(log: InteractionLog) -> None:
    pipe = Pipeline(seed=0).fit(log, FAST)
    assert dict(pipe.fit_counts) == {"router": 1, "reranking": 1, "retrieval": 3, "ranking": 1}
    # re-ranking, fusion and serving-size knobs need no training
    pipe.fit(log, {**FAST, "reranking.mmr": 0.7, "fusion.rule": "score",
                   "recall_0.n_candidates": 15})
    assert dict(pipe.fit_counts) == {"router": 1, "reranking": 1, "retrieval": 3, "ranking": 1}
    pipe.fit(log, {**FAST, "recall_1.mf.dim": 16})
    assert pipe.fit_counts["retrieval"] == 4 and pipe.fit_counts["ranking"] == 1
    pipe.fit(log, {**FAST, "ranking.arch": "dcn"})
    assert pipe.fit_counts["ranking"] == 2 and pipe.fit_counts["retrieval"] == 4
    pipe.fit(log.subset(np.arange(len(log) - 50)), FAST)  # new data: everything retrains
    assert pipe.fit_counts["ranking"] == 3 and pipe.fit_counts["retrieval"] == 7


def test_only_what_the_composition_uses_is_trained(log: InteractionLog) -> None:
    no_rank = {f"router.path.{s}": "no_rank"
               for s in ("short_sequence", "regular", "heavy")}
    pipe = Pipeline(seed=0).fit(log, {**FAST, "fusion.weight.recall_1": 0.0, **no_rank})
    assert pipe.fit_counts["ranking"] == 0
    assert pipe.fit_counts["retrieval"] == 2  # recall_0 and the popularity source; no MF
    assert pipe.serve(np.arange(10), k=10).shape == (10, 10)


def test_knobs_carry_type_domain_owner_and_role(fitted: Pipeline) -> None:
    rows = {row["name"]: row for row in fitted.knobs()}
    assert rows["recall_1.mf.lr"]["owner"] == "recall_1" and rows["recall_1.mf.lr"]["log"]
    assert rows["ranking.feature.user_genres"]["roles"] == ["feature"]
    assert rows["fusion.size"]["roles"] == ["serving"] and rows["fusion.size"]["type"] == "integer"
    assert rows["router.path.cold_start"]["choices"] == ["full", "no_rank", "popular"]
    owners = {row["owner"] for row in rows.values()}
    assert owners == {"recall_0", "recall_1", "recall_2", "fusion", "ranking", "reranking",
                      "router"}


def test_bad_pipeline_config_names_the_knob_and_valid_values(log: InteractionLog) -> None:
    with pytest.raises(ValueError, match=r"recall_0.model='bert' is not a valid choice"):
        Pipeline().fit(log, {"recall_0.model": "bert"})
    with pytest.raises(RuntimeError, match="not fitted"):
        Pipeline().serve(np.arange(3))


def test_a_filled_slot_without_implementation_fails_clearly(log: InteractionLog) -> None:
    pipe = Pipeline(seed=0)
    pipe.fill_slot("router.path.heavy", "llm_path")
    pipe.fit(log, {**FAST, "router.path.heavy": "llm_path"})
    with pytest.raises(ValueError, match="'llm_path' has no implementation"):
        pipe.serve(np.arange(log.n_users), k=5)


def test_inner_metrics_cover_every_used_component(log: InteractionLog) -> None:
    split = random_split(log, 0.1, 0.2, seed=0)
    pipe = Pipeline(seed=0).fit(split.train, FAST)
    metrics = inner_metrics(pipe, split.test, k=5)
    assert set(metrics) == {"recall_0", "recall_1", "recall_2", "fusion", "ranking",
                            "reranking", "router", "pipeline"}
    assert 0 < metrics["fusion"]["fused_recall"] <= 1
    assert metrics["fusion"]["fused_recall"] >= metrics["recall_0"]["recall@k"]
    assert 0 <= metrics["ranking"]["auc"] <= 1 and 0 <= metrics["reranking"]["diversity"] <= 1
    assert 0 < metrics["pipeline"]["ndcg@5"] <= 1
