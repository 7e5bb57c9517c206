"""The body sections of the HTML plan report: allocation, response curves, insights.

Contract: each `*_section(plan)` returns one complete `<section>` element as a string,
with every piece of plan text HTML-escaped. Missing data (no allocations, no history,
no curves, no insights) is rendered as a short note, never as an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from agents.contract import Allocation, DistributionPlan
from agents.report._format import DASH, finite, money, outcome, pct, ratio, truncate
from agents.report._svg import (
    MUTED,
    PLAN_COLOR,
    POINT_COLOR,
    allocation_chart,
    curve_chart,
)

__all__ = ["allocation_section", "curves_section", "insights_section", "warnings_section"]

BOUND_TEXT = {
    "min": "minimum spend binds",
    "max": "maximum spend binds",
    "fixed": "spend is fixed",
    "cap": "extrapolation cap binds (critic)",
}


def _signed_class(x: float | None) -> str:
    if x is None or finite(x) == 0:
        return ""
    return "pos" if finite(x) > 0 else "neg"


def _out(plan: DistributionPlan, x: float | None, *, signed: bool = False) -> str:
    return outcome(x, plan.objective, plan.currency, signed=signed)


def _interval(plan: DistributionPlan, interval: tuple[float, float]) -> str:
    return f"{_out(plan, interval[0])} – {_out(plan, interval[1])}"


def _bound_badge(bound: str | None) -> str:
    if bound is None:
        return DASH
    tip = escape(BOUND_TEXT.get(bound, bound))
    return f'<span class="badge b-{escape(bound)}" title="{tip}">{escape(bound)}</span>'


def _td(text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<td{klass}>{text}</td>"


def _allocation_row(plan: DistributionPlan, a: Allocation, show_cpa: bool) -> str:
    cur = plan.currency
    cells = [
        _td(escape(a.channel), "name"),
        _td(escape(money(a.spend, cur))),
        _td(escape(pct(a.share))),
        _td(escape(money(a.daily_spend, cur))),
        _td(escape(pct(a.change_vs_history, signed=True)), _signed_class(a.change_vs_history)),
        _td(
            escape(_out(plan, a.expected_outcome))
            + f'<span class="sub">{escape(_interval(plan, a.outcome_interval))}</span>'
        ),
        _td(escape(ratio(a.roi))),
    ]
    if show_cpa:
        cpa = a.spend / a.expected_outcome if finite(a.expected_outcome) > 0 else None
        cells.append(_td(escape(money(cpa, cur))))
    cells += [
        _td(escape(ratio(a.marginal_roi))),
        _td(escape(pct(a.confidence, decimals=0))),
        _td(_bound_badge(a.bound)),
    ]
    hist = f"historical mix: {money(a.historical_spend, cur)}" if a.historical_spend else ""
    title = f' title="{escape(hist)}"' if hist else ""
    return f"<tr{title}>" + "".join(cells) + "</tr>"


def _total_row(plan: DistributionPlan, show_cpa: bool) -> str:
    cur, allocs = plan.currency, plan.allocations
    hist = [a.historical_spend for a in allocs]
    change: float | None = None
    if allocs and all(h is not None for h in hist):
        hist_total = sum(finite(h) for h in hist)
        change = plan.total_spend / hist_total - 1 if hist_total > 0 else None
    roi = plan.expected_outcome / plan.total_spend if finite(plan.total_spend) > 0 else None
    cells = [
        _td("Total"),
        _td(escape(money(plan.total_spend, cur))),
        _td(escape(pct(sum(finite(a.share) for a in allocs)))),
        _td(escape(money(sum(finite(a.daily_spend) for a in allocs), cur))),
        _td(escape(pct(change, signed=True)), _signed_class(change)),
        _td(
            escape(_out(plan, plan.expected_outcome))
            + f'<span class="sub">{escape(_interval(plan, plan.outcome_interval))}</span>'
        ),
        _td(escape(ratio(roi))),
    ]
    if show_cpa:
        cpa = (
            plan.total_spend / plan.expected_outcome if finite(plan.expected_outcome) > 0 else None
        )
        cells.append(_td(escape(money(cpa, cur))))
    cells += [_td(""), _td(escape(pct(plan.confidence_scores.overall, decimals=0))), _td("")]
    return "<tr>" + "".join(cells) + "</tr>"


def allocation_section(plan: DistributionPlan) -> str:
    """Grouped bar chart (plan vs historical mix) and the per-channel allocation table."""
    show_cpa = plan.objective == "conversions"
    heads = [
        "Channel",
        "Planned spend",
        "Share",
        "Daily spend",
        "Δ vs history",
        "Expected outcome<br>(p10 – p90)",
        "ROI",
    ]
    if show_cpa:
        heads.append("Cost / conv.")
    heads += ["Marginal ROI", "Confidence", "Bound"]
    lead = (
        f"Planned spend over the {plan.flight_days}-day flight vs the historical mix "
        f"(each channel's recent daily run-rate × flight days), in {plan.currency}."
    )
    if not plan.allocations:
        body = '<p class="empty">This plan has no channel allocations.</p>'
    else:
        rows = "".join(_allocation_row(plan, a, show_cpa) for a in plan.allocations)
        head = "".join(f"<th>{h}</th>" for h in heads)
        body = (
            allocation_chart(plan.allocations, plan.currency)
            + '<div class="tablewrap"><table><thead><tr>'
            + head
            + "</tr></thead>"
            + f"<tbody>{rows}</tbody><tfoot>{_total_row(plan, show_cpa)}</tfoot></table></div>"
        )
    return (
        '<section id="allocation"><h2>Allocation vs historical mix</h2>'
        f'<p class="lead">{escape(lead)}</p>{body}</section>'
    )


def _legend() -> str:
    def icon(inner: str) -> str:
        return f'<svg width="22" height="12" viewBox="0 0 22 12" aria-hidden="true">{inner}</svg>'

    items = [
        (
            icon(f'<line x1="1" y1="6" x2="21" y2="6" stroke="{PLAN_COLOR}" stroke-width="2"/>'),
            "mean response",
        ),
        (
            icon(
                f'<rect x="1" y="1" width="20" height="10" fill="{PLAN_COLOR}" '
                'fill-opacity="0.16"/>'
            ),
            "p10–p90 band",
        ),
        (icon(f'<circle cx="11" cy="6" r="5" fill="{POINT_COLOR}"/>'), "planned spend"),
        (
            icon(
                f'<polygon points="11,1 16,6 11,11 6,6" fill="#fff" stroke="{MUTED}" '
                'stroke-width="2"/>'
            ),
            "historical mix",
        ),
        (
            icon(f'<line x1="11" y1="0" x2="11" y2="12" stroke="{MUTED}" stroke-dasharray="3 2"/>'),
            "max observed spend",
        ),
    ]
    return '<div class="legend">' + "".join(f"<span>{i}{t}</span>" for i, t in items) + "</div>"


def curves_section(plan: DistributionPlan) -> str:
    """Small-multiple response curves; channels without a curve are listed by name."""
    by_channel = {a.channel: a for a in plan.allocations}
    order = [a.channel for a in plan.allocations if a.channel in plan.response_curves]
    order += [c for c in plan.response_curves if c not in by_channel]
    cards: list[str] = []
    for name in order:
        alloc = by_channel.get(name)
        meta = "not allocated in this plan"
        if alloc is not None:
            meta = (
                f"planned {money(alloc.spend, plan.currency)} · ROI {ratio(alloc.roi)} · "
                f"marginal ROI {ratio(alloc.marginal_roi)}"
            )
        chart = curve_chart(
            name,
            plan.response_curves[name],
            alloc,
            objective=plan.objective,
            currency=plan.currency,
        )
        cards.append(
            f'<div class="cc"><h3 title="{escape(name)}">{escape(truncate(name, 90))}</h3>'
            f'<div class="meta">{escape(meta)}</div>{chart}</div>'
        )
    missing = [a.channel for a in plan.allocations if a.channel not in plan.response_curves]
    lead = (
        f"Expected incremental {'revenue' if plan.objective == 'revenue' else 'conversions'} "
        "over the flight as a function of the channel's flight spend (carry-over included)."
    )
    body = (
        _legend() + f'<div class="grid">{"".join(cards)}</div>'
        if cards
        else ('<p class="empty">This plan has no response curves.</p>')
    )
    if missing:
        names = ", ".join(f"<span>{escape(c)}</span>" for c in missing)
        body += f'<p class="nocurve"><strong>No curve (market prior):</strong> {names}</p>'
    return (
        f'<section id="curves"><h2>Response curves</h2><p class="lead">{escape(lead)}</p>'
        f"{body}</section>"
    )


def _evidence(evidence: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, value in list(evidence.items())[:6]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = truncate(str(value), 80)
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            text = ratio(value) if abs(finite(value)) < 100 else f"{finite(value):,.0f}"
        parts.append(f"{key}: {text}")
    return f'<div class="ev">{escape(" · ".join(parts))}</div>' if parts else ""


def _list_or_empty(items: Sequence[str], empty: str, cls: str = "plain") -> str:
    if not items:
        return f'<p class="empty">{escape(empty)}</p>'
    return f'<ul class="{cls}">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def insights_section(plan: DistributionPlan) -> str:
    """Agents' insights (with evidence) and the recommendations table."""
    insights = [
        f'<span class="badge">{escape(i.agent)}</span> {escape(i.text)}{_evidence(i.evidence)}'
        for i in plan.insights
    ]
    if plan.recommendations:
        rows = "".join(
            "<tr>"
            + _td(f'<span class="badge a-{escape(r.action)}">{escape(r.action)}</span>')
            + _td(escape(r.channel), "name")
            + _td(escape(r.rationale), "txt")
            + _td(
                escape(_out(plan, r.expected_impact, signed=True)), _signed_class(r.expected_impact)
            )
            + "</tr>"
            for r in plan.recommendations
        )
        recs = (
            '<div class="tablewrap"><table><thead><tr><th>Action</th><th class="txt">Channel</th>'
            '<th class="txt">Rationale</th><th>Expected impact</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    else:
        recs = '<p class="empty">No recommendations.</p>'
    return (
        '<section id="insights"><h2>Insights</h2>'
        + _list_or_empty(insights, "No insights.")
        + '</section><section id="recommendations"><h2>Recommendations</h2>'
        + recs
        + "</section>"
    )


def warnings_section(plan: DistributionPlan) -> str:
    """Warnings (highlighted) and the bounds that bind at the planned spend."""
    warnings = [escape(w) for w in plan.warnings]
    bounds = [escape(b) for b in plan.binding_bounds]
    for a in plan.allocations:
        if a.bound is not None and not any(a.channel in b for b in plan.binding_bounds):
            what = BOUND_TEXT.get(a.bound, a.bound)
            text = f"{a.channel}: {what} at {money(a.spend, plan.currency)}"
            bounds.append(escape(text))
    return (
        '<section id="warnings"><div class="cols"><div class="warnings">'
        f"<h2>Warnings ({len(warnings)})</h2>"
        + _list_or_empty(warnings, "No warnings.", cls="")
        + f"</div><div><h2>Binding bounds ({len(bounds)})</h2>"
        + _list_or_empty(bounds, "No bound binds at the planned spend.")
        + "</div></div></section>"
    )
