"""The evaluator: live, cached and surrogate evaluation of configurations, and benchmark tables.

``Evaluator(trial, store).evaluate(configs, fidelity, seed, mode)`` is the query API (see
:mod:`.evaluator`). The heavier parts are imported from their modules, so that worker processes
which only run trials do not load them: the real trial
(:mod:`agentic_env.evaluator.pipeline_trial`), the grid and dense table (:mod:`.grid`,
:mod:`.table`) and the table builder (:mod:`.builder`, also ``python -m agentic_env.evaluator``).
"""

from agentic_env.evaluator.encoding import ConfigEncoder
from agentic_env.evaluator.evaluation import (
    MODES,
    CacheMissError,
    Evaluation,
    EvaluatorError,
    Mode,
    SurrogateError,
    WorkerLostError,
)
from agentic_env.evaluator.evaluator import Evaluator, evaluate
from agentic_env.evaluator.execution import EXECUTORS, Job, run_jobs, run_one
from agentic_env.evaluator.surrogate import GaussianProcess, Surrogate
from agentic_env.evaluator.trial import (
    Trial,
    TrialResult,
    check_fidelity,
    kept_users,
    scale_epochs,
    subsample_users,
)

__all__ = [
    "EXECUTORS",
    "MODES",
    "CacheMissError",
    "ConfigEncoder",
    "Evaluation",
    "Evaluator",
    "EvaluatorError",
    "GaussianProcess",
    "Job",
    "Mode",
    "Surrogate",
    "SurrogateError",
    "Trial",
    "TrialResult",
    "WorkerLostError",
    "check_fidelity",
    "evaluate",
    "kept_users",
    "run_jobs",
    "run_one",
    "scale_epochs",
    "subsample_users",
]
