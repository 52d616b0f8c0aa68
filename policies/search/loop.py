"""The one loop that drives every searcher: ask, evaluate, charge the budget, tell, record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from policies.budget import Budget, BudgetMeter
from policies.recording import RunRecorder
from policies.search.base import Searcher

#: code -> (reward, compute seconds, info); info may carry ``regret``, ``inner``, ``outer``.
Objective = Callable[[int], tuple[float, float, Mapping[str, Any]]]


@dataclass
class Trace:
    """Everything a run evaluated, in order: the input of :mod:`policies.metrics`."""

    method: str = ""
    codes: list[int] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    regrets: list[float] = field(default_factory=list)  # NaN where the objective gives none

    def add(self, code: int, reward: float, cost: float, info: Mapping[str, Any]) -> None:
        self.codes.append(int(code))
        self.rewards.append(float(reward))
        self.costs.append(float(cost))
        regret = info.get("regret")
        self.regrets.append(float(regret) if isinstance(regret, int | float) else float("nan"))

    def __len__(self) -> int:
        return len(self.codes)

    def best(self) -> tuple[int, float]:
        """The code with the best mean observed reward, and that mean."""
        if not self.codes:
            raise ValueError("the trace is empty")
        codes, rewards = np.asarray(self.codes), np.asarray(self.rewards)
        uniq, inverse = np.unique(codes, return_inverse=True)
        means = np.bincount(inverse, rewards) / np.bincount(inverse)
        i = int(np.argmax(means))
        return int(uniq[i]), float(means[i])


def run_search(searcher: Searcher, objective: Objective, budget: Budget | BudgetMeter, *,
               recorder: RunRecorder | None = None, trace: Trace | None = None) -> Trace:
    """Run ``searcher`` on ``objective`` until ``budget`` is spent; returns the trace."""
    meter = budget if isinstance(budget, BudgetMeter) else BudgetMeter(budget)
    trace = trace if trace is not None else Trace(method=searcher.name)
    while not meter.exhausted:
        code = searcher.ask()
        reward, cost, info = objective(code)
        meter.charge(cost)
        searcher.tell(code, reward)
        trace.add(code, reward, cost, info)
        if recorder is not None:
            recorder.evaluation(len(trace) - 1, code, reward, cost,
                                {**info, "method": searcher.name})
    return trace
