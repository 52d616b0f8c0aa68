"""Optuna's TPE and CMA-ES through its ask/tell interface.

TPE treats each knob as categorical (value indices, no order assumed). CMA-ES is a continuous
method: on a grid each knob's index ``i`` is relaxed to a real ``x`` in ``[0, radix)`` and read as
``floor(x)``, so CMA-ES assumes the knob's values are *ordered* (dimension sizes, rates, weights);
for unordered knobs (an architecture name) that order is arbitrary and TPE is the better fit.
With fewer than two knobs of radix > 1 Optuna falls back to independent sampling.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from typing import Any

import optuna

from policies.search.base import Searcher
from policies.search.space import SearchSpace

optuna.logging.set_verbosity(optuna.logging.WARNING)


class _OptunaSearch(Searcher):
    """Shared ask/tell bookkeeping: pending Optuna trials per code, oldest first."""

    def __init__(self, space: SearchSpace, seed: int, sampler: optuna.samplers.BaseSampler) -> None:
        super().__init__(space, seed)
        self.study = optuna.create_study(direction="maximize", sampler=sampler)
        self._pending: dict[int, deque[optuna.Trial]] = defaultdict(deque)

    def _suggest(self, trial: optuna.Trial, knob: int) -> int:
        raise NotImplementedError

    def ask(self) -> int:
        trial = self.study.ask()
        indices = [self._suggest(trial, i) for i in range(self.space.radices.size)]
        code = self.space.encode(indices)
        self._pending[code].append(trial)
        return code

    def tell(self, code: int, reward: float) -> None:
        queue = self._pending.get(int(code))
        if not queue:
            raise ValueError(f"code {code} was not asked (or was already told)")
        value = float(reward)
        if not math.isfinite(value):
            raise ValueError(f"reward for code {code} is {reward}; expected a finite number")
        self.study.tell(queue.popleft(), value)


class TPESearch(_OptunaSearch):
    """Tree-structured Parzen estimator over the knobs as categorical choices."""

    name = "tpe"

    def __init__(self, space: SearchSpace, seed: int = 0, n_startup_trials: int = 10,
                 **sampler_kwargs: Any) -> None:
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials,
                                             **sampler_kwargs)
        super().__init__(space, seed, sampler)

    def _suggest(self, trial: optuna.Trial, knob: int) -> int:
        radix = int(self.space.radices[knob])
        if radix == 1:
            return 0
        return int(trial.suggest_categorical(self.space.names[knob], list(range(radix))))


class CmaEsSearch(_OptunaSearch):
    """CMA-ES (Optuna's ``CmaEsSampler``) over the relaxed indices (see module docstring)."""

    name = "cmaes"

    def __init__(self, space: SearchSpace, seed: int = 0, n_startup_trials: int = 1,
                 **sampler_kwargs: Any) -> None:
        sampler = optuna.samplers.CmaEsSampler(
            seed=seed, n_startup_trials=n_startup_trials, warn_independent_sampling=False,
            **sampler_kwargs,
        )
        super().__init__(space, seed, sampler)

    def _suggest(self, trial: optuna.Trial, knob: int) -> int:
        radix = int(self.space.radices[knob])
        if radix == 1:
            return 0
        x = trial.suggest_float(self.space.names[knob], 0.0, float(radix))
        return min(math.floor(x), radix - 1)
