"""Export a store table to CSV or Parquet without ever leaving a half-written file.

The writer fills a temporary file in the destination's folder; only a complete file is renamed
over the destination (``os.replace`` is atomic on one file system). If writing fails — a full
disk is the usual cause — the temporary file is removed, the destination keeps whatever it held
before, and :class:`ExportError` says what happened.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentic_env.store.errors import ExportError

FORMATS = ("csv", "parquet")


def _write_csv(columns: list[str], rows: list[tuple[Any, ...]], path: Path) -> None:
    import pandas as pd

    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)


def _write_parquet(columns: list[str], rows: list[tuple[Any, ...]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    pq.write_table(pa.table(data), path)


WRITERS: dict[str, Callable[[list[str], list[tuple[Any, ...]], Path], None]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
}


def write_atomically(
    columns: list[str], rows: list[tuple[Any, ...]], fmt: str, out: str | Path
) -> Path:
    """Write ``rows`` to ``out`` in ``fmt``; on failure ``out`` is untouched (see module doc)."""
    if fmt not in WRITERS:
        raise ValueError(f"export format {fmt!r} is not supported; expected one of {FORMATS}")
    target = Path(out).expanduser().resolve()
    if target.is_dir():
        raise ExportError(f"export destination {target} is a directory; expected a file path")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise ExportError(f"cannot write an export into {target.parent}: {error}") from error
    os.close(handle)
    temp = Path(temp_name)
    try:
        WRITERS[fmt](columns, rows, temp)
        temp.chmod(0o644)  # mkstemp's 0600 is for the temporary file, not the export
        os.replace(temp, target)
    except OSError as error:
        raise ExportError(
            f"writing {fmt} export to {target} failed ({error}); nothing was written there"
        ) from error
    finally:
        temp.unlink(missing_ok=True)  # gone already after a successful rename
    return target
