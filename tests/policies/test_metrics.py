from __future__ import annotations

import numpy as np
import pytest

from policies.budget import Budget
from policies.metrics import agent_trajectories, anytime, mean_ci, on_grid
from policies.recording import RunRecorder
from policies.search import RandomSearch, SearchSpace, Trace, run_search
from tests.policies.conftest import RADICES, synthetic_objective


def test_incumbent_curve_follows_best_mean_and_its_regret() -> None:
    trace = Trace()
    for code, reward, regret in [(1, 0.5, 0.3), (2, 0.9, 0.1), (2, 0.1, 0.1), (3, 0.2, 0.6)]:
        trace.add(code, reward, 2.0, {"regret": regret})
    curve = anytime(trace)
    assert curve.best_reward.tolist() == [0.5, 0.9, 0.5, 0.5]  # code 2's mean fell to 0.5
    assert curve.regret.tolist() == [0.3, 0.1, 0.3, 0.3]  # ties keep the first-seen code (1)
    assert curve.seconds.tolist() == [2.0, 4.0, 6.0, 8.0]
    assert anytime(trace, "as_recorded").regret.tolist() == [0.3, 0.1, 0.1, 0.6]
    assert np.isnan(on_grid(curve, np.array([0.5, 4.0]), "seconds")[0])
    assert on_grid(curve, np.array([0.5, 4.0, 100.0]), "seconds")[1:].tolist() == [0.1, 0.3]


def test_regret_of_a_search_never_exceeds_its_first_after_many_steps() -> None:
    objective = synthetic_objective(0, noise=0.0)
    trace = run_search(RandomSearch(SearchSpace(RADICES), seed=0), objective,
                       Budget(evaluations=50))
    curve = anytime(trace)
    assert (np.diff(curve.regret) <= 1e-12).all()  # noise-free: the incumbent only improves
    assert curve.regret[-1] == pytest.approx(objective.regret(trace.best()[0]))


def test_mean_ci_matches_the_t_interval() -> None:
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.302653 * 1.0 / np.sqrt(3), rel=1e-5)
    assert mean_ci([5.0]) == (5.0, 0.0)


def test_agent_trajectories_from_the_store(store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, "metrics-test", seed=0)
    recorder.evaluation(0, 3, 0.5, 1.0, {"inner": 0.7, "outer": 0.4}, agent="ranking")
    recorder.evaluation(1, 4, 0.6, 1.0, {"inner": {"a": 0.2, "b": 0.4}}, agent="fusion")
    frame = agent_trajectories(store, recorder.run_id)
    assert frame["agent"].tolist() == ["ranking", "fusion"]
    assert frame["inner"].tolist() == pytest.approx([0.7, 0.3])
    assert frame["outer"].tolist() == pytest.approx([0.4, 0.6])


def test_recorder_keeps_inner_and_outer_metrics(store) -> None:  # type: ignore[no-untyped-def]
    recorder = RunRecorder(store, "recorder-test", seed=0, config_of=lambda c: {"code": c})
    recorder.evaluation(0, 3, 0.5, 2.0, {"inner": 0.7, "outer": {"ctr": 0.1}, "repeat": 1},
                        agent="ranking")
    row = store.evaluations().iloc[0]
    assert row["inner.ranking"] == 0.7 and row["outer.ctr"] == 0.1
    assert row["seed"] == 1 and row["cost_seconds"] == 2.0 and row["agent"] == "ranking"
    with pytest.raises(ValueError, match="shadow"):
        recorder.event(0, "decision.x", {"kind": "oops"})
