"""`PlanningWorkflow`'s messages: changing the analysis parameters, cancelling the run.

Contract: state bookkeeping only (no Temporal commands), shared by the signal and the
update of each operation. `check_params_update(state, payload)` returns the validated
`UpdateAnalysisParams`, or raises `ValueError` saying why it cannot be applied now: the
run is cancelled or past the analysis ("too late"), the payload is malformed (the message
names the field), or the new parameters would leave nothing to plan.
`apply_params(state, message)` applies it once per ``request_id``, bumps
``params_version`` when something changed and acknowledges the restarted steps.
`check_cancel` / `apply_cancel` do the same for `CancelAnalysis` (cancellable until the
business rules start; the reason is kept in ``state.cancel_reason``).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from orchestration.errors import describe_validation_error
    from orchestration.workflows.models import (
        CancelAck,
        CancelAnalysis,
        ParamsUpdateAck,
        Phase,
        UpdateAnalysisParams,
    )
    from orchestration.workflows.scope import affected_steps, effective_campaign

from orchestration.workflows.planning_state import PlanningState

__all__ = [
    "CANCELLABLE_PHASES",
    "PARAMS_CHANGEABLE_PHASES",
    "apply_cancel",
    "apply_params",
    "check_cancel",
    "check_params_update",
]

PARAMS_CHANGEABLE_PHASES: tuple[Phase, ...] = (
    "starting",
    "gathering_data",
    "validating",
    "analysis",
)
CANCELLABLE_PHASES: tuple[Phase, ...] = (*PARAMS_CHANGEABLE_PHASES, "fallback")


def _invalid(err: ValidationError, what: str) -> ValueError:
    return ValueError(f"invalid {what}: " + "; ".join(describe_validation_error(err)))


def check_params_update(state: PlanningState, payload: dict[str, Any]) -> UpdateAnalysisParams:
    """The validated message, or ValueError saying why it cannot be applied now."""
    if state.cancel_reason is not None:
        raise ValueError("the analysis was cancelled")
    if state.phase not in PARAMS_CHANGEABLE_PHASES:
        raise ValueError(
            f"too late to change the analysis parameters: the run is in phase {state.phase}"
        )
    try:
        message = UpdateAnalysisParams.model_validate(payload)
        new = message.analysis_params.apply(state.params)
    except ValidationError as exc:
        raise _invalid(exc, "UpdateAnalysisParams payload") from None
    if state.campaign is not None:
        channels = state.history_channels()
        effective_campaign(state.campaign.campaign, new, channels)  # ValueError if unplannable
    return message


def apply_params(state: PlanningState, message: UpdateAnalysisParams) -> ParamsUpdateAck:
    if message.request_id is not None:
        if message.request_id in state.seen_requests:
            return _params_ack(state, [], "duplicate request ignored")
        state.seen_requests.add(message.request_id)
    new = message.analysis_params.apply(state.params)
    restarted = affected_steps(state.params, new)
    if not restarted:
        return _params_ack(state, [], "no change")
    state.params = new
    state.params_version += 1
    why = f" ({message.reason})" if message.reason else ""
    workflow.logger.info("analysis parameters updated%s; restarting %s", why, restarted)
    return _params_ack(state, restarted, f"restarting {', '.join(restarted)}")


def _params_ack(state: PlanningState, restarted: list[str], message: str) -> ParamsUpdateAck:
    return ParamsUpdateAck(
        accepted=True,
        params_version=state.params_version,
        analysis_params=state.params,
        restarted_steps=restarted,
        message=message,
    )


def check_cancel(state: PlanningState, payload: dict[str, Any]) -> CancelAnalysis:
    """The validated message, or ValueError saying why the run cannot be cancelled now."""
    if state.cancel_reason is not None:
        raise ValueError("the analysis is already cancelled")
    if state.phase not in CANCELLABLE_PHASES:
        raise ValueError(f"nothing to cancel: the run is in phase {state.phase}")
    try:
        return CancelAnalysis.model_validate(payload)
    except ValidationError as exc:
        raise _invalid(exc, "CancelAnalysis payload") from None


def apply_cancel(state: PlanningState, message: CancelAnalysis) -> CancelAck:
    if message.request_id is not None:
        state.seen_requests.add(message.request_id)
    state.cancel_reason = message.reason
    workflow.logger.info("analysis cancelled: %s", message.reason)
    return CancelAck(
        cancelled=True,
        phase=state.phase,
        message=f"cancelling in phase {state.phase}; partial results follow",
    )
