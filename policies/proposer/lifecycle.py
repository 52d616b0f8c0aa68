"""The template lifecycle: proposed → validated → evaluated → accepted or rejected.

Every candidate, whoever proposed it, is recorded in the knowledge store first, then checked
against the schema and the block registry (the only path to acceptance), then evaluated by a
callable, and finally either accepted (its builder is registered with the agent and it fills a
reserved slot of each matching knob, so the action mask unmasks it) or rejected with a reason
and a negative case, which later prompts show. A failure to produce any candidate (a malformed
reply, a server error) becomes a negative case of stage ``response``. Nothing raises out of
:func:`integrate_proposals` for a bad proposal: the run goes on.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from agentic_env.store import KnowledgeStore, TemplateRecord, TemplateStatus, config_hash
from agents import retrieval_agent
from agents.knobs import Categorical
from agents.space import DecisionSpace
from policies.proposer.base import RESPONSE_STAGE, Proposal
from policies.proposer.blocks import BlockRegistry, InvalidTemplate, ResolvedTemplate
from policies.proposer.schema import TemplateSpec, explain

Score = float | Mapping[str, float]
EvaluateFn = Callable[[ResolvedTemplate], Score]
RAW_CHARS = 4000  # an invalid candidate is stored up to this size, as text beyond it
_INSTALLED: dict[str, str] = {}  # template name -> spec hash, registered in this process


@dataclass(frozen=True)
class Outcome:
    """What happened to one proposal.

    ``status`` is a :class:`TemplateStatus` value, ``"duplicate"`` (spec seen before) or
    ``"no_template"`` (the reply held none); ``actions`` maps each filled knob to the new action
    index.
    """

    status: str
    reason: str | None = None
    name: str | None = None
    template_id: int | None = None
    score: float | None = None
    actions: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Target:
    """Where accepted templates go: the agent and knob, and the space knobs to fill."""

    agent: str
    knob: str
    space: DecisionSpace
    slots: list[str]

    def free_slots(self) -> int:
        knobs = [self.space[s] for s in self.slots]
        return min((k.reserved_slots - len(k.filled) for k in knobs
                    if isinstance(k, Categorical)), default=0)

    def agent_space(self, space_or_pipeline: Any) -> DecisionSpace:
        """The agent's own, unprefixed space (what a prompt describes)."""
        components = getattr(space_or_pipeline, "components", None)
        if components is not None:
            space: DecisionSpace = components[self.slots[0].split(".", 1)[0]].decision_space()
            return space
        if self.knob in self.space:
            return self.space
        prefix = self.slots[0].rsplit(".", 1)[0] + "."
        knobs = []
        for k in self.space:
            if k.name.startswith(prefix):
                plain = copy.copy(k)
                plain.name = k.name[len(prefix):]
                if k.condition is not None:
                    plain.condition = (k.condition[0][len(prefix):], k.condition[1])
                knobs.append(plain)
        return DecisionSpace(knobs)

    def names_taken(self) -> set[str]:
        return {str(c) for s in self.slots for c in self.space[s].describe()["choices"]}


def resolve_target(space_or_pipeline: Any, agent: str, knob: str,
                   slots: Sequence[str] | None = None) -> Target:
    """The knobs to fill: ``slots`` if given; for a pipeline, ``<component>.<knob>`` of every
    component that is this agent; for a space, ``knob`` itself or every ``<prefix>.<knob>``."""
    space = getattr(space_or_pipeline, "space", space_or_pipeline)
    if not isinstance(space, DecisionSpace):
        raise TypeError(f"expected a DecisionSpace or a Pipeline, got "
                        f"{type(space_or_pipeline).__name__}")
    if slots is None:
        components = getattr(space_or_pipeline, "components", None)
        if components is not None:
            slots = [f"{n}.{knob}" for n, c in components.items()
                     if getattr(c, "name", "") == agent]
        elif knob in space:
            slots = [knob]
        else:
            slots = [n for n in space.knobs if n.count(".") == 1 and n.endswith(f".{knob}")]
    if not slots:
        raise ValueError(f"no knob to fill for {agent}.{knob}; categorical knobs: "
                         f"{[k.name for k in space if isinstance(k, Categorical)]}")
    for name in slots:
        if not isinstance(space[name], Categorical):
            raise ValueError(f"{name!r} is not a categorical knob")
    return Target(agent, knob, space, list(slots))


