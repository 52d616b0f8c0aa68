"""Surrogate mode: predict unseen configurations from stored evaluations, with uncertainty.

A Gaussian process with one RBF kernel shared by every metric (inputs: the configuration encoding
and the fidelity; outputs: each metric standardised, plus ``log1p`` of the cost). Sharing the
kernel means one Cholesky factor serves all outputs, and its two hyper-parameters (length-scale,
noise) are picked by the summed log marginal likelihood over a small grid, which is robust with
the few hundred points a benchmark table gives. The noise term absorbs seed-to-seed variation,
so the reported standard deviation is that of a new evaluation (model uncertainty plus noise).

scikit-learn is not a dependency; this is about 100 lines of numpy/scipy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from agentic_env.evaluator.encoding import ConfigEncoder
from agentic_env.evaluator.evaluation import SurrogateError
from agentic_env.store.records import EvaluationResult, StoredEvaluation

COST = "cost_seconds"
_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)
_NOISES = (1e-3, 1e-2, 0.05, 0.2)


class GaussianProcess:
    """Multi-output GP regression with a shared RBF kernel (see module docstring)."""

    def __init__(self, *, max_points: int = 1000, seed: int = 0) -> None:
        self.max_points, self.seed = max_points, seed
        self.length = self.noise = 1.0
        self._x = np.zeros((0, 0))
        self._mean = self._scale = np.zeros(0)
        self._chol: tuple[np.ndarray, bool] | None = None
        self._alpha = np.zeros((0, 0))

    def fit(self, x: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """Fit on ``x`` ``(n, d)`` and ``y`` ``(n, m)``; keeps a seeded sample of ``max_points``."""
        if len(x) > self.max_points:
            keep = np.random.default_rng(self.seed).choice(len(x), self.max_points, replace=False)
            x, y = x[np.sort(keep)], y[np.sort(keep)]
        self._mean, self._scale = y.mean(0), y.std(0)
        self._scale[self._scale < 1e-12] = 1.0
        z = (y - self._mean) / self._scale
        sq = _sq_dist(x, x)
        base = math.sqrt(float(np.median(sq[sq > 0]))) if (sq > 0).any() else 1.0
        best = -math.inf
        for factor in _SCALES:
            gram = np.exp(-sq / (2 * (base * factor) ** 2))
            for noise in _NOISES:
                chol = cho_factor(gram + noise * np.eye(len(x)), lower=True)
                alpha = cho_solve(chol, z)
                log_det = 2 * np.log(np.diag(chol[0])).sum()
                evidence = -0.5 * float((z * alpha).sum()) - 0.5 * z.shape[1] * log_det
                if evidence > best:
                    best, self.length, self.noise = evidence, base * factor, noise
                    self._chol, self._alpha = chol, alpha
        self._x = x
        return self

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and standard deviation, each ``(len(x), m)``, in ``y``'s units."""
        if self._chol is None:
            raise SurrogateError("the Gaussian process is not fitted; call fit first")
        cross = np.exp(-_sq_dist(x, self._x) / (2 * self.length**2))
        mean = cross @ self._alpha
        v = solve_triangular(self._chol[0], cross.T, lower=True)
        var = np.maximum(1.0 + self.noise - (v * v).sum(0), 1e-12)
        return mean * self._scale + self._mean, np.sqrt(var)[:, None] * self._scale


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(out, 0.0)


class Surrogate:
    """Predicts an :class:`EvaluationResult` for any configuration and fidelity.

    Targets are the inner and outer metrics that every training evaluation has (named
    ``inner.X`` / ``outer.X``) and the cost.
    """

    def __init__(self, encoder: ConfigEncoder | None = None, *, max_points: int = 1000,
                 seed: int = 0, min_points: int = 3) -> None:
        self.encoder, self.min_points = encoder, min_points
        self.gp = GaussianProcess(max_points=max_points, seed=seed)
        self.targets: tuple[str, ...] = ()
        self.n_train = 0

    def fit(self, rows: Sequence[tuple[Mapping[str, Any], StoredEvaluation]]) -> Surrogate:
        """Fit on ``(config, stored evaluation)`` pairs (``ok`` ones, see :mod:`.lookup`)."""
        if len(rows) < self.min_points:
            raise SurrogateError(f"the surrogate needs at least {self.min_points} stored ok "
                                 f"evaluations to fit; found {len(rows)}. Evaluate some "
                                 "configurations in live mode first")
        configs = [config for config, _ in rows]
        if self.encoder is None:
            self.encoder = ConfigEncoder.from_configs(configs)
        results = [stored.result for _, stored in rows]
        names = set.intersection(*(set(_flat(r)) for r in results))
        self.targets = (*sorted(names), COST)
        y = np.array([[_flat(r)[n] for n in self.targets[:-1]] + [math.log1p(r.cost_seconds)]
                      for r in results])
        fidelity = np.array([[stored.key.fidelity] for _, stored in rows])
        self.gp.fit(np.hstack([self.encoder.encode(configs), fidelity]), y)
        self.n_train = len(rows)
        return self

    def predict(
        self, configs: Sequence[Mapping[str, Any]], fidelity: float
    ) -> list[tuple[EvaluationResult, dict[str, float]]]:
        """Per configuration: the predicted result and the std of each target."""
        if self.encoder is None or not self.targets:
            raise SurrogateError("the surrogate is not fitted; call fit first")
        x = np.hstack([self.encoder.encode(configs), np.full((len(configs), 1), fidelity)])
        mean, std = self.gp.predict(x)
        out = []
        for mu, sd in zip(mean.tolist(), std.tolist(), strict=True):
            values = dict(zip(self.targets, mu, strict=True))
            cost = math.expm1(values.pop(COST))
            spread = dict(zip(self.targets, sd, strict=True))
            spread[COST] *= cost + 1.0  # delta method: d expm1(u) = exp(u) du
            inner = {n[6:]: v for n, v in values.items() if n.startswith("inner.")}
            outer = {n[6:]: v for n, v in values.items() if n.startswith("outer.")}
            out.append((EvaluationResult(inner=inner, outer=outer, cost_seconds=max(cost, 0.0)),
                        spread))
        return out


def _flat(result: EvaluationResult) -> dict[str, float]:
    return {**{f"inner.{k}": v for k, v in result.inner.items()},
            **{f"outer.{k}": v for k, v in result.outer.items()}}
