"""What a `PlanningWorkflow` run reports: its result and the answers to its queries.

Contract: pure views of a `PlanningState` (they read the workflow's id and clock, issue
no commands). `planning_result(state, status, method, plan)` is the run's
`PlanningResult`: the plan's own warnings after the run's, the cache fields, the
completed steps, the data gaps and, for ``cancelled`` and ``timed_out``, the partial
results. `partial_results(state)` (``GetPartialResultsQuery``) is what is available and
what is still missing; `progress(state)` (``GetAnalysisProgressQuery``) is the phase,
percent, estimated seconds left and completed steps, ``done`` once the phase is final.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agents.contract import DistributionPlan
    from orchestration.workflows.models import (
        AnalysisProgress,
        AvailableData,
        Method,
        PartialResults,
        Phase,
        PlanningResult,
        Status,
    )
    from orchestration.workflows.progress import estimate_remaining, percent_complete
    from orchestration.workflows.scope import step_keys

from orchestration.workflows.planning_state import PlanningState

__all__ = ["FINAL_PHASES", "partial_results", "planning_result", "progress"]

FINAL_PHASES: tuple[Phase, ...] = ("completed", "cancelled", "timed_out")


def planning_result(
    state: PlanningState, status: Status, method: Method | None, plan: DistributionPlan | None
) -> PlanningResult:
    warnings = list(state.warnings)
    for w in plan.warnings if plan is not None else []:
        if w not in warnings:
            warnings.append(w)
    from_cache = method == "cache"
    return PlanningResult(
        workflow_id=workflow.info().workflow_id,
        campaign_id=state.request.campaign_id,
        workspace_id=state.request.workspace_id,
        status=status,
        method=method,
        distribution_plan=plan,
        insights=list(plan.insights) if plan else [],
        confidence_scores=plan.confidence_scores if plan else None,
        recommendations=list(plan.recommendations) if plan else [],
        warnings=warnings,
        analysis_params=state.params,
        from_cache=from_cache,
        cache_key=state.cache.cache_key if state.cache else None,
        cached_at=state.cache.cached_at if (from_cache and state.cache) else None,
        completed_steps=state.completed_steps(),
        data_gaps=dict(state.gaps),
        partial_results=(partial_results(state) if status in ("cancelled", "timed_out") else None),
    )


def progress(state: PlanningState) -> AnalysisProgress:
    """Phase, percent, estimated seconds left, completed steps."""
    steps = state.completed_steps()
    skipped = [] if "history" in step_keys(state.params) else ["FetchHistoricalPerformance"]
    final = state.phase in FINAL_PHASES
    percent = percent_complete([*steps, *skipped], final=final)
    elapsed = max((workflow.now() - state.started).total_seconds(), 0.0)
    return AnalysisProgress(
        workflow_id=workflow.info().workflow_id,
        campaign_id=state.request.campaign_id,
        current_phase=state.phase,
        percent_complete=percent,
        estimated_time_remaining=estimate_remaining(elapsed, percent),
        completed_steps=steps,
        elapsed_s=round(elapsed, 3),
        analysis_attempt=state.attempt,
        params_version=state.params_version,
        warnings=list(state.warnings),
        done=final,
    )


def partial_results(state: PlanningState) -> PartialResults:
    """What is available so far and what is still missing."""
    plan = state.best_plan()
    missing: list[str] = []
    if state.campaign is None:
        missing.append("campaign_data")
    if state.params.include_historical and state.history is None:
        missing.append("historical_performance")
    if state.market is None:
        missing.append("market_insights")
    if state.analysis is None and state.method != "cache":
        missing.append("agent_analysis")
    if plan is None:
        missing.append("distribution_plan")
    if "GenerateRecommendations" not in state.done and state.method != "cache":
        missing.append("recommendations")
    return PartialResults(
        workflow_id=workflow.info().workflow_id,
        completion_status=state.phase,
        available_data=AvailableData(
            campaign=state.campaign,
            historical_performance=state.history,
            market_insights=state.market,
            completed_agents=list(state.agents_done),
            distribution_plan=plan,
        ),
        missing_components=missing,
        data_gaps=dict(state.gaps),
    )
