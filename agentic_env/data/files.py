"""Finding and reading a dataset's files inside a folder, with errors that name them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from agentic_env.data.errors import DataError


def find_file(root: Path, name: str) -> Path:
    """``root/name``, or the single match one or two folders down (archives nest a folder)."""
    direct = root / name
    if direct.is_file():
        return direct
    matches = sorted(p for p in root.glob(f"*/{name}")) or sorted(root.glob(f"*/*/{name}"))
    if not matches:
        raise DataError(f"file {name!r} not found in this folder or its subfolders", source=root)
    if len(matches) > 1:
        raise DataError(f"file {name!r} found several times: {matches}", source=root)
    return matches[0]


def read_table(path: Path, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` whose errors name the file; an empty file is an error."""
    if path.stat().st_size == 0:
        raise DataError("the file is empty", source=path)
    try:
        return pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        raise DataError(f"cannot parse ({err})", source=path) from err
