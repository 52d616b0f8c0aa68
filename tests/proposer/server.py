"""A real chat-completions HTTP server for the tests, answering from a script.

It speaks the OpenAI chat-completions wire format on ``POST /v1/chat/completions`` (JSON in,
``{"choices": [{"message": {"content": ...}}], "usage": ...}`` out), so the client under test
goes through httpx, sockets, status codes and time-outs exactly as with vLLM or Ollama. Each
request takes the next scripted :class:`Reply`; every request body and its auth header are kept
for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: assistant ``content`` in a chat envelope, or a raw ``body``."""

    content: str | None = None
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        envelope = {"id": "x", "object": "chat.completion", "model": "scripted",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": self.content}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
        return json.dumps(envelope).encode()


def answer(obj: Any) -> Reply:
    """A 200 reply whose content is ``obj`` as JSON."""
    return Reply(content=json.dumps(obj))


def error(status: int, text: str = "server error", **headers: str) -> Reply:
    return Reply(status=status, body=json.dumps({"error": {"message": text}}).encode(),
                 headers=headers)


def hang(seconds: float) -> Reply:
    return Reply(content="{}", delay=seconds)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.owner.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if self.path != "/v1/chat/completions":
            reply = error(404, f"no route {self.path}")
        else:
            reply = self.server.owner.next_reply()
        time.sleep(reply.delay)
        data = reply.payload()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left: that is what a hang test wants

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ScriptedChatServer


class ScriptedChatServer:
    """Serves scripted replies on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._http = _Server(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self.script.popleft() if self.script else error(500, "script exhausted")

    def prompts(self) -> list[str]:
        """The last message of each request (the user prompt or the correction)."""
        return [r["body"]["messages"][-1]["content"] for r in self.requests]

    def __enter__(self) -> ScriptedChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
