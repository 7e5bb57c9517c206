"""Terminal rendering of a distribution plan (rich tables).

Contract: `print_plan(plan, console)` prints the allocation table, the totals, the
confidence scores, the recommendations and the warnings; it only reads the plan.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from agents.contract import DistributionPlan

__all__ = ["print_plan"]


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:+.0%}"


def print_plan(plan: DistributionPlan, console: Console) -> None:
    cur = plan.currency
    table = Table(
        title=(
            f"Distribution plan {plan.campaign_id}: {_money(plan.total_spend)} of "
            f"{_money(plan.total_budget)} {cur} over {plan.flight_days} days ({plan.objective})"
        ),
        title_justify="left",
    )
    for col, justify in (
        ("channel", "left"),
        (f"spend ({cur})", "right"),
        ("share", "right"),
        ("vs history", "right"),
        ("expected outcome", "right"),
        ("80% interval", "right"),
        ("ROI", "right"),
        ("marginal ROI", "right"),
        ("confidence", "right"),
        ("bound", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in sorted(plan.allocations, key=lambda a: -a.spend):
        table.add_row(
            a.channel,
            _money(a.spend),
            f"{a.share:.1%}",
            _pct(a.change_vs_history),
            _money(a.expected_outcome),
            f"{_money(a.outcome_interval[0])} – {_money(a.outcome_interval[1])}",
            "—" if a.roi is None else f"{a.roi:.2f}",
            f"{a.marginal_roi:.2f}",
            f"{a.confidence:.2f}",
            a.bound or "",
        )
    console.print(table)
    lo, hi = plan.outcome_interval
    console.print(
        f"Expected {plan.objective}: [bold]{_money(plan.expected_outcome)}[/bold] "
        f"(80% interval {_money(lo)} – {_money(hi)}); historical mix "
        f"{_money(plan.baseline.expected_outcome)}; uplift {_pct(plan.uplift_vs_baseline)}"
    )
    cs = plan.confidence_scores
    console.print(
        f"Confidence: overall {cs.overall:.2f} (probability the plan beats the historical mix), "
        f"data quality {cs.data_quality:.2f}, model fit {cs.model_fit:.2f}"
    )
    if plan.recommendations:
        console.print("\n[bold]Recommendations[/bold]")
        for r in plan.recommendations:
            console.print(f"  • [{r.action}] {r.rationale}")
    if plan.insights:
        console.print("\n[bold]Insights[/bold]")
        for i in plan.insights:
            console.print(f"  • ({i.agent}) {i.text}")
    if plan.warnings:
        console.print("\n[bold yellow]Warnings[/bold yellow]")
        for w in plan.warnings:
            console.print(f"  • {w}")
    info = plan.analysis
    console.print(
        f"\n[dim]mode {info.mode}, {info.rounds} budget round(s), {info.runtime_s:.2f} s[/dim]"
    )
