"""KnowledgeStore: the knowledge layer's API over one SQLite file or PostgreSQL database.

Every public method is one short transaction (writes start with ``BEGIN IMMEDIATE`` on SQLite)
retried as a whole on lock contention, and returns frozen values, never ORM objects. The modules
beside this one hold the queries; this class owns connections, transactions and defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from agentic_env.store import evaluations as ev
from agentic_env.store import memory, provenance, queries, runs
from agentic_env.store.engine import (
    DEFAULT_BUSY_TIMEOUT_S,
    WRITE_OPTION,
    with_retry,
)
from agentic_env.store.export import write_atomically
from agentic_env.store.opening import open_engine
from agentic_env.store.records import (
    BestConfig,
    EvaluationKey,
    EvaluationResult,
    NegativeCase,
    RunInfo,
    StoredEvaluation,
    TemplateRecord,
    TemplateStatus,
)

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
DEFAULT_FILENAME = "knowledge.sqlite"


def default_path(run_dir: str | Path) -> Path:
    """Where a run keeps its embedded store: ``<run_dir>/knowledge.sqlite``."""
    return Path(run_dir) / DEFAULT_FILENAME


class KnowledgeStore:
    """Remembers configurations, evaluations, templates, negative cases, rewards and events."""

    def __init__(self, engine: Engine, schema_version: int) -> None:
        """Wrap an engine whose schema :meth:`open` has prepared; use :meth:`open` instead."""
        self.engine = engine
        self.schema_version = schema_version
        self.where = engine.url.render_as_string(hide_password=True)
        self._autocommit_reads = engine.dialect.name == "postgresql"

    @classmethod
    def open(
        cls,
        target: str | Path,
        *,
        create: bool = True,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> KnowledgeStore:
        """Open the store at a file path or database URL.

        Without ``create`` a missing file or an empty database raises :class:`MissingStoreError`
        instead of becoming a new store (for commands that only read).
        """
        engine, version = open_engine(target, create=create, busy_timeout_s=busy_timeout_s)
        return cls(engine, version)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, work: Callable[[Session], T], *, write: bool) -> T:
        """Run ``work`` in one transaction, retried whole on lock contention or a lost connection.

        PostgreSQL reads run in autocommit: under its default READ COMMITTED each statement sees
        the latest commits either way, and it saves the BEGIN and COMMIT round trips.
        """
        options: dict[str, Any] = {WRITE_OPTION: write}
        if not write and self._autocommit_reads:
            options["isolation_level"] = "AUTOCOMMIT"

        def attempt() -> T:
            with self.engine.connect() as conn:
                conn.execution_options(**options)
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    return work(session)

        return with_retry(attempt)

    # -- runs -------------------------------------------------------------------------------

    def start_experiment(self, name: str, description: str = "") -> int:
        """The id of experiment ``name``, created on first use."""
        return self._run(lambda s: runs.start_experiment(s, name, description), write=True)

    def start_run(
        self,
        experiment: str,
        *,
        seed: int,
        config: Mapping[str, Any] | None = None,
        git_revision: str | None = None,
        package_versions: Mapping[str, str] | None = None,
    ) -> int:
        """Start a run; git revision and package versions are detected when not given."""
        revision = git_revision if git_revision is not None else provenance.git_revision()
        versions = package_versions
        if versions is None:
            versions = provenance.package_versions()

        def work(session: Session) -> int:
            experiment_id = runs.start_experiment(session, experiment, "")
            return runs.start_run(session, experiment_id, seed, config or {}, revision, versions)

        return self._run(work, write=True)

    def finish_run(self, run_id: int, status: str = "finished") -> None:
        """Mark run ``run_id`` finished with ``status``."""
        self._run(lambda s: runs.finish_run(s, run_id, status), write=True)

    def get_run(self, run_id: int) -> RunInfo:
        """Provenance of run ``run_id``."""
        return self._run(lambda s: runs.run_info(s, run_id), write=False)

    # -- configurations and evaluations -----------------------------------------------------

    def put_config(self, config: Mapping[str, Any]) -> str:
        """Store ``config`` canonically and return its sha256 hash."""
        return self._run(lambda s: ev.put_config(s, config), write=True)

    def get_config(self, digest: str) -> dict[str, Any]:
        """The configuration stored under ``digest``."""
        return self._run(lambda s: ev.get_config(s, digest), write=False)

    def record_evaluation(
        self,
        key: EvaluationKey,
        result: EvaluationResult,
        *,
        config: Mapping[str, Any] | None = None,
        run_id: int | None = None,
        on_conflict: ev.ConflictPolicy = "keep",
    ) -> StoredEvaluation:
        """Store an evaluation idempotently; see :mod:`agentic_env.store.evaluations` policies.

        ``config``, when given, is stored too and must hash to ``key.config_hash``.
        """

        def work(session: Session) -> StoredEvaluation:
            if config is not None:
                digest = ev.put_config(session, config)
                if digest != key.config_hash:
                    raise ValueError(
                        f"config hashes to {digest}, but the key names {key.config_hash}"
                    )
            return ev.record_evaluation(session, key, result, run_id, on_conflict)

        return self._run(work, write=True)

    def get_evaluation(self, key: EvaluationKey) -> StoredEvaluation | None:
        """The evaluation stored under ``key``, or None when it was never recorded."""
        return self._run(lambda s: ev.find_evaluation(s, key), write=False)

    def evaluations(
        self,
        *,
        dataset: str | None = None,
        split: str | None = None,
        agent: str | None = None,
        config_hash: str | None = None,
        fidelity: float | None = None,
        status: str | None = None,
    ) -> pd.DataFrame:
        """Matching evaluations; metrics flattened to ``inner.X``, ``outer.X``, ``segment.S.X``."""
        filters = {"dataset": dataset, "split": split, "agent": agent,
                   "config_hash": config_hash, "fidelity": fidelity, "status": status}  # fmt: skip
        return queries.frame(self._run(lambda s: queries.evaluation_rows(s, filters), write=False))

    def best_configs(
        self,
        agent: str,
        metric: str = "objective",
        *,
        dataset: str | None = None,
        split: str | None = None,
        fidelity: float | None = None,
        top: int = 5,
        maximize: bool = True,
    ) -> list[BestConfig]:
        """The ``top`` configurations of ``agent`` by ``metric`` averaged over seeds."""
        filters = {"dataset": dataset, "split": split, "fidelity": fidelity}
        return self._run(
            lambda s: queries.best_configs(s, agent, metric, filters, top, maximize), write=False
        )

    # -- experience memory ------------------------------------------------------------------

    def record_template(
        self,
        agent: str,
        knob: str,
        name: str,
        spec: Mapping[str, Any],
        *,
        proposer: str | None = None,
        run_id: int | None = None,
    ) -> TemplateRecord:
        """Store a proposed template (status ``proposed``); the same spec again is a no-op."""
        return self._run(
            lambda s: memory.record_template(s, agent, knob, name, spec, proposer, run_id),
            write=True,
        )

    def update_template_status(
        self, template_id: int, status: TemplateStatus | str, reason: str | None = None
    ) -> TemplateRecord:
        """Move a template along proposed → validated → evaluated → accepted, or to rejected."""
        wanted = TemplateStatus(status)
        return self._run(
            lambda s: memory.update_template_status(s, template_id, wanted, reason), write=True
        )

    def templates(
        self, *, agent: str | None = None, status: TemplateStatus | str | None = None
    ) -> list[TemplateRecord]:
        """Templates, oldest first, optionally of one agent and one status."""
        wanted = TemplateStatus(status) if status is not None else None
        return self._run(lambda s: memory.templates(s, agent, wanted), write=False)

    def record_negative_case(
        self,
        agent: str,
        reason: str,
        *,
        config_hash: str | None = None,
        template_id: int | None = None,
        details: Mapping[str, Any] | None = None,
        run_id: int | None = None,
    ) -> NegativeCase:
        """Remember a failed direction and why it failed."""
        return self._run(
            lambda s: memory.record_negative_case(
                s, agent, reason, config_hash, template_id, details or {}, run_id
            ),
            write=True,
        )

    def negative_cases(
        self, *, agent: str | None = None, config_hash: str | None = None, limit: int | None = None
    ) -> list[NegativeCase]:
        """Negative cases, newest first."""
        return self._run(lambda s: memory.negative_cases(s, agent, config_hash, limit), write=False)

    def is_negative(self, agent: str, config_hash: str) -> bool:
        """Whether ``config_hash`` is a known failed direction for ``agent``."""
        return bool(self.negative_cases(agent=agent, config_hash=config_hash, limit=1))

    # -- run signals and history -------------------------------------------------------------

    def record_reward(
        self,
        run_id: int,
        step: int,
        agent: str,
        *,
        inner: float,
        outer: float,
        reward: float,
        credit: Mapping[str, Any] | None = None,
    ) -> int:
        """Store an agent's layered reward at ``step`` and how credit was assigned."""
        values = (inner, outer, reward)
        return self._run(
            lambda s: runs.record_reward(s, run_id, step, agent, values, credit or {}), write=True
        )

    def record_scenario_event(
        self,
        run_id: int,
        step: int,
        scenario: str,
        kind: str,
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a scripted environment change at ``step``."""
        return self._run(
            lambda s: runs.record_scenario_event(s, run_id, step, scenario, kind, payload or {}),
            write=True,
        )

    def run_history(self, run_id: int) -> pd.DataFrame:
        """Everything run ``run_id`` recorded, oldest first: time, kind, step, agent, detail."""

        def work(session: Session) -> list[dict[str, Any]]:
            runs.require_run(session, run_id)
            return queries.history_rows(session, run_id)

        columns = ["time", "kind", "step", "agent", "detail"]
        history = queries.frame(self._run(work, write=False), columns)
        history["step"] = history["step"].astype("Int64")  # steps stay integers beside gaps
        return history

    def export(self, table: str, fmt: str, out: str | Path) -> Path:
        """Write ``table`` to ``out`` as ``csv`` or ``parquet``; JSON columns as canonical text."""
        columns, rows = self._run(lambda s: queries.table_rows(s, table), write=False)
        return write_atomically(columns, rows, fmt, out)
