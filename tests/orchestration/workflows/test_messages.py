"""Signals, updates (with validators) and cancellation of PlanningWorkflow."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from agents.contract import DistributionPlan
from orchestration.activities import InMemoryPlanStore
from orchestration.client import PlanRejected
from orchestration.workflows import names
from orchestration.workflows.models import AnalysisParamsPatch
from tests.orchestration.workflows.conftest import harness, scripted, wait_for_progress


def _analysing(p: object) -> bool:
    steps = getattr(p, "completed_steps", [])
    return getattr(p, "current_phase", "") == "analysis" and any(
        s.startswith("agent:") for s in steps
    )


async def test_cancel_signal_returns_partial_results(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        await handle.signal(names.CANCEL_SIGNAL, {"reason": "the brief changed"})
        result = await handle.result()
        child = await ts_env.client.get_workflow_handle(f"{handle.id}-analysis-1").describe()
    assert result.status == "cancelled" and result.distribution_plan is None
    assert "cancelled: the brief changed" in result.warnings
    partial = result.partial_results
    assert partial is not None and partial.completion_status == "cancelled"
    assert partial.available_data.campaign is not None
    assert partial.available_data.historical_performance is not None
    assert partial.available_data.completed_agents
    assert "agent_analysis" in partial.missing_components
    assert child.status == WorkflowExecutionStatus.CANCELED
    assert store.calls["cache_plan"] == 0
    [entry] = store.list_audit("ws-test", subject=handle.id)
    assert entry.action == "plan.cancelled"


async def test_cancel_update_acknowledges_and_validates(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        plan = h.plan_handle(handle)
        await wait_for_progress(handle, _analysing)
        with pytest.raises(PlanRejected, match="reason"):
            await plan.cancel("   ")  # a blank reason is rejected by the validator
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(names.CANCEL_UPDATE, {"reason": "x", "extra": 1})
        ack = await plan.cancel("stop", request_id="req-1")
        assert ack.cancelled and ack.phase == "analysis"
        result = await handle.result()
        assert result.status == "cancelled"
        with pytest.raises(PlanRejected):
            await plan.cancel("again")  # the run is over


async def test_temporal_cancellation_returns_partial_results(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        await handle.cancel()
        result = await handle.result()
        child = await ts_env.client.get_workflow_handle(f"{handle.id}-analysis-1").describe()
    assert result.status == "cancelled"
    assert "cancelled: the planning workflow was cancelled" in result.warnings
    assert child.status == WorkflowExecutionStatus.CANCELED


async def test_goal_change_restarts_only_the_analysis(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        ack = await h.plan_handle(handle).update_params(
            AnalysisParamsPatch(optimization_goals=[{"kind": "target_roas", "value": 2.5}]),
            reason="finance wants a ROAS floor",
        )
        result = await handle.result()
        first_child = await ts_env.client.get_workflow_handle(f"{handle.id}-analysis-1").describe()
    assert ack.accepted and ack.restarted_steps == ["analysis"] and ack.params_version == 1
    assert planner.calls == 2
    assert planner.inputs[-1].campaign.goal.kind == "target_roas"
    assert store.calls["planning_input"] == 1 + 2  # history fetched once, two analyses
    assert store.calls["get_market_overrides"] == 1
    assert result.status == "completed"
    assert result.analysis_params.optimization_goals[0].kind == "target_roas"
    assert first_child.status == WorkflowExecutionStatus.CANCELED


async def test_window_change_refetches_history_not_market(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        window = {"date_range": {"start": "2026-07-01", "end": "2026-12-31"}}
        ack = await h.plan_handle(handle).update_params(window)
        result = await handle.result()
    assert ack.restarted_steps == ["history", "analysis"]
    assert store.calls["get_market_overrides"] == 1
    assert store.calls["planning_input"] == 2 + 2  # two fetches, two analyses
    days = {r.date for r in planner.inputs[-1].history}
    assert min(days).isoformat() >= "2026-07-01" and max(days).isoformat() <= "2026-12-31"
    history = result.partial_results
    assert history is None and result.status == "completed"


async def test_invalid_or_unsafe_updates_are_rejected_at_the_caller(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        plan = h.plan_handle(handle)
        await wait_for_progress(handle, _analysing)
        with pytest.raises(PlanRejected, match="holds plans, not spend"):
            await plan.update_params({"platforms": ["google_drive"]})
        with pytest.raises(PlanRejected, match="before start"):
            await plan.update_params({"date_range": {"start": "2026-12-01", "end": "2026-01-01"}})
        with pytest.raises(PlanRejected, match="no channel to plan on platforms tiktok"):
            await plan.update_params({"platforms": ["tiktok"]})
        with pytest.raises(PlanRejected, match=r"analysis_params\.budget"):
            await plan.update_params({"budget": 5})
        result = await handle.result()
        with pytest.raises(PlanRejected):
            await plan.update_params({"include_historical": False})
    assert planner.calls == 1 and result.status == "completed"
    assert result.analysis_params.platforms == []


async def test_bad_signals_become_warnings(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        await handle.signal(names.UPDATE_PARAMS_SIGNAL, {"analysis_params": {"platforms": [""]}})
        await handle.signal(names.CANCEL_SIGNAL, {"why": "no reason field"})
        result = await handle.result()
    assert result.status == "completed" and planner.calls == 1
    ignored = [w for w in result.warnings if "ignored" in w]
    assert len(ignored) == 2
    assert ignored[0].startswith("UpdateAnalysisParamsSignal ignored: invalid")
    assert ignored[1].startswith("CancelAnalysisSignal ignored: invalid")


async def test_params_signal_applies_and_duplicates_are_ignored(
    ts_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: DistributionPlan
) -> None:
    planner = scripted(engine_plan, node_delay_s=0.3)
    async with harness(ts_env, store, planner) as h:
        handle = await h.start()
        await wait_for_progress(handle, _analysing)
        payload = {"analysis_params": {"include_historical": False}, "request_id": "r-1"}
        await handle.signal(names.UPDATE_PARAMS_SIGNAL, payload)
        await handle.signal(names.UPDATE_PARAMS_SIGNAL, payload)
        result = await handle.result()
        progress = await handle.query(names.PROGRESS_QUERY)
    assert result.analysis_params.include_historical is False
    assert progress["params_version"] == 1 and progress["analysis_attempt"] == 2
    assert planner.inputs[-1].history == []
    assert planner.calls == 2
