"""Configurations and evaluations: the memo table the evaluator reads before it trains.

Conflict policy when an evaluation key is already stored (``on_conflict``):

- ``"keep"`` (default): the stored row wins and is returned unchanged; the first writer of a
  key decides its result, which makes concurrent duplicate work harmless.
- ``"replace"``: the new result overwrites the stored one (e.g. a corrected metric).
- ``"replace_failed"``: overwrite only a stored row whose status is not ``ok`` (a retry after a
  failure or a time-out), otherwise keep it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import RowMapping, bindparam, select
from sqlalchemy.orm import Session

from agentic_env.store.canonical import canonical_json, config_hash
from agentic_env.store.errors import UnknownRecordError
from agentic_env.store.models import Configuration, Evaluation, table_of, utcnow
from agentic_env.store.records import (
    EvalStatus,
    EvaluationKey,
    EvaluationResult,
    StoredEvaluation,
)
from agentic_env.store.runs import require_run
from agentic_env.store.upsert import insert_or_ignore, insert_or_update

ConflictPolicy = Literal["keep", "replace", "replace_failed"]
CONFLICT_POLICIES: tuple[str, ...] = ("keep", "replace", "replace_failed")
KEY_COLUMNS = ("dataset", "split", "agent", "config_hash", "fidelity", "seed")

_CONFIGS = table_of(Configuration)
_EVALUATIONS = table_of(Evaluation)
# Built once: lookups by key are the evaluator's hot path.
_HAS_CONFIG = select(_CONFIGS.c.hash).where(_CONFIGS.c.hash == bindparam("hash"))
_FIND = select(_EVALUATIONS).where(*(_EVALUATIONS.c[c] == bindparam(c) for c in KEY_COLUMNS))


def put_config(session: Session, config: Mapping[str, Any]) -> str:
    """Store ``config`` in canonical form (once per hash) and return its hash."""
    text = canonical_json(config)
    digest = config_hash(config)
    insert_or_ignore(
        session,
        Configuration,
        {"hash": digest, "canonical": text, "created_at": utcnow()},
        ["hash"],
    )
    return digest


def get_config(session: Session, digest: str) -> dict[str, Any]:
    """The configuration stored under ``digest``."""
    text = session.scalar(select(_CONFIGS.c.canonical).where(_CONFIGS.c.hash == digest))
    if text is None:
        raise UnknownRecordError(f"no configuration with hash {digest!r}; store it with put_config")
    value: dict[str, Any] = json.loads(text)
    return value


def has_config(session: Session, digest: str) -> bool:
    """Whether a configuration with this hash is stored."""
    found = session.connection().execute(_HAS_CONFIG, {"hash": digest}).first()
    return found is not None


def _key_params(key: EvaluationKey) -> dict[str, Any]:
    return {column: getattr(key, column) for column in KEY_COLUMNS}


def _row_values(key: EvaluationKey, result: EvaluationResult, run_id: int | None) -> dict[str, Any]:
    return {
        "dataset": key.dataset,
        "split": key.split,
        "agent": key.agent,
        "config_hash": key.config_hash,
        "fidelity": key.fidelity,
        "seed": key.seed,
        "run_id": run_id,
        "inner_metrics": dict(result.inner),
        "outer_metrics": dict(result.outer),
        "segment_metrics": {s: dict(m) for s, m in result.segments.items()},
        "objective": result.objective,
        "cost_seconds": result.cost_seconds,
        "wall_seconds": result.wall_seconds,
        "status": result.status.value,
        "error": result.error,
        "created_at": utcnow(),
    }


def record_evaluation(
    session: Session,
    key: EvaluationKey,
    result: EvaluationResult,
    run_id: int | None,
    on_conflict: ConflictPolicy,
) -> StoredEvaluation:
    """Insert the evaluation under ``key`` following ``on_conflict``; return the stored row."""
    if on_conflict not in CONFLICT_POLICIES:
        raise ValueError(f"on_conflict={on_conflict!r}; expected one of {CONFLICT_POLICIES}")
    if not has_config(session, key.config_hash):
        raise UnknownRecordError(
            f"evaluation key names configuration {key.config_hash!r}, which is not stored; "
            "pass config= or call put_config first"
        )
    if run_id is not None:
        require_run(session, run_id)
    values = _row_values(key, result, run_id)
    if on_conflict == "keep":
        insert_or_ignore(session, Evaluation, values, KEY_COLUMNS)
    else:
        unless = ("status", EvalStatus.OK.value) if on_conflict == "replace_failed" else None
        insert_or_update(session, Evaluation, values, KEY_COLUMNS, unless)
    stored = find_evaluation(session, key)
    assert stored is not None, "the row was just inserted or already present"
    return stored


def find_evaluation(session: Session, key: EvaluationKey) -> StoredEvaluation | None:
    """The evaluation stored under ``key``, or None."""
    row = session.connection().execute(_FIND, _key_params(key)).mappings().one_or_none()
    return to_stored(row) if row is not None else None


def to_stored(row: RowMapping) -> StoredEvaluation:
    """The API value of an evaluation row (a column-name mapping)."""
    key = EvaluationKey(*(row[c] for c in KEY_COLUMNS))
    result = EvaluationResult(
        inner=row["inner_metrics"],
        outer=row["outer_metrics"],
        segments=row["segment_metrics"],
        objective=row["objective"],
        cost_seconds=row["cost_seconds"],
        wall_seconds=row["wall_seconds"],
        status=EvalStatus(row["status"]),
        error=row["error"],
    )
    return StoredEvaluation(row["id"], key, result, row["run_id"], row["created_at"])
