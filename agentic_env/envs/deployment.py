"""The A/B stage of a deployment cycle (the AutoPerf side).

A new configuration serves a ``traffic`` fraction of users against the incumbent. The split is
measured in ``n_batches`` user batches: the treatment gets ``max(2, round(traffic * n_batches))``
of them, the control the rest (at least 2). Each batch's outcome is one draw of the objective
(in table mode: a stored repeat, so the noise is the evaluator's own). A one-sided Welch t-test
(``scipy.special.stdtr``, the Student t CDF) decides:

* **rollout** when the treatment is better at level ``alpha``;
* **rollback** otherwise (the incumbent stays);
* a **risk event** when the treatment is *worse* at level ``alpha`` -- users were harmed.

What users experienced during the cycle is the traffic-weighted mean of both arms; rollbacks
and risk events can cost reward (``rollback_penalty``, ``risk_penalty``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.special import stdtr


@dataclass(frozen=True)
class ABConfig:
    """Settings of the A/B stage.

    Attributes:
        traffic: Share of users served by the new configuration, in ``(0, 1)``.
        n_batches: User batches per cycle (draws of the objective, both arms together).
        alpha: Significance level of the one-sided tests.
        rollback_penalty: Reward subtracted from every agent on a rollback.
        risk_penalty: Reward subtracted from every agent on a risk event.
    """

    traffic: float = 0.2
    n_batches: int = 10
    alpha: float = 0.1
    rollback_penalty: float = 0.0
    risk_penalty: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 < self.traffic < 1.0:
            raise ValueError(f"traffic must be in (0, 1), got {self.traffic}")
        if self.n_batches < 4:
            raise ValueError(f"n_batches must be >= 4 (2 per arm), got {self.n_batches}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha}")

    @property
    def arms(self) -> tuple[int, int]:
        """Batches of the (treatment, control) arms."""
        treat = max(2, round(self.traffic * self.n_batches))
        return treat, max(2, self.n_batches - treat)


@dataclass(frozen=True)
class ABDecision:
    """Outcome of one A/B stage."""

    rollout: bool
    p_better: float
    p_worse: float
    risk_event: bool
    experienced: float


def welch_p_values(treat: Sequence[float], control: Sequence[float]) -> tuple[float, float]:
    """One-sided p-values of ``mean(treat) > mean(control)`` and of ``<`` (Welch's t-test).

    With no spread in either arm the test is exact: 0 for a true difference, else 1. Plain
    Python on the few batch values: faster than numpy at this size.
    """
    nt, nc = len(treat), len(control)
    mt, mc = sum(treat) / nt, sum(control) / nc
    vt = sum((x - mt) ** 2 for x in treat) / (nt - 1)
    vc = sum((x - mc) ** 2 for x in control) / (nc - 1)
    se2 = vt / nt + vc / nc
    if se2 <= 1e-24:
        return (0.0 if mt > mc else 1.0), (0.0 if mt < mc else 1.0)
    df = se2 * se2 / ((vt / nt) ** 2 / (nt - 1) + (vc / nc) ** 2 / (nc - 1))
    p_better = float(stdtr(df, -(mt - mc) / math.sqrt(se2)))
    return p_better, 1.0 - p_better


def decide(treat: Sequence[float], control: Sequence[float], config: ABConfig) -> ABDecision:
    """Rollout, rollback and risk from the two arms' batch outcomes."""
    p_better, p_worse = welch_p_values(treat, control)
    experienced = (config.traffic * sum(treat) / len(treat)
                   + (1 - config.traffic) * sum(control) / len(control))
    return ABDecision(p_better < config.alpha, p_better, p_worse, p_worse < config.alpha,
                      experienced)
