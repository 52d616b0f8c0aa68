"""ORM tables of the knowledge store (SQLAlchemy 2, typed ``Mapped[...]``).

Metrics and specs are JSON columns (dicts of floats, per-segment nested dicts); ``objective`` is
a plain float column beside them so that best-of queries on it use an index, not JSON parsing.
Times are UTC, set by Python (SQLite's ``CURRENT_TIMESTAMP`` only has whole seconds).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

HASH = String(64)
NAME = String(200)


def utcnow() -> datetime:
    """The current time in UTC, the store's only time zone."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC timestamp that reads back time-zone aware on SQLite too (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; the store expects UTC-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every store table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: UTCDateTime(),
    }


class SchemaVersion(Base):
    """One row per applied migration; the highest version is the database's schema version."""

    __tablename__ = "schema_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class Experiment(Base):
    """A named group of runs (an ablation, a sweep)."""

    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """One process's run with the provenance needed to reproduce it."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    git_revision: Mapped[str | None] = mapped_column(String(64))
    package_versions: Mapped[dict[str, Any]]
    config: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Configuration(Base):
    """A configuration in canonical JSON, addressed by the sha256 of that text."""

    __tablename__ = "configurations"
    hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    canonical: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(Base):
    """One evaluation; the key columns are unique so concurrent writers cannot duplicate it."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint(
            "dataset", "split", "agent", "config_hash", "fidelity", "seed", name="uq_evaluation_key"
        ),
        Index("ix_evaluations_agent_objective", "agent", "objective"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(NAME)
    split: Mapped[str] = mapped_column(NAME)
    agent: Mapped[str] = mapped_column(NAME)
    config_hash: Mapped[str] = mapped_column(HASH, ForeignKey("configurations.hash"))
    fidelity: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    inner_metrics: Mapped[dict[str, Any]]
    outer_metrics: Mapped[dict[str, Any]]
    segment_metrics: Mapped[dict[str, Any]]
    objective: Mapped[float | None] = mapped_column(Float)
    cost_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    wall_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Template(Base):
    """A proposed template for an agent's categorical knob and where it is in its life cycle."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("agent", "knob", "spec_hash", name="uq_template_spec"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(NAME)
    knob: Mapped[str] = mapped_column(NAME)
    name: Mapped[str] = mapped_column(NAME)
    spec: Mapped[dict[str, Any]]
    spec_hash: Mapped[str] = mapped_column(HASH)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    reason: Mapped[str | None] = mapped_column(Text)
    proposer: Mapped[str | None] = mapped_column(NAME)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NegativeCaseRow(Base):
    """A failed direction (configuration, template, or free-form idea) with its reason."""

    __tablename__ = "negative_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(NAME, index=True)
    reason: Mapped[str] = mapped_column(Text)
    config_hash: Mapped[str | None] = mapped_column(HASH, index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"))
    details: Mapped[dict[str, Any]]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reward(Base):
    """A layered reward given to an agent at one step, with its credit assignment."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    step: Mapped[int] = mapped_column(BigInteger)
    agent: Mapped[str] = mapped_column(NAME)
    inner: Mapped[float] = mapped_column(Float)
    outer: Mapped[float] = mapped_column(Float)
    reward: Mapped[float] = mapped_column(Float)
    credit: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScenarioEvent(Base):
    """A scripted change of the environment (user mix, catalogue, objective weights)."""

    __tablename__ = "scenario_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    step: Mapped[int] = mapped_column(BigInteger)
    scenario: Mapped[str] = mapped_column(NAME)
    kind: Mapped[str] = mapped_column(NAME)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def table_of(model: type[Base]) -> Table:
    """The Core table of an ORM class (typed, for cached Core statements)."""
    return cast(Table, model.__table__)


TABLES: dict[str, type[Base]] = {
    "experiments": Experiment,
    "runs": Run,
    "configurations": Configuration,
    "evaluations": Evaluation,
    "templates": Template,
    "negative_cases": NegativeCaseRow,
    "rewards": Reward,
    "scenario_events": ScenarioEvent,
}
