"""The one entry point to the datasets: ``load(name, path=None, ...)``.

Each loader module registers its datasets with :func:`register`; :func:`load` resolves where the
files are (an explicit ``path``, the copy bundled in the package, or the download cache) and calls
the loader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_env.data.download import Archive, cache_dir, fetch
from agentic_env.data.errors import DataError, UnknownDatasetError
from agentic_env.data.log import InteractionLog

Loader = Callable[..., InteractionLog]
BUNDLED_DIR = Path(__file__).parent / "bundled"
DEFAULT_DATASET = "movielens-latest-small"


@dataclass(frozen=True)
class Dataset:
    """A registered dataset: its loader, its official archive and whether the package bundles it."""

    name: str
    loader: Loader
    archive: Archive | None = None
    bundled: str | None = None  # folder under ``bundled/``
    description: str = ""


_DATASETS: dict[str, Dataset] = {}


def register(
    name: str, *, archive: Archive | None = None, bundled: str | None = None, description: str = ""
) -> Callable[[Loader], Loader]:
    """Decorator registering ``loader(path: Path, **kwargs) -> InteractionLog`` under ``name``."""

    def decorate(loader: Loader) -> Loader:
        if name in _DATASETS:
            raise ValueError(f"dataset {name!r} is registered twice")
        _DATASETS[name] = Dataset(name, loader, archive, bundled, description)
        return loader

    return decorate


def datasets() -> dict[str, Dataset]:
    """All registered datasets by name."""
    return dict(_DATASETS)


def get(name: str) -> Dataset:
    if name not in _DATASETS:
        known = ", ".join(sorted(_DATASETS))
        raise UnknownDatasetError(f"unknown dataset {name!r}; known datasets: {known}")
    return _DATASETS[name]


def load(
    name: str = DEFAULT_DATASET,
    path: str | Path | None = None,
    *,
    cache: str | Path | None = None,
    download: bool = True,
    progress: bool = True,
    **kwargs: Any,
) -> InteractionLog:
    """Load a dataset as an :class:`InteractionLog`.

    Args:
        name: A registered name (see :func:`datasets`).
        path: A local copy (the folder holding the dataset's files); skips any download.
        cache: Download cache (default ``$AGENTIC_RS_DATA`` or ``~/.cache/agentic-rs-gym``).
        download: Whether a dataset missing from the cache may be downloaded.
        progress: Show a progress bar while downloading.
        **kwargs: Passed to the loader (e.g. ``campaign=`` for the Open Bandit Dataset).
    """
    dataset = get(name)
    if path is not None:
        folder = Path(path).expanduser()
        if not folder.exists():
            raise DataError(f"path does not exist (given for dataset {name!r})", source=folder)
    elif dataset.bundled is not None:
        folder = BUNDLED_DIR / dataset.bundled
    elif dataset.archive is None:
        raise DataError(f"dataset {name!r} has no download; pass path= to a local copy")
    elif download:
        folder = fetch(dataset.archive, cache, progress=progress)
    else:
        folder = cache_dir(cache) / dataset.archive.folder
        if not folder.exists():
            raise DataError(
                f"dataset {name!r} is not in the cache and download=False", source=folder
            )
    return dataset.loader(folder, **kwargs)
