"""Typed knobs: categorical (with reserved slots), integer, float, and on/off.

A knob knows its domain, default, owner component, role tags and activation condition; it checks
and samples values. :mod:`agents.space` groups knobs into a decision space.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any, TypeAlias

import numpy as np

Value: TypeAlias = bool | int | float | str
Condition: TypeAlias = tuple[str, frozenset[Value]]


class Knob:
    """What every knob shares: a name, tags, an optional activation condition.

    ``affects_fit=False`` marks a knob that changes behaviour without retraining (candidate-set
    sizes, score blends), so a pipeline can apply it to an already fitted component.
    """

    kind = "knob"

    def __init__(
        self,
        name: str,
        *,
        owner: str = "",
        roles: Iterable[str] = (),
        condition: tuple[str, Iterable[Value]] | None = None,
        affects_fit: bool = True,
        doc: str = "",
    ) -> None:
        if not name:
            raise ValueError("a knob needs a non-empty name")
        self.name = name
        self.owner = owner
        self.roles = tuple(roles)
        self.condition: Condition | None = None
        if condition is not None:
            parent, values = condition
            self.condition = (parent, frozenset(values))
        self.affects_fit = affects_fit
        self.doc = doc

    @property
    def default(self) -> Value:
        raise NotImplementedError

    def check(self, value: Any) -> Value:
        """The value, normalised, or a ``ValueError`` naming the valid domain."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> Value:
        raise NotImplementedError

    def renamed(self, prefix: str) -> Knob:
        """A shallow copy named ``prefix.name`` and owned by ``prefix`` (the component that
        holds it in a merged space), its condition's parent prefixed too."""
        out = copy.copy(self)
        out.name = f"{prefix}.{self.name}"
        out.owner = prefix
        if self.condition is not None:
            out.condition = (f"{prefix}.{self.condition[0]}", self.condition[1])
        return out

    def describe(self) -> dict[str, Any]:
        """Name, type, domain, default, owner, roles and condition as plain data."""
        info: dict[str, Any] = {"name": self.name, "type": self.kind, "owner": self.owner,
                                "roles": list(self.roles), "default": self.default,
                                "affects_fit": self.affects_fit}
        if self.condition is not None:
            info["condition"] = (self.condition[0], sorted(self.condition[1], key=str))
        return info

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class Categorical(Knob):
    """A choice among named options plus ``reserved_slots`` empty slots for future templates.

    The list of filled slots is shared by renamed copies, so filling a slot through the
    pipeline's merged space also grows the owning agent's space.
    """

    kind = "categorical"

    def __init__(
        self,
        name: str,
        choices: Iterable[Value],
        *,
        default: Value | None = None,
        reserved_slots: int = 0,
        **tags: Any,
    ) -> None:
        super().__init__(name, **tags)
        self.choices = tuple(choices)
        if not self.choices or len(set(self.choices)) != len(self.choices):
            raise ValueError(f"{name!r} needs distinct choices, got {self.choices}")
        if default is not None and default not in self.choices:
            raise ValueError(f"default {default!r} of {name!r} is not one of {self.choices}")
        if reserved_slots < 0:
            raise ValueError(f"reserved_slots of {name!r} must be >= 0, got {reserved_slots}")
        self._default = self.choices[0] if default is None else default
        self.reserved_slots = reserved_slots
        self.filled: list[str] = []

    @property
    def default(self) -> Value:
        return self._default

    @property
    def available(self) -> tuple[Value, ...]:
        """Built-in choices then filled slots: the values a config may take now."""
        return (*self.choices, *self.filled)

    @property
    def n_options(self) -> int:
        """Fixed action count: built-in choices plus every reserved slot, filled or not."""
        return len(self.choices) + self.reserved_slots

    def mask(self) -> np.ndarray:
        """Boolean ``(n_options,)``: usable actions (unfilled slots are masked out)."""
        out = np.zeros(self.n_options, bool)
        out[: len(self.available)] = True
        return out

    def option(self, index: int) -> Value:
        """The value behind action ``index``; an unfilled slot is an error."""
        if not 0 <= index < len(self.available):
            raise ValueError(f"action {index} of {self.name!r} is masked; valid 0.."
                             f"{len(self.available) - 1} -> {list(self.available)}")
        return self.available[index]

    def fill_slot(self, template: str) -> int:
        """Make ``template`` a choice by filling the next empty slot; returns its action index."""
        if template in self.available:
            raise ValueError(f"{template!r} is already a choice of {self.name!r}")
        if len(self.filled) >= self.reserved_slots:
            raise ValueError(f"{self.name!r} has no empty slot left: {self.reserved_slots} "
                             f"reserved, filled with {self.filled}")
        self.filled.append(template)
        return len(self.available) - 1

    def check(self, value: Any) -> Value:
        if isinstance(value, np.generic):
            value = value.item()
        for choice in self.available:  # match by type too, so True never passes for 1
            if type(choice) is type(value) and choice == value:
                return choice
        raise ValueError(f"{self.name}={value!r} is not a valid choice; "
                         f"valid values: {list(self.available)}")

    def sample(self, rng: np.random.Generator) -> Value:
        return self.available[int(rng.integers(len(self.available)))]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "choices": list(self.available),
                "reserved_slots": self.reserved_slots, "n_options": self.n_options}


