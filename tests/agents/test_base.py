"""Agent registration enforces the three AgenticRS constraints and names the one that fails."""

from __future__ import annotations

from typing import Any

import pytest

from agents.base import (
    CLOSED_LOOP,
    EVALUABLE,
    EVOLVABLE,
    Agent,
    AgentConstraintError,
    check_agent,
    register_agent,
    registered,
)
from agents.space import DecisionSpace, Float


class Complete(Agent):
    name = "test_complete"
    inputs = ("log",)
    decision = "slate order"
    feedback = "clicks"
    inner_metrics = ("auc",)

    def decision_space(self) -> DecisionSpace:
        return DecisionSpace([Float("lr", 1e-3, 1e-1, log=True)])

    def fit(self, *args: Any, **kwargs: Any) -> Complete:
        return self

    def evaluate(self, *args: Any, **kwargs: Any) -> dict[str, float]:
        return {"auc": 0.5}


def variant(**attrs: Any) -> type[Agent]:
    return type("Variant", (Complete,), attrs)


def test_a_complete_agent_registers() -> None:
    assert register_agent(Complete) is Complete
    assert registered()["test_complete"] is Complete


@pytest.mark.parametrize(("attrs", "constraint", "why"), [
    ({"inputs": ()}, CLOSED_LOOP, "no declared inputs"),
    ({"decision": ""}, CLOSED_LOOP, "no declared decision"),
    ({"feedback": ""}, CLOSED_LOOP, "no declared feedback"),
    ({"inner_metrics": ()}, EVALUABLE, "no inner metric"),
    ({"evaluate": Agent.evaluate}, EVALUABLE, "evaluate"),
    ({"decision_space": lambda self: DecisionSpace([])}, EVOLVABLE, "decision space is empty"),
    ({"fit": None}, EVOLVABLE, "no update mechanism"),
])
def test_registration_refuses_each_failing_constraint(attrs: dict[str, Any], constraint: str,
                                                      why: str) -> None:
    with pytest.raises(AgentConstraintError, match=why) as err:
        register_agent(variant(name="test_bad", **attrs))
    assert err.value.constraint == constraint
    assert constraint in str(err.value)
    assert "test_bad" not in registered()


def test_apply_counts_as_an_update_mechanism() -> None:
    agent = check_agent(variant(fit=None, apply=lambda self, config: self))
    assert isinstance(agent, Complete)


def test_instances_register_and_kind_is_checked() -> None:
    register_agent(Complete())
    with pytest.raises(ValueError, match="kind must be one of"):
        check_agent(variant(kind="helper"))


def test_the_pipeline_agents_are_registered_with_their_kinds() -> None:
    import agents.fusion
    import agents.ranking
    import agents.reranking
    import agents.retrieval_agent
    import agents.router  # noqa: F401

    agents_by_name = registered()
    for name in ("retrieval", "fusion", "ranking", "reranking"):
        assert agents_by_name[name].kind == "model-centric"
    assert agents_by_name["router"].kind == "functional"
