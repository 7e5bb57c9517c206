"""Business rules applied to every plan before it is returned.

Contract: `apply_business_rules(plan, campaign, method, platforms, data_gaps)` is pure and
returns the plan with the rules' warnings and recommendations merged in, and the list of
findings (one sentence each). It never moves money: a plan that breaks a hard rule
(budget, bounds, platform scope) is flagged, not silently repaired. Rules:

1. **Budget**: under ``max_outcome`` a fully allocated plan spends the budget within 0.5 %.
2. **Bounds**: every channel's spend honours its fixed, minimum and maximum spend (0.5 %).
3. **Scope**: with `platforms` given, no spend goes to other platforms.
4. **Concentration**: a channel above 60 % of the spend is flagged (single-channel risk).
5. **Ramp**: a channel planned at more than twice its recent run-rate is told to ramp up
   over two to three weeks and to watch its marginal returns.
6. **Confidence**: each data gap lowers data quality by 15 %; the overall score is capped
   at 0.5 for heuristic plans; below 0.5 (and for every heuristic plan) the plan
   recommends a holdout test on its largest channel.

Recommendations are de-duplicated by (action, channel) and ordered by expected impact.
"""

from __future__ import annotations

from collections.abc import Iterable

from agents.contract import Campaign, ConfidenceScores, DistributionPlan, Recommendation
from orchestration.workflows.models import Method
from orchestration.workflows.scope import platform_of

__all__ = ["apply_business_rules"]

_BUDGET_TOLERANCE = 0.005
_MAX_SHARE = 0.60
_RAMP_FACTOR = 1.0  # change_vs_history above +100 %
_GAP_PENALTY = 0.85
_LOW_CONFIDENCE = 0.5
_IGNORED_GAPS = {"plan_cache"}


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def apply_business_rules(
    plan: DistributionPlan,
    campaign: Campaign,
    method: Method,
    platforms: Iterable[str] = (),
    data_gaps: Iterable[str] = (),
) -> tuple[DistributionPlan, list[str]]:
    """The plan with the rules applied, and what they found (see the module docstring)."""
    findings: list[str] = []
    recs: list[Recommendation] = list(plan.recommendations)
    cur = plan.currency

    budget = campaign.total_budget
    off_budget = abs(plan.total_spend - budget) > _BUDGET_TOLERANCE * budget
    if campaign.goal.kind == "max_outcome" and plan.budget_fully_allocated and off_budget:
        findings.append(
            f"budget rule: the plan spends {_money(plan.total_spend)} {cur} of a "
            f"{_money(budget)} {cur} budget"
        )

    specs = {s.channel: s for s in campaign.channels or []}
    for a in plan.allocations:
        spec = specs.get(a.channel)
        if spec is None:
            continue
        tol = _BUDGET_TOLERANCE * max(budget, 1.0)
        if a.spend < spec.lower - tol or a.spend > spec.upper + tol:
            findings.append(
                f"bounds rule: {a.channel} gets {_money(a.spend)} {cur}, outside its bounds "
                f"{_money(spec.lower)} to {_money(spec.upper)} {cur}"
            )

    wanted = set(platforms)
    if wanted:
        for a in plan.allocations:
            if a.spend > 0 and platform_of(a.channel) not in wanted:
                findings.append(
                    f"scope rule: {a.channel} gets {_money(a.spend)} {cur} but only "
                    f"{', '.join(sorted(wanted))} were requested"
                )

    total = plan.total_spend
    for a in plan.allocations:
        if total > 0 and a.spend / total > _MAX_SHARE and len(plan.allocations) > 1:
            findings.append(
                f"concentration: {a.channel} takes {_pct(a.spend / total)} of the spend; keep "
                "a test budget elsewhere to limit single-channel risk"
            )
        if a.change_vs_history is not None and a.change_vs_history > _RAMP_FACTOR:
            findings.append(
                f"ramp: {a.channel} is planned at {_pct(1 + a.change_vs_history)} of its recent "
                "run-rate; raise its spend over two to three weeks and watch its marginal returns"
            )

    gaps = [g for g in data_gaps if g not in _IGNORED_GAPS]
    scores = plan.confidence_scores
    data_quality = scores.data_quality * (_GAP_PENALTY ** len(gaps))
    overall = min(scores.overall, 0.5) if method == "heuristic" else scores.overall
    confidence = ConfidenceScores(
        overall=round(overall, 4),
        data_quality=round(data_quality, 4),
        model_fit=scores.model_fit,
    )
    if gaps:
        findings.append(
            f"data gaps ({', '.join(gaps)}): data quality lowered to {data_quality:.2f}"
        )
    if (overall < _LOW_CONFIDENCE or method == "heuristic") and plan.allocations:
        top = max(plan.allocations, key=lambda a: a.spend)
        recs.append(
            Recommendation(
                action="test",
                channel=top.channel,
                rationale=(
                    f"Confidence is low ({overall:.2f}): run a holdout test on {top.channel} "
                    f"({_money(top.spend)} {cur} planned) before committing the full budget."
                ),
                expected_impact=0.0,
            )
        )

    seen: set[tuple[str, str]] = set()
    unique: list[Recommendation] = []
    for r in sorted(recs, key=lambda r: -abs(r.expected_impact)):
        if (r.action, r.channel) not in seen:
            seen.add((r.action, r.channel))
            unique.append(r)
    warnings = list(plan.warnings)
    warnings += [f for f in findings if f not in warnings]
    return (
        plan.model_copy(
            update={
                "recommendations": unique,
                "confidence_scores": confidence,
                "warnings": warnings,
            }
        ),
        findings,
    )
