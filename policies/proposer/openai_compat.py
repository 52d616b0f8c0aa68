"""A client for OpenAI-compatible chat completions (vLLM, Ollama, llama.cpp's server, hosted APIs).

Only what a proposer needs, with the failure handling an unattended run needs: a time-out per
request and a deadline per call, retries with exponential backoff on 429, 5xx, time-outs and
dropped connections (``Retry-After`` honoured, capped), a cap on requests per run and on tokens
per request and per run, a cap on response bytes (read as a stream, so a huge body is cut off,
not buffered), and JSON mode that falls back to plain text once if the server refuses it. The API
key is read from an environment variable at call time and never stored or logged.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from policies.proposer.chat import BackendError, Message

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class OpenAICompatConfig:
    """Where the server is and how patient to be.

    Attributes:
        base_url: Up to and including the version, e.g. ``http://localhost:8000/v1``.
        model: Model name the server knows.
        api_key_env: Environment variable holding the key (none sent when it is unset).
        timeout_s: Per-request connect/read time-out.
        max_retries: Extra attempts after a retryable failure.
        backoff_s: First backoff; doubles each retry, capped at ``max_backoff_s``.
        max_tokens: Completion tokens asked for per request.
        max_calls: HTTP requests allowed per backend instance (one run).
        max_total_tokens: Tokens (prompt + completion, as reported) allowed per run.
        max_response_bytes: Larger bodies are rejected.
        json_mode: Ask for ``response_format={"type": "json_object"}``.
    """

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 60.0
    max_retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_tokens: int = 1024
    max_calls: int = 50
    max_total_tokens: int | None = None
    max_response_bytes: int = 1_000_000
    json_mode: bool = True
    temperature: float = 0.2

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got "
                             f"{self.base_url!r}")
        if self.timeout_s <= 0 or self.max_retries < 0 or self.max_calls < 1:
            raise ValueError("need timeout_s > 0, max_retries >= 0 and max_calls >= 1")


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class OpenAICompatBackend:
    """Chat completions over HTTP with retries and caps (see the module docstring)."""

    def __init__(self, config: OpenAICompatConfig, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.name = f"openai-compat:{config.model}"
        self.calls = 0
        self.tokens = 0
        self.log: list[str] = []  # one line per failed attempt: what happened, for the record
        self._sleep = sleep
        self._json_ok = config.json_mode
        self._client = httpx.Client(base_url=config.base_url.rstrip("/"),
                                    timeout=config.timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    def complete(self, messages: list[Message], *, json_mode: bool = True) -> str:
        """The first choice's content; :class:`BackendError` once retries or caps run out."""
        last = "no attempt made"
        for attempt in range(self.config.max_retries + 1):
            self._check_caps()
            try:
                return self._attempt(messages, json_mode and self._json_ok)
            except _Retry as err:
                last = err.reason
                self.log.append(f"attempt {attempt + 1}: {err.reason}")
                if attempt < self.config.max_retries:
                    self._sleep(self._backoff(attempt, err.wait))
        raise BackendError(f"gave up after {self.config.max_retries + 1} attempts: {last}")

    def _check_caps(self) -> None:
        cap = self.config
        if self.calls >= cap.max_calls:
            raise BackendError(f"call cap reached: {self.calls} of {cap.max_calls} requests "
                               "used in this run")
        if cap.max_total_tokens is not None and self.tokens >= cap.max_total_tokens:
            raise BackendError(f"token cap reached: {self.tokens} of {cap.max_total_tokens}")

    def _backoff(self, attempt: int, wait: float | None) -> float:
        delay = self.config.backoff_s * 2**attempt if wait is None else wait
        return float(min(max(delay, 0.0), self.config.max_backoff_s))

    def _attempt(self, messages: list[Message], json_mode: bool) -> str:
        body: dict[str, Any] = {"model": self.config.model, "messages": messages,
                                "max_tokens": self.config.max_tokens,
                                "temperature": self.config.temperature}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.calls += 1
        try:
            status, raw, retry_after = self._post(body, headers)
        except httpx.TimeoutException as err:
            what = f"time-out after {self.config.timeout_s} s ({type(err).__name__})"
            raise _Retry(what) from err
        except httpx.TransportError as err:
            raise _Retry(f"connection failed: {type(err).__name__}: {err}") from err
        if status == 400 and json_mode and b"response_format" in raw:
            self._json_ok = False  # the server has no JSON mode: ask in plain text from now on
            self.log.append("server refused JSON mode; retrying without it")
            return self._attempt(messages, False)
        if status in RETRY_STATUS:
            raise _Retry(f"HTTP {status}: {raw[:200].decode('utf-8', 'replace')}", retry_after)
        if status != 200:
            raise BackendError(f"HTTP {status}: {raw[:300].decode('utf-8', 'replace')}")
        return self._content(raw)

    def _post(self, body: dict[str, Any], headers: dict[str, str]
              ) -> tuple[int, bytes, float | None]:
        deadline = time.monotonic() + self.config.timeout_s * 2
        chunks, size = [], 0
        with self._client.stream("POST", "/chat/completions", json=body, headers=headers) as r:
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > self.config.max_response_bytes:
                    raise BackendError(f"response larger than {self.config.max_response_bytes} "
                                       "bytes; rejected unread")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("response trickled past the call deadline")
                chunks.append(chunk)
            return r.status_code, b"".join(chunks), _retry_after(r.headers)

    def _content(self, raw: bytes) -> str:
        try:
            payload = json.loads(raw)
            content = payload["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise BackendError(f"not a chat-completions response ({type(err).__name__}): "
                               f"{raw[:200].decode('utf-8', 'replace')}") from err
        usage = payload.get("usage") or {}
        self.tokens += int(usage.get("total_tokens") or 0)
        if not isinstance(content, str):
            raise BackendError(f"message content is {type(content).__name__}, not text")
        return content


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
