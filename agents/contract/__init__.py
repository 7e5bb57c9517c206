"""The planning contract: `PlanningInput` in, `DistributionPlan` out.

See ../shared/contracts/planning.md; these pydantic models are its executable form.
"""

from agents.contract._input import (
    CHANNEL_PATTERN,
    Campaign,
    ChannelSpec,
    Goal,
    HistoryRow,
    KpiRow,
    PlanningInput,
)
from agents.contract._plan import (
    Allocation,
    AnalysisInfo,
    BaselineSummary,
    ChannelDiagnostics,
    ConfidenceScores,
    CurvePoints,
    DistributionPlan,
    Insight,
    Recommendation,
)

__all__ = [
    "CHANNEL_PATTERN",
    "Allocation",
    "AnalysisInfo",
    "BaselineSummary",
    "Campaign",
    "ChannelDiagnostics",
    "ChannelSpec",
    "ConfidenceScores",
    "CurvePoints",
    "DistributionPlan",
    "Goal",
    "HistoryRow",
    "Insight",
    "KpiRow",
    "PlanningInput",
    "Recommendation",
]
