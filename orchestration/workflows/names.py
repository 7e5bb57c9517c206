"""The names Temporal knows the planning workflows by.

Contract: these strings are the registered names of the workflow types, signals,
queries, updates and activities, as the Temporal CLI and UI show and call them (the
Python methods may be named differently). Renaming one breaks running workflows and the
committed replay histories, so treat them as a public, versioned API.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AGENT_ANALYSIS_WORKFLOW",
    "AGENT_PROGRESS_QUERY",
    "AGENT_PROGRESS_SIGNAL",
    "AUDIT_PLAN",
    "CACHE_PLAN",
    "CANCEL_SIGNAL",
    "CANCEL_UPDATE",
    "FETCH_HISTORICAL_PERFORMANCE",
    "GATHER_CAMPAIGN_DATA",
    "GATHER_MARKET_INSIGHTS",
    "GENERATE_RECOMMENDATIONS",
    "LOOKUP_CACHED_PLAN",
    "PARTIAL_RESULTS_QUERY",
    "PLANNING_WORKFLOW",
    "PROGRESS_QUERY",
    "RUN_AGENT_ANALYSIS",
    "RUN_NUMERIC_ANALYSIS",
    "UPDATE_PARAMS_SIGNAL",
    "UPDATE_PARAMS_UPDATE",
]

# Workflow types
PLANNING_WORKFLOW: Final = "PlanningWorkflow"
AGENT_ANALYSIS_WORKFLOW: Final = "AgentAnalysisWorkflow"

# PlanningWorkflow messages (the seed's names; updates are the validated twins of the signals)
UPDATE_PARAMS_SIGNAL: Final = "UpdateAnalysisParamsSignal"
CANCEL_SIGNAL: Final = "CancelAnalysisSignal"
UPDATE_PARAMS_UPDATE: Final = "UpdateAnalysisParams"
CANCEL_UPDATE: Final = "CancelAnalysis"
PROGRESS_QUERY: Final = "GetAnalysisProgressQuery"
PARTIAL_RESULTS_QUERY: Final = "GetPartialResultsQuery"

# Agent progress: RunAgentAnalysisActivity -> AgentAnalysisWorkflow -> PlanningWorkflow
AGENT_PROGRESS_SIGNAL: Final = "AgentProgressSignal"
AGENT_PROGRESS_QUERY: Final = "GetAgentProgressQuery"

# Activities
GATHER_CAMPAIGN_DATA: Final = "GatherCampaignDataActivity"
FETCH_HISTORICAL_PERFORMANCE: Final = "FetchHistoricalPerformanceActivity"
GATHER_MARKET_INSIGHTS: Final = "GatherMarketInsightsActivity"
LOOKUP_CACHED_PLAN: Final = "LookupCachedPlanActivity"
RUN_AGENT_ANALYSIS: Final = "RunAgentAnalysisActivity"
RUN_NUMERIC_ANALYSIS: Final = "RunNumericAnalysisActivity"
GENERATE_RECOMMENDATIONS: Final = "GenerateRecommendationsActivity"
CACHE_PLAN: Final = "CachePlanActivity"
AUDIT_PLAN: Final = "AuditPlanActivity"
