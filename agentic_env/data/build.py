"""Turn a raw table from any source into a validated :class:`InteractionLog`.

Every loader reads its files into a pandas frame and hands it to :func:`build_log`, so the checks
(required columns, id and label types, missing ids, duplicate rows, empty input) and the dense id
encoding live in one place and say the same things for every dataset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from agentic_env.data.errors import DataError
from agentic_env.data.log import COLUMNS, InteractionLog, LabelKind

Duplicates = Literal["error", "drop", "keep"]


def require_columns(frame: pd.DataFrame, columns: list[str], source: str | Path) -> None:
    """Raise a :class:`DataError` naming the missing columns and the ones that exist."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; expected {columns}, found {list(frame.columns)}",
            source=source,
        )


def _ids(frame: pd.DataFrame, column: str, source: str | Path) -> tuple[np.ndarray, np.ndarray]:
    values = frame[column]
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"column {column!r} has {int(missing.sum())} missing id(s), first at row {row}; "
            "every interaction needs a user and an item id",
            source=source,
        )
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int32), np.asarray(uniques)


def _numeric(
    frame: pd.DataFrame, column: str, source: str | Path, allow_nan: bool = False
) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & ~frame[column].isna() if allow_nan else values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"column {column!r} must be numeric; row {row} holds {frame[column].iloc[row]!r}",
            source=source,
        )
    return values.to_numpy(dtype=np.float64)


def _timestamps(frame: pd.DataFrame, column: str | None, source: str | Path) -> np.ndarray:
    if column is None:
        return np.full(len(frame), -1, np.int64)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return _numeric(frame, column, source).astype(np.int64)
    # Without a format pandas guesses one from the first row and rejects rows that differ
    # (e.g. with and without fractional seconds), so parse as ISO 8601, then any mixed format.
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    if parsed.isna().any():
        parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(
            f"column {column!r} must hold unix seconds or dates; row {row} holds "
            f"{values.iloc[row]!r}",
            source=source,
        )
    # pandas may parse to ns, us or s resolution; seconds since the epoch do not depend on it.
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return seconds.to_numpy(dtype=np.int64)


def _features(
    table: pd.DataFrame | None, raw_ids: np.ndarray, source: str | Path
) -> pd.DataFrame | None:
    """Re-index a raw-id keyed feature table onto the dense id space (absent rows are NaN)."""
    if table is None:
        return None
    if table.index.has_duplicates:
        dup = table.index[table.index.duplicated()][0]
        raise DataError(f"feature table lists id {dup!r} more than once", source=source)
    out = table.reindex(pd.Index(raw_ids))
    out.index = pd.RangeIndex(len(raw_ids))
    return out


def build_log(
    raw: pd.DataFrame,
    *,
    name: str,
    source: str | Path,
    user: str,
    item: str,
    label: str | None,
    label_kind: LabelKind,
    timestamp: str | None = None,
    position: str | None = None,
    propensity: str | None = None,
    duplicates: Duplicates = "error",
    user_features: pd.DataFrame | None = None,
    item_features: pd.DataFrame | None = None,
    meta: dict[str, object] | None = None,
) -> InteractionLog:
    """Validate ``raw`` and encode it as an :class:`InteractionLog`.

    Args:
        raw: One row per interaction, columns named by the keyword arguments.
        name: Dataset name recorded on the log.
        source: The file the rows came from; every error names it.
        user, item: Raw id columns; encoded to dense ids in sorted raw-id order (deterministic).
        label: Numeric label column, or ``None`` for implicit data (label 1).
        timestamp: Unix seconds or parseable dates; ``None`` when the source has none.
        position: 1-based slate position column, stored 0-based.
        propensity: Logging-policy probability column, in (0, 1].
        duplicates: What to do with rows repeating (user, item, timestamp, position):
            ``"error"`` (default), ``"drop"`` (keep the first) or ``"keep"``.
        user_features, item_features: Tables indexed by *raw* id.
    """
    used = [c for c in (user, item, label, timestamp, position, propensity) if c is not None]
    require_columns(raw, used, source)
    if len(raw) == 0:
        raise DataError("no interactions: the table is empty", source=source)

    users, user_ids = _ids(raw, user, source)
    items, item_ids = _ids(raw, item, source)
    labels = np.ones(len(raw)) if label is None else _numeric(raw, label, source)
    frame = pd.DataFrame(
        {
            "user": users,
            "item": items,
            "timestamp": _timestamps(raw, timestamp, source),
            "label": labels,
            "position": _numeric(raw, position, source) - 1 if position else -1,
            "propensity": _numeric(raw, propensity, source) if propensity else np.nan,
        }
    ).astype(COLUMNS)
    if propensity is not None:
        p = frame["propensity"].to_numpy()
        if ((p <= 0) | (p > 1)).any():
            raise DataError(
                f"column {propensity!r} must lie in (0, 1]; found {p.min()} … {p.max()}",
                source=source,
            )
    frame = _handle_duplicates(frame, duplicates, source, raw)
    return InteractionLog(
        name=name,
        frame=frame,
        user_ids=user_ids,
        item_ids=item_ids,
        label_kind=label_kind,
        user_features=_features(user_features, user_ids, source),
        item_features=_features(item_features, item_ids, source),
        has_timestamps=timestamp is not None,
        meta=dict(meta or {}),
    )


def _handle_duplicates(
    frame: pd.DataFrame, policy: Duplicates, source: str | Path, raw: pd.DataFrame
) -> pd.DataFrame:
    if policy == "keep":
        return frame
    dup = frame.duplicated(subset=["user", "item", "timestamp", "position"]).to_numpy()
    if not dup.any():
        return frame
    if policy == "drop":
        return frame[~dup].reset_index(drop=True)
    row = int(np.flatnonzero(dup)[0])
    raise DataError(
        f"{int(dup.sum())} duplicate interaction row(s) (same user, item, time and position), "
        f"first at row {row}: {raw.iloc[row].to_dict()}; pass duplicates='drop' to keep the first",
        source=source,
    )
