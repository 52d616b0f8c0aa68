"""The building blocks a template may use, with typed parameter ranges, and their resolution.

Blocks are derived from the agents' own decision spaces where possible, so a proposer's
parameter ranges are the ranges RL already searches: a retrieval backbone's parameters are the
knobs conditioned on ``model == backbone`` (prefix stripped), the ranking architectures' and the
fusion rules' likewise. A few blocks add constructor arguments that are not knobs yet (SASRec's
feed-forward width and weight decay), and some knobs become blocks of their own (SASRec's
attention gate is a *layer*, MF's loss a *loss*), so a template composes them explicitly.

A target (agent, knob) is *buildable* when a builder turns a resolved template into an unfitted
model. Only the retrieval ``model`` knob has one today (``agents.retrieval_agent`` has a template
hook); ranking architectures and fusion rules are described to the proposer, but a template for
them is rejected with that reason until their agents can run one.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from agents.fusion import FusionAgent
from agents.knobs import Categorical, Float, Integer, Knob, Value
from agents.ranking.agent import RankingAgent
from agents.retrieval_agent import MODELS, RetrievalAgent
from agents.space import DecisionSpace
from policies.proposer.schema import TemplateSpec

BlockKind = Literal["backbone", "layer", "loss", "feature_cross", "fusion_rule"]
BASE_KINDS: tuple[str, ...] = ("backbone", "fusion_rule")
Target = tuple[str, str]
Builder = Callable[[str, dict[str, Value]], Any]


class InvalidTemplate(ValueError):
    """A template fails validation against the registry; ``reason`` is stored with it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Block:
    """A registered building block.

    Attributes:
        name: What a template calls it.
        kind: Backbone / fusion rule (the base of a template) or a layer, loss, feature cross.
        target: The (agent, knob) whose new options it can build.
        params: Parameter name -> typed range (a constructor argument of the built model).
        composes_with: Base blocks a non-base block can be added to.
        sets: Constructor arguments the block fixes when used (e.g. ``gated_attention=True``).
        doc: One line for the prompt.
    """

    name: str
    kind: BlockKind
    target: Target
    params: Mapping[str, Knob] = field(default_factory=dict)
    composes_with: frozenset[str] = frozenset()
    sets: Mapping[str, Value] = field(default_factory=dict)
    doc: str = ""

    def describe(self) -> dict[str, Any]:
        """Plain data for prompts: kind, parameters with their ranges, composition."""
        out: dict[str, Any] = {"block": self.name, "kind": self.kind, "doc": self.doc,
                               "params": {n: _range(k) for n, k in self.params.items()}}
        if self.composes_with:
            out["composes_with"] = sorted(self.composes_with)
        return out


def _range(k: Knob) -> Any:
    if isinstance(k, Categorical):
        return list(k.available)
    assert isinstance(k, Integer | Float)
    return {"type": k.kind, "low": k.low, "high": k.high, "default": k.default}


@dataclass(frozen=True)
class ResolvedTemplate:
    """A validated template: its base block and the constructor arguments it amounts to."""

    spec: TemplateSpec
    base: str
    kwargs: Mapping[str, Value]
    builder: Builder | None

    def build(self) -> Any:
        """An unfitted model (only for buildable targets)."""
        if self.builder is None:
            raise InvalidTemplate(f"{self.spec.agent}.{self.spec.knob} has no builder")
        return self.builder(self.base, dict(self.kwargs))


class BlockRegistry:
    """Blocks by name, builders by target; :meth:`resolve` is the only way a template passes."""

    def __init__(self, blocks: Iterable[Block] = (), builders: Mapping[Target, Builder] = {}
                 ) -> None:
        self.blocks: dict[str, Block] = {}
        self.builders: dict[Target, Builder] = dict(builders)
        for b in blocks:
            self.add(b)

    def add(self, block: Block) -> None:
        if block.name in self.blocks:
            raise ValueError(f"block {block.name!r} is registered already")
        self.blocks[block.name] = block

    def targets(self) -> list[Target]:
        """Every (agent, knob) some base block can build options for."""
        return sorted({b.target for b in self.blocks.values() if b.kind in BASE_KINDS})

    def for_target(self, agent: str, knob: str) -> list[Block]:
        return [b for b in self.blocks.values() if b.target == (agent, knob)]

    def describe(self, agent: str, knob: str) -> list[dict[str, Any]]:
        """The blocks of one target as plain data (what a prompt lists)."""
        return [b.describe() for b in self.for_target(agent, knob)]

    def resolve(self, spec: TemplateSpec) -> ResolvedTemplate:
        """Check ``spec`` against the blocks and ranges and dry-build it.

        Raises:
            InvalidTemplate: unknown target or block, a block of another target, no or two
                base blocks, a block that does not compose with the base, an unknown or
                out-of-range parameter, two blocks setting one argument, a failed dry build.
        """
        target = (spec.agent, spec.knob)
        if target not in self.targets():
            raise InvalidTemplate(f"unknown target {spec.agent}.{spec.knob}; valid targets: "
                                  f"{['.'.join(t) for t in self.targets()]}")
        uses = [(self._block(u.block, target), u.params) for u in spec.blocks]
        base, base_params = uses[0]
        if base.kind not in BASE_KINDS or any(b.kind in BASE_KINDS for b, _ in uses[1:]):
            raise InvalidTemplate(f"a template needs exactly one base block (a backbone or "
                                  f"fusion rule) and it must come first; got "
                                  f"{[b.name for b, _ in uses]}")
        kwargs: dict[str, Value] = dict(_check_params(base, base_params))
        for block, params in uses[1:]:
            if base.name not in block.composes_with:
                raise InvalidTemplate(f"block {block.name!r} does not compose with "
                                      f"{base.name!r}; it composes with "
                                      f"{sorted(block.composes_with)}")
            for key, value in {**block.sets, **_check_params(block, params)}.items():
                if key in kwargs:
                    raise InvalidTemplate(f"{key!r} is set twice (again by {block.name!r})")
                kwargs[key] = value
        builder = self.builders.get(target)
        if builder is None:
            raise InvalidTemplate(f"{spec.agent}.{spec.knob} has no builder yet: the agent "
                                  f"cannot run proposed options; buildable: "
                                  f"{['.'.join(t) for t in sorted(self.builders)]}")
        resolved = ResolvedTemplate(spec, base.name, kwargs, builder)
        try:
            resolved.build()
        except (TypeError, ValueError) as err:
            raise InvalidTemplate(f"dry build of {base.name!r} failed: {err}") from err
        return resolved

    def _block(self, name: str, target: Target) -> Block:
        block = self.blocks.get(name)
        valid = [b.name for b in self.for_target(*target)]
        if block is None:
            raise InvalidTemplate(f"unknown block {name!r}; blocks for "
                                  f"{'.'.join(target)}: {valid}")
        if block.target != target:
            raise InvalidTemplate(f"block {name!r} belongs to {'.'.join(block.target)}, not "
                                  f"{'.'.join(target)}; valid: {valid}")
        return block


