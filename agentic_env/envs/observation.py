"""An agent's observation: one flat ``Box[-1, 1]`` vector.

Layout (all ``float32``)::

    context  (N_CONTEXT)  segment shares, drift indicators, phase, objective weights
    dynamic  (N_DYNAMIC)  budget left, time, last inner, last outer, last reward, last rollout
    config   (sum radix)  one-hot of the deployed value of each knob the agent sets

Only the last reward may be negative (clipped to ``[-1, 1]``); the rest lie in ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gymnasium import spaces

from agentic_env.envs.core import N_CONTEXT, N_DYNAMIC, EvolutionCore


class ObservationLayout:
    """Builds one unit's observation from the core's state."""

    def __init__(self, radices: np.ndarray, positions: Sequence[int]) -> None:
        self.positions = np.asarray(positions, np.int64)
        own = np.asarray(radices, np.int64)[self.positions]
        self.offsets = N_CONTEXT + N_DYNAMIC + np.concatenate([[0], np.cumsum(own)[:-1]])
        self.size = N_CONTEXT + N_DYNAMIC + int(own.sum())
        self.space = spaces.Box(-1.0, 1.0, (self.size,), np.float32)

    def build(self, core: EvolutionCore, unit: int) -> np.ndarray:
        obs = np.zeros(self.size, np.float32)
        obs[:N_CONTEXT] = core.context
        obs[N_CONTEXT:N_CONTEXT + N_DYNAMIC] = core.dynamic(unit)
        obs[self.offsets + core.indices[self.positions]] = 1.0
        return obs
