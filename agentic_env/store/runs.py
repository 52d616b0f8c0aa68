"""Experiments, runs and what a run emits step by step: rewards and scenario events."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agentic_env.store.canonical import normalise_mapping
from agentic_env.store.errors import UnknownRecordError
from agentic_env.store.models import Experiment, Reward, Run, ScenarioEvent, utcnow
from agentic_env.store.records import RunInfo
from agentic_env.store.upsert import insert_or_ignore


def start_experiment(session: Session, name: str, description: str) -> int:
    """The id of experiment ``name``, created on first use."""
    if not name:
        raise ValueError("experiment name must be a non-empty string")
    insert_or_ignore(
        session,
        Experiment,
        {"name": name, "description": description, "created_at": utcnow()},
        ["name"],
    )
    found = session.scalar(select(Experiment.id).where(Experiment.name == name))
    assert found is not None
    return found


def start_run(
    session: Session,
    experiment_id: int,
    seed: int,
    config: Mapping[str, Any],
    git_revision: str | None,
    package_versions: Mapping[str, str],
) -> int:
    """Create a run row and return its id."""
    run = Run(
        experiment_id=experiment_id,
        seed=int(seed),
        git_revision=git_revision,
        package_versions=dict(package_versions),
        config=normalise_mapping(config),
        status="running",
        started_at=utcnow(),
    )
    session.add(run)
    session.flush()
    return run.id


def require_run(session: Session, run_id: int) -> Run:
    """The run row ``run_id``, or a clear error."""
    run = session.get(Run, run_id)
    if run is None:
        raise UnknownRecordError(f"no run with id {run_id}; start one with start_run")
    return run


def finish_run(session: Session, run_id: int, status: str) -> None:
    """Mark a run finished with ``status`` (e.g. ``finished``, ``failed``)."""
    run = require_run(session, run_id)
    run.status = status
    run.finished_at = utcnow()


def run_info(session: Session, run_id: int) -> RunInfo:
    """The API value of run ``run_id``."""
    run = require_run(session, run_id)
    experiment = session.get(Experiment, run.experiment_id)
    assert experiment is not None
    return RunInfo(
        id=run.id,
        experiment=experiment.name,
        seed=run.seed,
        git_revision=run.git_revision,
        package_versions=dict(run.package_versions),
        config=dict(run.config),
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def record_reward(
    session: Session,
    run_id: int,
    step: int,
    agent: str,
    values: tuple[float, float, float],
    credit: Mapping[str, Any],
) -> int:
    """Store an agent's (inner, outer, combined) reward at ``step`` with its credit record."""
    require_run(session, run_id)
    for name, value in zip(("inner", "outer", "reward"), values, strict=True):
        if not math.isfinite(value):
            raise ValueError(f"{name} reward = {value!r} for agent {agent!r}; expected finite")
    inner, outer, reward = (float(v) for v in values)
    row = Reward(
        run_id=run_id,
        step=int(step),
        agent=agent,
        inner=inner,
        outer=outer,
        reward=reward,
        credit=normalise_mapping(credit),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id


def record_scenario_event(
    session: Session, run_id: int, step: int, scenario: str, kind: str, payload: Mapping[str, Any]
) -> int:
    """Store a scripted environment change (``kind``, e.g. ``user_mix_shift``) at ``step``."""
    require_run(session, run_id)
    row = ScenarioEvent(
        run_id=run_id,
        step=int(step),
        scenario=scenario,
        kind=kind,
        payload=normalise_mapping(payload),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id
