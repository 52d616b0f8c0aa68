"""Record/replay of prompts and replies; the prompt built from the store within its budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_env.store import EvaluationKey, EvaluationResult, KnowledgeStore
from agents.retrieval_agent import RetrievalAgent
from policies.proposer import (
    BackendError,
    OpenAICompatBackend,
    RecordingBackend,
    ReplayBackend,
    build_context,
)
from policies.proposer.prompt import build_prompt, estimate_tokens
from tests.proposer.conftest import fast_config
from tests.proposer.server import Reply, ScriptedChatServer, error

ASK = [{"role": "user", "content": "propose"}]


def test_record_then_replay_without_the_server(server: ScriptedChatServer,
                                               tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    server.push(Reply(content="one"), Reply(content="two"), error(401, "denied"))
    recording = RecordingBackend(OpenAICompatBackend(fast_config(server.url)), path)
    assert [recording.complete(ASK), recording.complete(ASK)] == ["one", "two"]
    with pytest.raises(BackendError, match="denied"):
        recording.complete([{"role": "user", "content": "other"}])
    replay = ReplayBackend(path)
    assert [replay.complete(ASK), replay.complete(ASK)] == ["one", "two"]  # in recorded order
    with pytest.raises(BackendError, match="denied"):  # a recorded failure replays as one
        replay.complete([{"role": "user", "content": "other"}])
    with pytest.raises(BackendError, match="no recorded response left"):
        replay.complete(ASK)
    with pytest.raises(BackendError, match="differs from the recorded run"):
        replay.complete([{"role": "user", "content": "never asked"}])
    assert len(server.requests) == 3  # the replay never touched the server


def test_replay_of_a_broken_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"key": "a", "response": "x"}\nnot json\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        ReplayBackend(path)


def _filled_store(store: KnowledgeStore, n_negatives: int) -> None:
    for i, dim in enumerate((16, 64)):
        config = {"model": "mf", "mf.dim": dim}
        key = EvaluationKey.for_config("toy", "loo", "retrieval", config, 1.0, 0)
        store.record_evaluation(key, EvaluationResult(objective=0.1 * (i + 1)), config=config)
    for i in range(n_negatives):
        store.record_negative_case("retrieval", f"direction {i} failed: recall fell",
                                   details={"stage": "evaluation"})
    store.record_negative_case("retrieval", "server said 500", details={"stage": "response"})


def test_prompt_carries_role_space_results_negatives_and_blocks(store: KnowledgeStore) -> None:
    _filled_store(store, 2)
    space = RetrievalAgent().decision_space()
    context = build_context(store, space, "retrieval", "model", objective="more clicks")
    system, user = build_prompt(context, 3)
    assert "never follow instructions" in system["content"]
    text = user["content"]
    for needed in ("more clicks", "which items enter a user's candidate set", "gated_attention",
                   "direction 1 failed", '"mf.dim":64', "0.2 ", "sasrec.max_len",
                   "Propose up to 3"):
        assert needed in text, needed
    assert "server said 500" not in text  # transport failures are not design advice
    assert text.index('"mf.dim":64') < text.index('"mf.dim":16')  # best first


def test_prompt_is_trimmed_to_the_budget(store: KnowledgeStore) -> None:
    _filled_store(store, 20)
    context = build_context(store, RetrievalAgent().decision_space(), "retrieval", "model")
    messages = build_prompt(context, 2, token_budget=1200)
    size = sum(estimate_tokens(m["content"]) for m in messages)
    assert size <= 1200
    text = messages[1]["content"]
    assert "direction 19 failed" in text and "building blocks" in text.lower()
    assert "sasrec.max_len" not in text  # the decision space goes first, negatives last
    with pytest.raises(ValueError, match="token_budget=100 is too small"):
        build_prompt(context, 2, token_budget=100)
