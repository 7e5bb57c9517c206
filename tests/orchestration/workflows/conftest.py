"""Fixtures for the planning workflow tests.

One time-skipping test server and one dev server for the whole session (each started
from the binaries installed in the venv; nothing is downloaded); each test gets a fresh
task queue and workflow ids. `Harness` runs a worker over an in-memory store loaded with
a small simulated advertiser.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agents import plan as run_engine
from agents.contract import DistributionPlan
from orchestration.activities import CircuitBreaker, InMemoryPlanStore, Planner
from orchestration.activities.testing import ScriptedPlanner
from orchestration.client import PlanHandle, planning_workflow_id
from orchestration.temporal.converter import DATA_CONVERTER
from orchestration.temporal.settings import TemporalSettings
from orchestration.temporal.worker import build_worker
from orchestration.workflows.models import (
    AnalysisParams,
    AnalysisProgress,
    PlanningOptions,
    PlanningRequest,
    PlanningResult,
)
from orchestration.workflows.planning import PlanningWorkflow
from tests.agents.conftest import small_world

BIN = Path(sys.executable).parent
WS = "ws-test"

FAST = PlanningOptions(retry_initial_interval_s=0.05, heartbeat_timeout_s=2.0)
"""Production timeouts, but quick retries and lost-worker detection."""


@pytest.fixture(scope="session")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=DATA_CONVERTER,
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def local_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        dev_server_log_level="error",
        data_converter=DATA_CONVERTER,
    )
    yield env
    await env.shutdown()


def bounded_world() -> dict[str, Any]:
    """The small advertiser with bounds: a minimum on reels, a cap on YouTube."""
    doc = small_world()
    doc["campaign"]["channels"] = [
        {"channel": "google_ads:search"},
        {"channel": "google_ads:youtube", "max_spend": 30000.0},
        {"channel": "meta:facebook_feed"},
        {"channel": "meta:instagram_reels", "min_spend": 40000.0},
    ]
    return doc


@pytest.fixture(scope="session")
def world() -> dict[str, Any]:
    return bounded_world()


@pytest.fixture(scope="session")
def engine_plan(world: dict[str, Any]) -> DistributionPlan:
    """The real engine's plan of `world` (computed once; scripted planners return it)."""
    return run_engine(world)


@pytest.fixture
def store(world: dict[str, Any]) -> InMemoryPlanStore:
    s = InMemoryPlanStore()
    s.add_planning_input(WS, world)
    return s


@dataclass
class Harness:
    client: Client
    store: InMemoryPlanStore
    planner: Planner
    task_queue: str = field(default_factory=lambda: f"tq-{uuid.uuid4()}")
    campaign_id: str = "sim-7"

    def request(self, **kw: Any) -> PlanningRequest:
        kw.setdefault("options", FAST)
        return PlanningRequest(
            campaign_id=kw.pop("campaign_id", self.campaign_id),
            user_id="tester",
            workspace_id=kw.pop("workspace_id", WS),
            **kw,
        )

    async def start(self, **kw: Any) -> WorkflowHandle[PlanningWorkflow, PlanningResult]:
        request = self.request(**kw)
        return await self.client.start_workflow(
            PlanningWorkflow.run,
            request,
            id=planning_workflow_id(request.campaign_id) + uuid.uuid4().hex[:6],
            task_queue=self.task_queue,
        )

    async def run(self, **kw: Any) -> PlanningResult:
        return await (await self.start(**kw)).result()

    def plan_handle(self, handle: WorkflowHandle[PlanningWorkflow, PlanningResult]) -> PlanHandle:
        return PlanHandle(handle, TemporalSettings(task_queue=self.task_queue))


@asynccontextmanager
async def harness(
    env: WorkflowEnvironment,
    store: InMemoryPlanStore,
    planner: Planner,
    *,
    numeric_planner: Planner | None = None,
    breaker: CircuitBreaker | None = None,
) -> AsyncIterator[Harness]:
    h = Harness(env.client, store, planner)
    worker = build_worker(
        env.client,
        store,
        task_queue=h.task_queue,
        planner=planner,
        numeric_planner=numeric_planner,
        breaker=breaker,
    )
    async with worker:
        yield h


async def wait_for_progress(
    handle: WorkflowHandle[Any, Any], predicate: Any, timeout_s: float = 20.0
) -> AnalysisProgress:
    """Poll the progress query until `predicate(progress)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        progress: AnalysisProgress = await handle.query(PlanningWorkflow.progress)
        if predicate(progress):
            return progress
        if loop.time() > deadline:
            raise AssertionError(f"progress never matched; last {progress}")
        await asyncio.sleep(0.05)


def scripted(plan: DistributionPlan, **kw: Any) -> ScriptedPlanner:
    return ScriptedPlanner(plan, **kw)


__all__ = [
    "FAST",
    "WS",
    "AnalysisParams",
    "Harness",
    "bounded_world",
    "harness",
    "scripted",
    "wait_for_progress",
]
