"""`PlanningWorkflow`: gather data, run the agents, apply business rules, cache the plan.

Contract (the seed's §3; id ``planning-{campaign_id}-{timestamp}``, chosen by the caller):

1. **Gathering**, in parallel: ``GatherCampaignDataActivity`` (2 min, 3 retries),
   ``FetchHistoricalPerformanceActivity`` (5 min, 3 retries with backoff; only with
   ``include_historical``), ``GatherMarketInsightsActivity`` (3 min, 3 retries) and a
   plan-cache lookup. Without the campaign nothing can be planned and the workflow fails
   (``CampaignNotFound`` / ``InvalidPlanningInput``); every other gap is named in
   ``warnings`` and ``data_gaps`` and planning proceeds with what is available.
2. **Cache**: a fresh plan of the same campaign, parameters and data (the store's key)
   is returned as is, without running the agents (``from_cache``).
3. **Analysis**: the child ``AgentAnalysisWorkflow`` runs the agent graph and signals
   each finished agent back. If it fails (or the agents' circuit breaker is open) the
   numeric engine runs without the LLM; if that fails too, the heuristic historical mix
   is planned in the workflow itself. Each fallback is a warning and status ``degraded``.
4. **Recommendations**: ``GenerateRecommendationsActivity`` (2 min, 2 retries) applies
   the business rules; then the plan is cached (agents' plans without data gaps only)
   and the run is audited.

The activities that only read or write the store, or compute for milliseconds (the
gathering, the cache, the rules, the audit), run as *local* activities: same timeouts
and retries, no round trip through the server. The agents (long, CPU-heavy, heartbeating,
retried on another worker) and the numeric fallback are regular activities.

The whole run has a time budget (``options.deadline_s``, 20 min): no activity is given
time past it, and when the analysis cannot finish in it the best available result (the
heuristic plan from the gathered data) is returned with status ``timed_out``.

Messages: ``UpdateAnalysisParamsSignal`` / the ``UpdateAnalysisParams`` update change the
parameters while the data is gathered or analysed, restarting only the affected steps;
``CancelAnalysisSignal`` / the ``CancelAnalysis`` update (or a Temporal cancellation)
cancel the child and return the partial results (status ``cancelled``). The updates run
validators, so a rejected payload raises at the caller; the signals log and record it in
``warnings`` instead. Queries: ``GetAnalysisProgressQuery`` and ``GetPartialResultsQuery``.
Signal and update payloads are plain JSON objects validated here (so a bad document gets
a message naming its field rather than a decoding error).

Layout: this module is the workflow class (the run's control flow and its message
handlers); the steps live beside it, each with its own contract: `planning_state` (the
run's bookkeeping and time budget), `planning_calls` (activities within the budget),
`planning_gather` (gathering and validation), `planning_analysis` (the child and the
fallbacks), `planning_finish` (rules, cache, audit), `planning_messages` (parameter
changes and cancellation) and `planning_results` (the result and the queries).
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agents.contract import Campaign
    from orchestration.workflows import names
    from orchestration.workflows.models import (
        AgentProgress,
        AnalysisProgress,
        CancelAck,
        CancelAnalysis,
        ParamsUpdateAck,
        PartialResults,
        PlanningRequest,
        PlanningResult,
        UpdateAnalysisParams,
    )

from orchestration.workflows import planning_results
from orchestration.workflows.planning_analysis import Analysis, heuristic
from orchestration.workflows.planning_finish import audit, finish, from_cache, stopped
from orchestration.workflows.planning_gather import Gathering, validate
from orchestration.workflows.planning_messages import (
    apply_cancel,
    apply_params,
    check_cancel,
    check_params_update,
)
from orchestration.workflows.planning_state import PlanningState

__all__ = ["PlanningWorkflow"]


@workflow.defn(name=names.PLANNING_WORKFLOW)
class PlanningWorkflow:
    """Plans one campaign (see the module docstring)."""

    @workflow.init
    def __init__(self, request: PlanningRequest) -> None:
        self._state = PlanningState(request)
        self._gathering = Gathering(self._state)
        self._analysis = Analysis(self._state)

    # -- run ------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: PlanningRequest) -> PlanningResult:
        state = self._state
        try:
            result = await self._plan_campaign()
        except asyncio.CancelledError:
            # A Temporal cancellation of this run: stop the analysis, return what we have.
            state.cancel_reason = state.cancel_reason or "the planning workflow was cancelled"
            await self._stop_work()
            result = stopped(state)
        await audit(state, result)
        return result

    async def _plan_campaign(self) -> PlanningResult:
        state = self._state
        while True:
            version = state.params_version
            await self._gathering.gather()
            if state.cancel_reason is not None:
                await self._stop_work()
                return stopped(state)
            if version != state.params_version:
                continue
            campaign = validate(state)
            hit = state.cache
            if hit is not None and hit.plan is not None and state.request.options.use_cache:
                return from_cache(state, hit)
            if state.analysis_budget_s() <= 0:
                return await self._after_timeout(campaign)
            outcome = await self._analysis.analyse()
            if outcome != "restart":
                break
        if outcome == "cancelled":
            return stopped(state)
        if outcome == "timeout":
            return await self._after_timeout(campaign)
        if outcome == "failed":
            plan, method = await self._analysis.fallback(campaign)
            if state.cancelled():
                return stopped(state)
            return await finish(state, campaign, plan, method, "degraded")
        assert state.analysis is not None
        return await finish(state, campaign, state.analysis.plan, "agents", "completed")

    async def _after_timeout(self, campaign: Campaign) -> PlanningResult:
        state = self._state
        plan = heuristic(
            state,
            campaign,
            f"out of time ({state.request.options.deadline_s:.0f} s budget): the heuristic "
            "historical mix is the best available plan",
        )
        state.mark("Fallback")
        return await finish(state, campaign, plan, "heuristic", "timed_out")

    async def _stop_work(self) -> None:
        self._gathering.stop()
        await self._analysis.cancel_child()

    # -- signals and updates --------------------------------------------------------

    @workflow.signal(name=names.UPDATE_PARAMS_SIGNAL)
    def update_params_signal(self, payload: dict[str, Any]) -> None:
        """Change the analysis parameters (invalid or late payloads become a warning)."""
        try:
            message = check_params_update(self._state, payload)
        except ValueError as exc:
            self._state.warn(f"{names.UPDATE_PARAMS_SIGNAL} ignored: {exc}")
            return
        apply_params(self._state, message)

    @workflow.update(name=names.UPDATE_PARAMS_UPDATE)
    def update_params(self, payload: dict[str, Any]) -> ParamsUpdateAck:
        """Change the analysis parameters; the validator rejects what cannot be applied."""
        return apply_params(self._state, UpdateAnalysisParams.model_validate(payload))

    @update_params.validator
    def _validate_update_params(self, payload: dict[str, Any]) -> None:
        check_params_update(self._state, payload)

    @workflow.signal(name=names.CANCEL_SIGNAL)
    def cancel_signal(self, payload: dict[str, Any]) -> None:
        """Cancel the analysis and return the partial results (bad payloads: a warning)."""
        if payload.get("request_id") in self._state.seen_requests:
            return  # a repeated request
        try:
            message = check_cancel(self._state, payload)
        except ValueError as exc:
            self._state.warn(f"{names.CANCEL_SIGNAL} ignored: {exc}")
            return
        apply_cancel(self._state, message)

    @workflow.update(name=names.CANCEL_UPDATE)
    def cancel(self, payload: dict[str, Any]) -> CancelAck:
        """Cancel the analysis; the validator rejects a finished run or a missing reason."""
        return apply_cancel(self._state, CancelAnalysis.model_validate(payload))

    @cancel.validator
    def _validate_cancel(self, payload: dict[str, Any]) -> None:
        check_cancel(self._state, payload)

    @workflow.signal(
        name=names.AGENT_PROGRESS_SIGNAL,
        unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON,
    )
    def on_agent_progress(self, progress: AgentProgress) -> None:
        """An agent of the current analysis finished (forwarded by the child)."""
        state = self._state
        if progress.analysis_id == state.child_id and state.phase == "analysis":
            state.agents_done = list(dict.fromkeys(progress.completed_agents))

    # -- queries --------------------------------------------------------------------

    @workflow.query(name=names.PROGRESS_QUERY)
    def progress(self) -> AnalysisProgress:
        """Phase, percent, estimated seconds left, completed steps."""
        return planning_results.progress(self._state)

    @workflow.query(name=names.PARTIAL_RESULTS_QUERY)
    def partial_results(self) -> PartialResults:
        """What is available so far and what is still missing."""
        return planning_results.partial_results(self._state)
