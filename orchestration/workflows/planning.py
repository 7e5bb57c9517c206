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
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypeVar, cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from agents.contract import Campaign, DistributionPlan
    from orchestration.errors import describe_validation_error
    from orchestration.workflows import names
    from orchestration.workflows.failures import (
        CAMPAIGN_NOT_FOUND_ERROR,
        INVALID_INPUT_ERROR,
        NON_RETRYABLE_ERRORS,
        describe_failure,
        failure_type,
    )
    from orchestration.workflows.heuristic import heuristic_plan
    from orchestration.workflows.models import (
        AgentAnalysisInput,
        AgentAnalysisResult,
        AgentConfig,
        AgentProgress,
        AnalysisOutput,
        AnalysisParams,
        AnalysisProgress,
        AnalysisRequest,
        AuditInput,
        AvailableData,
        CacheLookup,
        CacheLookupInput,
        CachePlanInput,
        CampaignData,
        CampaignDataInput,
        CancelAck,
        CancelAnalysis,
        HistoricalPerformance,
        HistoricalPerformanceInput,
        MarketInsights,
        MarketInsightsInput,
        Method,
        ParamsUpdateAck,
        PartialResults,
        Phase,
        PlanningRequest,
        PlanningResult,
        RecommendationsInput,
        RecommendationsOutput,
        Status,
        UpdateAnalysisParams,
    )
    from orchestration.workflows.progress import (
        agent_step,
        estimate_remaining,
        percent_complete,
    )
    from orchestration.workflows.scope import (
        affected_steps,
        cache_params,
        effective_campaign,
        step_keys,
    )

from orchestration.workflows.analysis import AgentAnalysisWorkflow

__all__ = ["PlanningWorkflow"]

_T = TypeVar("_T")
_Outcome = Literal["done", "restart", "cancelled", "timeout", "failed"]

_STEP_LABELS = {
    "campaign": "GatherCampaignData",
    "history": "FetchHistoricalPerformance",
    "market": "GatherMarketInsights",
    "cache": "LookupCachedPlan",
}
_COMPONENTS = {
    "campaign": "campaign_data",
    "history": "historical_performance",
    "market": "market_insights",
    "cache": "plan_cache",
}
_PARAMS_CHANGEABLE: tuple[Phase, ...] = ("starting", "gathering_data", "validating", "analysis")
_CANCELLABLE: tuple[Phase, ...] = (*_PARAMS_CHANGEABLE, "fallback")
_FINAL: tuple[Phase, ...] = ("completed", "cancelled", "timed_out")
_FINISH_RESERVE_S = 30.0
"""Time kept after the analysis for the business rules, the cache and the audit."""
_CHILD_TIMEOUT_MARGIN_S = 5.0


class _DeadlinePassed(Exception):
    """The run's time budget is spent; the step was not started."""


@dataclass
class _Step:
    key: str
    task: asyncio.Task[None]


def _retry(
    attempts: int, initial_s: float, backoff: float = 1.0, max_interval_s: float | None = None
) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=initial_s),
        backoff_coefficient=backoff,
        maximum_interval=None if max_interval_s is None else timedelta(seconds=max_interval_s),
        maximum_attempts=attempts,
        non_retryable_error_types=list(NON_RETRYABLE_ERRORS),
    )


_ACTIVITIES = {
    "campaign": names.GATHER_CAMPAIGN_DATA,
    "history": names.FETCH_HISTORICAL_PERFORMANCE,
    "market": names.GATHER_MARKET_INSIGHTS,
    "cache": names.LOOKUP_CACHED_PLAN,
}


def _why(err: BaseException, step: str) -> str:
    return describe_failure(err, step) if isinstance(err, FailureError) else str(err)


def _invalid(err: ValidationError, what: str) -> ValueError:
    return ValueError(f"invalid {what}: " + "; ".join(describe_validation_error(err)))


