"""A deterministic, instant trial for the table-builder smoke test (no training, no users)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from agentic_env.evaluator.trial import TrialResult
from agentic_env.store import canonical_json


def tiny_trial(config: Mapping[str, Any], fidelity: float, seed: int,
               context: Mapping[str, Any]) -> TrialResult:
    """Metrics from a hash of the configuration: same config and seed, same numbers."""
    x = zlib.crc32(f"{canonical_json(dict(config))}|{seed}".encode()) / 2**32
    outer = {f"{s}.p{p}.reward": x + 0.1 * p for s in ("stationary", "trend_shift")
             for p in range(2)}
    return TrialResult(inner={"recall": x}, outer=outer, cost_seconds=0.01)
