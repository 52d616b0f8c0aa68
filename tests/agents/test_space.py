"""Decision spaces: defaults, validation messages, conditions, slots, sampling, ConfigSpace."""

from __future__ import annotations

import numpy as np
import pytest
from ConfigSpace import CategoricalHyperparameter, UniformIntegerHyperparameter

from agents.space import Boolean, Categorical, DecisionSpace, Float, Integer


def space() -> DecisionSpace:
    return DecisionSpace([
        Categorical("model", ("pop", "mf"), reserved_slots=2, roles=("model",), owner="r"),
        Integer("mf.dim", 8, 128, log=True, default=32, condition=("model", {"mf"})),
        Float("mf.lr", 1e-4, 1e-1, log=True, condition=("model", {"mf"}), roles=("training",)),
        Integer("size", 10, 100),
        Boolean("feature.genres", default=False, roles=("feature",)),
    ])


def test_default_holds_only_active_knobs() -> None:
    assert space().default() == {"model": "pop", "size": 55, "feature.genres": False}


def test_validate_fills_defaults_of_active_knobs() -> None:
    config = space().validate({"model": "mf", "mf.dim": 16})
    assert config["mf.dim"] == 16 and config["mf.lr"] == pytest.approx(10 ** -2.5)
    assert space().active({"model": "mf"}) == {"model", "mf.dim", "mf.lr", "size",
                                               "feature.genres"}


@pytest.mark.parametrize(("config", "message"), [
    ({"model": "svd"}, r"model='svd' is not a valid choice; valid values: \['pop', 'mf'\]"),
    ({"model": "mf", "mf.dim": 1000}, r"out of range; valid values: \[8, 128\] \(log scale\)"),
    ({"size": 3.5}, r"must be an integer in \[10, 100\]"),
    ({"mf.lr": 0.01}, r"'mf.lr' is inactive: it applies only when 'model' is in \['mf'\]"),
    ({"sizes": 10}, r"unknown knobs \['sizes'\]; valid knobs: \['model'"),
    ({"feature.genres": 1}, r"valid values: \[False, True\]"),
])
def test_bad_configs_name_the_valid_values(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        space().validate(config)


def test_conditions_must_name_an_earlier_categorical_and_its_choices() -> None:
    with pytest.raises(ValueError, match="declared before it"):
        DecisionSpace([Integer("dim", 1, 4, condition=("model", {"mf"}))])
    with pytest.raises(ValueError, match=r"not choices of 'model'"):
        DecisionSpace([Categorical("model", ("a",)), Integer("d", 1, 4, condition=("model",
                                                                                   {"b"}))])


def test_knob_definitions_are_checked() -> None:
    with pytest.raises(ValueError, match="log-scale range must be positive"):
        Float("lr", 0.0, 1.0, log=True)
    with pytest.raises(ValueError, match="distinct choices"):
        Categorical("c", ("a", "a"))
    with pytest.raises(ValueError, match="duplicate knob name"):
        DecisionSpace([Integer("a", 1, 2), Integer("a", 1, 3)])


def test_reserved_slots_are_masked_until_filled() -> None:
    s = space()
    model = s["model"]
    assert isinstance(model, Categorical)
    assert model.n_options == 4 and model.mask().tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="is masked"):
        model.option(2)
    with pytest.raises(ValueError, match="valid values"):
        s.validate({"model": "gated_mf"})
    assert s.fill_slot("model", "gated_mf") == 2
    assert model.mask().tolist() == [True, True, True, False] and model.option(2) == "gated_mf"
    assert s.validate({"model": "gated_mf"})["model"] == "gated_mf"
    s.fill_slot("model", "other")
    with pytest.raises(ValueError, match="no empty slot left"):
        s.fill_slot("model", "third")
    with pytest.raises(ValueError, match="only categoricals have slots"):
        s.fill_slot("size", "x")


def test_sampling_is_valid_and_seeded() -> None:
    s = space()
    draws = [s.sample(np.random.default_rng(i)) for i in range(50)]
    for config in draws:
        assert s.validate(config) == config
    assert {c["model"] for c in draws} == {"pop", "mf"}
    assert s.sample(np.random.default_rng(3)) == s.sample(np.random.default_rng(3))


def test_merge_prefixes_names_conditions_and_owner_and_shares_slots() -> None:
    inner = space()
    merged = DecisionSpace.merge({"recall_0": inner})
    config = merged.validate({"recall_0.model": "mf"})
    assert "recall_0.mf.dim" in config
    assert all(k.owner == "recall_0" for k in merged)
    assert merged.select(role="training") == ["recall_0.mf.lr"]
    merged.fill_slot("recall_0.model", "new")
    assert inner.validate({"model": "new"})["model"] == "new"


def test_describe_lists_type_domain_owner_roles() -> None:
    rows = {row["name"]: row for row in space().describe()}
    assert rows["mf.dim"]["type"] == "integer" and rows["mf.dim"]["log"] is True
    assert rows["mf.dim"]["condition"] == ("model", ["mf"])
    assert rows["model"]["owner"] == "r" and rows["model"]["n_options"] == 4


def test_configspace_export_keeps_domains_conditions_and_filled_slots() -> None:
    s = space()
    s.fill_slot("model", "gated_mf")
    cs = s.to_configspace(seed=0)
    model, dim = cs["model"], cs["mf.dim"]
    assert isinstance(model, CategoricalHyperparameter)
    assert isinstance(dim, UniformIntegerHyperparameter)
    assert list(model.choices) == ["pop", "mf", "gated_mf"]
    assert dim.log and dim.lower == 8 and dim.upper == 128
    assert len(cs.conditions) == 2
    assert dict(cs.get_default_configuration()) == s.default()
    for sample in cs.sample_configuration(20):
        assert s.validate(dict(sample)) == dict(sample)
