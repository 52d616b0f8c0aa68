"""How each scenario event changes the population, the corpus or the objective.

Separate from :mod:`.scenario` (which only says *when*), so schedules stay plain data.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data.segments import USER_SEGMENTS
from agentic_env.simulator.corpus import Corpus
from agentic_env.simulator.metrics import ObjectiveWeights
from agentic_env.simulator.population import Population
from agentic_env.simulator.scenario import (
    Event,
    NewItemWave,
    ObjectiveShift,
    TrendShift,
    UserMixShift,
)


def apply_event(
    event: Event, population: Population, corpus: Corpus, rng: np.random.Generator
) -> ObjectiveWeights | None:
    """Apply ``event`` in place; return the new objective weights if it changes them."""
    if isinstance(event, UserMixShift):
        add_users(event, population, rng)
    elif isinstance(event, TrendShift):
        shift_trend(event, population, corpus, rng)
    elif isinstance(event, NewItemWave):
        corpus.add_items(*corpus.sample_new(event.n_items, rng, event.category))
    elif isinstance(event, ObjectiveShift):
        return event.weights
    else:
        raise TypeError(f"{event!r} is not a scenario event")
    return None


def add_users(event: UserMixShift, population: Population, rng: np.random.Generator) -> None:
    """New users with prior interests and low activity join under ``event.segment``."""
    if event.segment not in USER_SEGMENTS:
        raise ValueError(f"unknown segment {event.segment!r}; expected one of {USER_SEGMENTS}")
    n_new = max(1, round(event.fraction * population.n_users))
    newcomers = population.cold_start_like(n_new, rng)
    newcomers.segment[:] = USER_SEGMENTS.index(event.segment)
    population.extend(newcomers)


def shift_trend(
    event: TrendShift, population: Population, corpus: Corpus, rng: np.random.Generator
) -> int:
    """Move interests toward one category's centre and raise its quality; returns the category."""
    if event.category is None:
        category = int(rng.integers(0, corpus.n_categories))
        if not (corpus.category == category).any():  # an empty category: redraw among the rest
            category = int(rng.choice(np.unique(corpus.category)))
    else:
        category = event.category
    members = corpus.category == category
    if not members.any():
        raise ValueError(f"trend category {category} has no items")
    direction = corpus.vectors[members].mean(axis=0) - corpus.vectors.mean(axis=0)
    followers = rng.random(population.n_users).astype(np.float32)  # not everyone follows
    population.interests += event.strength * followers[:, None] * direction[None, :]
    corpus.quality[members] = np.minimum(corpus.quality[members] + event.quality_boost, 1.0)
    return category
