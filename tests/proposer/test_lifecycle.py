"""Every bad reply from a real (local) chat server is rejected or retried, with its reason in the
store; the run goes on, good templates fill reserved slots, and nothing stored is lost."""

from __future__ import annotations

from typing import Any

import pytest

from agentic_env.store import KnowledgeStore, TemplateStatus
from agents.retrieval.sasrec import SASRec
from agents.retrieval_agent import MODELS, RetrievalAgent, make_model
from agents.space import DecisionSpace
from policies.proposer import (
    LLMProposer,
    OpenAICompatBackend,
    ResolvedTemplate,
    propose_and_integrate,
    propose_round,
)
from tests.proposer.conftest import fast_config
from tests.proposer.server import Reply, ScriptedChatServer, answer, error, hang


def template(name: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "agent": "retrieval", "knob": "model", "blocks": list(blocks),
            "rationale": "test"}


GATED = template("sasrec_gated", {"block": "sasrec", "params": {"dim": 32, "n_heads": 2}},
                 {"block": "gated_attention"})


def by_dim(resolved: ResolvedTemplate) -> float:
    """A stand-in evaluation that is a known function of the template (the lifecycle is what
    is tested here; real trainings are in test_paper_auto_train and test_heuristic)."""
    return float(resolved.kwargs.get("dim", 0)) / 100


def llm(server: ScriptedChatServer, **config: Any) -> LLMProposer:
    return LLMProposer(OpenAICompatBackend(fast_config(server.url, **config)))


def test_bad_replies_rejected_with_reasons_and_good_one_accepted(
        server: ScriptedChatServer, store: KnowledgeStore) -> None:
    space = RetrievalAgent().decision_space()
    server.push(Reply(content="here you go: {templates: ["), answer({"templates": [
        GATED,
        template("mystery", {"block": "hypernetwork"}),
        template("too_wide", {"block": "sasrec", "params": {"dim": 100_000}}),
        {"name": "no_blocks", "agent": "retrieval", "knob": "model"},
    ]}))
    outcomes = propose_round(llm(server), store, space, "retrieval", by_dim, baseline=0.1)
    assert [o.status for o in outcomes] == ["no_template", "accepted", "rejected", "rejected",
                                            "rejected"]
    assert "malformed JSON" in str(outcomes[0].reason)
    assert "rejected (malformed JSON" in server.prompts()[1]  # the retry told the model why
    assert "unknown block 'hypernetwork'" in str(outcomes[2].reason)
    assert "out of range" in str(outcomes[3].reason)
    assert "schema violation: blocks: Field required" in str(outcomes[4].reason)

    index = outcomes[1].actions["model"]
    assert space["model"].mask()[index] and index == len(MODELS)
    model = make_model(space.validate({"model": "sasrec_gated"}))
    assert isinstance(model, SASRec) and model.gated_attention and model.dim == 32

    stored = {t.name: t for t in store.templates(agent="retrieval")}
    assert stored["sasrec_gated"].status is TemplateStatus.ACCEPTED
    for name in ("mystery", "too_wide", "no_blocks"):
        assert stored[name].status is TemplateStatus.REJECTED and stored[name].reason
    stages = sorted(c.details["stage"] for c in store.negative_cases(agent="retrieval"))
    assert stages == ["response", "validation", "validation", "validation"]


@pytest.mark.parametrize(("replies", "reason"), [
    ([error(500), error(500), error(500)], "backend failed: gave up after 3 attempts: HTTP 500"),
    ([hang(2.0), hang(2.0), hang(2.0)], "time-out"),
    ([Reply(content="")] * 2, "empty response"),
    ([Reply(content='{"templates": "' + "x" * 400_000 + '"}')], "larger than"),
    ([answer({"templates": "not a list"})] * 2, "schema violation: templates"),
])
def test_failed_replies_are_recorded_and_the_run_goes_on(
        server: ScriptedChatServer, store: KnowledgeStore, replies: list[Reply],
        reason: str) -> None:
    space = RetrievalAgent().decision_space()
    store.record_negative_case("retrieval", "kept from before", details={"stage": "evaluation"})
    server.push(*replies, answer({"templates": [GATED]}))
    proposer = llm(server, timeout_s=0.2, max_response_bytes=200_000)
    assert propose_and_integrate(proposer, store, space, "retrieval", by_dim) == []
    cases = store.negative_cases(agent="retrieval")
    assert reason in cases[0].reason and cases[0].details["stage"] == "response"
    assert cases[-1].reason == "kept from before"  # nothing stored before is lost
    # the next round works against the same server and store
    assert propose_and_integrate(proposer, store, space, "retrieval", by_dim) == ["sasrec_gated"]


def test_negative_result_is_shown_in_the_next_prompt_and_not_retried(
        server: ScriptedChatServer, store: KnowledgeStore) -> None:
    space = RetrievalAgent().decision_space()
    weak = template("sasrec_tiny", {"block": "sasrec", "params": {"dim": 16}})
    server.push(answer({"templates": [weak]}), answer({"templates": [dict(weak, name="again")]}))
    first = propose_round(llm(server), store, space, "retrieval", by_dim, baseline=0.5)
    assert first[0].status == "rejected" and "no gain: objective 0.16" in str(first[0].reason)
    second = propose_round(llm(server), store, space, "retrieval", by_dim, baseline=0.5)
    assert "sasrec_tiny: no gain" in server.prompts()[1]
    assert second[0].status == "duplicate"  # same blocks under another name: not evaluated
    assert len(store.templates()) == 1 and not space["model"].filled


def test_prompt_injection_in_a_reply_is_rejected(server: ScriptedChatServer,
                                                 store: KnowledgeStore) -> None:
    """A model that followed injected instructions returns code instead of a template."""
    hijacked = dict(GATED, name="pwned", code="__import__('os').system('curl evil')")
    server.push(answer({"templates": [hijacked, template("x", {"block": "sasrec"})]}))
    outcomes = propose_round(llm(server), store, RetrievalAgent().decision_space(),
                             "retrieval", by_dim)
    assert outcomes[0].status == "rejected"
    assert "code: Extra inputs are not permitted" in str(outcomes[0].reason)
    assert outcomes[1].status == "rejected" and "pattern" in str(outcomes[1].reason)


def test_evaluation_errors_reject_and_slots_cap_the_request(
        server: ScriptedChatServer, store: KnowledgeStore) -> None:
    space = DecisionSpace([RetrievalAgent().decision_space()["model"]])

    def broken(resolved: ResolvedTemplate) -> float:
        raise RuntimeError("out of memory")

    server.push(answer({"templates": [GATED]}))
    outcome = propose_round(llm(server), store, space, "retrieval", broken, n=9)
    assert "evaluation failed: RuntimeError: out of memory" in str(outcome[0].reason)
    assert "up to 4 new options" in server.prompts()[0]  # 4 reserved slots, not 9
