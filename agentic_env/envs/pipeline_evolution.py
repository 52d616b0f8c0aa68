"""``AgenticRS/PipelineEvolution-v0``: one monolithic agent sets every knob of the grid."""

from __future__ import annotations

from agentic_env.envs.base import EvolutionEnv
from agentic_env.envs.decompositions import component
from agentic_env.evaluator.grid import Grid


class PipelineEvolutionEnv(EvolutionEnv):
    """## Description

    The "One Model" / AutoML baseline: a single agent owns every knob of the grid (retrieval,
    fusion, ranking, re-ranking and routing at once). Comparing it with the decomposed
    environments is the granularity ablation. Steps, deployment and drift are as in
    ``IndividualEvolution-v0``.

    ## Action Space

    ``MultiDiscrete`` with one entry per grid knob (grid value indices, plus
    ``reserved_slots`` masked template slots each); ``action_masks()`` for MaskablePPO. Bad
    actions raise :class:`~agentic_env.envs.codec.ActionError` (masked ones may instead be
    kept with ``on_masked="keep"``).

    ## Observation Space

    ``Box(-1, 1)``: scenario context, remaining budget, time, last rewards, last rollout, and a
    one-hot of the whole deployed configuration.

    ## Rewards

    Layered with the monolithic defaults (0.2 inner, 0.8 outer, 0.1 cost): inner is the mean
    of all components' metrics, outer the objective experienced in the A/B cycle, cost the
    evaluation's compute; risk events and rollbacks can cost reward.

    ## Starting State

    Grid code ``start`` (default 0) as incumbent; scenario given or drawn per episode.

    ## Episode End

    Termination when the compute budget is spent; truncation at ``horizon``.

    ## Arguments

    As ``IndividualEvolution-v0`` without ``agent`` / ``decomposition``.

    ## Version History

    * v0: initial version.
    """

    unit_name = "pipeline"

    def _select(self, grid: Grid) -> tuple[list[int], tuple[str, ...]]:
        comps = tuple(dict.fromkeys(component(k.owner) for k in grid.knobs))
        return list(range(len(grid.knobs))), comps
