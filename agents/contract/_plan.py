"""`DistributionPlan`: what the planning engine returns.

Contract: ../shared/contracts/planning.md. Spend figures are totals over the flight
unless the field name says `daily_`; outcomes are incremental (media-driven) and count
the carry-over of the flight's spend. Fields beyond the contract (binding bounds,
response curves, diagnostics) are additions the contract allows.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Allocation",
    "AnalysisInfo",
    "BaselineSummary",
    "ChannelDiagnostics",
    "ConfidenceScores",
    "CurvePoints",
    "DistributionPlan",
    "Insight",
    "Recommendation",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Allocation(_Model):
    channel: str
    spend: float
    daily_spend: float
    share: float
    expected_outcome: float
    outcome_interval: tuple[float, float]
    roi: float | None
    marginal_roi: float
    change_vs_history: float | None
    confidence: float
    historical_spend: float | None = None
    """The channel's recent daily run-rate times flight_days: the historical mix's spend."""
    bound: Literal["min", "max", "fixed", "cap", "floor"] | None = None
    """Which bound binds at the planned spend, if any: the channel's own `min`, `max` or
    `fixed`, or the critic's extrapolation `cap` or `floor` against unsupported cuts."""


class BaselineSummary(_Model):
    name: str
    expected_outcome: float
    total_spend: float | None = None


class ConfidenceScores(_Model):
    overall: float
    """Posterior probability that the plan is within 2 % of the optimum (README)."""
    data_quality: float
    model_fit: float
    beats_historical_mix: float | None = None
    """Posterior probability that the plan delivers more than the historical mix."""


class Insight(_Model):
    agent: str
    text: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class Recommendation(_Model):
    action: Literal["increase", "decrease", "keep", "add", "pause", "test"]
    channel: str
    rationale: str
    expected_impact: float


class AnalysisInfo(_Model):
    mode: Literal["deterministic", "llm"]
    agents: list[str]
    rounds: int
    runtime_s: float


class CurvePoints(_Model):
    """A channel's flight response curve on a spend grid, for reports and UIs."""

    spend: list[float]
    mean: list[float]
    p10: list[float]
    p90: list[float]
    observed_max_spend: float | None = None
    """Flight-equivalent of the highest sustained daily spend in history."""


class ChannelDiagnostics(_Model):
    channel: str
    source: Literal["history", "market_prior"]
    history_days: int
    spend_cv: float | None = None
    roi_historical: float | None = None
    reported_roas: float | None = None
    calibration_factor: float | None = None
    adstock_half_life_days: float | None = None
    saturation_shape: float | None = None
    flags: list[str] = Field(default_factory=list)


class DistributionPlan(_Model):
    campaign_id: str
    objective: Literal["revenue", "conversions"]
    currency: str
    total_budget: float
    total_spend: float
    flight_days: int
    allocations: list[Allocation]
    expected_outcome: float
    outcome_interval: tuple[float, float]
    baseline: BaselineSummary
    uplift_vs_baseline: float | None
    confidence_scores: ConfidenceScores
    insights: list[Insight]
    recommendations: list[Recommendation]
    warnings: list[str]
    analysis: AnalysisInfo
    budget_fully_allocated: bool = True
    binding_bounds: list[str] = Field(default_factory=list)
    diagnostics: dict[str, Any] = Field(default_factory=dict)
    response_curves: dict[str, CurvePoints] = Field(default_factory=dict)

    def allocation(self, channel: str) -> Allocation:
        """The allocation of `channel`; KeyError when the plan has none."""
        for alloc in self.allocations:
            if alloc.channel == channel:
                return alloc
        raise KeyError(channel)
