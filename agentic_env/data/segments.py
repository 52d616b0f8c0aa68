"""User and item segments: the heterogeneity the papers' routing and evaluation are about.

Segments come from interaction counts on the log they are computed on (compute them on the
training part of a split to avoid peeking at the test period). Every metric downstream can be
sliced by these codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentic_env.data.log import InteractionLog

USER_SEGMENTS: tuple[str, ...] = ("cold_start", "short_sequence", "regular", "heavy")
ITEM_SEGMENTS: tuple[str, ...] = ("head", "long_tail")


@dataclass(frozen=True)
class SegmentThresholds:
    """Where one segment ends and the next begins.

    Attributes:
        cold_start_max: Users with at most this many interactions are cold-start.
        short_max: Users with at most this many (and more than ``cold_start_max``) are
            short-sequence users.
        heavy_quantile: Users at or above this quantile of activity are heavy users.
        head_share: Most popular items that together hold this share of all interactions form
            the head; the rest is the long tail (the usual 80/20 cut with ``0.8``).
    """

    cold_start_max: int = 5
    short_max: int = 20
    heavy_quantile: float = 0.9
    head_share: float = 0.8

    def __post_init__(self) -> None:
        if not 0 <= self.cold_start_max < self.short_max:
            raise ValueError(
                f"need 0 <= cold_start_max < short_max, got {self.cold_start_max}, {self.short_max}"
            )
        if not 0 < self.heavy_quantile < 1 or not 0 < self.head_share < 1:
            raise ValueError(
                f"heavy_quantile and head_share must lie in (0, 1), got "
                f"{self.heavy_quantile}, {self.head_share}"
            )


def user_segments(log: InteractionLog, thresholds: SegmentThresholds | None = None) -> np.ndarray:
    """Segment code per user (index into :data:`USER_SEGMENTS`), length ``n_users``."""
    t = thresholds or SegmentThresholds()
    counts = log.user_counts()
    heavy_min = max(np.quantile(counts[counts > 0], t.heavy_quantile) if counts.any() else 0, 1)
    codes = np.full(log.n_users, USER_SEGMENTS.index("regular"), np.int8)
    codes[counts <= t.short_max] = USER_SEGMENTS.index("short_sequence")
    codes[counts <= t.cold_start_max] = USER_SEGMENTS.index("cold_start")
    codes[(counts >= heavy_min) & (counts > t.short_max)] = USER_SEGMENTS.index("heavy")
    return codes


def item_segments(log: InteractionLog, thresholds: SegmentThresholds | None = None) -> np.ndarray:
    """Segment code per item (index into :data:`ITEM_SEGMENTS`), length ``n_items``."""
    t = thresholds or SegmentThresholds()
    counts = log.item_counts()
    order = np.argsort(-counts, kind="stable")
    share = np.cumsum(counts[order]) / max(counts.sum(), 1)
    n_head = int(np.searchsorted(share, t.head_share) + 1)
    codes = np.full(log.n_items, ITEM_SEGMENTS.index("long_tail"), np.int8)
    codes[order[:n_head]] = ITEM_SEGMENTS.index("head")
    return codes


def segment_shares(codes: np.ndarray, names: tuple[str, ...] = USER_SEGMENTS) -> dict[str, float]:
    """Fraction of entries in each segment."""
    counts = np.bincount(codes, minlength=len(names))
    return {name: float(c) / max(len(codes), 1) for name, c in zip(names, counts, strict=True)}
