"""Kuaishou short-video logs: KuaiRec 2.0 (Gao et al. 2022) and KuaiRand-Pure (Gao et al. 2022).

* KuaiRec: ``small_matrix.csv`` is a *fully observed* block (1,411 users x 3,327 videos,
  nearly every pair watched), ``big_matrix.csv`` the sparse log around it. The label is
  ``watch_ratio`` (play duration over video duration, above 1 when replayed). Item features: the
  video's category ids as ``genres`` (``|``-joined, so :func:`category_matrix` works as on
  MovieLens).
* KuaiRand-Pure: the ``standard`` log (the recommender's own exposures, two periods
  concatenated) or the ``random`` log (videos inserted uniformly at random into feeds, an
  unbiased sample). The label is ``is_click``. Item features: the basic video features, with the
  tag ids as ``genres``.

Rows with no timestamp (if a release has blank times) are dropped and their number is recorded in
``log.meta["dropped_no_timestamp"]``; ``load("kuairec", timestamps=False)`` keeps them and loads
no times. Both are watch logs where one video can be shown to one user several times, so repeated
rows are kept by default (``duplicates=`` changes that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from agentic_env.data.build import Duplicates, build_log, require_columns
from agentic_env.data.download import Archive
from agentic_env.data.errors import DataError
from agentic_env.data.files import find_file, read_table
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register

KUAIREC_MATRICES: dict[str, str] = {"small": "small_matrix.csv", "big": "big_matrix.csv"}
KUAIRAND_LOGS: dict[str, tuple[str, ...]] = {
    "standard": ("log_standard_4_08_to_4_21_pure.csv", "log_standard_4_22_to_5_08_pure.csv"),
    "random": ("log_random_4_22_to_5_08_pure.csv",),
}
_KUAIREC_COLUMNS = ["user_id", "video_id", "timestamp", "watch_ratio"]
_KUAIRAND_COLUMNS = ["user_id", "video_id", "time_ms", "is_click"]


@register(
    "kuairec",
    # md5 quoted by third-party code as the publisher's (Zenodo); provisional, see DOWNLOADS.md.
    archive=Archive(
        "https://zenodo.org/records/18164998/files/KuaiRec.zip",
        "KuaiRec.zip",
        "KuaiRec",
        md5="261550d472c48eff4990fb13c0e5bcf7",
    ),
    description="KuaiRec 2.0: short-video watch ratios, a fully observed small matrix",
)
def load_kuairec(
    path: Path,
    matrix: Literal["small", "big"] = "small",
    duplicates: Duplicates = "keep",
    timestamps: bool = True,
) -> InteractionLog:
    """Read ``small_matrix.csv`` or ``big_matrix.csv`` plus the category and user tables.

    ``timestamps=False`` keeps the rows that have no time (the whole fully observed matrix) and
    loads the log without times.
    """
    if matrix not in KUAIREC_MATRICES:
        known = list(KUAIREC_MATRICES)
        raise ValueError(f"unknown KuaiRec matrix {matrix!r}; expected one of {known}")
    data = find_file(path, KUAIREC_MATRICES[matrix])
    raw = _read_columns(data, _KUAIREC_COLUMNS)
    raw, dropped = _drop_missing(raw, "timestamp") if timestamps else (raw, 0)
    return build_log(
        raw,
        name=f"kuairec-{matrix}",
        source=data,
        user="user_id",
        item="video_id",
        label="watch_ratio",
        label_kind="watch_ratio",
        timestamp="timestamp" if timestamps else None,
        duplicates=duplicates,
        user_features=_optional_table(path, "user_features.csv", "user_id"),
        item_features=_kuairec_categories(path),
        meta={"matrix": matrix, "dropped_no_timestamp": dropped},
    )


@register(
    "kuairand-pure",
    # md5 quoted by third-party code as the publisher's; provisional, see DOWNLOADS.md.
    archive=Archive(
        "https://zenodo.org/records/10439422/files/KuaiRand-Pure.tar.gz",
        "KuaiRand-Pure.tar.gz",
        "KuaiRand-Pure",
        md5="0820331067a3784d9691136f772b35a7",
    ),
    description="KuaiRand-Pure: short-video clicks, standard and uniformly random exposures",
)
def load_kuairand_pure(
    path: Path, log: Literal["standard", "random"] = "standard", duplicates: Duplicates = "keep"
) -> InteractionLog:
    """Read the ``standard`` (both periods) or ``random`` log plus the user and video tables."""
    if log not in KUAIRAND_LOGS:
        raise ValueError(f"unknown KuaiRand log {log!r}; expected one of {list(KUAIRAND_LOGS)}")
    files = [find_file(path, name) for name in KUAIRAND_LOGS[log]]
    raw = pd.concat([_read_columns(f, _KUAIRAND_COLUMNS) for f in files], ignore_index=True)
    raw, dropped = _drop_missing(raw, "time_ms")
    raw["timestamp"] = _milliseconds_to_seconds(raw["time_ms"], files)
    return build_log(
        raw,
        name=f"kuairand-pure-{log}",
        source=" + ".join(str(f) for f in files),  # row numbers count across the files
        user="user_id",
        item="video_id",
        label="is_click",
        label_kind="click",
        timestamp="timestamp",
        duplicates=duplicates,
        user_features=_optional_table(path, "user_features_pure.csv", "user_id"),
        item_features=_kuairand_videos(path),
        meta={"log": log, "dropped_no_timestamp": dropped},
    )


def _read_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read only ``columns`` (the matrices are large); a missing one is named in the error."""
    wanted = set(columns)
    raw = read_table(path, usecols=lambda c: c in wanted)
    require_columns(raw, columns, path)
    return raw


