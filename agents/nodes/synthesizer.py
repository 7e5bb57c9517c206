"""Synthesizer: turns the final allocation into a `DistributionPlan`.

Contract: reads every other agent's output and writes `state["plan"]` (the plan as
JSON). All figures come from the response curves' posterior samples (`agents.stats`);
texts come from `agents.narrative`, and, when an LLM narrator is configured, are
rewritten by it under a check that every number it cites is one of the plan's own
(any failure keeps the deterministic text and adds a warning).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from langgraph.runtime import Runtime

from agents.confidence import near_optimal_probability
from agents.contract import (
    Allocation,
    AnalysisInfo,
    BaselineSummary,
    ConfidenceScores,
    CurvePoints,
    DistributionPlan,
)
from agents.narrative import money, plan_insights, recommendations
from agents.nodes.budget import channel_bounds
from agents.nodes.narration import narrate_plan
from agents.response.curves import ResponseCurve
from agents.scores import data_quality, model_fit
from agents.state import Deps, InputView, PlanState, input_view
from agents.stats import channel_stats, curve_points, historical_mix, total_samples

__all__ = ["synthesizer"]

_FAR_OUTSIDE = 1.5  # planned daily spend beyond this multiple of history's maximum is flagged
_AGENTS = ["performance", "market", "budget", "critic", "synthesizer"]


async def synthesizer(state: PlanState, runtime: Runtime[Deps]) -> dict[str, Any]:
    inp = input_view(state)
    plan = build_plan(inp, state)
    plan, extra_warnings, used_llm = await narrate_plan(
        plan, state["market"], runtime.context.narrator
    )
    plan.warnings.extend(extra_warnings)
    plan.analysis.mode = "llm" if used_llm else "deterministic"
    return {"plan": plan.model_dump(mode="json"), "trace": ["synthesizer"]}


def _curves(state: PlanState) -> dict[str, ResponseCurve]:
    inp_obj = state["input"]["campaign"]["objective"]
    fitted = state["performance"]["metrics"][inp_obj]["curves"]
    budget = state["budget"]
    out = {}
    for ch in budget["spend"]:
        data = budget["prior_curves"].get(ch) or fitted[ch]
        out[ch] = ResponseCurve.from_json(data)
    return out


def build_plan(inp: InputView, state: PlanState) -> DistributionPlan:
    c = inp.campaign
    perf, budget, market = state["performance"], state["budget"], state["market"]
    curves = _curves(state)
    spend: dict[str, float] = budget["spend"]
    total_spend = float(sum(spend.values()))
    facts = perf["channels"]
    days = c.flight_days
    run_rate = {ch: facts.get(ch, {}).get("run_rate_daily", 0.0) for ch in spend}
    bounds = channel_bounds(inp)
    fixed = {ch: lo for ch, (lo, hi) in bounds.items() if hi - lo <= 1e-9}
    hist_mix = historical_mix(run_rate, {ch: b[0] for ch, b in bounds.items()}, fixed, total_spend)

    allocations: list[Allocation] = []
    impacts: dict[str, float] = {}
    curve_json: dict[str, CurvePoints] = {}
    capped = set(state.get("caps", {}))
    floored = set(state.get("floors", {}))
    for ch, x in spend.items():
        st = channel_stats(curves[ch], x)
        hist = run_rate[ch] * days if run_rate[ch] > 0 else None
        bound = budget["binding"].get(ch)
        if ch in capped and bound == "max" and x < bounds[ch][1] - 1e-6:
            bound = "cap"
        if ch in floored and bound == "min" and x > bounds[ch][0] + 1e-6:
            bound = "floor"
        allocations.append(
            Allocation(
                channel=ch,
                spend=round(x, 2),
                daily_spend=round(x / days, 2),
                share=round(x / total_spend, 4) if total_spend > 0 else 0.0,
                expected_outcome=round(st.expected, 2),
                outcome_interval=(round(st.p10, 2), round(st.p90, 2)),
                roi=None if st.roi is None else round(st.roi, 2),
                marginal_roi=round(st.marginal, 2),
                change_vs_history=None if hist is None else round(x / hist - 1, 4),
                confidence=round(st.confidence, 2),
                historical_spend=None if hist is None else round(hist, 2),
                bound=bound,
            )
        )
        if hist is not None:
            impacts[ch] = st.expected - float(curves[ch].mean_outcome(hist)[0])
        else:
            impacts[ch] = st.expected
        observed = facts.get(ch, {}).get("observed_max_daily", 0.0) * days
        upper = 1.5 * max(x, hist or 0.0, observed, total_spend / max(len(spend), 1))
        curve_json[ch] = CurvePoints(
            **curve_points(curves[ch], upper), observed_max_spend=observed if observed > 0 else None
        )

    plan_draws = total_samples(curves, spend)
    hist_draws = total_samples(curves, hist_mix)
    expected = float(plan_draws.mean())
    p10, p90 = np.percentile(plan_draws, [10, 90])
    baseline = float(hist_draws.mean())
    uplift = expected / baseline - 1 if baseline > 0 else None
    beats = float(np.mean(plan_draws > hist_draws)) if any(run_rate.values()) else 0.5
    names = list(spend)
    near_optimal = near_optimal_probability(
        [curves[ch] for ch in names],
        [spend[ch] for ch in names],
        [float(budget["bounds"][ch][0]) for ch in names],
        [
            math.inf if budget["bounds"][ch][1] is None else float(budget["bounds"][ch][1])
            for ch in names
        ],
        total_spend,
    )
    metric = perf["metrics"][c.objective]
    warnings = _warnings(state, allocations, days)
    calibration = {
        ch: {
            "reported_roi": facts.get(ch, {}).get("reported_roi"),
            "model_roi": metric.get("roi_historical", {}).get(ch),
        }
        for ch in spend
        if budget["sources"][ch] == "history"
    }
    notes = {
        ch: market["priors"][c.objective][ch]["note"]
        for ch in spend
        if budget["sources"][ch] == "market_prior"
    }
    binding = [
        f"{a.channel} {a.bound} {money(a.spend)}" for a in allocations if a.bound is not None
    ]
    return DistributionPlan(
        campaign_id=c.campaign_id,
        objective=c.objective,
        currency=c.currency,
        total_budget=c.total_budget,
        total_spend=round(total_spend, 2),
        flight_days=days,
        allocations=allocations,
        expected_outcome=round(expected, 2),
        outcome_interval=(round(float(p10), 2), round(float(p90), 2)),
        baseline=BaselineSummary(
            name="historical_mix",
            expected_outcome=round(baseline, 2),
            total_spend=round(total_spend, 2),
        ),
        uplift_vs_baseline=None if uplift is None else round(uplift, 4),
        confidence_scores=ConfidenceScores(
            overall=round(near_optimal, 2),
            beats_historical_mix=round(beats, 2),
            data_quality=round(data_quality(perf, budget["sources"]), 2),
            model_fit=round(model_fit(metric), 2),
        ),
        insights=plan_insights(
            allocations,
            currency=c.currency,
            objective=c.objective,
            total_outcome=expected,
            baseline_outcome=baseline,
            uplift=uplift,
            calibration=calibration,
            market_notes=notes,
            capped=sorted(capped & {a.channel for a in allocations if a.bound == "cap"}),
        ),
        recommendations=recommendations(allocations, impacts, c.currency, c.objective),
        warnings=warnings,
        analysis=AnalysisInfo(
            mode="deterministic", agents=_AGENTS, rounds=state.get("round", 1), runtime_s=0.0
        ),
        budget_fully_allocated=total_spend >= c.total_budget * 0.995,
        binding_bounds=binding,
        diagnostics=_diagnostics(perf, budget, metric),
        response_curves=curve_json,
    )


def _warnings(state: PlanState, allocations: list[Allocation], days: int) -> list[str]:
    out = list(dict.fromkeys(state.get("warnings", [])))
    objective = state["input"]["campaign"]["objective"]
    out += state["performance"]["metrics"][objective].get("notes", [])
    facts = state["performance"]["channels"]
    for a in allocations:
        for flag in facts.get(a.channel, {}).get("flags", []):
            out.append(f"{a.channel}: {flag}")
        observed = facts.get(a.channel, {}).get("observed_max_daily", 0.0)
        if observed > 0 and a.daily_spend > _FAR_OUTSIDE * observed:
            out.append(
                f"{a.channel}: planned {money(a.daily_spend)} a day, "
                f"{a.daily_spend / observed:.1f}x the highest sustained daily spend in its "
                "history; the response there is extrapolated"
            )
    model_roi = state["performance"]["metrics"][objective].get("roi_historical", {})
    for ch, (lo, hi) in state["market"].get("sanity", {}).items():
        roi = model_roi.get(ch)
        if roi is not None and not lo <= roi <= hi:
            out.append(
                f"{ch}: the model's historical ROI {roi:.2f} is outside the market's plausible "
                f"range {lo:.2f}-{hi:.2f} for this channel; check its data"
            )
    for pair in state["performance"].get("collinear", []):
        out.append(
            f"{pair[0]} and {pair[1]} moved together (weekly spend correlation {pair[2]:.2f}): "
            "their separate effects are hard to tell apart"
        )
    budget = state["budget"]
    if not budget.get("goal_met", True):
        out.append(_unmet_goal_warning(state))
    return out


def _unmet_goal_warning(state: PlanState) -> str:
    c = state["input"]["campaign"]
    goal, currency = c["goal"], c.get("currency", "USD")
    cpa = goal["kind"] == "target_cpa"
    name = "CPA" if cpa else "ROAS"

    def shown(ratio: float) -> float:
        return (1 / ratio if ratio > 0 else float("inf")) if cpa else ratio

    info = state["budget"].get("target", {})
    points = [
        f"{name} {shown(ratio):,.2f} at {money(spend)} {currency}"
        for spend, ratio in info.get("frontier", [])
    ]
    expected = "; ".join(points) if points else "no spend level reaches it"
    head = (
        f"goal {goal['kind']} {goal['value']:g} is not met in expectation: "
        f"the model expects {expected}."
    )
    if info.get("optimistic"):
        return (
            f"{head} The plan spends {money(sum(state['budget']['spend'].values()))} {currency}, "
            f"where the target is met with probability {info['probability']:.0%} "
            f"(expected {name} {shown(info['expected_ratio']):,.2f}): treat it as optimistic"
        )
    return (
        f"{head} No spend meets it with probability 20% or more, so the plan spends only the "
        "channels' minimums; lower the target, or calibrate the model with a lift test if "
        "you believe the platforms' figures"
    )


def _ratio(model: float | None, reported: float | None) -> float | None:
    """Incremental (model) over platform-attributed ROI: how far to trust the platform."""
    if model is None or not reported:
        return None
    return model / reported


def _diagnostics(
    perf: dict[str, Any], budget: dict[str, Any], metric: dict[str, Any]
) -> dict[str, Any]:
    channels = {}
    for ch, src in budget["sources"].items():
        facts = perf["channels"].get(ch, {})
        channels[ch] = {
            "source": src,
            "history_days": facts.get("history_days", 0),
            "spend_cv": facts.get("spend_cv"),
            "reported_roi": facts.get("reported_roi"),
            "roi_historical": metric.get("roi_historical", {}).get(ch),
            "calibration_factor": _ratio(
                metric.get("roi_historical", {}).get(ch), facts.get("reported_roi")
            ),
            "marginal_roi_at_run_rate": metric.get("marginal_at_run_rate", {}).get(ch),
            "adstock_half_life_days": facts.get("half_life_days"),
            "saturation_shape": facts.get("saturation_shape"),
            "flags": facts.get("flags", []),
        }
    return {
        "model": {
            "kpi_used": metric.get("kpi_used"),
            "r2": metric.get("r2"),
            "holdout_mape": metric.get("holdout_mape"),
            "holdout_r2": metric.get("holdout_r2"),
            "residual_ar1": metric.get("ar1"),
            "notes": metric.get("notes", []),
        },
        "channels": channels,
        "goal_met": budget.get("goal_met", True),
    }
