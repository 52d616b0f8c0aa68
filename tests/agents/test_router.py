"""The router maps segments to paths, is judged per segment, and picks paths from feedback."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.data.segments import USER_SEGMENTS
from agents.router import RouterAgent
from tests.pipeline.tiny import tiny_log


def test_segments_route_to_their_paths_and_unknown_users_are_cold() -> None:
    router = RouterAgent().fit(tiny_log(), {"path.heavy": "no_rank"})
    users = np.array([0, 1, 2, 999])  # counts 4, 12, 24; 999 is unknown
    assert [USER_SEGMENTS[c] for c in router.segments(users)] == [
        "cold_start", "short_sequence", "heavy", "cold_start"]
    assert router.route(users).tolist() == ["popular", "full", "no_rank", "popular"]
    assert router.paths_used() == {"popular", "full", "no_rank"}


def test_bad_path_lists_valid_paths() -> None:
    with pytest.raises(ValueError, match=r"valid values: \['full', 'no_rank', 'popular'\]"):
        RouterAgent().apply({"path.regular": "fast"})


def test_evaluate_weighs_segments_equally() -> None:
    router = RouterAgent().fit(tiny_log())
    users = np.arange(60)
    ndcg = np.where(np.arange(60) % 3 == 0, 1.0, 0.0)  # only cold-start users are served well
    metrics = router.evaluate(users, ndcg)
    assert metrics["ndcg.cold_start"] == 1.0 and metrics["ndcg.heavy"] == 0.0
    assert metrics["segment_balanced_ndcg"] == pytest.approx(1 / 3)


def test_best_paths_follows_per_segment_feedback() -> None:
    router = RouterAgent().fit(tiny_log())
    users = np.arange(60)
    cold = np.arange(60) % 3 == 0
    by_path = {"full": np.where(cold, 0.1, 0.5), "popular": np.where(cold, 0.4, 0.2)}
    config = router.best_paths(users, by_path)
    assert config["path.cold_start"] == "popular"
    assert config["path.short_sequence"] == config["path.heavy"] == "full"
    assert config["path.regular"] == "full"  # no regular users: the current path stays
