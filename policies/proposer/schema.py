"""What a proposer may say, as pydantic models: a template and a paper's method record.

Both are declarative data. A model's output is parsed into them with ``extra="forbid"`` and
bounded string and list sizes, so a response that smuggles in code, extra instructions or a
megabyte of text fails here with the reason pydantic gives; nothing downstream ever executes it.
Whether the blocks and parameters named in a template exist is checked later, against the
registry (:mod:`policies.proposer.blocks`).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

NAME_PATTERN = r"^[a-z][a-z0-9_]{2,47}$"
ParamValue = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=2000)


class BlockUse(_Strict):
    """One building block in a template, with the parameters it is given."""

    block: str = Field(min_length=1, max_length=64)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)


class TemplateSpec(_Strict):
    """A new option for a categorical knob: a backbone block plus optional blocks on top.

    Attributes:
        name: The value the knob takes once the template fills a slot (snake case).
        agent: Agent that owns the knob (``"retrieval"``).
        knob: The agent's categorical knob (``"model"``).
        blocks: Exactly one backbone block first, then layers or losses that compose with it.
        rationale: Why the proposer expects it to help (shown in later prompts).
    """

    name: str = Field(pattern=NAME_PATTERN)
    agent: str = Field(min_length=1, max_length=64)
    knob: str = Field(min_length=1, max_length=64)
    blocks: list[BlockUse] = Field(min_length=1, max_length=8)
    rationale: str = Field(default="", max_length=600)

    def spec(self) -> dict[str, Any]:
        """The spec as the store keeps it (name, rationale and target excluded from the hash)."""
        return {"blocks": [u.model_dump() for u in self.blocks]}


class TemplateBatch(_Strict):
    """The JSON object a proposer backend must return: ``{"templates": [...]}``."""

    templates: list[Any] = Field(max_length=32)


class MethodRecord(_Strict):
    """A paper's method, extracted into fixed fields (AutoModel's paper_auto_train)."""

    title: str = Field(default="", max_length=300)
    problem: str = Field(min_length=1, max_length=1000)
    key_idea: str = Field(min_length=1, max_length=1000)
    architecture: str = Field(default="", max_length=1000)
    inputs_outputs: str = Field(default="", max_length=600)
    losses: str = Field(default="", max_length=600)
    training: str = Field(default="", max_length=600)
    reported_results: str = Field(default="", max_length=600)


class ParseError(ValueError):
    """A response could not be read as the expected JSON object; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_json_object(text: str, *, max_chars: int = 100_000) -> dict[str, Any]:
    """The JSON object in ``text`` (a fenced ```json block is unwrapped), or :class:`ParseError`.

    ``max_chars`` bounds what is parsed at all: a huge response is rejected, not read.
    """
    if not text or not text.strip():
        raise ParseError("empty response")
    if len(text) > max_chars:
        raise ParseError(f"response of {len(text)} characters exceeds the cap of {max_chars}")
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno} column {err.colno}"
        raise ParseError(f"malformed JSON: {err.msg} at {where}") from err
    if not isinstance(value, dict):
        raise ParseError(f"expected a JSON object, got {type(value).__name__}")
    return value


def explain(err: ValidationError, limit: int = 3) -> str:
    """A one-line summary of a pydantic error: field paths and messages, at most ``limit``."""
    parts = []
    for item in err.errors()[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "<root>"
        parts.append(f"{where}: {item['msg']}")
    more = err.error_count() - limit
    return "schema violation: " + "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
