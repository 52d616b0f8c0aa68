"""Worker processes for the concurrency tests (importable by ``spawn`` children)."""

from __future__ import annotations

from typing import Any

import numpy as np

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore

N_KEYS = 30
REWARDS_PER_WORKER = 10


def key_for(index: int) -> tuple[EvaluationKey, dict[str, int]]:
    """The evaluation key every worker uses for key ``index`` (so that keys overlap)."""
    config = {"index": index}
    return EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 0), config


def write_overlapping(target: str, worker: int, barrier: Any, results: Any) -> None:
    """Open the store, wait for every worker, then write all keys in a worker-specific order.

    Each worker also writes ``REWARDS_PER_WORKER`` reward rows (plain inserts): none may be lost.
    Puts ``(worker, {index: (row id, objective)})`` on ``results``.
    """
    store = KnowledgeStore.open(target)
    run = store.start_run("load", seed=worker, git_revision="test", package_versions={})
    barrier.wait(timeout=120)
    seen: dict[int, tuple[int, float | None]] = {}
    for step, index in enumerate(np.random.default_rng(worker).permutation(N_KEYS)):
        key, config = key_for(int(index))
        result = EvaluationResult(inner={"worker": worker}, objective=float(worker))
        stored = store.record_evaluation(key, result, config=config, run_id=run)
        seen[int(index)] = (stored.id, stored.result.objective)
        if step < REWARDS_PER_WORKER:
            store.record_reward(run, step, "ranker", inner=worker, outer=step, reward=1.0)
    store.close()
    results.put((worker, seen))
