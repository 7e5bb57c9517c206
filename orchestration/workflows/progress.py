"""Progress arithmetic for ``GetAnalysisProgressQuery``.

Contract: pure and deterministic. Each step of a planning run has a weight (percent of
the run it usually takes, measured on the demo campaign: the agents dominate); a run's
progress is the summed weight of its completed or skipped steps, capped at 99 until the
run is final. The estimate of the time remaining extrapolates the elapsed time linearly
from the progress and is None below 5 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = [
    "AGENT_WEIGHTS",
    "STEP_WEIGHTS",
    "agent_step",
    "estimate_remaining",
    "percent_complete",
]

STEP_WEIGHTS: Final[dict[str, float]] = {
    "GatherCampaignData": 4.0,
    "FetchHistoricalPerformance": 8.0,
    "GatherMarketInsights": 4.0,
    "LookupCachedPlan": 2.0,
    "ValidateData": 2.0,
    "AgentAnalysis": 0.0,  # the agents' own weights below add up to the analysis share
    "GenerateRecommendations": 12.0,
    "CachePlan": 8.0,
}
AGENT_WEIGHTS: Final[dict[str, float]] = {
    "performance": 25.0,
    "market": 5.0,
    "budget": 15.0,
    "critic": 5.0,
    "synthesizer": 10.0,
}
_ANALYSIS_SHARE = sum(AGENT_WEIGHTS.values())
_MIN_PERCENT_FOR_ESTIMATE = 5.0


def agent_step(agent: str) -> str:
    """The step name of an agent of the analysis graph (``agent:budget``)."""
    return f"agent:{agent}"


def percent_complete(steps: Iterable[str], *, final: bool = False) -> float:
    """Percent of the run done, given the completed (or skipped) step names."""
    if final:
        return 100.0
    done = set(steps)
    total = sum(w for step, w in STEP_WEIGHTS.items() if step in done)
    if "AgentAnalysis" in done or "Fallback" in done:
        total += _ANALYSIS_SHARE
    else:
        total += sum(w for a, w in AGENT_WEIGHTS.items() if agent_step(a) in done)
    return round(min(total, 99.0), 1)


def estimate_remaining(elapsed_s: float, percent: float) -> float | None:
    """Seconds left at the pace so far; None when too little is done to tell."""
    if percent >= 100.0:
        return 0.0
    if percent < _MIN_PERCENT_FOR_ESTIMATE or elapsed_s <= 0:
        return None
    return round(elapsed_s * (100.0 - percent) / percent, 1)
