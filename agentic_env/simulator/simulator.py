"""The story: one simulation step, a simulated day of sessions, and the scripted day change.

``UserSimulator.step(users, slates)`` shows one slate to each user in the batch, samples what
they pick and how they respond, and updates their state. ``simulate_day(recommend_fn)`` serves
the sessions of a day to the users who visit, asking ``recommend_fn(user_ids) -> (n, k) item
ids`` for every slate (any recommender pipeline's ``serve`` fits), and returns the outer
metrics. ``advance_day()`` ages the corpus, lets interests drift and applies the scenario.

All randomness comes from one ``numpy.random.Generator`` seeded at construction, so the same
population, corpus, config, scenario, seed and recommender give identical outputs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agentic_env.simulator import transition as tr
from agentic_env.simulator.affinity import AffinityKernel, AffinityParams, static_item_logits
from agentic_env.simulator.choice import Examination, default_eta, sample_choice
from agentic_env.simulator.corpus import Corpus
from agentic_env.simulator.events import apply_event
from agentic_env.simulator.metrics import DayReport, MetricsAccumulator, ObjectiveWeights
from agentic_env.simulator.population import Population
from agentic_env.simulator.response import ResponseParams, Responses, sample_responses
from agentic_env.simulator.scenario import Event, Scenario
from agentic_env.simulator.validation import SimulatorInputError, check_slates, check_users

RecommendFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that parameterises the user model (calibration fills the affinity scale).

    Attributes:
        affinity, response, transition: Parameters of each model.
        examination: ``"none"``, ``"position"`` or ``"cascade"`` (see :mod:`.choice`).
        eta: Examination probability per position; ``None`` uses ``1 / log2(pos + 1)``.
        objective: Initial business objective weights.
        low_quality_threshold: Items below this quality count as risky exposure.
    """

    affinity: AffinityParams = field(default_factory=AffinityParams)
    response: ResponseParams = field(default_factory=ResponseParams)
    transition: tr.TransitionParams = field(default_factory=tr.TransitionParams)
    examination: Examination = "position"
    eta: tuple[float, ...] | None = None
    objective: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    low_quality_threshold: float = 0.3


