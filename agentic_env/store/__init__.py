"""The knowledge store: every configuration, evaluation, template, negative case, reward and
scenario event, in SQLite (embedded default) or PostgreSQL (many workers).

``KnowledgeStore.open(path_or_url)`` is the entry point; ``python -m agentic_env.store`` queries
and exports from the command line. A typical evaluator step::

    store = KnowledgeStore.open(default_path(run_dir))  # or "postgresql+psycopg://..."
    key = EvaluationKey.for_config("movielens-100k", "temporal", "ranker", config, 1.0, seed)
    if (hit := store.get_evaluation(key)) is None:
        hit = store.record_evaluation(key, EvaluationResult(objective=...), config=config)
"""

from agentic_env.store.canonical import canonical_json, config_hash
from agentic_env.store.errors import (
    ExportError,
    MissingStoreError,
    NotAStoreError,
    SchemaTooNewError,
    StoreError,
    TransitionError,
    UnknownRecordError,
)
from agentic_env.store.records import (
    BestConfig,
    EvalStatus,
    EvaluationKey,
    EvaluationResult,
    NegativeCase,
    RunInfo,
    StoredEvaluation,
    TemplateRecord,
    TemplateStatus,
)
from agentic_env.store.store import KnowledgeStore, default_path

__all__ = [
    "BestConfig",
    "EvalStatus",
    "EvaluationKey",
    "EvaluationResult",
    "ExportError",
    "KnowledgeStore",
    "MissingStoreError",
    "NegativeCase",
    "NotAStoreError",
    "RunInfo",
    "SchemaTooNewError",
    "StoreError",
    "StoredEvaluation",
    "TemplateRecord",
    "TemplateStatus",
    "TransitionError",
    "UnknownRecordError",
    "canonical_json",
    "config_hash",
    "default_path",
]
