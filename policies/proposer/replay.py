"""Record every prompt and response to JSONL, and replay them without the server.

An LLM ablation is reproducible only if the model's answers are: :class:`RecordingBackend` wraps
a live backend and appends one line per call (the request's key, the messages, the reply or the
error); :class:`ReplayBackend` answers the same prompts from that file, in recorded order when a
prompt was asked several times, and refuses a prompt it has not seen (the prompt changed, so the
replay would not be the same experiment).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from policies.proposer.chat import BackendError, ChatBackend, Message


def request_key(messages: list[Message], json_mode: bool) -> str:
    """sha256 of the canonical request (model name left out, so a replay needs no server)."""
    text = json.dumps({"messages": messages, "json_mode": json_mode}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class RecordingBackend:
    """Calls ``inner`` and appends each exchange to ``path`` (flushed per call)."""

    def __init__(self, inner: ChatBackend, path: str | Path) -> None:
        self.inner, self.path = inner, Path(path)
        self.name = inner.name
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def complete(self, messages: list[Message], *, json_mode: bool = True) -> str:
        entry: dict[str, Any] = {"key": request_key(messages, json_mode), "backend": self.name,
                                 "json_mode": json_mode, "messages": messages}
        try:
            entry["response"] = self.inner.complete(messages, json_mode=json_mode)
        except BackendError as err:
            entry["error"] = err.reason
            raise
        finally:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")
        return str(entry["response"])


class ReplayBackend:
    """Answers from a recording; an unseen prompt is a :class:`BackendError`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no recording at {self.path}")
        self._answers: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        names = set()
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                self._answers[entry["key"]].append(entry)
                names.add(str(entry.get("backend", "?")))
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{self.path}:{number} is not a recorded exchange: {err}") from err
        self.name = "replay:" + ",".join(sorted(names))

    def complete(self, messages: list[Message], *, json_mode: bool = True) -> str:
        key = request_key(messages, json_mode)
        queue = self._answers.get(key)
        if not queue:
            raise BackendError(f"no recorded response left for prompt {key[:12]} in "
                               f"{self.path}; the prompt differs from the recorded run")
        entry = queue.popleft()
        if "error" in entry:
            raise BackendError(str(entry["error"]))
        return str(entry["response"])
