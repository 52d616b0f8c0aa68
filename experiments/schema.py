"""Typed schemas of every Hydra config group, registered in Hydra's ConfigStore.

The YAML files under ``conf/`` only set values; the dataclasses here fix which keys exist and
their types, so a misspelt key (``policy.learning_rat=...``) or an unknown enum value
(``logger.name=wandbb``) fails when the config is composed, naming the key and the valid
choices, instead of deep inside a run. Call :func:`register` before composing (the entry points
and :func:`experiments.config.compose_config` do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore


class PipelineMode(Enum):
    """Where evaluations come from: the shipped table, a synthetic landscape, or live training."""

    table = "table"
    synthetic = "synthetic"
    live = "live"


class Evolution(Enum):
    """Granularity of evolution: agents' internals, the composition, or both in turn."""

    individual = "individual"
    compositional = "compositional"
    alternating = "alternating"


class ProposerName(Enum):
    """LLM proposer backends; ``none`` disables template proposals."""

    none = "none"
    heuristic = "heuristic"
    openai_compat = "openai_compat"
    replay = "replay"


class ProposerSchedule(Enum):
    """When the proposer acts (``policies.schedule``): never, alone, once RL saturates, or
    LLM proposes then RL searches, in turns."""

    rl_only = "rl_only"
    llm_only = "llm_only"
    rl_then_llm = "rl_then_llm"
    alternate = "alternate"


class LoggerName(Enum):
    wandb = "wandb"
    none = "none"


class WandbMode(Enum):
    offline = "offline"
    online = "online"
    disabled = "disabled"


@dataclass
class DatasetConf:
    """Logged data (``python -m agentic_env.data list`` names them)."""

    name: str = "movielens-latest-small"
    path: str | None = None  # a local copy; None uses the bundled file or the download cache
    split: str = "leave_last_k_out"  # leave_last_k_out | temporal | random
    holdout: int = 1  # test interactions per user (leave_last_k_out)


@dataclass
class SimulatorConf:
    """The simulated user population that produces outer rewards."""

    examination: str = "position"  # none | position | cascade
    n_users: int | None = 200  # visitors per simulated day; None: everyone
    slate_size: int = 10
    days_per_phase: int = 2
    low_quality_threshold: float = 0.3


@dataclass
class ObjectiveConf:
    """Business objective weights (see ``agentic_env.simulator.ObjectiveWeights``)."""

    clicks: float = 1.0
    watch_time: float = 1.0
    conversions: float = 2.0
    retention: float = 2.0
    risk: float = 1.0


@dataclass
class ScenarioConf:
    """A scripted shift (``agentic_env.simulator.make_scenario`` presets) over a run's phases."""

    name: str = "trend_shift"  # stationary | cold_start_wave | trend_shift | new_item_wave | ...
    n_phases: int = 2  # a run's budget is cut into this many phases; the shift opens phase 1
    shift_phase: int = 1
    objective: ObjectiveConf = field(default_factory=ObjectiveConf)


@dataclass
class PipelineConf:
    """The recommender pipeline and how its configurations are evaluated."""

    mode: PipelineMode = PipelineMode.table
    table: str | None = None  # a BenchmarkTable .npz; None: BenchmarkTable.bundled()
    sources: dict[str, str] = field(
        default_factory=lambda: {"recall_0": "item_knn", "recall_1": "mf", "recall_2": "popularity"}
    )
    fidelity: float = 1.0  # live mode: share of epochs and training users
    device: str = "cpu"
    synthetic_values: int = 3  # synthetic mode: values per knob


@dataclass
class DecompositionConf:
    """How knobs are assigned to agents (``agentic_env.envs.decompositions.decompose``)."""

    name: str = "agentic"  # agentic | lifecycle | monolithic | merged


class RewardMode(Enum):
    """Which layers an agent's reward has: its own metric, the system's, or both by role."""

    layered = "layered"
    inner_only = "inner_only"
    outer_only = "outer_only"


@dataclass
class RewardConf:
    """Layered rewards; terms are normalised to about [0, 1] over the benchmark table."""

    name: str = "layered"
    mode: RewardMode = RewardMode.layered
    outer_metric: str = "reward"  # a name in BenchmarkTable.outer_names
    cost: float = 0.0  # cost weight of every agent (inner_only / outer_only modes)
    # per-agent overrides of the role defaults (layered): {agent: {inner, outer, cost}}
    weights: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class PolicyConf:
    """The evolution policy; ``kwargs`` go to the algorithm's constructor unchanged."""

    # ppo | maskable_ppo | a2c | dqn (kind rl); random | grid | tpe | cmaes | evolution | bandit
    # (kind search); or MODULE:NAME of a Strategy subclass (see experiments.protocol)
    name: str = "random"
    kind: str = "search"  # search | rl
    n_envs: int = 1
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProposerConf:
    """The LLM proposer plug-in that adds action templates."""

    name: ProposerName = ProposerName.none
    schedule: ProposerSchedule = ProposerSchedule.rl_only
    window: int = 20  # saturation: the best reward improved by <= tolerance over this many steps
    tolerance: float = 1e-3
    rl_budget: int = 50  # alternate: evaluations of each RL phase after a proposal
    max_templates: int = 2  # templates proposed per call
    start_unlocked: float = 0.6  # share of each knob's values open at the start (the rest are
    # templates the proposer may unlock); proposer=none sets 1.0
    base_url: str | None = None  # openai_compat: e.g. http://localhost:8000/v1
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"  # name of the variable holding the key, never the key
    timeout_s: float = 60.0
    replay_path: str | None = None  # replay: a JSONL of recorded proposals


