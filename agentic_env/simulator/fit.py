"""Fit users and items from an interaction log, so simulated users behave like the logged ones.

* Latent vectors: truncated SVD or implicit ALS of the binary user x item matrix
  (:mod:`.factors`); ids are the log's dense ids.
* Affinity scale (inverse temperature): the value on a grid whose simulated item popularity is
  closest (two-sample KS) to the log's, with each user picking as many items as they logged.
* Category: the item's rarest genre (most distinctive) when the log has genres, else k-means
  clusters of the item vectors. Quality: shrunk mean rating mapped to ``[0, 1]`` (percentile of
  the shrunk mean label for non-rating logs). Popularity: interaction shares. Age: days since the
  item's first interaction.
* Ratings: the rating bias is set so that the logged pairs get the log's mean rating.
* Users: segments from :func:`agentic_env.data.segments.user_segments`, activity = share of the
  log's days a user was active, patience = mean session length (sessions split at 30-minute
  gaps).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from agentic_env.data.features import category_matrix
from agentic_env.data.log import InteractionLog
from agentic_env.data.segments import user_segments
from agentic_env.simulator.affinity import AffinityParams, static_item_logits
from agentic_env.simulator.corpus import Corpus
from agentic_env.simulator.factors import FactorMethod, latent_factors
from agentic_env.simulator.population import Population
from agentic_env.simulator.response import ResponseParams
from agentic_env.simulator.simulator import SimulatorConfig, UserSimulator

SESSION_GAP_S = 30 * 60
SCALE_GRID: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0)


@dataclass(frozen=True)
class FittedSimulator:
    """A calibrated population and corpus over the log's dense ids, and the fitted scale."""

    population: Population
    corpus: Corpus
    affinity: AffinityParams
    response: ResponseParams
    scale_ks: dict[float, float]
    category_names: tuple[str, ...]

    @property
    def scale(self) -> float:
        return self.affinity.scale

    def config(self, eta: np.ndarray | None = None, **overrides: Any) -> SimulatorConfig:
        """A simulator config with the fitted affinity weights and examination ``eta``."""
        eta_tuple = None if eta is None else tuple(float(v) for v in eta)
        return SimulatorConfig(
            affinity=self.affinity, response=self.response, eta=eta_tuple, **overrides
        )

    def simulator(self, seed: int = 0, **config_overrides: Any) -> UserSimulator:
        """A :class:`UserSimulator` over the fitted population and corpus."""
        return UserSimulator(
            self.population, self.corpus, self.config(**config_overrides), seed=seed
        )


def simulate_picks(
    logits: np.ndarray, counts: np.ndarray, rng: np.random.Generator, excluded: np.ndarray | None
) -> np.ndarray:
    """Per-item counts when user ``u`` picks ``counts[u]`` distinct items by Plackett-Luce.

    Gumbel top-``c`` of the logits samples without replacement from the softmax; ``excluded``
    (a bool matrix, e.g. items seen in training) are never picked.
    """
    noisy = logits + rng.gumbel(size=logits.shape)
    if excluded is not None:
        noisy[excluded] = -np.inf
    order = np.argsort(-noisy, axis=1)
    take = np.arange(logits.shape[1])[None, :] < counts[:, None]
    return np.bincount(order[take], minlength=logits.shape[1])


def fit_scale(
    log: InteractionLog,
    users: np.ndarray,
    items: np.ndarray,
    static: np.ndarray,
    rng: np.random.Generator,
    max_users: int = 4000,
) -> tuple[float, dict[float, float]]:
    """The grid scale whose simulated item popularity has the smallest KS distance to the log's.

    ``static`` is the per-item part of the logit (:func:`.affinity.static_item_logits`). Large
    logs are fitted on ``max_users`` random users (and their interactions) to bound memory.
    """
    chosen = np.arange(log.n_users)
    if log.n_users > max_users:
        chosen = np.sort(rng.choice(log.n_users, max_users, replace=False))
    rows = np.isin(log.users, chosen)
    counts = log.user_counts()[chosen]
    real = np.bincount(log.items[rows], minlength=log.n_items)
    dots = users[chosen] @ items.T
    ks = {}
    for scale in SCALE_GRID:
        picks = simulate_picks(scale * dots + static[None, :], counts, rng, None)
        ks[scale] = float(stats.ks_2samp(picks, real).statistic)
    return min(ks, key=lambda s: ks[s]), ks


