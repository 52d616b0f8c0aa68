"""What an agent knows about the world: segment shares, drift indicators, objective weights.

Context is a pure function of the scenario and its phase, computed once per (scenario, phase)
from the scenario's schedule (:func:`agentic_env.simulator.make_scenario`): the shift of every
preset starts at phase 1, as in the evaluator's simulation protocol. Values lie in ``[0, 1]``.
"""

from __future__ import annotations

import numpy as np

from agentic_env.data.segments import USER_SEGMENTS
from agentic_env.simulator.metrics import ObjectiveWeights
from agentic_env.simulator.scenario import (
    NewItemWave,
    ObjectiveShift,
    TrendShift,
    UserMixShift,
    make_scenario,
)

DRIFTS = (UserMixShift, TrendShift, NewItemWave, ObjectiveShift)
#: Segment shares before any shift (uniform when the table's metadata gives none).
BASE_SHARES = np.full(len(USER_SEGMENTS), 1.0 / len(USER_SEGMENTS))
WEIGHT_SCALE = 5.0
N_CONTEXT = len(USER_SEGMENTS) + len(DRIFTS) + 1 + 5


def context_vector(scenario: str, phase: int, n_phases: int,
                   base_shares: np.ndarray = BASE_SHARES) -> np.ndarray:
    """``N_CONTEXT`` features: segment shares, active drifts, phase, objective weights."""
    try:
        events = [e for _, e in make_scenario(scenario, shift_day=1).events] if phase >= 1 else []
    except ValueError:  # a scenario the simulator does not know: no drift information
        events = []
    shares = np.asarray(base_shares, np.float64).copy()
    weights = ObjectiveWeights()
    for event in events:
        if isinstance(event, UserMixShift) and event.segment in USER_SEGMENTS:
            shares = shares / (1.0 + event.fraction)
            shares[USER_SEGMENTS.index(event.segment)] += event.fraction / (1.0 + event.fraction)
        if isinstance(event, ObjectiveShift):
            weights = event.weights
    drift = [float(any(isinstance(e, kind) for e in events)) for kind in DRIFTS]
    w = [weights.clicks, weights.watch_time, weights.conversions, weights.retention, weights.risk]
    phase_frac = phase / max(n_phases - 1, 1)
    out = np.concatenate([shares, drift, [phase_frac], np.clip(np.array(w) / WEIGHT_SCALE, 0, 1)])
    return out.astype(np.float32)


def context_table(scenarios: tuple[str, ...], n_phases: int) -> np.ndarray:
    """``(n_scenarios, n_phases, N_CONTEXT)`` context of every scenario and phase."""
    return np.stack([np.stack([context_vector(s, p, n_phases) for p in range(n_phases)])
                     for s in scenarios])
