"""Optional LLM narration of a finished plan.

Contract: `narrate_plan(plan, market, narrator)` returns the plan with insight and
recommendation texts rewritten by the narrator, plus warnings, plus whether the LLM
text was used. The narrator sees the deterministic drafts and the plan's figures; its
output is accepted only when every number it cites is one of those figures
(`agents.llm`), otherwise the drafts stand and a warning says why. With no narrator the
plan is returned unchanged.
"""

from __future__ import annotations

from typing import Any

from agents.contract import DistributionPlan
from agents.llm import NarrationItem, NarrationRequest, narrate_with_fallback

__all__ = ["narrate_plan", "plan_facts"]


def plan_facts(plan: DistributionPlan) -> dict[str, float | int | str]:
    """Every figure of the plan, flat and named, that a text may cite."""
    facts: dict[str, float | int | str] = {
        "total.budget": plan.total_budget,
        "total.spend": plan.total_spend,
        "total.expected_outcome": plan.expected_outcome,
        "total.outcome_p10": plan.outcome_interval[0],
        "total.outcome_p90": plan.outcome_interval[1],
        "baseline.expected_outcome": plan.baseline.expected_outcome,
        "flight_days": plan.flight_days,
        "confidence.overall": plan.confidence_scores.overall,
    }
    if plan.uplift_vs_baseline is not None:
        facts["uplift"] = plan.uplift_vs_baseline
    for a in plan.allocations:
        for field in (
            "spend",
            "daily_spend",
            "share",
            "expected_outcome",
            "roi",
            "marginal_roi",
            "change_vs_history",
            "historical_spend",
            "confidence",
        ):
            value = getattr(a, field)
            if value is not None:
                facts[f"{a.channel}.{field}"] = value
    for r in plan.recommendations:
        facts[f"{r.channel}.expected_impact"] = r.expected_impact
    for i, ins in enumerate(plan.insights):
        for k, v in ins.evidence.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                facts[f"insight{i}.{k}"] = v
    return facts


async def narrate_plan(
    plan: DistributionPlan, market: dict[str, Any], narrator: Any
) -> tuple[DistributionPlan, list[str], bool]:
    if narrator is None:
        return plan, [], False
    facts = plan_facts(plan)
    keys = list(facts)
    items = [
        NarrationItem(
            id=f"insight{i}",
            kind="market_note" if ins.agent == "market" else "insight",
            channel=None,
            draft=ins.text,
            facts=keys,
        )
        for i, ins in enumerate(plan.insights)
    ] + [
        NarrationItem(
            id=f"rec{i}", kind="recommendation", channel=r.channel, draft=r.rationale, facts=keys
        )
        for i, r in enumerate(plan.recommendations)
    ]
    request = NarrationRequest(
        facts=facts, currency=plan.currency, objective=plan.objective, items=items
    )
    texts, warnings = await narrate_with_fallback(narrator, request)
    if warnings:
        return plan, warnings, False
    for i, ins in enumerate(plan.insights):
        ins.text = texts.get(f"insight{i}", ins.text)
    for i, rec in enumerate(plan.recommendations):
        rec.rationale = texts.get(f"rec{i}", rec.rationale)
    return plan, [], True
