"""Values that cross the store's API: frozen dataclasses, never ORM objects.

Callers (the evaluator, the environments, the LLM proposer) hold these after the session that
read them is closed, send them between processes, and compare them; ORM objects would carry a
session, lazy loads and mutability with them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from agentic_env.store.canonical import config_hash, normalise_number

Metrics = Mapping[str, float]
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")  # one C-level match: keys are built on hot paths


class EvalStatus(StrEnum):
    """Outcome of one evaluation; only ``OK`` rows take part in best-of queries."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"


class TemplateStatus(StrEnum):
    """Life cycle of a proposed template (see :data:`TEMPLATE_TRANSITIONS`)."""

    PROPOSED = "proposed"
    VALIDATED = "validated"
    EVALUATED = "evaluated"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


TEMPLATE_TRANSITIONS: dict[TemplateStatus, frozenset[TemplateStatus]] = {
    TemplateStatus.PROPOSED: frozenset({TemplateStatus.VALIDATED, TemplateStatus.REJECTED}),
    TemplateStatus.VALIDATED: frozenset({TemplateStatus.EVALUATED, TemplateStatus.REJECTED}),
    TemplateStatus.EVALUATED: frozenset({TemplateStatus.ACCEPTED, TemplateStatus.REJECTED}),
    TemplateStatus.ACCEPTED: frozenset(),
    TemplateStatus.REJECTED: frozenset(),
}


def check_metrics(metrics: Mapping[str, Any], what: str) -> dict[str, float]:
    """Return ``metrics`` as a dict of finite floats, naming the bad entry otherwise."""
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if not isinstance(name, str):
            raise TypeError(f"{what}: metric name {name!r} must be a str")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{what}[{name!r}] = {value!r}; expected a finite number")
        out[name] = number
    return out


@dataclass(frozen=True)
class EvaluationKey:
    """What identifies an evaluation: one configuration of one agent on one data split."""

    dataset: str
    split: str
    agent: str
    config_hash: str
    fidelity: float
    seed: int

    def __post_init__(self) -> None:
        digest = self.config_hash
        if not isinstance(digest, str) or _SHA256_HEX.fullmatch(digest) is None:
            raise ValueError(f"config_hash {self.config_hash!r} is not a sha256 hex digest")
        # rounded like configuration floats, so that 0.1 + 0.2 and 0.3 name one fidelity
        object.__setattr__(self, "fidelity", normalise_number(self.fidelity, "fidelity"))
        object.__setattr__(self, "seed", int(self.seed))

    @classmethod
    def for_config(
        cls,
        dataset: str,
        split: str,
        agent: str,
        config: Mapping[str, Any],
        fidelity: float,
        seed: int,
    ) -> EvaluationKey:
        """Build the key of ``config`` by hashing its canonical JSON."""
        return cls(dataset, split, agent, config_hash(config), fidelity, seed)


@dataclass(frozen=True)
class EvaluationResult:
    """What one evaluation measured: inner and outer metrics, per segment, and its cost."""

    inner: Metrics = field(default_factory=dict)
    outer: Metrics = field(default_factory=dict)
    segments: Mapping[str, Metrics] = field(default_factory=dict)
    objective: float | None = None
    cost_seconds: float = 0.0
    wall_seconds: float = 0.0
    status: EvalStatus = EvalStatus.OK
    error: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "inner", check_metrics(self.inner, "inner"))
        object.__setattr__(self, "outer", check_metrics(self.outer, "outer"))
        segments = {s: check_metrics(m, f"segments[{s!r}]") for s, m in self.segments.items()}
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "status", EvalStatus(self.status))
        if self.objective is not None:
            check_metrics({"objective": self.objective}, "result")
        for name in ("cost_seconds", "wall_seconds"):
            value = float(getattr(self, name))
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} = {value!r}; expected a finite number >= 0")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class StoredEvaluation:
    """An evaluation as the store holds it."""

    id: int
    key: EvaluationKey
    result: EvaluationResult
    run_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class RunInfo:
    """A run's provenance: what produced the records that point at it."""

    id: int
    experiment: str
    seed: int
    git_revision: str | None
    package_versions: Mapping[str, str]
    config: Mapping[str, Any]
    status: str
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class TemplateRecord:
    """A template proposed for a categorical knob of an agent (declarative spec, not code)."""

    id: int
    agent: str
    knob: str
    name: str
    spec: Mapping[str, Any]
    spec_hash: str
    status: TemplateStatus
    reason: str | None
    proposer: str | None
    run_id: int | None


@dataclass(frozen=True)
class NegativeCase:
    """A direction that was tried and failed, kept so that it is not tried again."""

    id: int
    agent: str
    reason: str
    config_hash: str | None
    template_id: int | None
    details: Mapping[str, Any]
    run_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class BestConfig:
    """One row of a best-of query: a configuration and its metric averaged over seeds."""

    config_hash: str
    config: Mapping[str, Any]
    value: float
    n_evaluations: int