@dataclass
class StoreConf:
    """The knowledge store: SQLite under the run dir by default, or a database URL."""

    url: str | None = None  # None: <run_dir>/knowledge.sqlite; or postgresql+psycopg://...
    experiment: str = "evolve"


@dataclass
class LoggerConf:
    """Experiment tracking."""

    name: LoggerName = LoggerName.wandb
    mode: WandbMode = WandbMode.offline
    project: str = "agentic-rs-gym"
    entity: str | None = None
    group: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class AblationConf:
    """An ablation: labelled override lists, each run for every seed (``experiments.ablate``)."""

    name: str = "none"
    question: str = ""
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    variants: dict[str, list[str]] = field(default_factory=dict)
    n_jobs: int = 1


@dataclass
class BuildConf:
    """Building a benchmark table (``experiments.build_table``; the evaluator's builder CLI)."""

    out: str | None = None  # None: <run_dir>/table.npz
    store: str | None = None  # None: store.url, else <run_dir>/knowledge.sqlite (resumable)
    workers: int = 1
    executor: str = "process"  # see python -m agentic_env.evaluator build --help
    repeats: int = 1
    limit: int | None = None  # evaluate a seeded sample of this many codes
    grid: str | None = None  # a Grid JSON; None: the bundled table's grid
    trial: str | None = None  # MODULE:NAME of a trial; None: the real pipeline trial
    scenarios: list[str] = field(default_factory=lambda: ["stationary", "trend_shift"])
    quiet: bool = False


@dataclass
class BenchmarkConf:
    """The standard protocol's results table (``experiments.benchmark``).

    ``null`` keeps the protocol's fixed value; anything else is reported as non-standard.
    """

    split: str = "test"  # train | test
    budget: int | None = None
    seeds: list[int] | None = None
    strategies: list[str] = field(default_factory=list)  # [] = every built-in; MODULE:NAME ok
    n_jobs: int = 1


@dataclass
class SweepConf:
    """An Optuna sweep over config values (``experiments.sweep``).

    ``params`` maps a config key to ``[low, high]`` (two numbers: an int or float range) or to
    a list of choices (categorical), e.g. ``{policy.kwargs.c: [0.1, 3.0], decomposition.name:
    [agentic, merged]}``.
    """

    params: dict[str, list[Any]] = field(default_factory=dict)
    n_trials: int = 20
    seeds: list[int] = field(default_factory=lambda: [0])
    metric: str = "mean_anytime_regret"  # a key of the run summary
    direction: str = "minimize"  # minimize | maximize
    sampler: str = "tpe"  # tpe | random


@dataclass
class Config:
    """The whole experiment (``conf/config.yaml`` fills it)."""

    dataset: DatasetConf = field(default_factory=DatasetConf)
    simulator: SimulatorConf = field(default_factory=SimulatorConf)
    scenario: ScenarioConf = field(default_factory=ScenarioConf)
    pipeline: PipelineConf = field(default_factory=PipelineConf)
    decomposition: DecompositionConf = field(default_factory=DecompositionConf)
    reward: RewardConf = field(default_factory=RewardConf)
    policy: PolicyConf = field(default_factory=PolicyConf)
    proposer: ProposerConf = field(default_factory=ProposerConf)
    store: StoreConf = field(default_factory=StoreConf)
    logger: LoggerConf = field(default_factory=LoggerConf)
    ablation: AblationConf = field(default_factory=AblationConf)
    build: BuildConf = field(default_factory=BuildConf)
    benchmark: BenchmarkConf = field(default_factory=BenchmarkConf)
    sweep: SweepConf = field(default_factory=SweepConf)
    name: str = "evolve"
    seed: int = 0
    budget: int = 300  # evaluations (environment steps) per run
    repeat: int = 0  # which measured repeat of the table a run reads; -1: the seed picks
    evolution: Evolution = Evolution.alternating
    progress: bool = True
    report: bool = True


GROUPS: dict[str, type] = {
    "dataset": DatasetConf,
    "simulator": SimulatorConf,
    "scenario": ScenarioConf,
    "pipeline": PipelineConf,
    "decomposition": DecompositionConf,
    "reward": RewardConf,
    "policy": PolicyConf,
    "proposer": ProposerConf,
    "store": StoreConf,
    "logger": LoggerConf,
}


def register(store: ConfigStore | None = None) -> None:
    """Store the top-level schema as ``config_schema`` (first in ``conf/config.yaml``'s defaults).

    Group YAML files merge onto the typed nodes of :class:`Config`, so they need no schema of
    their own to be checked.
    """
    cs = store if store is not None else ConfigStore.instance()
    cs.store(name="config_schema", node=Config)