def item_categories(log: InteractionLog, items: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Rarest genre per item, or k-means clusters of the vectors when there are no genres."""
    try:
        multi_hot, names = category_matrix(log)
    except ValueError:
        return kmeans(items, 16, np.random.default_rng(0)), tuple(f"cluster_{c}" for c in range(16))
    frequency = multi_hot.sum(axis=0)
    masked = np.where(multi_hot, frequency[None, :], np.iinfo(np.int64).max)
    category = masked.argmin(axis=1)
    none = ~multi_hot.any(axis=1)
    category[none] = len(names)  # items without a genre get their own category
    return category.astype(np.int16), (*names, "none")


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 20) -> np.ndarray:
    """Plain Lloyd's k-means labels (a fallback category for logs without genres)."""
    k = min(k, len(points))
    centres = points[rng.choice(len(points), k, replace=False)]
    labels = np.zeros(len(points), np.int64)
    for _ in range(rounds):
        dist = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2)
        labels = dist.argmin(axis=1)
        for c in range(k):
            if (labels == c).any():
                centres[c] = points[labels == c].mean(axis=0)
    return labels.astype(np.int16)


def item_quality(log: InteractionLog, prior_weight: float = 10.0) -> np.ndarray:
    """Shrunk mean label per item in ``[0, 1]``."""
    counts = log.item_counts().astype(np.float64)
    sums = np.bincount(log.items, weights=log.labels, minlength=log.n_items)
    mean = float(log.labels.mean())
    shrunk = (sums + prior_weight * mean) / (counts + prior_weight)
    if log.label_kind == "rating" and log.labels.min() >= 1 and log.labels.max() <= 5:
        return np.clip((shrunk - 1.0) / 4.0, 0.0, 1.0)
    return stats.rankdata(shrunk) / len(shrunk)


