"""How agents evolve: search baselines, SB3 drivers, multi-agent learners, the RL/LLM schedule,
the coordinator, and the metrics that compare them.

- :mod:`policies.budget` — evaluations and compute seconds, charged the same way everywhere.
- :mod:`policies.search` — random, grid, TPE, CMA-ES, evolutionary, UCB/Thompson bandit behind
  ``ask``/``tell``, driven by :func:`~policies.search.run_search`.
- :mod:`policies.rl` — PPO, A2C, DQN, MaskablePPO with store/W&B callbacks and resume.
- :mod:`policies.multiagent` — independent learners and parameter sharing on PettingZoo.
- :mod:`policies.saturation`, :mod:`policies.evolution`, :mod:`policies.schedule` — RL until
  saturation, LLM proposals, alternation, per-agent methods.
- :mod:`policies.coordinator` — the individual ↔ compositional state machine.
- :mod:`policies.metrics` — anytime regret curves and per-agent trajectories.
- :mod:`policies.proposer` — the LLM proposer plug-in.

Submodules are imported on use (the RL drivers pull in torch).
"""
