"""Affinities: how much a user likes each shown item right now (the logits of the choice model).

``s[u, j] = scale * <interest_u, vector_j> + static_j - boredom_weight * history[u, category_j]
- fatigue_weight * fatigue_u``, where ``static_j = popularity_weight * log(popularity_j) +
quality_weight * quality_j - fade_rate * age_j`` changes only once a day.

This is the hot path of the simulator: the slate's item vectors are gathered in chunks into a
preallocated float32 buffer and multiplied by the user vectors with one batched matmul per chunk,
which keeps the working set in cache and the peak memory independent of the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentic_env.simulator.corpus import Corpus

_CHUNK = 4096


@dataclass(frozen=True)
class AffinityParams:
    """Weights of the affinity terms.

    Attributes:
        scale: Inverse temperature of the dot product (fitted by calibration).
        popularity_weight: Weight of the log popularity share (herding).
        quality_weight: Weight of quality on the click; small, so clickbait exists.
        fade_rate: Logit lost per day of item age (old items fade).
        boredom_weight: Logit lost when the user's recent exposure is all of the category.
        fatigue_weight: Logit lost per unit of within-session fatigue.
        no_click: Logit of the no-click option.
    """

    scale: float = 1.0
    popularity_weight: float = 0.0
    quality_weight: float = 0.5
    fade_rate: float = 0.002
    boredom_weight: float = 1.0
    fatigue_weight: float = 0.5
    no_click: float = 2.0


def static_item_logits(corpus: Corpus, params: AffinityParams) -> np.ndarray:
    """Per-item part of the logit, ``(m,)`` float32; recomputed once a day."""
    share = corpus.popularity / max(float(corpus.popularity.sum()), 1e-12)
    logits = params.quality_weight * corpus.quality - params.fade_rate * corpus.age
    if params.popularity_weight:
        logits = logits + params.popularity_weight * np.log(np.maximum(share, 1e-9))
    return logits.astype(np.float32)


class AffinityKernel:
    """Computes slate affinities with reusable buffers (one instance per simulator)."""

    def __init__(self, dim: int) -> None:
        self._buffer = np.empty((_CHUNK, 1, dim), np.float32)

    def dot(self, interests: np.ndarray, vectors: np.ndarray, slates: np.ndarray) -> np.ndarray:
        """``(n, k)`` float32 dot products of ``interests[i]`` with ``vectors[slates[i]]``."""
        n, k = slates.shape
        dim = interests.shape[1]
        if self._buffer.shape[1] < k or self._buffer.shape[2] != dim:
            self._buffer = np.empty((_CHUNK, k, dim), np.float32)
        out = np.empty((n, k, 1), np.float32)
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            gathered = self._buffer[: stop - start, :k]
            np.take(vectors, slates[start:stop], axis=0, out=gathered)
            np.matmul(gathered, interests[start:stop, :, None], out=out[start:stop])
        return out.reshape(n, k)

    def logits(
        self,
        interests: np.ndarray,
        fatigue: np.ndarray,
        seen: np.ndarray,
        vectors: np.ndarray,
        static: np.ndarray,
        slates: np.ndarray,
        params: AffinityParams,
    ) -> np.ndarray:
        """Full ``(n, k)`` logits.

        Args:
            interests: ``(n, d)`` interest rows of the users in the batch.
            fatigue: ``(n,)`` their fatigue.
            seen: ``(n, k)`` their recent exposure share of each shown item's category.
            vectors: ``(m, d)`` item vectors.
            static: ``(m,)`` output of :func:`static_item_logits`.
            slates: ``(n, k)`` item ids.
            params: The affinity weights.
        """
        scores = self.dot(interests, vectors, slates)
        if params.scale != 1.0:
            scores *= np.float32(params.scale)
        scores += static[slates]
        if params.boredom_weight:
            scores -= np.float32(params.boredom_weight) * seen
        if params.fatigue_weight:
            scores -= (np.float32(params.fatigue_weight) * fatigue)[:, None]
        return scores
