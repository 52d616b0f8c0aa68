"""Read-side queries: best configurations, evaluation tables, a run's history, raw tables.

Frames are built with pandas (imported lazily: worker processes that only write should not pay
for it).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, Float, func, select
from sqlalchemy.orm import Session

from agentic_env.store.canonical import canonical_json
from agentic_env.store.models import (
    TABLES,
    Configuration,
    Evaluation,
    NegativeCaseRow,
    Reward,
    ScenarioEvent,
    Template,
    table_of,
)
from agentic_env.store.records import BestConfig, EvalStatus

if TYPE_CHECKING:
    import pandas as pd

METRIC_HELP = "'objective', 'inner.NAME', 'outer.NAME', 'segment.SEGMENT.NAME' or a bare NAME"


def metric_column(metric: str) -> ColumnElement[Any]:
    """The SQL expression of ``metric`` (see :data:`METRIC_HELP`); bare names try inner, outer."""
    head, _, rest = metric.partition(".")
    if metric == "objective":
        return Evaluation.__table__.c.objective
    if head == "inner" and rest:
        return Evaluation.inner_metrics[rest].as_float()
    if head == "outer" and rest:
        return Evaluation.outer_metrics[rest].as_float()
    if head == "segment" and "." in rest:
        segment, _, name = rest.partition(".")
        return Evaluation.segment_metrics[(segment, name)].as_float()
    if metric and "." not in metric:
        inner = Evaluation.inner_metrics[metric].as_float()
        return func.coalesce(inner, Evaluation.outer_metrics[metric].as_float(), type_=Float)
    raise ValueError(f"metric {metric!r} is not understood; expected {METRIC_HELP}")


def best_configs(
    session: Session,
    agent: str,
    metric: str,
    filters: dict[str, Any],
    top: int,
    maximize: bool,
) -> list[BestConfig]:
    """The ``top`` configurations of ``agent`` by ``metric`` averaged over seeds (ok rows only)."""
    if top < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    value = metric_column(metric)
    mean = func.avg(value)
    query = (
        select(Evaluation.config_hash, mean, func.count())
        .where(Evaluation.agent == agent, Evaluation.status == EvalStatus.OK.value)
        .where(value.is_not(None))
        .group_by(Evaluation.config_hash)
        .order_by(mean.desc() if maximize else mean.asc(), Evaluation.config_hash)
        .limit(top)
    )
    for column, wanted in filters.items():
        if wanted is not None:
            query = query.where(getattr(Evaluation, column) == wanted)
    rows = session.execute(query).all()
    configs = _configs(session, [r[0] for r in rows])
    return [BestConfig(h, configs[h], float(v), int(n)) for h, v, n in rows]


def _configs(session: Session, digests: list[str]) -> dict[str, dict[str, Any]]:
    found = session.execute(
        select(Configuration.hash, Configuration.canonical).where(Configuration.hash.in_(digests))
    )
    return {digest: json.loads(text) for digest, text in found}


def evaluation_rows(session: Session, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Evaluations matching ``filters`` as flat dicts: key, cost, status and one column a metric."""
    query = select(Evaluation).order_by(Evaluation.id)
    for column, wanted in filters.items():
        if wanted is not None:
            query = query.where(getattr(Evaluation, column) == wanted)
    return [_flatten(row) for row in session.scalars(query)]


def _flatten(row: Evaluation) -> dict[str, Any]:
    flat: dict[str, Any] = {
        name: getattr(row, name)
        for name in (
            "id", "dataset", "split", "agent", "config_hash", "fidelity", "seed", "run_id",
            "status", "objective", "cost_seconds", "wall_seconds", "created_at",
        )
    }  # fmt: skip
    flat.update({f"inner.{k}": v for k, v in row.inner_metrics.items()})
    flat.update({f"outer.{k}": v for k, v in row.outer_metrics.items()})
    for segment, metrics in row.segment_metrics.items():
        flat.update({f"segment.{segment}.{k}": v for k, v in metrics.items()})
    return flat


def history_rows(session: Session, run_id: int) -> list[dict[str, Any]]:
    """Everything run ``run_id`` recorded, oldest first, one row per record."""
    rows: list[dict[str, Any]] = []

    def add(kind: str, time: datetime, step: int | None, agent: str | None, detail: Any) -> None:
        rows.append({"time": time, "kind": kind, "step": step, "agent": agent, "detail": detail})

    for ev in session.scalars(select(Evaluation).where(Evaluation.run_id == run_id)):
        summary = {
            "config": ev.config_hash[:16],
            "seed": ev.seed,
            "fidelity": ev.fidelity,
            "status": ev.status,
            "objective": ev.objective,
        }
        add("evaluation", ev.created_at, None, ev.agent, summary)
    for rw in session.scalars(select(Reward).where(Reward.run_id == run_id)):
        summary = {"inner": rw.inner, "outer": rw.outer, "reward": rw.reward}
        add("reward", rw.created_at, rw.step, rw.agent, summary)
    for se in session.scalars(select(ScenarioEvent).where(ScenarioEvent.run_id == run_id)):
        add("scenario_event", se.created_at, se.step, None, {"kind": se.kind, **se.payload})
    for tp in session.scalars(select(Template).where(Template.run_id == run_id)):
        add("template", tp.created_at, None, tp.agent, {"name": tp.name, "status": tp.status})
    for nc in session.scalars(select(NegativeCaseRow).where(NegativeCaseRow.run_id == run_id)):
        add("negative_case", nc.created_at, None, nc.agent, {"reason": nc.reason})
    rows.sort(key=lambda r: (r["time"], r["step"] if r["step"] is not None else -1))
    for row in rows:
        row["detail"] = canonical_json(row["detail"])
    return rows


def table_rows(session: Session, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """All rows of ``table`` with JSON columns as canonical JSON text (for export)."""
    if table not in TABLES:
        raise ValueError(f"table {table!r} is not a store table; expected one of {sorted(TABLES)}")
    model_table = table_of(TABLES[table])
    columns = [c.name for c in model_table.columns]
    json_cols = {i for i, c in enumerate(model_table.columns) if isinstance(c.type, JSON)}
    out = []
    for row in session.execute(select(model_table).order_by(*model_table.primary_key)):
        out.append(tuple(canonical_json(v) if i in json_cols else v for i, v in enumerate(row)))
    return columns, out


def frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame of ``rows`` (``columns`` fix the order when there are no rows)."""
    import pandas as pd

    return pd.DataFrame(rows, columns=columns) if not rows else pd.DataFrame(rows)
