"""The retrieval agent builds the configured backbone and is judged by its own metrics."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.data.splits import random_split
from agents.retrieval.popularity import PopularityRetriever
from agents.retrieval_agent import TEMPLATES, RetrievalAgent, register_template
from tests.pipeline.tiny import tiny_log


def test_item_knn_beats_popularity_on_its_inner_metric() -> None:
    split = random_split(tiny_log(), 0.1, 0.2, seed=0)
    pop = RetrievalAgent().fit(split.train, {"model": "popularity"}).evaluate(split.test, k=10)
    knn = RetrievalAgent().fit(split.train, {"model": "item_knn"}).evaluate(split.test, k=10)
    assert set(pop) == {"recall@k", "coverage", "long_tail_recall@k"}
    assert knn["recall@k"] > pop["recall@k"]
    assert knn["coverage"] > pop["coverage"]


def test_candidates_exclude_seen_items_and_respect_the_size_knob() -> None:
    log = tiny_log()
    agent = RetrievalAgent().fit(log, {"model": "content", "n_candidates": 20})
    cands = agent.candidates(np.arange(log.n_users))
    assert cands.width == 20
    seen = log.to_csr()
    for user, row in enumerate(cands.ids):
        assert not seen[user, row[row >= 0]].toarray().any()


def test_hyperparameters_are_conditional_on_the_backbone() -> None:
    agent = RetrievalAgent()
    assert "mf.dim" in agent.validate({"model": "mf"})
    assert "sasrec.gated_attention" in agent.validate({"model": "sasrec"})
    with pytest.raises(ValueError, match=r"'mf\.dim' is inactive"):
        agent.validate({"model": "item_knn", "mf.dim": 32})
    with pytest.raises(ValueError, match=r"valid values: \['popularity', 'item_knn', 'mf'"):
        agent.validate({"model": "bert4rec"})
    with pytest.raises(RuntimeError, match="not fitted"):
        agent.candidates(np.arange(2))


def test_a_registered_template_fills_a_slot_and_trains() -> None:
    log = tiny_log()
    agent = RetrievalAgent()
    agent.decision_space().fill_slot("model", "recent_popularity")
    with pytest.raises(ValueError, match="has no builder; call register_template"):
        agent.fit(log, {"model": "recent_popularity"})
    register_template("recent_popularity", lambda params: PopularityRetriever(half_life_days=7))
    try:
        fitted = agent.fit(log, {"model": "recent_popularity"})
        assert isinstance(fitted.model, PopularityRetriever) and fitted.model.half_life_days == 7
        with pytest.raises(ValueError, match="exists already"):
            register_template("mf", lambda params: None)
    finally:
        TEMPLATES.pop("recent_popularity", None)
