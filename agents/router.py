"""The router: a functional agent that sends each user segment down a pipeline path.

Users differ (AgenticRS): a cold-start user has no history for a collaborative model to use, a
heavy user has plenty. The router's decision is one path per segment of
:data:`~agentic_env.data.segments.USER_SEGMENTS`; the pipeline executes it. Paths:

* ``full``: recall sources -> fusion -> ranking -> re-ranking;
* ``no_rank``: recall sources -> fusion -> re-ranking (fused order, no ranking model: cheaper);
* ``popular``: a dedicated cold-start path, popularity recall -> re-ranking.

Reserved slots take proposed paths later. Its inner metric is segment-balanced NDCG (each segment
weighs the same, so small segments are not drowned out); :meth:`RouterAgent.best_paths` is its
own update rule, picking per segment the path with the best held-out NDCG.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from agentic_env.data import InteractionLog
from agentic_env.data.segments import USER_SEGMENTS, user_segments
from agentic_env.metrics import mean_by_segment, mean_metric
from agents.base import Agent, register_agent
from agents.space import Categorical, Config, DecisionSpace

PATHS = ("full", "no_rank", "popular")
RESERVED_PATH_SLOTS = 2
DEFAULT_PATHS = {"cold_start": "popular", "short_sequence": "full", "regular": "full",
                 "heavy": "full"}
COLD = USER_SEGMENTS.index("cold_start")


@register_agent
class RouterAgent(Agent):
    """Maps user segments (from training activity) to pipeline paths."""

    name = "router"
    kind = "functional"
    inputs = ("user segments from the interaction log",)
    decision = "which pipeline path serves each user segment"
    feedback = "per-segment outcome of served slates"
    inner_metrics = ("segment_balanced_ndcg",)

    def __init__(self) -> None:
        self._space = DecisionSpace([
            Categorical(f"path.{segment}", PATHS, default=DEFAULT_PATHS[segment],
                        reserved_slots=RESERVED_PATH_SLOTS, roles=("composition",),
                        affects_fit=False, owner=self.name)
            for segment in USER_SEGMENTS
        ])
        self.config: Config = self._space.default()
        self.codes = np.zeros(0, np.int8)

    def decision_space(self) -> DecisionSpace:
        return self._space

    def apply(self, config: Config | None) -> RouterAgent:
        """Adopt a segment -> path mapping."""
        self.config = self.validate(config)
        return self

    def fit(self, train: InteractionLog, config: Config | None = None, **_: object
            ) -> RouterAgent:
        """Adopt ``config`` and segment the users by their activity in ``train``."""
        self.apply(config)
        self.codes = user_segments(train)
        return self

    def paths_used(self) -> set[str]:
        """The paths at least one segment is routed to (so the pipeline fits only those)."""
        return {str(self.config[f"path.{s}"]) for s in USER_SEGMENTS}

    def segments(self, users: np.ndarray) -> np.ndarray:
        """Segment code per user; ids beyond the training id space are cold-start."""
        users = np.asarray(users)
        out = np.full(len(users), COLD, np.int8)
        known = users < len(self.codes)
        out[known] = self.codes[users[known]]
        return out

    def route(self, users: np.ndarray) -> np.ndarray:
        """Path name per user (object array of strings)."""
        paths = np.array([self.config[f"path.{s}"] for s in USER_SEGMENTS], dtype=object)
        return paths[self.segments(users)]

    def evaluate(self, users: np.ndarray, ndcg: np.ndarray) -> dict[str, float]:
        """Segment-balanced mean of per-user NDCG of the routed slates, and each segment's."""
        by_segment = mean_by_segment(ndcg, self.segments(users), USER_SEGMENTS)
        present = [v for v in by_segment.values() if not np.isnan(v)]
        return {"segment_balanced_ndcg": float(np.mean(present)) if present else float("nan"),
                **{f"ndcg.{s}": v for s, v in by_segment.items()}}

    def best_paths(self, users: np.ndarray, ndcg_by_path: Mapping[str, np.ndarray]) -> Config:
        """Per segment, the path whose per-user NDCG is highest (ties: declaration order).

        Segments without held-out users keep their current path.
        """
        codes = self.segments(users)
        config = dict(self.config)
        for i, segment in enumerate(USER_SEGMENTS):
            scores = {path: mean_metric(v[codes == i]) for path, v in ndcg_by_path.items()}
            scores = {p: s for p, s in scores.items() if not np.isnan(s)}
            if scores:
                config[f"path.{segment}"] = max(scores, key=lambda p: scores[p])
        return self.validate(config)
