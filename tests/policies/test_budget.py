from __future__ import annotations

import pytest

from policies.budget import Budget, BudgetMeter


def test_meter_stops_at_evaluations_or_seconds() -> None:
    meter = BudgetMeter(Budget(evaluations=3, seconds=10.0))
    meter.charge(2.0)
    meter.charge(2.0)
    assert not meter.exhausted and meter.remaining_evaluations == 1
    meter.charge(2.0)
    assert meter.exhausted
    by_time = BudgetMeter(Budget(seconds=5.0))
    by_time.charge(4.0)
    assert not by_time.exhausted
    by_time.charge(1.5)
    assert by_time.exhausted and by_time.remaining_evaluations is None


def test_child_meter_charges_parent_and_stops_on_either() -> None:
    run = BudgetMeter(Budget(evaluations=5))
    phase = run.child(Budget(evaluations=10))
    for _ in range(5):
        phase.charge(1.0)
    assert run.evaluations == 5 and run.seconds == 5.0
    assert phase.exhausted and phase.remaining_evaluations == 0


def test_bad_budgets_are_rejected() -> None:
    with pytest.raises(ValueError, match="both are None"):
        Budget()
    with pytest.raises(ValueError, match="evaluations must be"):
        Budget(evaluations=0)
    with pytest.raises(ValueError, match="cannot charge"):
        BudgetMeter(Budget(evaluations=1)).charge(-1.0)
