"""Configurations and evaluations on both backends: round trips, idempotency, best-of queries."""

from __future__ import annotations

import pytest

from agentic_env.store import (
    EvalStatus,
    EvaluationKey,
    EvaluationResult,
    KnowledgeStore,
    UnknownRecordError,
)

CONFIG = {"model": "bpr", "dim": 64, "lr": 1e-3}


def key_of(
    config: dict, seed: int = 0, agent: str = "ranker", fidelity: float = 1.0
) -> EvaluationKey:
    return EvaluationKey.for_config("ml-small", "temporal", agent, config, fidelity, seed)


def result(objective: float, **extra: object) -> EvaluationResult:
    return EvaluationResult(
        inner={"ndcg": objective},
        outer={"clicks": 10 * objective},
        segments={"heavy": {"ndcg": objective / 2}},
        objective=objective,
        cost_seconds=3.5,
        wall_seconds=4.0,
        **extra,  # type: ignore[arg-type]
    )


def test_config_round_trip_is_canonical(store: KnowledgeStore) -> None:
    digest = store.put_config({"lr": 1e-3, "dim": 64.0})
    assert store.put_config({"dim": 64, "lr": 0.001}) == digest
    assert store.get_config(digest) == {"dim": 64, "lr": 0.001}
    with pytest.raises(UnknownRecordError, match="0" * 64):
        store.get_config("0" * 64)


def test_evaluation_round_trip(store: KnowledgeStore) -> None:
    key = key_of(CONFIG)
    assert store.get_evaluation(key) is None
    stored = store.record_evaluation(key, result(0.25), config=CONFIG)
    fetched = store.get_evaluation(key)
    assert fetched == stored
    assert fetched.key == key
    assert fetched.result == result(0.25)
    assert fetched.created_at.tzinfo is not None


def test_existing_key_is_kept_by_default(store: KnowledgeStore) -> None:
    key = key_of(CONFIG)
    first = store.record_evaluation(key, result(0.25), config=CONFIG)
    again = store.record_evaluation(key, result(0.99), config=CONFIG)
    assert again == first
    assert len(store.evaluations()) == 1


def test_replace_policies(store: KnowledgeStore) -> None:
    key = key_of(CONFIG)
    failed = EvaluationResult(status=EvalStatus.FAILED, error="diverged", cost_seconds=1.0)
    store.record_evaluation(key, failed, config=CONFIG)
    retried = store.record_evaluation(key, result(0.3), on_conflict="replace_failed")
    assert retried.result.objective == 0.3
    kept = store.record_evaluation(key, result(0.4), on_conflict="replace_failed")
    assert kept.result.objective == 0.3  # an ok row is not replaced by replace_failed
    replaced = store.record_evaluation(key, result(0.5), on_conflict="replace")
    assert replaced.result.objective == 0.5
    assert replaced.id == retried.id
    assert len(store.evaluations()) == 1
    with pytest.raises(ValueError, match="on_conflict='merge'"):
        store.record_evaluation(key, result(0.5), on_conflict="merge")  # type: ignore[arg-type]


def test_evaluation_needs_its_configuration(store: KnowledgeStore) -> None:
    key = key_of(CONFIG)
    with pytest.raises(UnknownRecordError, match=key.config_hash):
        store.record_evaluation(key, result(0.1))
    with pytest.raises(ValueError, match="hashes to"):
        store.record_evaluation(key, result(0.1), config={"model": "other"})
    assert len(store.evaluations()) == 0


def test_key_fields_each_distinguish(store: KnowledgeStore) -> None:
    store.put_config(CONFIG)
    base = key_of(CONFIG)
    variants = [
        base,
        key_of(CONFIG, seed=1),
        key_of(CONFIG, agent="retriever"),
        key_of(CONFIG, fidelity=0.5),
        EvaluationKey("ml-100k", "temporal", "ranker", base.config_hash, 1.0, 0),
        EvaluationKey("ml-small", "random", "ranker", base.config_hash, 1.0, 0),
    ]
    for i, key in enumerate(variants):
        store.record_evaluation(key, result(i / 10))
    assert len(store.evaluations()) == len(variants)
    half = store.get_evaluation(key_of(CONFIG, fidelity=0.5))
    assert half is not None and half.result.objective == 0.3


