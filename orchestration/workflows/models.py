"""Payloads of the planning workflows: requests, results, messages, activity I/O.

Contract: every model is pydantic and crosses Temporal as readable JSON (the pydantic
data converter), so the UI and CLI show and accept the same documents. Inbound
messages (`PlanningRequest`, `UpdateAnalysisParams`, `CancelAnalysis`) forbid unknown
fields and reject invalid values with a `pydantic.ValidationError` naming the field.
Money is in the campaign's currency; durations are in seconds; dates are ISO strings.
The plan itself is the engine's `agents.contract.DistributionPlan`, embedded unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.contract import (
    Campaign,
    ConfidenceScores,
    DistributionPlan,
    Goal,
    Insight,
    Recommendation,
)

__all__ = [
    "ActivityTimeouts",
    "AgentAnalysisInput",
    "AgentAnalysisResult",
    "AgentConfig",
    "AgentProgress",
    "AgentStep",
    "AnalysisOutput",
    "AnalysisParams",
    "AnalysisParamsPatch",
    "AnalysisProgress",
    "AnalysisRequest",
    "AuditInput",
    "AvailableData",
    "CacheLookup",
    "CacheLookupInput",
    "CachePlanInput",
    "CampaignData",
    "CampaignDataInput",
    "CancelAck",
    "CancelAnalysis",
    "ChannelBenchmarkSummary",
    "ChannelHistory",
    "DateRange",
    "HistoricalPerformance",
    "HistoricalPerformanceInput",
    "MarketInsights",
    "MarketInsightsInput",
    "Method",
    "ParamsUpdateAck",
    "PartialResults",
    "Phase",
    "PlanningOptions",
    "PlanningRequest",
    "PlanningResult",
    "RecommendationsInput",
    "RecommendationsOutput",
    "Status",
]

Phase = Literal[
    "starting",
    "gathering_data",
    "validating",
    "analysis",
    "fallback",
    "recommendations",
    "caching",
    "completed",
    "cancelled",
    "timed_out",
]
"""Where a planning run is; the last three are final."""

Method = Literal["agents", "numeric", "heuristic", "cache"]
"""How the plan was made: the agent graph (with the LLM when configured), the numeric
engine without the LLM (fallback), the heuristic historical mix (last resort), or a
cached plan of an earlier run."""

Status = Literal["completed", "degraded", "cancelled", "timed_out"]
"""`completed`: agents or cache; `degraded`: a fallback made the plan; `cancelled` and
`timed_out`: stopped early, with the best available result."""

_PLATFORM = re.compile(r"^[a-z][a-z0-9_]*$")
_NOT_SPEND_PLATFORMS = {"google_drive"}


class _In(BaseModel):
    """Inbound documents: strict about unknown fields, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


def _check_platforms(value: list[str]) -> list[str]:
    seen: list[str] = []
    for platform in value:
        if not _PLATFORM.match(platform):
            raise ValueError(
                f"platform {platform!r} is not a platform id such as 'google_ads' or 'meta'"
            )
        if platform in _NOT_SPEND_PLATFORMS:
            raise ValueError(f"platform {platform!r} holds plans, not spend; it cannot be planned")
        if platform not in seen:
            seen.append(platform)
    return seen


class DateRange(_In):
    """An inclusive range of days."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"date_range end {self.end} is before start {self.start}")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class AnalysisParams(_In):
    """What to analyse: the seed's `analysis_params`."""

    include_historical: bool = True
    """Fetch and model the historical performance (else plan from market priors only)."""
    platforms: list[str] = Field(default_factory=list)
    """Plan only channels of these platforms (e.g. ``["meta"]``); empty means all."""
    date_range: DateRange | None = None
    """The history window; default: the 730 days before the flight starts."""
    optimization_goals: list[Goal] = Field(default_factory=list)
    """Goals in priority order; the first is optimized, default the campaign's own goal."""

    _platforms = field_validator("platforms")(_check_platforms)


