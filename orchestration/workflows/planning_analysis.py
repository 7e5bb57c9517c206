"""`PlanningWorkflow`'s analysis phase: the agents as a child workflow, then the fallbacks.

Contract: `Analysis(state).analyse()` starts the child ``AgentAnalysisWorkflow``
(``{workflow id}-analysis-{attempt}``, execution timeout the analysis budget plus a small
margin) and waits for it, for the analysis budget at most. It returns an outcome:
``"done"`` (the agents' result is in ``state.analysis``), ``"failed"`` (the error in
``state.analysis_error``), ``"restart"`` (the parameters changed: the child was
cancelled), ``"cancelled"`` (the run was cancelled: so was the child) or ``"timeout"``
(the budget ran out: the child was cancelled and a warning added).
`Analysis.cancel_child()` cancels a running child and waits for it to end.

`Analysis.fallback(campaign)` never fails: it runs ``RunNumericAnalysisActivity`` (the
graph without the LLM, one attempt, heartbeating; skipped for ``InvalidPlanningInput``)
and, if that fails too, plans the heuristic historical mix in the workflow itself.
`heuristic(state, campaign, reason)` is that plan (non-retryable ``InvalidPlanningInput``
when even it cannot be made). Workflow code only.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.exceptions import ApplicationError, ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from agents.contract import Campaign, DistributionPlan
    from orchestration.workflows import names
    from orchestration.workflows.failures import (
        INVALID_INPUT_ERROR,
        describe_failure,
        failure_type,
    )
    from orchestration.workflows.heuristic import heuristic_plan
    from orchestration.workflows.models import (
        AgentAnalysisInput,
        AgentAnalysisResult,
        AgentConfig,
        AnalysisOutput,
        AnalysisRequest,
        Method,
    )

from orchestration.workflows.analysis import AgentAnalysisWorkflow
from orchestration.workflows.planning_calls import DeadlinePassed, call, retry, why
from orchestration.workflows.planning_state import PlanningState

__all__ = ["Analysis", "Outcome", "heuristic"]

Outcome = Literal["done", "restart", "cancelled", "timeout", "failed"]

_CHILD_TIMEOUT_MARGIN_S = 5.0


class Analysis:
    """The agent analysis of one run and its fallbacks (see the module docstring)."""

    def __init__(self, state: PlanningState) -> None:
        self._state = state
        self._child: workflow.ChildWorkflowHandle[Any, AgentAnalysisResult] | None = None

    async def analyse(self) -> Outcome:
        state = self._state
        state.phase = "analysis"
        state.attempt += 1
        state.agents_done = []
        state.analysis = None
        req, opts = state.request, state.request.options
        child_id = f"{workflow.info().workflow_id}-analysis-{state.attempt}"
        state.child_id = child_id
        version = state.params_version
        budget = state.analysis_budget_s()
        handle = await workflow.start_child_workflow(
            AgentAnalysisWorkflow.run,
            AgentAnalysisInput(
                workspace_id=req.workspace_id,
                campaign_id=req.campaign_id,
                params=state.analysis_params(),
                config=AgentConfig(
                    narrate=opts.narrate,
                    heartbeat_timeout_s=opts.heartbeat_timeout_s,
                    timeout_s=opts.timeouts.agent_analysis_s,
                    retry_initial_interval_s=opts.retry_initial_interval_s,
                ),
            ),
            id=child_id,
            execution_timeout=timedelta(seconds=budget + _CHILD_TIMEOUT_MARGIN_S),
            static_summary=f"agents for campaign {req.campaign_id} (attempt {state.attempt})",
        )
        self._child = handle
        try:
            await workflow.wait_condition(
                lambda: (
                    handle.done()
                    or version != state.params_version
                    or state.cancel_reason is not None
                ),
                timeout=timedelta(seconds=budget),
                timeout_summary="analysis deadline",
            )
        except TimeoutError:
            await self.cancel_child()
            state.warn(
                f"the agent analysis did not finish within the {opts.deadline_s:.0f} s budget; "
                "it was cancelled"
            )
            return "timeout"
        if version != state.params_version or state.cancel_reason is not None:
            await self.cancel_child()
            return "cancelled" if state.cancel_reason is not None else "restart"
        self._child = None
        try:
            state.analysis = handle.result()
        except (ChildWorkflowError, asyncio.CancelledError) as err:
            state.analysis_error = err
            return "failed"
        state.mark("AgentAnalysis")
        return "done"

    async def cancel_child(self) -> None:
        handle, self._child = self._child, None
        if handle is None:
            return
        if not handle.done():
            handle.cancel()
        with contextlib.suppress(ChildWorkflowError, asyncio.CancelledError):
            await handle

    async def fallback(self, campaign: Campaign) -> tuple[DistributionPlan, Method]:
        """The numeric engine without the LLM, else the heuristic: never fails."""
        state = self._state
        state.phase = "fallback"
        err = state.analysis_error
        assert err is not None
        reason = describe_failure(err)
        opts = state.request.options
        if failure_type(err) != INVALID_INPUT_ERROR:
            try:
                out = await call(
                    state,
                    names.RUN_NUMERIC_ANALYSIS,
                    AnalysisRequest(
                        workspace_id=state.request.workspace_id,
                        campaign_id=state.request.campaign_id,
                        params=state.analysis_params(),
                        narrate=False,
                        report_progress=False,
                    ),
                    AnalysisOutput,
                    opts.timeouts.numeric_analysis_s,
                    retry(1, opts.retry_initial_interval_s),
                    heartbeat_s=opts.heartbeat_timeout_s,
                )
            except (FailureError, DeadlinePassed) as numeric_err:
                reason += "; the numeric engine failed too: " + why(
                    numeric_err, names.RUN_NUMERIC_ANALYSIS
                )
            else:
                state.warn(
                    f"the agent analysis failed ({reason}); the numeric engine made this plan "
                    "without the LLM"
                )
                state.mark("Fallback")
                return out.plan, "numeric"
        state.mark("Fallback")
        return heuristic(state, campaign, f"the agent analysis failed ({reason})"), "heuristic"


def heuristic(state: PlanningState, campaign: Campaign, reason: str) -> DistributionPlan:
    """The heuristic historical mix from the gathered data (see the module docstring)."""
    try:
        return heuristic_plan(campaign, state.history, state.market, reason)
    except ValueError as exc:
        raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from None
