"""The data layer: one canonical interaction log, loaders for public datasets, splits, segments.

``load(name, path=None, ...)`` is the entry point; the default dataset (MovieLens latest-small)
is bundled in the package and loads with no network.
"""

from agentic_env.data import loaders as _loaders  # noqa: F401  (registers the datasets)
from agentic_env.data.build import build_log
from agentic_env.data.errors import ChecksumError, DataError, UnknownDatasetError
from agentic_env.data.features import category_matrix
from agentic_env.data.log import InteractionLog
from agentic_env.data.registry import DEFAULT_DATASET, datasets, load

__all__ = [
    "DEFAULT_DATASET",
    "ChecksumError",
    "DataError",
    "InteractionLog",
    "UnknownDatasetError",
    "build_log",
    "category_matrix",
    "datasets",
    "load",
]
