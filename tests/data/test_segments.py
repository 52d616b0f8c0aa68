"""User and item segments follow their thresholds; bad thresholds are rejected."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agentic_env.data import InteractionLog
from agentic_env.data.segments import (
    ITEM_SEGMENTS,
    USER_SEGMENTS,
    SegmentThresholds,
    item_segments,
    segment_shares,
    user_segments,
)


@pytest.mark.parametrize(
    "thresholds",
    [SegmentThresholds(), SegmentThresholds(cold_start_max=2, short_max=10, heavy_quantile=0.75)],
)
def test_user_segments_respect_thresholds(
    log: InteractionLog, thresholds: SegmentThresholds
) -> None:
    codes = user_segments(log, thresholds)
    counts = log.user_counts()
    named = np.array(USER_SEGMENTS)[codes]
    assert len(codes) == log.n_users
    assert (counts[named == "cold_start"] <= thresholds.cold_start_max).all()
    short = counts[named == "short_sequence"]
    assert ((short > thresholds.cold_start_max) & (short <= thresholds.short_max)).all()
    heavy_min = np.quantile(counts[counts > 0], thresholds.heavy_quantile)
    assert (counts[named == "heavy"] >= heavy_min).all()
    assert (counts[named == "heavy"] > thresholds.short_max).all()
    regular = counts[named == "regular"]
    assert ((regular > thresholds.short_max) & (regular < heavy_min)).all()
    assert {"cold_start", "short_sequence", "regular", "heavy"} == set(named)


def test_item_segments_head_holds_the_share(log: InteractionLog) -> None:
    thresholds = SegmentThresholds(head_share=0.5)
    codes = item_segments(log, thresholds)
    counts = log.item_counts()
    head = codes == ITEM_SEGMENTS.index("head")
    assert counts[head].sum() >= 0.5 * counts.sum()
    assert counts[head].min() >= counts[~head].max()  # head items are the most popular ones
    smaller = counts[head].sum() - counts[head].min()
    assert smaller < 0.5 * counts.sum()  # and no more of them than needed


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cold_start_max": 10, "short_max": 5},
        {"cold_start_max": -1},
        {"heavy_quantile": 1.0},
        {"heavy_quantile": 0.0},
        {"head_share": 1.2},
    ],
)
def test_bad_thresholds_are_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="got"):
        SegmentThresholds(**kwargs)


def test_segment_shares_sum_to_one(log: InteractionLog) -> None:
    shares = segment_shares(user_segments(log))
    assert set(shares) == set(USER_SEGMENTS)
    assert sum(shares.values()) == pytest.approx(1.0)
