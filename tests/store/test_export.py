"""Exports: faithful CSV/Parquet files, and a full disk leaves no half-written file behind."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from agentic_env.store import EvaluationKey, EvaluationResult, ExportError, KnowledgeStore

CONFIG = {"dim": 8, "lr": 0.01}


@pytest.fixture
def filled(sqlite_path: Path) -> Iterator[KnowledgeStore]:
    with KnowledgeStore.open(sqlite_path) as store:
        for seed in range(3):
            key = EvaluationKey.for_config("ml", "temporal", "ranker", CONFIG, 1.0, seed)
            segments = {"heavy": {"ndcg": 0.2}}
            store.record_evaluation(
                key, EvaluationResult(inner={"ndcg": seed / 10}, segments=segments), config=CONFIG
            )
        yield store


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trip(filled: KnowledgeStore, tmp_path: Path, fmt: str) -> None:
    out = filled.export("evaluations", fmt, tmp_path / "out" / f"evals.{fmt}")
    frame = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
    assert list(frame["seed"]) == [0, 1, 2]
    assert [json.loads(m) for m in frame["inner_metrics"]] == [{"ndcg": s / 10} for s in range(3)]
    assert json.loads(frame["segment_metrics"][0]) == {"heavy": {"ndcg": 0.2}}
    assert list(tmp_path.joinpath("out").iterdir()) == [out]


def test_export_of_configurations_keeps_canonical_text(
    filled: KnowledgeStore, tmp_path: Path
) -> None:
    out = filled.export("configurations", "parquet", tmp_path / "configs.parquet")
    table = pq.read_table(out).to_pylist()
    assert [row["canonical"] for row in table] == ['{"dim":8,"lr":0.01}']


def _full_disk(path: Any, *args: Any, **kwargs: Any) -> None:
    with open(path, "wb") as handle:
        handle.write(b"PAR1 half a file")
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("fmt", "writer"),
    [("parquet", "pyarrow.parquet.write_table"), ("csv", "pandas.DataFrame.to_csv")],
)
def test_full_disk_leaves_destination_untouched(
    filled: KnowledgeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, writer: str
) -> None:
    out = tmp_path / f"evals.{fmt}"
    out.write_bytes(b"yesterday's export")
    if fmt == "parquet":
        monkeypatch.setattr(writer, lambda table, path, *a, **k: _full_disk(path))
    else:
        monkeypatch.setattr(writer, lambda self, path, *a, **k: _full_disk(path))
    with pytest.raises(ExportError, match=r"evals\.\w+ failed .*No space left on device"):
        filled.export("evaluations", fmt, out)
    assert out.read_bytes() == b"yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run", out.name])


def test_new_destination_absent_after_failure(
    filled: KnowledgeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "pyarrow.parquet.write_table", lambda table, path, *a, **k: _full_disk(path)
    )
    with pytest.raises(ExportError):
        filled.export("evaluations", "parquet", tmp_path / "new.parquet")
    assert not (tmp_path / "new.parquet").exists()


def test_bad_table_and_format(filled: KnowledgeStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="table 'users' is not a store table"):
        filled.export("users", "csv", tmp_path / "x.csv")
    with pytest.raises(ValueError, match="format 'xlsx'"):
        filled.export("evaluations", "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="is a directory"):
        filled.export("evaluations", "csv", tmp_path)
