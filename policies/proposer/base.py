"""The proposer contract: what a proposer is shown (:class:`ProposalContext`) and returns.

A proposer only *suggests*: it returns raw candidates (:class:`Proposal`), and the lifecycle
(:mod:`policies.proposer.lifecycle`) validates every one of them the same way, whoever made it.
A proposer that could not produce a candidate at all (malformed JSON, a server error) says so in
a proposal with ``error`` set, so the failure is recorded rather than lost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentic_env.store import KnowledgeStore, TemplateRecord
from agents.base import registered
from agents.knobs import Categorical
from agents.space import DecisionSpace
from policies.proposer.blocks import BlockRegistry, default_registry

RESPONSE_STAGE = "response"


@dataclass(frozen=True)
class Result:
    """A stored configuration and its score (top or bottom of the store)."""

    config: Mapping[str, Any]
    value: float


@dataclass(frozen=True)
class ProposalContext:
    """Everything a proposer may use, read from the knowledge store and the decision space.

    Attributes:
        agent: Agent owning the knob (``"retrieval"``); also the store's agent name.
        knob: The categorical knob to grow (``"model"``).
        existing: The knob's current choices (a new template must be named apart).
        objective: The business objective in words.
        role: The agent's declared loop (inputs, decision, feedback, inner metrics).
        space: The agent's knobs as plain rows.
        blocks: The registry's blocks for this target.
        top: Best stored results; ``bottom``: worst.
        negatives: Reasons of failed directions (newest first).
        templates: Past templates of this target, any status (so none is proposed twice).
    """

    agent: str
    knob: str
    existing: tuple[str, ...] = ()
    objective: str = "maximise the agent's inner metric on held-out interactions"
    role: Mapping[str, Any] = field(default_factory=dict)
    space: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    top: list[Result] = field(default_factory=list)
    bottom: list[Result] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    templates: list[TemplateRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Proposal:
    """One raw candidate (parsed JSON, unchecked) or one failure to produce any."""

    raw: Any
    proposer: str
    error: str | None = None


class Proposer(Protocol):
    """Suggests up to ``n`` new templates for ``context``'s knob."""

    name: str

    def propose(self, context: ProposalContext, n: int) -> list[Proposal]: ...


def _role(agent: str) -> dict[str, Any]:
    cls = registered().get(agent)
    if cls is None:
        return {"agent": agent}
    return {"agent": agent, "kind": cls.kind, "inputs": list(cls.inputs),
            "decision": cls.decision, "feedback": cls.feedback,
            "inner_metrics": list(cls.inner_metrics)}


def build_context(store: KnowledgeStore, space: DecisionSpace, agent: str, knob: str, *,
                  objective: str | None = None, metric: str = "objective", top: int = 5,
                  negatives: int = 20, registry: BlockRegistry | None = None
                  ) -> ProposalContext:
    """A context for growing ``knob`` of ``agent`` (``space`` holds the knob, unprefixed)."""
    registry = registry or default_registry()
    target = space[knob]
    if not isinstance(target, Categorical):
        raise ValueError(f"{knob!r} is a {target.kind} knob; only categoricals can grow")
    best = store.best_configs(agent, metric, top=top)
    worst = store.best_configs(agent, metric, top=top, maximize=False)
    cases = store.negative_cases(agent=agent, limit=negatives * 3)
    reasons = [c.reason for c in cases if c.details.get("stage") != RESPONSE_STAGE][:negatives]
    past = [t for t in store.templates(agent=agent) if t.knob == knob]
    return ProposalContext(
        agent=agent, knob=knob, existing=tuple(str(c) for c in target.available),
        objective=objective or ProposalContext.objective, role=_role(agent),
        space=[row for row in space.describe() if row["name"] != knob],
        blocks=registry.describe(agent, knob),
        top=[Result(b.config, b.value) for b in best if math.isfinite(b.value)],
        bottom=[Result(b.config, b.value) for b in worst if math.isfinite(b.value)],
        negatives=reasons, templates=past)
