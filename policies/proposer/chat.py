"""The chat backend contract shared by the HTTP client and the record/replay wrappers."""

from __future__ import annotations

from typing import Protocol

Message = dict[str, str]


class BackendError(RuntimeError):
    """A chat call failed for good (after its retries); ``reason`` is what gets recorded."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatBackend(Protocol):
    """Anything that answers a list of chat messages with the assistant's text."""

    name: str

    def complete(self, messages: list[Message], *, json_mode: bool = True) -> str:
        """The assistant's reply, or :class:`BackendError`."""
        ...
