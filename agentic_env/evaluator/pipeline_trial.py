"""The real trial: fit the multi-stage pipeline, score it on logged data and on simulated users.

One call of :class:`PipelineTrial`:

1. loads the log and its leave-last-one-out split (cached per process);
2. keeps the fidelity's share of training users and scales every ``*.epochs`` knob
   (:mod:`.trial`);
3. fits a per-process, per-seed :class:`~agentic_env.pipeline.Pipeline`, so components whose
   training knobs did not change are reused from its fit cache across configurations;
4. inner metrics on the test interactions of the kept users: pipeline-level ``recall``,
   ``ndcg`` and ``coverage`` at ``k`` (also as ``pipeline.*``), and every active component's own
   metrics from its agent's ``evaluate`` named ``component.metric`` (:func:`component_metrics`):
   ``recall_1.recall``, ``retrieval.recall`` (mean over active sources), ``fusion.fused_recall``,
   ``ranking.auc``, ``ranking.ndcg``, ``ranking.gate_load_balance`` (MMoE),
   ``reranking.diversity``, ``reranking.coverage``, ``router.segment_balanced_ndcg``, ...;
   the layered rewards of the environments read them;
5. outer metrics: for every scenario of the :class:`SimProtocol`, a user simulator calibrated
   once on the full training log (the "world" does not shrink with fidelity) and seeded with the
   evaluation seed runs ``n_phases`` phases of ``days_per_phase`` days, the scenario's shift
   starting phase 1. Each phase's day metrics are averaged and named
   ``"{scenario}.p{phase}.{metric}"`` (e.g. ``trend_shift.p1.reward``), so one evaluation fills
   every (scenario, phase) cell of a benchmark table.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agentic_env.data import InteractionLog, load
from agentic_env.data.splits import Split, leave_last_k_out
from agentic_env.evaluator.trial import TrialResult, kept_users, scale_epochs, subsample_users
from agentic_env.metrics import coverage, mean_metric, ndcg_at_k, recall_at_k
from agentic_env.pipeline import Pipeline
from agentic_env.pipeline.evaluate import inner_metrics as pipeline_component_metrics
from agentic_env.simulator import FittedSimulator, UserSimulator, fit_simulator, make_scenario
from agentic_env.simulator.metrics import OuterMetrics

OUTER_METRICS = ("reward", "ctr", "clicks_per_session", "watch_time_per_session",
                 "return_rate", "diversity", "novelty", "low_quality_share")  # fmt: skip
INNER_METRICS = ("recall", "ndcg", "coverage")


@dataclass(frozen=True)
class SimProtocol:
    """How outer metrics are measured: scenarios, phases (day buckets), visitors and slate size."""

    scenarios: tuple[str, ...] = ("stationary", "trend_shift")
    n_phases: int = 2
    days_per_phase: int = 2
    n_users: int | None = 200
    k: int = 10

    def __post_init__(self) -> None:
        if not self.scenarios:
            raise ValueError("SimProtocol needs at least one scenario, got ()")
        if self.n_phases < 1 or self.days_per_phase < 1 or self.k < 1:
            raise ValueError(f"n_phases, days_per_phase and k must be >= 1, got {self}")
        for name in self.scenarios:
            make_scenario(name)  # raises with the list of presets

    @property
    def tag(self) -> str:
        """A short name of the protocol, part of the evaluation key's ``split`` field."""
        text = f"{','.join(self.scenarios)}|{self.n_phases}|{self.days_per_phase}|"
        text += f"{self.n_users}|{self.k}"
        return "sim-" + hashlib.sha256(text.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class PipelineTrial:
    """Pipeline fit + inner metrics + simulated outer metrics (see module docstring).

    Attributes:
        dataset: Registered dataset name passed to :func:`agentic_env.data.load`.
        path: Local copy of the dataset, when it is not bundled.
        loader: Picklable zero-argument function returning the log (overrides ``dataset``).
        protocol: The simulation protocol.
        sim_dim: Latent dimension of the calibrated simulator.
    """

    dataset: str = "movielens-latest-small"
    path: str | None = None
    loader: Callable[[], InteractionLog] | None = None
    protocol: SimProtocol = field(default_factory=SimProtocol)
    sim_dim: int = 32

    @property
    def split_name(self) -> str:
        """The ``split`` field of evaluation keys: data split plus simulation protocol."""
        return f"leave_last_1_out+{self.protocol.tag}"

    def __call__(
        self, config: Mapping[str, Any], fidelity: float, seed: int, context: Mapping[str, Any]
    ) -> TrialResult:
        start = time.process_time()
        split, world = _world(self)
        train = subsample_users(split.train, fidelity, seed)
        pipeline = _pipeline(seed)
        pipeline.fit(train, scaled_config(pipeline, config, fidelity))
        kept = kept_users(split.train.n_users, fidelity, seed)
        inner = inner_metrics(pipeline, split.test, kept, self.protocol.k)
        inner.update(component_metrics(pipeline, split.test, kept, self.protocol.k))
        outer, segments = outer_metrics(pipeline, world, self.protocol, seed)
        return TrialResult(inner, outer, segments, time.process_time() - start)

    def normalise(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The complete, validated configuration (defaults filled): the evaluator's key input."""
        return _pipeline(0).space.validate(config)


def scaled_config(pipeline: Pipeline, config: Mapping[str, Any], fidelity: float) -> dict[str, Any]:
    """The validated config with every active ``*.epochs`` knob scaled by ``fidelity``."""
    full = pipeline.space.validate(config)
    return {name: scale_epochs(value, fidelity) if name.endswith(".epochs") else value
            for name, value in full.items()}


def inner_metrics(
    pipeline: Pipeline, test: InteractionLog, users: np.ndarray, k: int
) -> dict[str, float]:
    """Recall, NDCG and catalogue coverage at ``k`` over the test users among ``users``.

    Named both bare (``recall``) and ``pipeline.recall``, beside the components' metrics.
    """
    users = np.intersect1d(np.unique(test.users), users)
    if users.size == 0:
        raise ValueError("no test user is among the kept training users; raise the fidelity")
    rows = np.isin(test.users, users)
    order = np.searchsorted(users, test.users[rows])
    truth = np.split(test.items[rows][np.argsort(order, kind="stable")],
                     np.cumsum(np.bincount(order, minlength=len(users)))[:-1])
    top = pipeline.serve(users, k)
    metrics = {"recall": mean_metric(recall_at_k(top, truth)),
               "ndcg": mean_metric(ndcg_at_k(top, truth)),
               "coverage": coverage(top, test.n_items)}
    return {**metrics, **{f"pipeline.{name}": value for name, value in metrics.items()}}


def component_metrics(
    pipeline: Pipeline, test: InteractionLog, users: np.ndarray, k: int
) -> dict[str, float]:
    """Each active component's inner metrics as ``component.metric`` (see module docstring).

    Metric suffixes such as ``@k`` are dropped (``k`` is the protocol's); values that are not
    finite (a segment without test users) are left out rather than stored as NaN.
    """
    held_out = test.subset(np.isin(test.users, users))
    nested = pipeline_component_metrics(pipeline, held_out, k)
    nested["pipeline"] = {}  # recomputed with coverage by inner_metrics
    out: dict[str, float] = {}
    for component, metrics in nested.items():
        for name, value in metrics.items():
            if np.isfinite(value):
                out[f"{component}.{name.split('@')[0]}"] = float(value)
    sources = [s for s in pipeline.sources if f"{s}.recall" in out]
    for metric in ("recall", "coverage", "long_tail_recall"):
        values = [out[f"{s}.{metric}"] for s in sources if f"{s}.{metric}" in out]
        if values:
            out[f"retrieval.{metric}"] = float(np.mean(values))
    return out


def outer_metrics(
    pipeline: Pipeline, world: FittedSimulator, protocol: SimProtocol, seed: int
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Phase-averaged day metrics per scenario (overall and per user segment)."""
    outer: dict[str, float] = {}
    segments: dict[str, dict[str, float]] = {}

    def recommend(users: np.ndarray) -> np.ndarray:
        return pipeline.serve(users, protocol.k)

    for name in protocol.scenarios:
        scenario = make_scenario(name, shift_day=protocol.days_per_phase)
        sim = UserSimulator(world.population, world.corpus, world.config(), scenario, seed=seed)
        for phase in range(protocol.n_phases):
            days = []
            for _ in range(protocol.days_per_phase):
                report = sim.simulate_day(recommend, protocol.n_users)
                days.append({"reward": report.reward, **_rates(report.overall)})
                sim.advance_day()
            prefix = f"{name}.p{phase}"
            outer.update({f"{prefix}.{m}": float(np.mean([d[m] for d in days]))
                          for m in OUTER_METRICS})
            segments.update({f"{prefix}.{seg}": {**_rates(m), "reward": m.reward(report.weights)}
                             for seg, m in report.by_segment.items()})
    return outer, segments


def _rates(metrics: OuterMetrics) -> dict[str, float]:
    values = metrics.as_dict()
    return {m: values[m] for m in OUTER_METRICS if m in values}


# -- per-process caches: data and the calibrated world load once per worker -----------------
_WORLDS: dict[PipelineTrial, tuple[Split, FittedSimulator]] = {}
_PIPELINES: dict[int, Pipeline] = {}


def _world(trial: PipelineTrial) -> tuple[Split, FittedSimulator]:
    if trial not in _WORLDS:
        log = trial.loader() if trial.loader is not None else load(trial.dataset, trial.path)
        split = leave_last_k_out(log, k=1, valid_k=1)
        _WORLDS[trial] = split, fit_simulator(split.train, dim=trial.sim_dim, seed=0)
    return _WORLDS[trial]


def _pipeline(seed: int) -> Pipeline:
    if seed not in _PIPELINES:
        _PIPELINES[seed] = Pipeline(seed=seed)
    return _PIPELINES[seed]
