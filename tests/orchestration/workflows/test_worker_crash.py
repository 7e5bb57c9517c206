"""A worker killed (SIGKILL) while the agents run: the analysis resumes on a new worker
and the run finishes with the same plan."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from agents import aplan
from orchestration.activities import InMemoryPlanStore
from orchestration.workflows.models import PlanningRequest
from orchestration.workflows.planning import PlanningWorkflow
from tests.orchestration.workflows.conftest import FAST, WS, wait_for_progress

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


async def _spawn(address: str, task_queue: str, delay: float) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.orchestration.workflows.worker_process",
        address,
        task_queue,
        str(delay),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.strip() == b"ready", line
    return proc


async def test_worker_killed_mid_analysis(
    local_env: WorkflowEnvironment, store: InMemoryPlanStore
) -> None:
    address = local_env.client.service_client.config.target_host
    task_queue = f"crash-{uuid.uuid4()}"
    options = FAST.model_copy(update={"heartbeat_timeout_s": 1.5})
    request = PlanningRequest(campaign_id="sim-7", user_id="t", workspace_id=WS, options=options)
    first = await _spawn(address, task_queue, delay=0.8)
    second = None
    try:
        handle = await local_env.client.start_workflow(
            PlanningWorkflow.run,
            request,
            id=f"planning-crash-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        during = await wait_for_progress(
            handle,
            lambda p: any(s.startswith("agent:") for s in p.completed_steps),
            timeout_s=60,
        )
        first.kill()  # SIGKILL: no graceful shutdown, the activity is mid-flight
        await first.wait()
        second = await _spawn(address, task_queue, delay=0.0)
        result = await asyncio.wait_for(handle.result(), 90)
    finally:
        for proc in (first, second):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert during.current_phase == "analysis"
    assert result.status == "completed" and result.method == "agents"
    reference = await aplan(store.planning_input(WS, "sim-7"))
    plan = result.distribution_plan
    assert plan is not None
    assert [(a.channel, a.spend) for a in plan.allocations] == [
        (a.channel, a.spend) for a in reference.allocations
    ]
    child = local_env.client.get_workflow_handle(f"{handle.id}-analysis-1")
    attempts = [
        e.activity_task_started_event_attributes.attempt
        async for e in child.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    assert attempts == [2]  # the first attempt timed out on heartbeats; the retry finished