def _drop_missing(raw: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    missing = raw[column].isna().to_numpy()
    return raw[~missing].reset_index(drop=True), int(missing.sum())


def _milliseconds_to_seconds(values: pd.Series, files: list[Path]) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise DataError(
            f"column 'time_ms' must hold unix milliseconds; row {row} holds {values.iloc[row]!r}",
            source=" + ".join(str(f) for f in files),
        )
    return numbers // 1000


def _optional_table(
    root: Path, name: str, key: str, columns: tuple[str, ...] = ()
) -> pd.DataFrame | None:
    """A feature table indexed by ``key``, or ``None`` when the release lacks the file."""
    if not any(any(root.glob(pattern)) for pattern in (name, f"*/{name}", f"*/*/{name}")):
        return None
    path = find_file(root, name)
    table = read_table(path)
    require_columns(table, [key, *columns], path)
    return table.set_index(key)


def _kuairec_categories(root: Path) -> pd.DataFrame | None:
    """``item_categories.csv``: ``feat`` holds a list literal such as ``[8, 27]``."""
    table = _optional_table(root, "item_categories.csv", "video_id", ("feat",))
    if table is None:
        return None
    return pd.DataFrame({"genres": _join_ids(table["feat"], r"[\[\]\s]")}, index=table.index)


def _kuairand_videos(root: Path) -> pd.DataFrame | None:
    """``video_features_basic_pure.csv`` with its comma-separated ``tag`` ids as ``genres``."""
    table = _optional_table(root, "video_features_basic_pure.csv", "video_id")
    if table is not None and "tag" in table:
        table["genres"] = _join_ids(table["tag"], r"\s")
    return table


def _join_ids(values: pd.Series, strip: str) -> np.ndarray:
    """Comma-separated id lists (``"[8, 27]"``, ``"8,27"``) as ``"8|27"``; blanks stay empty."""
    if pd.api.types.is_float_dtype(values):  # single ids with blanks parse as floats ("9.0")
        values = values.astype("Int64")
    text = values.astype("string").fillna("").str.replace(strip, "", regex=True)
    return text.str.replace(",", "|", regex=False).str.strip("|").to_numpy()
