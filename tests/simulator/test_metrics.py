"""Per-segment accumulation of the outer signals into rates."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.simulator import ObjectiveWeights
from agentic_env.simulator.metrics import MetricsAccumulator


def test_rates_per_segment_and_overall() -> None:
    acc = MetricsAccumulator()
    segments = np.array([0, 0, 3])
    acc.add_step(
        segments, 4,
        click=np.array([True, False, True]),
        watch_time=np.array([10.0, 0.0, 30.0]),
        conversion=np.array([True, False, False]),
        distinct_share=np.array([1.0, 0.5, 0.25]),
        novelty=np.array([8.0, 4.0, 4.0]),
        low_quality=np.array([1.0, 0.0, 2.0]),
    )
    acc.add_sessions(segments, np.array([True, False, True]))
    report = acc.report(day=7, weights=ObjectiveWeights())
    overall = report.overall
    assert (overall.sessions, overall.impressions) == (3, 12)
    assert overall.ctr == pytest.approx(2 / 3)
    assert overall.watch_time_per_session == pytest.approx(40 / 3)
    assert overall.conversions_per_session == pytest.approx(1 / 3)
    assert overall.return_rate == pytest.approx(2 / 3)
    assert overall.diversity == pytest.approx(1.75 / 3)
    assert overall.novelty == pytest.approx(16 / 12)
    assert overall.low_quality_share == pytest.approx(3 / 12)
    assert set(report.by_segment) == {"cold_start", "heavy"}
    assert report.by_segment["cold_start"].ctr == 0.5 and report.by_segment["heavy"].ctr == 1.0
    assert report.day == 7 and report.reward == overall.reward(ObjectiveWeights())
