"""Writes what an evolution run does to the knowledge store, the same way for every method.

One store *run* per method and seed. Each evaluation becomes a reward row (step, agent, inner,
outer, reward; the code, cost and regret in its credit record) and, when the configuration is
known, an evaluation row keyed by (dataset, split, agent, config, fidelity, repeat), so that
search, RL and the LLM proposer read one another's results. Decisions (coordinator, schedule)
are scenario events of kind ``decision.*``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore

ConfigOf = Callable[[int], Mapping[str, Any]]


def _scalar(value: Any, default: float) -> float:
    """A finite float from a number or a mapping of numbers (mean); ``default`` otherwise."""
    if isinstance(value, Mapping):
        numbers = [float(v) for v in value.values() if isinstance(v, int | float)]
        value = sum(numbers) / len(numbers) if numbers else None
    if isinstance(value, int | float) and math.isfinite(float(value)):
        return float(value)
    return default


def _metrics(value: Any, name: str) -> dict[str, float]:
    """Metrics from a mapping, or ``{name: value}`` from one finite number."""
    if isinstance(value, int | float) and math.isfinite(float(value)):
        return {name: float(value)}
    if not isinstance(value, Mapping):
        return {}
    return {str(k): float(v) for k, v in value.items()
            if isinstance(v, int | float) and math.isfinite(float(v))}


class RunRecorder:
    """A store run that evaluations, episodes and decisions are written to.

    Args:
        store: The knowledge store.
        experiment: Experiment name (created on first use).
        seed: The run's seed.
        config: What the run was started with (method, budget, ...), kept as provenance.
        agent: Agent name for the rows (``"system"`` when one policy sets the whole config).
        config_of: Code -> full configuration; when given, evaluation rows are written too.
        dataset, split, fidelity: The evaluation key's context.
        run_id: Continue an existing run (resume) instead of starting one.
    """

    def __init__(self, store: KnowledgeStore, experiment: str, *, seed: int,
                 config: Mapping[str, Any] | None = None, agent: str = "system",
                 config_of: ConfigOf | None = None, dataset: str = "bundled",
                 split: str = "table", fidelity: float = 1.0, run_id: int | None = None) -> None:
        self.store = store
        self.agent = agent
        self.config_of = config_of
        self.dataset, self.split, self.fidelity = dataset, split, fidelity
        self.seed = seed
        if run_id is None:
            run_id = store.start_run(experiment, seed=seed, config=dict(config or {}))
        else:
            store.get_run(run_id)  # a clear error if it does not exist
        self.run_id = run_id

    def evaluation(self, step: int, code: int, reward: float, cost: float,
                   info: Mapping[str, Any] | None = None, agent: str | None = None) -> None:
        """Record one evaluation of ``code`` at ``step``."""
        info = info or {}
        who = agent or self.agent
        credit: dict[str, Any] = {"code": int(code), "cost": float(cost)}
        for name in ("regret", "repeat", "method", "phase"):
            if isinstance(info.get(name), int | float | str):
                credit[name] = info[name]
        reward = float(reward)
        self.store.record_reward(self.run_id, step, who, inner=_scalar(info.get("inner"), reward),
                                 outer=_scalar(info.get("outer"), reward), reward=reward,
                                 credit=credit)
        if self.config_of is not None:
            config = self.config_of(int(code))
            repeat = info.get("repeat", step)
            key = EvaluationKey.for_config(self.dataset, self.split, who, config, self.fidelity,
                                           int(repeat) if isinstance(repeat, int) else step)
            result = EvaluationResult(inner=_metrics(info.get("inner"), who),
                                      outer=_metrics(info.get("outer"), who), objective=reward,
                                      cost_seconds=float(cost))
            self.store.record_evaluation(key, result, config=config, run_id=self.run_id)

    def event(self, step: int, kind: str, payload: Mapping[str, Any] | None = None,
              scenario: str = "policy") -> None:
        """Record a decision or an episode boundary as a scenario event."""
        if "kind" in (payload or {}):
            raise ValueError("payload key 'kind' would shadow the event kind; rename it")
        self.store.record_scenario_event(self.run_id, step, scenario, kind, dict(payload or {}))

    def finish(self, status: str = "finished") -> None:
        self.store.finish_run(self.run_id, status)


def events(store: KnowledgeStore, run_id: int, prefix: str = "decision") -> list[dict[str, Any]]:
    """The run's events whose kind starts with ``prefix``, oldest first: ``{"step", "kind",
    ...payload}`` (payload keys never shadow ``kind``: writers must not use that key)."""
    history = store.run_history(run_id)
    rows = history[history["kind"] == "scenario_event"]
    out = []
    for step, detail in zip(rows["step"], rows["detail"], strict=True):
        payload = json.loads(detail)
        if str(payload.get("kind", "")).startswith(prefix):
            out.append({"step": int(step), **payload})
    return out
