"""Action codecs: a typed configuration <-> a flat Stable-Baselines3 action.

SB3 takes Box, Discrete, MultiDiscrete or MultiBinary actions, never a dict, so every
environment goes through a codec:

* :class:`GridCodec` -- ``MultiDiscrete`` over some knobs of a finite grid (cached and live
  modes). Each knob may carry ``reserved`` extra action indices: empty template slots that are
  masked until filled, so a policy's output layer never changes size when the space grows.
  :meth:`GridCodec.action_masks` returns the flat boolean mask sb3-contrib's ``MaskablePPO``
  reads. A masked index either raises (``on_masked="raise"``) or leaves that knob at its
  current value (``on_masked="keep"``; the count is reported so the env can record and
  penalise it). Out-of-range values and wrong shapes always raise.
* :class:`BoxCodec` -- ``Box[-1, 1]`` over knobs of a :class:`~agents.space.DecisionSpace`
  (live mode on the full space). Numeric knobs map linearly (or log-linearly) onto their range;
  a categorical splits ``[-1, 1]`` into ``n_options`` equal bins, reserved slots included.
  Values outside ``[-1, 1]`` are clipped (documented, as SB3 does for Box policies); NaN raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from gymnasium import spaces

from agents.knobs import Categorical, Integer, Knob
from agents.space import Config, DecisionSpace

OnMasked = Literal["raise", "keep"]


class ActionError(ValueError):
    """An action that no configuration corresponds to."""


class GridCodec:
    """``MultiDiscrete`` actions over the grid knobs at ``positions``.

    Args:
        radices: Number of grid values of every knob (the whole grid, in grid order).
        positions: The knobs this codec sets, in action order.
        names: Knob names (for error messages), aligned with ``radices``.
        reserved: Extra masked slots per controlled knob (an int for all, or per name).
        conditions: ``child position -> (parent position, allowed parent indices)``; a child
            whose parent lies outside ``positions`` and is inactive is masked to its current
            index (its value has no effect).
        on_masked: ``"raise"`` or ``"keep"`` (see module docstring).
    """

    def __init__(self, radices: Sequence[int] | np.ndarray, positions: Sequence[int],
                 names: Sequence[str], *, reserved: int | Mapping[str, int] = 0,
                 conditions: Mapping[int, tuple[int, frozenset[int]]] | None = None,
                 on_masked: OnMasked = "raise") -> None:
        if on_masked not in ("raise", "keep"):
            raise ValueError(f"on_masked must be 'raise' or 'keep', got {on_masked!r}")
        if not positions:
            raise ValueError("a codec needs at least one knob position")
        self.positions = np.asarray(positions, np.int64)
        self.names = tuple(names[p] for p in positions)
        self.radices = np.asarray(radices, np.int64)[self.positions]
        extra = [reserved.get(n, 0) if isinstance(reserved, Mapping) else reserved
                 for n in self.names]
        self.nvec = self.radices + np.asarray(extra, np.int64)
        self.space = spaces.MultiDiscrete(self.nvec)
        self._shape, self._unvec = self.nvec.shape, self.nvec.astype(np.uint64)
        self._has_reserved = bool((self.nvec > self.radices).any())
        self.on_masked: OnMasked = on_masked
        own = set(int(p) for p in self.positions)
        self.conditions = {self.names.index(names[c]): (parent, allowed)
                           for c, (parent, allowed) in (conditions or {}).items()
                           if c in own and parent not in own}
        self._offsets = np.concatenate([[0], np.cumsum(self.nvec)])[:-1]
        self._base_mask = np.zeros(int(self.nvec.sum()), bool)
        for offset, radix in zip(self._offsets, self.radices, strict=True):
            self._base_mask[offset:offset + radix] = True

    def decode(self, action: Any, current: np.ndarray) -> tuple[np.ndarray, int]:
        """The full index vector after applying ``action`` to ``current``, and the number of
        masked sub-actions that were kept at their current value.

        Raises:
            ActionError: wrong shape or type, out-of-range index, or (``on_masked="raise"``)
                a masked index.
        """
        a = action if type(action) is np.ndarray else np.asarray(action)
        if a.shape != self._shape or (a.dtype != np.int64 and not (
                np.issubdtype(a.dtype, np.integer) or _integral(a))):
            raise ActionError(f"action must be {len(self.nvec)} integers (MultiDiscrete "
                              f"{self.nvec.tolist()}), got {action!r}")
        if a.dtype != np.int64:
            a = a.astype(np.int64)
        if (a.astype(np.uint64) >= self._unvec).any():  # negatives wrap to huge values
            bad = int(np.flatnonzero((a < 0) | (a >= self.nvec))[0])
            raise ActionError(f"action[{bad}]={a[bad]} for {self.names[bad]!r} is out of range "
                              f"0..{self.nvec[bad] - 1}")
        out = current.copy()
        if not (self._has_reserved or self.conditions):
            out[self.positions] = a
            return out, 0
        masked = a >= self.radices
        if self.conditions:
            masked |= self._inactive(current, a)
        n_masked = int(masked.sum())
        if n_masked and self.on_masked == "raise":
            bad = int(np.flatnonzero(masked)[0])
            raise ActionError(f"action[{bad}]={a[bad]} for {self.names[bad]!r} is masked; "
                              f"valid now: {np.flatnonzero(self._knob_mask(bad, current))}")
        out[self.positions] = np.where(masked, current[self.positions], a)
        return out, n_masked

    def decode_cycle(self, action: Any, current: np.ndarray,
                     ) -> tuple[np.ndarray, int, float | None]:
        """:meth:`decode` plus the cycle's traffic share (``None``: the env's default)."""
        indices, n_masked = self.decode(action, current)
        return indices, n_masked, None

    def _inactive(self, current: np.ndarray, a: np.ndarray) -> np.ndarray:
        out = np.zeros(len(a), bool)
        for i, (parent, allowed) in self.conditions.items():
            if int(current[parent]) not in allowed:
                out[i] = a[i] != current[self.positions[i]]
        return out

    def _knob_mask(self, i: int, current: np.ndarray) -> np.ndarray:
        mask = np.zeros(int(self.nvec[i]), bool)
        cond = self.conditions.get(i)
        if cond is not None and int(current[cond[0]]) not in cond[1]:
            mask[int(current[self.positions[i]])] = True
        else:
            mask[: self.radices[i]] = True
        return mask

    def encode(self, indices: np.ndarray) -> np.ndarray:
        """The action that sets the controlled knobs to their values in ``indices``."""
        return np.asarray(indices, np.int64)[self.positions].copy()

    def action_masks(self, current: np.ndarray) -> np.ndarray:
        """Flat boolean mask over ``sum(nvec)`` entries, as ``MaskablePPO`` expects."""
        if not self.conditions:
            return self._base_mask.copy()
        mask = self._base_mask.copy()
        for i in self.conditions:
            o = self._offsets[i]
            mask[o:o + self.nvec[i]] = self._knob_mask(i, current)
        return mask

    def one_hot_size(self) -> int:
        return int(self.radices.sum())


class TrafficCodec:
    """A :class:`GridCodec` plus one last entry choosing the A/B traffic share (AutoPerf).

    Args:
        codec: The knobs' codec.
        choices: Traffic shares, each in ``(0, 1)``; the last action entry indexes them.
    """

    def __init__(self, codec: GridCodec, choices: Sequence[float]) -> None:
        shares = tuple(float(c) for c in choices)
        if not shares or not all(0.0 < c < 1.0 for c in shares):
            raise ValueError(f"traffic choices must be shares in (0, 1), got {list(choices)}")
        self.codec, self.choices = codec, shares
        self.positions, self.radices = codec.positions, codec.radices
        self.names = (*codec.names, "deployment.traffic")
        self.nvec = np.append(codec.nvec, len(shares))
        self.space = spaces.MultiDiscrete(self.nvec)

    def decode_cycle(self, action: Any, current: np.ndarray,
                     ) -> tuple[np.ndarray, int, float | None]:
        a = np.asarray(action)
        if a.shape != self.nvec.shape:
            raise ActionError(f"action must be {len(self.nvec)} integers (MultiDiscrete "
                              f"{self.nvec.tolist()}; the last one picks the traffic share "
                              f"among {list(self.choices)}), got {action!r}")
        last = a[-1]
        if not (float(last).is_integer() and 0 <= last < len(self.choices)):
            raise ActionError(f"traffic index {last!r} is out of range 0.."
                              f"{len(self.choices) - 1} (shares {list(self.choices)})")
        indices, n_masked = self.codec.decode(a[:-1], current)
        return indices, n_masked, self.choices[int(last)]

    def encode(self, indices: np.ndarray, traffic: int = 0) -> np.ndarray:
        """The action setting the knobs as in ``indices`` and traffic choice ``traffic``."""
        return np.append(self.codec.encode(indices), traffic)

    def action_masks(self, current: np.ndarray) -> np.ndarray:
        return np.concatenate([self.codec.action_masks(current),
                               np.ones(len(self.choices), bool)])


def _integral(a: np.ndarray) -> bool:
    return bool(np.issubdtype(a.dtype, np.floating) and np.isfinite(a).all()
                and (a == np.round(a)).all())


class BoxCodec:
    """``Box[-1, 1]`` actions over the knobs ``names`` of a decision space.

    Inactive conditional knobs are left out of the decoded config (the space would reject
    them), so every decoded config validates.
    """

    def __init__(self, space: DecisionSpace, names: Sequence[str] | None = None,
                 *, on_masked: OnMasked = "raise") -> None:
        self.dspace = space
        self.names = tuple(names) if names is not None else tuple(k.name for k in space)
        self.knobs: tuple[Knob, ...] = tuple(space[n] for n in self.names)
        self.space = spaces.Box(-1.0, 1.0, (len(self.names),), np.float32)
        self.on_masked: OnMasked = on_masked

    def decode(self, action: Any, current: Mapping[str, Any]) -> tuple[Config, int]:
        """A validated config: ``current`` with the controlled knobs set from ``action``."""
        a = np.asarray(action, np.float64)
        if a.shape != (len(self.names),) or np.isnan(a).any():
            raise ActionError(f"action must be {len(self.names)} numbers in [-1, 1] "
                              f"(no NaN), got {action!r}")
        a = np.clip(a, -1.0, 1.0)
        config = dict(current)
        n_masked = 0
        for knob, x in zip(self.knobs, a, strict=True):
            value, masked = _from_unit(knob, float(x))
            if masked:
                if self.on_masked == "raise":
                    raise ActionError(f"action {x:.3f} for {knob.name!r} selects an unfilled "
                                      f"template slot; valid bins cover {knob.describe()}")
                n_masked += 1
                continue
            config[knob.name] = value
        return self._active_only(config), n_masked

    def _active_only(self, config: Config) -> Config:
        out: Config = {}
        for k in self.dspace:
            active = k.condition is None or out.get(k.condition[0]) in k.condition[1]
            if active and k.name in config:
                out[k.name] = config[k.name]
        return self.dspace.validate(out)

    def encode(self, config: Mapping[str, Any]) -> np.ndarray:
        """The action whose decoding gives ``config``'s values (defaults for absent knobs)."""
        return np.array([_to_unit(k, config.get(k.name, k.default)) for k in self.knobs],
                        np.float32)


def _from_unit(knob: Knob, x: float) -> tuple[Any, bool]:
    u = (x + 1.0) / 2.0
    if isinstance(knob, Categorical):
        i = min(int(u * knob.n_options), knob.n_options - 1)
        return (knob.available[i], False) if i < len(knob.available) else (None, True)
    low, high = float(knob.low), float(knob.high)  # type: ignore[attr-defined]
    if knob.log:  # type: ignore[attr-defined]
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        value = low + u * (high - low)
    value = min(max(value, low), high)
    return (round(value) if isinstance(knob, Integer) else value), False


def _to_unit(knob: Knob, value: Any) -> float:
    if isinstance(knob, Categorical):
        i = knob.available.index(knob.check(value))
        return (i + 0.5) / knob.n_options * 2.0 - 1.0
    low, high = float(knob.low), float(knob.high)  # type: ignore[attr-defined]
    if knob.log:  # type: ignore[attr-defined]
        u = (math.log(float(value)) - math.log(low)) / (math.log(high) - math.log(low))
    else:
        u = (float(value) - low) / (high - low)
    return u * 2.0 - 1.0