class UserSimulator:
    """A population of simulated users facing a corpus, under a scenario (see module docstring).

    The population and corpus are copied, so one calibrated pair can seed many simulators.
    """

    def __init__(
        self,
        population: Population,
        corpus: Corpus,
        config: SimulatorConfig | None = None,
        scenario: Scenario | None = None,
        seed: int = 0,
    ) -> None:
        if population.interests.shape[1] != corpus.dim:
            raise SimulatorInputError(
                f"user interests have dimension {population.interests.shape[1]} but item "
                f"vectors {corpus.dim}"
            )
        if population.history.shape[1] != corpus.n_categories:
            raise SimulatorInputError(
                f"user history has {population.history.shape[1]} categories, the corpus "
                f"{corpus.n_categories}"
            )
        self.population = copy.deepcopy(population)
        self.corpus = copy.deepcopy(corpus)
        self.config = config or SimulatorConfig()
        self.scenario = scenario or Scenario()
        self.rng = np.random.default_rng(seed)
        self.day = 0
        self.weights = self.config.objective
        self.applied: list[tuple[int, Event]] = []
        self._kernel = AffinityKernel(corpus.dim)
        self._apply_events()

    # -- one step ---------------------------------------------------------------------------
    def step(self, users: np.ndarray, slates: np.ndarray) -> Responses:
        """Show ``slates[i]`` to ``users[i]``; sample the responses and update the users' state."""
        pop, corpus, cfg = self.population, self.corpus, self.config
        users = check_users(users, pop.n_users)
        slates = check_slates(slates, len(users), corpus.n_items)
        n, k = slates.shape
        n_cat = corpus.n_categories
        # 1. The shown items' categories and each user's recent exposure to them (boredom).
        local = np.arange(0, n * n_cat, n_cat)[:, None] + corpus.category[slates]
        history = pop.history[users]
        seen = history.ravel()[local]
        # 2. Affinities: interests . item vectors + item terms - boredom - fatigue.
        logits = self._kernel.logits(
            pop.interests[users], pop.fatigue[users], seen, corpus.vectors, self._static,
            slates, cfg.affinity,
        )
        # 3. Choice: MNL with a no-click option under the examination model.
        no_click = cfg.affinity.no_click
        choice = sample_choice(logits, no_click, self.rng, cfg.examination, self._eta(k))
        # 4. Response of the clickers: watch time, rating, conversion.
        rows = np.flatnonzero(choice >= 0)
        relative = logits[rows, choice[rows]].astype(np.float64) - no_click
        out = sample_responses(
            users, slates, choice, relative, corpus.quality, cfg.response, self.rng
        )
        # 5. Transition: boredom history, fatigue, satisfaction, interest drift.
        tr.update_history(history, tr.exposure_counts(local, n, n_cat), k, cfg.transition)
        pop.history[users] = history
        tr.add_fatigue(pop, users, cfg.transition)
        tr.update_satisfaction(pop, users, out.quality, cfg.transition)
        tr.drift_toward_clicks(pop, users, out.item, corpus.vectors, cfg.transition)
        # 6. Clicks feed tomorrow's item popularity.
        self._day_clicks += np.bincount(out.item[rows], minlength=len(self._day_clicks))
        return out

    def _eta(self, k: int) -> np.ndarray:
        if self.config.eta is None:
            return default_eta(k)
        if len(self.config.eta) < k:
            raise SimulatorInputError(
                f"config.eta covers {len(self.config.eta)} positions, the slate has {k}"
            )
        return np.asarray(self.config.eta[:k], np.float32)

    # -- one day ----------------------------------------------------------------------------
    def visitors(self, n_users: int | None = None) -> np.ndarray:
        """Sorted ids of today's visitors: not churned, drawn by activity, capped at ``n_users``."""
        pop = self.population
        draw = self.rng.random(pop.n_users) < pop.activity
        ids = np.flatnonzero(draw & ~pop.churned)
        if n_users is not None and len(ids) > n_users:
            ids = np.sort(self.rng.choice(ids, n_users, replace=False))
        return ids

    def simulate_day(self, recommend_fn: RecommendFn, n_users: int | None = None) -> DayReport:
        """Serve today's sessions with ``recommend_fn`` and return the day's outer metrics.

        Each visitor asks for slates until their patience is spent, or stops after a slate
        without a click with probability ``1 - continue_after_no_click``; at the end of the
        session they return (or churn) with a probability rising with satisfaction.
        """
        pop, tp = self.population, self.config.transition
        metrics = MetricsAccumulator()
        active = self.visitors(n_users)
        pop.fatigue[active] = 0.0
        budget = pop.patience[active].copy()
        while active.size:
            slates = np.asarray(recommend_fn(active))
            out = self.step(active, slates)
            self._record_exposure(metrics, active, slates, out)
            budget -= 1
            go_on = out.click | (self.rng.random(len(active)) < tp.continue_after_no_click)
            keep = (budget > 0) & go_on
            ended = active[~keep]
            metrics.add_sessions(pop.segment[ended], tr.end_sessions(pop, ended, tp, self.rng))
            active, budget = active[keep], budget[keep]
        return metrics.report(self.day, self.weights)

    def _record_exposure(
        self, metrics: MetricsAccumulator, users: np.ndarray, slates: np.ndarray, out: Responses
    ) -> None:
        k = slates.shape[1]
        cats = np.sort(self.corpus.category[slates], axis=1)
        distinct = 1 + np.count_nonzero(cats[:, 1:] != cats[:, :-1], axis=1)
        metrics.add_step(
            self.population.segment[users],
            k,
            out.click,
            out.watch_time,
            out.conversion,
            distinct / min(k, self.corpus.n_categories),
            self._novelty[slates].sum(axis=1),
            self._low_quality[slates].sum(axis=1),
        )

    def run(
        self, recommend_fn: RecommendFn, days: int, n_users: int | None = None
    ) -> list[DayReport]:
        """Simulate ``days`` days, advancing the day (and the scenario) after each."""
        reports = []
        for _ in range(days):
            reports.append(self.simulate_day(recommend_fn, n_users))
            self.advance_day()
        return reports

    # -- day change -------------------------------------------------------------------------
    def advance_day(self) -> tuple[Event, ...]:
        """Age items, drift interests, start the next day and apply its scheduled events."""
        self.corpus.advance_day(self._day_clicks)
        tr.daily_drift(self.population, self.config.transition, self.rng)
        if self.scenario.daily_new_items:
            self.corpus.add_items(*self.corpus.sample_new(self.scenario.daily_new_items, self.rng))
        self.day += 1
        return self._apply_events()

    def _apply_events(self) -> tuple[Event, ...]:
        events = self.scenario.events_at(self.day)
        for event in events:
            weights = apply_event(event, self.population, self.corpus, self.rng)
            self.weights = weights or self.weights
            self.applied.append((self.day, event))
        self._refresh_items()
        return events

    def _refresh_items(self) -> None:
        """Recompute the per-item arrays that change only between days."""
        corpus = self.corpus
        self._static = static_item_logits(corpus, self.config.affinity)
        self._novelty = corpus.novelty()
        self._low_quality = (corpus.quality < self.config.low_quality_threshold).astype(np.int8)
        self._day_clicks = np.zeros(corpus.n_items, np.int64)
