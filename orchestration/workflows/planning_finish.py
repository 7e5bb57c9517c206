"""How a `PlanningWorkflow` run ends: business rules, cache, audit, or partial results.

Contract: `finish(state, campaign, plan, method, status)` applies the business rules
(``GenerateRecommendationsActivity``, 2 min, 2 retries, local; if they fail the plan is
kept as it is and a warning says so), caches the plan when the agents made it without
data gaps and the run completed (a failed cache write is a warning), and returns the
result. `from_cache(state, hit)` is the result of a cache hit, `stopped(state)` that of a
cancelled run (the partial results, status ``cancelled``). `audit(state, result)` writes
the run's audit record (``AuditPlanActivity``, local); a failure is only logged.
Workflow code only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from agents.contract import Campaign, DistributionPlan
    from orchestration.workflows import names
    from orchestration.workflows.models import (
        AuditInput,
        CacheLookup,
        CachePlanInput,
        Method,
        PlanningResult,
        RecommendationsInput,
        RecommendationsOutput,
        Status,
    )

from orchestration.workflows.planning_calls import DeadlinePassed, call, retry, why
from orchestration.workflows.planning_results import planning_result
from orchestration.workflows.planning_state import PlanningState

__all__ = ["audit", "finish", "from_cache", "stopped"]


async def finish(
    state: PlanningState, campaign: Campaign, plan: DistributionPlan, method: Method, status: Status
) -> PlanningResult:
    state.method = method
    state.plan = plan
    state.phase = "recommendations"
    opts = state.request.options
    try:
        out = await call(
            state,
            names.GENERATE_RECOMMENDATIONS,
            RecommendationsInput(
                workspace_id=state.request.workspace_id,
                campaign_id=state.request.campaign_id,
                campaign=campaign,
                plan=plan,
                method=method,
                params=state.params,
                data_gaps=sorted(state.gaps),
            ),
            RecommendationsOutput,
            opts.timeouts.recommendations_s,
            retry(3, opts.retry_initial_interval_s),
            local=True,
        )
    except (FailureError, DeadlinePassed) as err:
        reason = why(err, names.GENERATE_RECOMMENDATIONS)
        state.warn(f"business rules not applied ({reason})")
    else:
        plan = state.plan = out.plan
        state.mark("GenerateRecommendations")
    state.phase = "caching"
    if method == "agents" and status == "completed" and not state.gaps and state.cache:
        await _store_in_cache(state, plan, state.cache.cache_key)
    state.mark("CachePlan")
    state.phase = "timed_out" if status == "timed_out" else "completed"
    return planning_result(state, status, method, plan)


async def _store_in_cache(state: PlanningState, plan: DistributionPlan, key: str) -> None:
    opts = state.request.options
    try:
        await call(
            state,
            names.CACHE_PLAN,
            CachePlanInput(
                workspace_id=state.request.workspace_id,
                campaign_id=state.request.campaign_id,
                cache_key=key,
                plan=plan,
                ttl_s=opts.cache_ttl_s,
            ),
            type(None),
            opts.timeouts.store_s,
            retry(3, opts.retry_initial_interval_s, backoff=2.0),
            local=True,
        )
    except (FailureError, DeadlinePassed) as err:
        state.warn(f"the plan was not cached ({why(err, names.CACHE_PLAN)})")


def from_cache(state: PlanningState, hit: CacheLookup) -> PlanningResult:
    assert hit.plan is not None
    state.method, state.plan = "cache", hit.plan
    state.mark("CachePlan")
    state.phase = "completed"
    return planning_result(state, "completed", "cache", hit.plan)


def stopped(state: PlanningState) -> PlanningResult:
    state.phase = "cancelled"
    state.warn(f"cancelled: {state.cancel_reason}")
    plan = state.best_plan()
    method = state.method or ("agents" if plan is not None else None)
    return planning_result(state, "cancelled", method, plan)


async def audit(state: PlanningState, result: PlanningResult) -> None:
    plan = result.distribution_plan
    details: dict[str, Any] = {
        "workflow_id": result.workflow_id,
        "status": result.status,
        "method": result.method,
        "from_cache": result.from_cache,
        "warnings": len(result.warnings),
        "params": result.analysis_params.model_dump(mode="json"),
    }
    if plan is not None:
        details |= {
            "total_spend": plan.total_spend,
            "expected_outcome": plan.expected_outcome,
            "channels": len(plan.allocations),
        }
    try:
        await workflow.execute_local_activity(
            names.AUDIT_PLAN,
            AuditInput(
                workspace_id=result.workspace_id,
                action=f"plan.{result.status}",
                subject=result.workflow_id,
                actor=state.request.user_id,
                details=details,
            ),
            start_to_close_timeout=timedelta(seconds=state.request.options.timeouts.store_s),
            retry_policy=retry(3, state.request.options.retry_initial_interval_s, 2.0),
        )
    except FailureError as err:
        workflow.logger.warning("audit record not written: %s", why(err, names.AUDIT_PLAN))
