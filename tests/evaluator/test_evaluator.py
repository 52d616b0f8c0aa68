"""Live, cached and surrogate modes: keys, recording, failures, parallel engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentic_env.evaluator import (
    CacheMissError,
    Evaluator,
    SurrogateError,
    evaluate,
)
from agentic_env.store import EvalStatus, KnowledgeStore, config_hash
from tests.evaluator.synthetic import SyntheticTrial, truth

CONFIGS: list[dict[str, Any]] = [{"a": a, "b": b} for a in (0.1, 0.5, 0.9) for b in ("x", "y")]


def make(store: KnowledgeStore, trial: SyntheticTrial | None = None, **kwargs: Any) -> Evaluator:
    return Evaluator(trial or SyntheticTrial(), store, dataset="toy", split="all",
                     progress=False, **kwargs)


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_live_mode_measures_records_and_keys_each_config(sqlite_store: KnowledgeStore) -> None:
    evaluator = make(sqlite_store, objective="recall")
    out = evaluator.evaluate(CONFIGS, fidelity=0.5, seed=3, mode="live")
    assert [e.config for e in out] == CONFIGS and {e.source for e in out} == {"live"}
    for config, e in zip(CONFIGS, out, strict=True):
        assert e.ok and e.inner["recall"] == pytest.approx(truth(config, 0.5, 3))
        assert (e.key.dataset, e.key.split, e.key.agent) == ("toy", "all", "pipeline")
        assert (e.key.fidelity, e.key.seed) == (0.5, 3)
        stored = sqlite_store.get_evaluation(e.key)
        assert stored is not None and stored.result == e.result
        assert stored.result.objective == pytest.approx(e.inner["recall"])
    assert len({e.key.config_hash for e in out}) == len(CONFIGS)


def test_duplicates_in_a_batch_run_once(sqlite_store: KnowledgeStore, tmp_path: Path) -> None:
    log = tmp_path / "calls.txt"
    out = make(sqlite_store, SyntheticTrial(call_log=str(log))).evaluate(
        [CONFIGS[0], CONFIGS[1], CONFIGS[0]], seed=[1, 1, 1])
    assert len(calls(log)) == 2 and out[0].result == out[2].result


def test_cached_mode_reads_the_store_and_live_fills_misses(sqlite_store: KnowledgeStore,
                                                          tmp_path: Path) -> None:
    log = tmp_path / "calls.txt"
    evaluator = make(sqlite_store, SyntheticTrial(call_log=str(log)))
    live = evaluator.evaluate(CONFIGS[:4], seed=0)
    fresh = make(sqlite_store, SyntheticTrial(call_log=str(log)))  # no in-memory memo
    cached = fresh.evaluate(CONFIGS[:4], seed=0, mode="cached", allow_live=False)
    assert [e.result for e in cached] == [e.result for e in live]
    assert {e.source for e in cached} == {"cached"} and len(calls(log)) == 4
    mixed = fresh.evaluate(CONFIGS, seed=0, mode="cached")  # allow_live defaults to True
    assert [e.source for e in mixed] == ["cached"] * 4 + ["live"] * 2
    assert len(calls(log)) == 6


def test_cached_miss_names_the_key(sqlite_store: KnowledgeStore) -> None:
    evaluator = make(sqlite_store, allow_live=False)
    key = evaluator.key(CONFIGS[2], 1.0, 7)
    with pytest.raises(CacheMissError, match=key.config_hash) as caught:
        evaluator.evaluate([CONFIGS[2]], seed=7, mode="cached")
    assert caught.value.key == key and "seed=7" in str(caught.value)


def test_a_failed_trial_is_stored_and_the_batch_goes_on(sqlite_store: KnowledgeStore) -> None:
    bad = SyntheticTrial(fail_knob="b", fail_value="y")
    out = make(sqlite_store, bad).evaluate(CONFIGS, seed=0)
    assert [e.ok for e in out] == [b == "x" for b in (c["b"] for c in CONFIGS)]
    failed = sqlite_store.get_evaluation(out[1].key)
    assert failed is not None and failed.result.status is EvalStatus.FAILED
    assert failed.result.error is not None and "synthetic failure at b='y'" in failed.result.error
    # a later cached request retries the failure live and replaces the failed row
    again = make(sqlite_store).evaluate([CONFIGS[1]], seed=0, mode="cached")
    assert again[0].ok and again[0].source == "live"
    stored = sqlite_store.get_evaluation(out[1].key)
    assert stored is not None and stored.result.status is EvalStatus.OK
    # without fall-through the stored failure is returned as the record it is
    assert not make(sqlite_store).evaluate([CONFIGS[3]], seed=0, mode="cached",
                                           allow_live=False)[0].ok


@pytest.mark.parametrize("executor", ["process", "ray"])
def test_parallel_engines_match_serial(tmp_path: Path, executor: str) -> None:
    serial = evaluate(CONFIGS, 1.0, 2, trial=SyntheticTrial(), store=tmp_path / "a.sqlite",
                      dataset="toy", split="all", progress=False)
    try:
        parallel = evaluate(CONFIGS, 1.0, 2, trial=SyntheticTrial(fail_knob="a", fail_value=0.9),
                            store=tmp_path / "b.sqlite", dataset="toy", split="all",
                            workers=2, executor=executor, progress=False)
    finally:
        if executor == "ray":
            import ray

            ray.shutdown()
    for one, other in zip(serial, parallel, strict=True):
        assert one.key == other.key
        if other.config["a"] == 0.9:
            assert not other.ok and "synthetic failure" in (other.result.error or "")
        else:
            assert other.inner == one.inner and other.outer == one.outer
    with KnowledgeStore.open(tmp_path / "b.sqlite") as store:
        assert len(store.evaluations()) == len(CONFIGS)


def test_surrogate_predicts_unseen_configs_with_uncertainty(sqlite_store: KnowledgeStore
                                                            ) -> None:
    train = [{"a": a / 20, "b": b} for a in range(0, 21, 2) for b in ("x", "y")]
    evaluator = make(sqlite_store)
    evaluator.evaluate(train, seed=0)
    unseen = [{"a": a / 20 + 0.05, "b": b} for a in range(0, 20, 4) for b in ("x", "y")]
    out = evaluator.evaluate(unseen, seed=0, mode="surrogate")
    for config, e in zip(unseen, out, strict=True):
        assert e.source == "surrogate" and set(e.inner) == {"recall", "ranking.auc"}
        assert e.inner["recall"] == pytest.approx(truth(config, 1.0, 0), abs=0.02)
        assert 0 < e.std["inner.recall"] < 0.05 and "cost_seconds" in e.std
    far = evaluator.evaluate([{"a": 3.0, "b": "z"}], seed=0, mode="surrogate")[0]
    assert far.std["inner.recall"] > 1.5 * max(e.std["inner.recall"] for e in out)


def test_surrogate_needs_stored_evaluations(sqlite_store: KnowledgeStore) -> None:
    with pytest.raises(SurrogateError, match="found 0"):
        make(sqlite_store).evaluate(CONFIGS, mode="surrogate")


def test_bad_arguments_are_named(sqlite_store: KnowledgeStore) -> None:
    evaluator = make(sqlite_store)
    with pytest.raises(ValueError, match="mode='table'"):
        evaluator.evaluate(CONFIGS, mode="table")
    with pytest.raises(ValueError, match="fidelity"):
        evaluator.evaluate(CONFIGS, fidelity=0.0)
    with pytest.raises(ValueError, match="2 seeds for 6"):
        evaluator.evaluate(CONFIGS, seed=[0, 1])
    with pytest.raises(ValueError, match="executor='dask'"):
        make(sqlite_store, executor="dask").evaluate(CONFIGS)
    with pytest.raises(ValueError, match="pass dataset="):
        Evaluator(SyntheticTrial(), sqlite_store)


class Normalising(SyntheticTrial):
    def normalise(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"a": 0.5, "b": "x", **config}


def test_a_trial_normalises_configs_before_keying(sqlite_store: KnowledgeStore) -> None:
    evaluator = make(sqlite_store, Normalising())
    assert evaluator.key({}, 1.0, 0) == evaluator.key({"a": 0.5, "b": "x"}, 1.0, 0)
    assert evaluator.evaluate([{}])[0].config == {"a": 0.5, "b": "x"}


def test_keys_follow_the_canonical_hash(sqlite_store: KnowledgeStore) -> None:
    evaluator = make(sqlite_store)
    for _ in range(2):  # the second round reads the evaluator's hash memo
        assert evaluator.key({"x": True}, 1.0, 0) != evaluator.key({"x": 1}, 1.0, 0)
        assert evaluator.key({"x": 1.0}, 1.0, 0) == evaluator.key({"x": 1}, 1.0, 0)
        assert evaluator.key({"x": [1, 2]}, 1.0, 0).config_hash == config_hash({"x": [1, 2]})
