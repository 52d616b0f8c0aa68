"""Fetch dataset archives into a cache: progress bar, checksum verification, atomic writes.

A download or an extraction never leaves a half-written file under its final name: bytes go to a
temporary file in the same directory, are verified, then renamed; archives are unpacked into a
temporary directory that is renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm.auto import tqdm

from agentic_env.data.errors import ChecksumError, DataError

CACHE_ENV = "AGENTIC_RS_DATA"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Archive:
    """A published archive: where it lives and what its bytes must hash to.

    Attributes:
        url: Official download URL.
        filename: Name of the archive in the cache.
        sha256: Published sha256, or ``None``.
        md5: Published md5 where no sha256 is known (some publishers only give md5).
        folder: Directory the archive unpacks to (relative to the cache directory).
    """

    url: str
    filename: str
    folder: str
    sha256: str | None = None
    md5: str | None = None


def cache_dir(path: str | Path | None = None) -> Path:
    """The cache: the argument, else ``$AGENTIC_RS_DATA``, else ``~/.cache/agentic-rs-gym``."""
    chosen = path or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "agentic-rs-gym"
    out = Path(chosen).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    return out


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, archive: Archive) -> None:
    """Raise :class:`ChecksumError` when ``path`` does not match the archive's checksum."""
    for algorithm, expected in (("sha256", archive.sha256), ("md5", archive.md5)):
        if expected is None:
            continue
        actual = file_digest(path, algorithm)
        if actual != expected:
            raise ChecksumError(
                f"{algorithm} is {actual}, expected {expected} (from {archive.url}); "
                "the file is corrupted, truncated or a different release",
                source=path,
            )
        return


def download(archive: Archive, directory: Path, *, progress: bool = True) -> Path:
    """Download ``archive`` into ``directory`` (unless present and valid) and return its path."""
    target = directory / archive.filename
    if target.exists():
        verify(target, archive)
        return target
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{archive.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy_url(archive, out, progress)
        verify(tmp, archive)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _copy_url(archive: Archive, out: BinaryIO, progress: bool) -> None:
    """Stream the archive's URL into ``out``; a network failure names the URL and the way out."""
    try:
        with urllib.request.urlopen(archive.url, timeout=60) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total, unit="B", unit_scale=True, desc=archive.filename, disable=not progress
            ) as bar:
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise DataError(
            f"cannot download ({reason}); check the connection, or pass path= to a local copy",
            source=archive.url,
        ) from err


def extract(archive_path: Path, destination: Path) -> Path:
    """Unpack a zip or tar archive atomically into ``destination``; return ``destination``."""
    if destination.exists():
        return destination
    tmp = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}."))
    try:
        _unpack(archive_path, tmp)
        tmp.replace(destination)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return destination


def _unpack(archive_path: Path, into: Path) -> None:
    name = archive_path.name
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(archive_path) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise DataError(f"corrupted member {bad!r} in the zip archive", source=name)
                zf.extractall(into)
        elif name.endswith((".tar.gz", ".tgz", ".tar")):
            with tarfile.open(archive_path) as tf:
                tf.extractall(into, filter="data")
        elif name.endswith(".gz"):
            import gzip

            with gzip.open(archive_path, "rb") as src, (into / name[:-3]).open("wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            raise DataError("unknown archive type; expected .zip, .tar.gz, .tar, .gz", source=name)
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError) as err:
        raise DataError(f"corrupted or truncated archive ({err})", source=archive_path) from err


def fetch(archive: Archive, root: str | Path | None = None, *, progress: bool = True) -> Path:
    """Download (if needed), verify and unpack ``archive``; return the unpacked folder."""
    directory = cache_dir(root)
    destination = directory / archive.folder
    if destination.exists():
        return destination
    return extract(download(archive, directory, progress=progress), destination)
