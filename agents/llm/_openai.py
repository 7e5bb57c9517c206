"""``OpenAINarrator``: instructor over ``openai.AsyncOpenAI`` (any OpenAI-compatible server).

Contract: ``narrate(request)`` sends one chat-completions request asking for a
``Narration`` (mode from the settings: forced tool call by default, JSON object or fenced
JSON for weak local models). The answer is validated against the request (every id,
faithful numbers, see ``_models``); an invalid answer is re-asked with the validation
error fed back, up to ``settings.max_retries`` times. Each request times out after
``settings.timeout_s``; the HTTP client itself never retries. Returns the checked
``Narration`` or raises ``NarrationError`` (planner-readable ``reason``) for every failure.

Resources: a client created for a call is closed by that call. An ``http_client`` passed
in belongs to the caller, who closes it (it is how tests inject transports or proxies).
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import instructor
import openai

from agents.llm._errors import describe_failure
from agents.llm._models import Narration, NarrationRequest, validation_context
from agents.llm._prompt import build_messages
from agents.llm._settings import LLMMode, LLMSettings

__all__ = ["OpenAINarrator"]

_MODES: dict[LLMMode, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


class OpenAINarrator:
    """A ``Narrator`` backed by an OpenAI-compatible chat-completions endpoint."""

    def __init__(self, settings: LLMSettings, *, http_client: httpx.AsyncClient | None = None):
        self._settings = settings
        self._http_client = http_client

    @property
    def settings(self) -> LLMSettings:
        return self._settings

    def __repr__(self) -> str:
        return f"OpenAINarrator({self._settings!r})"

    async def narrate(self, request: NarrationRequest) -> Narration:
        """The checked narration of ``request``; ``NarrationError`` on any failure."""
        if not request.items:
            return Narration(texts={})
        s = self._settings
        # openai 3.x types `http_client` as httpx2.AsyncClient but accepts httpx ones too.
        client = openai.AsyncOpenAI(
            base_url=s.base_url,
            api_key=s.api_key,
            timeout=s.timeout_s,
            max_retries=0,
            http_client=cast(Any, self._http_client),
        )
        try:
            patched = instructor.from_openai(client, mode=_MODES[s.mode])
            narration: Narration = await patched.chat.completions.create(
                model=s.model,
                response_model=Narration,
                messages=cast(Any, build_messages(request)),
                max_retries=s.max_retries,
                context=validation_context(request),
            )
        except Exception as exc:
            raise describe_failure(exc, timeout_s=s.timeout_s) from exc
        finally:
            if self._http_client is None:
                await client.close()
        return narration
