"""Market agent: benchmark priors and sanity bounds for the planned channels.

Contract: reads `state["input"]`, writes `state["market"]`, a JSON-native dict with,
for every channel the campaign may fund, `priors[metric][channel]` for both metrics
(median outcome per unit of spend and its log-scale spread for the flight's season,
CPM, CPC, sources and a note),
`sanity[channel]` (a plausible ROI range used to flag fitted ROIs), and `seasonality`
(the flight's CPM and demand multipliers). It reads no history: it runs beside the
performance agent, and the budget agent reconciles the two.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.market import channel_prior, load_benchmarks, sanity_bounds
from agents.state import Deps, InputView, PlanState, input_view

__all__ = ["analyze_market", "market_agent", "planned_channels"]


def planned_channels(inp: InputView) -> list[str]:
    """Channels that may receive budget: the campaign's list, else every channel in history."""
    if inp.campaign.channels is not None:
        return [s.channel for s in inp.campaign.channels]
    return inp.history_channels


async def market_agent(state: PlanState, runtime: Runtime[Deps]) -> dict[str, Any]:
    inp = input_view(state)
    return {"market": analyze_market(inp), "trace": ["market"]}


def analyze_market(inp: InputView) -> dict[str, Any]:
    c = inp.campaign
    table = load_benchmarks(inp.market)
    season = table.seasonal_multiplier(c.start_date, c.end_date, c.industry)
    priors: dict[str, dict[str, Any]] = {"revenue": {}, "conversions": {}}
    sanity: dict[str, list[float]] = {}
    for ch in planned_channels(inp):
        for metric in ("revenue", "conversions"):
            prior = channel_prior(
                table,
                ch,
                metric,
                industry=c.industry,
                region=c.region,
                start=c.start_date,
                end=c.end_date,
            )
            priors[metric][ch] = {
                "roi_median": prior.roi_median,
                "roi_log_sd": prior.roi_log_sd,
                "cpm": prior.cpm,
                "cpc": prior.cpc,
                "sources": list(prior.sources),
                "note": prior.note,
            }
        lo, hi = sanity_bounds(table, ch, c.objective, industry=c.industry, region=c.region)
        sanity[ch] = [lo, hi]
    return {
        "priors": priors,
        "sanity": sanity,
        "seasonality": {"cpm": season.cpm, "demand": season.demand},
    }
