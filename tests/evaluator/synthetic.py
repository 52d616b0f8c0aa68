"""A cheap, picklable synthetic trial for evaluator and builder tests.

Its metrics are a smooth, deterministic function of the configuration, the seed and the
fidelity, so tests can check exact values; switches make it slow, fail, log its calls, or kill
its own process (a worker dying mid-build).
"""

from __future__ import annotations

import hashlib
import math
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_env.evaluator import TrialResult
from agentic_env.evaluator.grid import Grid, GridKnob
from agentic_env.store import config_hash

SCENARIOS = ("stationary", "shift")
N_PHASES = 2


def features(config: Mapping[str, Any]) -> list[float]:
    """One number per knob in name order: numbers as they are, others by a stable hash."""
    out = []
    for name in sorted(config):
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            digest = hashlib.sha256(f"{name}={value!r}".encode()).digest()
            out.append(digest[0] / 255)
        else:
            out.append(float(value))
    return out


def truth(config: Mapping[str, Any], fidelity: float, seed: int) -> float:
    """The synthetic 'quality' of a configuration: smooth in each knob, a small seed effect."""
    base = sum(math.sin((i + 1) * x) for i, x in enumerate(features(config)))
    return 0.5 + 0.1 * base * fidelity + 0.001 * (seed % 7)


@dataclass(frozen=True)
class SyntheticTrial:
    """See the module docstring; every switch is off by default."""

    work_seconds: float = 0.0
    fail_knob: str | None = None
    fail_value: Any = None
    call_log: str | None = None
    die_marker: str | None = None
    die_knob: str | None = None
    die_value: Any = None

    def __call__(self, config: Mapping[str, Any], fidelity: float, seed: int,
                 context: Mapping[str, Any]) -> TrialResult:
        start = time.process_time()
        if self.call_log is not None:
            with open(self.call_log, "a") as log:
                log.write(f"{config_hash(config)} {seed} {os.getpid()}\n")
        dies = self.die_knob is None or config.get(self.die_knob) == self.die_value
        if self.die_marker is not None and dies and _claim(self.die_marker):
            time.sleep(0.2)  # let the other workers get into their trials
            os.kill(os.getpid(), signal.SIGKILL)
        if self.fail_knob is not None and config.get(self.fail_knob) == self.fail_value:
            raise RuntimeError(f"synthetic failure at {self.fail_knob}={self.fail_value!r}")
        end = time.process_time() + self.work_seconds
        while time.process_time() < end:  # fixed CPU work, like a small training
            pass
        q = truth(config, fidelity, seed)
        inner = {"recall": q, "ranking.auc": 1 - q / 2}
        outer = {f"{s}.p{p}.{m}": q * (1 + 0.1 * p) + (0.05 if s == "shift" else 0.0)
                 + (0.0 if m == "reward" else 0.2)
                 for s in SCENARIOS for p in range(N_PHASES) for m in ("reward", "ctr")}
        return TrialResult(inner, outer, {}, time.process_time() - start)


def _claim(marker: str) -> bool:
    """True for exactly one caller: the one that removes the marker file."""
    try:
        Path(marker).unlink()
    except FileNotFoundError:
        return False
    return True


def small_grid() -> Grid:
    """Six codes over two knobs of mixed types, and one base value."""
    return Grid([GridKnob("a", (0.1, 0.7, 1.3), "ranking", ("model",)),
                 GridKnob("b", ("x", "y"), "reranking", ("serving",))],
                base={"c": 3})


def small_trial() -> SyntheticTrial:
    """A factory for the CLI's ``--trial tests.evaluator.synthetic:small_trial``."""
    return SyntheticTrial()