class AnalysisParamsPatch(_In):
    """A partial `AnalysisParams`: the fields given replace the current ones."""

    include_historical: bool | None = None
    platforms: list[str] | None = None
    date_range: DateRange | None = None
    optimization_goals: list[Goal] | None = None

    @field_validator("platforms")
    @classmethod
    def _valid_platforms(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_platforms(value)

    def apply(self, params: AnalysisParams) -> AnalysisParams:
        """`params` with every field this patch sets replaced."""
        changes = {name: getattr(self, name) for name in self.model_fields_set}
        return AnalysisParams.model_validate({**params.model_dump(), **changes})


class ActivityTimeouts(_In):
    """Per-attempt timeouts (start to close) in seconds; defaults are the seed's."""

    campaign_data_s: float = Field(default=120.0, gt=0)
    historical_performance_s: float = Field(default=300.0, gt=0)
    market_insights_s: float = Field(default=180.0, gt=0)
    agent_analysis_s: float = Field(default=900.0, gt=0)
    numeric_analysis_s: float = Field(default=300.0, gt=0)
    recommendations_s: float = Field(default=120.0, gt=0)
    store_s: float = Field(default=30.0, gt=0)
    """Cache lookups, cache writes and the audit record."""


class PlanningOptions(_In):
    """How to run: caching, LLM, time budget. The defaults suit production."""

    use_cache: bool = True
    """Return a cached plan of the same campaign, parameters and data if one is fresh."""
    cache_ttl_s: float = Field(default=6 * 3600.0, gt=0)
    narrate: bool = True
    """Let the worker's LLM (if one is configured) rewrite the texts; numbers never change."""
    deadline_s: float = Field(default=1200.0, gt=0)
    """Total time budget; past it the workflow returns the best result it has."""
    heartbeat_timeout_s: float = Field(default=30.0, gt=0)
    """How soon a lost worker is noticed during the agent analysis."""
    retry_initial_interval_s: float = Field(default=1.0, gt=0)
    timeouts: ActivityTimeouts = Field(default_factory=ActivityTimeouts)


class PlanningRequest(_In):
    """The input of `PlanningWorkflow`."""

    campaign_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    workspace_id: str = Field(min_length=1)
    analysis_params: AnalysisParams = Field(default_factory=AnalysisParams)
    options: PlanningOptions = Field(default_factory=PlanningOptions)


# -- messages -------------------------------------------------------------------------


class UpdateAnalysisParams(_In):
    """Payload of ``UpdateAnalysisParamsSignal`` and the ``UpdateAnalysisParams`` update."""

    analysis_params: AnalysisParamsPatch
    reason: str = ""
    request_id: str | None = None
    """Idempotency key: a repeated id is applied once."""


class ParamsUpdateAck(_Out):
    accepted: bool
    params_version: int
    analysis_params: AnalysisParams
    restarted_steps: list[str]
    message: str


class CancelAnalysis(_In):
    """Payload of ``CancelAnalysisSignal`` and the ``CancelAnalysis`` update."""

    reason: str = Field(min_length=1)
    request_id: str | None = None


class CancelAck(_Out):
    cancelled: bool
    phase: Phase
    message: str


# -- gathered data --------------------------------------------------------------------


class CampaignDataInput(_In):
    workspace_id: str
    campaign_id: str


class CampaignData(_Out):
    """Budgets, dates, targets and channel bounds of the campaign."""

    campaign: Campaign
    name: str | None = None


class HistoricalPerformanceInput(_In):
    workspace_id: str
    campaign_id: str
    platforms: list[str] = Field(default_factory=list)
    date_range: DateRange | None = None


class ChannelHistory(_Out):
    """One channel's history in the window, platform-reported."""

    channel: str
    days: int
    first_day: date
    last_day: date
    spend: float
    conversions: float
    revenue: float
    run_rate_daily: float
    """Average daily spend over the last 28 days of the window."""
    roas: float | None
    """Platform-attributed revenue per unit of spend."""
    cpa: float | None


class HistoricalPerformance(_Out):
    """The seed's `performance_metrics[]`: per-channel summaries (rows stay in the store)."""

    channels: list[ChannelHistory]
    rows: int
    kpi_days: int
    window_start: date | None
    window_end: date | None


class MarketInsightsInput(_In):
    workspace_id: str
    campaign_id: str
    platforms: list[str] = Field(default_factory=list)


class ChannelBenchmarkSummary(_Out):
    channel: str
    cpm: float
    cpc: float
    ctr: float
    cvr: float
    cpa: float
    roas: float
    note: str | None = None


class MarketInsights(_Out):
    """Benchmarks and seasonality for the planned channels, and the workspace's overrides."""

    industry: str
    region: str
    seasonality_cpm: float
    seasonality_demand: float
    benchmarks: list[ChannelBenchmarkSummary]
    overrides_version: int | None = None
    notes: list[str] = Field(default_factory=list)


class CacheLookupInput(_In):
    workspace_id: str
    campaign_id: str
    params: dict[str, Any]


class CacheLookup(_Out):
    cache_key: str
    plan: DistributionPlan | None = None
    cached_at: datetime | None = None
    expires_at: datetime | None = None


# -- analysis -------------------------------------------------------------------------


class AgentConfig(_In):
    narrate: bool = True
    heartbeat_timeout_s: float = Field(default=30.0, gt=0)
    timeout_s: float = Field(default=900.0, gt=0)
    max_attempts: int = Field(default=2, ge=1)
    """The seed's "1 retry (expensive operation)"."""
    retry_initial_interval_s: float = Field(default=1.0, gt=0)


class AgentAnalysisInput(_In):
    """The input of `AgentAnalysisWorkflow` (the seed's analysis_data + agent_config)."""

    workspace_id: str
    campaign_id: str
    params: AnalysisParams
    config: AgentConfig = Field(default_factory=AgentConfig)


class AnalysisRequest(_In):
    """The input of the analysis activities: what to load from the store and plan."""

    workspace_id: str
    campaign_id: str
    params: AnalysisParams
    narrate: bool = True
    report_progress: bool = True
    """Signal each finished agent to the calling workflow (``AgentProgressSignal``)."""


class AgentStep(_Out):
    agent: str
    round: int
    elapsed_s: float


class AnalysisOutput(_Out):
    plan: DistributionPlan
    execution_trace: list[AgentStep]
    history_rows: int


class AgentProgress(_Out):
    """Payload of ``AgentProgressSignal``: one agent finished."""

    analysis_id: str
    """The AgentAnalysisWorkflow id, so the parent ignores superseded analyses."""
    attempt: int
    agent: str
    round: int
    completed_agents: list[str]
    elapsed_s: float


class AgentAnalysisResult(_Out):
    """The seed's agent_decisions and insights, plus the plan and how it was made."""

    plan: DistributionPlan
    agent_decisions: dict[str, float]
    """Planned spend per channel (flight totals)."""
    insights: list[Insight]
    execution_trace: list[AgentStep]
    attempts: int


class RecommendationsInput(_In):
    workspace_id: str
    campaign_id: str
    campaign: Campaign
    """The campaign's constraints as planned (bounds, goal, budget)."""
    plan: DistributionPlan
    method: Method
    params: AnalysisParams
    data_gaps: list[str] = Field(default_factory=list)


class RecommendationsOutput(_Out):
    plan: DistributionPlan
    """The plan with the business rules' recommendations, confidence and warnings merged."""
    findings: list[str]


class CachePlanInput(_In):
    workspace_id: str
    campaign_id: str
    cache_key: str
    plan: DistributionPlan
    ttl_s: float


class AuditInput(_In):
    workspace_id: str
    action: str
    subject: str
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)


