"""The surrogate's pieces: configuration encoding and the Gaussian process."""

from __future__ import annotations

import numpy as np
import pytest

from agentic_env.evaluator import ConfigEncoder, GaussianProcess, SurrogateError
from agents.space import Boolean, Categorical, DecisionSpace, Float, Integer


def space() -> DecisionSpace:
    return DecisionSpace([
        Categorical("model", ("mf", "knn"), reserved_slots=1),
        Float("model_lr", 1e-4, 1e-1, log=True, condition=("model", {"mf"})),
        Integer("k", 10, 110),
        Boolean("cold"),
    ])


def test_space_encoding_one_hot_and_scaled() -> None:
    encoder = ConfigEncoder.from_space(space())
    assert encoder.width == 2 + 1 + 1 + 2
    x = encoder.encode([{"model": "mf", "model_lr": 1e-2, "k": 60, "cold": True},
                        {"model": "knn", "k": 10, "cold": False}])
    np.testing.assert_allclose(x[0], [1, 0, 2 / 3, 0.5, 0, 1])
    np.testing.assert_allclose(x[1], [0, 1, 0, 0, 1, 0])  # inactive lr encodes as 0


def test_inferred_encoding_and_unknown_knobs() -> None:
    encoder = ConfigEncoder.from_configs([{"a": 1, "b": "x"}, {"a": 3, "b": True}])
    assert encoder.names == ("a", "b")
    np.testing.assert_allclose(encoder.encode([{"a": 2, "b": "x"}]), [[0.5, 0, 1]])
    np.testing.assert_allclose(encoder.encode([{"a": 9, "b": 1}]), [[1, 0, 0]])  # 1 is not True
    with pytest.raises(SurrogateError, match="knob 'c' is not encoded"):
        encoder.encode([{"c": 1}])


def test_gp_fits_a_smooth_function_and_widens_away_from_data() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((200, 3))
    y = np.stack([np.sin(3 * x[:, 0]) + x[:, 1] ** 2, 10 * x[:, 2]], 1)
    gp = GaussianProcess().fit(x, y + 0.01 * rng.standard_normal(y.shape))
    test = rng.random((100, 3))
    mean, std = gp.predict(test)
    truth = np.stack([np.sin(3 * test[:, 0]) + test[:, 1] ** 2, 10 * test[:, 2]], 1)
    assert np.abs(mean - truth).mean(0)[0] < 0.05 and np.abs(mean - truth).mean(0)[1] < 0.5
    _, far = gp.predict(np.full((1, 3), 4.0))
    assert (far > 10 * std.mean(0)).all()  # far from the data: about the prior spread
    np.testing.assert_allclose(far[0], y.std(0), rtol=0.1)


def test_gp_keeps_a_seeded_sample_of_max_points() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.random((50, 2)), rng.random((50, 1))
    one = GaussianProcess(max_points=20, seed=3).fit(x, y)
    two = GaussianProcess(max_points=20, seed=3).fit(x, y)
    assert one._x.shape == (20, 2)
    np.testing.assert_array_equal(one.predict(x)[0], two.predict(x)[0])
