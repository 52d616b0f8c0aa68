"""The real trial on a tiny log: per-component inner metrics, outer metrics, evaluator keys."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agentic_env.evaluator import Evaluator, TrialResult
from agentic_env.evaluator.pipeline_trial import PipelineTrial, SimProtocol, _pipeline, _world
from agentic_env.store import KnowledgeStore
from tests.pipeline.tiny import tiny_log

FAST: dict[str, Any] = {"recall_1.mf.epochs": 2, "recall_1.mf.dim": 8, "ranking.epochs": 1,
                        "ranking.batch_size": 256, "ranking.dim": 4, "reranking.pool": 20,
                        "fusion.size": 30, "ranking.arch": "mmoe", "reranking.mmr": 0.3}
TRIAL = PipelineTrial(loader=tiny_log, sim_dim=8,
                      protocol=SimProtocol(("stationary",), n_phases=1, days_per_phase=1,
                                           n_users=20))


@pytest.fixture(scope="module")
def result() -> TrialResult:
    return TRIAL(FAST, 1.0, 0, {})


def test_components_are_scored_by_their_own_agents(result: TrialResult) -> None:
    inner = result.inner
    for name in ("recall", "ndcg", "coverage", "pipeline.recall", "recall_0.recall",
                 "recall_1.long_tail_recall", "retrieval.recall", "fusion.fused_recall",
                 "ranking.auc", "ranking.ndcg", "ranking.gate_load_balance",
                 "reranking.diversity", "reranking.coverage", "router.segment_balanced_ndcg"):
        assert name in inner and np.isfinite(inner[name]), name
    assert inner["recall"] == inner["pipeline.recall"]
    sources = [s for s in ("recall_0", "recall_1", "recall_2") if f"{s}.recall" in inner]
    assert inner["retrieval.recall"] == pytest.approx(
        np.mean([inner[f"{s}.recall"] for s in sources]))
    split, _ = _world(TRIAL)
    own = _pipeline(0).fitted["recall_0"].evaluate(split.test, k=TRIAL.protocol.k)
    assert inner["recall_0.recall"] == pytest.approx(own["recall@k"])
    assert set(result.outer) >= {"stationary.p0.reward", "stationary.p0.ctr"}


def test_no_ranking_metrics_when_no_segment_is_ranked() -> None:
    paths = {f"router.path.{s}": "no_rank" for s in ("short_sequence", "regular", "heavy")}
    inner = TRIAL({**FAST, **paths}, 1.0, 0, {}).inner
    assert not any(n.startswith("ranking.") for n in inner) and "fusion.fused_recall" in inner


def test_the_evaluator_keys_pipeline_configs_after_validation(tmp_path: Any) -> None:
    with KnowledgeStore.open(tmp_path / "k.sqlite") as store:
        evaluator = Evaluator(TRIAL, store, progress=False)
        assert evaluator.dataset == TRIAL.dataset and evaluator.split == TRIAL.split_name
        assert evaluator.key({}, 1.0, 0) == evaluator.key(_pipeline(0).default_config(), 1.0, 0)
