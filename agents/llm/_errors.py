"""LLM failures, explained in words a media planner understands.

Contract: ``NarrationError`` is the one exception the project's narrators raise for any
LLM problem (timeout, connection, HTTP status, an answer that stays invalid after the
re-asks). ``reason`` is a short planner-readable phrase ("timed out after 20 s") and
``rejected`` tells an answer that was received but refused (unfaithful numbers, missing
texts) from no usable answer at all. ``describe_failure`` turns any exception into such
a ``NarrationError``; ``warning`` renders the one-line plan warning. Nothing here raises.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
from instructor.core import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import ValidationError

from agents.llm._models import NarrationInvalid

__all__ = ["NarrationError", "describe_failure"]


class NarrationError(Exception):
    """An LLM narration failed; the drafts should be used instead."""

    def __init__(self, reason: str, *, rejected: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        """Why, in a planner-readable phrase, e.g. "timed out after 20 s"."""
        self.rejected = rejected
        """True when an answer arrived but failed the checks (numbers, missing texts)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.reason, self.rejected))

    @property
    def warning(self) -> str:
        """The plan warning: ``LLM narrative unavailable (<reason>); deterministic text used``."""
        what = "rejected" if self.rejected else "unavailable"
        return f"LLM narrative {what} ({self.reason}); deterministic text used"


def _rebuild_error(reason: str, rejected: bool) -> NarrationError:
    return NarrationError(reason, rejected=rejected)


def _seconds(timeout_s: float) -> str:
    return f"{timeout_s:g} s"


def _invalid_reason(invalid: NarrationInvalid, attempts: int | None) -> str:
    lead = f"after {attempts} attempts it still " if attempts and attempts > 1 else "it "
    if invalid.unfaithful:
        examples = [n for numbers in invalid.unfaithful.values() for n in numbers][:3]
        quoted = ", ".join(f"“{n}”" for n in examples)
        return f"{lead}cited figures that are not in the plan: {quoted}"
    if invalid.missing:
        return f"{lead}left out {len(invalid.missing)} of the texts"
    if invalid.blank:
        return f"{lead}returned empty texts"
    return f"{lead}wrote texts that were far too long"


def _find_invalid(error: ValidationError) -> NarrationInvalid | None:
    for detail in error.errors():
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, NarrationInvalid):
            return cause
    return None


def _status_reason(error: openai.APIStatusError) -> str:
    status = error.status_code
    if status in (401, 403):
        meaning = "API key refused"
    elif status == 404:
        meaning = "unknown model or endpoint"
    elif status == 429:
        meaning = "too many requests"
    elif status >= 500:
        meaning = "server error"
    else:
        meaning = "request refused"
    return f"the LLM server answered HTTP {status}: {meaning}"


def describe_failure(
    exc: BaseException, *, timeout_s: float | None = None, attempts: int | None = None
) -> NarrationError:
    """A ``NarrationError`` explaining ``exc`` (instructor's retry wrapper is looked through).

    ``timeout_s`` is quoted in timeout reasons; ``attempts`` in rejection reasons.
    """
    if isinstance(exc, NarrationError):
        return exc
    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        n_attempts = exc.n_attempts if isinstance(exc.n_attempts, int) else attempts
        return describe_failure(exc.__cause__, timeout_s=timeout_s, attempts=n_attempts)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        took = f" after {_seconds(timeout_s)}" if timeout_s is not None else ""
        return NarrationError(f"timed out{took}")
    if isinstance(exc, openai.APIStatusError):
        return NarrationError(_status_reason(exc))
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return NarrationError("could not connect to the LLM server")
    if isinstance(exc, NarrationInvalid):
        return NarrationError(_invalid_reason(exc, attempts), rejected=True)
    if isinstance(exc, ValidationError):
        invalid = _find_invalid(exc)
        if invalid is not None:
            return NarrationError(_invalid_reason(invalid, attempts), rejected=True)
        lead = f"after {attempts} attempts " if attempts and attempts > 1 else ""
        return NarrationError(f"{lead}its answer did not have the expected shape", rejected=True)
    if isinstance(exc, json.JSONDecodeError | ResponseParsingError):
        lead = f"after {attempts} attempts " if attempts and attempts > 1 else ""
        return NarrationError(f"{lead}its answer could not be read", rejected=True)
    if isinstance(exc, IncompleteOutputException | openai.LengthFinishReasonError):
        return NarrationError("its answer was cut off at the output length limit", rejected=True)
    if isinstance(exc, openai.APIError):
        return NarrationError(f"the LLM server answered with an error ({type(exc).__name__})")
    return NarrationError(f"unexpected error: {type(exc).__name__}")
