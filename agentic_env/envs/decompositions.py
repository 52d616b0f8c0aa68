"""Decompositions: which RL agent owns which knob.

Decision variables are the primitive; agents are an assignment of them (DESIGN.md). A
decomposition maps unit names to knob positions, built from each knob's ``owner`` (component)
and ``roles`` (lifecycle tags). Four kinds:

* ``agentic``: one agent per component (retrieval, fusion, ranking, reranking, router) -- the
  AgenticRS view.
* ``lifecycle``: ``auto_feature`` (feature knobs), ``auto_train`` (model, training and
  composition knobs), ``auto_perf`` (serving knobs such as candidate sizes and cut-offs, and
  constraint knobs) -- the AutoModel view.
* ``monolithic``: one ``pipeline`` agent owns everything (the "One Model" / AutoML baseline).
* ``merged``: ``recall`` (retrieval + fusion), ``ranking`` (ranking + reranking), ``router`` --
  the granularity rule applied to modules that talk more than they decide.

Units without a knob on the grid are dropped, so a small grid gives fewer agents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

KINDS = ("agentic", "lifecycle", "monolithic", "merged")
COMPONENTS = ("retrieval", "fusion", "ranking", "reranking", "router")
MERGED = {"retrieval": "recall", "fusion": "recall", "ranking": "ranking",
          "reranking": "ranking", "router": "router"}
LIFECYCLE_ROLES = (("auto_feature", ("feature",)),
                   ("auto_perf", ("serving", "constraint", "deployment")))


class KnobLike(Protocol):
    """What a decomposition reads from a knob: a grid knob or a decision-space knob."""

    @property
    def name(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def roles(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Decomposition:
    """Units (agents) and the knob positions each one owns.

    Attributes:
        kind: One of :data:`KINDS`.
        units: Unit name -> ascending positions into the knob sequence it was built from.
        components: Unit name -> the components whose knobs it owns (for reward defaults).
    """

    kind: str
    units: dict[str, tuple[int, ...]]
    components: dict[str, tuple[str, ...]]

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(self.units)

    def owner_of(self, position: int) -> str:
        """The unit owning knob ``position``."""
        for unit, positions in self.units.items():
            if position in positions:
                return unit
        raise KeyError(f"knob position {position} belongs to no unit of {self.kind!r}")


def component(owner: str) -> str:
    """The component of a knob owner: recall sources (``recall_0``...) are ``retrieval``."""
    return "retrieval" if owner.startswith("recall") else owner


def _unit_of(kind: str, knob: KnobLike) -> str:
    comp = component(knob.owner)
    if kind == "agentic":
        return comp
    if kind == "monolithic":
        return "pipeline"
    if kind == "merged":
        return MERGED.get(comp, comp)
    for unit, roles in LIFECYCLE_ROLES:
        if set(knob.roles) & set(roles):
            return unit
    return "auto_train"


def decompose(knobs: Sequence[KnobLike], kind: str = "agentic") -> Decomposition:
    """Assign every knob to one unit according to ``kind`` (see module docstring).

    Raises:
        ValueError: unknown ``kind`` (the message lists the valid ones) or no knobs.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown decomposition {kind!r}; valid: {list(KINDS)}")
    if not knobs:
        raise ValueError("cannot decompose an empty set of knobs")
    units: dict[str, list[int]] = {}
    comps: dict[str, list[str]] = {}
    for i, knob in enumerate(knobs):
        unit = _unit_of(kind, knob)
        units.setdefault(unit, []).append(i)
        comp = component(knob.owner)
        if comp not in comps.setdefault(unit, []):
            comps[unit].append(comp)
    return Decomposition(kind, {u: tuple(p) for u, p in units.items()},
                         {u: tuple(c) for u, c in comps.items()})


def positions_where(knobs: Sequence[KnobLike], *, owners: Sequence[str] = (),
                    roles: Sequence[str] = ()) -> tuple[int, ...]:
    """Positions of knobs whose component is in ``owners`` or that carry one of ``roles``."""
    return tuple(i for i, k in enumerate(knobs)
                 if component(k.owner) in owners or set(k.roles) & set(roles))
