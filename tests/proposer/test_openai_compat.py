"""The HTTP backend against the scripted local server: retries, caps, time-outs, JSON mode."""

from __future__ import annotations

import time

import pytest

from policies.proposer import BackendError, OpenAICompatBackend
from tests.proposer.conftest import fast_config
from tests.proposer.server import Reply, ScriptedChatServer, error, hang

HELLO = [{"role": "user", "content": "hi"}]


def test_success_sends_model_json_mode_key_and_token_cap(
        server: ScriptedChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PROPOSER_KEY", "sk-local")
    server.push(Reply(content='{"ok": 1}'))
    backend = OpenAICompatBackend(fast_config(server.url, api_key_env="TEST_PROPOSER_KEY",
                                              max_tokens=77))
    assert backend.complete(HELLO) == '{"ok": 1}'
    sent = server.requests[0]
    assert sent["auth"] == "Bearer sk-local"
    assert sent["body"]["model"] == "scripted"
    assert sent["body"]["max_tokens"] == 77
    assert sent["body"]["response_format"] == {"type": "json_object"}
    assert backend.tokens == 15 and backend.calls == 1


def test_500_and_429_are_retried_with_backoff(server: ScriptedChatServer) -> None:
    waits: list[float] = []
    server.push(error(500), error(429, "slow down", **{"Retry-After": "0.25"}),
                Reply(content="fine"))
    backend = OpenAICompatBackend(fast_config(server.url, backoff_s=0.01), sleep=waits.append)
    assert backend.complete(HELLO) == "fine"
    assert len(server.requests) == 3
    assert waits == [0.01, 0.25]  # exponential first, then the server's Retry-After
    assert "HTTP 500" in backend.log[0] and "HTTP 429" in backend.log[1]


def test_persistent_500_gives_up_with_reason(server: ScriptedChatServer) -> None:
    server.push(error(500), error(502), error(503))
    backend = OpenAICompatBackend(fast_config(server.url))
    with pytest.raises(BackendError, match="gave up after 3 attempts: HTTP 503"):
        backend.complete(HELLO)


def test_hanging_server_times_out_then_retry_succeeds(server: ScriptedChatServer) -> None:
    server.push(hang(2.0), Reply(content="late but fine"))
    backend = OpenAICompatBackend(fast_config(server.url, timeout_s=0.3))
    started = time.perf_counter()
    assert backend.complete(HELLO) == "late but fine"
    assert time.perf_counter() - started < 1.5
    assert "time-out" in backend.log[0]


def test_client_error_is_not_retried(server: ScriptedChatServer) -> None:
    server.push(error(401, "bad key"), Reply(content="never"))
    with pytest.raises(BackendError, match="HTTP 401"):
        OpenAICompatBackend(fast_config(server.url)).complete(HELLO)
    assert len(server.requests) == 1


def test_json_mode_refused_falls_back_to_plain_text(server: ScriptedChatServer) -> None:
    server.push(error(400, "response_format is not supported"), Reply(content="plain"))
    backend = OpenAICompatBackend(fast_config(server.url))
    assert backend.complete(HELLO) == "plain"
    assert "response_format" not in server.requests[1]["body"]


def test_call_cap_and_huge_and_malformed_envelopes(server: ScriptedChatServer) -> None:
    server.push(Reply(content="a"), Reply(content="b"))
    capped = OpenAICompatBackend(fast_config(server.url, max_calls=2))
    capped.complete(HELLO)
    capped.complete(HELLO)
    with pytest.raises(BackendError, match="call cap reached: 2 of 2"):
        capped.complete(HELLO)
    server.push(Reply(content="x" * 300_000), Reply(body=b"<html>not json</html>"))
    backend = OpenAICompatBackend(fast_config(server.url, max_response_bytes=100_000))
    with pytest.raises(BackendError, match="larger than 100000 bytes"):
        backend.complete(HELLO)
    with pytest.raises(BackendError, match="not a chat-completions response"):
        backend.complete(HELLO)


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="base_url must start with http"):
        fast_config("localhost:8000")


def test_token_cap_counts_reported_usage(server: ScriptedChatServer) -> None:
    server.push(Reply(content="a"), Reply(content="b"), Reply(content="c"))
    backend = OpenAICompatBackend(fast_config(server.url, max_total_tokens=30))
    backend.complete(HELLO)
    backend.complete(HELLO)  # 2 x 15 tokens reported by the server
    with pytest.raises(BackendError, match="token cap reached: 30 of 30"):
        backend.complete(HELLO)
    assert len(server.requests) == 2
