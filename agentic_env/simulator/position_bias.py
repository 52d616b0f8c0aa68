"""Position bias from the Open Bandit Dataset's uniform-random logs.

Under the uniform-random policy every item is equally likely at every position, so the CTR at a
position estimates its examination probability up to a constant. Open Bandit slates have three
positions; a power law ``eta(p) = p ** -exponent``, fitted by binomial maximum likelihood,
extends the estimate to longer slates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from agentic_env.simulator.validation import SimulatorInputError

CAMPAIGNS: tuple[str, ...] = ("all", "men", "women")


@dataclass(frozen=True)
class PositionBias:
    """Per-position CTR of random-policy logs and the fitted examination curve.

    Attributes:
        shown: Impressions per position (1-based positions ``1..len(shown)``).
        clicks: Clicks per position.
        ctr: ``clicks / shown``.
        eta: CTR relative to position 1 (the examination estimate, ``eta[0] = 1``).
        exponent: Power-law exponent fitted on all positions (0 = no position bias).
    """

    shown: np.ndarray
    clicks: np.ndarray
    ctr: np.ndarray
    eta: np.ndarray
    exponent: float

    def curve(self, slate_size: int) -> np.ndarray:
        """Fitted examination probabilities for ``slate_size`` positions."""
        return np.arange(1, slate_size + 1, dtype=np.float64) ** -self.exponent


def load_random_logs(root: str | Path, campaigns: tuple[str, ...] = CAMPAIGNS) -> pd.DataFrame:
    """``position`` (1-based) and ``click`` columns of ``<root>/obd/random/<campaign>/*.csv``."""
    base = Path(root) / "obd" / "random"
    frames = []
    for campaign in campaigns:
        path = base / campaign / f"{campaign}.csv"
        if not path.is_file():
            raise SimulatorInputError(f"Open Bandit random log not found: {path}")
        frames.append(pd.read_csv(path, usecols=["position", "click"]))
    return pd.concat(frames, ignore_index=True)


def estimate_position_bias(frame: pd.DataFrame) -> PositionBias:
    """Per-position CTR and the maximum-likelihood power-law exponent (bounded to [0, 3])."""
    if frame.empty or not {"position", "click"} <= set(frame.columns):
        raise SimulatorInputError("need a non-empty table with 'position' and 'click' columns")
    grouped = frame.groupby("position")["click"].agg(["sum", "count"]).sort_index()
    clicks = grouped["sum"].to_numpy(np.float64)
    shown = grouped["count"].to_numpy(np.float64)
    positions = grouped.index.to_numpy(np.float64)
    ctr = clicks / shown
    eta = ctr / ctr[0] if ctr[0] > 0 else np.ones_like(ctr)

    def negative_log_likelihood(params: np.ndarray) -> float:
        base = 1.0 / (1.0 + np.exp(-params[0]))
        p = np.clip(base * positions ** -params[1], 1e-12, 1 - 1e-12)
        return -float(np.sum(clicks * np.log(p) + (shown - clicks) * np.log1p(-p)))

    start = np.array([np.log(max(ctr.mean(), 1e-6) / (1 - max(ctr.mean(), 1e-6))), 0.5])
    fit = optimize.minimize(
        negative_log_likelihood, start, bounds=[(-20.0, 5.0), (0.0, 3.0)], method="L-BFGS-B"
    )
    return PositionBias(shown, clicks, ctr, eta, float(fit.x[1]))
