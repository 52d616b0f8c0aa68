"""Gymnasium and PettingZoo environments of agentic recommender evolution.

Gymnasium ids (registered by ``import agentic_env``): ``AgenticRS/IndividualEvolution-v0``,
``AgenticRS/CompositionalEvolution-v0``, ``AgenticRS/PipelineEvolution-v0``. PettingZoo:
:mod:`agentic_env.envs.coevolution_v0` (``parallel_env``, ``env``). Modules are imported on use,
so importing this package stays cheap.
"""

from agentic_env.envs.registration import IDS, register_envs

__all__ = ["IDS", "register_envs"]
