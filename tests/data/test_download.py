"""Downloads through ``file://`` URLs (urllib serves them; no network is touched): checksums,
atomic writes, corrupted archives, and loading from the cache."""

from __future__ import annotations

import gzip
import hashlib
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agentic_env.data import ChecksumError, DataError, load, registry
from agentic_env.data.download import Archive, download, extract, fetch
from tests.data import formats

WRONG = "0" * 64


def _ml1m_zip(tmp_path: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip laid out like the official ``ml-1m.zip`` (one top folder)."""
    source = formats.movielens_1m(tmp_path / "src")
    archive = tmp_path / "served" / "ml-1m.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", compression) as zf:
        for file in sorted((source / "ml-1m").iterdir()):
            zf.write(file, f"ml-1m/{file.name}")
    return archive


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _serve_ml1m(monkeypatch: pytest.MonkeyPatch, archive: Path, **checksums: str) -> Archive:
    """Point the registered ``movielens-1m`` at ``archive`` for this test only."""
    served = Archive(archive.as_uri(), "ml-1m.zip", "ml-1m", **checksums)
    dataset = registry.get("movielens-1m")
    monkeypatch.setitem(registry._DATASETS, "movielens-1m", replace(dataset, archive=served))
    return served


def _leftovers(cache: Path) -> list[str]:
    """Temporary files and folders that a failed download or extraction must not leave."""
    return sorted(p.name for p in cache.iterdir() if p.name.startswith("."))


def test_download_verifies_extracts_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _ml1m_zip(tmp_path)
    _serve_ml1m(monkeypatch, archive, sha256=_sha256(archive))
    cache = tmp_path / "cache"
    log = load("movielens-1m", cache=cache, progress=False)
    assert log.name == "movielens-1m" and len(log) == len(formats.ML_ROWS)
    assert (cache / "ml-1m.zip").read_bytes() == archive.read_bytes()
    assert (cache / "ml-1m" / "ml-1m" / "ratings.dat").is_file()
    assert _leftovers(cache) == []
    # a second load reads the cache, with downloads forbidden and the source gone
    archive.unlink()
    again = load("movielens-1m", cache=cache, download=False)
    assert again.frame.equals(log.frame)


def test_md5_is_checked_when_no_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _ml1m_zip(tmp_path)
    _serve_ml1m(monkeypatch, archive, md5=hashlib.md5(archive.read_bytes()).hexdigest())
    assert len(load("movielens-1m", cache=tmp_path / "ok", progress=False)) == 5
    _serve_ml1m(monkeypatch, archive, md5="0" * 32)
    with pytest.raises(ChecksumError, match="md5 is"):
        load("movielens-1m", cache=tmp_path / "bad", progress=False)


def test_checksum_mismatch_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _ml1m_zip(tmp_path)
    _serve_ml1m(monkeypatch, archive, sha256=WRONG)
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match=f"sha256 is {_sha256(archive)}, expected {WRONG}"):
        load("movielens-1m", cache=cache, progress=False)
    assert list(cache.iterdir()) == []  # no archive under its final name, no temp file, no folder


def test_corrupted_cached_archive_is_reported(tmp_path: Path) -> None:
    archive = _ml1m_zip(tmp_path)
    spec = Archive(archive.as_uri(), "ml-1m.zip", "ml-1m", sha256=_sha256(archive))
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "ml-1m.zip").write_bytes(archive.read_bytes()[:100])  # a truncated earlier copy
    with pytest.raises(ChecksumError, match=r"ml-1m\.zip: sha256 is"):
        download(spec, cache, progress=False)


def test_truncated_zip_leaves_no_folder(tmp_path: Path) -> None:
    archive = _ml1m_zip(tmp_path)
    truncated = archive.with_name("truncated.zip")
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    spec = Archive(truncated.as_uri(), "truncated.zip", "truncated", sha256=_sha256(truncated))
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="corrupted or truncated archive"):
        fetch(spec, cache, progress=False)
    assert not (cache / "truncated").exists()
    assert _leftovers(cache) == []


@pytest.mark.parametrize(
    ("compression", "message"),
    [
        (zipfile.ZIP_DEFLATED, r"damaged\.zip: corrupted or truncated archive"),
        (zipfile.ZIP_STORED, r"corrupted member 'ml-1m/ratings\.dat'"),  # caught by the CRC
    ],
)
def test_corrupted_zip_member(tmp_path: Path, compression: int, message: str) -> None:
    archive = _ml1m_zip(tmp_path, compression)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("ml-1m/ratings.dat")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 2 : start + 6] = b"\xff\xff\xff\xff"  # damage the member's bytes
    damaged = archive.with_name("damaged.zip")
    damaged.write_bytes(bytes(data))
    destination = tmp_path / "out"
    with pytest.raises(DataError, match=message):
        extract(damaged, destination)
    assert not destination.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_download_false_without_cache(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not in the cache and download=False"):
        load("coat", cache=tmp_path, download=False)


def test_registered_archives_have_checksums_where_published() -> None:
    for name in ("movielens-100k", "open-bandit", "coat"):
        archive = registry.get(name).archive
        assert archive is not None and archive.sha256 is not None and len(archive.sha256) == 64
    for name in ("kuairec", "kuairand-pure"):
        archive = registry.get(name).archive
        assert archive is not None and archive.md5 is not None and len(archive.md5) == 32
    for name, dataset in registry.datasets().items():
        assert dataset.archive is not None, name
        assert (
            dataset.archive.url.startswith("https://") or "snap.stanford.edu" in dataset.archive.url
        )


def _tiny_coat(root: Path) -> Path:
    ratings = np.array([[1, 0], [0, 5]])
    return formats.coat(root, ratings, ratings, np.full((2, 2), 0.5))


def _pack(source: Path, archive: Path) -> None:
    """Pack ``source``'s files into ``archive`` by its extension, paths relative to ``source``."""
    files = sorted(p for p in source.rglob("*") if p.is_file())
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w") as zf:
            for file in files:
                zf.write(file, file.relative_to(source).as_posix())
    elif archive.name.endswith(".tar.gz"):
        with tarfile.open(archive, "w:gz") as tf:
            for file in files:
                tf.add(file, file.relative_to(source).as_posix())
    else:  # a single gzip-compressed file
        (only,) = files
        archive.write_bytes(gzip.compress(only.read_bytes()))


@pytest.mark.parametrize(
    ("name", "writer", "kwargs"),
    [
        ("open-bandit", formats.open_bandit, {}),
        ("kuairec", formats.kuairec, {}),
        ("kuairand-pure", formats.kuairand_pure, {"log": "random"}),
        ("lastfm-hetrec2011", formats.lastfm, {}),
        ("amazon2014-5core", formats.amazon, {}),
        ("coat", _tiny_coat, {"part": "test"}),
    ],
)
def test_registered_archive_layouts_load_after_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, writer, kwargs: dict[str, Any]
) -> None:
    """Each registered archive (file name, type, folder) unpacks to files its loader finds."""
    dataset = registry.get(name)
    assert dataset.archive is not None
    writer(tmp_path / "src")
    served = tmp_path / "served" / dataset.archive.filename
    served.parent.mkdir()
    _pack(tmp_path / "src", served)
    archive = replace(dataset.archive, url=served.as_uri(), sha256=_sha256(served), md5=None)
    monkeypatch.setitem(registry._DATASETS, name, replace(dataset, archive=archive))
    log = load(name, cache=tmp_path / "cache", progress=False, **kwargs)
    assert len(log) > 0
    assert (tmp_path / "cache" / dataset.archive.folder).is_dir()


def test_unreachable_url_is_a_data_error(tmp_path: Path) -> None:
    missing = tmp_path / "served" / "gone.zip"  # urllib fails on it as on an unreachable host
    spec = Archive(missing.as_uri(), "gone.zip", "gone", sha256=WRONG)
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match=r"gone\.zip: cannot download .*pass path="):
        fetch(spec, cache, progress=False)
    assert list(cache.iterdir()) == []
