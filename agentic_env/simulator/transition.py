"""The transition model: how a user's state changes after a slate, a session and a day.

Kept apart from the choice model (what is picked), as in RecSim. Every function updates the
population arrays in place for a batch of users; none draws random numbers except the daily
drift and the retention draw, which take the simulator's generator.

* Boredom: an exponential moving share of exposure per category; a slate full of one category
  raises that category's share, which lowers its logits next time.
* Fatigue: grows by a fixed step per slate within a session, reset when a session starts.
* Satisfaction: moving average of ``2 * quality - 1`` of clicked items and a penalty for slates
  with no click; it sets the probability of coming back (retention).
* Interest drift: a click pulls the user's interests toward the clicked item; a small daily
  random walk models drift that no recommender causes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentic_env.simulator.population import Population


@dataclass(frozen=True)
class TransitionParams:
    """Rates of the state updates.

    Attributes:
        history_decay: Weight kept by the category exposure share per slate.
        fatigue_step: Fatigue added per slate within a session.
        satisfaction_decay: Weight kept by satisfaction per slate.
        no_click_penalty: Satisfaction signal of a slate with no click (negated).
        drift_rate: Fraction of the way a click moves interests toward the clicked item.
        daily_drift: Daily random-walk step, relative to the interests' spread.
        retention_bias, retention_slope: ``P(return) = sigmoid(bias + slope * satisfaction)``.
        reactivation: Daily probability that a churned user comes back anyway.
        continue_after_no_click: Probability of asking for another slate after no click.
    """

    history_decay: float = 0.8
    fatigue_step: float = 0.05
    satisfaction_decay: float = 0.9
    no_click_penalty: float = 0.2
    drift_rate: float = 0.05
    daily_drift: float = 0.02
    retention_bias: float = 1.5
    retention_slope: float = 3.0
    reactivation: float = 0.05
    continue_after_no_click: float = 0.7


def exposure_counts(local_index: np.ndarray, n_rows: int, n_categories: int) -> np.ndarray:
    """``(n, C)`` count of shown items per category; ``local_index = row * C + category``."""
    counts = np.bincount(local_index.ravel(), minlength=n_rows * n_categories)
    return counts.reshape(n_rows, n_categories)


def update_history(
    history_rows: np.ndarray, counts: np.ndarray, slate_size: int, params: TransitionParams
) -> None:
    """Blend the slate's category shares into ``history_rows`` (a batch's rows, in place)."""
    history_rows *= np.float32(params.history_decay)
    history_rows += np.float32((1.0 - params.history_decay) / slate_size) * counts


def update_satisfaction(
    population: Population,
    users: np.ndarray,
    picked_quality: np.ndarray,
    params: TransitionParams,
) -> None:
    """Move satisfaction toward ``2 q - 1`` after a click, toward the penalty after none."""
    signal = np.where(
        np.isnan(picked_quality), -params.no_click_penalty, 2.0 * picked_quality - 1.0
    )
    keep = params.satisfaction_decay
    sat = population.satisfaction[users]
    population.satisfaction[users] = keep * sat + (1.0 - keep) * signal


def add_fatigue(population: Population, users: np.ndarray, params: TransitionParams) -> None:
    population.fatigue[users] += np.float32(params.fatigue_step)


def drift_toward_clicks(
    population: Population,
    users: np.ndarray,
    items: np.ndarray,
    item_vectors: np.ndarray,
    params: TransitionParams,
) -> None:
    """Pull the interests of users who clicked toward their clicked items' vectors."""
    clicked = items >= 0
    who = users[clicked]
    current = population.interests[who]
    current += np.float32(params.drift_rate) * (item_vectors[items[clicked]] - current)
    population.interests[who] = current


def return_probability(satisfaction: np.ndarray, params: TransitionParams) -> np.ndarray:
    """Probability of coming back for a next session, rising with satisfaction."""
    z = params.retention_bias + params.retention_slope * satisfaction.astype(np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def end_sessions(
    population: Population,
    users: np.ndarray,
    params: TransitionParams,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw who returns after their session; the others churn. Returns the bool draw."""
    returns = rng.random(len(users)) < return_probability(population.satisfaction[users], params)
    population.churned[users] = ~returns
    population.fatigue[users] = 0.0
    return returns


def daily_drift(population: Population, params: TransitionParams, rng: np.random.Generator) -> None:
    """Random walk of every user's interests, and a chance for churned users to come back."""
    if params.daily_drift:
        spread = population.interests.std(axis=0, keepdims=True)
        step = rng.standard_normal(population.interests.shape, dtype=np.float32)
        population.interests += np.float32(params.daily_drift) * spread * step
    back = rng.random(population.n_users) < params.reactivation
    population.churned &= ~back
