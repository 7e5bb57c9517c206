"""The last-resort plan: the historical mix, split within the campaign's bounds.

Contract: pure, deterministic and fast (it runs inside the workflow, so it cannot time
out or fail for want of a worker). `heuristic_plan` splits the budget in proportion to
each planned channel's recent daily spend (a channel without history gets about a 10 %
test share; with no history at all the split is even), honouring fixed, minimum and
maximum spends by water-filling. Expected outcomes are the platform-attributed average
return (history, else the market benchmark) times spend, with a 50 %-150 % interval:
nothing is modelled, so `model_fit` is 0 and the warnings say so. The returned
`DistributionPlan` follows the contract (`agents.contract`); its texts cite only its
own figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from agents.contract import (
    Allocation,
    AnalysisInfo,
    BaselineSummary,
    Campaign,
    ConfidenceScores,
    DistributionPlan,
    Insight,
    Recommendation,
)
from orchestration.workflows.models import HistoricalPerformance, MarketInsights

__all__ = ["bounded_split", "heuristic_plan"]

_NEW_CHANNEL_SHARE = 0.10
_INTERVAL = (0.5, 1.5)
_KEEP_BAND = 0.10


def bounded_split(
    total: float, weights: Mapping[str, float], bounds: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """`total` split pro rata to `weights` within `bounds` (lower, upper) per channel.

    Channels whose share would break a bound are pinned to it and the rest re-split, until
    none does. When every channel is at its maximum the split sums to less than `total`.
    """
    alloc: dict[str, float] = {}
    free = [ch for ch in weights if bounds[ch][1] - bounds[ch][0] > 1e-9]
    for ch in weights:
        if ch not in free:
            alloc[ch] = bounds[ch][0]
    remaining = total - sum(alloc.values())
    while free:
        wsum = sum(max(weights[ch], 0.0) for ch in free)
        trial = {
            ch: remaining * (max(weights[ch], 0.0) / wsum if wsum > 0 else 1.0 / len(free))
            for ch in free
        }
        over = [ch for ch in free if trial[ch] > bounds[ch][1] + 1e-9]
        under = [ch for ch in free if trial[ch] < bounds[ch][0] - 1e-9]
        pinned = over or under
        if not pinned:
            alloc.update(trial)
            break
        for ch in pinned:
            alloc[ch] = bounds[ch][1] if ch in over else bounds[ch][0]
            remaining -= alloc[ch]
            free.remove(ch)
    return {ch: max(alloc[ch], 0.0) for ch in weights}


def _bounds(campaign: Campaign, channels: list[str]) -> dict[str, tuple[float, float]]:
    specs = {s.channel: s for s in campaign.channels or []}
    return {
        ch: (specs[ch].lower, specs[ch].upper) if ch in specs else (0.0, math.inf)
        for ch in channels
    }


def _weights(channels: list[str], run_rate: Mapping[str, float]) -> dict[str, float]:
    known = {ch: run_rate[ch] for ch in channels if run_rate.get(ch, 0.0) > 0}
    unknown = [ch for ch in channels if ch not in known]
    if not known:
        return dict.fromkeys(channels, 1.0)
    known_sum = sum(known.values())
    test_weight = _NEW_CHANNEL_SHARE * known_sum / max(1.0 - _NEW_CHANNEL_SHARE * len(unknown), 0.5)
    return {ch: known.get(ch, test_weight) for ch in channels}


def _return_per_spend(
    channel: str,
    objective: str,
    history: HistoricalPerformance | None,
    market: MarketInsights | None,
) -> tuple[float | None, str]:
    for h in history.channels if history else []:
        if h.channel == channel and h.spend > 0:
            value = h.revenue if objective == "revenue" else h.conversions
            if value > 0:
                return value / h.spend, "history"
    for b in market.benchmarks if market else []:
        if b.channel == channel:
            if objective == "revenue":
                return b.roas, "benchmark"
            return (1.0 / b.cpa if b.cpa > 0 else None), "benchmark"
    return None, "none"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def heuristic_plan(
    campaign: Campaign,
    history: HistoricalPerformance | None,
    market: MarketInsights | None,
    reason: str,
) -> DistributionPlan:
    """The historical-mix plan of `campaign` (already narrowed to what is planned)."""
    run_rate = {h.channel: h.run_rate_daily for h in history.channels} if history else {}
    if campaign.channels is not None:
        channels = [s.channel for s in campaign.channels]
    else:
        channels = sorted(run_rate)
    if not channels:
        raise ValueError("no channel to plan: the campaign lists none and there is no history")
    days = campaign.flight_days
    bounds = _bounds(campaign, channels)
    spend = bounded_split(campaign.total_budget, _weights(channels, run_rate), bounds)
    recent = {ch: max(run_rate.get(ch, 0.0), 0.0) for ch in channels}
    mix_weights = recent if any(recent.values()) else dict.fromkeys(channels, 1.0)
    hist_mix = bounded_split(campaign.total_budget, mix_weights, bounds)
    total_spend = sum(spend.values())

    allocations: list[Allocation] = []
    recommendations: list[Recommendation] = []
    sources: dict[str, str] = {}
    expected_total = baseline_total = 0.0
    for ch in channels:
        x = spend[ch]
        rps, source = _return_per_spend(ch, campaign.objective, history, market)
        sources[ch] = source
        outcome = x * (rps or 0.0)
        expected_total += outcome
        baseline_total += hist_mix[ch] * (rps or 0.0)
        rate = run_rate.get(ch, 0.0)
        historical = rate * days if rate > 0 else None
        change = (x / historical - 1.0) if historical else None
        lo, hi = bounds[ch]
        bound = None
        if hi - lo <= 1e-9:
            bound = "fixed"
        elif x <= lo + 1e-6 and lo > 0:
            bound = "min"
        elif math.isfinite(hi) and x >= hi - 1e-6:
            bound = "max"
        allocations.append(
            Allocation(
                channel=ch,
                spend=round(x, 2),
                daily_spend=round(x / days, 2),
                share=round(x / total_spend, 4) if total_spend > 0 else 0.0,
                expected_outcome=round(outcome, 2),
                outcome_interval=(
                    round(outcome * _INTERVAL[0], 2),
                    round(outcome * _INTERVAL[1], 2),
                ),
                roi=None if rps is None else round(rps, 4),
                marginal_roi=0.0 if rps is None else round(rps, 4),
                change_vs_history=None if change is None else round(change, 4),
                confidence=0.2 if source == "history" else 0.1,
                historical_spend=None if historical is None else round(historical, 2),
                bound=bound,
            )
        )
        if historical is None:
            action, why = "add", "has no recent spend; it gets a test budget"
        elif change is not None and abs(change) <= _KEEP_BAND:
            action, why = "keep", "keeps its recent run-rate"
        else:
            action = "increase" if (change or 0.0) > 0 else "decrease"
            why = "moves toward its share of recent spend within its bounds"
        recommendations.append(
            Recommendation(
                action=action,
                channel=ch,
                rationale=f"{ch} {why}: {_money(x)} {campaign.currency} over {days} days.",
                expected_impact=0.0,
            )
        )
    covered = sum(1 for s in sources.values() if s == "history") / len(channels)
    history_days = max((h.days for h in history.channels), default=0) if history else 0
    data_quality = round(0.5 * covered + 0.5 * min(history_days / 365.0, 1.0), 3)
    uplift = (expected_total / baseline_total - 1.0) if baseline_total > 0 else None
    warnings = [
        reason,
        "heuristic allocation: the budget follows recent spend within the bounds; expected "
        "outcomes are platform-attributed averages times spend, not modelled (no diminishing "
        "returns, no carry-over), so treat them as rough",
    ]
    if total_spend < campaign.total_budget * (1 - 1e-6):
        warnings.append(
            f"every channel is at its maximum: {_money(total_spend)} of "
            f"{_money(campaign.total_budget)} {campaign.currency} allocated"
        )
    if campaign.goal.kind != "max_outcome":
        warnings.append(
            f"the {campaign.goal.kind} goal is not enforced by the heuristic allocation"
        )
    return DistributionPlan(
        campaign_id=campaign.campaign_id,
        objective=campaign.objective,
        currency=campaign.currency,
        total_budget=campaign.total_budget,
        total_spend=round(total_spend, 2),
        flight_days=days,
        allocations=allocations,
        expected_outcome=round(expected_total, 2),
        outcome_interval=(
            round(expected_total * _INTERVAL[0], 2),
            round(expected_total * _INTERVAL[1], 2),
        ),
        baseline=BaselineSummary(
            name="historical_mix",
            expected_outcome=round(baseline_total, 2),
            total_spend=round(sum(hist_mix.values()), 2),
        ),
        uplift_vs_baseline=None if uplift is None else round(uplift, 4),
        confidence_scores=ConfidenceScores(overall=0.5, data_quality=data_quality, model_fit=0.0),
        insights=[
            Insight(
                agent="heuristic",
                text=(
                    f"The agents were unavailable, so {_money(total_spend)} {campaign.currency} "
                    f"is split like recent spend across {len(channels)} channels."
                ),
                evidence={"channels": len(channels), "history_coverage": round(covered, 3)},
            )
        ],
        recommendations=recommendations,
        warnings=warnings,
        analysis=AnalysisInfo(mode="deterministic", agents=["heuristic"], rounds=0, runtime_s=0.0),
        budget_fully_allocated=total_spend >= campaign.total_budget * (1 - 1e-6),
        binding_bounds=[a.channel for a in allocations if a.bound is not None],
    )
