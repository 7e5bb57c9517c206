"""The planning activities, as methods of a class holding their dependencies.

Contract: `PlanningActivities(store, planner, breaker=...)`; register
`PlanningActivities.all()` on a worker. Each activity takes one pydantic input carrying
``workspace_id``, is idempotent (reads; upserts keyed by the cache key; audit entries
keyed by (action, subject) and written once), and maps failures to Temporal's retry
semantics: an unknown campaign raises the non-retryable ``CampaignNotFound``, data that
cannot be planned ``InvalidPlanningInput``, and anything else is retried by the caller's
policy. Store calls run in threads, the engine in the planner's threads.

``RunAgentAnalysisActivity`` loads the planning input from the store (rows never pass
through workflow history), runs the agents, heartbeats each finished agent (and every
third of the heartbeat timeout while an agent works), and signals
``AgentProgressSignal`` to its workflow (the latest progress, at most twice a second). A
per-process circuit breaker guards it: after repeated failures it fails fast with the
non-retryable ``AgentsUnavailable`` so the workflow falls back at once.
``RunNumericAnalysisActivity`` is the same engine without the LLM and without the
breaker: the first fallback.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from agents.contract import Campaign
from orchestration.activities.breaker import CircuitBreaker
from orchestration.activities.data import (
    campaign_from_brief,
    history_window,
    market_insights,
    summarize_history,
)
from orchestration.activities.planner import PlanningCancelled
from orchestration.activities.ports import Planner, PlanStore
from orchestration.activities.rules import apply_business_rules
from orchestration.errors import describe_validation_error
from orchestration.workflows import names
from orchestration.workflows.failures import (
    AGENTS_UNAVAILABLE_ERROR,
    CAMPAIGN_NOT_FOUND_ERROR,
    INVALID_INPUT_ERROR,
)
from orchestration.workflows.models import (
    AgentProgress,
    AgentStep,
    AnalysisOutput,
    AnalysisRequest,
    AuditInput,
    CacheLookup,
    CacheLookupInput,
    CachePlanInput,
    CampaignData,
    CampaignDataInput,
    HistoricalPerformance,
    HistoricalPerformanceInput,
    MarketInsights,
    MarketInsightsInput,
    RecommendationsInput,
    RecommendationsOutput,
)
from orchestration.workflows.scope import effective_campaign

__all__ = ["PlanningActivities"]

log = logging.getLogger(__name__)
_R = TypeVar("_R")


def _non_retryable(exc: BaseException) -> ApplicationError | None:
    """The Temporal error for store/engine errors that retrying cannot fix."""
    if isinstance(exc, LookupError):
        return ApplicationError(str(exc), type=CAMPAIGN_NOT_FOUND_ERROR, non_retryable=True)
    if isinstance(exc, ValidationError):
        lines = "; ".join(describe_validation_error(exc))
        return ApplicationError(
            f"invalid planning input: {lines}", type=INVALID_INPUT_ERROR, non_retryable=True
        )
    if isinstance(exc, ValueError):
        return ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True)
    return None


class _Progress:
    """Heartbeats and progress signals of one analysis attempt."""

    def __init__(self, report: bool, signal_interval_s: float) -> None:
        info = activity.info()
        self._interval = signal_interval_s
        self._workflow_id = info.workflow_id or ""
        self._attempt = info.attempt
        self._client = activity.client() if report and info.workflow_id else None
        self._started = time.monotonic()
        self._details: dict[str, Any] = {"attempt": self._attempt, "completed_agents": []}
        self._pending: AgentProgress | None = None
        self._wake = asyncio.Event()
        self.trace: list[AgentStep] = []
        self.completed: list[str] = []

    @property
    def reports(self) -> bool:
        """Whether progress is signalled to the workflow (else heartbeats only)."""
        return self._client is not None

    def agent_done(self, agent: str, info: Mapping[str, Any]) -> None:
        elapsed = round(time.monotonic() - self._started, 3)
        rnd = int(info.get("round", 0))
        self.trace.append(AgentStep(agent=agent, round=rnd, elapsed_s=elapsed))
        if agent not in self.completed:
            self.completed.append(agent)
        self._details = {
            "attempt": self._attempt,
            "agent": agent,
            "round": rnd,
            "completed_agents": list(self.completed),
            "elapsed_s": elapsed,
        }
        activity.heartbeat(self._details)
        if self._client is not None:
            self._pending = AgentProgress(
                analysis_id=self._workflow_id,
                attempt=self._attempt,
                agent=agent,
                round=rnd,
                completed_agents=list(self.completed),
                elapsed_s=elapsed,
            )
            self._wake.set()

    async def send_signals(self) -> None:
        """Signal the latest progress, at most once per interval (bursts coalesce), until
        cancelled. What is pending when the analysis ends is dropped: its completion says
        more than the last agent's name."""
        assert self._client is not None
        handle = self._client.get_workflow_handle(self._workflow_id)
        while True:
            await self._wake.wait()
            self._wake.clear()
            progress, self._pending = self._pending, None
            if progress is None:
                continue
            try:
                await handle.signal(names.AGENT_PROGRESS_SIGNAL, progress)
            except Exception as exc:  # progress is best effort
                log.debug("progress signal to %s failed: %s", self._workflow_id, exc)
            await asyncio.sleep(self._interval)

    async def keep_alive(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            activity.heartbeat(self._details)


class PlanningActivities:
    """The planning activities over an injected store and planner (module docstring)."""

    def __init__(
        self,
        store: PlanStore,
        planner: Planner,
        *,
        numeric_planner: Planner | None = None,
        breaker: CircuitBreaker | None = None,
        progress_signal_interval_s: float = 0.5,
    ) -> None:
        """`numeric_planner` runs the fallback (default: `planner`, without the LLM);
        progress signals go out at most once per `progress_signal_interval_s`."""
        self.progress_signal_interval_s = progress_signal_interval_s
        self.store = store
        self.planner = planner
        self.numeric_planner = numeric_planner or planner
        self.breaker = breaker or CircuitBreaker()

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, for `Worker(activities=...)`."""
        return [
            self.gather_campaign_data,
            self.fetch_historical_performance,
            self.gather_market_insights,
            self.lookup_cached_plan,
            self.run_agent_analysis,
            self.run_numeric_analysis,
            self.generate_recommendations,
            self.cache_plan,
            self.audit_plan,
        ]

    async def _store(self, fn: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as exc:
            mapped = _non_retryable(exc)
            if mapped is not None:
                raise mapped from exc
            raise

    # -- gathering ------------------------------------------------------------------

    @activity.defn(name=names.GATHER_CAMPAIGN_DATA)
    async def gather_campaign_data(self, inp: CampaignDataInput) -> CampaignData:
        """Budgets, dates, targets and bounds of the campaign."""
        brief = await self._store(self.store.get_campaign, inp.workspace_id, inp.campaign_id)
        try:
            campaign = campaign_from_brief(inp.workspace_id, brief)
        except ValueError as exc:
            raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from exc
        return CampaignData(campaign=campaign, name=brief.name)

    @activity.defn(name=names.FETCH_HISTORICAL_PERFORMANCE)
    async def fetch_historical_performance(
        self, inp: HistoricalPerformanceInput
    ) -> HistoricalPerformance:
        """Per-channel performance in the window (the rows stay in the store)."""
        doc = await self._store(
            self.store.planning_input,
            inp.workspace_id,
            inp.campaign_id,
            include_historical=True,
            platforms=inp.platforms or None,
            **history_window(inp.date_range),
        )
        return summarize_history(doc.get("history") or [], doc.get("kpi") or [], inp.date_range)

    @activity.defn(name=names.GATHER_MARKET_INSIGHTS)
    async def gather_market_insights(self, inp: MarketInsightsInput) -> MarketInsights:
        """Benchmarks, seasonality and overrides for the campaign's industry and region."""
        brief = await self._store(self.store.get_campaign, inp.workspace_id, inp.campaign_id)
        record = await self._store(self.store.get_market_overrides, inp.workspace_id)
        try:
            campaign = campaign_from_brief(inp.workspace_id, brief)
        except ValueError as exc:
            raise ApplicationError(str(exc), type=INVALID_INPUT_ERROR, non_retryable=True) from exc
        return await asyncio.to_thread(
            market_insights,
            campaign,
            record.overrides if record else None,
            record.version if record else None,
            inp.platforms,
        )

    @activity.defn(name=names.LOOKUP_CACHED_PLAN)
    async def lookup_cached_plan(self, inp: CacheLookupInput) -> CacheLookup:
        """The cache key for the campaign as stored now, and the plan cached under it."""
        key = await self._store(
            self.store.plan_cache_key, inp.workspace_id, inp.campaign_id, inp.params
        )
        hit = await self._store(self.store.get_cached_plan, inp.workspace_id, inp.campaign_id, key)
        if hit is None:
            return CacheLookup(cache_key=key)
        return CacheLookup(
            cache_key=key, plan=hit.plan, cached_at=hit.created_at, expires_at=hit.expires_at
        )

    # -- analysis -------------------------------------------------------------------

    async def _planning_input(self, req: AnalysisRequest) -> dict[str, Any]:
        """The store's document with the campaign narrowed to `req.params` (the planner
        validates the whole document; the campaign is checked here)."""
        doc = await self._store(
            self.store.planning_input,
            req.workspace_id,
            req.campaign_id,
            include_historical=req.params.include_historical,
            platforms=req.params.platforms or None,
            **history_window(req.params.date_range),
        )
        try:
            campaign = Campaign.model_validate(doc["campaign"])
            channels = sorted({str(r["channel"]) for r in doc.get("history") or []})
            scoped = effective_campaign(campaign, req.params, channels)
            return {**doc, "campaign": scoped.model_dump(mode="json", exclude_none=True)}
        except ValueError as exc:
            mapped = _non_retryable(exc)
            assert mapped is not None
            raise mapped from exc

    async def _analyse(
        self, req: AnalysisRequest, planner: Planner, *, narrate: bool
    ) -> AnalysisOutput:
        inp = await self._planning_input(req)
        progress = _Progress(req.report_progress, self.progress_signal_interval_s)
        cancelled = threading.Event()
        timeout = activity.info().heartbeat_timeout
        interval = max(timeout.total_seconds() / 3, 0.05) if timeout else 10.0
        helpers = [asyncio.create_task(progress.keep_alive(interval))]
        if progress.reports:
            helpers.append(asyncio.create_task(progress.send_signals()))
        try:
            plan = await planner.plan(
                inp, narrate=narrate, on_progress=progress.agent_done, cancelled=cancelled
            )
        except asyncio.CancelledError:
            cancelled.set()
            raise
        except PlanningCancelled as exc:
            raise asyncio.CancelledError(str(exc)) from exc
        except ValueError as exc:  # infeasible bounds and other input errors of the engine
            mapped = _non_retryable(exc)
            assert mapped is not None
            raise mapped from exc
        finally:
            for task in helpers:
                task.cancel()
        return AnalysisOutput(
            plan=plan, execution_trace=progress.trace, history_rows=len(inp.get("history") or [])
        )

    @activity.defn(name=names.RUN_AGENT_ANALYSIS)
    async def run_agent_analysis(self, req: AnalysisRequest) -> AnalysisOutput:
        """The agent graph on the campaign's data (see the module docstring)."""
        if not self.breaker.allow():
            raise ApplicationError(
                f"the agents are unavailable: circuit breaker {self.breaker.describe()}",
                type=AGENTS_UNAVAILABLE_ERROR,
                non_retryable=True,
            )
        try:
            out = await self._analyse(req, self.planner, narrate=req.narrate)
        except ApplicationError as exc:
            if exc.non_retryable:  # the input, not the agents, is at fault
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
            raise
        except asyncio.CancelledError:
            self.breaker.record_success()  # not the agents' fault; release a half-open trial
            raise
        except Exception:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return out

    @activity.defn(name=names.RUN_NUMERIC_ANALYSIS)
    async def run_numeric_analysis(self, req: AnalysisRequest) -> AnalysisOutput:
        """The engine without the LLM: the first fallback when the agents fail."""
        return await self._analyse(req, self.numeric_planner, narrate=False)

    # -- finishing ------------------------------------------------------------------

    @activity.defn(name=names.GENERATE_RECOMMENDATIONS)
    async def generate_recommendations(self, inp: RecommendationsInput) -> RecommendationsOutput:
        """The business rules (`orchestration.activities.rules`) applied to the plan."""
        plan, findings = apply_business_rules(
            inp.plan, inp.campaign, inp.method, inp.params.platforms, inp.data_gaps
        )
        return RecommendationsOutput(plan=plan, findings=findings)

    @activity.defn(name=names.CACHE_PLAN)
    async def cache_plan(self, inp: CachePlanInput) -> None:
        """Cache the plan under its key for its TTL (an upsert: safe to retry)."""
        await self._store(
            self.store.cache_plan,
            inp.workspace_id,
            inp.campaign_id,
            inp.cache_key,
            inp.plan,
            ttl=timedelta(seconds=inp.ttl_s),
        )

    @activity.defn(name=names.AUDIT_PLAN)
    async def audit_plan(self, inp: AuditInput) -> None:
        """Record the run in the audit log, once per (action, subject)."""
        existing: Sequence[object] = await self._store(
            self.store.list_audit,
            inp.workspace_id,
            action=inp.action,
            subject=inp.subject,
            limit=1,
        )
        if existing:
            return
        await self._store(
            self.store.audit,
            inp.workspace_id,
            inp.action,
            actor=inp.actor,
            subject=inp.subject,
            details=inp.details,
        )
