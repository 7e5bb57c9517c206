"""Deterministic insights and recommendations, written from the plan's own figures.

Contract: every number in every text is formatted from a field of the plan (or of the
insight's `evidence`), so the texts are correct by construction and an LLM rewrite can
be checked against the same figures. Money is rounded to whole currency units, ratios
to two decimals, changes to whole percent.
"""

from __future__ import annotations

from typing import Any

from agents.contract import Allocation, Insight, Recommendation

__all__ = ["money", "pct", "plan_insights", "recommendations"]

_KEEP_BAND = 0.10  # changes within +-10% of history read as "keep"


def money(x: float) -> str:
    return f"{x:,.0f}"


def pct(x: float) -> str:
    return f"{x:+.0%}"


def recommendations(
    allocations: list[Allocation], impacts: dict[str, float], currency: str, objective: str
) -> list[Recommendation]:
    out = []
    for a in sorted(allocations, key=lambda a: -abs(impacts.get(a.channel, 0.0))):
        impact = impacts.get(a.channel, 0.0)
        hist = a.historical_spend
        if hist is None or hist <= 0:
            action = "add" if a.spend > 0 else "test"
            text = (
                f"Start {a.channel} at {money(a.spend)} {currency} over the flight; with no "
                f"usable history its ROI of {a.roi or 0:.2f} is a market-benchmark estimate, so "
                "treat it as a test and measure it."
            )
        else:
            change = a.change_vs_history or 0.0
            if a.spend <= 0:
                action = "pause"
            elif change > _KEEP_BAND:
                action = "increase"
            elif change < -_KEEP_BAND:
                action = "decrease"
            else:
                action = "keep"
            verb = {"increase": "Raise", "decrease": "Lower", "keep": "Keep", "pause": "Pause"}[
                action
            ]
            text = (
                f"{verb} {a.channel} from {money(hist)} to {money(a.spend)} {currency} "
                f"({pct(change)}): at the planned spend each extra {currency} returns "
                f"{a.marginal_roi:.2f} {objective}, and the change is worth about "
                f"{money(impact)} {objective}."
            )
        out.append(
            Recommendation(
                action=action, channel=a.channel, rationale=text, expected_impact=round(impact, 2)
            )
        )
    return out


def plan_insights(
    allocations: list[Allocation],
    *,
    currency: str,
    objective: str,
    total_outcome: float,
    baseline_outcome: float,
    uplift: float | None,
    calibration: dict[str, dict[str, Any]],
    market_notes: dict[str, str],
    capped: list[str],
) -> list[Insight]:
    out: list[Insight] = []
    funded = [a for a in allocations if a.spend > 0 and a.roi is not None]
    if funded:
        best = max(funded, key=lambda a: a.roi or 0.0)
        out.append(
            Insight(
                agent="performance",
                text=(
                    f"{best.channel} has the highest return at the planned spend: "
                    f"{best.roi or 0:.2f} "
                    f"{objective} per {currency}, {best.marginal_roi:.2f} for the last {currency}."
                ),
                evidence={"roi": best.roi, "marginal_roi": best.marginal_roi},
            )
        )
    for ch, cal in calibration.items():
        reported, model = cal.get("reported_roi"), cal.get("model_roi")
        if reported and model and abs(model / reported - 1) > 0.25:
            direction = "overstates" if reported > model else "understates"
            out.append(
                Insight(
                    agent="performance",
                    text=(
                        f"The platform {direction} {ch}: it reports an ROI of "
                        f"{reported:.2f}, while "
                        f"the KPI-calibrated model puts the historical ROI at {model:.2f}."
                    ),
                    evidence={"reported_roi": round(reported, 2), "model_roi": round(model, 2)},
                )
            )
    if uplift is not None:
        out.append(
            Insight(
                agent="budget",
                text=(
                    f"The plan is expected to deliver {money(total_outcome)} {objective}, "
                    f"{pct(uplift)} against {money(baseline_outcome)} for the same spend in the "
                    "historical mix."
                ),
                evidence={
                    "expected_outcome": round(total_outcome, 2),
                    "baseline": round(baseline_outcome, 2),
                    "uplift": uplift,
                },
            )
        )
    for ch, note in market_notes.items():
        out.append(Insight(agent="market", text=note, evidence={"channel": ch}))
    for ch in capped:
        alloc = next((a for a in allocations if a.channel == ch), None)
        if alloc is not None:
            out.append(
                Insight(
                    agent="critic",
                    text=(
                        f"{ch} was capped at {money(alloc.spend)} {currency}: more would go beyond "
                        "the spend levels its history shows, where the model cannot be trusted."
                    ),
                    evidence={"spend": alloc.spend},
                )
            )
    return out