def integrate_proposals(proposals: Sequence[Proposal], store: KnowledgeStore, target: Target,
                        evaluate_fn: EvaluateFn, registry: BlockRegistry, *, baseline: float,
                        min_gain: float = 0.0, run_id: int | None = None) -> list[Outcome]:
    """Take each proposal through the lifecycle; returns one :class:`Outcome` per proposal."""
    outcomes = []
    for proposal in proposals:
        if proposal.error is not None:
            outcomes.append(_no_template(proposal, store, target, run_id))
            continue
        step = _Step(store, target, registry, proposal, run_id)
        outcomes.append(step.run(evaluate_fn, baseline, min_gain))
    return outcomes


def _no_template(proposal: Proposal, store: KnowledgeStore, target: Target,
                 run_id: int | None) -> Outcome:
    reason = f"{proposal.proposer}: {proposal.error}"
    store.record_negative_case(target.agent, reason, run_id=run_id, details={
        "stage": RESPONSE_STAGE, "knob": target.knob, "excerpt": str(proposal.raw or "")[:400]})
    return Outcome("no_template", reason)


class _Step:
    """One proposal's way through the lifecycle (a class only to share its state)."""

    def __init__(self, store: KnowledgeStore, target: Target, registry: BlockRegistry,
                 proposal: Proposal, run_id: int | None) -> None:
        self.store, self.target, self.registry = store, target, registry
        self.proposal, self.run_id = proposal, run_id

    def run(self, evaluate_fn: EvaluateFn, baseline: float, min_gain: float) -> Outcome:
        record = self._record()
        if record.status is not TemplateStatus.PROPOSED:
            return Outcome("duplicate", f"spec already {record.status.value}"
                           + (f": {record.reason}" if record.reason else ""),
                           record.name, record.id)
        try:
            resolved = self._validate(record)
        except InvalidTemplate as err:
            return self._reject(record, err.reason, "validation")
        self.store.update_template_status(record.id, TemplateStatus.VALIDATED)
        try:
            score = _objective(evaluate_fn(resolved))
        except Exception as err:  # an evaluation may fail in many ways; the run goes on
            return self._reject(record, f"evaluation failed: {type(err).__name__}: {err}",
                                "evaluation")
        self.store.update_template_status(record.id, TemplateStatus.EVALUATED,
                                          f"objective {score:.6g}")
        if not score > baseline + min_gain:
            return self._reject(record, f"no gain: objective {score:.6g} <= baseline "
                                f"{baseline:.6g} + min_gain {min_gain:g}", "evaluation", score)
        actions = install(resolved, self.target)
        reason = f"objective {score:.6g} > baseline {baseline:.6g}"
        self.store.update_template_status(record.id, TemplateStatus.ACCEPTED, reason)
        return Outcome("accepted", reason, record.name, record.id, score, actions)

    def _record(self) -> TemplateRecord:
        raw = self.proposal.raw
        try:
            spec = TemplateSpec.model_validate(raw)
            name: str | None = spec.name
            knob, body = spec.knob, spec.spec()
        except ValidationError:
            name, knob = _field(raw, "name"), self.target.knob
            body = {"raw": raw if isinstance(raw, dict) else str(raw)[:RAW_CHARS]}
        try:  # keep what was said, but bounded and in a form the store can hash
            config_hash(body)
            too_big = len(json.dumps(body, default=str)) > RAW_CHARS
        except (TypeError, ValueError):
            too_big = True
        if too_big:
            body = {"raw": str(raw)[:RAW_CHARS]}
        return self.store.record_template(self.target.agent, knob, name or "invalid", body,
                                          proposer=self.proposal.proposer[:200],
                                          run_id=self.run_id)

    def _validate(self, record: TemplateRecord) -> ResolvedTemplate:
        try:
            spec = TemplateSpec.model_validate(self.proposal.raw)
        except ValidationError as err:
            raise InvalidTemplate(explain(err)) from err
        if (spec.agent, spec.knob) != (self.target.agent, self.target.knob):
            raise InvalidTemplate(f"template targets {spec.agent}.{spec.knob}; this run grows "
                                  f"{self.target.agent}.{self.target.knob}")
        resolved = self.registry.resolve(spec)
        taken = self.target.names_taken() | set(retrieval_agent.MODELS)
        known = _INSTALLED.get(spec.name) or (
            "other" if spec.name in retrieval_agent.TEMPLATES else None)
        if spec.name in taken or (known is not None and known != record.spec_hash):
            raise InvalidTemplate(f"name {spec.name!r} is taken; existing choices: "
                                  f"{sorted(taken)}")
        if self.target.free_slots() < 1:
            raise InvalidTemplate(f"no empty reserved slot left in {self.target.slots}")
        return resolved

    def _reject(self, record: TemplateRecord, reason: str, stage: str,
                score: float | None = None) -> Outcome:
        self.store.update_template_status(record.id, TemplateStatus.REJECTED, reason)
        details: dict[str, Any] = {"stage": stage, "knob": record.knob, "name": record.name,
                                   "spec": dict(record.spec)}
        if score is not None:
            details["score"] = score
        self.store.record_negative_case(self.target.agent, f"{record.name}: {reason}",
                                        template_id=record.id, details=details,
                                        run_id=self.run_id)
        return Outcome("rejected", reason, record.name, record.id, score)


