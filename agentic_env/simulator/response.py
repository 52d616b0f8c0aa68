"""The response model: what a click turns into (watch time, rating, conversion).

Responses depend on the clicked item's affinity relative to no-click (how much the user wanted
it) and on its quality (whether it delivered). Quality weighs more here than in the click, so a
policy that chases clicks with low-quality items loses watch time, ratings and conversions.
Only clicked rows draw random numbers, so the cost scales with clicks, not impressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ResponseParams:
    """Coefficients of the response sigmoids.

    Attributes:
        watch_minutes: Watch time of a fully completed item.
        watch_bias, watch_affinity, watch_quality, watch_noise: Completion is
            ``sigmoid(bias + affinity * relative_logit + quality * (2 q - 1) + noise * N(0, 1))``.
        rating_bias, rating_affinity, rating_quality, rating_noise: The rating is
            ``1 + 4 * sigmoid(...)`` of the same form, rounded to a whole star.
        conversion_bias, conversion_affinity, conversion_quality: Conversion probability is
            ``sigmoid(bias + affinity * relative_logit + quality * (2 q - 1))``.
    """

    watch_minutes: float = 30.0
    watch_bias: float = 0.0
    watch_affinity: float = 0.5
    watch_quality: float = 1.5
    watch_noise: float = 0.5
    rating_bias: float = 0.3
    rating_affinity: float = 0.5
    rating_quality: float = 1.5
    rating_noise: float = 0.7
    conversion_bias: float = -3.0
    conversion_affinity: float = 0.5
    conversion_quality: float = 1.0


@dataclass(frozen=True)
class Responses:
    """What happened on each row of a step (one row per user shown a slate).

    Attributes:
        users: ``(n,)`` user ids.
        choice: ``(n,)`` picked slate position, ``-1`` for no click.
        item: ``(n,)`` picked item id, ``-1`` for no click.
        watch_time: ``(n,)`` minutes watched, 0 without a click.
        rating: ``(n,)`` stars 1..5, NaN without a click.
        conversion: ``(n,)`` bool.
        quality: ``(n,)`` quality of the picked item, NaN without a click.
    """

    users: np.ndarray
    choice: np.ndarray
    item: np.ndarray
    watch_time: np.ndarray
    rating: np.ndarray
    conversion: np.ndarray
    quality: np.ndarray

    @property
    def click(self) -> np.ndarray:
        return self.choice >= 0

    def __len__(self) -> int:
        return len(self.users)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def sample_responses(
    users: np.ndarray,
    slates: np.ndarray,
    choice: np.ndarray,
    relative_logit: np.ndarray,
    quality: np.ndarray,
    params: ResponseParams,
    rng: np.random.Generator,
) -> Responses:
    """Draw watch time, rating and conversion for the rows that clicked.

    Args:
        users: ``(n,)`` user ids.
        slates: ``(n, k)`` shown items.
        choice: ``(n,)`` picked position or -1.
        relative_logit: ``(c,)`` logit minus the no-click logit of each clicked row's item, in
            row order of ``choice >= 0``.
        quality: ``(m,)`` item quality of the corpus.
        params: Coefficients.
        rng: The simulator's generator.
    """
    n = len(users)
    clicked = np.flatnonzero(choice >= 0)
    item = np.full(n, -1, np.int64)
    item[clicked] = slates[clicked, choice[clicked]]
    q = quality[item[clicked]].astype(np.float64)
    centred = 2.0 * q - 1.0
    noise = rng.standard_normal((2, len(clicked)))
    completion = _sigmoid(
        params.watch_bias + params.watch_affinity * relative_logit
        + params.watch_quality * centred + params.watch_noise * noise[0]
    )
    stars = 1.0 + 4.0 * _sigmoid(
        params.rating_bias + params.rating_affinity * relative_logit
        + params.rating_quality * centred + params.rating_noise * noise[1]
    )
    converts = rng.random(len(clicked)) < _sigmoid(
        params.conversion_bias + params.conversion_affinity * relative_logit
        + params.conversion_quality * centred
    )
    watch = np.zeros(n, np.float32)
    watch[clicked] = params.watch_minutes * completion
    rating = np.full(n, np.nan, np.float32)
    rating[clicked] = np.rint(stars)
    conversion = np.zeros(n, bool)
    conversion[clicked] = converts
    picked_quality = np.full(n, np.nan, np.float32)
    picked_quality[clicked] = q
    return Responses(users, choice, item, watch, rating, conversion, picked_quality)
