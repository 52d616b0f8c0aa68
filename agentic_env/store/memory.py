"""The experience memory: proposed templates and negative cases.

Queried before each decision so that a failed direction is not tried again: a template spec is
stored once per (agent, knob, spec hash), moves through a fixed life cycle, and a rejection must
say why; a negative case records any failed direction with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agentic_env.store.canonical import config_hash, normalise_mapping
from agentic_env.store.errors import TransitionError, UnknownRecordError
from agentic_env.store.models import NegativeCaseRow, Template, utcnow
from agentic_env.store.records import (
    TEMPLATE_TRANSITIONS,
    NegativeCase,
    TemplateRecord,
    TemplateStatus,
)
from agentic_env.store.runs import require_run
from agentic_env.store.upsert import insert_or_ignore


def record_template(
    session: Session,
    agent: str,
    knob: str,
    name: str,
    spec: Mapping[str, Any],
    proposer: str | None,
    run_id: int | None,
) -> TemplateRecord:
    """Store a proposed template; proposing the same spec again returns the stored one."""
    if run_id is not None:
        require_run(session, run_id)
    digest = config_hash(spec)
    values = {
        "agent": agent,
        "knob": knob,
        "name": name,
        "spec": normalise_mapping(spec),
        "spec_hash": digest,
        "status": TemplateStatus.PROPOSED.value,
        "proposer": proposer,
        "run_id": run_id,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    insert_or_ignore(session, Template, values, ["agent", "knob", "spec_hash"])
    row = session.scalars(
        select(Template).where(
            (Template.agent == agent) & (Template.knob == knob) & (Template.spec_hash == digest)
        )
    ).one()
    return to_template(row)


def update_template_status(
    session: Session, template_id: int, status: TemplateStatus, reason: str | None
) -> TemplateRecord:
    """Move a template along its life cycle; rejecting one requires a reason."""
    row = session.get(Template, template_id, with_for_update=True)
    if row is None:
        raise UnknownRecordError(f"no template with id {template_id}")
    current = TemplateStatus(row.status)
    allowed = TEMPLATE_TRANSITIONS[current]
    if status not in allowed:
        expected = sorted(s.value for s in allowed) or "nothing (final status)"
        raise TransitionError(
            f"template {template_id} is {current.value!r}; cannot become {status.value!r}, "
            f"expected {expected}"
        )
    if status is TemplateStatus.REJECTED and not reason:
        raise ValueError(f"rejecting template {template_id} needs a reason")
    row.status = status.value
    row.reason = reason if reason is not None else row.reason
    row.updated_at = utcnow()
    session.flush()
    return to_template(row)


def templates(
    session: Session, agent: str | None, status: TemplateStatus | None
) -> list[TemplateRecord]:
    """Templates, oldest first, optionally of one agent and one status."""
    query = select(Template).order_by(Template.id)
    if agent is not None:
        query = query.where(Template.agent == agent)
    if status is not None:
        query = query.where(Template.status == status.value)
    return [to_template(row) for row in session.scalars(query)]


def to_template(row: Template) -> TemplateRecord:
    """The API value of a template row."""
    return TemplateRecord(
        id=row.id,
        agent=row.agent,
        knob=row.knob,
        name=row.name,
        spec=dict(row.spec),
        spec_hash=row.spec_hash,
        status=TemplateStatus(row.status),
        reason=row.reason,
        proposer=row.proposer,
        run_id=row.run_id,
    )


def record_negative_case(
    session: Session,
    agent: str,
    reason: str,
    digest: str | None,
    template_id: int | None,
    details: Mapping[str, Any],
    run_id: int | None,
) -> NegativeCase:
    """Store a failed direction; ``reason`` is required because it is what a proposer reads."""
    if not reason:
        raise ValueError(f"a negative case of agent {agent!r} needs a reason")
    if run_id is not None:
        require_run(session, run_id)
    if template_id is not None and session.get(Template, template_id) is None:
        raise UnknownRecordError(f"no template with id {template_id}")
    row = NegativeCaseRow(
        agent=agent,
        reason=reason,
        config_hash=digest,
        template_id=template_id,
        details=normalise_mapping(details),
        run_id=run_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return to_negative(row)


def negative_cases(
    session: Session, agent: str | None, digest: str | None, limit: int | None
) -> list[NegativeCase]:
    """Negative cases, newest first, optionally of one agent and one configuration hash."""
    query = select(NegativeCaseRow).order_by(NegativeCaseRow.id.desc())
    if agent is not None:
        query = query.where(NegativeCaseRow.agent == agent)
    if digest is not None:
        query = query.where(NegativeCaseRow.config_hash == digest)
    if limit is not None:
        query = query.limit(limit)
    return [to_negative(row) for row in session.scalars(query)]


def to_negative(row: NegativeCaseRow) -> NegativeCase:
    """The API value of a negative-case row."""
    return NegativeCase(
        id=row.id,
        agent=row.agent,
        reason=row.reason,
        config_hash=row.config_hash,
        template_id=row.template_id,
        details=dict(row.details),
        run_id=row.run_id,
        created_at=row.created_at,
    )
