"""The proposer plug-in: new options (templates) for categorical knobs when search saturates.

One call does the whole loop::

    from policies.proposer import HeuristicProposer, propose_and_integrate
    names = propose_and_integrate(HeuristicProposer(seed=0), store, pipeline, "retrieval",
                                  evaluate_fn, baseline=best_so_far, n=2)
    # each accepted name now fills a reserved slot of recall_*.model: the env's mask unmasks it

``evaluate_fn(resolved) -> float | {"objective": float, ...}`` scores one validated template
(``resolved.build()`` gives its unfitted model; :func:`evaluate_retrieval` is a ready one).
Proposers: :class:`HeuristicProposer` (offline baseline, the default), :class:`LLMProposer` over
an :class:`OpenAICompatBackend`, wrapped in :class:`RecordingBackend` / :class:`ReplayBackend`
for reproducible ablations. Templates are declarative (:class:`TemplateSpec`) and checked against
the :class:`BlockRegistry`; no generated code is ever executed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agentic_env.store import KnowledgeStore
from policies.proposer.base import (
    Proposal,
    ProposalContext,
    Proposer,
    build_context,
)
from policies.proposer.blocks import (
    Block,
    BlockRegistry,
    InvalidTemplate,
    ResolvedTemplate,
    default_registry,
)
from policies.proposer.chat import BackendError, ChatBackend
from policies.proposer.evaluate import evaluate_retrieval
from policies.proposer.heuristic import HeuristicProposer
from policies.proposer.lifecycle import (
    EvaluateFn,
    Outcome,
    Target,
    integrate_proposals,
    resolve_target,
    restore_accepted,
)
from policies.proposer.llm import LLMProposer
from policies.proposer.replay import RecordingBackend, ReplayBackend
from policies.proposer.schema import MethodRecord, TemplateSpec

if TYPE_CHECKING:  # httpx is the optional `llm` extra: imported only when the client is used
    from policies.proposer.openai_compat import OpenAICompatBackend, OpenAICompatConfig

__all__ = [
    "BackendError", "Block", "BlockRegistry", "ChatBackend", "EvaluateFn", "HeuristicProposer",
    "InvalidTemplate", "LLMProposer", "MethodRecord", "OpenAICompatBackend",
    "OpenAICompatConfig", "Outcome", "Proposal", "ProposalContext", "Proposer",
    "RecordingBackend", "ReplayBackend", "ResolvedTemplate", "Target", "TemplateSpec",
    "build_context", "default_registry", "evaluate_retrieval", "integrate_proposals",
    "propose_and_integrate", "propose_round", "resolve_target", "restore_accepted",
]


def propose_round(proposer: Proposer, store: KnowledgeStore, space_or_pipeline: Any,
                  agent: str, evaluate_fn: EvaluateFn, *, knob: str = "model", n: int = 4,
                  baseline: float | None = None, min_gain: float = 0.0,
                  objective: str | None = None, metric: str = "objective",
                  slots: Sequence[str] | None = None, registry: BlockRegistry | None = None,
                  run_id: int | None = None) -> list[Outcome]:
    """One proposal round with every outcome (see :func:`propose_and_integrate`)."""
    registry = registry or default_registry()
    target = resolve_target(space_or_pipeline, agent, knob, slots)
    wanted = min(n, target.free_slots())
    if wanted < 1:
        return []
    context = build_context(store, target.agent_space(space_or_pipeline), agent, knob,
                            objective=objective, metric=metric, registry=registry)
    if baseline is None:
        baseline = context.top[0].value if context.top else -math.inf
    proposals = proposer.propose(context, wanted)
    return integrate_proposals(proposals, store, target, evaluate_fn, registry,
                               baseline=baseline, min_gain=min_gain, run_id=run_id)


def propose_and_integrate(proposer: Proposer, store: KnowledgeStore, space_or_pipeline: Any,
                          agent: str, evaluate_fn: EvaluateFn, *, knob: str = "model",
                          n: int = 4, baseline: float | None = None, min_gain: float = 0.0,
                          objective: str | None = None, metric: str = "objective",
                          slots: Sequence[str] | None = None,
                          registry: BlockRegistry | None = None,
                          run_id: int | None = None) -> list[str]:
    """Ask ``proposer`` for up to ``n`` templates, run each through the lifecycle, and return
    the names accepted (each now fills a reserved slot, so action masks unmask it).

    Args:
        proposer: Any :class:`Proposer`.
        store: Where templates, their statuses and negative cases are recorded.
        space_or_pipeline: A ``DecisionSpace`` or a ``Pipeline`` (all of ``agent``'s
            components get the slot, e.g. ``recall_0.model`` ... ``recall_2.model``).
        agent: The agent owning the knob, as registered (``"retrieval"``).
        evaluate_fn: Scores a validated template; higher is better.
        knob: The categorical knob to grow.
        n: Templates asked for, capped by the free reserved slots (none free: no call made).
        baseline: A template is accepted only above ``baseline + min_gain``; default: the
            store's best ``metric`` of ``agent``, or any finite score when it has none.
        objective: The business objective, in words, for the prompt.
        metric: The store metric ranking past results (top/bottom in the prompt).
        slots: Knob names to fill, overriding the lookup.
        registry: Blocks to validate against (default: :func:`default_registry`).
        run_id: Store run the records belong to.
    """
    outcomes = propose_round(proposer, store, space_or_pipeline, agent, evaluate_fn, knob=knob,
                             n=n, baseline=baseline, min_gain=min_gain, objective=objective,
                             metric=metric, slots=slots, registry=registry, run_id=run_id)
    return [o.name for o in outcomes if o.status == "accepted" and o.name is not None]


def __getattr__(name: str) -> Any:
    if name in ("OpenAICompatBackend", "OpenAICompatConfig"):
        from policies.proposer import openai_compat

        return getattr(openai_compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
