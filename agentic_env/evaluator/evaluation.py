"""What the evaluator returns for one configuration, and the errors it raises on purpose.

An :class:`Evaluation` carries the store's key, the configuration, the measured (or predicted)
result and where it came from, so a caller can mix live, cached and surrogate answers in one
batch and still tell them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from agentic_env.store.records import EvalStatus, EvaluationKey, EvaluationResult

Mode = Literal["live", "cached", "surrogate"]
MODES: tuple[str, ...] = get_args(Mode)
Source = Literal["live", "cached", "surrogate"]


class EvaluatorError(RuntimeError):
    """Base class of the errors the evaluator raises on purpose."""


class CacheMissError(EvaluatorError, LookupError):
    """Cached mode found no stored evaluation for a key and live fall-through was not allowed."""

    def __init__(self, key: EvaluationKey) -> None:
        super().__init__(
            f"no stored evaluation for key dataset={key.dataset!r} split={key.split!r} "
            f"agent={key.agent!r} config_hash={key.config_hash} fidelity={key.fidelity} "
            f"seed={key.seed}; evaluate it in live mode or pass allow_live=True"
        )
        self.key = key


class WorkerLostError(EvaluatorError):
    """A worker process died mid-batch; finished evaluations are stored, rerun to resume."""


class SurrogateError(EvaluatorError):
    """The surrogate cannot be fitted (too few stored evaluations) or cannot encode a config."""


def check_mode(mode: str) -> Mode:
    """``mode`` when it is one of :data:`MODES`, else a ValueError listing them."""
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}; expected one of {MODES}")
    return mode  # type: ignore[return-value]


@dataclass(frozen=True)
class Evaluation:
    """One configuration's evaluation.

    Attributes:
        key: The store key (dataset, split, agent, config hash, fidelity, seed).
        config: The configuration as evaluated (normalised by the trial when it can).
        result: Metrics, cost and status; for the surrogate, predicted means and predicted cost.
        source: ``"live"`` (the trial ran now), ``"cached"`` (read from the store) or
            ``"surrogate"`` (predicted).
        std: Surrogate only: predictive standard deviation per metric, named ``inner.X``,
            ``outer.X`` and ``cost_seconds``; empty for measured results.
    """

    key: EvaluationKey
    config: Mapping[str, Any]
    result: EvaluationResult
    source: Source
    std: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result.status is EvalStatus.OK

    @property
    def inner(self) -> Mapping[str, float]:
        return self.result.inner

    @property
    def outer(self) -> Mapping[str, float]:
        return self.result.outer

    @property
    def cost_seconds(self) -> float:
        return self.result.cost_seconds
