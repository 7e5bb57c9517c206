"""Planner-readable descriptions of Temporal failures, and the error types activities raise.

Contract: pure (safe in workflow code). `describe_failure(err)` follows an error's
wrappers (child workflow -> activity) to the error raised under them (application error,
timeout, cancellation; not that error's own causes) and returns one
sentence such as ``"FetchHistoricalPerformanceActivity timed out (start-to-close) after
its retries"``; `failure_type(err)` is that error's `ApplicationError.type` (or None).
The ``*_ERROR`` constants are the non-retryable application error types of the
planning activities.
"""

from __future__ import annotations

from typing import Final

from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
    FailureError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

__all__ = [
    "AGENTS_UNAVAILABLE_ERROR",
    "CAMPAIGN_NOT_FOUND_ERROR",
    "INVALID_INPUT_ERROR",
    "NON_RETRYABLE_ERRORS",
    "describe_failure",
    "failure_type",
]

CAMPAIGN_NOT_FOUND_ERROR: Final = "CampaignNotFound"
INVALID_INPUT_ERROR: Final = "InvalidPlanningInput"
AGENTS_UNAVAILABLE_ERROR: Final = "AgentsUnavailable"
NON_RETRYABLE_ERRORS: Final = (
    CAMPAIGN_NOT_FOUND_ERROR,
    INVALID_INPUT_ERROR,
    AGENTS_UNAVAILABLE_ERROR,
)

_TIMEOUTS = {
    TimeoutType.START_TO_CLOSE: "start-to-close",
    TimeoutType.SCHEDULE_TO_START: "schedule-to-start",
    TimeoutType.SCHEDULE_TO_CLOSE: "schedule-to-close",
    TimeoutType.HEARTBEAT: "heartbeat",
}


def _chain(err: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and len(out) < 10:
        out.append(current)
        current = current.cause if isinstance(current, FailureError) else current.__cause__
    return out


def _root(err: BaseException) -> BaseException:
    """The error under the child-workflow and activity wrappers (not its own causes)."""
    for e in _chain(err):
        if not isinstance(e, ActivityError | ChildWorkflowError):
            return e
    return err


def failure_type(err: BaseException) -> str | None:
    """The type of the application error an activity or child raised, if any."""
    root = _root(err)
    return root.type if isinstance(root, ApplicationError) else None


def describe_failure(err: BaseException, step: str = "") -> str:
    """One sentence saying what failed and why (see the module docstring); `step` names
    the step when the error does not (a local activity raises its error unwrapped)."""
    chain = _chain(err)
    who = ""
    retried = ""
    for e in chain:  # the innermost wrapper names the step that failed
        if isinstance(e, ActivityError):
            who = e.activity_type
            if e.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED:
                retried = " after its retries"
        elif isinstance(e, ChildWorkflowError):
            who = e.workflow_type
        else:
            break
    root = _root(err)
    if isinstance(root, TimeoutError):
        kind = _TIMEOUTS.get(root.type, "") if root.type is not None else ""
        what = f"timed out ({kind})" if kind else "timed out"
    elif isinstance(root, CancelledError):
        what = "was cancelled"
    elif isinstance(root, ApplicationError):
        what = f"failed: {root.message}"
    else:
        what = f"failed: {root}"
    return f"{who or step or 'the step'} {what}{retried}"
