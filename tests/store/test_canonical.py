"""Canonical JSON: equal configurations must hash equal, different ones differently."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_env.store.canonical import canonical_json, config_hash


def test_keys_sorted_and_no_whitespace() -> None:
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "x y"}}) == (
        '{"a":{"c":"x y","d":[1,2]},"b":1}'
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"lr": 1.0}, {"lr": 1}),
        ({"lr": 0.1 + 0.2}, {"lr": 0.3}),
        ({"x": -0.0}, {"x": 0}),
        ({"x": np.float32(0.5), "n": np.int64(3)}, {"x": 0.5, "n": 3}),
        ({"dims": (64, 32)}, {"dims": [64, 32]}),
        ({"dims": np.array([1, 2])}, {"dims": [1, 2]}),
        ({"flag": np.bool_(True)}, {"flag": True}),
    ],
)
def test_equivalent_values_hash_equal(left: dict, right: dict) -> None:
    assert canonical_json(left) == canonical_json(right)
    assert config_hash(left) == config_hash(right)


def test_bool_is_not_an_integer_and_small_differences_count() -> None:
    assert config_hash({"x": True}) != config_hash({"x": 1})
    assert config_hash({"lr": 1e-3}) != config_hash({"lr": 1.0001e-3})


def test_hash_is_sha256_of_canonical_text() -> None:
    config = {"model": "bpr", "dim": 64}
    expected = hashlib.sha256(b'{"dim":64,"model":"bpr"}').hexdigest()
    assert config_hash(config) == expected


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match=r"\$\.a\.lr"):
        canonical_json({"a": {"lr": bad}})


def test_non_string_keys_and_unknown_types_rejected() -> None:
    with pytest.raises(TypeError, match="key 1"):
        canonical_json({1: "a"})
    with pytest.raises(TypeError, match=r"\$\.x.*object"):
        canonical_json({"x": object()})


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=4), _json, max_size=5))
def test_hash_ignores_key_order_and_is_stable(config: dict) -> None:
    reordered = dict(reversed(list(config.items())))
    assert config_hash(reordered) == config_hash(config)
    # canonical text parses back to a value with the same canonical text
    import json

    assert canonical_json(json.loads(canonical_json(config))) == canonical_json(config)
