"""`AgentAnalysisWorkflow`: the multi-agent analysis, as a child of `PlanningWorkflow`.

Contract: runs the whole LangGraph planning graph as one activity,
``RunAgentAnalysisActivity`` (15 min per attempt, one retry, heartbeating; see
DESIGN.md beside this file for why one activity and not one per agent), and returns the
plan with the agents' decisions, insights and execution trace. The activity signals
``AgentProgressSignal`` each time an agent finishes; this workflow keeps the latest
progress (``GetAgentProgressQuery``) and forwards it to its parent, best effort. A
retried attempt restarts the progress. Cancelling this workflow cancels the activity
(the engine stops at the next agent boundary) and the workflow ends cancelled.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ActivityCancellationType, HandlerUnfinishedPolicy

with workflow.unsafe.imports_passed_through():
    from orchestration.workflows import names
    from orchestration.workflows.failures import NON_RETRYABLE_ERRORS
    from orchestration.workflows.models import (
        AgentAnalysisInput,
        AgentAnalysisResult,
        AgentProgress,
        AnalysisOutput,
        AnalysisRequest,
    )

__all__ = ["AgentAnalysisWorkflow"]


@workflow.defn(name=names.AGENT_ANALYSIS_WORKFLOW)
class AgentAnalysisWorkflow:
    """Coordinates the agents of one analysis (see the module docstring)."""

    @workflow.init
    def __init__(self, inp: AgentAnalysisInput) -> None:
        self._latest: AgentProgress | None = None

    @workflow.run
    async def run(self, inp: AgentAnalysisInput) -> AgentAnalysisResult:
        cfg = inp.config
        out: AnalysisOutput = await workflow.execute_activity(
            names.RUN_AGENT_ANALYSIS,
            AnalysisRequest(
                workspace_id=inp.workspace_id,
                campaign_id=inp.campaign_id,
                params=inp.params,
                narrate=cfg.narrate,
            ),
            result_type=AnalysisOutput,
            start_to_close_timeout=timedelta(seconds=cfg.timeout_s),
            heartbeat_timeout=timedelta(seconds=cfg.heartbeat_timeout_s),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=cfg.retry_initial_interval_s),
                maximum_attempts=cfg.max_attempts,
                non_retryable_error_types=list(NON_RETRYABLE_ERRORS),
            ),
            cancellation_type=ActivityCancellationType.TRY_CANCEL,
            summary="LangGraph planning graph: performance, market, budget, critic, synthesizer",
        )
        plan = out.plan
        return AgentAnalysisResult(
            plan=plan,
            agent_decisions={a.channel: a.spend for a in plan.allocations},
            insights=list(plan.insights),
            execution_trace=out.execution_trace,
            attempts=self._latest.attempt if self._latest else 1,
        )

    @workflow.signal(
        name=names.AGENT_PROGRESS_SIGNAL, unfinished_policy=HandlerUnfinishedPolicy.ABANDON
    )
    async def on_agent_progress(self, progress: AgentProgress) -> None:
        """An agent finished (sent by the analysis activity); forwarded to the parent."""
        if self._latest is not None and progress.attempt < self._latest.attempt:
            return  # a late signal from a superseded attempt
        if (
            self._latest is not None
            and progress.attempt == self._latest.attempt
            and len(progress.completed_agents) < len(self._latest.completed_agents)
        ):
            return  # reordered delivery; keep the newer snapshot
        self._latest = progress
        parent = workflow.info().parent
        if parent is None:
            return
        try:
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                names.AGENT_PROGRESS_SIGNAL, progress
            )
        except Exception as exc:  # the parent may have finished; progress is best effort
            workflow.logger.debug("progress not forwarded to %s: %s", parent.workflow_id, exc)

    @workflow.query(name=names.AGENT_PROGRESS_QUERY)
    def agent_progress(self) -> AgentProgress | None:
        """The latest progress, or None before the first agent finishes."""
        return self._latest
