from __future__ import annotations

import numpy as np
import pytest

from policies.saturation import SaturationDetector


def test_fires_on_a_plateau_after_the_window() -> None:
    detector = SaturationDetector(window=10, tolerance=0.01)
    curve = [*np.linspace(0.0, 1.0, 20), *([0.9] * 15)]  # rises, then stays below its best
    fired = [detector.update(v) for v in curve]
    assert not any(fired[:29])  # the best last rose at update 19; a window of 10 ends at 29
    assert all(fired[30:])
    assert detector.steps_since_improvement == 15


def test_does_not_fire_on_a_rising_noisy_curve() -> None:
    rng = np.random.default_rng(0)
    detector = SaturationDetector(window=10, tolerance=0.01)
    curve = np.linspace(0.0, 3.0, 200) + rng.normal(scale=0.05, size=200)
    assert not any(detector.update(v) for v in curve)


def test_relative_tolerance_scales_with_the_reward_range_and_reset_forgets() -> None:
    detector = SaturationDetector(window=5, tolerance=0.1, relative=True)
    for v in [0.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0]:  # +5 over 5 steps < 10% of 105
        detector.update(v)
    assert detector.saturated
    detector.reset()
    assert not detector.saturated and detector.best == []


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="window"):
        SaturationDetector(window=0)
    with pytest.raises(ValueError, match="not finite"):
        SaturationDetector().update(float("nan"))
