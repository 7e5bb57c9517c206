"""LLM configuration from the environment.

Contract: ``LLMSettings.from_env(env)`` returns ``None`` unless both
``MEDIAPLAN_LLM_BASE_URL`` and ``MEDIAPLAN_LLM_MODEL`` are set to non-blank values (the
LLM is optional; ``None`` means "write the deterministic texts"). Otherwise it returns
frozen settings, reading:

==============================  =====================================================
``MEDIAPLAN_LLM_BASE_URL``      OpenAI-compatible endpoint, e.g. ``http://127.0.0.1:8011/v1``
``MEDIAPLAN_LLM_MODEL``         model name sent with each request
``OPENAI_API_KEY``              optional; default ``"not-needed"`` (local servers)
``MEDIAPLAN_LLM_TIMEOUT_S``     per-request timeout in seconds, > 0; default 20
``MEDIAPLAN_LLM_MAX_RETRIES``   re-asks after an invalid answer, >= 0; default 2
``MEDIAPLAN_LLM_MODE``          ``tools`` (default), ``json`` or ``md_json``
==============================  =====================================================

When the LLM is configured, a set but malformed value (``MEDIAPLAN_LLM_TIMEOUT_S=abc``,
an unknown mode) raises ``ValueError`` naming the variable: a configuration typo fails at
start-up instead of silently disabling the LLM. Nothing here does I/O or imports an LLM
client.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar, cast, get_args

__all__ = ["LLMMode", "LLMSettings"]

LLMMode = Literal["tools", "json", "md_json"]
"""How structured answers are requested: forced tool call, JSON object, or fenced JSON."""

_PLACEHOLDER_KEY = "not-needed"
_N = TypeVar("_N", int, float)


@dataclass(frozen=True)
class LLMSettings:
    """Where and how to call the optional LLM."""

    base_url: str
    model: str
    api_key: str = _PLACEHOLDER_KEY
    """Never logged; ``repr`` masks it."""
    timeout_s: float = 20.0
    """Per-request timeout; the client itself never retries a failed request."""
    max_retries: int = 2
    """Re-asks (with the validation error fed back) after an invalid answer."""
    mode: LLMMode = "tools"
    """``tools`` for capable models; ``json`` / ``md_json`` for weak local ones."""

    def __post_init__(self) -> None:
        if not self.base_url or not self.model:
            raise ValueError("LLMSettings needs a base_url and a model")
        if not (self.timeout_s > 0 and math.isfinite(self.timeout_s)):
            raise ValueError(f"LLM timeout must be > 0 s, got {self.timeout_s}")
        if self.max_retries < 0:
            raise ValueError(f"LLM max_retries must be >= 0, got {self.max_retries}")
        if self.mode not in get_args(LLMMode):
            raise ValueError(f"LLM mode must be one of {get_args(LLMMode)}, got {self.mode!r}")

    def __repr__(self) -> str:
        return (
            f"LLMSettings(base_url={self.base_url!r}, model={self.model!r}, api_key='***', "
            f"timeout_s={self.timeout_s}, max_retries={self.max_retries}, mode={self.mode!r})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LLMSettings | None:
        """Settings from ``env``, or ``None`` when no LLM is configured (see module doc)."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        base_url, model = get("MEDIAPLAN_LLM_BASE_URL"), get("MEDIAPLAN_LLM_MODEL")
        if base_url is None or model is None:
            return None
        timeout_s = _parse(get("MEDIAPLAN_LLM_TIMEOUT_S"), float, 20.0, "MEDIAPLAN_LLM_TIMEOUT_S")
        retries = _parse(get("MEDIAPLAN_LLM_MAX_RETRIES"), int, 2, "MEDIAPLAN_LLM_MAX_RETRIES")
        mode = (get("MEDIAPLAN_LLM_MODE") or "tools").lower()
        if mode not in get_args(LLMMode):
            raise ValueError(
                f"MEDIAPLAN_LLM_MODE must be one of {', '.join(get_args(LLMMode))}; got {mode!r}"
            )
        if not (timeout_s > 0 and math.isfinite(timeout_s)):
            raise ValueError(f"MEDIAPLAN_LLM_TIMEOUT_S must be > 0; got {timeout_s}")
        if retries < 0:
            raise ValueError(f"MEDIAPLAN_LLM_MAX_RETRIES must be >= 0; got {retries}")
        return cls(
            base_url=base_url,
            model=model,
            api_key=get("OPENAI_API_KEY") or _PLACEHOLDER_KEY,
            timeout_s=timeout_s,
            max_retries=retries,
            mode=cast(LLMMode, mode),
        )


def _parse(raw: str | None, kind: type[_N], default: _N, name: str) -> _N:
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}; got {raw!r}") from None
