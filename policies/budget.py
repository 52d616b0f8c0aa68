"""Budget accounting shared by RL and search: evaluations and compute seconds.

Every method is charged the same way — one evaluation and the evaluation's *compute* seconds (the
cost the evaluator or the benchmark table reports, not this process's wall-clock time) — so that
anytime curves of PPO and of TPE are comparable on either axis. A meter may have a parent: a
schedule phase charges its own meter and, through it, the run's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Limits of a run or phase; ``None`` means unlimited on that axis (not on both)."""

    evaluations: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.evaluations is None and self.seconds is None:
            raise ValueError("a budget needs evaluations and/or seconds; both are None")
        if self.evaluations is not None and self.evaluations < 1:
            raise ValueError(f"evaluations must be >= 1, got {self.evaluations}")
        if self.seconds is not None and not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"seconds must be a finite number > 0, got {self.seconds}")


class BudgetMeter:
    """What has been spent against a :class:`Budget` (and, through ``parent``, a larger one)."""

    def __init__(self, budget: Budget, parent: BudgetMeter | None = None) -> None:
        self.budget = budget
        self.parent = parent
        self.evaluations = 0
        self.seconds = 0.0

    def charge(self, cost_seconds: float, evaluations: int = 1) -> None:
        """Spend ``evaluations`` evaluations costing ``cost_seconds`` in all."""
        cost = float(cost_seconds)
        if not math.isfinite(cost) or cost < 0 or evaluations < 0:
            raise ValueError(f"cannot charge {evaluations} evaluations costing {cost_seconds}s")
        self.evaluations += evaluations
        self.seconds += cost
        if self.parent is not None:
            self.parent.charge(cost, evaluations)

    @property
    def exhausted(self) -> bool:
        """Whether this meter or any parent has reached a limit."""
        b = self.budget
        mine = (b.evaluations is not None and self.evaluations >= b.evaluations) or (
            b.seconds is not None and self.seconds >= b.seconds
        )
        return mine or (self.parent is not None and self.parent.exhausted)

    @property
    def remaining_evaluations(self) -> int | None:
        """Evaluations left before a limit on the evaluation axis (None when unlimited)."""
        limits = []
        meter: BudgetMeter | None = self
        while meter is not None:
            if meter.budget.evaluations is not None:
                limits.append(meter.budget.evaluations - meter.evaluations)
            meter = meter.parent
        return max(0, min(limits)) if limits else None

    def child(self, budget: Budget) -> BudgetMeter:
        """A meter for a part of this run (a phase) that also charges this one."""
        return BudgetMeter(budget, parent=self)

    def __repr__(self) -> str:
        return (f"BudgetMeter({self.evaluations}/{self.budget.evaluations} evaluations, "
                f"{self.seconds:.1f}/{self.budget.seconds} s)")
