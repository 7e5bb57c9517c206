"""The report page: document shell, header with the plan's key figures, and file output.

Contract: `render_report(plan)` returns one self-contained HTML5 document (inline CSS,
inline SVG charts, no scripts and no external URLs of any kind); all plan text is
HTML-escaped. The output is deterministic: the same plan always renders the same
string. `write_report(plan, path)` writes that document as UTF-8, creating missing
parent directories.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from agents.contract import DistributionPlan
from agents.report._format import finite, money, outcome, pct
from agents.report._sections import (
    allocation_section,
    curves_section,
    insights_section,
    warnings_section,
)
from agents.report._style import CSS

__all__ = ["render_report", "write_report"]


def _kpi(key: str, value: str, sub: str = "", value_cls: str = "") -> str:
    klass = f' class="v {value_cls}"' if value_cls else ' class="v"'
    sub_html = f'<div class="s">{sub}</div>' if sub else ""
    return (
        f'<div class="kpi"><div class="k">{escape(key)}</div>'
        f"<div{klass}>{value}</div>{sub_html}</div>"
    )


def _meter(label: str, score: float) -> str:
    value = min(max(finite(score), 0.0), 1.0)
    return (
        f'<div class="meter"><span>{escape(label)}</span>'
        f'<div class="bar"><div style="width:{value * 100:.0f}%"></div></div>'
        f"<span>{escape(pct(value, decimals=0))}</span></div>"
    )


def _header(plan: DistributionPlan) -> str:
    cur = plan.currency
    info = plan.analysis
    chips = [
        f"objective: {plan.objective}",
        f"flight: {plan.flight_days} days",
        f"currency: {cur}",
        f"{len(plan.allocations)} channels",
        f"analysis: {info.mode}",
    ]
    budget = finite(plan.total_budget)
    spend_share = plan.total_spend / budget if budget > 0 else None
    allocated = (
        "budget fully allocated" if plan.budget_fully_allocated else "budget NOT fully allocated"
    )
    lo, hi = plan.outcome_interval
    baseline = plan.baseline
    uplift = plan.uplift_vs_baseline
    uplift_cls = "" if uplift is None or finite(uplift) == 0 else "pos" if uplift > 0 else "neg"
    baseline_out = outcome(baseline.expected_outcome, plan.objective, cur)
    baseline_sub = f"{baseline.name.replace('_', ' ')}: {baseline_out}"
    if baseline.total_spend is not None:
        baseline_sub += f" on {money(baseline.total_spend, cur)}"
    if uplift is None:
        baseline_sub = "no historical mix to compare with"
    scores = plan.confidence_scores
    agents = ", ".join(info.agents) if info.agents else "none"
    kpis = [
        _kpi(
            "Total budget",
            escape(money(plan.total_budget, cur)),
            escape(f"{plan.flight_days}-day flight"),
        ),
        _kpi(
            "Total spend",
            escape(money(plan.total_spend, cur)),
            escape(f"{pct(spend_share)} of budget · {allocated}"),
            "" if plan.budget_fully_allocated else "neg",
        ),
        _kpi(
            "Expected outcome",
            escape(outcome(plan.expected_outcome, plan.objective, cur)),
            escape(
                f"80 % interval: {outcome(lo, plan.objective, cur)} – "
                f"{outcome(hi, plan.objective, cur)}"
            ),
        ),
        _kpi(
            "Uplift vs historical mix",
            escape(pct(uplift, signed=True)),
            escape(baseline_sub),
            uplift_cls,
        ),
        _kpi(
            "Confidence",
            escape(pct(scores.overall, decimals=0)),
            _meter("overall", scores.overall)
            + _meter("data quality", scores.data_quality)
            + _meter("model fit", scores.model_fit),
        ),
        _kpi(
            "Analysis",
            escape(info.mode),
            escape(f"{info.rounds} round(s) · {finite(info.runtime_s):.1f} s · agents: {agents}"),
        ),
    ]
    banner = ""
    if plan.warnings:
        n = len(plan.warnings)
        banner = (
            f'<div class="banner">⚠ This plan has {n} warning{"s" if n != 1 else ""} — '
            '<a href="#warnings">review them below</a>.</div>'
        )
    return (
        '<header class="card"><h1>Media distribution plan · '
        f"{escape(plan.campaign_id)}</h1>"
        '<div class="chips">'
        + "".join(f'<span class="chip">{escape(c)}</span>' for c in chips)
        + '</div><div class="kpis">'
        + "".join(kpis)
        + f"</div>{banner}</header>"
    )


def render_report(plan: DistributionPlan) -> str:
    """The plan as one self-contained HTML document (see the module docstring)."""
    body = "".join(
        [
            _header(plan),
            allocation_section(plan),
            curves_section(plan),
            insights_section(plan),
            warnings_section(plan),
        ]
    )
    footer = (
        f"Plan {plan.campaign_id} · baseline “{plan.baseline.name}” · outcomes are incremental "
        "(media-driven) and include the carry-over of the flight's spend · intervals are p10–p90."
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Media plan · {escape(plan.campaign_id)}</title>"
        f"<style>{CSS}</style></head>"
        f"<body><main>{body}<footer>{escape(footer)}</footer></main></body></html>\n"
    )


def write_report(plan: DistributionPlan, path: Path) -> None:
    """Write `render_report(plan)` to `path` as UTF-8, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(plan), encoding="utf-8")
