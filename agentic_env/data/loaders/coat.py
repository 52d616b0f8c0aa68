"""Coat (Schnabel et al., ICML 2016, "Recommendations as Treatments").

290 users rated 300 coats twice: ``train`` holds ratings of coats the users chose themselves
(missing not at random), ``test`` ratings of coats assigned uniformly at random (missing at
random, an unbiased test set). Both are dense ``290 x 300`` matrices where 0 means unobserved.
The dense ids are the matrix row and column numbers, so the two parts share one id space even
where a user or item has no rating in one of them.

Propensities: for ``train``, the learned probability that the cell is observed
(``propensities.ascii``, the paper's naive-Bayes estimate); for ``test``, the uniform
assignment probability (the user's number of test ratings over the number of items), because
those ratings were collected by random assignment. No timestamps. Features: the one-hot user
and item matrices, columns named by the ``*_map.txt`` files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from agentic_env.data.build import build_log
from agentic_env.data.download import Archive
from agentic_env.data.errors import DataError
from agentic_env.data.files import find_file, read_table
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register

PARTS: tuple[str, ...] = ("train", "test")


@register(
    "coat",
    # No published checksum: this sha256 is of the copy held by the project (from GitHub), which
    # matches the original Cornell release's dates; see DOWNLOADS.md.
    archive=Archive(
        "https://www.cs.cornell.edu/~schnabts/mnar/coat.zip",
        "coat.zip",
        "coat",
        sha256="6073d0b515ed1f6e830e4fead66dc76ad7991a7553eaa58e228b234a9d19daed",
    ),
    description="Coat: 290 users x 300 coats, self-selected train and random test ratings",
)
def load_coat(path: Path, part: Literal["train", "test"] = "train") -> InteractionLog:
    """Read ``<part>.ascii``, the propensities and the one-hot feature matrices."""
    if part not in PARTS:
        raise ValueError(f"unknown Coat part {part!r}; expected one of {PARTS}")
    data = find_file(path, f"{part}.ascii")
    ratings = _ratings(data)
    users, items = np.nonzero(ratings)
    if part == "train":
        propensity = _learned_propensities(path, ratings.shape)[users, items]
    else:  # uniform random assignment: the user's number of test ratings over the items
        propensity = (np.count_nonzero(ratings, axis=1) / ratings.shape[1])[users]
    raw = pd.DataFrame(
        {"user": users, "item": items, "rating": ratings[users, items], "propensity": propensity}
    )
    log = build_log(
        raw,
        name=f"coat-{part}",
        source=data,
        user="user",
        item="item",
        label="rating",
        label_kind="rating",
        propensity="propensity",
        meta={"part": part},
    )
    return _matrix_id_space(log, path, ratings.shape)


def _matrix_id_space(log: InteractionLog, root: Path, shape: tuple[int, ...]) -> InteractionLog:
    """Re-key the log so that every matrix row and column has its id (raw = dense id)."""
    frame = log.frame.copy()
    frame["user"] = log.user_ids[frame["user"].to_numpy()].astype(np.int32)
    frame["item"] = log.item_ids[frame["item"].to_numpy()].astype(np.int32)
    return replace(
        log,
        frame=frame,
        user_ids=np.arange(shape[0]),
        item_ids=np.arange(shape[1]),
        user_features=_one_hot(root, "user_features", shape[0]),
        item_features=_one_hot(root, "item_features", shape[1]),
    )


def _ratings(path: Path) -> np.ndarray:
    ratings = _matrix(path)
    bad = ~np.isin(ratings, np.arange(6))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise DataError(
            f"row {row}, column {col} holds {ratings[row, col]}; expected 0 (unobserved) or a "
            "rating 1-5",
            source=path,
        )
    return ratings


def _learned_propensities(root: Path, shape: tuple[int, ...]) -> np.ndarray:
    path = find_file(root, "propensities.ascii")
    learned = _matrix(path)
    if learned.shape != shape:
        raise DataError(f"shape {learned.shape}, expected the ratings' shape {shape}", source=path)
    return learned


def _matrix(path: Path) -> np.ndarray:
    """A dense whitespace-separated numeric matrix."""
    table = read_table(path, sep=r"\s+", header=None)
    values = table.apply(pd.to_numeric, errors="coerce")
    if values.isna().to_numpy().any():
        row, col = (int(i[0]) for i in np.nonzero(values.isna().to_numpy()))
        raise DataError(
            f"row {row}, column {col} holds {table.iat[row, col]!r}; expected a number "
            "(a dense matrix, 0 = unobserved)",
            source=path,
        )
    return values.to_numpy(dtype=np.float64)


def _one_hot(root: Path, stem: str, rows: int) -> pd.DataFrame:
    """``<stem>.ascii`` as a bool table whose columns are the lines of ``<stem>_map.txt``."""
    data = find_file(root, f"{stem}.ascii")
    matrix = _matrix(data)
    names_path = find_file(root, f"{stem}_map.txt")
    names = [n.strip() for n in names_path.read_text().splitlines() if n.strip()]
    if matrix.shape != (rows, len(names)):
        raise DataError(
            f"shape {matrix.shape}, expected ({rows}, {len(names)}): one row per "
            f"{stem.split('_')[0]} and one column per line of {names_path.name}",
            source=data,
        )
    return pd.DataFrame(matrix.astype(bool), columns=names)
