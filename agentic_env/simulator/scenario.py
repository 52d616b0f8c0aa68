"""Scripted, seeded non-stationarity: schedules of events the simulator applies at day starts.

A scenario is data: a name and ``(day, event)`` pairs, each event a small frozen dataclass.
The simulator applies ``scenario.events_at(day)`` in :meth:`UserSimulator.advance_day`, drawing
any randomness from its own generator, so a scenario plus a seed fixes the whole run. Named
presets give compositional evolution something to react to: a wave of cold-start users, a
content trend, a wave of new items, a change of the business objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agentic_env.simulator.metrics import ObjectiveWeights


@dataclass(frozen=True)
class UserMixShift:
    """New users join: ``fraction`` of the current population, in segment ``segment``."""

    fraction: float = 0.5
    segment: str = "cold_start"


@dataclass(frozen=True)
class TrendShift:
    """Content trend: interests move toward a category and its quality rises.

    ``category=None`` lets the simulator draw the trending category from its generator.
    """

    category: int | None = None
    strength: float = 0.5
    quality_boost: float = 0.2


@dataclass(frozen=True)
class NewItemWave:
    """``n_items`` new items arrive (of one category, or any when ``category`` is None)."""

    n_items: int = 200
    category: int | None = None


@dataclass(frozen=True)
class ObjectiveShift:
    """The business objective's weights change from this day on."""

    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)


Event = UserMixShift | TrendShift | NewItemWave | ObjectiveShift


@dataclass(frozen=True)
class Scenario:
    """A named schedule of events, plus the steady daily item arrivals.

    Attributes:
        name: Preset or user-given name.
        events: ``(day, event)`` pairs; several may share a day and apply in order.
        daily_new_items: Items arriving every day (the regular corpus churn).
    """

    name: str = "stationary"
    events: tuple[tuple[int, Event], ...] = field(default_factory=tuple)
    daily_new_items: int = 0

    def __post_init__(self) -> None:
        for day, event in self.events:
            if day < 0:
                raise ValueError(f"scenario {self.name!r}: event {event} has negative day {day}")
            if not isinstance(event, UserMixShift | TrendShift | NewItemWave | ObjectiveShift):
                raise TypeError(f"scenario {self.name!r}: {event!r} is not a scenario event")
        if self.daily_new_items < 0:
            raise ValueError(f"daily_new_items must be >= 0, got {self.daily_new_items}")

    def events_at(self, day: int) -> tuple[Event, ...]:
        """Events scheduled for ``day``, in schedule order."""
        return tuple(event for when, event in self.events if when == day)


def _stationary(day: int) -> Scenario:
    return Scenario("stationary")


def _cold_start_wave(day: int) -> Scenario:
    return Scenario("cold_start_wave", ((day, UserMixShift(fraction=0.5)),))


def _trend_shift(day: int) -> Scenario:
    return Scenario("trend_shift", ((day, TrendShift()),))


def _new_item_wave(day: int) -> Scenario:
    return Scenario("new_item_wave", ((day, NewItemWave(n_items=300)),), daily_new_items=5)


def _objective_shift(day: int) -> Scenario:
    retention_first = ObjectiveWeights(clicks=0.2, watch_time=1.0, conversions=1.0, retention=5.0)
    return Scenario("objective_shift", ((day, ObjectiveShift(retention_first)),))


PRESETS: dict[str, Callable[[int], Scenario]] = {
    "stationary": _stationary,
    "cold_start_wave": _cold_start_wave,
    "trend_shift": _trend_shift,
    "new_item_wave": _new_item_wave,
    "objective_shift": _objective_shift,
}


def make_scenario(name: str, shift_day: int = 5) -> Scenario:
    """A named preset whose shift happens at the start of ``shift_day``."""
    if name not in PRESETS:
        raise ValueError(f"unknown scenario {name!r}; presets: {sorted(PRESETS)}")
    if shift_day < 0:
        raise ValueError(f"shift_day must be >= 0, got {shift_day}")
    return PRESETS[name](shift_day)