def install(resolved: ResolvedTemplate, target: Target) -> dict[str, int]:
    """Make an accepted template buildable by its agent and fill a slot of each target knob."""
    name = resolved.spec.name
    if (resolved.spec.agent, resolved.spec.knob) != ("retrieval", "model"):
        raise ValueError(f"no installer for {resolved.spec.agent}.{resolved.spec.knob}: only "
                         "retrieval.model templates can be built by their agent today")
    digest = config_hash(resolved.spec.spec())
    if name not in retrieval_agent.TEMPLATES:
        retrieval_agent.register_template(name, _Builder(resolved))
        _INSTALLED[name] = digest
    return {slot: target.space.fill_slot(slot, name) for slot in target.slots
            if name not in target.space[slot].describe()["choices"]}


class _Builder:
    """The retrieval agent's builder for an accepted template (its knobs live in the spec)."""

    def __init__(self, resolved: ResolvedTemplate) -> None:
        self.resolved = resolved

    def __call__(self, _params: dict[str, Any]) -> Any:
        return self.resolved.build()


def restore_accepted(store: KnowledgeStore, target: Target, registry: BlockRegistry
                     ) -> list[str]:
    """Re-install the store's accepted templates of ``target`` (resuming a run in a new
    process); returns their names."""
    names = []
    for record in store.templates(agent=target.agent, status=TemplateStatus.ACCEPTED):
        if record.knob != target.knob:
            continue
        spec = TemplateSpec(name=record.name, agent=record.agent, knob=record.knob,
                            blocks=record.spec["blocks"])
        install(registry.resolve(spec), target)
        names.append(record.name)
    return names


def _field(raw: Any, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value[:64] if isinstance(value, str) and value else None


def _objective(score: Score) -> float:
    value = score.get("objective") if isinstance(score, Mapping) else score
    if value is None:
        raise ValueError("evaluate_fn returned a mapping without 'objective'")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"evaluate_fn returned a non-finite objective {value!r}")
    return number
