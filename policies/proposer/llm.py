"""The LLM proposer: prompt from the store, a chat backend, raw candidates out.

It parses only the envelope (``{"templates": [...]}``); each candidate is validated later by the
lifecycle, like any other proposer's. An unreadable reply (empty, malformed JSON, wrong shape,
too large) is sent back once with the reason so the model can correct itself, and every failed
reply is returned as an error proposal, so its reason reaches the store.
"""

from __future__ import annotations

from pydantic import ValidationError

from policies.proposer.base import Proposal, ProposalContext
from policies.proposer.chat import BackendError, ChatBackend, Message
from policies.proposer.prompt import build_prompt
from policies.proposer.schema import ParseError, TemplateBatch, explain, parse_json_object

ECHO_CHARS = 400  # how much of a rejected reply goes back to the model and into the record


class LLMProposer:
    """Asks ``backend`` for templates.

    Args:
        backend: Any :class:`~policies.proposer.chat.ChatBackend` (HTTP, recording, replay).
        token_budget: Prompt size cap, in estimated tokens.
        max_attempts: Replies tried per call when a reply cannot be read at all.
        max_chars: Replies longer than this are rejected unread.
    """

    def __init__(self, backend: ChatBackend, *, token_budget: int = 3000, max_attempts: int = 2,
                 max_chars: int = 100_000) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.backend = backend
        self.name = f"llm:{backend.name}"
        self.token_budget, self.max_attempts, self.max_chars = token_budget, max_attempts, max_chars

    def propose(self, context: ProposalContext, n: int) -> list[Proposal]:
        messages = build_prompt(context, n, self.token_budget)
        failures: list[Proposal] = []
        for _ in range(self.max_attempts):
            try:
                text = self.backend.complete(messages, json_mode=True)
            except BackendError as err:  # the backend has retried already
                return [*failures, Proposal(None, self.name, f"backend failed: {err.reason}")]
            try:
                body = parse_json_object(text, max_chars=self.max_chars)
                batch = TemplateBatch.model_validate(body)
            except (ParseError, ValidationError) as err:
                reason = err.reason if isinstance(err, ParseError) else explain(err)
                failures.append(Proposal(text[:ECHO_CHARS], self.name, reason))
                messages = [*messages, *_correction(text, reason)]
                continue
            return [*failures, *(Proposal(item, self.name) for item in batch.templates[:n])]
        return failures


def _correction(text: str, reason: str) -> list[Message]:
    return [{"role": "assistant", "content": text[:ECHO_CHARS]},
            {"role": "user", "content": f"That reply was rejected ({reason}). Reply with only "
                                        "the JSON object {\"templates\": [...]}."}]
