"""How `PlanningWorkflow` runs its activities: within the time budget, with its retries.

Contract: `call(state, activity, arg, result_type, timeout_s, policy, ...)` runs one
activity (``local=True``: as a local activity, in this worker without a round trip
through the server) with its start-to-close timeout capped at what is left of the run's
budget and a schedule-to-close timeout of exactly that; with no time left it raises
`DeadlinePassed` without scheduling anything. `retry(attempts, initial_s, ...)` is a
retry policy that never retries the planning activities' non-retryable error types.
`why(err, step)` is one planner-readable sentence for an activity failure or a
`DeadlinePassed`. Workflow code only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar, cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from orchestration.workflows.failures import NON_RETRYABLE_ERRORS, describe_failure

if TYPE_CHECKING:
    from orchestration.workflows.planning_state import PlanningState

__all__ = ["DeadlinePassed", "call", "retry", "why"]

_T = TypeVar("_T")


class DeadlinePassed(Exception):
    """The run's time budget is spent; the step was not started."""


def retry(
    attempts: int, initial_s: float, backoff: float = 1.0, max_interval_s: float | None = None
) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=initial_s),
        backoff_coefficient=backoff,
        maximum_interval=None if max_interval_s is None else timedelta(seconds=max_interval_s),
        maximum_attempts=attempts,
        non_retryable_error_types=list(NON_RETRYABLE_ERRORS),
    )


def why(err: BaseException, step: str) -> str:
    return describe_failure(err, step) if isinstance(err, FailureError) else str(err)


async def call(
    state: PlanningState,
    activity: str,
    arg: BaseModel,
    result_type: type[_T],
    timeout_s: float,
    policy: RetryPolicy,
    *,
    heartbeat_s: float | None = None,
    local: bool = False,
) -> _T:
    """Run an activity within what is left of the run's budget (`local`: in this
    worker, without a round trip through the server; for short store and CPU work)."""
    remaining = state.remaining_s()
    if remaining <= 0:
        raise DeadlinePassed(f"{activity} not started: the time budget is spent")
    if local:
        result = await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=timedelta(seconds=min(timeout_s, remaining)),
            schedule_to_close_timeout=timedelta(seconds=remaining),
            retry_policy=policy,
        )
    else:
        result = await workflow.execute_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=timedelta(seconds=min(timeout_s, remaining)),
            schedule_to_close_timeout=timedelta(seconds=remaining),
            heartbeat_timeout=None if heartbeat_s is None else timedelta(seconds=heartbeat_s),
            retry_policy=policy,
        )
    return cast(_T, result)
