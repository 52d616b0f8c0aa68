"""The environments' parts: decompositions, codecs, rewards, the A/B stage, backends."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from agentic_env.envs.backends import TableBackend
from agentic_env.envs.codec import ActionError, BoxCodec, GridCodec
from agentic_env.envs.decompositions import decompose
from agentic_env.envs.deployment import ABConfig, decide, welch_p_values
from agentic_env.envs.rewards import Normaliser, RewardWeights, default_weights, resolve_weights
from agentic_env.evaluator.table import BenchmarkTable
from agents.space import Categorical, DecisionSpace, Float, Integer


def test_decompositions_assign_every_knob_once(table: BenchmarkTable) -> None:
    knobs = table.grid.knobs
    expected = {
        "agentic": {"retrieval": (0,), "ranking": (1, 2), "fusion": (3, 4), "reranking": (5,),
                    "router": (6,)},
        "lifecycle": {"auto_train": (0, 1, 3, 5, 6), "auto_feature": (2,), "auto_perf": (4,)},
        "merged": {"recall": (0, 3, 4), "ranking": (1, 2, 5), "router": (6,)},
        "monolithic": {"pipeline": tuple(range(7))},
    }
    for kind, units in expected.items():
        dec = decompose(knobs, kind)
        assert dec.units == units
        assert sorted(p for ps in dec.units.values() for p in ps) == list(range(len(knobs)))
    assert decompose(knobs, "merged").components["recall"] == ("retrieval", "fusion")
    with pytest.raises(ValueError, match="valid: "):
        decompose(knobs, "tiny")


def test_grid_codec_masks_conditional_children_of_fixed_parents() -> None:
    # knob 0 is the parent (outside the codec); knob 1 is active only when knob 0 is index 1
    codec = GridCodec([2, 3, 2], [1, 2], ["arch", "arch.depth", "other"],
                      conditions={1: (0, frozenset({1}))}, reserved=1)
    current = np.array([0, 2, 0])
    assert codec.action_masks(current).tolist() == [False, False, True, False, True, True,
                                                    False]
    with pytest.raises(ActionError, match="masked"):
        codec.decode(np.array([0, 1]), current)
    active = np.array([1, 2, 0])
    out, n = codec.decode(np.array([0, 1]), active)
    assert out.tolist() == [1, 0, 1] and n == 0
    keep = GridCodec([2, 3, 2], [1, 2], ["a", "b", "c"], reserved=1, on_masked="keep")
    out, n = keep.decode(np.array([3, 2]), active)  # 3 is an unfilled slot of knob b
    assert out.tolist() == [1, 2, 0] and n == 2


def test_box_codec_round_trips_clips_and_drops_inactive_knobs() -> None:
    space = DecisionSpace([
        Categorical("model", ("mf", "knn"), reserved_slots=2),
        Integer("mf.dim", 8, 256, log=True, condition=("model", ["mf"])),
        Float("lr", 1e-4, 1e-1, log=True),
    ])
    codec = BoxCodec(space)
    config = {"model": "mf", "mf.dim": 64, "lr": 0.01}
    decoded, n = codec.decode(codec.encode(config), space.default())
    assert n == 0 and decoded["model"] == "mf" and decoded["mf.dim"] == 64
    assert decoded["lr"] == pytest.approx(0.01)
    clipped, _ = codec.decode(np.array([-5.0, 9.0, 9.0]), space.default())
    assert clipped["mf.dim"] == 256 and clipped["lr"] == pytest.approx(0.1)
    knn, _ = codec.decode(np.array([-0.4, 0.0, 0.0]), space.default())  # second bin: knn
    assert knn["model"] == "knn" and "mf.dim" not in knn
    with pytest.raises(ActionError, match="unfilled template slot"):
        codec.decode(np.array([0.9, 0.0, 0.0]), space.default())
    with pytest.raises(ActionError, match="no NaN"):
        codec.decode(np.array([np.nan, 0.0, 0.0]), space.default())
    space.fill_slot("model", "sasrec")  # the slot opens: the same action now decodes
    opened, _ = codec.decode(np.array([0.2, 0.0, 0.0]), space.default())
    assert opened["model"] == "sasrec"


def test_reward_defaults_follow_roles() -> None:
    assert default_weights("retrieval").inner > default_weights("retrieval").outer
    assert default_weights("reranking").outer > default_weights("reranking").inner
    assert default_weights("router").outer > default_weights("router").inner
    merged = default_weights("recall", ("retrieval", "fusion"))
    assert merged.inner == pytest.approx((0.8 + 0.3) / 2)
    weights = resolve_weights({"ranking": ("ranking",)}, {"ranking": {"inner": 1.0, "outer": 0}})
    assert weights["ranking"] == RewardWeights(1.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="unknown agents"):
        resolve_weights({"ranking": ("ranking",)}, {"gate": RewardWeights()})
    norm = Normaliser.from_values(np.array([[0.0, 5.0], [10.0, 5.0]]))
    assert norm(np.array([5.0, 5.0])).tolist() == [0.5, 0.5]


def test_welch_matches_scipy_and_decides() -> None:
    rng = np.random.default_rng(0)
    treat, control = rng.normal(1.0, 1.0, 4), rng.normal(0.0, 1.5, 9)
    p_better, p_worse = welch_p_values(treat.tolist(), control.tolist())
    ref = stats.ttest_ind(treat, control, equal_var=False, alternative="greater").pvalue
    assert p_better == pytest.approx(ref) and p_worse == pytest.approx(1 - ref)
    config = ABConfig(traffic=0.25, n_batches=8, alpha=0.05)
    assert config.arms == (2, 6)
    better = decide([2.0, 2.1], [1.0, 1.1, 0.9, 1.0, 1.05, 0.95], config)
    assert better.rollout and not better.risk_event
    worse = decide([0.0, 0.1], [1.0, 1.1, 0.9, 1.0, 1.05, 0.95], config)
    assert not worse.rollout and worse.risk_event
    assert worse.experienced == pytest.approx(0.25 * 0.05 + 0.75 * 1.0)
    with pytest.raises(ValueError, match="traffic"):
        ABConfig(traffic=1.5)


def test_table_backend_draws_stored_repeats_only(table: BenchmarkTable) -> None:
    partial = BenchmarkTable(table.grid, table.scenarios, table.n_phases, table.inner_names,
                             table.outer_names, table.inner, table.outer, table.cost,
                             table.filled.copy())
    partial.filled[5, 1:] = False
    partial.filled[7, :] = False
    backend = TableBackend(partial)
    rng = np.random.default_rng(0)
    draws = backend.sample(np.full(50, 5), 0, 1, rng)
    np.testing.assert_array_equal(draws.outer, np.repeat(table.outer[5:6, 0, 1, 0], 50, axis=0))
    expected = backend.expected(np.array([3]), 0, 1).outer[0]
    np.testing.assert_allclose(expected, table.outer[3, 0, 1].mean(axis=0), rtol=1e-5)
    with pytest.raises(ValueError, match="no evaluation of codes"):
        backend.sample(np.array([7]), 0, 0, rng)


def test_normaliser_ignores_missing_values_per_metric() -> None:
    values = np.array([[0.0, np.nan, np.nan], [4.0, 2.0, np.nan], [2.0, 6.0, np.nan]])
    norm = Normaliser.from_values(values)
    assert norm.low.tolist() == [0.0, 2.0, 0.0] and norm.high.tolist() == [4.0, 6.0, 1.0]


def test_nan_objective_in_a_filled_cell_is_an_error(table: BenchmarkTable) -> None:
    import gymnasium as gym

    import agentic_env  # noqa: F401

    broken = BenchmarkTable(table.grid, table.scenarios, table.n_phases, table.inner_names,
                            table.outer_names, table.inner, table.outer.copy(), table.cost,
                            table.filled)
    broken.outer[3, 0, 0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="without a finite 'reward'"):
        gym.make("AgenticRS/PipelineEvolution-v0", table=broken)


def test_inner_mix_skips_metrics_a_configuration_lacks() -> None:
    from agentic_env.envs.scales import InnerMix

    names = ("recall", "ndcg", "ranking.auc", "ranking.gate_load_balance")
    mix = InnerMix([["ranking"], ["retrieval"]], names)
    x = np.array([[0.2, 0.4, 0.6, np.nan],     # no MMoE: the gate metric is missing
                  [0.2, 0.4, np.nan, np.nan]])  # no ranked segment: fall back to ndcg
    np.testing.assert_allclose(mix(x), [[0.6, 0.2], [0.4, 0.2]])
