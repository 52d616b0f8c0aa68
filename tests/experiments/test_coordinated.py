"""Runs through the policies' coordinator: RL/LLM schedules, templates, determinism."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from experiments.config import compose_config
from experiments.coordinated import start_unlocked
from experiments.evolve import run

BASE = ["+experiment=smoke", "budget=40", "report=false", "proposer=heuristic", "policy=bandit"]


def test_heuristic_proposer_unlocks_templates(tmp_path: Path) -> None:
    result = run(compose_config([*BASE, "proposer.schedule=llm_only"]), tmp_path)
    assert result["steps"] == 40 and result["templates_proposed"] > 0
    frame = pd.read_parquet(tmp_path / "history.parquet")
    proposed = frame[frame["event"] == "template_proposed"]
    decided = frame[frame["event"].isin(["template_accepted", "template_rejected"])]
    assert len(decided) == len(proposed) and result["templates_accepted"] <= len(proposed)
    from agentic_env.store import KnowledgeStore

    with KnowledgeStore.open(tmp_path / "knowledge.sqlite", create=False) as store:
        assert len(store.templates()) == len(proposed)
        assert store.get_run(result["run_id"]).status == "finished"


def test_coordinated_runs_are_deterministic(tmp_path: Path) -> None:
    cfg = compose_config([*BASE, "proposer.schedule=rl_then_llm", "seed=5"])
    run(cfg, tmp_path / "a")
    run(cfg, tmp_path / "b")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "history.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "history.parquet"))


def test_maskable_ppo_runs_in_the_schedule(tmp_path: Path) -> None:
    result = run(compose_config(["+experiment=smoke", "budget=24", "report=false",
                                 "policy=maskable_ppo", "decomposition=monolithic"]), tmp_path)
    assert result["steps"] == 24 and result["agents"] == 1


def test_other_rl_algorithms_say_what_to_use(tmp_path: Path) -> None:
    with pytest.raises(NotImplementedError, match="maskable_ppo"):
        run(compose_config(["+experiment=smoke", "budget=8", "policy=dqn"]), tmp_path)


def test_start_unlocked_keeps_at_least_one_value() -> None:
    assert start_unlocked([2, 3, 1], 0.5) == [[0], [0, 1], [0]]
    assert start_unlocked([3], 1.0) == [[0, 1, 2]]
