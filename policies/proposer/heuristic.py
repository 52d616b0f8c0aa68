"""The offline baseline proposer: mutation and recombination of known templates, no LLM.

Parents are the target's accepted templates plus every base block at its defaults. A child is a
parent with one or two parameters redrawn from their registered ranges and, sometimes, a
composable layer or loss added or dropped; or, for two parents on the same base, a uniform
crossover of their parameters. Children whose spec was tried before (any status, in the store)
are skipped. It is named as a baseline on purpose: it explores the registered space and cannot
invent a block; an LLM proposer is compared against it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from agentic_env.store import TemplateStatus, config_hash
from agents.knobs import Value
from policies.proposer.base import Proposal, ProposalContext
from policies.proposer.blocks import BASE_KINDS, BlockRegistry, InvalidTemplate, default_registry
from policies.proposer.schema import BlockUse, TemplateSpec


class HeuristicProposer:
    """Mutation/recombination baseline (see the module docstring).

    Args:
        registry: Blocks and ranges to draw from.
        seed: Seed of its generator; the same seed and context give the same proposals.
        fixed: Parameters always set where the base block has them (e.g. ``{"epochs": 2}``
            to keep evaluations cheap); never mutated.
        crossover_rate: Share of children made by crossover when two parents share a base.
    """

    name = "heuristic"

    def __init__(self, registry: BlockRegistry | None = None, *, seed: int = 0,
                 fixed: Mapping[str, Value] | None = None, crossover_rate: float = 0.3) -> None:
        self.registry = registry or default_registry()
        self.rng = np.random.default_rng(seed)
        self.fixed = dict(fixed or {})
        self.crossover_rate = crossover_rate

    def propose(self, context: ProposalContext, n: int) -> list[Proposal]:
        if (context.agent, context.knob) not in self.registry.builders:
            return []  # nothing it proposes could run there
        parents = self._parents(context)
        seen = {t.spec_hash for t in context.templates}
        out: list[Proposal] = []
        for _ in range(50 * max(n, 1)):
            if len(out) >= n:
                break
            child = self._child(parents, context)
            digest = config_hash(child.spec())
            if digest in seen or child.name in context.existing:
                continue
            try:
                self.registry.resolve(child)
            except InvalidTemplate:
                continue  # e.g. dim not divisible by n_heads: draw again
            seen.add(digest)
            out.append(Proposal(child.model_dump(), self.name))
        return out

    def _parents(self, context: ProposalContext) -> list[TemplateSpec]:
        accepted = [TemplateSpec(name=t.name, agent=t.agent, knob=t.knob,
                                 blocks=[BlockUse(**u) for u in t.spec["blocks"]])
                    for t in context.templates if t.status is TemplateStatus.ACCEPTED]
        bases = [b for b in self.registry.for_target(context.agent, context.knob)
                 if b.kind in BASE_KINDS]
        defaults = [self._named(context, [BlockUse(block=b.name)]) for b in bases]
        return accepted + defaults

    def _child(self, parents: list[TemplateSpec], context: ProposalContext) -> TemplateSpec:
        first = parents[int(self.rng.integers(len(parents)))]
        mates = [p for p in parents if p.blocks[0].block == first.blocks[0].block and p != first]
        if mates and self.rng.random() < self.crossover_rate:
            mate = mates[int(self.rng.integers(len(mates)))]
            return self._named(context, self._crossover(first.blocks, mate.blocks))
        return self._named(context, self._mutate(first.blocks))

    def _mutate(self, blocks: list[BlockUse]) -> list[BlockUse]:
        base = self.registry.blocks[blocks[0].block]
        params = dict(blocks[0].params)
        free = [p for p in base.params if p not in self.fixed]
        for name in self.rng.choice(free, size=min(len(free), 2), replace=False) if free else []:
            params[str(name)] = base.params[str(name)].sample(self.rng)
        extras = list(blocks[1:])
        options = [b for b in self.registry.for_target(*base.target)
                   if base.name in b.composes_with]
        if options and self.rng.random() < 0.5:
            pick = options[int(self.rng.integers(len(options)))]
            present = [u for u in extras if u.block == pick.name]
            if present:
                extras.remove(present[0])
            elif not any(set(pick.sets) & set(self.registry.blocks[u.block].sets)
                         for u in extras):
                extras.append(BlockUse(block=pick.name, params={
                    k: knob.sample(self.rng) for k, knob in pick.params.items()}))
        return [BlockUse(block=base.name, params=params), *extras]

    def _crossover(self, a: list[BlockUse], b: list[BlockUse]) -> list[BlockUse]:
        keys = sorted(set(a[0].params) | set(b[0].params))
        params = {}
        for key in keys:
            donor = a[0] if self.rng.random() < 0.5 else b[0]
            other = b[0] if donor is a[0] else a[0]
            value = donor.params.get(key, other.params.get(key))
            if value is not None:
                params[key] = value
        extras = list(a[1:] if self.rng.random() < 0.5 else b[1:])
        return [BlockUse(block=a[0].block, params=params), *extras]

    def _named(self, context: ProposalContext, blocks: list[BlockUse]) -> TemplateSpec:
        base = self.registry.blocks[blocks[0].block]
        pinned = {k: v for k, v in self.fixed.items() if k in base.params}
        blocks = [BlockUse(block=base.name, params={**blocks[0].params, **pinned}), *blocks[1:]]
        digest = config_hash({"blocks": [u.model_dump() for u in blocks]})
        return TemplateSpec(name=f"h_{base.name}_{digest[:8]}", agent=context.agent,
                            knob=context.knob, blocks=blocks,
                            rationale=f"heuristic mutation/recombination of {base.name}")
