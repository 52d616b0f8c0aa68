"""The PettingZoo co-evolution environment: API tests, seeding, a multi-agent loop."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import api_test, parallel_api_test
from pettingzoo.test.seed_test import parallel_seed_test

from agentic_env.envs import coevolution_v0
from agentic_env.evaluator.table import BenchmarkTable


@pytest.mark.parametrize("decomposition", ["agentic", "lifecycle", "merged", "monolithic"])
def test_pettingzoo_api(decomposition: str, table: BenchmarkTable) -> None:
    parallel_api_test(coevolution_v0.parallel_env(table=table, decomposition=decomposition,
                                                  horizon=12), num_cycles=40)
    api_test(coevolution_v0.env(table=table, decomposition=decomposition, horizon=12),
             num_cycles=40)
    parallel_seed_test(lambda: coevolution_v0.parallel_env(
        table=table, decomposition=decomposition, horizon=12), num_cycles=20)


def test_agents_and_spaces_follow_the_decomposition(table: BenchmarkTable) -> None:
    env = coevolution_v0.parallel_env(table=table)
    assert env.possible_agents == ["retrieval", "ranking", "fusion", "reranking", "router"]
    nvec = {a: env.action_space(a).nvec.tolist() for a in env.possible_agents}
    assert nvec == {"retrieval": [2], "ranking": [2, 2], "fusion": [2, 2], "reranking": [3],
                    "router": [2]}
    assert env.action_space("ranking") is env.action_space("ranking")  # memoised
    sizes = {env.observation_space(a).shape[0] for a in env.possible_agents}
    assert len(sizes) > 1  # heterogeneous observations (own knobs only)


def test_multi_agent_loop_with_per_agent_info(table: BenchmarkTable) -> None:
    env = coevolution_v0.parallel_env(table=table, horizon=30, scenario="stationary")
    obs, _ = env.reset(seed=1)
    changed_only_fusion = None
    steps = 0
    while env.agents:
        actions = {a: env.action_space(a).sample() for a in env.agents}
        if steps == 3:  # only fusion moves: only fusion pays the evaluation cost
            actions = {a: env.codecs[a].encode(env.core.indices) for a in env.agents}
            actions["fusion"] = (actions["fusion"] + 1) % env.action_space("fusion").nvec
        obs, rewards, terms, truncs, infos = env.step(actions)
        if steps == 3:
            changed_only_fusion = infos
        for a in rewards:
            assert env.observation_space(a).contains(obs[a])
            assert set(infos[a]) >= {"inner", "outer", "cost", "reward", "code", "regret"}
            assert rewards[a] == infos[a]["reward"]
        steps += 1
    assert steps <= 30 and (all(terms.values()) or all(truncs.values()))
    assert changed_only_fusion is not None
    costs = {a: i["cost"] for a, i in changed_only_fusion.items()}
    assert costs["fusion"] > 0 and all(c == 0 for a, c in costs.items() if a != "fusion")


def test_difference_rewards_credit_only_the_changer(table: BenchmarkTable) -> None:
    env = coevolution_v0.parallel_env(table=table, difference=True, scenario="stationary")
    env.reset(seed=0)
    actions = {a: env.codecs[a].encode(env.core.indices) for a in env.agents}
    actions["reranking"] = np.array([2])
    _, _, _, _, infos = env.step(actions)
    assert infos["reranking"]["outer"] != 0.0
    assert all(infos[a]["outer"] == 0.0 for a in infos if a != "reranking")


def test_missing_actions_are_an_error(table: BenchmarkTable) -> None:
    env = coevolution_v0.parallel_env(table=table)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="no action for agents"):
        env.step({"ranking": np.array([0, 0])})


def test_auto_perf_chooses_the_traffic_share(table: BenchmarkTable) -> None:
    env = coevolution_v0.parallel_env(table=table, decomposition="lifecycle",
                                      traffic_choices=(0.05, 0.3))
    assert env.action_space("auto_perf").nvec.tolist() == [2, 2]
    parallel_api_test(env, num_cycles=10)
    env.reset(seed=0)
    actions = {a: env.action_space(a).sample() for a in env.agents}
    actions["auto_perf"][-1] = 1
    _, _, _, _, infos = env.step(actions)
    assert all(i["traffic"] == 0.3 for i in infos.values())
    with pytest.raises(ValueError, match="traffic_agent"):
        coevolution_v0.parallel_env(table=table, traffic_choices=(0.1,))
