"""User population simulator (RecSim NG style, numpy): the outer reward of every experiment.

Entry points: :class:`UserSimulator` (``step``, ``simulate_day``, ``advance_day``),
:func:`fit_simulator` to calibrate users and items on an interaction log, and the scenario
presets of :func:`make_scenario`.
"""

from agentic_env.simulator.affinity import AffinityParams
from agentic_env.simulator.choice import choice_probabilities, sample_choice
from agentic_env.simulator.corpus import Corpus
from agentic_env.simulator.fit import FittedSimulator, fit_simulator
from agentic_env.simulator.metrics import DayReport, ObjectiveWeights, OuterMetrics
from agentic_env.simulator.population import Population
from agentic_env.simulator.response import ResponseParams, Responses
from agentic_env.simulator.scenario import (
    NewItemWave,
    ObjectiveShift,
    Scenario,
    TrendShift,
    UserMixShift,
    make_scenario,
)
from agentic_env.simulator.simulator import SimulatorConfig, UserSimulator
from agentic_env.simulator.transition import TransitionParams
from agentic_env.simulator.validation import SimulatorInputError

__all__ = [
    "AffinityParams",
    "Corpus",
    "DayReport",
    "FittedSimulator",
    "NewItemWave",
    "ObjectiveShift",
    "ObjectiveWeights",
    "OuterMetrics",
    "Population",
    "ResponseParams",
    "Responses",
    "Scenario",
    "SimulatorConfig",
    "SimulatorInputError",
    "TransitionParams",
    "TrendShift",
    "UserMixShift",
    "UserSimulator",
    "choice_probabilities",
    "fit_simulator",
    "make_scenario",
    "sample_choice",
]
