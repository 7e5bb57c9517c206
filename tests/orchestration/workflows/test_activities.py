"""The planning activities in isolation (`ActivityEnvironment`, no server)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from agents.contract import DistributionPlan, PlanningInput
from orchestration.activities import (
    CircuitBreaker,
    InMemoryPlanStore,
    PlanningActivities,
    ThreadedPlanner,
)
from orchestration.activities.testing import ScriptedPlanner
from orchestration.workflows.models import (
    AnalysisParams,
    AnalysisRequest,
    AuditInput,
    CacheLookupInput,
    CachePlanInput,
    CampaignDataInput,
    DateRange,
    HistoricalPerformanceInput,
    MarketInsightsInput,
    RecommendationsInput,
)
from tests.orchestration.workflows.conftest import WS


def _request(**kw: Any) -> AnalysisRequest:
    return AnalysisRequest(
        workspace_id=WS,
        campaign_id="sim-7",
        params=kw.pop("params", AnalysisParams()),
        report_progress=False,
        **kw,
    )


async def test_gathering(store: InMemoryPlanStore, engine_plan: DistributionPlan) -> None:
    acts = PlanningActivities(store, ScriptedPlanner(engine_plan))
    env = ActivityEnvironment()
    data = await env.run(
        acts.gather_campaign_data, CampaignDataInput(workspace_id=WS, campaign_id="sim-7")
    )
    assert data.campaign.total_budget == 242000.0 and data.campaign.workspace_id == WS
    window = DateRange.model_validate({"start": "2026-10-01", "end": "2026-12-31"})
    history = await env.run(
        acts.fetch_historical_performance,
        HistoricalPerformanceInput(
            workspace_id=WS, campaign_id="sim-7", platforms=["meta"], date_range=window
        ),
    )
    assert [c.channel for c in history.channels] == ["meta:facebook_feed", "meta:instagram_reels"]
    assert history.rows == 2 * 92 and history.kpi_days == 92
    assert all(c.run_rate_daily > 0 and c.roas for c in history.channels)
    market = await env.run(
        acts.gather_market_insights,
        MarketInsightsInput(workspace_id=WS, campaign_id="sim-7", platforms=["google_ads"]),
    )
    assert [b.channel for b in market.benchmarks] == ["google_ads:search", "google_ads:youtube"]
    assert market.industry == "retail" and market.overrides_version is None


async def test_invalid_market_overrides_are_noted(
    store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    store.set_market_overrides(WS, {"google_ads:search": {"roas": -1}})
    acts = PlanningActivities(store, ScriptedPlanner(engine_plan))
    market = await ActivityEnvironment().run(
        acts.gather_market_insights, MarketInsightsInput(workspace_id=WS, campaign_id="sim-7")
    )
    assert any("invalid and were ignored" in n for n in market.notes)


async def test_unknown_campaign_is_not_retryable(
    store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    acts = PlanningActivities(store, ScriptedPlanner(engine_plan))
    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            acts.gather_campaign_data, CampaignDataInput(workspace_id="other", campaign_id="sim-7")
        )
    assert caught.value.type == "CampaignNotFound" and caught.value.non_retryable


async def test_analysis_heartbeats_every_agent_of_the_real_engine(
    store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = ThreadedPlanner(max_workers=1)
    acts = PlanningActivities(store, planner)
    env = ActivityEnvironment()
    beats: list[Any] = []
    env.on_heartbeat = lambda *details: beats.append(details[0])
    try:
        out = await env.run(acts.run_agent_analysis, _request(narrate=False))
    finally:
        planner.close()
    agents = [b["agent"] for b in beats if "agent" in b]
    assert set(agents) == {"performance", "market", "budget", "critic", "synthesizer"}
    assert agents[-1] == "synthesizer"
    assert [s.agent for s in out.execution_trace] == agents
    assert out.history_rows == len(
        PlanningInput.model_validate(store.planning_input(WS, "sim-7")).history
    )
    assert [a.spend for a in out.plan.allocations] == [a.spend for a in engine_plan.allocations]


async def test_analysis_stops_when_cancelled(store: InMemoryPlanStore) -> None:
    planner = ScriptedPlanner(None, hang=True)
    acts = PlanningActivities(store, planner)
    env = ActivityEnvironment()
    task = asyncio.create_task(env.run(acts.run_agent_analysis, _request()))
    await asyncio.sleep(0.1)
    env.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert acts.breaker.state == "closed"


async def test_breaker_opens_and_fails_fast(store: InMemoryPlanStore) -> None:
    planner = ScriptedPlanner(None, fail_times=100)
    clock = [0.0]
    acts = PlanningActivities(
        store, planner, breaker=CircuitBreaker(2, reset_after_s=30, clock=lambda: clock[0])
    )
    env = ActivityEnvironment()
    for _ in range(2):
        with pytest.raises(RuntimeError):
            await env.run(acts.run_agent_analysis, _request())
    with pytest.raises(ApplicationError) as caught:
        await env.run(acts.run_agent_analysis, _request())
    assert caught.value.type == "AgentsUnavailable" and caught.value.non_retryable
    assert planner.calls == 2
    clock[0] = 31.0  # half open: one trial goes through
    with pytest.raises(RuntimeError):
        await env.run(acts.run_agent_analysis, _request())
    assert planner.calls == 3 and acts.breaker.state == "open"


async def test_infeasible_platform_scope_is_invalid_input(
    store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    acts = PlanningActivities(store, ScriptedPlanner(engine_plan))
    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            acts.run_numeric_analysis, _request(params=AnalysisParams(platforms=["tiktok"]))
        )
    assert caught.value.type == "InvalidPlanningInput"


async def test_cache_audit_and_rules_are_idempotent(
    store: InMemoryPlanStore, engine_plan: DistributionPlan, world: dict[str, Any]
) -> None:
    acts = PlanningActivities(store, ScriptedPlanner(engine_plan))
    env = ActivityEnvironment()
    lookup = CacheLookupInput(workspace_id=WS, campaign_id="sim-7", params={"p": 1})
    miss = await env.run(acts.lookup_cached_plan, lookup)
    assert miss.plan is None
    put = CachePlanInput(
        workspace_id=WS, campaign_id="sim-7", cache_key=miss.cache_key, plan=engine_plan, ttl_s=60
    )
    for _ in range(2):
        await env.run(acts.cache_plan, put)
    hit = await env.run(acts.lookup_cached_plan, lookup)
    assert hit.plan == engine_plan and hit.cache_key == miss.cache_key
    audit = AuditInput(workspace_id=WS, action="plan.completed", subject="wf-1", actor="me")
    for _ in range(3):
        await env.run(acts.audit_plan, audit)
    assert len(store.list_audit(WS)) == 1
    from agents.contract import Campaign

    rec = RecommendationsInput(
        workspace_id=WS,
        campaign_id="sim-7",
        campaign=Campaign.model_validate(world["campaign"]),
        plan=engine_plan,
        method="agents",
        params=AnalysisParams(),
    )
    first = await env.run(acts.generate_recommendations, rec)
    second = await env.run(acts.generate_recommendations, rec)
    assert first == second
