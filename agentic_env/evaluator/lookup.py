"""Batched reads of stored evaluations: one query per few hundred keys instead of one per key.

Cached mode and the table builder ask for many keys that share (dataset, split, agent); this
selects them by configuration hash in chunks (SQLite limits bound parameters) and matches fidelity
and seed in Python. It is a read of the store's evaluations table through its public engine, with
the store's own retry on lock contention.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from agentic_env.store import EvaluationKey, KnowledgeStore, StoredEvaluation
from agentic_env.store.engine import with_retry
from agentic_env.store.evaluations import to_stored
from agentic_env.store.models import Configuration, Evaluation, table_of
from agentic_env.store.records import EvalStatus

_TABLE = table_of(Evaluation)
_CONFIGS = table_of(Configuration)
CHUNK = 500


def fetch_many(
    store: KnowledgeStore, keys: Iterable[EvaluationKey]
) -> dict[EvaluationKey, StoredEvaluation]:
    """The stored evaluation of every key that has one (keys without one are absent)."""
    groups: dict[tuple[str, str, str], set[EvaluationKey]] = defaultdict(set)
    for key in keys:
        groups[(key.dataset, key.split, key.agent)].add(key)
    found: dict[EvaluationKey, StoredEvaluation] = {}
    for (dataset, split, agent), wanted in groups.items():
        hashes = sorted({k.config_hash for k in wanted})
        for lo in range(0, len(hashes), CHUNK):
            query = select(_TABLE).where(
                _TABLE.c.dataset == dataset, _TABLE.c.split == split, _TABLE.c.agent == agent,
                _TABLE.c.config_hash.in_(hashes[lo:lo + CHUNK]))
            for stored in _read(store, query):
                if stored.key in wanted:
                    found[stored.key] = stored
    return found


def ok_with_configs(
    store: KnowledgeStore, dataset: str, split: str, agent: str
) -> list[tuple[dict[str, Any], StoredEvaluation]]:
    """Every ``ok`` evaluation of (dataset, split, agent) with its configuration, oldest first."""
    query = (
        select(_TABLE, _CONFIGS.c.canonical)
        .join(_CONFIGS, _CONFIGS.c.hash == _TABLE.c.config_hash)
        .where(_TABLE.c.dataset == dataset, _TABLE.c.split == split, _TABLE.c.agent == agent,
               _TABLE.c.status == EvalStatus.OK.value)
        .order_by(_TABLE.c.id)
    )

    def attempt() -> list[tuple[dict[str, Any], StoredEvaluation]]:
        with store.engine.connect() as conn:
            rows = conn.execute(query).mappings()
            return [(json.loads(row["canonical"]), to_stored(row)) for row in rows]

    return with_retry(attempt)


def _read(store: KnowledgeStore, query: object) -> list[StoredEvaluation]:
    def attempt() -> list[StoredEvaluation]:
        with store.engine.connect() as conn:
            return [to_stored(row) for row in conn.execute(query).mappings()]  # type: ignore[call-overload]

    return with_retry(attempt)
