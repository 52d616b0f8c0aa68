"""``AgenticRS/IndividualEvolution-v0``: one agent evolves its own knobs, the rest stay fixed."""

from __future__ import annotations

from typing import Any

from agentic_env.envs.base import EvolutionEnv
from agentic_env.envs.decompositions import decompose
from agentic_env.evaluator.grid import Grid


class IndividualEvolutionEnv(EvolutionEnv):
    """## Description

    Individual evolution (AgenticRS): one agent of a decomposition -- by default the ranking
    agent of the ``agentic`` decomposition -- changes its own configuration while every other
    knob keeps the incumbent's value. A step is one deployment cycle: the proposed
    configuration is evaluated (inner metrics from logged data), served to a ``traffic`` share
    of simulated users against the incumbent, and rolled out only if a one-sided Welch test
    finds it better. The scenario's phase advances with the step count, so the best
    configuration can change during an episode (drift).

    ## Action Space

    ``MultiDiscrete``: one entry per grid knob the agent owns, the index of its value on the
    grid, plus ``reserved_slots`` masked entries per knob for templates added later.
    ``action_masks()`` gives the flat mask (sb3-contrib ``MaskablePPO``). A wrong shape or an
    out-of-range index raises :class:`~agentic_env.envs.codec.ActionError`; a masked index
    raises too, or with ``on_masked="keep"`` leaves that knob unchanged and costs
    ``masked_penalty``. With ``traffic_choices`` (e.g. ``(0.05, 0.2, 0.5)``) one last entry
    picks the A/B traffic share of the cycle (the AutoPerf decision: more traffic gives the
    test more power but exposes more users to a worse configuration).

    ## Observation Space

    ``Box(-1, 1)``: scenario context (4 segment shares, 4 drift flags, phase, 5 objective
    weights), remaining budget, elapsed time, the last inner / outer / total reward and
    whether the last cycle rolled out, then a one-hot of the deployed value of each own knob.

    ## Rewards

    ``w_inner * inner + w_outer * outer - w_cost * cost``: ``inner`` is the agent's own metric
    (its component's, normalised by the table's range), ``outer`` the objective users
    experienced in the cycle (traffic-weighted over both arms, normalised), ``cost`` the
    evaluation's compute (only when the agent changed something, over the table's largest).
    Role defaults (e.g. ranking 0.7 / 0.3, re-ranking 0.2 / 0.8, cost 0.1); ``weights``
    overrides them. A risk event (the treatment significantly worse) costs ``risk_penalty``, a
    rollback ``rollback_penalty``. ``difference=True`` credits only the outer change this
    agent caused.

    ## Starting State

    The incumbent is grid code ``start`` (default 0: every knob at its first grid value, or
    ``"random"``); the scenario is ``scenario`` or drawn from the table's scenarios. Both can be
    set per episode: ``reset(options={"scenario": ..., "start": ...})``.

    ## Episode End

    Termination when the compute budget is spent: ``budget`` (default half the horizon) in
    units of the table's mean evaluation cost (live mode without a table: the first
    evaluation's cost). Re-deploying the incumbent costs nothing. Truncation after ``horizon``
    steps (default 50).

    ## Arguments

    ``agent`` (unit name), ``decomposition`` ("agentic", "lifecycle", "merged"), ``mode``
    ("cached" default, "live", "surrogate"), ``table`` (a BenchmarkTable or path; default
    the bundled table), ``live`` (a LiveBackend or PipelineTrial), ``allow_live``, ``scenario``,
    ``horizon``, ``budget``, ``steps_per_phase``, ``objective`` (default "reward"),
    ``traffic``, ``n_batches``, ``alpha``, ``rollback_penalty``, ``risk_penalty``,
    ``difference``, ``weights``, ``reserved_slots``, ``on_masked``, ``masked_penalty``,
    ``traffic_choices``, ``start``, ``render_mode`` ("ansi").

    ``info`` holds ``code`` (deployed), ``proposed_code``, ``inner``, ``outer``, ``cost``,
    ``rollout``, ``risk_event``, ``p_better``, ``traffic``, ``regret`` (table best minus
    deployed; None in live and surrogate modes), ``masked``, ``scenario``, ``phase``,
    ``budget_left``.

    ## Version History

    * v0: initial version.
    """

    def __init__(self, agent: str = "ranking", decomposition: str = "agentic",
                 **kwargs: Any) -> None:
        self.agent, self.decomposition = agent, decomposition
        self.unit_name = agent
        super().__init__(**kwargs)

    def _select(self, grid: Grid) -> tuple[list[int], tuple[str, ...]]:
        dec = decompose(grid.knobs, self.decomposition)
        if self.agent not in dec.units:
            raise ValueError(f"agent {self.agent!r} has no knob on this grid under the "
                             f"{self.decomposition!r} decomposition; agents: {list(dec.units)}")
        return list(dec.units[self.agent]), dec.components[self.agent]