@workflow.defn(name=names.PLANNING_WORKFLOW)
class PlanningWorkflow:
    """Plans one campaign (see the module docstring)."""

    @workflow.init
    def __init__(self, request: PlanningRequest) -> None:
        self._request = request
        self._params = request.analysis_params
        self._params_version = 0
        self._phase: Phase = "starting"
        self._done: list[str] = []
        self._warnings: list[str] = []
        self._gaps: dict[str, str] = {}
        self._steps: dict[str, _Step] = {}
        self._campaign: CampaignData | None = None
        self._history: HistoricalPerformance | None = None
        self._market: MarketInsights | None = None
        self._cache: CacheLookup | None = None
        self._attempt = 0
        self._child: workflow.ChildWorkflowHandle[Any, AgentAnalysisResult] | None = None
        self._child_id: str | None = None
        self._agents_done: list[str] = []
        self._analysis: AgentAnalysisResult | None = None
        self._analysis_error: BaseException | None = None
        self._campaign_error: FailureError | None = None
        self._plan: DistributionPlan | None = None
        self._method: Method | None = None
        self._cancel_reason: str | None = None
        self._seen_requests: set[str] = set()
        self._started = workflow.info().start_time
        self._deadline = self._started + timedelta(seconds=request.options.deadline_s)

    # -- run ------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: PlanningRequest) -> PlanningResult:
        try:
            result = await self._plan_campaign()
        except asyncio.CancelledError:
            # A Temporal cancellation of this run: stop the analysis, return what we have.
            self._cancel_reason = self._cancel_reason or "the planning workflow was cancelled"
            await self._stop_work()
            result = self._stopped()
        await self._audit(result)
        return result

    async def _plan_campaign(self) -> PlanningResult:
        while True:
            version = self._params_version
            await self._gather()
            if self._cancel_reason is not None:
                await self._stop_work()
                return self._stopped()
            if version != self._params_version:
                continue
            campaign = self._validate()
            hit = self._cache
            if hit is not None and hit.plan is not None and self._request.options.use_cache:
                return self._from_cache(hit)
            if self._analysis_budget_s() <= 0:
                return await self._after_timeout(campaign)
            outcome = await self._analyse()
            if outcome != "restart":
                break
        if outcome == "cancelled":
            return self._stopped()
        if outcome == "timeout":
            return await self._after_timeout(campaign)
        if outcome == "failed":
            plan, method = await self._fallback(campaign)
            if self._cancelled():
                return self._stopped()
            return await self._finish(campaign, plan, method, "degraded")
        assert self._analysis is not None
        return await self._finish(campaign, self._analysis.plan, "agents", "completed")

    # -- gathering ------------------------------------------------------------------

    async def _gather(self) -> None:
        self._phase = "gathering_data"
        while True:
            version = self._params_version
            self._schedule_steps()
            await workflow.wait_condition(functools.partial(self._gather_settled, version))
            if version == self._params_version or self._cancel_reason is not None:
                return

    def _gather_settled(self, version: int) -> bool:
        return (
            all(s.task.done() for s in self._steps.values())
            or version != self._params_version
            or self._cancel_reason is not None
        )

    def _schedule_steps(self) -> None:
        """Start the steps the current parameters need; keep those whose inputs are unchanged."""
        wanted = step_keys(self._params)
        for step in list(self._steps):
            if step not in wanted:
                self._drop_step(step)
        for step, key in wanted.items():
            current = self._steps.get(step)
            if current is not None and current.key == key:
                continue
            if current is not None:
                self._drop_step(step)
            self._steps[step] = _Step(key, asyncio.create_task(self._run_step(step, key)))

    def _drop_step(self, step: str) -> None:
        current = self._steps.pop(step)
        if not current.task.done():
            current.task.cancel()
        self._unmark(_STEP_LABELS[step])
        self._gaps.pop(_COMPONENTS[step], None)
        if step == "history":
            self._history = None
        elif step == "market":
            self._market = None
        elif step == "cache":
            self._cache = None

    def _current(self, step: str, key: str) -> bool:
        current = self._steps.get(step)
        return current is not None and current.key == key

    async def _run_step(self, step: str, key: str) -> None:
        req, opts = self._request, self._request.options
        t, initial = opts.timeouts, opts.retry_initial_interval_s
        ws, cid = req.workspace_id, req.campaign_id
        try:
            if step == "campaign":
                campaign = await self._call(
                    names.GATHER_CAMPAIGN_DATA,
                    CampaignDataInput(workspace_id=ws, campaign_id=cid),
                    CampaignData,
                    t.campaign_data_s,
                    _retry(4, initial),
                    local=True,
                )
                if self._current(step, key):
                    self._campaign = campaign
            elif step == "history":
                history = await self._call(
                    names.FETCH_HISTORICAL_PERFORMANCE,
                    HistoricalPerformanceInput(
                        workspace_id=ws,
                        campaign_id=cid,
                        platforms=self._params.platforms,
                        date_range=self._params.date_range,
                    ),
                    HistoricalPerformance,
                    t.historical_performance_s,
                    _retry(4, initial, backoff=2.0, max_interval_s=60.0),
                    local=True,
                )
                if self._current(step, key):
                    self._history = history
            elif step == "market":
                market = await self._call(
                    names.GATHER_MARKET_INSIGHTS,
                    MarketInsightsInput(
                        workspace_id=ws, campaign_id=cid, platforms=self._params.platforms
                    ),
                    MarketInsights,
                    t.market_insights_s,
                    _retry(4, initial),
                    local=True,
                )
                if self._current(step, key):
                    self._market = market
            else:
                lookup = await self._call(
                    names.LOOKUP_CACHED_PLAN,
                    CacheLookupInput(workspace_id=ws, campaign_id=cid, params=self._cache_params()),
                    CacheLookup,
                    t.store_s,
                    _retry(3, initial, backoff=2.0),
                    local=True,
                )
                if self._current(step, key):
                    self._cache = lookup
        except (FailureError, _DeadlinePassed) as err:
            if self._current(step, key):
                self._gaps[_COMPONENTS[step]] = _why(err, _ACTIVITIES[step])
                if step == "campaign" and isinstance(err, FailureError):
                    self._campaign_error = err
            return
        if self._current(step, key):
            self._mark(_STEP_LABELS[step])

    def _cache_params(self) -> dict[str, Any]:
        return cache_params(self._params, narrate=self._request.options.narrate)

    # -- validation -----------------------------------------------------------------

    def _validate(self) -> Campaign:
        """The campaign to plan; fails the run when there is none. Names the data gaps."""
        self._phase = "validating"
        req = self._request
        if self._campaign is None:
            reason = self._gaps.get("campaign_data", "no campaign data")
            err = self._campaign_error
            kind = failure_type(err) if err is not None else None
            raise ApplicationError(
                f"cannot plan campaign {req.campaign_id!r} in workspace {req.workspace_id!r}: "
                f"{reason}",
                type=kind if kind == CAMPAIGN_NOT_FOUND_ERROR else "CampaignDataUnavailable",
                non_retryable=True,
            )
        channels = [h.channel for h in self._history.channels] if self._history else []
        try:
            campaign = effective_campaign(self._campaign.campaign, self._params, channels)
        except ValueError as exc:
            raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from None
        if campaign.channels is None and not channels:
            raise ApplicationError(
                f"campaign {req.campaign_id!r} lists no channels and has no history to "
                "take them from; nothing to plan",
                type=INVALID_INPUT_ERROR,
                non_retryable=True,
            )
        self._note_gaps()
        self._mark("ValidateData")
        return campaign

    def _note_gaps(self) -> None:
        gap = self._gaps.get("historical_performance")
        if gap is not None:
            self._warn(
                f"historical performance unavailable ({gap}); every channel is planned from "
                "market benchmarks"
            )
        elif self._params.include_historical and self._history and self._history.rows == 0:
            self._warn(
                "no historical performance in the window; every channel is planned from "
                "market benchmarks"
            )
        gap = self._gaps.get("market_insights")
        if gap is not None:
            self._warn(f"market insights unavailable ({gap}); the built-in benchmarks are used")
        gap = self._gaps.get("plan_cache")
        if gap is not None:
            self._warn(f"plan cache unavailable ({gap}); the plan is computed afresh")

    def _analysis_params(self) -> AnalysisParams:
        """The parameters the analysis uses: without history when it could not be fetched."""
        if "historical_performance" in self._gaps and self._params.include_historical:
            return self._params.model_copy(update={"include_historical": False})
        return self._params

    # -- analysis -------------------------------------------------------------------

    async def _analyse(self) -> _Outcome:
        self._phase = "analysis"
        self._attempt += 1
        self._agents_done = []
        self._analysis = None
        req, opts = self._request, self._request.options
        child_id = f"{workflow.info().workflow_id}-analysis-{self._attempt}"
        self._child_id = child_id
        version = self._params_version
        budget = self._analysis_budget_s()
        handle = await workflow.start_child_workflow(
            AgentAnalysisWorkflow.run,
            AgentAnalysisInput(
                workspace_id=req.workspace_id,
                campaign_id=req.campaign_id,
                params=self._analysis_params(),
                config=AgentConfig(
                    narrate=opts.narrate,
                    heartbeat_timeout_s=opts.heartbeat_timeout_s,
                    timeout_s=opts.timeouts.agent_analysis_s,
                    retry_initial_interval_s=opts.retry_initial_interval_s,
                ),
            ),
            id=child_id,
            execution_timeout=timedelta(seconds=budget + _CHILD_TIMEOUT_MARGIN_S),
            static_summary=f"agents for campaign {req.campaign_id} (attempt {self._attempt})",
        )
        self._child = handle
        try:
            await workflow.wait_condition(
                lambda: (
                    handle.done()
                    or version != self._params_version
                    or self._cancel_reason is not None
                ),
                timeout=timedelta(seconds=budget),
                timeout_summary="analysis deadline",
            )
        except TimeoutError:
            await self._cancel_child()
            self._warn(
                f"the agent analysis did not finish within the {opts.deadline_s:.0f} s budget; "
                "it was cancelled"
            )
            return "timeout"
        if version != self._params_version or self._cancel_reason is not None:
            await self._cancel_child()
            return "cancelled" if self._cancel_reason is not None else "restart"
        self._child = None
        try:
            self._analysis = handle.result()
        except (ChildWorkflowError, asyncio.CancelledError) as err:
            self._analysis_error = err
            return "failed"
        self._mark("AgentAnalysis")
        return "done"

    async def _cancel_child(self) -> None:
        handle, self._child = self._child, None
        if handle is None:
            return
        if not handle.done():
            handle.cancel()
        with contextlib.suppress(ChildWorkflowError, asyncio.CancelledError):
            await handle

    async def _fallback(self, campaign: Campaign) -> tuple[DistributionPlan, Method]:
        """The numeric engine without the LLM, else the heuristic: never fails."""
        self._phase = "fallback"
        err = self._analysis_error
        assert err is not None
        reason = describe_failure(err)
        opts = self._request.options
        if failure_type(err) != INVALID_INPUT_ERROR:
            try:
                out = await self._call(
                    names.RUN_NUMERIC_ANALYSIS,
                    AnalysisRequest(
                        workspace_id=self._request.workspace_id,
                        campaign_id=self._request.campaign_id,
                        params=self._analysis_params(),
                        narrate=False,
                        report_progress=False,
                    ),
                    AnalysisOutput,
                    opts.timeouts.numeric_analysis_s,
                    _retry(1, opts.retry_initial_interval_s),
                    heartbeat_s=opts.heartbeat_timeout_s,
                )
            except (FailureError, _DeadlinePassed) as numeric_err:
                reason += "; the numeric engine failed too: " + _why(
                    numeric_err, names.RUN_NUMERIC_ANALYSIS
                )
            else:
                self._warn(
                    f"the agent analysis failed ({reason}); the numeric engine made this plan "
                    "without the LLM"
                )
                self._mark("Fallback")
                return out.plan, "numeric"
        self._mark("Fallback")
        return self._heuristic(campaign, f"the agent analysis failed ({reason})"), "heuristic"

    def _heuristic(self, campaign: Campaign, reason: str) -> DistributionPlan:
        try:
            return heuristic_plan(campaign, self._history, self._market, reason)
        except ValueError as exc:
            raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from None

    async def _after_timeout(self, campaign: Campaign) -> PlanningResult:
        plan = self._heuristic(
            campaign,
            f"out of time ({self._request.options.deadline_s:.0f} s budget): the heuristic "
            "historical mix is the best available plan",
        )
        self._mark("Fallback")
        return await self._finish(campaign, plan, "heuristic", "timed_out")

    # -- finishing ------------------------------------------------------------------

    async def _finish(
        self, campaign: Campaign, plan: DistributionPlan, method: Method, status: Status
    ) -> PlanningResult:
        self._method = method
        self._plan = plan
        self._phase = "recommendations"
        opts = self._request.options
        try:
            out = await self._call(
                names.GENERATE_RECOMMENDATIONS,
                RecommendationsInput(
                    workspace_id=self._request.workspace_id,
                    campaign_id=self._request.campaign_id,
                    campaign=campaign,
                    plan=plan,
                    method=method,
                    params=self._params,
                    data_gaps=sorted(self._gaps),
                ),
                RecommendationsOutput,
                opts.timeouts.recommendations_s,
                _retry(3, opts.retry_initial_interval_s),
                local=True,
            )
        except (FailureError, _DeadlinePassed) as err:
            why = _why(err, names.GENERATE_RECOMMENDATIONS)
            self._warn(f"business rules not applied ({why})")
        else:
            plan = self._plan = out.plan
            self._mark("GenerateRecommendations")
        self._phase = "caching"
        if method == "agents" and status == "completed" and not self._gaps and self._cache:
            await self._store_in_cache(plan, self._cache.cache_key)
        self._mark("CachePlan")
        self._phase = "timed_out" if status == "timed_out" else "completed"
        return self._result(status, method, plan)

    async def _store_in_cache(self, plan: DistributionPlan, key: str) -> None:
        opts = self._request.options
        try:
            await self._call(
                names.CACHE_PLAN,
                CachePlanInput(
                    workspace_id=self._request.workspace_id,
                    campaign_id=self._request.campaign_id,
                    cache_key=key,
                    plan=plan,
                    ttl_s=opts.cache_ttl_s,
                ),
                type(None),
                opts.timeouts.store_s,
                _retry(3, opts.retry_initial_interval_s, backoff=2.0),
                local=True,
            )
        except (FailureError, _DeadlinePassed) as err:
            self._warn(f"the plan was not cached ({_why(err, names.CACHE_PLAN)})")

    def _from_cache(self, hit: CacheLookup) -> PlanningResult:
        assert hit.plan is not None
        self._method, self._plan = "cache", hit.plan
        self._mark("CachePlan")
        self._phase = "completed"
        return self._result("completed", "cache", hit.plan)

    async def _stop_work(self) -> None:
        for step in self._steps.values():
            if not step.task.done():
                step.task.cancel()
        await self._cancel_child()

    def _stopped(self) -> PlanningResult:
        self._phase = "cancelled"
        self._warn(f"cancelled: {self._cancel_reason}")
        plan = self._plan or (self._analysis.plan if self._analysis else None)
        method = self._method or ("agents" if plan is not None else None)
        return self._result("cancelled", method, plan)

    async def _audit(self, result: PlanningResult) -> None:
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
                    actor=self._request.user_id,
                    details=details,
                ),
                start_to_close_timeout=timedelta(seconds=self._request.options.timeouts.store_s),
                retry_policy=_retry(3, self._request.options.retry_initial_interval_s, 2.0),
            )
        except FailureError as err:
            workflow.logger.warning("audit record not written: %s", _why(err, names.AUDIT_PLAN))

    def _result(
        self, status: Status, method: Method | None, plan: DistributionPlan | None
    ) -> PlanningResult:
        warnings = list(self._warnings)
        for w in plan.warnings if plan is not None else []:
            if w not in warnings:
                warnings.append(w)
        from_cache = method == "cache"
        return PlanningResult(
            workflow_id=workflow.info().workflow_id,
            campaign_id=self._request.campaign_id,
            workspace_id=self._request.workspace_id,
            status=status,
            method=method,
            distribution_plan=plan,
            insights=list(plan.insights) if plan else [],
            confidence_scores=plan.confidence_scores if plan else None,
            recommendations=list(plan.recommendations) if plan else [],
            warnings=warnings,
            analysis_params=self._params,
            from_cache=from_cache,
            cache_key=self._cache.cache_key if self._cache else None,
            cached_at=self._cache.cached_at if (from_cache and self._cache) else None,
            completed_steps=self._completed_steps(),
            data_gaps=dict(self._gaps),
            partial_results=(
                self.partial_results() if status in ("cancelled", "timed_out") else None
            ),
        )

    # -- helpers --------------------------------------------------------------------

    async def _call(
        self,
        activity: str,
        arg: BaseModel,
        result_type: type[_T],
        timeout_s: float,
        retry: RetryPolicy,
        *,
        heartbeat_s: float | None = None,
        local: bool = False,
    ) -> _T:
        """Run an activity within what is left of the run's budget (`local`: in this
        worker, without a round trip through the server; for short store and CPU work)."""
        remaining = self._remaining_s()
        if remaining <= 0:
            raise _DeadlinePassed(f"{activity} not started: the time budget is spent")
        if local:
            result = await workflow.execute_local_activity(
                activity,
                arg,
                result_type=result_type,
                start_to_close_timeout=timedelta(seconds=min(timeout_s, remaining)),
                schedule_to_close_timeout=timedelta(seconds=remaining),
                retry_policy=retry,
            )
        else:
            result = await workflow.execute_activity(
                activity,
                arg,
                result_type=result_type,
                start_to_close_timeout=timedelta(seconds=min(timeout_s, remaining)),
                schedule_to_close_timeout=timedelta(seconds=remaining),
                heartbeat_timeout=None if heartbeat_s is None else timedelta(seconds=heartbeat_s),
                retry_policy=retry,
            )
        return cast(_T, result)

    def _cancelled(self) -> bool:
        return self._cancel_reason is not None

    def _remaining_s(self) -> float:
        return (self._deadline - workflow.now()).total_seconds()

    def _analysis_budget_s(self) -> float:
        reserve = min(_FINISH_RESERVE_S, 0.1 * self._request.options.deadline_s)
        return self._remaining_s() - reserve

    def _warn(self, message: str) -> None:
        if message not in self._warnings:
            self._warnings.append(message)
            workflow.logger.info("planning warning: %s", message)

    def _mark(self, step: str) -> None:
        if step not in self._done:
            self._done.append(step)

    def _unmark(self, step: str) -> None:
        if step in self._done:
            self._done.remove(step)

    def _completed_steps(self) -> list[str]:
        steps = list(self._done)
        if "AgentAnalysis" not in steps:
            steps += [agent_step(a) for a in self._agents_done]
        return steps

    # -- signals and updates --------------------------------------------------------

    def _check_params_update(self, payload: dict[str, Any]) -> UpdateAnalysisParams:
        """The validated message, or ValueError saying why it cannot be applied now."""
        if self._cancel_reason is not None:
            raise ValueError("the analysis was cancelled")
        if self._phase not in _PARAMS_CHANGEABLE:
            raise ValueError(
                f"too late to change the analysis parameters: the run is in phase {self._phase}"
            )
        try:
            message = UpdateAnalysisParams.model_validate(payload)
            new = message.analysis_params.apply(self._params)
        except ValidationError as exc:
            raise _invalid(exc, "UpdateAnalysisParams payload") from None
        if self._campaign is not None:
            channels = [h.channel for h in self._history.channels] if self._history else []
            effective_campaign(self._campaign.campaign, new, channels)  # ValueError if unplannable
        return message

    def _apply_params(self, message: UpdateAnalysisParams) -> ParamsUpdateAck:
        if message.request_id is not None:
            if message.request_id in self._seen_requests:
                return self._params_ack([], "duplicate request ignored")
            self._seen_requests.add(message.request_id)
        new = message.analysis_params.apply(self._params)
        restarted = affected_steps(self._params, new)
        if not restarted:
            return self._params_ack([], "no change")
        self._params = new
        self._params_version += 1
        why = f" ({message.reason})" if message.reason else ""
        workflow.logger.info("analysis parameters updated%s; restarting %s", why, restarted)
        return self._params_ack(restarted, f"restarting {', '.join(restarted)}")

    def _params_ack(self, restarted: list[str], message: str) -> ParamsUpdateAck:
        return ParamsUpdateAck(
            accepted=True,
            params_version=self._params_version,
            analysis_params=self._params,
            restarted_steps=restarted,
            message=message,
        )

    @workflow.signal(name=names.UPDATE_PARAMS_SIGNAL)
    def update_params_signal(self, payload: dict[str, Any]) -> None:
        """Change the analysis parameters (invalid or late payloads become a warning)."""
        try:
            message = self._check_params_update(payload)
        except ValueError as exc:
            self._warn(f"{names.UPDATE_PARAMS_SIGNAL} ignored: {exc}")
            return
        self._apply_params(message)

    @workflow.update(name=names.UPDATE_PARAMS_UPDATE)
    def update_params(self, payload: dict[str, Any]) -> ParamsUpdateAck:
        """Change the analysis parameters; the validator rejects what cannot be applied."""
        return self._apply_params(UpdateAnalysisParams.model_validate(payload))

    @update_params.validator
    def _validate_update_params(self, payload: dict[str, Any]) -> None:
        self._check_params_update(payload)

    def _check_cancel(self, payload: dict[str, Any]) -> CancelAnalysis:
        if self._cancel_reason is not None:
            raise ValueError("the analysis is already cancelled")
        if self._phase not in _CANCELLABLE:
            raise ValueError(f"nothing to cancel: the run is in phase {self._phase}")
        try:
            return CancelAnalysis.model_validate(payload)
        except ValidationError as exc:
            raise _invalid(exc, "CancelAnalysis payload") from None

    def _apply_cancel(self, message: CancelAnalysis) -> CancelAck:
        if message.request_id is not None:
            self._seen_requests.add(message.request_id)
        self._cancel_reason = message.reason
        workflow.logger.info("analysis cancelled: %s", message.reason)
        return CancelAck(
            cancelled=True,
            phase=self._phase,
            message=f"cancelling in phase {self._phase}; partial results follow",
        )

    @workflow.signal(name=names.CANCEL_SIGNAL)
    def cancel_signal(self, payload: dict[str, Any]) -> None:
        """Cancel the analysis and return the partial results (bad payloads: a warning)."""
        if payload.get("request_id") in self._seen_requests:
            return  # a repeated request
        try:
            message = self._check_cancel(payload)
        except ValueError as exc:
            self._warn(f"{names.CANCEL_SIGNAL} ignored: {exc}")
            return
        self._apply_cancel(message)

    @workflow.update(name=names.CANCEL_UPDATE)
    def cancel(self, payload: dict[str, Any]) -> CancelAck:
        """Cancel the analysis; the validator rejects a finished run or a missing reason."""
        return self._apply_cancel(CancelAnalysis.model_validate(payload))

    @cancel.validator
    def _validate_cancel(self, payload: dict[str, Any]) -> None:
        self._check_cancel(payload)

    @workflow.signal(
        name=names.AGENT_PROGRESS_SIGNAL,
        unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON,
    )
    def on_agent_progress(self, progress: AgentProgress) -> None:
        """An agent of the current analysis finished (forwarded by the child)."""
        if progress.analysis_id == self._child_id and self._phase == "analysis":
            self._agents_done = list(dict.fromkeys(progress.completed_agents))

    # -- queries --------------------------------------------------------------------

    @workflow.query(name=names.PROGRESS_QUERY)
    def progress(self) -> AnalysisProgress:
        """Phase, percent, estimated seconds left, completed steps."""
        steps = self._completed_steps()
        skipped = [] if "history" in step_keys(self._params) else ["FetchHistoricalPerformance"]
        final = self._phase in _FINAL
        percent = percent_complete([*steps, *skipped], final=final)
        elapsed = max((workflow.now() - self._started).total_seconds(), 0.0)
        return AnalysisProgress(
            workflow_id=workflow.info().workflow_id,
            campaign_id=self._request.campaign_id,
            current_phase=self._phase,
            percent_complete=percent,
            estimated_time_remaining=estimate_remaining(elapsed, percent),
            completed_steps=steps,
            elapsed_s=round(elapsed, 3),
            analysis_attempt=self._attempt,
            params_version=self._params_version,
            warnings=list(self._warnings),
            done=final,
        )

    @workflow.query(name=names.PARTIAL_RESULTS_QUERY)
    def partial_results(self) -> PartialResults:
        """What is available so far and what is still missing."""
        plan = self._plan or (self._analysis.plan if self._analysis else None)
        missing: list[str] = []
        if self._campaign is None:
            missing.append("campaign_data")
        if self._params.include_historical and self._history is None:
            missing.append("historical_performance")
        if self._market is None:
            missing.append("market_insights")
        if self._analysis is None and self._method != "cache":
            missing.append("agent_analysis")
        if plan is None:
            missing.append("distribution_plan")
        if "GenerateRecommendations" not in self._done and self._method != "cache":
            missing.append("recommendations")
        return PartialResults(
            workflow_id=workflow.info().workflow_id,
            completion_status=self._phase,
            available_data=AvailableData(
                campaign=self._campaign,
                historical_performance=self._history,
                market_insights=self._market,
                completed_agents=list(self._agents_done),
                distribution_plan=plan,
            ),
            missing_components=missing,
            data_gaps=dict(self._gaps),
        )
