"""When the agents fail: the numeric engine without the LLM, then the heuristic; the
circuit breaker that makes the agents fail fast."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from agents.contract import DistributionPlan
from agents.optimizer import InfeasibleBoundsError
from orchestration.activities import CircuitBreaker, InMemoryPlanStore
from orchestration.activities.testing import ScriptedPlanner
from tests.orchestration.workflows.conftest import harness, scripted


def failing(**kw: Any) -> ScriptedPlanner:
    return ScriptedPlanner(None, fail_times=1000, **kw)


async def test_agent_failure_falls_back_to_the_numeric_engine(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    agents, numeric = failing(), scripted(engine_plan)
    async with harness(ts_env, store, agents, numeric_planner=numeric) as h:
        result = await h.run()
    assert agents.calls == 2  # one retry
    assert numeric.calls == 1
    assert result.status == "degraded" and result.method == "numeric"
    assert result.distribution_plan is not None
    [warning] = [w for w in result.warnings if "numeric engine made this plan" in w]
    assert "RunAgentAnalysisActivity failed: scripted agent failure" in warning
    assert store.calls["cache_plan"] == 0  # a fallback plan is not cached
    assert "Fallback" in result.completed_steps


async def test_then_the_heuristic_within_bounds(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, world: dict[str, Any]
) -> None:
    agents, numeric = failing(), failing()
    async with harness(ts_env, store, agents, numeric_planner=numeric) as h:
        result = await h.run()
    assert (agents.calls, numeric.calls) == (2, 1)
    assert result.status == "degraded" and result.method == "heuristic"
    plan = result.distribution_plan
    assert plan is not None and plan.analysis.agents == ["heuristic"]
    spend = {a.channel: a.spend for a in plan.allocations}
    assert spend["google_ads:youtube"] <= 30000.0 + 1e-6
    assert spend["meta:instagram_reels"] >= 40000.0 - 1e-6
    assert sum(spend.values()) == pytest.approx(world["campaign"]["total_budget"], rel=1e-6)
    assert plan.confidence_scores.model_fit == 0.0
    failed = [w for w in result.warnings if w.startswith("the agent analysis failed")]
    assert failed and "the numeric engine failed too" in failed[0]
    assert any(w.startswith("heuristic allocation") for w in result.warnings)
    assert any(r.action == "test" for r in result.recommendations)  # low confidence rule


async def test_invalid_input_skips_the_numeric_engine(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    agents = ScriptedPlanner(None, fail_times=1000, error=InfeasibleBoundsError("bounds clash"))
    numeric = scripted(engine_plan)
    async with harness(ts_env, store, agents, numeric_planner=numeric) as h:
        result = await h.run()
    assert agents.calls == 1  # non-retryable
    assert numeric.calls == 0  # the same input would fail the same way
    assert result.method == "heuristic"
    assert any("bounds clash" in w for w in result.warnings)


async def test_circuit_breaker_makes_the_agents_fail_fast(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    agents, numeric = failing(), scripted(engine_plan)
    breaker = CircuitBreaker(failure_threshold=2, reset_after_s=3600)
    async with harness(ts_env, store, agents, numeric_planner=numeric, breaker=breaker) as h:
        first = await h.run()
        assert agents.calls == 2 and breaker.state == "open"
        second = await h.run(options=h.request().options.model_copy(update={"use_cache": False}))
    assert agents.calls == 2  # the open breaker refused without calling the agents
    assert first.method == second.method == "numeric"
    assert any("circuit breaker open" in w for w in second.warnings)
