"""The evaluator: a batch of configurations in, metrics and cost out, every result remembered.

One query API with three modes, as JAHS-Bench-201 offers live / table / surrogate:

- ``live``: run the trial on every configuration (in this process, a process pool or Ray) and
  record each result in the knowledge store as it completes; a failing trial is recorded with
  status ``failed`` and its error, and the batch goes on.
- ``cached``: read the store; a key with no ``ok`` row is evaluated live when ``allow_live``,
  otherwise :class:`CacheMissError` names the key (a stored ``failed`` row is then returned as is).
- ``surrogate``: a Gaussian process fitted on the stored ``ok`` evaluations of this
  (dataset, split, agent) predicts each configuration, with a standard deviation per metric.

The key of a configuration is (dataset, split, agent, hash of the configuration, fidelity, seed).
A trial may offer ``normalise(config) -> dict`` (the pipeline trial validates and completes the
configuration), so that ``{}`` and the full default configuration share one key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from agentic_env.evaluator.encoding import ConfigEncoder
from agentic_env.evaluator.evaluation import CacheMissError, Evaluation, check_mode
from agentic_env.evaluator.execution import Job, run_jobs
from agentic_env.evaluator.lookup import fetch_many, ok_with_configs
from agentic_env.evaluator.surrogate import Surrogate
from agentic_env.evaluator.trial import Trial, check_fidelity
from agentic_env.store import EvalStatus, EvaluationKey, KnowledgeStore, config_hash

Seeds = int | Sequence[int]
_MEMO_LIMIT = 1_000_000


class Evaluator:
    """Evaluates configurations of one agent on one dataset split (see module docstring).

    Args:
        trial: What one evaluation runs (picklable for ``workers > 1``).
        store: An open store, or a path / URL to open (then closed by :meth:`close`).
        agent: The ``agent`` field of keys (``"pipeline"`` for whole-pipeline configurations).
        dataset, split: Key fields; default to the trial's ``dataset`` and ``split_name``.
        workers: Parallel live evaluations; ``1`` runs in this process.
        executor: ``"process"`` (local process pool) or ``"ray"`` (joins a running Ray).
        allow_live: Default for cached mode's fall-through on a miss.
        progress: Show a tqdm bar during live batches.
        objective: Metric copied to the store's ``objective`` column (for best-of queries).
        encoder: Configuration encoding of the surrogate (default: inferred from stored configs).
        run_id: Store run that the recorded evaluations belong to.
    """

    def __init__(
        self,
        trial: Trial,
        store: KnowledgeStore | str | Path,
        *,
        agent: str = "pipeline",
        dataset: str | None = None,
        split: str | None = None,
        workers: int = 1,
        executor: str = "process",
        allow_live: bool = True,
        progress: bool = True,
        objective: str | None = None,
        encoder: ConfigEncoder | None = None,
        run_id: int | None = None,
    ) -> None:
        self.trial = trial
        self._owns_store = not isinstance(store, KnowledgeStore)
        self.store = store if isinstance(store, KnowledgeStore) else KnowledgeStore.open(store)
        self.agent = agent
        self.dataset = dataset if dataset is not None else _trial_field(trial, "dataset")
        self.split = split if split is not None else _trial_field(trial, "split_name")
        self.workers, self.executor = workers, executor
        self.allow_live, self.progress, self.objective = allow_live, progress, objective
        self.encoder, self.run_id = encoder, run_id
        self._normalise: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = getattr(
            trial, "normalise", None)
        self._memo: dict[EvaluationKey, Evaluation] = {}
        self._hashes: dict[tuple[Any, ...], str] = {}
        self._surrogate: Surrogate | None = None

    def close(self) -> None:
        """Close the store if this evaluator opened it."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def context(self) -> dict[str, Any]:
        """What a trial is told about the evaluation besides config, fidelity and seed."""
        return {"dataset": self.dataset, "split": self.split, "agent": self.agent}

    def key(self, config: Mapping[str, Any], fidelity: float, seed: int) -> EvaluationKey:
        """The store key of ``config`` at ``fidelity`` and ``seed`` (after normalisation)."""
        return self._keyed([config], fidelity, seed)[0][1]

    # -- the query API ------------------------------------------------------------------------

    def evaluate(
        self,
        configs: Sequence[Mapping[str, Any]],
        fidelity: float = 1.0,
        seed: Seeds = 0,
        mode: str = "live",
        *,
        allow_live: bool | None = None,
    ) -> list[Evaluation]:
        """One :class:`Evaluation` per configuration, in order.

        ``seed`` is one seed for all configurations or one per configuration.
        """
        wanted = check_mode(mode)
        items = self._keyed(configs, fidelity, seed)
        if wanted == "live":
            return self._live(items)
        if wanted == "cached":
            return self._cached(items, self.allow_live if allow_live is None else allow_live)
        return self._predict(items)

    def refit_surrogate(self) -> Surrogate:
        """Fit the surrogate on what the store holds now (surrogate mode fits once, lazily)."""
        rows = ok_with_configs(self.store, self.dataset, self.split, self.agent)
        self._surrogate = Surrogate(self.encoder).fit(rows)
        return self._surrogate

    # -- modes --------------------------------------------------------------------------------

    def _keyed(
        self, configs: Sequence[Mapping[str, Any]], fidelity: float, seed: Seeds
    ) -> list[tuple[dict[str, Any], EvaluationKey]]:
        value = check_fidelity(fidelity)
        seeds = [int(seed)] * len(configs) if isinstance(seed, int) else [int(s) for s in seed]
        if len(seeds) != len(configs):
            raise ValueError(f"got {len(seeds)} seeds for {len(configs)} configurations; pass "
                             "one seed, or one per configuration")
        out = []
        for config, one_seed in zip(configs, seeds, strict=True):
            # the trial gets the values as given (1.0 stays a float); the hash is canonical
            full = dict(self._normalise(config) if self._normalise is not None else config)
            key = EvaluationKey(self.dataset, self.split, self.agent, self._hash(full), value,
                                one_seed)
            out.append((full, key))
        return out

    def _hash(self, config: dict[str, Any]) -> str:
        """:func:`config_hash`, memoised for flat configs (the canonical JSON is the cost)."""
        try:  # the type keeps True apart from 1, which compare equal
            ident = tuple(sorted((k, type(v), v) for k, v in config.items()))
            digest = self._hashes.get(ident)
        except TypeError:  # an unhashable value (a list): no memo
            return config_hash(config)
        if digest is None:
            if len(self._hashes) >= _MEMO_LIMIT:
                self._hashes.clear()
            digest = self._hashes[ident] = config_hash(config)
        return digest

    def _live(self, items: list[tuple[dict[str, Any], EvaluationKey]]) -> list[Evaluation]:
        unique = {key: config for config, key in items}
        keys = list(unique)
        jobs = [Job(i, unique[k], k.fidelity, k.seed) for i, k in enumerate(keys)]
        done: dict[EvaluationKey, Evaluation] = {}
        bar = tqdm(total=len(jobs), desc="live", unit="eval", disable=not self.progress)
        try:
            for job, result in run_jobs(self.trial, jobs, self.context, workers=self.workers,
                                        executor=self.executor, objective=self.objective):
                key = keys[job.index]
                stored = self.store.record_evaluation(key, result, config=unique[key],
                                                      run_id=self.run_id,
                                                      on_conflict="replace_failed")
                done[key] = Evaluation(key, unique[key], stored.result, "live")
                self._remember(done[key])
                bar.update()
        finally:
            bar.close()
        return [done[key] for _, key in items]

    def _cached(
        self, items: list[tuple[dict[str, Any], EvaluationKey]], allow_live: bool
    ) -> list[Evaluation]:
        configs = {key: config for config, key in items}
        found = {key: self._memo[key] for key in configs if key in self._memo}
        rest = [key for key in configs if key not in found]
        if rest:
            for key, stored in fetch_many(self.store, rest).items():
                found[key] = Evaluation(key, configs[key], stored.result, "cached")
                self._remember(found[key])
        missing = [(c, k) for k, c in configs.items()
                   if k not in found or (allow_live and not found[k].ok)]
        if missing and not allow_live:
            raise CacheMissError(missing[0][1])
        if missing:
            found.update({e.key: e for e in self._live(missing)})
        return [found[key] for _, key in items]

    def _predict(self, items: list[tuple[dict[str, Any], EvaluationKey]]) -> list[Evaluation]:
        model = self._surrogate if self._surrogate is not None else self.refit_surrogate()
        if not items:
            return []
        fidelity = items[0][1].fidelity
        predictions = model.predict([config for config, _ in items], fidelity)
        return [Evaluation(key, config, result, "surrogate", std)
                for (config, key), (result, std) in zip(items, predictions, strict=True)]

    def _remember(self, evaluation: Evaluation) -> None:
        if evaluation.result.status is EvalStatus.OK:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[evaluation.key] = evaluation


def _trial_field(trial: Trial, name: str) -> str:
    value = getattr(trial, name, None)
    if not isinstance(value, str):
        raise ValueError(f"the trial has no str attribute {name!r}; pass "
                         f"{'split' if name == 'split_name' else name}= to the evaluator")
    return value


def evaluate(
    configs: Sequence[Mapping[str, Any]],
    fidelity: float = 1.0,
    seed: Seeds = 0,
    mode: str = "live",
    *,
    trial: Trial,
    store: KnowledgeStore | str | Path,
    agent: str = "pipeline",
    dataset: str | None = None,
    split: str | None = None,
    workers: int = 1,
    executor: str = "process",
    allow_live: bool = True,
    progress: bool = True,
    objective: str | None = None,
) -> list[Evaluation]:
    """One-shot form of :meth:`Evaluator.evaluate` (see :class:`Evaluator` for the arguments)."""
    with Evaluator(trial, store, agent=agent, dataset=dataset, split=split, workers=workers,
                   executor=executor, allow_live=allow_live, progress=progress,
                   objective=objective) as evaluator:
        return evaluator.evaluate(configs, fidelity, seed, mode)
