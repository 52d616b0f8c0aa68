"""Configurations as fixed-width vectors, the input of the surrogate.

Categorical knobs become one-hot blocks, numeric knobs one column scaled to ``[0, 1]`` (on a log
scale when the knob is log-scaled); a knob that is inactive under a configuration encodes as
zeros, and its parent's one-hot block already says why. The encoder is built from a decision
space (:meth:`ConfigEncoder.from_space`, the knobs' declared domains) or, for trials without
one, from the configurations seen (:meth:`ConfigEncoder.from_configs`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agentic_env.evaluator.evaluation import SurrogateError
from agents.space import Categorical, DecisionSpace, Float, Integer


@dataclass(frozen=True)
class _Column:
    """One knob: ``values`` for a categorical, else a ``[low, high]`` range."""

    name: str
    values: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 1.0
    log: bool = False

    @property
    def width(self) -> int:
        return len(self.values) if self.values else 1

    def fill(self, value: Any, out: np.ndarray) -> None:
        """Write the encoding of ``value`` into ``out`` (a zeroed slice of width ``width``)."""
        if self.values:
            for i, choice in enumerate(self.values):  # by type too, so True is not 1
                if type(choice) is type(value) and choice == value:
                    out[i] = 1.0
                    return
            return  # a value never seen: no category is on
        x = float(value)
        low, high = self.low, self.high
        if self.log:
            x, low, high = math.log(max(x, 1e-300)), math.log(low), math.log(high)
        out[0] = min(max((x - low) / (high - low), 0.0), 1.0) if high > low else 0.5


class ConfigEncoder:
    """Encodes configurations over a fixed set of knobs (see module docstring)."""

    def __init__(self, columns: Sequence[_Column]) -> None:
        self.columns = tuple(columns)
        self._index = {c.name: i for i, c in enumerate(self.columns)}
        self._offsets = np.cumsum([0] + [c.width for c in self.columns])

    @property
    def width(self) -> int:
        return int(self._offsets[-1])

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @classmethod
    def from_space(cls, space: DecisionSpace) -> ConfigEncoder:
        """Columns from the knobs' declared domains (categoricals: every available choice)."""
        columns = []
        for knob in space:
            if isinstance(knob, Categorical):
                columns.append(_Column(knob.name, values=tuple(knob.available)))
            elif isinstance(knob, Integer | Float):
                columns.append(_Column(knob.name, low=knob.low, high=knob.high, log=knob.log))
            else:
                raise SurrogateError(f"knob {knob.name!r} of kind {knob.kind!r} has no encoding")
        return cls(columns)

    @classmethod
    def from_configs(cls, configs: Sequence[Mapping[str, Any]]) -> ConfigEncoder:
        """Columns from the values seen: numbers scale by their range, the rest are one-hot."""
        seen: dict[str, list[Any]] = {}
        for config in configs:
            for name, value in config.items():
                seen.setdefault(name, []).append(value)
        return cls([_infer(name, values) for name, values in sorted(seen.items())])

    def encode(self, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """``(len(configs), width)`` float64 features; an unknown knob is an error naming it."""
        out = np.zeros((len(configs), self.width))
        for row, config in enumerate(configs):
            for name, value in config.items():
                i = self._index.get(name)
                if i is None:
                    raise SurrogateError(f"knob {name!r} is not encoded; known knobs: "
                                         f"{list(self._index)}")
                self.columns[i].fill(value, out[row, self._offsets[i]:self._offsets[i + 1]])
        return out


def _infer(name: str, values: list[Any]) -> _Column:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if not numeric:
        unique: list[Any] = []
        for v in values:
            if not any(type(u) is type(v) and u == v for u in unique):
                unique.append(v)
        order = sorted(unique, key=lambda v: (type(v).__name__, str(v)))
        return _Column(name, values=tuple(order))
    low, high = float(min(values)), float(max(values))
    return _Column(name, low=low, high=high, log=low > 0 and high / low > 100)