def _check_params(block: Block, params: Mapping[str, Value]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key, value in params.items():
        knob = block.params.get(key)
        if knob is None:
            raise InvalidTemplate(f"block {block.name!r} has no parameter {key!r}; "
                                  f"parameters: {sorted(block.params)}")
        try:
            out[key] = knob.check(value)
        except ValueError as err:
            raise InvalidTemplate(f"block {block.name!r}: {err}") from err
    return out


def _unprefixed(space: DecisionSpace, parent: str, value: str, drop: Iterable[str] = ()
                ) -> dict[str, Knob]:
    """The knobs active when ``parent == value``, named without their ``value.`` prefix."""
    out: dict[str, Knob] = {}
    for k in space:
        if k.condition is None or k.condition != (parent, frozenset({value})):
            continue
        short = k.name.split(".", 1)[1]
        if short in drop:
            continue
        plain = copy.copy(k)
        plain.name, plain.condition = short, None
        out[short] = plain
    return out


def _build_retriever(backbone: str, kwargs: dict[str, Value]) -> Any:
    module, cls = MODELS[backbone]
    return getattr(importlib.import_module(module), cls)(**kwargs)


def _retrieval_blocks() -> list[Block]:
    space = RetrievalAgent().decision_space()
    target: Target = ("retrieval", "model")
    sasrec = {**_unprefixed(space, "model", "sasrec", drop={"gated_attention"}),
              "weight_decay": Float("weight_decay", 0.0, 0.1, default=0.0)}
    return [
        Block("sasrec", "backbone", target, sasrec,
              doc="causal self-attention over the user's item sequence (next-item softmax)"),
        Block("mf", "backbone", target, _unprefixed(space, "model", "mf", drop={"loss"}),
              doc="matrix factorisation trained on sampled negatives"),
        Block("item_knn", "backbone", target, _unprefixed(space, "model", "item_knn"),
              doc="item-item neighbourhood model"),
        Block("gated_attention", "layer", target, composes_with=frozenset({"sasrec"}),
              sets={"gated_attention": True},
              doc="per-head, query-dependent sigmoid gate on each attention output"),
        Block("feed_forward", "layer", target, composes_with=frozenset({"sasrec"}),
              params={"ffn_mult": Integer("ffn_mult", 1, 4, default=1)},
              doc="width of the transformer feed-forward layer, as a multiple of dim"),
        *[Block(loss, "loss", target, composes_with=frozenset({"mf"}), sets={"loss": loss},
                doc=f"train MF with the {loss} loss") for loss in ("bpr", "sampled_softmax")],
    ]


def _ranking_blocks() -> list[Block]:
    space = RankingAgent().decision_space()
    target: Target = ("ranking", "arch")
    return [
        *[Block(arch, "backbone", target, _unprefixed(space, "arch", arch), doc=f"{arch} ranker")
          for arch in ("fm", "dcn", "mmoe")],
        Block("cross_network", "feature_cross", target, composes_with=frozenset({"fm", "mmoe"}),
              params={"cross_layers": Integer("cross_layers", 1, 4, default=2)},
              doc="explicit bounded-degree feature crosses (DCN style)"),
    ]


def _fusion_blocks() -> list[Block]:
    space = FusionAgent().decision_space()
    rrf_k = space["rrf_k"]
    plain = copy.copy(rrf_k)
    plain.condition = None
    target: Target = ("fusion", "rule")
    return [Block("rrf", "fusion_rule", target, {"rrf_k": plain}, doc="reciprocal-rank merge"),
            Block("score", "fusion_rule", target, doc="min-max normalised score merge"),
            Block("quota", "fusion_rule", target, {"rrf_k": plain}, doc="per-source quotas")]


@lru_cache(maxsize=1)
def default_registry() -> BlockRegistry:
    """The registry derived from today's agents (built once; treat it as read-only)."""
    return BlockRegistry([*_retrieval_blocks(), *_ranking_blocks(), *_fusion_blocks()],
                         builders={("retrieval", "model"): _build_retriever})
