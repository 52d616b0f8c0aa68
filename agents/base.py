"""The agent contract and the registry that enforces the AgenticRS definition of an agent.

A unit of the recommender is an *agent* only if it has (AgenticRS concept paper):

1. a **closed loop**: declared inputs, a decision that reaches users, and a feedback signal it can
   learn from;
2. **independent evaluability**: an inner metric mostly determined by itself;
3. an **evolvable decision space**: a non-empty :class:`~agents.space.DecisionSpace` and a
   mechanism (``fit`` or ``apply``) that changes its behaviour.

Everything else is a tool of an agent. :func:`register_agent` refuses a unit that fails a
constraint and says which one, so over-agentification is caught where it starts.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeVar

from agents.space import Config, DecisionSpace

AgentKind = Literal["model-centric", "functional"]
KINDS: tuple[str, ...] = ("model-centric", "functional")

CLOSED_LOOP = "constraint 1 (closed loop)"
EVALUABLE = "constraint 2 (independent evaluability)"
EVOLVABLE = "constraint 3 (evolvable decision space)"


class AgentConstraintError(ValueError):
    """A unit was registered as an agent but fails one of the three constraints."""

    def __init__(self, agent: str, constraint: str, why: str) -> None:
        super().__init__(f"{agent!r} is not an agent: {constraint} fails: {why}")
        self.agent = agent
        self.constraint = constraint


class Agent:
    """Base class: declare the loop as class attributes, the space in :meth:`decision_space`.

    Attributes:
        name: Registry name and the prefix of the agent's knobs in a pipeline.
        kind: ``"model-centric"`` (a model with its own training) or ``"functional"`` (a
            coordination unit such as a router).
        inputs: What the agent reads (e.g. ``("interaction log", "candidate sets")``).
        decision: What it decides that users end up seeing.
        feedback: The signal it can learn from.
        inner_metrics: Names of its own metrics, returned by :meth:`evaluate`.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[AgentKind] = "model-centric"
    inputs: ClassVar[tuple[str, ...]] = ()
    decision: ClassVar[str] = ""
    feedback: ClassVar[str] = ""
    inner_metrics: ClassVar[tuple[str, ...]] = ()

    def decision_space(self) -> DecisionSpace:
        """The knobs this agent can turn (memoise it: environments hold on to the objects)."""
        return DecisionSpace([])

    def validate(self, config: Config | None) -> Config:
        """``config`` completed with defaults and checked against the decision space."""
        return self.decision_space().validate(config or {})

    def evaluate(self, *args: Any, **kwargs: Any) -> dict[str, float]:
        """The inner metrics, computed by the agent itself on held-out data."""
        raise NotImplementedError


A = TypeVar("A", bound="type[Agent] | Agent")
REGISTRY: dict[str, type[Agent]] = {}


def _instance(unit: type[Agent] | Agent) -> Agent:
    if isinstance(unit, type):
        try:
            return unit()
        except TypeError as err:
            raise TypeError(f"cannot build {unit.__name__} with no arguments to check it; "
                            "register an instance instead") from err
    return unit


def _overrides(agent: Agent, method: str) -> bool:
    impl = getattr(type(agent), method, None)
    return callable(impl) and impl is not getattr(Agent, method, None)


def check_agent(unit: type[Agent] | Agent) -> Agent:
    """The checked instance, or :class:`AgentConstraintError` naming the failed constraint."""
    agent = _instance(unit)
    label = agent.name or type(agent).__name__
    if agent.kind not in KINDS:
        raise ValueError(f"{label!r}: kind must be one of {KINDS}, got {agent.kind!r}")
    missing = [what for what, value in (("inputs", agent.inputs), ("decision", agent.decision),
                                        ("feedback", agent.feedback)) if not value]
    if missing:
        raise AgentConstraintError(label, CLOSED_LOOP, f"no declared {', '.join(missing)}")
    if not agent.inner_metrics:
        raise AgentConstraintError(label, EVALUABLE, "no inner metric declared")
    if not _overrides(agent, "evaluate"):
        raise AgentConstraintError(label, EVALUABLE, "evaluate() is not implemented")
    if len(agent.decision_space()) == 0:
        raise AgentConstraintError(label, EVOLVABLE, "the decision space is empty")
    if not (_overrides(agent, "fit") or _overrides(agent, "apply")):
        raise AgentConstraintError(label, EVOLVABLE, "no update mechanism (fit or apply)")
    return agent


def register_agent(unit: A) -> A:
    """Check the three constraints and record the agent class; usable as a class decorator."""
    agent = check_agent(unit)  # type: ignore[arg-type]
    if not agent.name:
        raise ValueError(f"{type(agent).__name__} needs a non-empty name to be registered")
    known = REGISTRY.get(agent.name)
    if known is not None and known is not type(agent):
        raise ValueError(f"agent name {agent.name!r} is taken by {known.__name__}")
    REGISTRY[agent.name] = type(agent)
    return unit


def registered() -> dict[str, type[Agent]]:
    """A copy of the registry: agent name -> class."""
    return dict(REGISTRY)


def agent_class(name: str) -> type[Agent]:
    """The registered class called ``name``; the error lists the registered names."""
    if name not in REGISTRY:
        raise KeyError(f"no agent {name!r}; registered: {sorted(REGISTRY)}")
    return REGISTRY[name]
