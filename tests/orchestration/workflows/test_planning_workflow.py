"""PlanningWorkflow on the time-skipping test server: the happy path, retries, timeouts,
data gaps, the cache, and the names the Temporal CLI and UI use."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from agents.contract import DistributionPlan
from orchestration.activities import InMemoryPlanStore
from orchestration.workflows import names
from orchestration.workflows.models import (
    ActivityTimeouts,
    AnalysisParams,
    AnalysisProgress,
    PlanningOptions,
)
from orchestration.workflows.planning import PlanningWorkflow
from tests.orchestration.workflows.conftest import FAST, WS, harness, scripted


class FlakyStore(InMemoryPlanStore):
    """Fails chosen calls a number of times (then works), or sleeps in them."""

    def __init__(self, world: dict[str, Any]) -> None:
        super().__init__()
        self.add_planning_input(WS, world)
        self.fail: dict[str, int] = {}
        self.sleep: dict[str, float] = {}

    def _maybe_fail(self, what: str) -> None:
        self.calls[f"attempt:{what}"] += 1
        if self.sleep.get(what):
            import time

            time.sleep(self.sleep[what])
        if self.fail.get(what, 0) > 0:
            self.fail[what] -= 1
            raise RuntimeError(f"{what}: database unavailable")

    def get_campaign(self, workspace_id: str, campaign_id: str) -> Any:
        self._maybe_fail("campaign")
        return super().get_campaign(workspace_id, campaign_id)

    def planning_input(self, workspace_id: str, campaign_id: str, **kw: Any) -> Any:
        if kw.get("include_historical", True):
            self._maybe_fail("history")
        return super().planning_input(workspace_id, campaign_id, **kw)

    def get_market_overrides(self, workspace_id: str, version: int | None = None) -> Any:
        self._maybe_fail("market")
        return super().get_market_overrides(workspace_id, version)


async def test_plans_a_campaign(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        result = await handle.result()
        progress = await handle.query(PlanningWorkflow.progress)
    assert result.status == "completed" and result.method == "agents"
    plan = result.distribution_plan
    assert plan is not None and plan.total_budget == engine_plan.total_budget
    assert [a.spend for a in plan.allocations] == [a.spend for a in engine_plan.allocations]
    assert result.recommendations and result.insights and result.confidence_scores
    assert result.workflow_id == handle.id and not result.from_cache and result.cache_key
    assert result.completed_steps == [
        "GatherCampaignData",
        "GatherMarketInsights",
        "LookupCachedPlan",
        "FetchHistoricalPerformance",
        "ValidateData",
        "AgentAnalysis",
        "GenerateRecommendations",
        "CachePlan",
    ] or set(result.completed_steps) >= {"AgentAnalysis", "CachePlan", "ValidateData"}
    assert progress.percent_complete == 100.0 and progress.done
    assert progress.current_phase == "completed" and progress.estimated_time_remaining == 0.0
    assert planner.calls == 1
    assert store.calls["cache_plan"] == 1 and store.calls["audit"] == 1
    [entry] = store.list_audit(WS, subject=handle.id)
    assert entry.action == "plan.completed" and entry.actor == "tester"


async def test_registered_names_and_child(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    async with harness(ts_env, store, scripted(engine_plan)) as h:
        handle = await h.start()
        await handle.result()
        desc = await handle.describe()
        child = await ts_env.client.get_workflow_handle(f"{handle.id}-analysis-1").describe()
        progress = await handle.query(names.PROGRESS_QUERY)  # by name, as the CLI does
        partial = await handle.query(names.PARTIAL_RESULTS_QUERY)
    assert desc.workflow_type == "PlanningWorkflow"
    assert child.workflow_type == "AgentAnalysisWorkflow"
    assert child.status == WorkflowExecutionStatus.COMPLETED
    assert child.parent_id == handle.id
    assert progress["percent_complete"] == 100.0
    assert partial["missing_components"] == []


async def test_unknown_campaign_fails_without_retrying(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    async with harness(ts_env, store, scripted(engine_plan)) as h:
        with pytest.raises(WorkflowFailureError) as caught:
            await h.run(campaign_id="no-such-campaign")
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "CampaignNotFound"
    assert "no-such-campaign" in cause.message and WS in cause.message
    assert store.calls["get_campaign"] >= 1


async def test_transient_failures_are_retried(
    ts_env: WorkflowEnvironment, world: dict[str, Any], engine_plan: DistributionPlan
) -> None:
    store = FlakyStore(world)
    store.fail["campaign"] = 2
    async with harness(ts_env, store, scripted(engine_plan)) as h:
        result = await h.run()
    assert result.status == "completed" and not result.data_gaps
    assert store.calls["attempt:campaign"] >= 3  # 2 failures, then the market step's read too


async def test_missing_history_is_a_named_gap(
    ts_env: WorkflowEnvironment, world: dict[str, Any], engine_plan: DistributionPlan
) -> None:
    store = FlakyStore(world)
    store.fail["history"] = 100
    planner = scripted(engine_plan)
    async with harness(ts_env, store, planner) as h:
        result = await h.run()
    assert store.calls["attempt:history"] == 4  # 3 retries with backoff, then give up
    assert result.status == "completed" and result.distribution_plan is not None
    assert "historical_performance" in result.data_gaps
    assert any(w.startswith("historical performance unavailable") for w in result.warnings)
    assert "FetchHistoricalPerformanceActivity failed" in result.data_gaps["historical_performance"]
    [inp] = planner.inputs
    assert inp.history == []  # the analysis used what was gathered: no history
    assert store.calls["cache_plan"] == 0  # plans with data gaps are not cached


async def test_activity_timeouts_become_gaps(
    ts_env: WorkflowEnvironment, world: dict[str, Any], engine_plan: DistributionPlan
) -> None:
    store = FlakyStore(world)
    store.sleep["market"] = 0.6
    options = FAST.model_copy(update={"timeouts": ActivityTimeouts(market_insights_s=0.3)})
    async with harness(ts_env, store, scripted(engine_plan)) as h:
        result = await h.run(options=options)
    assert store.calls["attempt:market"] == 4
    gap = result.data_gaps["market_insights"]
    assert gap.startswith("GatherMarketInsightsActivity timed out (start-to-close)")
    assert any("the built-in benchmarks are used" in w for w in result.warnings)
    assert result.distribution_plan is not None


async def test_deadline_returns_the_best_available_plan(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, world: dict[str, Any]
) -> None:
    planner = scripted(None, hang=True)  # type: ignore[arg-type]
    options = FAST.model_copy(update={"deadline_s": 3.0})
    async with harness(ts_env, store, planner) as h:
        handle = await h.start(options=options)
        result = await handle.result()
        child = await ts_env.client.get_workflow_handle(f"{handle.id}-analysis-1").describe()
    assert result.status == "timed_out" and result.method == "heuristic"
    plan = result.distribution_plan
    assert plan is not None and plan.analysis.agents == ["heuristic"]
    spend = {a.channel: a.spend for a in plan.allocations}
    assert spend["google_ads:youtube"] <= 30000.0 + 1e-6
    assert spend["meta:instagram_reels"] >= 40000.0 - 1e-6
    assert sum(spend.values()) == pytest.approx(world["campaign"]["total_budget"], rel=1e-6)
    assert any("did not finish within the 3 s budget" in w for w in result.warnings)
    assert result.partial_results is not None
    assert child.status == WorkflowExecutionStatus.CANCELED


async def test_cache_hit_skips_the_agents(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan)
    async with harness(ts_env, store, planner) as h:
        first = await h.run()
        second = await h.run()
        assert planner.calls == 1
        assert second.from_cache and second.method == "cache" and second.status == "completed"
        assert second.cache_key == first.cache_key and second.cached_at is not None
        assert second.distribution_plan == first.distribution_plan
        assert "AgentAnalysis" not in second.completed_steps

        other = AnalysisParams(platforms=["meta"])
        await h.run(analysis_params=other)  # other parameters: a miss
        assert planner.calls == 2
        await h.run(options=FAST.model_copy(update={"use_cache": False}))  # asked not to
        assert planner.calls == 3
        store.touch(WS)  # the data changed: a miss
        await h.run()
        assert planner.calls == 4
        await h.run()
        assert planner.calls == 4


async def test_cache_expires(
    ts_env: WorkflowEnvironment, world: dict[str, Any], engine_plan: DistributionPlan
) -> None:
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    store = InMemoryPlanStore(clock=lambda: now[0])
    store.add_planning_input(WS, world)
    planner = scripted(engine_plan)
    options = FAST.model_copy(update={"cache_ttl_s": 600.0})
    async with harness(ts_env, store, planner) as h:
        await h.run(options=options)
        now[0] += dt.timedelta(seconds=599)
        assert (await h.run(options=options)).from_cache
        now[0] += dt.timedelta(seconds=2)
        assert not (await h.run(options=options)).from_cache
    assert planner.calls == 2


async def test_progress_and_partial_results_while_running(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.25)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        seen: list[AnalysisProgress] = []
        while True:
            p = await handle.query(PlanningWorkflow.progress)
            seen.append(p)
            if any(s.startswith("agent:") for s in p.completed_steps):
                break
            await asyncio.sleep(0.05)
        partial = await handle.query(names.PARTIAL_RESULTS_QUERY)
        result = await handle.result()
    during = seen[-1]
    assert during.current_phase == "analysis" and not during.done
    assert {"GatherCampaignData", "GatherMarketInsights", "ValidateData"} <= set(
        during.completed_steps
    )
    assert 20.0 < during.percent_complete < 100.0
    assert during.estimated_time_remaining is not None and during.estimated_time_remaining > 0
    percents = [s.percent_complete for s in seen]
    assert percents == sorted(percents)
    assert partial["completion_status"] == "analysis"
    assert partial["available_data"]["campaign"]["campaign"]["campaign_id"] == "sim-7"
    assert partial["available_data"]["historical_performance"]["rows"] > 0
    assert partial["available_data"]["completed_agents"]
    assert {"agent_analysis", "distribution_plan", "recommendations"} <= set(
        partial["missing_components"]
    )
    assert result.status == "completed"


async def test_platform_scope(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan)
    async with harness(ts_env, store, planner) as h:
        result = await h.run(analysis_params=AnalysisParams(platforms=["meta"]))
    [inp] = planner.inputs
    assert inp.campaign.channels is not None
    assert {s.channel for s in inp.campaign.channels} == {
        "meta:facebook_feed",
        "meta:instagram_reels",
    }
    assert {r.channel.split(":")[0] for r in inp.history} == {"meta"}
    # the scripted plan funds Google channels too: the scope rule says so
    assert any(w.startswith("scope rule: google_ads:") for w in result.warnings)


async def test_options_defaults_match_the_seed() -> None:
    options = PlanningOptions()
    t = options.timeouts
    assert (t.campaign_data_s, t.historical_performance_s, t.market_insights_s) == (120, 300, 180)
    assert (t.agent_analysis_s, t.recommendations_s) == (900, 120)
    assert options.deadline_s == 1200
