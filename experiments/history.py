"""The run history: one long table a job writes and every report and ablation reads.

Format (one row per record; ``history.parquet`` or ``history.csv`` in the run directory):

=============  ======  ===================================================================
column         type    meaning
=============  ======  ===================================================================
step           int     evaluation index, from 0
phase          int     scenario phase of the step (the shift opens a new phase)
agent          str     an evolving agent's name, or ``"system"`` for the whole pipeline
inner          float   the agent's inner metric at this step (NaN on system rows); the table
                       runner writes the mean of the agent's own inner metrics, min-max
                       normalised over the table
outer          float   the system's outer metric at this step
reward         float   the agent's layered reward (system rows: the outer metric)
regret         float   best outer metric reachable in this phase minus ``outer`` (NaN if unknown)
cost           float   seconds the evaluation cost (0 for cached lookups)
config_code    int     system rows: the full configuration's code; agent rows: the code of the
                       agent's own sub-configuration (its knobs' value indices); -1 if unknown
event          str     ``""`` on metric rows; else one of :data:`EVENTS`
detail         str     free text of an event (template name, scenario shift, ...); on agent
                       metric rows ``"acted"`` marks the agent that proposed this step's change
=============  ======  ===================================================================

A job collects rows with :class:`HistoryWriter` (or builds the frame itself) and calls
:func:`write_history`; :func:`read_history` also rebuilds a (regret-less) history from a
knowledge store when a run wrote none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SYSTEM = "system"
ACTED = "acted"
EVENTS = ("drift", "template_proposed", "template_accepted", "template_rejected")
COLUMNS: dict[str, str] = {
    "step": "int64",
    "phase": "int64",
    "agent": "str",
    "inner": "float64",
    "outer": "float64",
    "reward": "float64",
    "regret": "float64",
    "cost": "float64",
    "config_code": "int64",
    "event": "str",
    "detail": "str",
}
REQUIRED = ("step", "agent")
DEFAULTS: dict[str, Any] = {
    "phase": 0, "inner": np.nan, "outer": np.nan, "reward": np.nan, "regret": np.nan,
    "cost": 0.0, "config_code": -1, "event": "", "detail": "",
}  # fmt: skip
FILES = ("history.parquet", "history.csv")
#: Store scenario-event kinds that policies write as bookkeeping (decisions, phases, episodes),
#: not environment shifts.
BOOKKEEPING = ("decision.", "phase.", "episode")


class HistoryError(ValueError):
    """A history frame or file that does not follow the documented format."""


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column of :data:`COLUMNS`, typed, defaults filled, sorted by step."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise HistoryError(f"history lacks column(s) {missing}; expected columns {list(COLUMNS)}")
    out = frame.copy()
    for column, default in DEFAULTS.items():
        if column not in out.columns:
            out[column] = default
        elif not (isinstance(default, float) and np.isnan(default)):
            out[column] = out[column].fillna(default)
    bad = sorted(set(out["event"]) - {"", *EVENTS})
    if bad:
        raise HistoryError(f"unknown event(s) {bad}; expected '' or one of {list(EVENTS)}")
    try:
        out = out.astype(COLUMNS)[list(COLUMNS)]
    except (TypeError, ValueError) as error:
        raise HistoryError(f"history has a column of the wrong type: {error}") from error
    return out.sort_values("step", kind="stable").reset_index(drop=True)


class HistoryWriter:
    """Collects rows during a run; :meth:`frame` returns the normalised history."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def metric(self, step: int, agent: str, **values: Any) -> None:
        """One metric row (``inner``, ``outer``, ``reward``, ``regret``, ``cost``, ...)."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise HistoryError(f"unknown history column(s) {sorted(unknown)}")
        self._rows.append({"step": step, "agent": agent, **values})

    def event(
        self, step: int, kind: str, detail: str = "", agent: str = SYSTEM, **extra: Any
    ) -> None:
        """One event row; ``kind`` is one of :data:`EVENTS`."""
        if kind not in EVENTS:
            raise HistoryError(f"unknown event {kind!r}; expected one of {list(EVENTS)}")
        self._rows.append({"step": step, "agent": agent, "event": kind, "detail": detail, **extra})

    def extend(self, rows: Iterable[dict[str, Any]]) -> None:
        self._rows.extend(rows)

    def frame(self) -> pd.DataFrame:
        return normalise(pd.DataFrame(self._rows, columns=list(COLUMNS)))


def write_history(frame: pd.DataFrame, run_dir: str | Path, fmt: str = "parquet") -> Path:
    """Write the normalised ``frame`` to ``run_dir/history.{parquet,csv}``; returns the path."""
    if fmt not in ("parquet", "csv"):
        raise HistoryError(f"history format {fmt!r} is not supported; use 'parquet' or 'csv'")
    path = Path(run_dir) / f"history.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = normalise(frame)
    tmp = path.with_suffix(path.suffix + ".tmp")
    if fmt == "parquet":
        data.to_parquet(tmp, index=False)
    else:
        data.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


def read_history(run_dir: str | Path) -> pd.DataFrame:
    """The history of the run in ``run_dir``: its history file, else its knowledge store."""
    root = Path(run_dir)
    if not root.is_dir():
        raise HistoryError(f"run directory {root} does not exist")
    for name in FILES:
        path = root / name
        if path.exists():
            raw = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
            return normalise(raw)
    store = root / "knowledge.sqlite"
    if store.exists():
        return history_from_store(store)
    raise HistoryError(f"{root} holds no {' or '.join(FILES)} and no knowledge.sqlite")


def history_from_store(target: str | Path, run_id: int | None = None) -> pd.DataFrame:
    """Rebuild a history from a store's rewards, scenario events and templates (no regret)."""
    from agentic_env.store import KnowledgeStore

    with KnowledgeStore.open(target, create=False) as store:
        if run_id is None:
            run_id = _last_run(store)
        records = store.run_history(run_id)
    return normalise(pd.DataFrame(_store_rows(records), columns=list(COLUMNS)))


def _last_run(store: Any) -> int:
    runs = pd.read_sql_table("runs", store.engine)
    if runs.empty:
        raise HistoryError(f"the store at {store.where} holds no runs")
    return int(runs["id"].max())


def _store_rows(records: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    last_step = 0
    for record in records.to_dict("records"):
        detail = json.loads(str(record["detail"]))
        step = last_step if pd.isna(record["step"]) else int(record["step"])
        last_step = step  # records without a step (templates) sit at the latest step
        kind, agent = record["kind"], record["agent"]
        if kind == "reward":
            rows.append({"step": step, "agent": agent, "inner": detail["inner"],
                         "outer": detail["outer"], "reward": detail["reward"], "detail": ACTED})
        elif kind == "scenario_event" and not str(detail.get("kind", "")).startswith(BOOKKEEPING):
            text = detail.get("detail", detail.get("kind", ""))
            rows.append({"step": step, "agent": SYSTEM, "event": "drift", "detail": str(text)})
        elif kind == "template":
            rows.append({"step": step, "agent": agent, "detail": str(detail["name"]),
                         "event": _template_event(str(detail["status"]))})
    return rows


def _template_event(status: str) -> str:
    """The event of a store template status (``TemplateStatus``): its current stage."""
    return {"accepted": "template_accepted", "rejected": "template_rejected"}.get(
        status, "template_proposed"
    )
