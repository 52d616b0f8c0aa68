"""Templates are checked against the block registry derived from the agents' spaces."""

from __future__ import annotations

from typing import Any

import pytest

from agents.retrieval.sasrec import SASRec
from agents.retrieval_agent import RetrievalAgent
from policies.proposer import InvalidTemplate, TemplateSpec, default_registry
from policies.proposer.schema import ParseError, parse_json_object


def spec(*blocks: dict[str, Any], agent: str = "retrieval", knob: str = "model",
         name: str = "candidate_one") -> TemplateSpec:
    return TemplateSpec(name=name, agent=agent, knob=knob, blocks=list(blocks))


def test_ranges_come_from_the_agent_space() -> None:
    sasrec = default_registry().blocks["sasrec"]
    knob = RetrievalAgent().decision_space()["sasrec.dim"]
    assert (sasrec.params["dim"].low, sasrec.params["dim"].high) == (knob.low, knob.high)
    assert "gated_attention" not in sasrec.params  # a layer block of its own
    kinds = {b.kind for b in default_registry().blocks.values()}
    assert kinds == {"backbone", "layer", "loss", "feature_cross", "fusion_rule"}


def test_gated_sasrec_resolves_and_builds() -> None:
    resolved = default_registry().resolve(spec(
        {"block": "sasrec", "params": {"dim": 32, "n_heads": 2, "epochs": 2}},
        {"block": "gated_attention"}, {"block": "feed_forward", "params": {"ffn_mult": 2}}))
    model = resolved.build()
    assert isinstance(model, SASRec)
    assert (model.gated_attention, model.dim, model.ffn_mult, model.epochs) == (True, 32, 2, 2)


@pytest.mark.parametrize(("blocks", "reason"), [
    ([{"block": "transformer_xl"}], "unknown block 'transformer_xl'"),
    ([{"block": "sasrec", "params": {"dim": 4096}}], "out of range"),
    ([{"block": "sasrec", "params": {"depth": 3}}], "has no parameter 'depth'"),
    ([{"block": "mf"}, {"block": "gated_attention"}], "does not compose with 'mf'"),
    ([{"block": "gated_attention"}], "exactly one base block"),
    ([{"block": "sasrec"}, {"block": "mf"}], "exactly one base block"),
    ([{"block": "sasrec", "params": {"dim": 30, "n_heads": 4}}], "dry build .* divisible"),
    ([{"block": "mf"}, {"block": "bpr"}, {"block": "sampled_softmax"}], "set twice"),
    ([{"block": "rrf"}], "belongs to fusion.rule"),
])
def test_invalid_templates_say_why(blocks: list[dict[str, Any]], reason: str) -> None:
    with pytest.raises(InvalidTemplate, match=reason):
        default_registry().resolve(spec(*blocks))


def test_described_but_unbuildable_targets_are_rejected() -> None:
    with pytest.raises(InvalidTemplate, match=r"fusion\.rule has no builder"):
        default_registry().resolve(spec({"block": "rrf", "params": {"rrf_k": 10.0}},
                                        agent="fusion", knob="rule"))
    with pytest.raises(InvalidTemplate, match=r"unknown target retrieval\.loss"):
        default_registry().resolve(spec({"block": "mf"}, knob="loss"))


def test_schema_forbids_extra_fields_and_bad_names() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        TemplateSpec.model_validate({"name": "abc", "agent": "retrieval", "knob": "model",
                                     "blocks": [{"block": "mf"}], "code": "import os"})
    with pytest.raises(ValueError, match="pattern"):
        spec({"block": "mf"}, name="Robert'); DROP TABLE")


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty response"), ("   ", "empty response"), ("{'a': 1", "malformed JSON"),
    ("[1, 2]", "expected a JSON object"), ("{" + " " * 200 + "}", "exceeds the cap"),
])
def test_parse_json_object_rejects(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_json_object(text, max_chars=100)


def test_parse_json_object_unwraps_a_fence() -> None:
    assert parse_json_object('```json\n{"a": 1}\n```') == {"a": 1}
