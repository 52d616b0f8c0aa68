"""Runs, templates, negative cases, rewards, scenario events and a run's history."""

from __future__ import annotations

import json

import pytest

from agentic_env.store import (
    EvaluationKey,
    EvaluationResult,
    KnowledgeStore,
    TemplateStatus,
    TransitionError,
    UnknownRecordError,
    config_hash,
)

SPEC = {"block": "gated_attention", "gate": "sigmoid", "per_head": True}


def test_run_records_provenance(store: KnowledgeStore) -> None:
    run = store.start_run(
        "ablation", seed=7, config={"lr": 0.1}, git_revision="abc", package_versions={"x": "1"}
    )
    info = store.get_run(run)
    assert (info.experiment, info.seed, info.git_revision) == ("ablation", 7, "abc")
    assert info.package_versions == {"x": "1"} and info.config == {"lr": 0.1}
    assert info.status == "running" and info.finished_at is None
    store.finish_run(run, "failed")
    assert store.get_run(run).status == "failed"
    assert store.start_experiment("ablation") == store.start_experiment("ablation")


def test_run_detects_package_versions(store: KnowledgeStore) -> None:
    info = store.get_run(store.start_run("auto", seed=0))
    assert "SQLAlchemy" in info.package_versions
    with pytest.raises(UnknownRecordError, match="no run with id 999"):
        store.get_run(999)


def test_template_life_cycle(store: KnowledgeStore) -> None:
    proposed = store.record_template("ranker", "attention", "gated", SPEC, proposer="llm")
    assert proposed.status is TemplateStatus.PROPOSED
    same = store.record_template("ranker", "attention", "gated-again", dict(reversed(SPEC.items())))
    assert same.id == proposed.id  # the same spec is stored once
    for status in ("validated", "evaluated", "accepted"):
        record = store.update_template_status(proposed.id, status)
        assert record.status == status
    with pytest.raises(TransitionError, match=r"'accepted'.*final status"):
        store.update_template_status(proposed.id, "rejected", "late")
    assert [t.id for t in store.templates(agent="ranker", status="accepted")] == [proposed.id]


def test_template_rejection_needs_reason_and_keeps_it(store: KnowledgeStore) -> None:
    tid = store.record_template("ranker", "loss", "focal", {"loss": "focal"}).id
    with pytest.raises(TransitionError, match="cannot become 'accepted'"):
        store.update_template_status(tid, "accepted")
    with pytest.raises(ValueError, match="needs a reason"):
        store.update_template_status(tid, "rejected")
    rejected = store.update_template_status(tid, "rejected", "NDCG fell by 3%")
    assert (rejected.status, rejected.reason) == (TemplateStatus.REJECTED, "NDCG fell by 3%")
    assert store.templates(status="proposed") == []
    with pytest.raises(UnknownRecordError):
        store.update_template_status(12345, "validated")


def test_negative_cases_are_queryable(store: KnowledgeStore) -> None:
    bad = {"lr": 10.0}
    digest = config_hash(bad)
    tid = store.record_template("ranker", "loss", "weird", {"loss": "weird"}).id
    store.record_negative_case("ranker", "diverged", config_hash=digest, details={"epoch": 2})
    store.record_negative_case("ranker", "template lost to baseline", template_id=tid)
    store.record_negative_case("retriever", "recall collapsed")
    cases = store.negative_cases(agent="ranker")
    assert [c.reason for c in cases] == ["template lost to baseline", "diverged"]
    assert cases[1].details == {"epoch": 2} and cases[0].template_id == tid
    assert store.is_negative("ranker", digest)
    assert not store.is_negative("retriever", digest)
    assert len(store.negative_cases(limit=1)) == 1
    with pytest.raises(ValueError, match="needs a reason"):
        store.record_negative_case("ranker", "")


def test_history_lists_everything_a_run_recorded(store: KnowledgeStore) -> None:
    run = store.start_run("exp", seed=1, git_revision="r", package_versions={})
    other = store.start_run("exp", seed=2, git_revision="r", package_versions={})
    config = {"dim": 8}
    key = EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 1)
    store.record_evaluation(key, EvaluationResult(objective=0.4), config=config, run_id=run)
    store.record_scenario_event(run, 10, "drift", "user_mix_shift", {"heavy": 0.6})
    store.record_reward(run, 11, "ranker", inner=0.2, outer=0.1, reward=0.15, credit={"w": 0.5})
    store.record_template("ranker", "loss", "focal", {"loss": "focal"}, run_id=run)
    store.record_negative_case("ranker", "worse", run_id=run)
    store.record_reward(other, 1, "ranker", inner=0, outer=0, reward=0)
    history = store.run_history(run)
    assert list(history["kind"]) == [
        "evaluation", "scenario_event", "reward", "template", "negative_case",
    ]  # fmt: skip
    assert history["step"].tolist()[1:3] == [10, 11]
    assert json.loads(history["detail"].iloc[2]) == {"inner": 0.2, "outer": 0.1, "reward": 0.15}
    assert len(store.run_history(other)) == 1
    with pytest.raises(UnknownRecordError):
        store.run_history(999)


def test_run_signals_validate(store: KnowledgeStore) -> None:
    with pytest.raises(UnknownRecordError, match="no run with id 5"):
        store.record_reward(5, 0, "ranker", inner=0, outer=0, reward=0)
    run = store.start_run("exp", seed=0, git_revision="r", package_versions={})
    with pytest.raises(ValueError, match="outer reward = nan"):
        store.record_reward(run, 0, "ranker", inner=0, outer=float("nan"), reward=0)
    with pytest.raises(UnknownRecordError, match="no run with id 6"):
        store.record_scenario_event(6, 0, "drift", "shift")


def test_unknown_run_ids_are_named(store: KnowledgeStore) -> None:
    config = {"dim": 8}
    key = EvaluationKey.for_config("ml", "temporal", "ranker", config, 1.0, 0)
    with pytest.raises(UnknownRecordError, match="no run with id 77"):
        store.record_evaluation(key, EvaluationResult(), config=config, run_id=77)
    with pytest.raises(UnknownRecordError, match="no run with id 78"):
        store.record_template("ranker", "loss", "x", {"loss": "x"}, run_id=78)
    with pytest.raises(UnknownRecordError, match="no run with id 79"):
        store.record_negative_case("ranker", "bad", run_id=79)
    assert store.get_evaluation(key) is None
