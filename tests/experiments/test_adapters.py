"""A policies ``Trace`` becomes a history the report reads."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.adapters import history_from_trace
from experiments.report import summary
from policies.search.loop import Trace


def test_trace_to_history() -> None:
    trace = Trace()
    radices = [2, 3]
    for step, code in enumerate([0, 5, 4, 1]):
        trace.add(code, reward=float(step), cost=0.5, info={"regret": 3.0 - step})
    frame = history_from_trace(trace, agents={"a": [0], "b": [1]}, radices=radices,
                               phase_of=lambda n: int(n >= 2), actors=["a", "b", "a", "b"],
                               templates=[(3, "template_proposed", "gate", "b")])
    system = frame[(frame["agent"] == "system") & (frame["event"] == "")]
    assert system["config_code"].tolist() == [0, 5, 4, 1]
    assert system["phase"].tolist() == [0, 0, 1, 1]
    assert frame.loc[frame["event"] == "drift", "step"].tolist() == [2]
    b = frame[(frame["agent"] == "b") & (frame["event"] == "")]
    assert b["config_code"].tolist() == [int(np.unravel_index(c, radices)[1]) for c in
                                         [0, 5, 4, 1]]
    assert b["detail"].tolist() == ["", "acted", "", "acted"]
    figures = summary(frame)
    assert figures["final_regret"] == pytest.approx(0.0)  # anytime regret within phase 1
    assert figures["templates_proposed"] == 1
