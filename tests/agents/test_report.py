"""The HTML plan report: well-formed, self-contained, escaped, complete, robust."""

from __future__ import annotations

import math
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agents.contract import (
    Allocation,
    AnalysisInfo,
    BaselineSummary,
    ConfidenceScores,
    CurvePoints,
    DistributionPlan,
    Insight,
    Recommendation,
)
from agents.report import render_report, write_report
from agents.report._format import compact, money, nice_ticks, pct, ratio

TRACKED = {
    "html",
    "head",
    "body",
    "main",
    "header",
    "section",
    "footer",
    "svg",
    "div",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "ul",
    "li",
    "p",
    "span",
    "g",
    "text",
    "title",
    "h1",
    "h2",
    "h3",
    "polygon",
    "polyline",
    "circle",
    "line",
    "rect",
    "style",
}
XSS = "<script>alert('x')</script>"


class _Balance(HTMLParser):
    """Checks that tracked tags nest and close properly; counts tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in TRACKED:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in TRACKED:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Balance:
    parser = _Balance()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


def _curve(spend: float, roi: float, observed: float | None) -> CurvePoints:
    grid = [spend * 2.5 * i / 24 for i in range(25)]
    k = max(spend, 1.0)
    mean = [roi * 1.6 * k * (1 - math.exp(-x / k)) for x in grid]
    return CurvePoints(
        spend=grid,
        mean=mean,
        p10=[0.8 * m for m in mean],
        p90=[1.25 * m for m in mean],
        observed_max_spend=observed,
    )


def _plan(
    names: list[str],
    *,
    curves: bool = True,
    history: bool = True,
    objective: str = "revenue",
    budget: float = 250_000.0,
) -> DistributionPlan:
    n = max(len(names), 1)
    allocations = []
    for i, name in enumerate(names):
        spend = budget * (i + 1) / (n * (n + 1) / 2)
        roi = 4.0 - 0.1 * i
        allocations.append(
            Allocation(
                channel=name,
                spend=spend,
                daily_spend=spend / 90,
                share=spend / budget if budget else 0.0,
                expected_outcome=spend * roi,
                outcome_interval=(spend * roi * 0.85, spend * roi * 1.15),
                roi=roi,
                marginal_roi=roi / 2,
                change_vs_history=(0.1 * (i - 1)) if history else None,
                confidence=0.8,
                historical_spend=spend / (1 + 0.1 * (i - 1)) if history and i != 2 else None,
                bound="max" if i == 0 else None,
            )
        )
    total = sum(a.expected_outcome for a in allocations)
    response = (
        {
            a.channel: _curve(a.spend, a.roi or 0.0, a.spend * 1.2 if i % 2 else None)
            for i, a in enumerate(allocations[:-1] if len(allocations) > 1 else allocations)
        }
        if curves
        else {}
    )
    return DistributionPlan(
        campaign_id="q1-2027-northwind",
        objective=objective,
        currency="USD",
        total_budget=budget,
        total_spend=budget if names else 0.0,
        flight_days=90,
        allocations=allocations,
        expected_outcome=total,
        outcome_interval=(total * 0.9, total * 1.1),
        baseline=BaselineSummary(name="historical_mix", expected_outcome=total / 1.07),
        uplift_vs_baseline=0.07 if history else None,
        confidence_scores=ConfidenceScores(overall=0.78, data_quality=0.9, model_fit=0.83),
        insights=[
            Insight(agent="performance", text=f"Search leads. {XSS}", evidence={"roi": 4.42})
        ],
        recommendations=[
            Recommendation(
                action="increase",
                channel=names[0] if names else "x",
                rationale="High marginal ROI & room to grow",
                expected_impact=21000.0,
            )
        ],
        warnings=["meta:stories has 14 days of history; planned from market priors"],
        analysis=AnalysisInfo(
            mode="deterministic", agents=["performance", "budget"], rounds=2, runtime_s=0.9
        ),
        binding_bounds=[f"{names[0]}: max"] if names else [],
        response_curves=response,
    )


THREE = ["google_ads:search", "meta:instagram_reels", "google_ads:youtube"]
TWENTY = [f"{'google_ads' if i % 2 else 'meta'}:placement_{i:02d}" for i in range(20)]
TWENTY[7] = "meta:" + "a_very_long_placement_name_" * 6


def _check(page: str, plan: DistributionPlan) -> _Balance:
    parser = _parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page
    for alloc in plan.allocations:
        assert escape(alloc.channel) in page
    # One curve chart per curve, plus one allocation chart when there are allocations.
    curve_svgs = page.count('class="chart curve"')
    assert curve_svgs == len(plan.response_curves)
    assert page.count('class="chart bars"') == (1 if plan.allocations else 0)
    assert parser.counts.get("svg", 0) >= curve_svgs
    return parser


def test_three_channel_plan_with_curves() -> None:
    plan = _plan(THREE)
    page = render_report(plan)
    _check(page, plan)
    assert "USD 250,000" in page
    assert "+7.0%" in page  # uplift
    assert "max observed" in page
    assert "No curve (market prior)" in page and "google_ads:youtube" in page
    assert "&lt;script&gt;" in page  # the insight's markup is escaped
    assert "High marginal ROI &amp; room to grow" in page
    assert "meta:stories has 14 days" in page
    assert page == render_report(plan)  # deterministic


def test_twenty_channels_and_long_names() -> None:
    plan = _plan(TWENTY, objective="conversions")
    page = render_report(plan)
    _check(page, plan)
    assert "Cost / conv." in page
    assert "conv." in page


def test_no_curves_no_history() -> None:
    plan = _plan(THREE, curves=False, history=False)
    page = render_report(plan)
    parser = _check(page, plan)
    assert "This plan has no response curves" in page
    assert "Historical mix (run-rate" not in page  # legend of the history bars is absent
    assert "no historical mix to compare with" in "".join(parser.text)


@pytest.mark.parametrize("names", [[], ["google_ads:search"]])
def test_zero_and_one_channel(names: list[str]) -> None:
    plan = _plan(names)
    _check(render_report(plan), plan)


def test_zero_values_and_escaped_channel_name() -> None:
    plan = _plan([XSS, "meta:feed"], budget=0.0)
    plan.response_curves[XSS] = CurvePoints(
        spend=[0.0, 0.0], mean=[0.0, 0.0], p10=[0.0, 0.0], p90=[0.0, 0.0], observed_max_spend=0.0
    )
    plan.response_curves["meta:empty"] = CurvePoints(spend=[], mean=[], p10=[], p90=[])
    page = render_report(plan)
    _check(page, plan)
    assert XSS not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count('class="chart curve"') == len(plan.response_curves)
    assert "no curve points" in page


def test_write_report(tmp_path: Path) -> None:
    plan = _plan(THREE)
    target = tmp_path / "out" / "plan.html"
    write_report(plan, target)
    assert target.read_text(encoding="utf-8") == render_report(plan)


def test_formatting() -> None:
    assert money(91000, "USD") == "USD 91,000"
    assert money(12.5, "EUR") == "EUR 12.50"
    assert pct(0.364) == "36.4%"
    assert pct(-0.12, signed=True) == "−12.0%"
    assert pct(None) == "—"
    assert ratio(4.4249) == "4.42"
    assert compact(1_500_000) == "1.5M" and compact(25_000) == "25k" and compact(0) == "0"
    assert nice_ticks(0, 0) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(0, 97_000, 5) == [0.0, 25_000.0, 50_000.0, 75_000.0, 100_000.0]