# -- queries and result ---------------------------------------------------------------


class AnalysisProgress(_Out):
    """Answer of ``GetAnalysisProgressQuery``."""

    workflow_id: str
    campaign_id: str
    current_phase: Phase
    percent_complete: float
    estimated_time_remaining: float | None
    """Seconds, extrapolated from the progress so far; None until there is some."""
    completed_steps: list[str]
    elapsed_s: float
    analysis_attempt: int
    params_version: int
    warnings: list[str]
    done: bool


class AvailableData(_Out):
    campaign: CampaignData | None = None
    historical_performance: HistoricalPerformance | None = None
    market_insights: MarketInsights | None = None
    completed_agents: list[str] = Field(default_factory=list)
    distribution_plan: DistributionPlan | None = None


class PartialResults(_Out):
    """Answer of ``GetPartialResultsQuery``."""

    workflow_id: str
    completion_status: Phase
    available_data: AvailableData
    missing_components: list[str]
    data_gaps: dict[str, str]
    """Component -> why it is missing (after its retries)."""


class PlanningResult(_Out):
    """The output of `PlanningWorkflow` (the seed's output, plus how it was made)."""

    workflow_id: str
    campaign_id: str
    workspace_id: str
    status: Status
    method: Method | None
    distribution_plan: DistributionPlan | None
    insights: list[Insight]
    confidence_scores: ConfidenceScores | None
    recommendations: list[Recommendation]
    warnings: list[str]
    analysis_params: AnalysisParams
    from_cache: bool = False
    cache_key: str | None = None
    cached_at: datetime | None = None
    completed_steps: list[str] = Field(default_factory=list)
    data_gaps: dict[str, str] = Field(default_factory=dict)
    partial_results: PartialResults | None = None
    """What was available when a run was cancelled or timed out."""
