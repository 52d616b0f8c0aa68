"""``AgenticRS/CompositionalEvolution-v0``: who takes part, how outputs fuse, who goes where."""

from __future__ import annotations

from typing import Any

from agentic_env.envs.base import EvolutionEnv
from agentic_env.envs.decompositions import component, positions_where
from agentic_env.evaluator.grid import Grid

COMPOSITION_ROLES = ("composition", "serving")


class CompositionalEvolutionEnv(EvolutionEnv):
    """## Description

    Compositional evolution (AgenticRS): the agent changes the connections between agents while
    their internals stay fixed -- which recall sources take part and with what fusion weight
    (a weight of 0 removes a source), the fusion rule and quotas, cascade cut-offs (candidate
    and fusion sizes, re-ranking pool) and which path each user segment is routed through.
    These are the grid knobs with the ``composition`` or ``serving`` role or owned by fusion or
    the router. Steps, deployment and drift are as in ``IndividualEvolution-v0``: compositional
    evolution is what reacts when the scenario shifts the user mix, trends or objective.

    ## Action Space

    ``MultiDiscrete`` over the composition knobs on the grid (grid value indices, plus
    ``reserved_slots`` masked template slots each); ``action_masks()`` for MaskablePPO. Bad
    actions raise :class:`~agentic_env.envs.codec.ActionError` (masked ones may instead be
    kept with ``on_masked="keep"``).

    ## Observation Space

    ``Box(-1, 1)``: scenario context (segment shares, drift flags, phase, objective weights),
    remaining budget, time, last inner / outer / total reward, last rollout, and a one-hot of
    the deployed composition.

    ## Rewards

    Layered, mostly outer (defaults 0.2 inner, 0.8 outer, 0.1 cost): inner is the mean of the
    involved components' own metrics; outer the objective users experienced in the A/B cycle;
    cost the evaluation's compute. Risk events and rollbacks can cost reward.

    ## Starting State

    Grid code ``start`` (default 0) as incumbent; scenario given or drawn per episode.

    ## Episode End

    Termination when the compute budget is spent; truncation at ``horizon``.

    ## Arguments

    As ``IndividualEvolution-v0`` without ``agent`` / ``decomposition``; ``roles`` (default
    ``("composition", "serving")``) and ``owners`` (default ``("fusion", "router")``) choose
    the knobs.

    ## Version History

    * v0: initial version.
    """

    unit_name = "composition"

    def __init__(self, roles: tuple[str, ...] = COMPOSITION_ROLES,
                 owners: tuple[str, ...] = ("fusion", "router"), **kwargs: Any) -> None:
        self.roles, self.owners = tuple(roles), tuple(owners)
        super().__init__(**kwargs)

    def _select(self, grid: Grid) -> tuple[list[int], tuple[str, ...]]:
        positions = list(positions_where(grid.knobs, owners=self.owners, roles=self.roles))
        if not positions:
            raise ValueError(f"the grid has no composition knob (roles {self.roles}, owners "
                             f"{self.owners}); its knobs: {list(grid.names)}")
        comps = tuple(dict.fromkeys(component(grid.knobs[p].owner) for p in positions))
        return positions, comps
