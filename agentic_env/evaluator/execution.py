"""Running trials: in this process, in a local process pool, or on Ray.

Every engine runs :func:`run_one`, which never raises for a trial's own error: a failing trial
becomes a ``failed`` result carrying the error, so one bad configuration does not stop a batch.
Results are yielded as they complete (not in submission order) so the caller can record each
one at once; a build killed part-way then keeps everything that finished.

Worker processes start with ``spawn``: the parent has usually imported torch, whose thread pools
do not survive ``fork``. Each worker keeps its own per-process caches (data, calibrated simulator,
fitted components), so later trials in a worker are cheaper than the first.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, get_args

from agentic_env.evaluator.evaluation import WorkerLostError
from agentic_env.evaluator.trial import Trial, TrialResult
from agentic_env.store.records import EvalStatus, EvaluationResult

Executor = Literal["process", "ray"]
EXECUTORS: tuple[str, ...] = get_args(Executor)
_ERROR_CHARS = 4000  # the tail of a traceback is what names the failing line


@dataclass(frozen=True)
class Job:
    """One trial call: ``index`` is the caller's position in its batch."""

    index: int
    config: Mapping[str, Any]
    fidelity: float
    seed: int


def run_one(
    trial: Trial, job: Job, context: Mapping[str, Any], objective: str | None
) -> EvaluationResult:
    """Run ``trial`` on ``job``; an exception becomes a ``failed`` result with its traceback."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        out = trial(job.config, job.fidelity, job.seed, context)
        if not isinstance(out, TrialResult):
            raise TypeError(f"trial returned {type(out).__name__}; expected a TrialResult")
        return out.to_result(time.perf_counter() - wall, objective)
    except Exception as error:  # any trial error is recorded, not raised
        text = "".join(traceback.format_exception(error))[-_ERROR_CHARS:]
        return EvaluationResult(
            status=EvalStatus.FAILED,
            error=f"{type(error).__name__}: {error}\n{text}",
            cost_seconds=time.process_time() - cpu,
            wall_seconds=time.perf_counter() - wall,
        )


def run_jobs(
    trial: Trial,
    jobs: Sequence[Job],
    context: Mapping[str, Any],
    *,
    workers: int = 1,
    executor: str = "process",
    objective: str | None = None,
) -> Iterator[tuple[Job, EvaluationResult]]:
    """Yield ``(job, result)`` for every job, as each completes.

    ``workers=1`` with the process executor runs in this process (no pickling, shared caches).

    Raises:
        WorkerLostError: a worker process died (killed, out of memory); the results yielded
            before it are complete, the jobs still running are not.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor={executor!r}; expected one of {EXECUTORS}")
    if workers < 1:
        raise ValueError(f"workers={workers}; expected an integer >= 1")
    if not jobs:
        return
    if executor == "ray":
        yield from _run_ray(trial, jobs, context, workers, objective)
    elif workers == 1:
        for job in jobs:
            yield job, run_one(trial, job, context, objective)
    else:
        yield from _run_pool(trial, jobs, context, workers, objective)


def _run_pool(
    trial: Trial, jobs: Sequence[Job], context: Mapping[str, Any], workers: int,
    objective: str | None,
) -> Iterator[tuple[Job, EvaluationResult]]:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=spawn) as pool:
        pending: dict[Future[EvaluationResult], Job] = {
            pool.submit(run_one, trial, job, context, objective): job for job in jobs
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool as error:
                    for other in pending:
                        other.cancel()
                    raise WorkerLostError(
                        f"a worker process died while evaluating job {job.index} "
                        f"({len(pending) + 1} jobs unfinished); finished results are stored, "
                        "run the same batch again to evaluate only the rest"
                    ) from error
                yield job, result


def _run_ray(
    trial: Trial, jobs: Sequence[Job], context: Mapping[str, Any], workers: int,
    objective: str | None,
) -> Iterator[tuple[Job, EvaluationResult]]:
    """Jobs as Ray tasks; joins a running Ray (a cluster) or starts a local one of ``workers``."""
    try:
        import ray
    except ImportError as error:  # pragma: no cover - ray is an optional extra
        raise RuntimeError("executor='ray' needs the ray extra: pip install "
                           "'agentic-rs-gym[ray]'") from error
    if not ray.is_initialized():
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    remote = ray.remote(num_cpus=1, max_retries=0)(run_one)
    trial_ref: Any = ray.put(trial)
    context_ref: Any = ray.put(dict(context))
    pending = {remote.remote(trial_ref, job, context_ref, objective): job for job in jobs}
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            job = pending.pop(ref)
            try:
                result: EvaluationResult = ray.get(ref)
            except ray.exceptions.RayError as error:  # the worker died, not the trial
                for other in pending:
                    ray.cancel(other, force=True)
                raise WorkerLostError(
                    f"a Ray worker died while evaluating job {job.index}: {error}; finished "
                    "results are stored, run the same batch again to evaluate only the rest"
                ) from error
            yield job, result
