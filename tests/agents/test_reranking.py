"""Re-ranking trades relevance for diversity, calibration, freshness and a risk constraint."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agentic_env.data import InteractionLog
from agentic_env.data.splits import Split, random_split
from agents.candidates import Candidates
from agents.reranking import RerankingAgent, intra_list_diversity
from tests.pipeline.tiny import tiny_log

K = 10


@pytest.fixture(scope="module")
def split() -> Split:
    return random_split(tiny_log(), 0.1, 0.2, seed=0)


def ranked(log: InteractionLog, users: np.ndarray) -> Candidates:
    """Each user's favourite genre first (ids 0, 4, 8, ... share a genre), then the rest."""
    rng = np.random.default_rng(0)
    ids, scores = [], []
    for user in users:
        order = np.argsort((np.arange(log.n_items) % 4 != user % 4) + rng.random(log.n_items))
        ids.append(order[:60])
        scores.append(np.linspace(1.0, 0.0, 60))
    return Candidates(np.array(ids), np.array(scores, np.float32))


def slates(split: Split, **config: Any) -> tuple[RerankingAgent, Candidates, np.ndarray]:
    agent = RerankingAgent().fit(split.train, {"pool": 60, "mmr": 0.0, **config})
    users = np.unique(split.test.users)
    return agent, agent.rerank(users, ranked(split.train, users), K), users


def test_no_objective_keeps_the_ranker_order(split: Split) -> None:
    agent, out, users = slates(split)
    assert np.array_equal(out.ids, ranked(split.train, users).ids[:, :K])
    assert agent.evaluate(users, ranked(split.train, users), split.test)["ndcg_loss"] == 0.0


def test_more_mmr_weight_gives_more_diverse_slates(split: Split) -> None:
    stats = slates(split)[0].stats
    assert stats is not None
    diversity = [intra_list_diversity(slates(split, mmr=w)[1], stats.genres)
                 for w in (0.0, 0.3, 0.9)]
    assert diversity[0] < diversity[1] < diversity[2]


def test_slates_hold_unique_candidate_items(split: Split) -> None:
    _, out, users = slates(split, mmr=0.5, calibration=0.5, freshness=0.5)
    pool = ranked(split.train, users).ids
    for row, allowed in zip(out.ids, pool, strict=True):
        assert len(set(row.tolist())) == K and set(row.tolist()) <= set(allowed.tolist())


def test_calibration_brings_the_slate_genre_mix_towards_the_user_mix(split: Split) -> None:
    def kl(agent: RerankingAgent, out: Candidates, users: np.ndarray) -> float:
        assert agent.stats is not None
        p = agent.stats.user_profile(users)
        q = 0.99 * agent.stats.shares[out.ids].mean(1) + 0.01 * p
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.where(p > 0, p * np.log(p / q), 0.0)))

    assert kl(*slates(split, calibration=0.9)) < kl(*slates(split))


def test_freshness_boost_raises_mean_freshness(split: Split) -> None:
    agent, _, users = slates(split)
    cands = ranked(split.train, users)
    stale = agent.evaluate(users, cands, split.test)["freshness"]
    fresh = slates(split, freshness=1.0)[0].evaluate(users, cands, split.test)["freshness"]
    assert fresh > stale


def test_risk_filter_removes_items_above_the_threshold(split: Split) -> None:
    agent, out, _ = slates(split, risk_filter=True, risk_threshold=0.3)
    assert agent.stats is not None
    shown = out.ids[out.valid]
    assert shown.size and (agent.stats.risk[shown] <= 0.3).all()
    assert (agent.stats.risk > 0.3).any()  # the filter had something to remove
    assert not agent.allowed()[agent.stats.risk > 0.3].any()


def test_inactive_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="'risk_threshold' is inactive"):
        RerankingAgent().validate({"risk_threshold": 0.2})