def test_result_validation_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="inner\\['ndcg'\\]"):
        EvaluationResult(inner={"ndcg": float("nan")})
    with pytest.raises(ValueError, match="cost_seconds"):
        EvaluationResult(cost_seconds=-1)
    with pytest.raises(ValueError, match="sha256"):
        EvaluationKey("d", "s", "a", "not-a-hash", 1.0, 0)


def test_evaluations_frame_flattens_metrics(store: KnowledgeStore) -> None:
    store.record_evaluation(key_of(CONFIG), result(0.2), config=CONFIG)
    store.record_evaluation(key_of(CONFIG, agent="retriever"), result(0.4))
    frame = store.evaluations(agent="ranker")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["inner.ndcg"] == 0.2
    assert row["outer.clicks"] == 2.0
    assert row["segment.heavy.ndcg"] == 0.1
    assert row["cost_seconds"] == 3.5


def _fill_for_best(store: KnowledgeStore) -> list[dict]:
    configs = [{"dim": d} for d in (8, 16, 32)]
    objectives = {8: (0.1, 0.3), 16: (0.5, 0.5), 32: (0.9, 0.0)}  # means 0.2, 0.5, 0.45
    for config in configs:
        for seed, value in enumerate(objectives[config["dim"]]):
            store.record_evaluation(key_of(config, seed), result(value), config=config)
    failed = EvaluationResult(status=EvalStatus.FAILED, objective=99.0)
    store.record_evaluation(key_of({"dim": 64}), failed, config={"dim": 64})
    return configs


def test_best_configs_average_over_seeds_and_skip_failures(store: KnowledgeStore) -> None:
    _fill_for_best(store)
    best = store.best_configs("ranker", "objective", top=2)
    assert [b.config for b in best] == [{"dim": 16}, {"dim": 32}]
    assert best[0].value == pytest.approx(0.5)
    assert best[0].n_evaluations == 2
    worst = store.best_configs("ranker", "objective", top=1, maximize=False)
    assert worst[0].config == {"dim": 8}
    assert store.best_configs("retriever") == []


@pytest.mark.parametrize(
    ("metric", "expected"),
    [("inner.ndcg", 0.5), ("outer.clicks", 5.0), ("segment.heavy.ndcg", 0.25), ("clicks", 5.0)],
)
def test_best_configs_by_json_metric(store: KnowledgeStore, metric: str, expected: float) -> None:
    _fill_for_best(store)
    best = store.best_configs("ranker", metric, top=1)
    assert best[0].config == {"dim": 16}
    assert best[0].value == pytest.approx(expected)


def test_best_configs_filters_and_bad_metric(store: KnowledgeStore) -> None:
    _fill_for_best(store)
    assert store.best_configs("ranker", dataset="ml-100k") == []
    assert len(store.best_configs("ranker", fidelity=1.0, top=10)) == 3
    with pytest.raises(ValueError, match=r"'inner\.'"):
        store.best_configs("ranker", "inner.")
    with pytest.raises(ValueError, match="top must be"):
        store.best_configs("ranker", top=0)


def test_fidelity_is_normalised_like_configuration_floats(store: KnowledgeStore) -> None:
    stored = store.record_evaluation(key_of(CONFIG, fidelity=0.1 + 0.2), result(0.1), config=CONFIG)
    assert stored.key.fidelity == 0.3
    assert store.get_evaluation(key_of(CONFIG, fidelity=0.3)) == stored
    with pytest.raises(ValueError, match="fidelity: nan"):
        key_of(CONFIG, fidelity=float("nan"))
