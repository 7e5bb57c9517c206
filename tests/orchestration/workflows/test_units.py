"""Pure helpers of the orchestration layer: models, scope, progress, heuristic, rules."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from pydantic import ValidationError

from agents.contract import Campaign, DistributionPlan
from orchestration.activities.breaker import CircuitBreaker
from orchestration.activities.data import summarize_history
from orchestration.activities.rules import apply_business_rules
from orchestration.client import planning_workflow_id
from orchestration.temporal.settings import TemporalSettings
from orchestration.workflows.heuristic import bounded_split, heuristic_plan
from orchestration.workflows.models import (
    AnalysisParams,
    AnalysisParamsPatch,
    CancelAnalysis,
    PlanningRequest,
)
from orchestration.workflows.progress import estimate_remaining, percent_complete
from orchestration.workflows.scope import affected_steps, effective_campaign
from tests.orchestration.workflows.conftest import bounded_world


def _campaign(**changes: Any) -> Campaign:
    return Campaign.model_validate({**bounded_world()["campaign"], **changes})


def test_requests_reject_unknown_fields_and_bad_values() -> None:
    with pytest.raises(ValidationError, match="campaign_id"):
        PlanningRequest.model_validate({"campaign_id": "", "user_id": "u", "workspace_id": "w"})
    with pytest.raises(ValidationError, match="extra"):
        AnalysisParams.model_validate({"platform": ["meta"]})
    with pytest.raises(ValidationError, match="holds plans"):
        AnalysisParams(platforms=["google_drive"])
    with pytest.raises(ValidationError):
        CancelAnalysis(reason="  ")
    assert AnalysisParams(platforms=["meta", "meta"]).platforms == ["meta"]


def test_patch_replaces_only_given_fields() -> None:
    base = AnalysisParams(platforms=["meta"], include_historical=True)
    patched = AnalysisParamsPatch(include_historical=False).apply(base)
    assert patched.platforms == ["meta"] and patched.include_historical is False
    cleared = AnalysisParamsPatch.model_validate({"platforms": []}).apply(base)
    assert cleared.platforms == []


def test_effective_campaign() -> None:
    c = _campaign()
    meta = effective_campaign(c, AnalysisParams(platforms=["meta"]))
    assert [s.channel for s in meta.channels or []] == [
        "meta:facebook_feed",
        "meta:instagram_reels",
    ]
    goal = effective_campaign(
        c, AnalysisParams(optimization_goals=[{"kind": "target_cpa", "value": 40}])
    )
    assert goal.goal.kind == "target_cpa"
    with pytest.raises(ValueError, match="no channel to plan on platforms tiktok"):
        effective_campaign(c, AnalysisParams(platforms=["tiktok"]))
    capped = _campaign(channels=[{"channel": "meta:a", "max_spend": 10.0}, {"channel": "x:b"}])
    with pytest.raises(ValueError, match="infeasible bounds"):
        effective_campaign(capped, AnalysisParams(platforms=["meta"]))
    derived = effective_campaign(
        _campaign(channels=None), AnalysisParams(platforms=["meta"]), ["meta:x", "google_ads:y"]
    )
    assert [s.channel for s in derived.channels or []] == ["meta:x"]


def test_affected_steps() -> None:
    base = AnalysisParams()
    assert affected_steps(base, base) == []
    goals = AnalysisParams(optimization_goals=[{"kind": "target_roas", "value": 2}])
    assert affected_steps(base, goals) == ["analysis"]
    assert affected_steps(base, AnalysisParams(platforms=["meta"])) == [
        "history",
        "market",
        "analysis",
    ]
    window = AnalysisParams(date_range={"start": "2026-01-01", "end": "2026-06-30"})
    assert affected_steps(base, window) == ["history", "analysis"]
    assert affected_steps(base, AnalysisParams(include_historical=False)) == ["analysis"]


def test_progress_arithmetic() -> None:
    assert percent_complete([]) == 0.0
    gathered = [
        "GatherCampaignData",
        "FetchHistoricalPerformance",
        "GatherMarketInsights",
        "LookupCachedPlan",
        "ValidateData",
    ]
    assert percent_complete(gathered) == 20.0
    assert percent_complete([*gathered, "agent:performance"]) == 45.0
    assert (
        percent_complete([*gathered, "AgentAnalysis", "GenerateRecommendations", "CachePlan"])
        == 99.0
    )
    assert percent_complete([], final=True) == 100.0
    assert estimate_remaining(2.0, 1.0) is None
    assert estimate_remaining(2.0, 50.0) == 2.0
    assert estimate_remaining(5.0, 100.0) == 0.0


def test_bounded_split() -> None:
    bounds = {"a": (0.0, math.inf), "b": (0.0, 10.0), "c": (30.0, math.inf), "d": (5.0, 5.0)}
    split = bounded_split(100.0, {"a": 1.0, "b": 1.0, "c": 0.0, "d": 1.0}, bounds)
    assert split["d"] == 5.0 and split["b"] == 10.0 and split["c"] == 30.0
    assert sum(split.values()) == pytest.approx(100.0)
    assert bounded_split(100.0, {"a": 1.0}, {"a": (0.0, 40.0)}) == {"a": 40.0}
    assert bounded_split(
        90.0, {"a": 0.0, "b": 0.0}, {"a": (0.0, math.inf), "b": (0.0, math.inf)}
    ) == {"a": 45.0, "b": 45.0}


def test_heuristic_plan_follows_recent_spend_within_bounds() -> None:
    doc = bounded_world()
    history = summarize_history(doc["history"], doc.get("kpi") or [])
    plan = heuristic_plan(_campaign(), history, None, "agents down")
    spend = {a.channel: a.spend for a in plan.allocations}
    assert sum(spend.values()) == pytest.approx(242000.0)
    assert spend["google_ads:youtube"] <= 30000.0 and spend["meta:instagram_reels"] >= 40000.0
    assert plan.warnings[0] == "agents down" and plan.analysis.agents == ["heuristic"]
    DistributionPlan.model_validate(plan.model_dump(mode="json"))  # contract-valid
    none = heuristic_plan(_campaign(), None, None, "no data")
    assert len({a.spend for a in none.allocations if a.bound is None}) == 1  # an even split


def test_rules_flag_without_moving_money(engine_plan: DistributionPlan) -> None:
    campaign = _campaign(
        channels=[
            {"channel": "google_ads:search", "max_spend": 1000.0},
            {"channel": "google_ads:youtube"},
            {"channel": "meta:facebook_feed"},
            {"channel": "meta:instagram_reels"},
        ]
    )
    plan, findings = apply_business_rules(
        engine_plan, campaign, "agents", ["meta"], ["historical_performance", "plan_cache"]
    )
    assert [a.spend for a in plan.allocations] == [a.spend for a in engine_plan.allocations]
    assert any(f.startswith("bounds rule: google_ads:search") for f in findings)
    assert any(f.startswith("scope rule: google_ads:") for f in findings)
    assert any(f.startswith("data gaps (historical_performance)") for f in findings)
    assert plan.confidence_scores.data_quality == pytest.approx(
        engine_plan.confidence_scores.data_quality * 0.85, abs=1e-4
    )
    assert set(findings) <= set(plan.warnings)
    keys = [(r.action, r.channel) for r in plan.recommendations]
    assert len(keys) == len(set(keys))


def test_breaker_states() -> None:
    now = [0.0]
    b = CircuitBreaker(2, reset_after_s=10, clock=lambda: now[0])
    b.record_failure()
    assert b.allow() and b.state == "closed"
    b.record_failure()
    assert not b.allow() and b.state == "open" and "next trial in 10 s" in b.describe()
    now[0] = 10.0
    assert b.allow() and not b.allow()  # a single trial when half open
    b.record_success()
    assert b.state == "closed" and b.allow()


def test_ids_and_settings() -> None:
    ts = dt.datetime(2027, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    assert planning_workflow_id("q1", ts) == "planning-q1-20270102T030405678Z"
    s = TemporalSettings.from_env(
        {"MEDIAPLAN_TEMPORAL_ADDRESS": " host:1 ", "MEDIAPLAN_TASK_QUEUE": ""}
    )
    assert (s.address, s.namespace, s.task_queue) == ("host:1", "default", "mediaplan")
    assert (
        s.workflow_url("planning-a b")
        == "http://127.0.0.1:8233/namespaces/default/workflows/planning-a%20b"
    )
