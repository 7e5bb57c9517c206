"""End to end on the dev server: real activities, the real engine, the Python API, the
HTTP API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from agents import aplan
from orchestration.activities import InMemoryPlanStore, ThreadedPlanner
from orchestration.api import create_app
from orchestration.client import PlanningClient, PlanRejected, SyncPlanningClient
from orchestration.temporal.settings import TemporalSettings
from orchestration.temporal.worker import build_worker
from orchestration.workflows.models import AnalysisProgress
from tests.orchestration.workflows.conftest import FAST, WS

pytestmark = pytest.mark.slow


def _settings(env: WorkflowEnvironment, task_queue: str) -> TemporalSettings:
    return TemporalSettings(
        address=env.client.service_client.config.target_host, task_queue=task_queue
    )


async def test_real_plan_through_the_python_api(
    local_env: WorkflowEnvironment, store: InMemoryPlanStore
) -> None:
    planner = ThreadedPlanner(max_workers=2)
    settings = _settings(local_env, "e2e-api")
    client = PlanningClient(local_env.client, settings, store=store)
    reference = await aplan(store.planning_input(WS, "sim-7"))
    try:
        async with build_worker(
            local_env.client, store, task_queue=settings.task_queue, planner=planner
        ):
            assert await client.cached_plan("sim-7", workspace_id=WS) is None
            handle = await client.start_plan("sim-7", workspace_id=WS, options=FAST)
            snapshots: list[AnalysisProgress] = [s async for s in handle.follow(0.05)]
            result = await handle.result()
            cached = await client.cached_plan("sim-7", workspace_id=WS)
            again = await client.plan("sim-7", workspace_id=WS, options=FAST)
    finally:
        planner.close()
    assert result.status == "completed" and result.method == "agents"
    plan = result.distribution_plan
    assert plan is not None
    assert [(a.channel, a.spend) for a in plan.allocations] == [
        (a.channel, a.spend) for a in reference.allocations
    ]
    assert plan.expected_outcome == reference.expected_outcome
    assert snapshots[-1].done and snapshots[-1].percent_complete == 100.0
    percents = [s.percent_complete for s in snapshots]
    assert percents == sorted(percents) and len(snapshots) >= 2
    assert handle.ui_url.endswith(f"/namespaces/default/workflows/{handle.workflow_id}")
    assert cached is not None and cached.plan == plan
    assert again.from_cache and again.distribution_plan == plan


async def test_sync_client(
    local_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: Any
) -> None:
    from orchestration.activities.testing import ScriptedPlanner

    settings = _settings(local_env, "e2e-sync")
    async with build_worker(
        local_env.client,
        store,
        task_queue=settings.task_queue,
        planner=ScriptedPlanner(engine_plan),
    ):

        def use_it() -> tuple[Any, Any, str]:
            with SyncPlanningClient(settings, store=store) as sync:
                result = sync.plan("sim-7", workspace_id=WS, options=FAST)
                try:
                    sync.cancel(result.workflow_id, "too late")
                    refused = ""
                except PlanRejected as exc:
                    refused = str(exc)
                return result, sync.progress(result.workflow_id), refused

        result, progress, refused = await asyncio.to_thread(use_it)
    assert result.status == "completed" and progress.done
    assert "cannot take requests" in refused or "nothing to cancel" in refused


async def test_http_api(
    local_env: WorkflowEnvironment, store: InMemoryPlanStore, engine_plan: Any
) -> None:
    from orchestration.activities.testing import ScriptedPlanner

    settings = _settings(local_env, "e2e-http")
    app = create_app(PlanningClient(local_env.client, settings, store=store))
    transport = httpx.ASGITransport(app=app)
    async with (
        build_worker(
            local_env.client,
            store,
            task_queue=settings.task_queue,
            planner=ScriptedPlanner(engine_plan, node_delay_s=0.1),
        ),
        httpx.AsyncClient(transport=transport, base_url="http://api") as http,
    ):
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json()["temporal"] == "ok"
        bad = await http.post("/plans", json={"campaign_id": "sim-7"})
        assert bad.status_code == 422
        body = {"campaign_id": "sim-7", "workspace_id": WS, "options": FAST.model_dump(mode="json")}
        started = await http.post("/plans", json=body)
        assert started.status_code == 202, started.text
        wid = started.json()["workflow_id"]
        assert started.headers["location"].endswith(f"/plans/{wid}")
        statuses = []
        while True:
            got = (await http.get(f"/plans/{wid}")).json()
            statuses.append(got["status"])
            if got["status"] != "RUNNING":
                break
            assert got["progress"] is None or 0 <= got["progress"]["percent_complete"] <= 100
            await asyncio.sleep(0.05)
        assert got["status"] == "COMPLETED" and got["result"]["status"] == "completed"
        assert got["result"]["distribution_plan"]["campaign_id"] == "sim-7"
        late = await http.post(f"/plans/{wid}/cancel", json={"reason": "late"})
        assert late.status_code == 409
        missing = await http.get("/plans/planning-nope-1")
        assert missing.status_code == 404
        params = await http.post(f"/plans/{wid}/params", json={"analysis_params": {}})
        assert params.status_code == 409
        failing = await http.post("/plans", json={**body, "campaign_id": "no-such-campaign"})
        fid = failing.json()["workflow_id"]
        while (got := (await http.get(f"/plans/{fid}")).json())["status"] == "RUNNING":
            await asyncio.sleep(0.05)
        assert got["status"] == "FAILED" and "not found" in got["error"]
