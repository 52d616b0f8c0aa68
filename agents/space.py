"""Typed decision spaces: the knobs an agent can turn, and what evolves them.

Decision variables are the primitive of the environment (see DESIGN.md): every agent declares its
knobs here, the pipeline merges them under component prefixes, and environments turn them into
actions. Three properties matter downstream:

* **Growing categoricals.** A :class:`Categorical` reserves empty slots; an LLM-proposed template
  later fills one (:meth:`Categorical.fill_slot`) and is unmasked, so a policy trained on the
  fixed-size action set keeps working when the space grows.
* **Conditional knobs.** ``condition=("parent", {values})`` makes a knob active only when its parent
  is active and takes one of the values (e.g. ``mf.dim`` only when ``model == "mf"``); setting an
  inactive knob is an error, so a config never carries settings that have no effect.
* **Tags.** Each knob has an ``owner`` (component) and ``roles`` ("feature", "model", "training",
  "serving", ...) so environments can assign knobs to agents by component (AgenticRS) or by
  lifecycle axis (AutoFeature / AutoTrain / AutoPerf).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import numpy as np
from ConfigSpace import Categorical as CSCategorical
from ConfigSpace import ConfigurationSpace, InCondition
from ConfigSpace import Float as CSFloat
from ConfigSpace import Integer as CSInteger

from agents.knobs import Boolean, Categorical, Condition, Float, Integer, Knob, Value

__all__ = ["Boolean", "Categorical", "Condition", "Config", "DecisionSpace", "Float", "Integer",
           "Knob", "Value", "sub_config"]

Config: TypeAlias = dict[str, Any]


class DecisionSpace:
    """An ordered set of knobs, parents before the knobs conditioned on them."""

    def __init__(self, knobs: Iterable[Knob]) -> None:
        self.knobs: dict[str, Knob] = {}
        for k in knobs:
            if k.name in self.knobs:
                raise ValueError(f"duplicate knob name {k.name!r}")
            if k.condition is not None:
                self._check_parent(k)
            self.knobs[k.name] = k

    def _check_parent(self, k: Knob) -> None:
        assert k.condition is not None
        parent_name, values = k.condition
        parent = self.knobs.get(parent_name)
        if not isinstance(parent, Categorical):
            raise ValueError(f"condition of {k.name!r} names {parent_name!r}, which must be a "
                             f"categorical knob declared before it; have {list(self.knobs)}")
        bad = [v for v in values if v not in parent.choices]
        if bad:
            raise ValueError(f"condition of {k.name!r} uses {bad}, not choices of "
                             f"{parent_name!r}: {list(parent.choices)}")

    def __len__(self) -> int:
        return len(self.knobs)

    def __iter__(self) -> Iterator[Knob]:
        return iter(self.knobs.values())

    def __contains__(self, name: object) -> bool:
        return name in self.knobs

    def __getitem__(self, name: str) -> Knob:
        if name not in self.knobs:
            raise KeyError(f"no knob {name!r}; knobs: {list(self.knobs)}")
        return self.knobs[name]

    @classmethod
    def merge(cls, spaces: Mapping[str, DecisionSpace]) -> DecisionSpace:
        """One space from several, each knob renamed ``prefix.name`` (e.g. ``ranking.arch``)."""
        return cls(k.renamed(prefix) for prefix, space in spaces.items() for k in space)

    def _is_active(self, k: Knob, config: Mapping[str, Any]) -> bool:
        if k.condition is None:
            return True
        parent, values = k.condition
        return parent in config and config[parent] in values

    def default(self) -> Config:
        """The default of every knob active under the other defaults."""
        return self._complete({})

    def _complete(self, given: Mapping[str, Any]) -> Config:
        out: Config = {}
        for k in self.knobs.values():
            if self._is_active(k, out):
                out[k.name] = k.check(given[k.name]) if k.name in given else k.default
        return out

    def validate(self, config: Mapping[str, Any]) -> Config:
        """A complete, normalised config: defaults fill missing active knobs.

        Raises:
            ValueError: unknown knob, value outside a knob's domain (the message lists the valid
                values), or a knob set while its condition is false.
        """
        unknown = [name for name in config if name not in self.knobs]
        if unknown:
            raise ValueError(f"unknown knobs {unknown}; valid knobs: {list(self.knobs)}")
        out = self._complete(config)
        for name in config:
            if name not in out:
                parent, values = self.knobs[name].condition  # type: ignore[misc]
                raise ValueError(
                    f"{name!r} is inactive: it applies only when {parent!r} is in "
                    f"{sorted(values, key=str)}, but {parent!r}={out.get(parent, '<inactive>')!r}")
        return out

    def active(self, config: Mapping[str, Any]) -> set[str]:
        """Names of the knobs that take effect under ``config``."""
        return set(self.validate(config))

    def sample(self, rng: np.random.Generator) -> Config:
        """A random valid config: each active knob drawn from its available domain."""
        out: Config = {}
        for k in self.knobs.values():
            if self._is_active(k, out):
                out[k.name] = k.sample(rng)
        return out

    def describe(self) -> list[dict[str, Any]]:
        """One row per knob (name, type, domain, owner, roles, condition)."""
        return [k.describe() for k in self.knobs.values()]

    def fit_relevant(self, config: Mapping[str, Any]) -> Config:
        """The entries of ``config`` whose knobs affect training (a fitted model's cache key)."""
        return {name: value for name, value in config.items() if self[name].affects_fit}

    def select(self, *, owner: str | None = None, role: str | None = None) -> list[str]:
        """Knob names with the given owner and/or role: building blocks of decompositions."""
        return [k.name for k in self.knobs.values()
                if (owner is None or k.owner == owner) and (role is None or role in k.roles)]

    def fill_slot(self, name: str, template: str) -> int:
        """Fill a reserved slot of categorical ``name``; returns the new action index."""
        k = self[name]
        if not isinstance(k, Categorical):
            raise ValueError(f"{name!r} is a {k.kind} knob; only categoricals have slots")
        return k.fill_slot(template)

    def to_configspace(self, seed: int | None = None) -> ConfigurationSpace:
        """The same space as a ConfigSpace ``ConfigurationSpace`` (available choices only)."""
        cs = ConfigurationSpace(seed=seed)
        params = {k.name: _to_hyperparameter(k) for k in self.knobs.values()}
        cs.add(list(params.values()))
        conditions = [InCondition(params[k.name], params[k.condition[0]], sorted(
            k.condition[1], key=str)) for k in self.knobs.values() if k.condition is not None]
        if conditions:
            cs.add(conditions)
        return cs


def _to_hyperparameter(k: Knob) -> Any:
    meta = {"owner": k.owner, "roles": list(k.roles)}
    if isinstance(k, Categorical):
        return CSCategorical(k.name, list(k.available), default=k.default, meta=meta)
    if isinstance(k, Integer):
        return CSInteger(k.name, (int(k.low), int(k.high)), default=int(k.default), log=k.log,
                         meta=meta)
    if isinstance(k, Float):
        return CSFloat(k.name, (k.low, k.high), default=float(k.default), log=k.log, meta=meta)
    raise TypeError(f"cannot export knob {k.name!r} of type {type(k).__name__}")


def sub_config(config: Mapping[str, Any], prefix: str) -> Config:
    """The entries of a merged config under ``prefix.``, with the prefix stripped."""
    head = prefix + "."
    return {name[len(head):]: value for name, value in config.items() if name.startswith(head)}
