"""Outer-reward signals: per-day aggregates of what simulated users did, overall and per segment.

Counts are accumulated per user segment with ``bincount`` during a day (no Python loop over
users) and turned into rates at the end. The scalar outer reward is a weighted sum of the rates,
with the weights of the current business objective (changed by the ``objective_shift``
scenario).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from agentic_env.data.segments import USER_SEGMENTS

_COUNTS = (
    "sessions", "slates", "impressions", "clicks", "watch_time", "conversions", "returns",
    "distinct_share", "novelty", "low_quality",
)


@dataclass(frozen=True)
class ObjectiveWeights:
    """Weights of the business objective.

    ``reward = clicks * clicks_per_session + watch_time * watch_hours_per_session
    + conversions * conversions_per_session + retention * return_rate
    - risk * low_quality_share``.
    """

    clicks: float = 1.0
    watch_time: float = 1.0
    conversions: float = 2.0
    retention: float = 2.0
    risk: float = 1.0


@dataclass(frozen=True)
class OuterMetrics:
    """Rates of one day (or one segment of it).

    Attributes:
        sessions: Sessions served.
        impressions: Items shown.
        ctr: Clicks per slate shown.
        clicks_per_session, watch_time_per_session (minutes), conversions_per_session.
        return_rate: Share of sessions after which the user came back.
        diversity: Mean share of distinct categories within a slate.
        novelty: Mean self-information ``-log2 popularity`` of shown items, in bits.
        low_quality_share: Share of impressions of low-quality items (a risk signal).
    """

    sessions: int
    impressions: int
    ctr: float
    clicks_per_session: float
    watch_time_per_session: float
    conversions_per_session: float
    return_rate: float
    diversity: float
    novelty: float
    low_quality_share: float

    def reward(self, weights: ObjectiveWeights) -> float:
        """The scalar outer reward under ``weights`` (see :class:`ObjectiveWeights`)."""
        return (
            weights.clicks * self.clicks_per_session
            + weights.watch_time * self.watch_time_per_session / 60.0
            + weights.conversions * self.conversions_per_session
            + weights.retention * self.return_rate
            - weights.risk * self.low_quality_share
        )

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class DayReport:
    """Outer metrics of one simulated day: overall, per user segment, and the scalar reward."""

    day: int
    overall: OuterMetrics
    by_segment: dict[str, OuterMetrics]
    reward: float
    weights: ObjectiveWeights


class MetricsAccumulator:
    """Sums per segment, filled by the simulator during a day."""

    def __init__(self, n_segments: int = len(USER_SEGMENTS)) -> None:
        self.n_segments = n_segments
        self.sums = {name: np.zeros(n_segments) for name in _COUNTS}

    def _add(self, name: str, segments: np.ndarray, values: np.ndarray | None = None) -> None:
        self.sums[name] += np.bincount(segments, weights=values, minlength=self.n_segments)

    def add_step(
        self,
        segments: np.ndarray,
        slate_size: int,
        click: np.ndarray,
        watch_time: np.ndarray,
        conversion: np.ndarray,
        distinct_share: np.ndarray,
        novelty: np.ndarray,
        low_quality: np.ndarray,
    ) -> None:
        """Record one step; the last three are per-row sums/shares over the slate."""
        self._add("slates", segments)
        self.sums["impressions"] += slate_size * np.bincount(segments, minlength=self.n_segments)
        self._add("clicks", segments, click.astype(np.float64))
        self._add("watch_time", segments, watch_time)
        self._add("conversions", segments, conversion.astype(np.float64))
        self._add("distinct_share", segments, distinct_share)
        self._add("novelty", segments, novelty)
        self._add("low_quality", segments, low_quality)

    def add_sessions(self, segments: np.ndarray, returns: np.ndarray) -> None:
        self._add("sessions", segments)
        self._add("returns", segments, returns.astype(np.float64))

    def report(self, day: int, weights: ObjectiveWeights) -> DayReport:
        overall = _rates({name: float(v.sum()) for name, v in self.sums.items()})
        by_segment = {
            USER_SEGMENTS[s] if s < len(USER_SEGMENTS) else f"segment_{s}": _rates(
                {name: float(v[s]) for name, v in self.sums.items()}
            )
            for s in range(self.n_segments)
            if self.sums["sessions"][s] > 0
        }
        return DayReport(day, overall, by_segment, overall.reward(weights), weights)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def _rates(s: dict[str, float]) -> OuterMetrics:
    return OuterMetrics(
        sessions=int(s["sessions"]),
        impressions=int(s["impressions"]),
        ctr=_ratio(s["clicks"], s["slates"]),
        clicks_per_session=_ratio(s["clicks"], s["sessions"]),
        watch_time_per_session=_ratio(s["watch_time"], s["sessions"]),
        conversions_per_session=_ratio(s["conversions"], s["sessions"]),
        return_rate=_ratio(s["returns"], s["sessions"]),
        diversity=_ratio(s["distinct_share"], s["slates"]),
        novelty=_ratio(s["novelty"], s["impressions"]),
        low_quality_share=_ratio(s["low_quality"], s["impressions"]),
    )
