"""``LangChainNarrator``: the same narration through langchain-openai's ``ChatOpenAI``.

Contract: identical to ``OpenAINarrator`` (same prompt, same checks, same
``NarrationError``), built on ``ChatOpenAI(...).with_structured_output(Narration,
method="function_calling", include_raw=True)``: forced tool calls, which local servers
such as llama.cpp support (their ``json_schema`` response format is not). The forced
call's arguments are validated against the request; an invalid answer is re-asked, with
the error returned as the tool result, up to ``settings.max_retries`` times.

It exists so that graph code that prefers LangChain runnables has a tested path. The
``langchain_openai`` import is deferred to the first call (it is slow to import).
Resources: as ``OpenAINarrator`` (a client created for a call is closed by that call).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr, ValidationError

from agents.llm._errors import NarrationError, describe_failure
from agents.llm._models import Narration, NarrationRequest, validation_context
from agents.llm._prompt import build_messages
from agents.llm._settings import LLMSettings

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

__all__ = ["LangChainNarrator"]


class LangChainNarrator:
    """A ``Narrator`` backed by ``langchain_openai.ChatOpenAI``."""

    def __init__(self, settings: LLMSettings, *, http_client: httpx.AsyncClient | None = None):
        self._settings = settings
        self._http_client = http_client

    @property
    def settings(self) -> LLMSettings:
        return self._settings

    def __repr__(self) -> str:
        return f"LangChainNarrator({self._settings!r})"

    async def narrate(self, request: NarrationRequest) -> Narration:
        """The checked narration of ``request``; ``NarrationError`` on any failure."""
        if not request.items:
            return Narration(texts={})
        s = self._settings
        client = self._http_client or httpx.AsyncClient(timeout=s.timeout_s)
        try:
            return await self._narrate(request, client)
        except Exception as exc:
            raise describe_failure(exc, timeout_s=s.timeout_s) from exc
        finally:
            if self._http_client is None:
                await client.aclose()

    async def _narrate(self, request: NarrationRequest, client: httpx.AsyncClient) -> Narration:
        from langchain_core.messages import ToolMessage, convert_to_messages
        from langchain_openai import ChatOpenAI

        s = self._settings
        model = ChatOpenAI(
            model=s.model,
            base_url=s.base_url,
            api_key=SecretStr(s.api_key),
            timeout=s.timeout_s,
            max_retries=0,
            http_async_client=client,
        )
        runnable = model.with_structured_output(
            Narration, method="function_calling", include_raw=True
        )
        messages: list[BaseMessage] = convert_to_messages(build_messages(request))
        context = validation_context(request)
        attempts = s.max_retries + 1
        last = NarrationError("no attempt was made", rejected=True)
        for _ in range(attempts):
            result = await runnable.ainvoke(messages)
            raw: Any = result["raw"] if isinstance(result, Mapping) else None
            calls: list[Any] = list(getattr(raw, "tool_calls", None) or [])
            if not calls:
                raise NarrationError("its answer did not call the narration tool", rejected=True)
            call = calls[0]
            try:
                return Narration.model_validate(call["args"], context=context)
            except ValidationError as exc:
                last = describe_failure(exc, attempts=attempts)
                feedback = f"Validation error:\n{exc}\nCall the function again, fixing the errors."
                messages = [
                    *messages,
                    raw,
                    ToolMessage(content=feedback, tool_call_id=call.get("id") or "call"),
                ]
        raise last
