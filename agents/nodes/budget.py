"""Budget agent: reconciles fitted and prior curves, then optimizes the allocation.

Contract: reads `input`, `performance`, `market` and the critic's `caps`; writes
`state["budget"]`: the spend per planned channel (flight totals, keyed by channel), the
bounds it honoured, which bound binds, whether the goal was met, and the curves it
used (fitted posterior samples, or market-prior samples for channels without enough
history, marked by `sources`). Channels are always keyed by name; bounds come from the
campaign's own `channels` entries and never from another channel's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from langgraph.runtime import Runtime

from agents.nodes.market import planned_channels
from agents.nodes.performance import goal_metric
from agents.nodes.targets import plan_for_target
from agents.optimizer import optimize_allocation
from agents.response.curves import ResponseCurve
from agents.response.transforms import hill
from agents.state import Deps, InputView, PlanState, input_view

__all__ = ["budget_agent", "channel_bounds", "curves_for", "prior_curve"]

_PRIOR_DECAY = 0.3
_PRIOR_HALF_SAT_SD = 0.5
_SHORT_HISTORY_SD = 0.5


async def budget_agent(state: PlanState, runtime: Runtime[Deps]) -> dict[str, Any]:
    inp = input_view(state)
    rnd = state.get("round", 0) + 1
    result = allocate_budget(
        inp,
        state["performance"],
        state["market"],
        state.get("caps", {}),
        runtime.context,
        state.get("floors", {}),
    )
    result["round"] = rnd
    return {"budget": result, "round": rnd, "trace": ["budget"]}


def channel_bounds(inp: InputView) -> dict[str, tuple[float, float]]:
    """(lower, upper) flight spend per planned channel, from that channel's own entry."""
    if inp.campaign.channels is None:
        return {ch: (0.0, math.inf) for ch in planned_channels(inp)}
    return {s.channel: (s.lower, s.upper) for s in inp.campaign.channels}


def prior_curve(
    channel: str,
    roi_median: float,
    roi_log_sd: float,
    reference_daily: float,
    flight_days: int,
    n_samples: int,
    seed: int,
) -> ResponseCurve:
    """A concave curve whose ROI at `reference_daily` spend follows the prior."""
    rng = np.random.default_rng(seed)
    roi = roi_median * np.exp(roi_log_sd * rng.standard_normal(n_samples))
    half_sat = reference_daily * np.exp(_PRIOR_HALF_SAT_SD * rng.standard_normal(n_samples))
    level = np.array([float(hill(reference_daily, k, 1.0)) for k in half_sat])
    return ResponseCurve(
        channel=channel,
        flight_days=flight_days,
        beta=roi * reference_daily / level,
        half_sat=half_sat,
        shape=np.ones(n_samples),
        decay=np.full(n_samples, _PRIOR_DECAY),
    )


def curves_for(
    inp: InputView, performance: dict[str, Any], market: dict[str, Any], metric: str, deps: Deps
) -> tuple[dict[str, ResponseCurve], dict[str, str]]:
    """The curve of every planned channel for `metric`, and where each came from."""
    fitted = performance["metrics"].get(metric, {}).get("curves", {})
    channels = planned_channels(inp)
    c = inp.campaign
    reference = c.total_budget / c.flight_days / max(len(channels), 1)
    curves: dict[str, ResponseCurve] = {}
    sources: dict[str, str] = {}
    for i, ch in enumerate(channels):
        if ch in fitted:
            curves[ch] = ResponseCurve.from_json(fitted[ch])
            sources[ch] = "history"
            continue
        prior = market["priors"][metric][ch]
        median = prior["roi_median"] * deps.fit.calibration_mean
        sd = prior["roi_log_sd"]
        facts = performance["channels"].get(ch, {})
        reported = facts.get("reported_roi") if metric == c.objective else None
        if reported and facts.get("history_days", 0) >= 7:
            # A few days of platform reports sharpen the benchmark prior.
            w = sd**2 / (sd**2 + _SHORT_HISTORY_SD**2)
            median = math.exp(
                (1 - w) * math.log(median) + w * math.log(reported * deps.fit.calibration_mean)
            )
            sd = math.sqrt(1 / (1 / sd**2 + 1 / _SHORT_HISTORY_SD**2))
        curves[ch] = prior_curve(
            ch, median, sd, reference, c.flight_days, deps.fit.n_samples, deps.fit.seed + 101 * i
        )
        sources[ch] = "market_prior"
    return curves, sources


def allocate_budget(
    inp: InputView,
    performance: dict[str, Any],
    market: dict[str, Any],
    caps: dict[str, float],
    deps: Deps,
    floors: dict[str, float] | None = None,
) -> dict[str, Any]:
    c = inp.campaign
    curves, sources = curves_for(inp, performance, market, c.objective, deps)
    names = list(curves)
    bounds = channel_bounds(inp)
    floors = floors or {}
    lower = [max(bounds[n][0], floors.get(n, 0.0)) for n in names]
    upper = [max(bounds[n][0], min(bounds[n][1], caps.get(n, math.inf))) for n in names]
    top = [min(u, c.total_budget) for u in upper]
    mean_curves = [
        curves[n].tabulate_mean(max(t, lo, 1e-9))
        for n, t, lo in zip(names, top, lower, strict=True)
    ]
    target: float | None = None
    ratio_curves = None
    goal = c.goal
    goal_curves = curves
    if goal.kind != "max_outcome":
        assert goal.value is not None
        metric = goal_metric(inp)
        target = goal.value if goal.kind == "target_roas" else 1.0 / goal.value
        if metric != c.objective:
            goal_curves, _ = curves_for(inp, performance, market, metric, deps)
            ratio_curves = [
                goal_curves[n].tabulate_mean(max(t, 1e-9)) for n, t in zip(names, top, strict=True)
            ]
    result = optimize_allocation(
        mean_curves, lower, upper, c.total_budget, target_ratio=target, ratio_curves=ratio_curves
    )
    target_info: dict[str, Any] = {}
    if target is not None and not result.goal_met:
        decision = plan_for_target(
            mean_curves, [goal_curves[n] for n in names], lower, upper, c.total_budget, target
        )
        target_info = {
            "frontier": decision.frontier,
            "probability": decision.probability,
            "expected_ratio": decision.expected_ratio,
        }
        if decision.spend_level is not None and decision.spend_level > sum(lower):
            result = optimize_allocation(mean_curves, lower, upper, decision.spend_level)
            target_info["optimistic"] = True
    return {
        "target": target_info,
        "spend": dict(zip(names, result.spend.tolist(), strict=True)),
        "bounds": {
            n: [lo, hi if math.isfinite(hi) else None]
            for n, lo, hi in zip(names, lower, upper, strict=True)
        },
        "binding": dict(zip(names, result.binding, strict=True)),
        "goal_met": result.goal_met and "optimistic" not in target_info,
        "target_ratio": target,
        "sources": sources,
        "prior_curves": {n: curves[n].to_json() for n in names if sources[n] == "market_prior"},
    }
