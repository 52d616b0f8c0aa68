"""Amazon product reviews 2014 (McAuley et al.), the per-category 5-core files.

Every user and item of a 5-core file has at least five reviews. The label is the star rating
(``overall``), the timestamp the review day (``unixReviewTime``). The official files are
``reviews_<category>_5.json.gz`` (JSON lines); re-packaged copies named ``<category>.json`` are
read too. Only ``Musical_Instruments`` is registered for download; other categories load from a
local copy with ``path=``. The item metadata is a separate release and is not read.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from agentic_env.data.build import Duplicates, build_log
from agentic_env.data.download import Archive
from agentic_env.data.errors import DataError
from agentic_env.data.files import find_file
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import register

_SNAP = "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles"
FIELDS: tuple[str, ...] = ("reviewerID", "asin", "overall", "unixReviewTime")
DEFAULT_CATEGORY = "Musical_Instruments"


@register(
    "amazon2014-5core",
    # A single gzip file, unpacked to reviews_Musical_Instruments_5.json; no checksum published.
    archive=Archive(
        f"{_SNAP}/reviews_{DEFAULT_CATEGORY}_5.json.gz",
        f"reviews_{DEFAULT_CATEGORY}_5.json.gz",
        f"amazon2014-{DEFAULT_CATEGORY}-5core",
    ),
    description="Amazon reviews 2014, 5-core per category (default Musical Instruments)",
)
def load_amazon(
    path: Path, category: str = DEFAULT_CATEGORY, duplicates: Duplicates = "error"
) -> InteractionLog:
    """Read one category's 5-core reviews (``.json`` or ``.json.gz``).

    ``duplicates="drop"`` keeps the first of repeated (user, item, day) reviews.
    """
    data = review_file(path, category)
    raw = pd.DataFrame(list(_records(data)), columns=list(FIELDS))
    return build_log(
        raw,
        name=f"amazon2014-{category}-5core",
        source=data,
        user="reviewerID",
        item="asin",
        label="overall",
        label_kind="rating",
        timestamp="unixReviewTime",
        duplicates=duplicates,
        meta={"category": category},
    )


def review_file(root: Path, category: str) -> Path:
    """The first of the accepted file names for ``category`` found under ``root``."""
    stems = (f"reviews_{category}_5", f"{category}_5", category)
    names = [f"{stem}{ext}" for stem in stems for ext in (".json.gz", ".json")]
    for name in names:
        try:
            return find_file(root, name)
        except DataError:
            continue
    raise DataError(
        f"no reviews file for category {category!r}; expected one of {names} (download "
        f"{_SNAP}/reviews_{category}_5.json.gz and pass its folder as path=)",
        source=root,
    )


def _open(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _records(path: Path) -> Iterator[tuple[object, ...]]:
    """The four fields of every review; malformed lines are errors naming the line."""
    if path.stat().st_size == 0:
        raise DataError("the file is empty", source=path)
    number = 0
    try:
        with _open(path) as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _fields(line, number, path)
    except (OSError, EOFError, UnicodeDecodeError) as err:  # truncated gzip, bad bytes
        raise DataError(f"cannot read past line {number} ({err})", source=path) from err


def _fields(line: str, number: int, path: Path) -> tuple[object, ...]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(f"line {number} is not valid JSON ({err.msg})", source=path) from err
    if not isinstance(record, dict):
        raise DataError(
            f"line {number} holds a {type(record).__name__}, expected an object", source=path
        )
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise DataError(
            f"line {number} lacks field(s) {missing}; expected {list(FIELDS)}", source=path
        )
    return tuple(record[f] for f in FIELDS)
