"""Gymnasium ids of the environments, registered when :mod:`agentic_env` is imported.

Entry points are strings, so registering imports no environment module (and no torch).
"""

from __future__ import annotations

import gymnasium

IDS = {
    "AgenticRS/IndividualEvolution-v0":
        "agentic_env.envs.individual:IndividualEvolutionEnv",
    "AgenticRS/CompositionalEvolution-v0":
        "agentic_env.envs.compositional:CompositionalEvolutionEnv",
    "AgenticRS/PipelineEvolution-v0":
        "agentic_env.envs.pipeline_evolution:PipelineEvolutionEnv",
}


def register_envs() -> None:
    """Register every id once (re-importing is harmless)."""
    for env_id, entry_point in IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry_point)
