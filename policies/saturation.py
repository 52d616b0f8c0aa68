"""When has RL stopped improving? The signal that hands a schedule over to the LLM proposer.

The detector watches the best reward seen so far. It fires when, over the last ``window``
updates, that best has not risen by more than ``tolerance`` (absolute, or relative to the
spread of the rewards seen when ``relative``). A rising curve keeps raising its best and never
fires; a plateau fires ``window`` updates after its last improvement.
"""

from __future__ import annotations

import math


class SaturationDetector:
    """Fires when the best reward has improved by at most ``tolerance`` over ``window`` updates."""

    def __init__(self, window: int = 20, tolerance: float = 1e-3, relative: bool = False) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if not (math.isfinite(tolerance) and tolerance >= 0):
            raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance}")
        self.window, self.tolerance, self.relative = window, tolerance, relative
        self.reset()

    def reset(self) -> None:
        """Forget the history (a new phase, or the action set grew)."""
        self.best: list[float] = []
        self.low = math.inf

    def update(self, reward: float) -> bool:
        """Add one reward; True when saturated."""
        value = float(reward)
        if not math.isfinite(value):
            raise ValueError(f"reward {reward} is not finite")
        self.low = min(self.low, value)
        self.best.append(max(value, self.best[-1]) if self.best else value)
        return self.saturated

    @property
    def saturated(self) -> bool:
        if len(self.best) <= self.window:
            return False
        gain = self.best[-1] - self.best[-1 - self.window]
        scale = (self.best[-1] - self.low) if self.relative else 1.0
        return gain <= self.tolerance * scale

    @property
    def steps_since_improvement(self) -> int:
        """Updates since the best last rose by more than the tolerance."""
        if not self.best:
            return 0
        scale = (self.best[-1] - self.low) if self.relative else 1.0
        for back in range(1, len(self.best)):
            if self.best[-1] - self.best[-1 - back] > self.tolerance * scale:
                return back - 1
        return len(self.best) - 1
