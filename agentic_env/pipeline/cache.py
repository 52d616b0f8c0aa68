"""Memo of fitted components, so a pipeline refit trains only what its new config changed.

A fitted component is reused when its kind, the knobs that affect its training, the training
data and the seed are all the same; the key is canonical (sorted JSON), so the order in which a
config was written does not matter.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from agentic_env.data import InteractionLog

T = TypeVar("T")


def canonical(config: Mapping[str, Any]) -> str:
    """Sorted JSON of a config: equal configs give equal strings."""
    return json.dumps({k: config[k] for k in sorted(config)}, sort_keys=True, default=str)


def data_identity(log: InteractionLog) -> str:
    """A digest of the log's content and id space (cheap: one pass over four columns)."""
    digest = hashlib.sha1(f"{log.name}|{log.n_users}|{log.n_items}|{len(log)}".encode())
    for column in ("user", "item", "timestamp", "label"):
        digest.update(np.ascontiguousarray(log.frame[column].to_numpy()).tobytes())
    return digest.hexdigest()


class FitCache:
    """Least-recently-used store of fitted components; counts real fits and their seconds."""

    def __init__(self, max_entries: int = 32) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self.fits: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}
        self._store: OrderedDict[tuple[str, str, str, int], Any] = OrderedDict()

    def get_or_fit(self, kind: str, config: Mapping[str, Any], data_id: str, seed: int,
                   fit: Callable[[], T]) -> T:
        """The cached component for this key, or ``fit()``'s result, stored."""
        key = (kind, canonical(config), data_id, seed)
        if key in self._store:
            self._store.move_to_end(key)
            self.hits[kind] += 1
            return self._store[key]  # type: ignore[no-any-return]
        start = time.perf_counter()
        value = fit()
        self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - start
        self.fits[kind] += 1
        self._store[key] = value
        if len(self._store) > self.max_entries:
            self._store.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._store)

    def clear(self) -> None:
        self._store.clear()