def user_activity(log: InteractionLog, max_patience: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Daily visit probability and session budget (slates) per user."""
    n = log.n_users
    if not log.has_timestamps:
        logged = log.user_counts().astype(np.float64)
        return np.clip(logged / max(logged.max(), 1.0), 0.01, 1.0), np.full(n, 10)
    frame = pd.DataFrame({"user": log.users, "t": log.timestamps}).sort_values(["user", "t"])
    user, t = frame["user"].to_numpy(), frame["t"].to_numpy()
    new_session = np.ones(len(t), bool)
    new_session[1:] = (user[1:] != user[:-1]) | (np.diff(t) > SESSION_GAP_S)
    sessions = np.bincount(user[new_session], minlength=n)
    per_user = np.bincount(user, minlength=n)
    user_days = np.unique(user.astype(np.int64) * 1_000_000 + t // 86_400)
    days = np.bincount(user_days // 1_000_000, minlength=n)
    span = max((t.max() - t.min()) / 86_400, 1.0)
    activity = np.clip(days / span, 1.0 / span, 1.0)
    patience = np.clip(np.ceil(per_user / np.maximum(sessions, 1)), 1, max_patience)
    return activity, patience.astype(np.int32)


def rescale_activity(activity: np.ndarray, share: float, floor: float = 0.005) -> np.ndarray:
    """Activity scaled so its mean is ``share`` (clipped to ``[floor, 1]``, then re-scaled once)."""
    if not 0 < share <= 1:
        raise ValueError(f"daily_active_share must lie in (0, 1], got {share}")
    scaled = np.clip(activity * share / activity.mean(), floor, 1.0)
    return np.clip(scaled * share / scaled.mean(), floor, 1.0)


def calibrate_no_click(
    users: np.ndarray,
    items: np.ndarray,
    static: np.ndarray,
    scale: float,
    slates: np.ndarray,
    target_ctr: float,
) -> float:
    """The no-click logit at which ``users[i]`` click ``slates[i]`` at the rate ``target_ctr``.

    The click probability of a slate is the MNL share of its items against the no-click option
    (position examination aside), averaged over the given users.
    """
    if not 0 < target_ctr < 1:
        raise ValueError(f"the anchor click rate must lie in (0, 1), got {target_ctr}")
    logits = scale * np.einsum("nd,nkd->nk", users, items[slates]) + static[slates]
    top = float(logits.max())

    def gap(no_click: float) -> float:
        weights = np.exp(logits - no_click)
        return float(np.mean(weights.sum(1) / (1.0 + weights.sum(1)))) - target_ctr

    return float(optimize.brentq(gap, top - 80.0, top + 80.0))


def fit_simulator(
    log: InteractionLog,
    dim: int = 32,
    seed: int = 0,
    affinity: AffinityParams | None = None,
    method: FactorMethod = "als",
    daily_active_share: float | None = 0.25,
    popular_slate_ctr: float | None = 0.3,
) -> FittedSimulator:
    """Calibrate a population and a corpus on ``log`` (use the training part of a split).

    ``affinity`` gives the non-fitted affinity weights (defaults otherwise); the fitted
    simulator's :meth:`FittedSimulator.config` returns them with the fitted scale. ``method``
    picks the latent factors: ``"als"`` (default; on MovieLens 100K its held-out popularity KS
    and AUC beat SVD's) or ``"svd"`` (see :mod:`.factors`).

    ``daily_active_share`` rescales the fitted activity so that this share of users visits on an
    average day, keeping each user's activity relative to the others. Logs of ratings measure
    when people rated, not how often they visit: MovieLens latest-small spans 21 years, so its
    raw activity would bring about one visitor a week. ``None`` keeps the raw activity.

    ``popular_slate_ctr`` sets the no-click logit so that the slate of the log's 10 most
    popular items is clicked with this probability. Logs of ratings carry no
    impressions, so the no-click level is an assumption, stated here; anchoring it on a
    non-personalised baseline leaves room above for personalised pipelines. (Anchoring on
    uniformly random slates instead, at a 5% click rate, let popularity slates on MovieLens
    latest-small be clicked 88% of the time: no room to improve.) ``None`` keeps
    ``affinity.no_click``.
    """
    affinity = affinity or AffinityParams()
    rng = np.random.default_rng(seed)
    users, items = latent_factors(log, dim, method, seed)
    category, names = item_categories(log, items)
    counts = log.item_counts().astype(np.float64) + 1.0
    first_seen = pd.Series(log.timestamps).groupby(log.items).min()
    age = np.zeros(log.n_items)
    if log.has_timestamps:
        age[first_seen.index] = (log.timestamps.max() - first_seen.to_numpy()) / 86_400
    corpus = Corpus(items, category, item_quality(log), counts / counts.sum(), age, len(names))
    scale, ks = fit_scale(log, users, items, static_item_logits(corpus, affinity), rng)
    activity, patience = user_activity(log)
    if daily_active_share is not None:
        activity = rescale_activity(activity, daily_active_share)
    population = Population.from_traits(
        users, activity, patience, user_segments(log), corpus.n_categories
    )
    affinity = replace(affinity, scale=scale)
    static = static_item_logits(corpus, affinity)
    if popular_slate_ctr is not None:
        who = rng.choice(log.n_users, min(log.n_users, 2_000), replace=False)
        top = np.argsort(-log.item_counts(), kind="stable")[:10]
        no_click = calibrate_no_click(users[who], items, static, scale,
                                      np.tile(top, (len(who), 1)), popular_slate_ctr)
        affinity = replace(affinity, no_click=no_click)
    relative = scale * np.einsum("nd,nd->n", users[log.users], items[log.items])
    relative += static[log.items] - affinity.no_click
    response = rating_response(log, relative, corpus.quality[log.items], rng)
    return FittedSimulator(population, corpus, affinity, response, ks, names)


def rating_response(
    log: InteractionLog, relative: np.ndarray, quality: np.ndarray, rng: np.random.Generator
) -> ResponseParams:
    """Response defaults with the rating bias that reproduces the log's mean rating.

    The logged pairs are the chosen items, so the simulated rating of exactly those pairs
    (``relative`` logits over no-click, item ``quality``, fixed noise draws) is matched to the
    logged mean by a one-dimensional root search.
    """
    params = ResponseParams()
    if log.label_kind != "rating" or not 1 <= log.labels.min() <= log.labels.max() <= 5:
        return params
    target = float(log.labels.mean())
    base = (
        params.rating_affinity * relative
        + params.rating_quality * (2.0 * quality - 1.0)
        + params.rating_noise * rng.standard_normal(len(relative))
    )

    def gap(bias: float) -> float:
        return float(np.mean(1.0 + 4.0 / (1.0 + np.exp(-(bias + base))))) - target

    return replace(params, rating_bias=float(optimize.brentq(gap, -20.0, 20.0)))
