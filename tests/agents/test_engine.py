"""`agents.plan` end to end: the contract's promises on simulated advertisers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from agents import plan
from agents.contract import DistributionPlan
from agents.llm import find_unfaithful_numbers
from agents.nodes.narration import plan_facts
from tests.agents.conftest import small_world


def _by_channel(p: DistributionPlan) -> dict[str, float]:
    return {a.channel: a.spend for a in p.allocations}


def test_max_outcome_plan_honours_the_contract(world: dict[str, Any]) -> None:
    p = plan(world)
    budget = world["campaign"]["total_budget"]
    assert p.total_spend == pytest.approx(budget, rel=0.005)
    assert p.budget_fully_allocated
    assert sum(a.share for a in p.allocations) == pytest.approx(1.0, abs=1e-3)
    assert {a.channel for a in p.allocations} == {r["channel"] for r in world["history"]}
    for a in p.allocations:
        assert a.outcome_interval[0] <= a.expected_outcome <= a.outcome_interval[1]
        assert a.daily_spend == pytest.approx(a.spend / p.flight_days, abs=0.01)
        assert 0.0 <= a.confidence <= 1.0
    lo, hi = p.outcome_interval
    assert lo <= p.expected_outcome <= hi
    assert p.expected_outcome == pytest.approx(
        sum(a.expected_outcome for a in p.allocations), rel=1e-3
    )
    scores = p.confidence_scores
    assert all(0.0 <= v <= 1.0 for v in (scores.overall, scores.data_quality, scores.model_fit))
    assert p.analysis.mode == "deterministic"
    assert 1 <= p.analysis.rounds <= 3
    assert set(p.response_curves) == {a.channel for a in p.allocations}


def test_plans_are_deterministic(world: dict[str, Any]) -> None:
    assert plan(world).model_dump(exclude={"analysis"}) == plan(world).model_dump(
        exclude={"analysis"}
    )


def test_each_bound_stays_with_its_own_channel(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    budget = doc["campaign"]["total_budget"]
    doc["campaign"]["channels"] = [
        {"channel": "meta:instagram_reels", "min_spend": 0.3 * budget},
        {"channel": "google_ads:search", "max_spend": 0.1 * budget},
        {"channel": "meta:facebook_feed", "fixed_spend": 0.2 * budget},
        {"channel": "google_ads:youtube"},
    ]
    p = plan(doc)
    spend = _by_channel(p)
    assert spend["meta:instagram_reels"] >= 0.3 * budget - 0.01
    assert spend["google_ads:search"] <= 0.1 * budget + 0.01
    assert spend["meta:facebook_feed"] == pytest.approx(0.2 * budget, abs=0.01)
    assert p.allocation("meta:facebook_feed").bound == "fixed"
    assert p.total_spend == pytest.approx(budget, rel=0.005)
    assert any(b.startswith("meta:facebook_feed fixed") for b in p.binding_bounds)


def test_only_listed_channels_get_budget_but_all_history_informs(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["campaign"]["channels"] = [
        {"channel": "google_ads:search"},
        {"channel": "meta:facebook_feed"},
    ]
    p = plan(doc)
    assert set(_by_channel(p)) == {"google_ads:search", "meta:facebook_feed"}


def test_new_channel_without_history_is_planned_from_market_priors(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["campaign"]["channels"] = [
        {"channel": c} for c in sorted({r["channel"] for r in doc["history"]})
    ]
    doc["campaign"]["channels"].append({"channel": "meta:advantage_plus"})
    p = plan(doc)
    new = p.allocation("meta:advantage_plus")
    assert new.historical_spend is None and new.change_vs_history is None
    assert p.diagnostics["channels"]["meta:advantage_plus"]["source"] == "market_prior"
    # A channel with no history gets at most a test budget (the critic's cap).
    assert new.spend <= 0.10 * doc["campaign"]["total_budget"] + 0.01
    assert any(
        r.channel == "meta:advantage_plus" and r.action in ("add", "test")
        for r in p.recommendations
    )


def test_empty_history_plans_from_priors_with_a_warning(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["history"], doc["kpi"] = [], None
    doc["campaign"]["channels"] = [
        {"channel": "google_ads:search"},
        {"channel": "meta:instagram_reels"},
    ]
    p = plan(doc)
    assert p.total_spend == pytest.approx(doc["campaign"]["total_budget"], rel=0.005)
    assert all(d["source"] == "market_prior" for d in p.diagnostics["channels"].values())
    assert p.warnings  # priors only, and the extrapolation caps had to be relaxed


def test_short_history_channel_uses_priors_and_says_so() -> None:
    doc = small_world(history_days=120)
    last = max(r["date"] for r in doc["history"])
    doc["history"] = [
        r
        for r in doc["history"]
        if r["channel"] != "meta:instagram_reels" or r["date"] > _minus(last, 14)
    ]
    p = plan(doc)
    assert p.diagnostics["channels"]["meta:instagram_reels"]["source"] == "market_prior"
    assert any("meta:instagram_reels" in w and "market priors" in w for w in p.warnings)


def _minus(day: str, n: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) - timedelta(days=n)).isoformat()


def test_without_kpi_the_plan_still_works_and_says_so(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc.pop("kpi")
    p = plan(doc)
    assert p.diagnostics["model"]["kpi_used"] is False
    assert p.confidence_scores.model_fit < 0.5
    assert p.total_spend == pytest.approx(doc["campaign"]["total_budget"], rel=0.005)


def test_target_roas_spends_only_what_meets_the_target(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    base = plan(doc)
    target = 1.2 * base.expected_outcome / base.total_spend
    doc["campaign"]["goal"] = {"kind": "target_roas", "value": round(target, 3)}
    p = plan(doc)
    assert p.total_spend < doc["campaign"]["total_budget"]
    if p.diagnostics["goal_met"]:
        assert p.expected_outcome / p.total_spend >= target * 0.98
    else:
        assert any("not met in expectation" in w for w in p.warnings)


def test_unreachable_target_warns_with_the_frontier(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["campaign"]["goal"] = {"kind": "target_roas", "value": 1e6}
    p = plan(doc)
    assert p.total_spend == 0.0
    (warning,) = [w for w in p.warnings if "not met in expectation" in w]
    assert "target_roas 1e+06" in warning and "ROAS" in warning
    assert "spends only the channels' minimums" in warning


def test_conversions_objective_with_cpa_target() -> None:
    doc = small_world(objective="conversions")
    doc["campaign"]["goal"] = {"kind": "target_cpa", "value": 1e9}
    p = plan(doc)
    assert p.objective == "conversions"
    assert p.total_spend == pytest.approx(doc["campaign"]["total_budget"], rel=0.005)


def test_every_number_in_the_texts_is_a_plan_figure(world: dict[str, Any]) -> None:
    p = plan(world)
    allowed = [v for v in plan_facts(p).values() if isinstance(v, int | float)]
    texts = [i.text for i in p.insights if i.agent != "market"] + [
        r.rationale for r in p.recommendations
    ]
    assert texts
    for text in texts:
        assert find_unfaithful_numbers(text, allowed) == [], text


def test_a_budget_far_beyond_history_is_capped_then_relaxed(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["campaign"]["total_budget"] *= 10
    p = plan(doc)
    assert p.total_spend == pytest.approx(doc["campaign"]["total_budget"], rel=0.005)
    assert any("extrapolation caps were raised" in w for w in p.warnings)
    assert p.analysis.rounds >= 2


def test_progress_reports_each_agent(world: dict[str, Any]) -> None:
    seen: list[str] = []
    plan(world, progress=lambda node, info: seen.append(node))
    assert seen[:2] == sorted(["performance", "market"]) or set(seen[:2]) == {
        "performance",
        "market",
    }
    assert seen[2:4] == ["budget", "critic"] and seen[-1] == "synthesizer"


def test_a_constant_kpi_is_ignored_with_a_warning(world: dict[str, Any]) -> None:
    doc = copy.deepcopy(world)
    doc["kpi"] = [dict(k, revenue=0.0) for k in doc["kpi"]]
    p = plan(doc)
    assert p.diagnostics["model"]["kpi_used"] is False
    assert any("constant or zero" in w for w in p.warnings)
    assert p.total_spend == pytest.approx(doc["campaign"]["total_budget"], rel=0.005)
