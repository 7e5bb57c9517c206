"""The ``Narrator`` seam and the never-failing way to use one.

Contract:

- ``Narrator`` is anything with ``async def narrate(request) -> Narration``. The project's
  narrators (``OpenAINarrator``, ``LangChainNarrator``) raise ``NarrationError`` for every
  LLM problem; other implementations (test fakes) may raise anything.
- ``narrate_with_fallback(narrator, request)`` returns ``(texts, warnings)``: item id to the
  text to use, in item order, and the plan warnings. With ``narrator=None`` (no LLM
  configured) or no items it returns the drafts and no warning, without calling anything.
  On any failure (timeout, HTTP or connection error, retries exhausted, an answer that
  fails the checks, missing ids, or any other exception from the narrator) it returns the
  drafts unchanged and exactly one warning in a planner-readable sentence, e.g.
  "LLM narrative unavailable (timed out after 20 s); deterministic text used". It never
  raises for LLM problems (task cancellation still propagates). The narrator's answer is
  re-checked against the request here, so a third-party narrator cannot smuggle in
  unchecked numbers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from agents.llm._models import Narration, NarrationRequest, validation_context

__all__ = ["Narrator", "narrate_with_fallback"]

logger = logging.getLogger("agents.llm")


class Narrator(Protocol):
    """Rewrites the drafts of a ``NarrationRequest`` (see the module docstring)."""

    async def narrate(self, request: NarrationRequest) -> Narration:
        """A ``Narration`` with a checked text for every item of ``request``."""
        ...


async def narrate_with_fallback(
    narrator: Narrator | None,
    request: NarrationRequest,
    *,
    timeout_s: float | None = None,
) -> tuple[dict[str, str], list[str]]:
    """The texts to use and the warnings; the drafts plus one warning on any failure.

    ``timeout_s`` optionally bounds the whole narration (all attempts together).
    """
    drafts = request.drafts()
    if narrator is None or not request.items:
        return drafts, []
    try:
        if timeout_s is None:
            narration = await narrator.narrate(request)
        else:
            narration = await asyncio.wait_for(narrator.narrate(request), timeout_s)
        checked = Narration.model_validate(
            {"texts": dict(narration.texts)}, context=validation_context(request)
        )
    except Exception as exc:  # degrade, never fail the plan for the words
        from agents.llm._errors import describe_failure  # imports openai: only on failure

        failure = describe_failure(exc, timeout_s=timeout_s)
        logger.warning("LLM narration failed: %s (%s)", failure.reason, type(exc).__name__)
        return drafts, [failure.warning]
    return {item_id: checked.texts[item_id] for item_id in drafts}, []
