"""Canonical JSON for configurations, so that equal configurations get equal hashes.

A configuration reaches the store from Hydra, from an action codec or from an LLM proposal; the
same choice may arrive as ``1`` or ``1.0``, as a tuple or a list, as a numpy scalar, with keys in
any order. The canonical form removes all of those differences: keys sorted, no whitespace, floats
rounded to 15 significant digits (so ``0.1 + 0.2`` equals ``0.3``), integral floats written as
integers, ``-0.0`` as ``0``, sequences as lists. NaN and infinities have no JSON form and are
rejected rather than silently stringified.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]

_SIGNIFICANT_DIGITS = 15


def normalise(value: Any, path: str = "$") -> JSONValue:
    """Return ``value`` as plain JSON types in canonical form; ``path`` names it in errors."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _normalise_float(float(value), path)
    if isinstance(value, Mapping):
        return _normalise_mapping(value, path)
    if isinstance(value, np.ndarray):
        return [normalise(v, f"{path}[{i}]") for i, v in enumerate(value.tolist())]
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [normalise(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise TypeError(
        f"{path}: {type(value).__name__} {value!r} has no canonical JSON form; "
        "expected None, bool, int, float, str, a sequence or a mapping with str keys"
    )


def _normalise_float(value: float, path: str) -> int | float:
    if not math.isfinite(value):
        raise ValueError(f"{path}: {value} is not a finite number; JSON has no NaN or infinity")
    rounded = float(f"{value:.{_SIGNIFICANT_DIGITS}g}")
    if not math.isfinite(rounded):  # rounding up near the largest float overflows
        rounded = value
    if rounded.is_integer() and abs(rounded) < 2**53:
        return int(rounded)  # also turns -0.0 into 0
    return rounded


def _normalise_mapping(value: Mapping[Any, Any], path: str) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{path}: key {key!r} is a {type(key).__name__}; expected str keys")
        out[key] = normalise(item, f"{path}.{key}")
    return out


def normalise_number(value: float, path: str) -> float:
    """A finite float rounded as configuration floats are (for key fields such as fidelity)."""
    return float(_normalise_float(float(value), path))


def normalise_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`normalise` for a mapping, typed as the dict it returns (for JSON columns)."""
    return _normalise_mapping(value, "$")


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically: sorted keys, no whitespace, normalised numbers."""
    return json.dumps(
        normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def config_hash(value: Any) -> str:
    """The sha256 hex digest of :func:`canonical_json` of ``value`` (UTF-8)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
