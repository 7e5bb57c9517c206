"""A planning worker in a process of its own, for the crash test.

``python -m tests.orchestration.workflows.worker_process ADDRESS TASK_QUEUE NODE_DELAY_S``
serves the bounded test advertiser from an in-memory store with the real engine (slowed
down by NODE_DELAY_S per agent), prints ``ready`` once polling, and runs until killed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from temporalio.client import Client

from orchestration.activities import InMemoryPlanStore, ThreadedPlanner
from orchestration.temporal.converter import DATA_CONVERTER
from orchestration.temporal.worker import build_worker
from tests.orchestration.workflows.conftest import WS, bounded_world


async def main(address: str, task_queue: str, delay: float) -> None:
    store = InMemoryPlanStore()
    store.add_planning_input(WS, bounded_world())
    client = await Client.connect(address, data_converter=DATA_CONVERTER)
    planner = ThreadedPlanner(max_workers=1, node_delay_s=delay)
    worker = build_worker(
        client,
        store,
        task_queue=task_queue,
        planner=planner,
        # a killed worker's sticky queue is abandoned after 1 s instead of 10 s
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    async with worker:
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