def Boolean(name: str, default: bool = True, **tags: Any) -> Categorical:
    """An on/off knob: a two-choice categorical, so it exports and encodes like any other."""
    return Categorical(name, (False, True), default=default, **tags)


class _Numeric(Knob):
    def __init__(
        self,
        name: str,
        low: float,
        high: float,
        *,
        log: bool = False,
        default: float | None = None,
        **tags: Any,
    ) -> None:
        super().__init__(name, **tags)
        if not low < high:
            raise ValueError(f"{name!r}: need low < high, got [{low}, {high}]")
        if log and low <= 0:
            raise ValueError(f"{name!r}: a log-scale range must be positive, got low={low}")
        self.low, self.high, self.log = low, high, log
        centre = math.sqrt(low * high) if log else (low + high) / 2
        self._default = self.check(centre if default is None else default)

    @property
    def default(self) -> Value:
        return self._default

    def _in_range(self, value: float) -> None:
        if not self.low <= value <= self.high:
            scale = " (log scale)" if self.log else ""
            raise ValueError(f"{self.name}={value!r} is out of range; valid values: "
                             f"[{self.low}, {self.high}]{scale}")

    def _draw(self, rng: np.random.Generator) -> float:
        if self.log:
            return math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        return float(rng.uniform(self.low, self.high))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "low": self.low, "high": self.high, "log": self.log}


class Integer(_Numeric):
    """An integer in ``[low, high]`` (inclusive), optionally log-scaled."""

    kind = "integer"

    def __init__(self, name: str, low: int, high: int, **kwargs: Any) -> None:
        if kwargs.get("default") is None:
            kwargs["default"] = round(math.sqrt(low * high) if kwargs.get("log") else
                                      (low + high) / 2)
        super().__init__(name, low, high, **kwargs)

    def check(self, value: Any) -> int:
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool)
        if not ok or not float(value).is_integer():
            raise ValueError(f"{self.name}={value!r} must be an integer in "
                             f"[{self.low}, {self.high}]")
        self._in_range(int(value))
        return int(value)

    def sample(self, rng: np.random.Generator) -> int:
        return int(np.clip(round(self._draw(rng)), self.low, self.high))


class Float(_Numeric):
    """A real number in ``[low, high]``, optionally log-scaled."""

    kind = "float"

    def check(self, value: Any) -> float:
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool)
        if not ok or math.isnan(float(value)):
            raise ValueError(f"{self.name}={value!r} must be a number in "
                             f"[{self.low}, {self.high}]")
        self._in_range(float(value))
        return float(value)

    def sample(self, rng: np.random.Generator) -> float:
        return float(np.clip(self._draw(rng), self.low, self.high))
