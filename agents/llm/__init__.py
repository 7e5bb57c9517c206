"""The optional LLM: it rewrites the engine's texts, never its numbers.

The planning engine computes every figure deterministically and writes a correct draft
for every insight, recommendation rationale and market note. When an OpenAI-compatible
endpoint is configured (``LLMSettings.from_env``), a ``Narrator`` rewrites those drafts in
plain English; every number in a rewrite must match a figure the item may cite
(``find_unfaithful_numbers``), and invalid answers are re-asked with the error fed back.
``narrate_with_fallback`` never fails: on any LLM problem it returns the drafts and one
planner-readable warning.

Typical use in an agent node::

    narrator = make_narrator(LLMSettings.from_env())        # None when not configured
    texts, warnings = await narrate_with_fallback(narrator, request)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agents.llm._faithfulness import find_unfaithful_numbers, numbers_in
from agents.llm._models import (
    Narration,
    NarrationInvalid,
    NarrationItem,
    NarrationRequest,
    validation_context,
)
from agents.llm._narrator import Narrator, narrate_with_fallback
from agents.llm._prompt import SYSTEM_PROMPT, build_messages
from agents.llm._settings import LLMMode, LLMSettings

if TYPE_CHECKING:
    from agents.llm._errors import NarrationError, describe_failure
    from agents.llm._langchain import LangChainNarrator
    from agents.llm._openai import OpenAINarrator

# openai, instructor and langchain take seconds to import; load them on first use only,
# so a plan without an LLM (and the CLI) never pays for them.
_LAZY = {
    "NarrationError": "agents.llm._errors",
    "describe_failure": "agents.llm._errors",
    "LangChainNarrator": "agents.llm._langchain",
    "OpenAINarrator": "agents.llm._openai",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agents.llm' has no attribute {name!r}")


__all__ = [
    "SYSTEM_PROMPT",
    "LLMMode",
    "LLMSettings",
    "LangChainNarrator",
    "Narration",
    "NarrationError",
    "NarrationInvalid",
    "NarrationItem",
    "NarrationRequest",
    "Narrator",
    "OpenAINarrator",
    "build_messages",
    "describe_failure",
    "find_unfaithful_numbers",
    "make_narrator",
    "narrate_with_fallback",
    "numbers_in",
    "validation_context",
]


def make_narrator(settings: LLMSettings | None) -> Narrator | None:
    """An ``OpenAINarrator`` for ``settings``, or ``None`` when no LLM is configured."""
    if settings is None:
        return None
    from agents.llm._openai import OpenAINarrator

    return OpenAINarrator(settings)
